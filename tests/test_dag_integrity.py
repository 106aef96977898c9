"""Every DAG in dags/ imports cleanly, quickly, and is shaped as the README says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parent.parent / "dags"


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory, monkeypatch_module):
    from airflow.dag_processing.dagbag import DagBag

    start = time.perf_counter()
    bag = DagBag(dag_folder=str(DAGS))
    bag.parse_seconds = time.perf_counter() - start
    return bag


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        home = tmp_path_factory.mktemp("airflow")
        patch.setenv("AIRFLOW_HOME", str(home))
        patch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
        yield patch


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert "wirehouse_news" in dagbag.dag_ids
    print(f"dags/ parsed in {dagbag.parse_seconds:.2f} s")


def test_pipeline_shape(dagbag) -> None:
    dag = dagbag.dags["wirehouse_news"]
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    ids = set(dag.task_ids)
    assert {"discover", "fetch", "clean", "load", "checks"} <= ids
    dbt_tasks = {t for t in ids if t.startswith("dbt.")}
    assert any("fct_article" in t for t in dbt_tasks), dbt_tasks  # one task per dbt model
    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
    writers = [dag.get_task("load")] + [dag.get_task(t) for t in dbt_tasks]
    assert {t.pool for t in writers} == {"wirehouse_warehouse"}
    assert dag.get_task("load").outlets and dag.get_task("checks").outlets
    # data flows one way: discover -> fetch -> clean -> load -> dbt -> checks
    assert dag.get_task("fetch").upstream_task_ids == {"discover"}
    assert "load" in dag.get_task("checks").upstream_task_ids | {
        u for t in dbt_tasks for u in dag.get_task(t).upstream_task_ids
    }


def test_parsing_imports_no_heavy_libraries() -> None:
    """DAG parsing must not import the stages' heavy libraries (trafilatura, spaCy, duckdb)."""
    import subprocess
    import sys

    code = (
        "import sys, runpy; runpy.run_path(sys.argv[1]); "
        "heavy = [m for m in ('trafilatura', 'spacy', 'great_expectations', 'extract.clean') if m in sys.modules]; "
        "print('HEAVY=' + ','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(DAGS / "wirehouse_news.py")], capture_output=True, text=True, check=True
    )
    verdict = [line for line in done.stdout.splitlines() if line.startswith("HEAVY=")]
    assert verdict == ["HEAVY="], done.stdout
