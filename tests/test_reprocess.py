"""The versioned raw store and ``wirehouse reprocess``: real files, the real demo site, the real CLI.

The end-to-end tests run the CLI in a subprocess, as a person would, each home with its own
private copy of the dbt project so no other test's build can race on ``target/``.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import duckdb
import pytest

import extract
from extract.demo_site import serve
from extract.rawstore import RawStore, url_key
from extract.reprocess import stage_from_raw_store
from extract.settings import Settings
from extract.sources import Source
from extract.staging import batch_path, read_jsonl

ROOT = Path(extract.__file__).resolve().parent.parent
# columns that say when or in which batch a row was fetched, loaded or built, not what it holds
STAMPS = frozenset({"built_at", "load_seq", "fetched_at", "last_fetched_at", "batch_id"})
# marts about batches and fetch failures rather than about articles: see the end-to-end tests
NOT_REPRODUCED = frozenset({"fct_batch", "fct_rejection"})
FRONTIER = "dim_url"  # each URL's sightings and requests, which a reprocess does not make
URL = "https://news.example.org/a.html"


# --- the raw store ---------------------------------------------------------------------------------


def _meta(fetched_at: str, **extra: Any) -> dict[str, Any]:
    return {"http_status": 200, "content_type": "text/html", "fetched_at": fetched_at, **extra}


def test_a_changed_body_is_a_second_version_and_both_stay_readable(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = store.put(URL, b"<p>first</p>", _meta("2025-06-01T10:00:00"))
    second = store.put(URL, b"<p>corrected</p>", _meta("2025-06-02T10:00:00"))

    assert first != second
    assert store.read(first) == b"<p>first</p>"
    assert store.read(second) == b"<p>corrected</p>"
    meta = store.meta(URL)
    assert meta is not None
    assert (meta["raw_path"], meta["fetched_at"]) == (second, "2025-06-02T10:00:00")
    assert [(v["raw_path"], v["fetched_at"]) for v in meta["versions"]] == [
        (first, "2025-06-01T10:00:00"),
        (second, "2025-06-02T10:00:00"),
    ]
    key = url_key(URL)
    assert second == f"{key[:2]}/{key}.{meta['versions'][1]['body_sha256'][:16]}.html.gz"


def test_the_same_body_again_is_one_version_with_the_later_fetch_time(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    first = store.put(URL, b"<p>same</p>", _meta("2025-06-01T10:00:00"))
    written = (tmp_path / first).stat().st_mtime_ns
    again = store.put(URL, b"<p>same</p>", _meta("2025-06-03T10:00:00"))

    assert again == first
    assert (tmp_path / first).stat().st_mtime_ns == written  # the body was not written again
    meta = store.meta(URL)
    assert meta is not None
    assert [(v["raw_path"], v["fetched_at"]) for v in meta["versions"]] == [(first, "2025-06-03T10:00:00")]
    assert sorted(p.name for p in tmp_path.rglob("*.html.gz")) == [Path(first).name]


def test_a_body_that_comes_back_is_a_new_version_of_the_stored_file(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    a = store.put(URL, b"A", _meta("2025-06-01T10:00:00"))
    store.put(URL, b"B", _meta("2025-06-02T10:00:00"))
    back = store.put(URL, b"A", _meta("2025-06-03T10:00:00"))

    assert back == a
    meta = store.meta(URL)
    assert meta is not None
    assert [v["fetched_at"] for v in meta["versions"]] == [f"2025-06-0{d}T10:00:00" for d in (1, 2, 3)]


def _write_old_layout(root: Path, url: str, body: bytes, fetched_at: str) -> str:
    """A page as the store wrote it before versions: ``<h>.html.gz`` and metadata without them."""
    key = url_key(url)
    rel = f"{key[:2]}/{key}.html.gz"
    (root / key[:2]).mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(gzip.compress(body))
    record = {**_meta(fetched_at), "url": url, "raw_path": rel, "body_sha256": "0" * 64, "n_bytes": len(body)}
    (root / key[:2] / f"{key}.json").write_text(json.dumps(record), encoding="utf-8")
    return rel


def test_an_old_layout_store_is_still_readable_and_keeps_its_page_as_the_first_version(tmp_path: Path) -> None:
    old = _write_old_layout(tmp_path, URL, b"<p>old</p>", "2024-01-01T00:00:00")
    store = RawStore(tmp_path)

    meta = store.meta(URL)
    assert meta is not None
    assert store.read(meta["raw_path"]) == b"<p>old</p>"
    assert [v["raw_path"] for v in meta["versions"]] == [old]
    assert [m["url"] for m in store.iter_meta()] == [URL]

    new = store.put(URL, b"<p>new</p>", _meta("2025-06-01T10:00:00"))
    meta = store.meta(URL)
    assert meta is not None
    assert [v["raw_path"] for v in meta["versions"]] == [old, new]
    assert store.read(old) == b"<p>old</p>"
    assert store.read(new) == b"<p>new</p>"


def test_iter_meta_yields_every_page_sorted_by_url(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    urls = [f"https://news.example.org/{name}.html" for name in ("c", "a", "b")]
    for url in urls:
        store.put(url, url.encode(), _meta("2025-06-01T10:00:00"))
    assert [meta["url"] for meta in store.iter_meta()] == sorted(urls)


# --- staging a batch from the store ----------------------------------------------------------------


def test_stage_from_raw_store_takes_the_pages_fetched_since_with_their_sources(settings: Settings) -> None:
    store = RawStore(settings.raw_path)
    feed = Source("feed", "https://news.example.org/rss.xml", "the feed")
    source = {"source_id": feed.source_id, "kind": "feed", "location": feed.location, "name": "the feed"}
    store.put("https://news.example.org/new.html", b"new", _meta("2025-06-02T00:00:00", source=source))
    store.put("https://news.example.org/no-source.html", b"older", _meta("2025-06-01T12:00:00"))
    store.put("https://news.example.org/old.html", b"old", _meta("2025-05-31T23:59:59", source=source))

    counts = stage_from_raw_store(settings, "b1", datetime(2025, 6, 1))

    folder = batch_path(settings, "b1")
    synthetic = Source("urls", "raw-store").source_id
    assert (counts.n_in, counts.n_out, counts.n_cached, counts.n_rejected) == (2, 2, 2, 0)
    assert list(read_jsonl(folder / "discovered.jsonl")) == [
        {"url": "https://news.example.org/new.html", "source_id": feed.source_id},
        {"url": "https://news.example.org/no-source.html", "source_id": synthetic},
    ]
    assert sorted(row["source_id"] for row in read_jsonl(folder / "sources.jsonl")) == sorted(
        [feed.source_id, synthetic]
    )
    assert {"kind": "urls", "location": "raw-store", "name": None, "source_id": synthetic} in list(
        read_jsonl(folder / "sources.jsonl")
    )
    pages = list(read_jsonl(folder / "pages.jsonl"))
    assert [store.read(page["raw_path"]) for page in pages] == [b"new", b"older"]
    assert list(read_jsonl(folder / "rejections-fetch.jsonl")) == []
    assert json.loads((folder / "parts.json").read_text())["n_urls"] == 2


# --- the CLI, end to end ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Runs:
    """A full run over the demo site, and a reprocess of its raw store alone in a new home."""

    full: Path
    offline: Path
    reprocess: subprocess.CompletedProcess[str]


def _cli(home: Path, dbt_project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        WIREHOUSE_HOME=str(home),
        WIREHOUSE_DBT_PROJECT_DIR=str(dbt_project),
        WIREHOUSE_ALLOW_PRIVATE="1",
        WIREHOUSE_HOST_DELAY="0",
    )
    command = [sys.executable, "-m", "extract.cli", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def dbt_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("reprocess-dbt") / "dbt_project"
    shutil.copytree(ROOT / "dbt_project", copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return copy


def _refuses_connections(base_url: str) -> bool:
    parts = urlsplit(base_url)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=2).close()
    except OSError:
        return True
    return False


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, dbt_project: Path) -> Runs:
    full = tmp_path_factory.mktemp("full-run")
    with serve() as site:
        sources = full / "sources.yml"
        sources.write_text(
            "sources:\n"
            f"  - {{kind: feed, location: '{site.url('/feed.xml')}', name: demo feed}}\n"
            f"  - {{kind: sitemap, location: '{site.url('/sitemap.xml')}', name: demo sitemap}}\n",
            encoding="utf-8",
        )
        done = _cli(full, dbt_project, "run", "--sources", str(sources), "--batch-id", "full")
        base_url = site.base_url
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert _refuses_connections(base_url), "the demo site still answers: the reprocess could fetch"
    offline = tmp_path_factory.mktemp("offline")
    shutil.copytree(full / "raw", offline / "raw")  # the raw store, and nothing else
    return Runs(full, offline, _cli(offline, dbt_project, "reprocess", "--since", "1970-01-01"))


def _mart_rows(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every mart's rows, sorted, without STAMPS columns, as dicts by column name."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        marts = {}
        for table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
                if name not in STAMPS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'select {select} from marts."{table}" order by all').fetchall()
            marts[table] = [dict(zip(columns, row, strict=True)) for row in rows]
        return marts
    finally:
        con.close()


def test_reprocess_reproduces_the_marts_of_the_full_run(runs: Runs) -> None:
    """Every article and fact mart comes back row for row from the raw store alone, with the demo
    site gone, stamps and batch ids aside.

    Not reproduced, because the raw store keeps bodies and a failed fetch leaves none:
    ``fct_batch`` (the batches and their counts, which include the failed fetches),
    ``fct_rejection`` (the fetch rejections; the demo's sitemap has one dead link), and in
    ``dim_source`` a source that gave no page at all (the demo's sitemap: its only URL not also
    in the feed is the dead link), which the full run lists with zero pages.  And the frontier
    (``dim_url``), built from the visits a batch makes to the sites: a reprocess makes none, so a
    warehouse rebuilt from the store alone starts with an empty frontier.
    """
    assert runs.reprocess.returncode == 0, runs.reprocess.stdout[-2000:] + runs.reprocess.stderr[-3000:]
    full = _mart_rows(runs.full / "wirehouse.duckdb")
    again = _mart_rows(runs.offline / "wirehouse.duckdb")

    assert set(again) == set(full)
    assert full["fct_article"], "the full run loaded no article: nothing would be compared"
    for table in sorted(set(full) - NOT_REPRODUCED - {"dim_source", FRONTIER}):
        assert again[table] == full[table], table
    assert not again.get(FRONTIER)
    with_pages = [row for row in full["dim_source"] if row["n_pages"] > 0]
    assert again["dim_source"] == with_pages
    dropped = {row["source_id"] for row in full["dim_source"]} - {row["source_id"] for row in with_pages}
    assert dropped == {row["source_id"] for row in full["dim_source"] if row["source_kind"] == "sitemap"}


def test_reprocess_in_place_leaves_every_article_and_fact_as_it_was(
    runs: Runs, dbt_project: Path, tmp_path: Path
) -> None:
    """The everyday use: reprocess history into the warehouse that holds it (a new model would
    change the facts; the same one must change nothing).  Here the full run's sources stay known,
    so ``dim_source`` comes back whole, and the frontier (``dim_url``) is untouched: a reprocess
    is no visit.  ``fct_batch`` gains the new batch and ``fct_rejection`` counts the URLs rejected
    again."""
    home = tmp_path / "home"
    shutil.copytree(runs.full, home)
    done = _cli(home, dbt_project, "reprocess", "--since", "1970-01-01", "--batch-id", "again")

    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    before = _mart_rows(runs.full / "wirehouse.duckdb")
    after = _mart_rows(home / "wirehouse.duckdb")
    for table in sorted(set(before) - NOT_REPRODUCED):
        assert after[table] == before[table], table
    assert len(after["fct_batch"]) == len(before["fct_batch"]) + 1


def test_reprocess_fetches_nothing_and_says_so(runs: Runs) -> None:
    assert runs.reprocess.returncode == 0, runs.reprocess.stderr[-3000:]
    (batch,) = [p.name for p in (runs.offline / "staging").iterdir()]
    assert batch.startswith("reprocess_")
    fetch = json.loads((runs.offline / "staging" / batch / "counts-fetch.json").read_text())
    assert fetch["n_out"] == fetch["n_cached"] > 0
    assert f"fetched {fetch['n_out']} ({fetch['n_out']} from the raw store)" in runs.reprocess.stdout
    con = duckdb.connect(str(runs.offline / "wirehouse.duckdb"), read_only=True)
    try:
        stages = {stage for (stage,) in con.execute("select distinct stage from raw.rejections").fetchall()}
    finally:
        con.close()
    assert "fetch" not in stages


def test_reprocess_since_after_every_fetch_is_refused_and_writes_nothing(runs: Runs, tmp_path: Path) -> None:
    """Exit status 2, one line naming the latest fetch, and no batch or warehouse left behind."""
    shutil.copytree(runs.full / "raw", tmp_path / "raw")
    done = _cli(tmp_path, Path("unused"), "reprocess", "--since", "2100-01-01")

    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "no page in the raw store" in line and "2100-01-01" in line and "latest fetch is" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]
