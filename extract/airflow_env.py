"""The environment of the embedded Airflow: SQLite metadata under a project-local AIRFLOW_HOME.

Used by ``wirehouse demo``, ``make airflow`` and the tests to run the real DAGs in ``dags/``
without touching a user's own Airflow installation.  Nothing here imports Airflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping, Sequence

from extract.settings import PROJECT_ROOT, Settings

__all__ = ["POOL", "airflow", "airflow_env", "prepare_airflow"]

POOL = "wirehouse_warehouse"  # one slot: DuckDB takes one writer at a time


def airflow_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``os.environ`` plus what points Airflow at this project and the settings at this run."""
    home = Path(settings.airflow_home)
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
            "AIRFLOW__COSMOS__CACHE_DIR": str(home / "cosmos"),
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",  # no network beyond the sources
            "DO_NOT_TRACK": "1",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "WIREHOUSE_HOME": str(settings.home),
            "WIREHOUSE_WAREHOUSE": str(settings.warehouse_path),
            "WIREHOUSE_SOURCES": str(settings.path("sources")),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
    )
    env.update(extra or {})
    return env


def _airflow_bin() -> str:
    beside = Path(sys.executable).with_name("airflow")
    return str(beside) if beside.exists() else (shutil.which("airflow") or "airflow")


def airflow(
    args: Sequence[str], env: Mapping[str, str], check: bool = True, capture: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the ``airflow`` command of this interpreter's environment."""
    return subprocess.run(
        [_airflow_bin(), *args],
        env=dict(env),
        check=check,
        text=True,
        capture_output=capture,
        cwd=PROJECT_ROOT,
    )


def prepare_airflow(env: Mapping[str, str]) -> None:
    """Create or migrate the metadata database and the warehouse pool (both idempotent)."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    airflow(["db", "migrate"], env, capture=True)
    airflow(["pools", "set", POOL, "1", "DuckDB takes one writer at a time"], env, capture=True)


def main() -> int:
    """``python -m extract.airflow_env standalone``: the Airflow UI with this project's DAGs."""
    import argparse

    from extract.settings import load_settings

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("command", choices=["standalone"])
    parser.parse_args()
    env = airflow_env(load_settings())
    prepare_airflow(env)
    print(
        f"Airflow UI on http://localhost:8080 (AIRFLOW_HOME={env['AIRFLOW_HOME']}); "
        f"the admin password is in {env['AIRFLOW_HOME']}/simple_auth_manager_passwords.json.generated"
    )
    os.execve(_airflow_bin(), [_airflow_bin(), "standalone"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
