"""
### wirehouse_news

Every hour: find new articles in the configured sources (``WIREHOUSE_SOURCES``, a sources.yml
of feeds, sitemaps and URL lists), fetch them politely, clean them with trafilatura, parse them
with spaCy (actors), load them into the DuckDB warehouse, build the dbt models and validate the
marts with Great Expectations.

Each run is one batch named after its logical date: rerunning a run replaces its batch.
Known URLs are skipped unless a revisit is due (``extract.frontier``, ``WIREHOUSE_REVISIT_AFTER``);
the ``refetch`` param (Trigger DAG w/ config) fetches and reprocesses every URL of the run instead.
fetch, clean and nlp are mapped over the batch's parts (``WIREHOUSE_PART_SIZE`` URLs each), so
with several workers (CeleryExecutor) they run side by side; each part writes only its own files.
Writers of the warehouse (load, dbt, checks) share the one-slot pool ``wirehouse_warehouse``,
which serialises them within Airflow.  load and checks also take the warehouse's file lock
(``extract.runlock``, waiting up to ``WIREHOUSE_LOCK_TIMEOUT`` seconds), the one ``wirehouse
run`` holds from its load to its summary, so a run by hand and the DAG never interleave those
writes.  The Cosmos dbt tasks are serialised by the pool only: a ``wirehouse run`` that writes
while they build makes them fail on DuckDB's own lock and retry, it cannot mix their writes.
The stages are the functions of ``extract.pipeline``; ``wirehouse run`` does the same by hand.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Asset, Param, dag, task
from cosmos import DbtTaskGroup, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import LoadMode, TestBehavior

from extract.task_heap import freeze_heap, thaw_heap

DAG_ID = "wirehouse_news"
POOL = "wirehouse_warehouse"
DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
RAW_TABLES = Asset("wirehouse://warehouse/raw")
MARTS = Asset("wirehouse://warehouse/marts")
PART_LABEL = "part {{ task.op_kwargs['part']['part'] + 1 }} of {{ task.op_kwargs['part']['n_parts'] }}"


def _settings():
    from extract.settings import load_settings

    return load_settings()


def _batch_id(context) -> str:
    from extract.pipeline import batch_id_for_interval

    when = context.get("logical_date") or context["dag_run"].run_after
    return batch_id_for_interval(when, prefix=DAG_ID)


@dag(
    dag_id=DAG_ID,
    schedule="@hourly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True},
    params={
        "refetch": Param(
            False,
            type="boolean",
            description="Fetch and reprocess every discovered URL, known or not (after a new model or lexicon).",
        )
    },
    tags=["wirehouse"],
)
def wirehouse_news():
    @task
    def discover(**context) -> list[dict]:
        from extract.partition import plan_parts
        from extract.pipeline import run_discover
        from extract.sources import load_sources

        settings = _settings()
        batch_id = _batch_id(context)
        as_of = context.get("data_interval_end") or context.get("logical_date") or context["dag_run"].run_after
        run_discover(settings, batch_id, load_sources(settings.path("sources")), as_of=as_of)
        return plan_parts(settings, batch_id)  # [{"batch_id", "part", "n_parts"}, ...]

    @task(map_index_template=PART_LABEL)
    def fetch(part: dict, **context) -> dict:
        from extract.pipeline import run_fetch

        settings = _settings()
        if context["params"].get("refetch"):
            settings = settings.replace(refetch=True)
        run_fetch(settings, part["batch_id"], part["part"])
        return part

    @task(map_index_template=PART_LABEL)
    def clean(part: dict) -> dict:
        from extract.pipeline import run_clean

        run_clean(_settings(), part["batch_id"], part["part"])
        return part

    @task(map_index_template=PART_LABEL)
    def nlp(part: dict) -> dict:
        from extract.pipeline import run_nlp

        run_nlp(_settings(), part["batch_id"], part["part"])
        return part

    @task(pool=POOL, outlets=[RAW_TABLES])
    def load(parts: list[dict], **context) -> str:
        from extract.partition import batch_of
        from extract.pipeline import run_load
        from extract.runlock import warehouse_lock
        from extract.snapshot import mark_building

        settings = _settings()
        batch_id = batch_of(parts)
        interval = (context.get("data_interval_start"), context.get("data_interval_end"))
        with warehouse_lock(settings, batch_id):
            run_load(settings, batch_id, tuple(t and t.replace(tzinfo=None) for t in interval))
            mark_building(settings)  # dbt (Cosmos) rebuilds the marts next; readers take the snapshot
        return batch_id

    @task(pool=POOL, outlets=[MARTS])
    def checks(batch_id: str) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        from extract.checks import ChecksFailed
        from extract.pipeline import run_checks_stage
        from extract.runlock import warehouse_lock
        from extract.summary import collect_summary, format_summary

        settings = _settings()
        with warehouse_lock(settings, batch_id):
            try:
                run_checks_stage(settings)  # Cosmos rebuilt every mart: every suite runs
            except ChecksFailed as error:  # bad data does not get better on retry
                raise AirflowFailException(str(error)) from error
            finally:
                try:  # the summary must never replace the checks' own error
                    logging.getLogger(__name__).info(
                        "\n%s", format_summary(collect_summary(settings, batch_id, live=True))
                    )
                except Exception as error:
                    logging.getLogger(__name__).warning("no summary of %s: %s", batch_id, error)
                try:  # nor the report (extract/report), written whether the checks passed or not
                    from extract.report import write_report

                    logging.getLogger(__name__).info("report: %s", write_report(settings, batch_id, live=True))
                except Exception as error:
                    logging.getLogger(__name__).warning("no report of %s: %s", batch_id, error)

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=ProjectConfig(DBT_DIR, manifest_path=DBT_DIR / "target" / "manifest.json"),
        profile_config=ProfileConfig(
            profile_name="wirehouse", target_name="dev", profiles_yml_filepath=DBT_DIR / "profiles.yml"
        ),
        # one `dbt build` task per model (the model, then its tests): half the tasks of a run task
        # and a test task each; a test that reads two models (relationships) runs once both are built
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.BUILD,
            should_detach_multiple_parents_tests=True,
            emit_datasets=False,
        ),
        # freeze the task's starting heap so that Cosmos's gc.collect() after each dbt command
        # walks only what the command made (extract/task_heap.py)
        operator_args={
            "pool": POOL,
            "install_deps": False,
            "retries": 1,
            "dbt_cmd_flags": ["--no-write-json"],  # nothing reads a task's manifest.json
            "pre_execute": freeze_heap,
            "post_execute": thaw_heap,
        },
    )

    parts = discover()
    batch = load(nlp.expand(part=clean.expand(part=fetch.expand(part=parts))))
    batch >> dbt >> checks(batch)


wirehouse_news()
