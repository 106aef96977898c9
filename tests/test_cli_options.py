"""The global options (--settings, --warehouse, -v) work before the command and after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extract.cli import _parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--warehouse", "news.duckdb", "run", "--feed", "https://example.org/rss.xml"],
        ["run", "--feed", "https://example.org/rss.xml", "--warehouse", "news.duckdb"],
    ],
)
def test_warehouse_is_accepted_on_either_side_of_the_command(argv: list[str]) -> None:
    args = _parser().parse_args(argv)
    assert args.warehouse == "news.duckdb"
    assert args.feed == ["https://example.org/rss.xml"]


def test_an_option_after_the_command_does_not_reset_one_before_it() -> None:
    args = _parser().parse_args(["--warehouse", "a.duckdb", "-v", "summary", "b"])
    assert (args.warehouse, args.verbose, args.batch_id) == ("a.duckdb", True, "b")


def test_query_reads_the_warehouse_named_after_the_command(tmp_path: Path) -> None:
    warehouse = tmp_path / "other.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts; create table marts.answer as select 42 as value")
    con.close()
    done = subprocess.run(
        [sys.executable, "-m", "extract.cli", "query", "select value from marts.answer", "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "WIREHOUSE_HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert "42" in done.stdout
