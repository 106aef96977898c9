"""Readers are never blocked and never see half-built marts (issue #16, defects 2 and 8).

A warehouse is built once per module by a real ``wirehouse run`` over two demo articles, which
publishes its snapshot; each test works on its own copy of that home.  Readers are the real
``wirehouse query`` in a subprocess, while another real process holds the warehouse for
writing, or right after a real ``wirehouse run`` was killed with ``kill -9`` inside dbt.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from processes import drain

from extract.demo_site import serve
from extract.settings import load_settings

pytestmark = pytest.mark.faults

WAREHOUSE = "wirehouse.duckdb"
SNAPSHOT_FILES = ("wirehouse.snapshot.duckdb", "wirehouse.snapshot.json")
BEFORE = [
    "/news/eu-agrees-sanctions-on-shadow-fleet-tankers.html",
    "/news/kenya-police-fire-tear-gas-at-nairobi-protesters.html",
]
NEXT = [
    "/news/armenia-azerbaijan-border-talks-abu-dhabi.html",
    "/news/eritrea-warns-ethiopia-over-red-sea-port-demands.html",
    "/news/philippines-accuses-china-of-water-cannon-attack-near-shoal.html",
    "/news/un-convoy-delivers-food-to-darfur-camp.html",
]
COUNT = "select count(*) as n from marts.fct_article"
ORPHANS = "select count(*) from marts.fct_event where article_id not in (select article_id from marts.fct_article)"
FCT_ARTICLE_BUILT = re.compile(r"OK created sql \w+ model \w+\.fct_article\b")
# a second process that holds the warehouse for writing: it empties one mart, says so, and
# keeps its connection until its stdin closes
WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("delete from marts.fct_article")
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


@dataclass(frozen=True)
class World:
    home: Path  # the built home: warehouse, snapshot, raw store, staging
    next_urls: Path
    cli: Any  # conftest's Cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Iterator[World]:  # type: ignore[no-untyped-def]
    cli = make_cli(WIREHOUSE_RETRIES="0")
    home = tmp_path_factory.mktemp("readers-built")
    with serve() as demo:
        before, next_urls = home / "before.txt", home / "next.txt"
        before.write_text("".join(demo.url(p) + "\n" for p in BEFORE))
        next_urls.write_text("".join(demo.url(p) + "\n" for p in NEXT))
        done = cli.run(home, "run", "--urls", str(before), "--batch-id", "before")
        assert done.returncode == 0, done.stderr
        yield World(home, next_urls, cli)


@pytest.fixture
def home(world: World, tmp_path: Path) -> Path:
    """This test's own copy of the built home."""
    copy = tmp_path / "home"
    shutil.copytree(world.home, copy)
    return copy


def _query(world: World, home: Path, sql: str) -> tuple[int, str, list[str]]:
    ran = world.cli.run(home, "--warehouse", str(home / WAREHOUSE), "query", sql, timeout=120)
    return ran.returncode, ran.stdout, ran.stderr.strip().splitlines()


def _number(stdout: str) -> int:
    """The single number a one-cell result printed."""
    found = re.findall(r"│\s+(\d+)\s+│", stdout)
    assert len(found) == 1, stdout
    return int(found[0])


def _hold_for_writing(warehouse: Path) -> subprocess.Popen[str]:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(warehouse)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None and writer.stdout.readline().strip() == "holding"
    return writer


def _release(writer: subprocess.Popen[str]) -> None:
    assert writer.stdin is not None
    writer.stdin.close()
    assert writer.wait(timeout=30) == 0


def test_a_query_while_another_process_writes_reads_the_snapshot(world: World, home: Path) -> None:
    writer = _hold_for_writing(home / WAREHOUSE)
    try:
        status, stdout, stderr = _query(world, home, COUNT)
    finally:
        _release(writer)
    assert status == 0, stderr
    assert _number(stdout) == 2  # the snapshot's figure, not the writer's empty mart
    assert len(stderr) == 1, stderr
    assert re.fullmatch(
        r"warehouse busy \(a run is writing\); reading the snapshot published at \S+ \(\d+ (s|min) ago\), batch before",
        stderr[0],
    ), stderr

    status, stdout, stderr = _query(world, home, COUNT)  # free again: the live warehouse, no note
    assert (status, _number(stdout), stderr) == (0, 0, [])


def test_busy_and_nothing_published_is_one_line_and_status_2(world: World, home: Path) -> None:
    for name in SNAPSHOT_FILES:
        (home / name).unlink(missing_ok=True)  # (none on a checkout without snapshots)
    writer = _hold_for_writing(home / WAREHOUSE)
    try:
        status, stdout, stderr = _query(world, home, COUNT)
    finally:
        _release(writer)
    assert status == 2
    assert stdout == ""
    assert stderr == [
        f"wirehouse query: the warehouse {home / WAREHOUSE} is busy (a run is writing) and no snapshot "
        "has been published yet: query again when the run has finished"
    ]


def test_a_reader_inside_the_writing_process_reads_the_live_warehouse(home: Path) -> None:
    """Cosmos runs dbt in the task's process under ``airflow dags test`` and keeps its connection."""
    from extract.snapshot import open_reader

    settings = load_settings(environ={}, home=home, warehouse=home / WAREHOUSE)
    writer = duckdb.connect(str(home / WAREHOUSE))
    try:
        writer.execute(
            "delete from marts.fct_article where article_id = (select min(article_id) from marts.fct_article)"
        )
        reader = open_reader(settings)
        assert reader.execute(COUNT).fetchone() == (1,)
        reader.close()
    finally:
        writer.close()


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _live(home: Path, sql: str) -> int:
    con = duckdb.connect(str(home / WAREHOUSE), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_after_a_kill_inside_dbt_readers_see_the_last_published_build_until_a_rerun_publishes(
    world: World, home: Path
) -> None:
    # the module fixture's demo site still serves the next batch's pages
    args = ("-v", "--warehouse", str(home / WAREHOUSE), "run", "--urls", str(world.next_urls), "--batch-id", "next")
    run = world.cli.start(home, *args)
    lines: list[str] = []
    readers = [drain(run.stdout, lines), drain(run.stderr, lines)]
    try:
        _wait_for(lambda: any(FCT_ARTICLE_BUILT.search(line) for line in lines), 300, "dbt to rebuild fct_article")
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        for reader in readers:
            reader.join(timeout=10)
    assert run.returncode == -signal.SIGKILL

    # the live file holds a half-finished build: fct_article already has the new batch
    assert _live(home, COUNT) > 2
    status, stdout, stderr = _query(world, home, COUNT)
    assert (status, _number(stdout)) == (0, 2), stderr
    assert len(stderr) == 1 and "reading the snapshot published at" in stderr[0], stderr
    assert "batch before" in stderr[0]
    status, stdout, _ = _query(world, home, ORPHANS)
    assert (status, _number(stdout)) == (0, 0)

    rerun = world.cli.run(home, *args[1:])
    assert rerun.returncode == 0, rerun.stderr
    status, stdout, stderr = _query(world, home, COUNT)
    assert status == 0 and stderr == []
    assert _number(stdout) == _live(home, COUNT) > 2
    assert json.loads((home / "wirehouse.snapshot.json").read_text())["batch_id"] == "next"
    assert not (home / f"{WAREHOUSE}.building").exists()
