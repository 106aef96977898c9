"""The real DAG under ``airflow dags test``: SQLite metadata in a temporary AIRFLOW_HOME, the demo
site on 127.0.0.1, every task (dbt models included) run by Airflow."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from extract.airflow_env import airflow, airflow_env, prepare_airflow
from extract.demo import DAG_ID, write_demo_sources
from extract.load import connect

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def run_dag(tmp_path_factory):
    """A function running the DAG once for a logical date; returns (exit code, output)."""
    from extract.demo_site import serve
    from extract.settings import load_settings

    home = tmp_path_factory.mktemp("wirehouse")
    settings = load_settings(environ={}, home=home, airflow_home=home / "airflow")
    env = airflow_env(settings, {"WIREHOUSE_ALLOW_PRIVATE": "1", "WIREHOUSE_HOST_DELAY": "0", "WIREHOUSE_RETRIES": "0"})
    prepare_airflow(env)
    with serve() as site:
        write_demo_sources(settings, site.base_url)

        def run(logical_date: str) -> tuple[int, str]:
            done = airflow(["dags", "test", DAG_ID, logical_date], env, check=False, capture=True)
            return done.returncode, done.stdout + done.stderr

        run.settings = settings
        yield run


def _marts(settings) -> dict[str, list]:
    con = connect(settings, read_only=True)
    try:
        return {
            t: con.execute(f"select * from marts.{t} order by all").fetchall()
            for t in ("fct_article", "dim_source", "fct_rejection", "fct_batch")
        }
    finally:
        con.close()


def test_dag_run_fills_the_marts_and_a_rerun_changes_nothing(run_dag) -> None:
    settings = run_dag.settings
    code, output = run_dag("2025-06-01T00:00:00+00:00")
    assert code == 0, output[-3000:]
    first = _marts(settings)
    assert len(first["fct_article"]) == 9
    assert {row[0] for row in first["fct_batch"]} == {"wirehouse_news_20250601T000000"}
    checks = json.loads((settings.report_path / "checks.json").read_text())
    assert checks["failed"] == 0 and checks["passed"] > 0
    assert Path(checks["report_index"]).exists()

    code, output = run_dag("2025-06-01T00:00:00+00:00")
    assert code == 0, output[-3000:]
    assert _marts(settings) == first


def test_a_failing_expectation_fails_the_dag_run(run_dag) -> None:
    settings = run_dag.settings
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("update raw.articles set language = 'english' where url like '%eu-agrees%'")
    con.close()
    settings.path("sources").write_text("sources: []\n")  # a quiet hour: nothing new
    code, output = run_dag("2025-06-01T01:00:00+00:00")
    assert code != 0
    checks = json.loads((settings.report_path / "checks.json").read_text())
    assert checks["failed"] >= 1
    assert any("language" in failure for failure in checks["failures"]), checks
