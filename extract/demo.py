"""``wirehouse demo``: the bundled news site, served on 127.0.0.1, run through the real DAG once.

The demo always runs the same data interval on the same port (``WIREHOUSE_DEMO_PORT``, 8765),
so its URLs and batch are the same each time: running it again replaces its own batch and
leaves the same rows, idempotence you can watch.
"""

from __future__ import annotations

from datetime import UTC, datetime

import yaml

from extract.settings import Settings

__all__ = ["DEMO_INTERVAL_START", "DAG_ID", "run_demo", "write_demo_sources"]

DAG_ID = "wirehouse_news"
DEMO_INTERVAL_START = datetime(2025, 6, 1, tzinfo=UTC)


def write_demo_sources(settings: Settings, base_url: str) -> None:
    """A sources.yml pointing at the demo site's feed and sitemap."""
    path = settings.path("sources")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"kind": "feed", "location": f"{base_url}/feed.xml", "name": "demo feed"},
                    {"kind": "sitemap", "location": f"{base_url}/sitemap.xml", "name": "demo sitemap"},
                ]
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )


def run_demo(settings: Settings, use_airflow: bool = True) -> int:
    """Serve the demo site, run one batch over it and print the summary; 0 when all passed."""
    from extract.demo_site import serve
    from extract.pipeline import batch_id_for_interval
    from extract.summary import collect_summary, format_summary

    settings = settings.replace(allow_private=True, host_delay=0)
    batch_id = batch_id_for_interval(DEMO_INTERVAL_START, prefix=DAG_ID)
    with serve(port=settings.demo_port) as site:
        write_demo_sources(settings, site.base_url)
        print(f"demo site on {site.base_url} (feed {site.base_url}/feed.xml)")
        if use_airflow:
            code = _run_airflow(settings)
        else:
            code = _run_cli(settings, batch_id)
    print(format_summary(collect_summary(settings, batch_id)))
    _write_report(settings, batch_id)
    return code


def _write_report(settings: Settings, batch_id: str) -> None:
    """The offline report of the demo's batch (the DAG writes one too; the CLI path does not)."""
    from extract.report import write_report

    try:
        print(f"  report: {write_report(settings, batch_id)}")
    except Exception as error:  # the demo's data is in the warehouse whatever the report does
        print(f"  no report: {type(error).__name__}: {error}")


def _run_cli(settings: Settings, batch_id: str) -> int:
    from extract.cli import run_batch
    from extract.sources import load_sources

    try:
        run_batch(settings, load_sources(settings.path("sources")), batch_id)
    except Exception as error:
        print(f"run failed: {error}")
        return 1
    return 0


def _run_airflow(settings: Settings) -> int:
    from extract.airflow_env import airflow, airflow_env, prepare_airflow

    env = airflow_env(settings, {"WIREHOUSE_ALLOW_PRIVATE": "1", "WIREHOUSE_HOST_DELAY": "0"})
    prepare_airflow(env)
    log_path = settings.home / "logs" / "demo-airflow.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(
        f"airflow dags test {DAG_ID} {DEMO_INTERVAL_START.isoformat()} "
        f"(AIRFLOW_HOME={env['AIRFLOW_HOME']}; its output goes to {log_path})",
        flush=True,
    )
    done = airflow(["dags", "test", DAG_ID, DEMO_INTERVAL_START.isoformat()], env, check=False, capture=True)
    log_path.write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode:
        print("the DAG run failed; the end of its output:")
        print("\n".join((done.stdout + done.stderr).splitlines()[-40:]))
    else:
        print("the DAG run succeeded")
    return done.returncode
