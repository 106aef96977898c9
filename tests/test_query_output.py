"""``wirehouse query`` output: a table fitted to the terminal, CSV, JSON, and a word when rows were cut.

One warehouse is built per module by a real ``wirehouse run`` over the demo site; every test
then runs ``wirehouse query`` as a person would, in its own process, and compares what it
printed with what DuckDB reads from the same file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from datetime import date
from fcntl import ioctl
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
EVENTS = "select event_id, event_type, event_date, intensity from marts.fct_event order by event_id"
PER_ARTICLE = (
    "select article_id, list(event_type order by event_id) as types, sum(intensity)::decimal(9, 2) as total,"
    " min(event_date) as first_day from marts.fct_event group by article_id order by article_id"
)


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIREHOUSE_") and key != "COLUMNS"}
    env.update(PYTHONPATH=str(ROOT), WIREHOUSE_HOME=str(home), WIREHOUSE_ALLOW_PRIVATE="1", WIREHOUSE_HOST_DELAY="0")
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from extract.demo_site import serve

    home = tmp_path_factory.mktemp("query-output")
    with serve() as site:
        run = subprocess.run(
            [sys.executable, "-m", "extract.cli", "run", "--feed", site.url("/feed.xml")],
            env=_env(home),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert run.returncode == 0, run.stderr[-3000:]
    return home


def _query(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract.cli", "query", *args],
        env=_env(home, **env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _read(home: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(home / "wirehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_cut_table_says_how_many_rows_there_are(home: Path) -> None:
    (total,) = _read(home, f"select count(*) from ({EVENTS})")[0]
    assert total > 5
    done = _query(home, EVENTS, "--limit", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"showing 5 of {total} rows (use --limit N, 0 for every row)")
    assert done.stderr == ""
    whole = _query(home, EVENTS, "--limit", str(total))
    assert "showing" not in whole.stdout  # nothing cut, nothing said
    assert f"{total} rows" in whole.stdout


def test_the_table_fits_the_width_it_is_given(home: Path) -> None:
    """DuckDB's renderer draws 80 columns at the least: narrower terminals get 80."""
    narrow = _query(home, PER_ARTICLE, COLUMNS="80")
    wide = _query(home, PER_ARTICLE, COLUMNS="180")
    assert narrow.returncode == wide.returncode == 0, narrow.stderr + wide.stderr
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert max(len(line) for line in wide.stdout.splitlines()) > 80


def test_the_table_fits_a_real_terminal(home: Path) -> None:
    """stdout a pseudo-terminal 96 columns wide, COLUMNS unset: the terminal's own width."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 96, 0, 0))
    received: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "extract.cli", "query", PER_ARTICLE],
            env=_env(home),
            cwd=ROOT,
            stdout=slave,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    screen = b"".join(received).decode()
    assert done.returncode == 0, done.stderr
    lines = [line for line in screen.splitlines() if line.strip()]
    assert "article_id" in screen and lines
    assert 80 < max(len(line) for line in lines) <= 96, screen


def test_csv_has_a_header_and_the_warehouse_rows(home: Path) -> None:
    expected = _read(home, PER_ARTICLE)
    done = _query(home, PER_ARTICLE, "--format", "csv", "--limit", "0")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["article_id", "types", "total", "first_day"]
    assert len(rows) == len(expected) + 1
    for got, (article_id, types, total, first_day) in zip(rows[1:], expected, strict=True):
        assert got[0] == article_id
        assert json.loads(got[1]) == types  # a list as its JSON text
        assert float(got[2]) == pytest.approx(float(total))
        assert got[3] == ("" if first_day is None else first_day.isoformat())


def test_json_is_a_list_of_objects_with_plain_values(home: Path) -> None:
    expected = _read(home, PER_ARTICLE)
    done = _query(home, PER_ARTICLE, "--format", "json", "--limit", "2")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert len(records) == 2 and len(expected) > 2
    for record, (article_id, types, total, first_day) in zip(records, expected, strict=False):
        assert record["article_id"] == article_id
        assert record["types"] == types
        assert isinstance(record["total"], (int, float)) and record["total"] == pytest.approx(float(total))
        assert record["first_day"] is None or date.fromisoformat(record["first_day"]) == first_day
    # the note is on stderr, so the file written from stdout holds only the data
    assert done.stderr.strip() == f"showing 2 of {len(expected)} rows (use --limit N, 0 for every row)"
    assert len(done.stdout.splitlines()) == 2 + 2  # '[', a row a line, ']'


def test_json_of_nothing_is_an_empty_list(home: Path) -> None:
    done = _query(home, "select * from marts.fct_event where false", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [] and done.stderr == ""


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_sandbox_still_refuses_whatever_the_format(home: Path, fmt: str) -> None:
    target = home / "out.csv"
    done = _query(home, f"copy (select 1) to '{target}'", "--format", fmt)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert re.match(r"wirehouse query: refused", done.stderr) and len(done.stderr.strip().splitlines()) == 1
    assert not target.exists() and done.stdout == ""
