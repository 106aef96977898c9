"""Runs that cannot collide: unique manual batches, one writer per warehouse, one live run per
staging folder, the stage's own error first, and no temp files left by a killed stage.

Every run is the real CLI in a subprocess (``python -m extract.cli run``) over pages of the
bundled demo site on 127.0.0.1, into a real DuckDB file; a run takes 30-60 s (spaCy, dbt, GX),
so the module shares its runs between assertions.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract import pipeline
from extract.settings import Settings, load_settings
from extract.sources import Source

pytestmark = pytest.mark.faults

LIST_A = [
    "/news/armenia-azerbaijan-border-talks-abu-dhabi.html",
    "/news/eritrea-warns-ethiopia-over-red-sea-port-demands.html",
    "/news/eu-agrees-sanctions-on-shadow-fleet-tankers.html",
    "/news/live-updates-index.html",  # rejected: too short
]
LIST_B = [
    "/news/kenya-police-fire-tear-gas-at-nairobi-protesters.html",
    "/news/philippines-accuses-china-of-water-cannon-attack-near-shoal.html",
    "/news/un-convoy-delivers-food-to-darfur-camp.html",
    "/news/un-convoy-delivers-food-to-darfur-camp-syndicated.html",  # rejected: near duplicate
    "/news/berlin-sagt-kiew-weitere-luftabwehr-zu.html",
]
# columns that say when, in which order or by which load, build or batch a row was written:
# each run's own (two runs started together may reach the warehouse lock in either order)
BOOKKEEPING = {"load_seq", "batch_seq", "built_at", "batch_id", "fetched_at", "last_fetched_at"} | {
    "visited_at",  # the frontier's times: a hand-made run's batch time is when it starts
    "first_seen_at",
    "last_fetch_at",
    "last_seen_at",
}


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update(
        {
            "WIREHOUSE_HOME": str(home),
            "WIREHOUSE_ALLOW_PRIVATE": "1",
            "WIREHOUSE_HOST_DELAY": "0",
            "WIREHOUSE_RETRIES": "0",
            "WIREHOUSE_WORKERS": "1",
            **extra,
        }
    )
    return env


def _start(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "extract.cli", "run", *args],
        env=_env(home, **extra),
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 600) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def _run(home: Path, *args: str, **extra: str) -> tuple[int, str, str]:
    return _finish(_start(home, *args, **extra))


def _settings(home: Path) -> Settings:
    return load_settings(environ={}, home=home)


def _query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(_settings(home).warehouse_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _marts(home: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart's rows, in order, without the bookkeeping columns."""
    con = duckdb.connect(str(_settings(home).warehouse_path), read_only=True)
    try:
        columns: dict[str, list[str]] = {}
        for table, column in con.execute(
            "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
            "order by table_name, ordinal_position"
        ).fetchall():
            if column not in BOOKKEEPING:
                columns.setdefault(table, []).append(column)
        return {
            table: con.execute(f"select {', '.join(cols)} from marts.{table} order by all").fetchall()
            for table, cols in columns.items()
        }
    finally:
        con.close()


def _write_list(path: Path, base: str, paths: list[str]) -> Path:
    path.write_text("".join(f"{base}{p}\n" for p in paths), encoding="utf-8")
    return path


def _batch_ids(home: Path) -> set[str]:
    return {row[0] for row in _query(home, "select batch_id from raw.batches")}


