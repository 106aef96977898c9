"""The DAG on Airflow's CeleryExecutor, for real and without containers: PostgreSQL metadata (a
database of its own, dropped afterwards), a Redis broker (its own database number), the api-server,
scheduler, dag-processor and Celery workers as processes in their own process groups, and the demo
site on 127.0.0.1.  Select with ``pytest -m distributed``; skipped where PostgreSQL or Redis are
not reachable.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from extract.airflow_env import CeleryCluster
from extract.demo import DAG_ID, write_demo_sources
from extract.load import connect

PART_SIZE = 4  # 12 demo URLs: three parts per mapped stage
WORKERS = ("worker-1", "worker-2")
FIRST_RUN = ("wirehouse_celery_first", "2025-06-01T00:00:00+00:00")
KILLED_RUN = ("wirehouse_celery_killed", "2025-06-01T01:00:00+00:00")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from extract.demo_site import serve
    from extract.settings import load_settings

    home = tmp_path_factory.mktemp("wirehouse")
    settings = load_settings(environ={}, home=home, airflow_home=home / "airflow")
    extra = {
        "WIREHOUSE_ALLOW_PRIVATE": "1",
        "WIREHOUSE_PART_SIZE": str(PART_SIZE),
        # every run fetches again, one request a second: a fetch part lasts long enough to be killed
        "WIREHOUSE_REFETCH": "1",
        "WIREHOUSE_HOST_DELAY": "1",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the runs the test triggers
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "30",  # a killed worker's task fails soon
        "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
    }
    cluster = CeleryCluster(settings, f"wirehouse_test_{os.getpid()}", redis_db=13, extra_env=extra)
    reason = cluster.unavailable()
    if reason:
        pytest.skip(f"the distributed test needs PostgreSQL and Redis on 127.0.0.1: {reason}")
    with serve() as site, cluster:
        write_demo_sources(settings, site.base_url)
        for name in WORKERS:
            cluster.start_worker(name)
        cluster.wait_until_ready(DAG_ID)
        cluster.settings = settings
        yield cluster


def _run(cluster: CeleryCluster, run: tuple[str, str], timeout: float = 900) -> tuple[str, list[dict]]:
    run_id, logical_date = run
    cluster.trigger(DAG_ID, logical_date, run_id)
    state = cluster.wait_for_run(DAG_ID, run_id, timeout=timeout)
    return state, cluster.task_instances(DAG_ID, run_id)


def _failure_report(cluster: CeleryCluster, instances: list[dict]) -> str:
    rows = "\n".join(
        f"  {t['task_id']}[{t['map_index']}] {t['state']} try {t['try_number']} on {t['hostname']}" for t in instances
    )
    logs = "\n".join(f"--- {name}\n{cluster.log_tail(name, 25)}" for name in cluster.processes)
    return f"task instances:\n{rows}\n{logs}"


def _warehouse(settings) -> dict:
    con = connect(settings, read_only=True)
    try:
        return {
            "articles": con.execute("select count(*), count(distinct url) from raw.articles").fetchone(),
            "fct_article": con.execute("select count(*), count(distinct article_id) from marts.fct_article").fetchone(),
            "batches": {row[0] for row in con.execute("select batch_id from marts.fct_batch").fetchall()},
        }
    finally:
        con.close()


@pytest.mark.distributed
@pytest.mark.timeout(1800)
def test_the_dag_runs_on_celery_workers_and_fills_the_marts(cluster) -> None:
    state, instances = _run(cluster, FIRST_RUN)
    assert state == "success", _failure_report(cluster, instances)
    done = [t for t in instances if t["state"] == "success"]
    # every task ran on one of the Celery workers, from the executor's default queue
    assert {t["hostname"] for t in done} <= set(WORKERS), _failure_report(cluster, instances)
    assert {t["queue"] for t in done} == {"default"}
    # the heavy stages fanned out over the batch's parts, one mapped task instance per part
    for stage in ("fetch", "clean", "nlp"):
        assert sorted(t["map_index"] for t in done if t["task_id"] == stage) == [0, 1, 2], stage
    used = {t["hostname"] for t in done}
    print(f"tasks per worker: { {w: sum(t['hostname'] == w for t in done) for w in used} }")

    warehouse = _warehouse(cluster.settings)
    assert warehouse["fct_article"] == (9, 9)
    assert warehouse["articles"] == (9, 9)
    assert warehouse["batches"] == {"wirehouse_news_20250601T000000"}


@pytest.mark.distributed
@pytest.mark.timeout(1800)
def test_a_killed_worker_costs_a_retry_not_the_run(cluster) -> None:
    run_id, logical_date = KILLED_RUN
    cluster.trigger(DAG_ID, logical_date, run_id)
    victim = None
    deadline = time.monotonic() + 600
    while victim is None and time.monotonic() < deadline:
        assert cluster.run_state(DAG_ID, run_id) not in ("success", "failed"), "the run ended before a part ran"
        running = [
            t
            for t in cluster.task_instances(DAG_ID, run_id)
            if t["task_id"] in ("fetch", "clean") and t["state"] == "running" and t["hostname"] in cluster.processes
        ]
        victim = running[0] if running else None
        time.sleep(0.3)
    assert victim, "no fetch or clean part was seen running"
    cluster.kill(victim["hostname"])  # SIGKILL: the worker and its task processes, mid-part
    cluster.start_worker("worker-3")

    state = cluster.wait_for_run(DAG_ID, run_id, timeout=1200)
    instances = cluster.task_instances(DAG_ID, run_id)
    assert state == "success", _failure_report(cluster, instances)
    retried = next(t for t in instances if (t["task_id"], t["map_index"]) == (victim["task_id"], victim["map_index"]))
    assert retried["state"] == "success" and retried["try_number"] >= 2, retried
    assert retried["hostname"] != victim["hostname"], "the retry ran on a worker still alive"

    # the rerun part rewrote only its own files, and each article is in the warehouse once
    folder = cluster.settings.staging_path / "wirehouse_news_20250601T010000"
    assert sorted(p.name for p in folder.glob("pages*.jsonl")) == [f"pages-{k:04d}.jsonl" for k in range(3)]
    warehouse = _warehouse(cluster.settings)
    assert warehouse["articles"] == (9, 9)
    assert warehouse["fct_article"] == (9, 9)


# -- the parts themselves, without a cluster ------------------------------------------------------


def _staged(settings, batch_id: str, stem: str) -> list[dict]:
    from extract.partition import input_files
    from extract.staging import batch_dir, read_jsonl

    rows = [row for path in input_files(batch_dir(settings, batch_id), stem, None) for row in read_jsonl(path)]
    return sorted(json.dumps({k: v for k, v in row.items() if k != "fetched_at"}, sort_keys=True) for row in rows)


def test_parts_stage_the_same_rows_as_the_whole_batch(settings, demo_site, tmp_path) -> None:
    from extract import pipeline
    from extract.nlp import NLP_TABLES
    from extract.partition import plan_parts
    from extract.sources import Source

    sources = [Source("feed", f"{demo_site.base_url}/feed.xml"), Source("sitemap", f"{demo_site.base_url}/sitemap.xml")]
    whole = settings.replace(home=tmp_path / "whole")
    parted = settings.replace(home=tmp_path / "parted", part_size=4)
    for run in (whole, parted):
        pipeline.run_discover(run, "b", sources)
    parts = [p["part"] for p in plan_parts(parted, "b")]
    assert parts == [0, 1, 2]  # 12 URLs in parts of 4
    pipeline.run_fetch(whole, "b"), pipeline.run_clean(whole, "b"), pipeline.run_nlp(whole, "b")
    for stage in (pipeline.run_fetch, pipeline.run_clean, pipeline.run_nlp):
        for part in reversed(parts):  # any order, and a part run twice changes nothing
            stage(parted, "b", part)
        stage(parted, "b", 1)
    for stem in ("pages", "rejections-fetch", "articles", "rejections-clean", *NLP_TABLES):
        assert _staged(parted, "b", stem) == _staged(whole, "b", stem), stem
    assert pipeline.run_load(parted, "b") == pipeline.run_load(whole, "b")
    counts = json.loads((parted.staging_path / "b" / "counts-fetch.json").read_text())
    assert (counts["n_in"], counts["n_out"], counts["n_rejected"]) == (12, 11, 1)


def test_a_new_discovery_or_a_whole_run_clears_stale_part_files(settings, demo_site) -> None:
    from extract import pipeline
    from extract.sources import Source

    sources = [Source("feed", f"{demo_site.base_url}/feed.xml")]
    parted = settings.replace(part_size=2)
    pipeline.run_discover(parted, "b", sources)
    pipeline.run_fetch(parted, "b", 0)
    pipeline.run_clean(parted, "b", 0)
    folder = parted.staging_path / "b"
    assert (folder / "pages-0000.jsonl").exists() and (folder / "articles-0000.jsonl").exists()

    pipeline.run_fetch(parted, "b")  # the whole batch replaces the parts' pages
    assert [p.name for p in folder.glob("pages*.jsonl")] == ["pages.jsonl"]
    assert not list(folder.glob("counts-fetch-*.json"))

    pipeline.run_discover(parted, "b", sources)  # a new discovery: every later stage starts over
    left = {p.name for p in folder.iterdir()}
    assert not {n for n in left if n.startswith(("pages", "articles", "rejections-fetch", "rejections-clean"))}
    assert {"discovered.jsonl", "parts.json", "rejections-discover.jsonl", "sources.jsonl"} <= left
