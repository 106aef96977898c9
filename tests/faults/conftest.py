"""Fixtures for the fault suite: the real ``wirehouse`` CLI in a subprocess, and warehouse contents.

Each run gets its own home (``WIREHOUSE_HOME``) and a private copy of the dbt project, so a run
killed in the middle of dbt cannot leave a half-written ``target/`` behind for anyone else, and
runs of other test files cannot race on it.  The subprocess imports ``extract`` from the same
tree these tests come from (``PYTHONPATH``), so a pristine checkout tests its own code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

import extract

__all__ = ["STAMPS", "Cli", "make_cli", "read_warehouse", "warehouse_rows"]

ROOT = Path(extract.__file__).resolve().parent.parent
# columns that say when a row was fetched, loaded or built, not what it holds: a rerun's own (a
# hand-made run's batch time is when it starts, so the frontier's times are a rerun's own too)
STAMPS = frozenset(
    {
        "built_at",
        "load_seq",
        "fetched_at",
        "last_fetched_at",
        "visited_at",
        "first_seen_at",
        "last_fetch_at",
        "last_seen_at",
    }
)


@dataclass(frozen=True)
class Cli:
    """How to start ``python -m extract.cli`` for a home; ``settings`` are extra WIREHOUSE_* values."""

    dbt_project: Path
    settings: dict[str, str]

    def env(self, home: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
        env.update(
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            WIREHOUSE_HOME=str(home),
            WIREHOUSE_DBT_PROJECT_DIR=str(self.dbt_project),
            WIREHOUSE_ALLOW_PRIVATE="1",
            WIREHOUSE_HOST_DELAY="0",
            **self.settings,
        )
        return env

    def command(self, *args: str, launcher: Path | None = None) -> list[str]:
        """The CLI by its module, or by a test ``launcher`` script that wraps it."""
        if launcher is not None:
            return [sys.executable, str(launcher), *args]
        return [sys.executable, "-m", "extract.cli", *args]

    def run(self, home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """One whole run to its end; stdout and stderr captured as text."""
        return subprocess.run(
            self.command(*args), env=self.env(home), cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )

    def start(self, home: Path, *args: str, launcher: Path | None = None) -> subprocess.Popen[str]:
        """A run in its own process group (so a kill reaches every child), stderr piped."""
        return subprocess.Popen(
            self.command(*args, launcher=launcher),
            env=self.env(home),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


@pytest.fixture(scope="session")
def dbt_project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's dbt project without its generated target/ and logs/."""
    copy = tmp_path_factory.mktemp("faults-dbt") / "dbt_project"
    shutil.copytree(ROOT / "dbt_project", copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return copy


def warehouse_rows(path: Path, schemas: tuple[str, ...] = ("raw", "marts")) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of ``schemas`` as sorted rows without the STAMPS columns; {} if there is no file."""
    if not path.exists():
        return {}
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in (select unnest($s)) and table_type = 'BASE TABLE' order by all",
            {"s": list(schemas)},
        ).fetchall()
        rows = {}
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                    " order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in STAMPS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows[f"{schema}.{table}"] = con.execute(
                f'select {select} from "{schema}"."{table}" order by all'
            ).fetchall()
        return rows
    finally:
        con.close()


@pytest.fixture(scope="session")
def make_cli(dbt_project_copy: Path):  # type: ignore[no-untyped-def]
    """``make_cli(WIREHOUSE_RETRIES="1", ...)``: a :class:`Cli` with those settings."""
    return lambda **settings: Cli(dbt_project_copy, dict(settings))


@pytest.fixture(scope="session")
def read_warehouse():  # type: ignore[no-untyped-def]
    """:func:`warehouse_rows`, for test modules (which cannot import a conftest by name)."""
    return warehouse_rows