@pytest.fixture(scope="module")
def site() -> Iterator[Any]:
    from extract.demo_site import serve

    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def lists(site: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lists")
    base = site.url("/").rstrip("/")
    return _write_list(folder / "a.txt", base, LIST_A), _write_list(folder / "b.txt", base, LIST_B)


@pytest.fixture(scope="module")
def sequential(lists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs in a row, without --batch-id: A's list, then B's."""
    home = tmp_path_factory.mktemp("sequential")
    for listing in lists:
        code, _out, err = _run(home, "--urls", str(listing))
        assert code == 0, err[-3000:]
    return home


@pytest.fixture(scope="module")
def concurrent(lists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Two runs started together, without --batch-id: A's list and B's; their stderr."""
    home = tmp_path_factory.mktemp("concurrent")
    processes = [_start(home, "--urls", str(listing)) for listing in lists]
    results = [_finish(process) for process in processes]
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    return home, [err for _code, _out, err in results]


def _every_url(site: Any) -> set[str]:
    return {site.url(p) for p in LIST_A + LIST_B}


def test_two_runs_in_a_row_keep_both_batches(sequential: Path, site: Any) -> None:
    batches = _batch_ids(sequential)
    assert len(batches) == 2 and all(b.startswith("cli_") for b in batches)
    articles = {row[0] for row in _query(sequential, "select url from raw.articles")}
    marts = {row[0] for row in _query(sequential, "select url from marts.fct_article")}
    kept = _every_url(site) - {site.url(LIST_A[-1]), site.url(LIST_B[3])}
    assert articles == kept and marts == kept


def test_two_runs_at_once_lose_nothing_and_mix_nothing(
    concurrent: tuple[Path, list[str]], sequential: Path, site: Any
) -> None:
    home, _errs = concurrent
    assert len(_batch_ids(home)) == 2
    # every URL of both lists once: an article or a rejection, never both, never twice
    outcomes = _query(
        home,
        "select url from raw.articles union all select url from raw.rejections where stage <> 'discover'",
    )
    assert sorted(row[0] for row in outcomes) == sorted(_every_url(site))
    assert _query(home, "select count(*) from raw.articles where source_id not in (select source_id from raw.sources)")[
        0
    ] == (0,)
    assert _query(
        home, "select count(*) from raw.discovered_urls where source_id not in (select source_id from raw.sources)"
    )[0] == (0,)
    assert _marts(home) == _marts(sequential)


def _hold_lock(home: Path, batch: str) -> subprocess.Popen[str]:
    """Another process holding the warehouse's writer lock until its stdin closes."""
    script = textwrap.dedent(
        f"""
        import sys
        from extract.runlock import warehouse_lock
        from extract.settings import load_settings
        with warehouse_lock(load_settings(), {batch!r}):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script],
        env=_env(home),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held", holder.stderr
    return holder


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_held_warehouse_refuses_or_queues_and_a_live_batch_refuses_its_twin(
    sequential: Path, lists: tuple[Path, Path], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    warehouse = _settings(home).warehouse_path
    shutil.copyfile(_settings(sequential).warehouse_path, warehouse)
    before = _sha(warehouse)
    holder = _hold_lock(home, "holder-batch")
    try:
        # lock_timeout 0: refused at once, one line naming the holder, nothing written
        code, _out, err = _run(home, "--urls", str(lists[0]), WIREHOUSE_LOCK_TIMEOUT="0")
        assert code == 2, err[-3000:]
        assert len(err.strip().splitlines()) == 1, err
        assert f"pid {holder.pid}, batch holder-batch" in err
        assert _sha(warehouse) == before

        # a patient run waits with one line, and a second live run of its batch refuses at once
        waiter = _start(home, "--urls", str(lists[0]), "--batch-id", "twin", WIREHOUSE_LOCK_TIMEOUT="300")
        assert waiter.stderr is not None
        line = waiter.stderr.readline()
        assert line.startswith(f"waiting for the run that holds {warehouse} (pid {holder.pid}"), line
        started = time.monotonic()
        code, _out, err = _run(home, "--urls", str(lists[1]), "--batch-id", "twin")
        assert code == 2 and "twin" in err and len(err.strip().splitlines()) == 1, err
        assert time.monotonic() - started < 30  # at once: it did not wait for the lock or fetch
        assert _sha(warehouse) == before
    finally:
        holder.communicate(input="", timeout=30)
    code, _out, err = _finish(waiter)
    assert code == 0, err[-3000:]
    assert "twin" in _batch_ids(home)

    # naming a loaded batch replaces it, and says so
    code, _out, err = _run(home, "--urls", str(lists[0]), "--batch-id", "twin")
    assert code == 0 and "replacing batch twin" in err, err[-3000:]
    assert _query(home, "select count(*) from raw.batches where batch_id = 'twin'")[0] == (1,)


def test_a_failing_stage_prints_its_own_error_first(sequential: Path, lists: tuple[Path, Path], tmp_path: Path) -> None:
    """fetch fails (the raw store is a file, not a folder) while another process keeps the
    warehouse open for writing, so the summary cannot be read either: fetch's error comes first."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(_settings(sequential).warehouse_path, _settings(home).warehouse_path)
    (home / "rawfile").write_text("not a folder")
    script = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()"
    writer = subprocess.Popen(
        [sys.executable, "-c", script, str(_settings(home).warehouse_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        code, _out, err = _run(home, "--urls", str(lists[0]), WIREHOUSE_RAW_DIR=str(home / "rawfile"))
    finally:
        writer.communicate(input="", timeout=30)
    lines = err.strip().splitlines()
    assert code == 1, err
    assert lines[0].startswith("wirehouse run: fetch: ") and "rawfile" in lines[0], err
    assert len(lines) <= 3 and not any("Traceback" in line for line in lines), err


def _kill_during(home: Path, stage: str, batch: str, part: int | None) -> None:
    """Run ``stage`` of ``batch`` in a child that kills itself (SIGKILL) with its files open."""
    target = {"clean": "clean_pages", "nlp": "annotate_chunk"}[stage]
    script = textwrap.dedent(
        f"""
        import os, signal
        from extract import pipeline
        from extract.settings import load_settings

        def killed(*args):
            os.kill(os.getpid(), signal.SIGKILL)

        pipeline.{target} = killed
        pipeline.run_{stage}(load_settings(), {batch!r}, {part!r})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], env=_env(home), capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".tmp-*"))


def test_a_rerun_removes_what_a_killed_stage_left(site: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    listing = _write_list(tmp_path / "urls.txt", site.url("/").rstrip("/"), LIST_A)
    settings = load_settings(environ=_env(home, WIREHOUSE_PART_SIZE="2"))  # two parts of two URLs
    pipeline.run_discover(settings, "killed", [Source("urls", str(listing))])
    for part in (0, 1):
        pipeline.run_fetch(settings, "killed", part)
    folder = settings.staging_path / "killed"

    # whole batch (as `wirehouse run` does): a killed clean, then a rerun of clean
    _kill_during(home, "clean", "killed", None)
    assert _temps(folder), "the killed clean left no temp file to clean up"
    pipeline.run_clean(settings, "killed")
    assert _temps(folder) == [] and (folder / "articles.jsonl").exists()
    for part in (0, 1):
        pipeline.run_clean(settings, "killed", part)

    # parts (as the DAG does): NLP killed in both parts; rerunning part 0 removes part 0's
    # leftovers only (part 1 might be running on another worker), rerunning part 1 the rest
    _kill_during(home, "nlp", "killed", 0)
    _kill_during(home, "nlp", "killed", 1)
    left = _temps(folder)
    assert any("-0000." in name for name in left) and any("-0001." in name for name in left), left
    pipeline.run_nlp(settings, "killed", 0)
    assert _temps(folder) and not any("-0000." in name for name in _temps(folder))
    pipeline.run_nlp(settings, "killed", 1)
    assert _temps(folder) == []
