"""``make bench-workers``: the same batch on one Celery worker, then on two, and the speed-up.

    python -m extract.bench_workers [--pages N] [--part-size N] [--workers 1 2] [--out FILE]

Serves N distinct news pages on 127.0.0.1 (the Scrapinghub corpus pages of ``../shared/corpus``,
each copy rewritten so deduplication keeps it, as ``make bench`` builds them), and for each
worker count starts a fresh ``CeleryCluster`` (PostgreSQL metadata, Redis broker, workers of one
task slot each), runs the DAG once over the pages and times it.  It reports the whole run and the
fanned-out stages (first fetch part started to last NLP part finished), whose speed-up is what
the workers buy; load, dbt and checks write DuckDB one at a time and do not speed up.
A benchmark, not a test: it asserts nothing.  Needs PostgreSQL and Redis on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from extract.airflow_env import CeleryCluster
from extract.bench import PageSite
from extract.settings import load_settings

__all__ = ["main", "run_once"]

DAG_ID = "wirehouse_news"
FANNED_OUT = ("fetch", "clean", "nlp")


def run_once(work: Path, url_file: Path, n_workers: int, part_size: int) -> dict[str, Any]:
    """One DAG run over ``url_file`` on ``n_workers`` fresh Celery workers; its timings."""
    home = work / f"workers-{n_workers}"
    settings = load_settings(environ={}, home=home, airflow_home=home / "airflow")
    home.mkdir(parents=True, exist_ok=True)
    settings.path("sources").write_text(yaml.safe_dump({"sources": [{"kind": "urls", "location": str(url_file)}]}))
    extra = {
        "WIREHOUSE_ALLOW_PRIVATE": "1",
        "WIREHOUSE_HOST_DELAY": "0",
        "WIREHOUSE_HOST_CONCURRENCY": "8",
        "WIREHOUSE_PART_SIZE": str(part_size),
        "WIREHOUSE_FAIL_ON_CHECKS": "0",  # timing, not judging the corpus pages
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    }
    cluster = CeleryCluster(settings, f"wirehouse_bench_{os.getpid()}_{n_workers}", redis_db=14, extra_env=extra)
    reason = cluster.unavailable()
    if reason:
        raise SystemExit(f"bench-workers needs PostgreSQL and Redis on 127.0.0.1: {reason}")
    with cluster:
        for k in range(n_workers):
            cluster.start_worker(f"worker-{k + 1}", concurrency=1)
        cluster.wait_until_ready(DAG_ID)
        run_id = f"bench_{n_workers}_workers"
        start = time.monotonic()
        cluster.trigger(DAG_ID, "2025-06-01T00:00:00+00:00", run_id)
        state = cluster.wait_for_run(DAG_ID, run_id, timeout=3600)
        seconds = time.monotonic() - start
        instances = cluster.task_instances(DAG_ID, run_id)
    if state != "success":
        failed = sorted({t["task_id"] for t in instances if t["state"] in ("failed", "upstream_failed")})
        raise SystemExit(f"the run on {n_workers} worker(s) ended {state} (failed: {failed}); logs in {home}")
    ran = [t for t in instances if t["hostname"]]  # not the tasks that had nothing to do
    fanned = [t for t in ran if t["task_id"] in FANNED_OUT]
    span = (max(t["end_date"] for t in fanned) - min(t["start_date"] for t in fanned)).total_seconds()
    busy = sum((t["end_date"] - t["start_date"]).total_seconds() for t in fanned)
    return {
        "workers": n_workers,
        "run_seconds": seconds,
        "fanned_out_seconds": span,
        "fanned_out_task_seconds": busy,
        "parts": sum(1 for t in fanned if t["task_id"] == "fetch"),
        "tasks_per_worker": {h: sum(t["hostname"] == h for t in instances) for h in {t["hostname"] for t in ran}},
    }


def _pages(n: int) -> list[bytes]:
    from extract.bench import CORPUS, make_pages

    if not (CORPUS / "ground-truth.json").exists():
        raise SystemExit(f"bench-workers builds its pages from {CORPUS} (present in development and CI)")
    return make_pages(n)


def format_report(rows: list[dict[str, Any]]) -> str:
    base = rows[0]
    lines = [
        f"{'workers':>7} {'whole run':>10} {'speed-up':>9} {'fetch+clean+nlp':>16} {'speed-up':>9}  tasks per worker",
    ]
    for row in rows:
        whole = base["run_seconds"] / row["run_seconds"]
        fanned = base["fanned_out_seconds"] / row["fanned_out_seconds"]
        per_worker = ", ".join(f"{h} {n}" for h, n in sorted(row["tasks_per_worker"].items()))
        lines.append(
            f"{row['workers']:>7} {row['run_seconds']:>9.1f}s {whole:>8.2f}x "
            f"{row['fanned_out_seconds']:>15.1f}s {fanned:>8.2f}x  {per_worker}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.bench_workers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=160, help="distinct pages in the batch (default 160)")
    parser.add_argument("--part-size", type=int, default=20, help="URLs per part (default 20)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    site = PageSite(_pages(args.pages))
    work = Path(tempfile.mkdtemp(prefix="wirehouse-bench-workers-"))  # kept when a run fails
    rows = []
    try:
        url_file = work / "urls.txt"
        url_file.write_text("\n".join(site.urls) + "\n", encoding="utf-8")
        for n_workers in args.workers:
            print(f"{args.pages} pages in parts of {args.part_size} on {n_workers} worker(s) ...", flush=True)
            rows.append(run_once(work, url_file, n_workers, args.part_size))
    finally:
        site.close()
    shutil.rmtree(work, ignore_errors=True)
    print(format_report(rows))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
