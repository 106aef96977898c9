"""``wirehouse export`` on a warehouse the real pipeline built from the demo site (and one undated
page of our own, so some events have no date), exported by the real CLI and read back by DuckDB.

One pipeline run per module; the exports only read the warehouse, so the tests share it.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from local_http import LocalServer, static

from extract.cli import main
from extract.settings import load_settings
from extract.snapshot import snapshot_path

UNDATED = (
    "<html><head><title>Police detain protesters</title></head><body><article><h1>Police detain protesters</h1>"
    + "".join(
        f"<p>Kenyan police arrested {10 + i} protesters in Nairobi after a march on parliament, and the "
        "Kenyan government condemned the protest organisers, officials said. Opposition leaders accused "
        "the police of using excessive force against the crowd.</p>"
        for i in range(5)
    )
    + "</article></body></html>"
).encode()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, demo_site_module) -> Path:
    """A warehouse built by ``wirehouse run`` over the demo site and an undated page."""
    home = tmp_path_factory.mktemp("export_home")
    with pytest.MonkeyPatch.context() as env, LocalServer() as server:
        for name, value in _ENV.items():
            env.setenv(name, value)
        env.setenv("WIREHOUSE_HOME", str(home))
        server.route("/undated.html", static(UNDATED))
        urls = home / "urls.txt"
        urls.write_text(server.url("/undated.html") + "\n")
        sources = home / "sources.yml"
        sources.write_text(
            "sources:\n"
            f"  - {{kind: feed, location: '{demo_site_module.url('/feed.xml')}'}}\n"
            f"  - {{kind: sitemap, location: '{demo_site_module.url('/sitemap.xml')}'}}\n"
            f"  - {{kind: urls, location: '{urls}'}}\n"
        )
        path = home / "wirehouse.duckdb"
        assert main(["run", "--warehouse", str(path), "--sources", str(sources), "--batch-id", "demo"]) == 0
    return path


_ENV = {
    "WIREHOUSE_ALLOW_PRIVATE": "1",
    "WIREHOUSE_HOST_DELAY": "0",
    "WIREHOUSE_READ_TIMEOUT": "1",
    "WIREHOUSE_RETRIES": "0",
}


@pytest.fixture(scope="module")
def demo_site_module():
    from extract.demo_site import serve

    with serve() as site:
        yield site


@pytest.fixture
def export(warehouse: Path, monkeypatch: pytest.MonkeyPatch):
    """``wirehouse export`` through the CLI; returns its exit status."""
    monkeypatch.setenv("WIREHOUSE_HOME", str(warehouse.parent))

    def run(target: Path, *args: str) -> int:
        return main(["export", "--warehouse", str(warehouse), "--to", str(target), *args])

    return run


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    sql = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    return [row[0] for row in con.execute(sql).fetchall()]


def _read(folder: Path, mart: str, manifest: dict, reader: str = "read_parquet") -> str:
    """A FROM clause reading the mart's exported files (without the partition column)."""
    ext = manifest["format"]
    if manifest["marts"][mart]["partitioned_by"]:
        return f"(select * exclude (event_month) from {reader}('{folder}/{mart}/*/*.{ext}', hive_partitioning = true))"
    return f"{reader}('{folder}/{mart}.{ext}')"


def _columns(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str]]:
    """Names and types of the columns of a FROM clause."""
    return [row[:2] for row in con.execute(f"describe select * from {source}").fetchall()]


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_parquet_export_equals_every_mart_row_for_row(warehouse: Path, export, tmp_path: Path, capsys) -> None:
    target = tmp_path / "out"
    assert export(target) == 0
    assert "exported" in capsys.readouterr().out
    manifest = _manifest(target)
    con = duckdb.connect(str(warehouse), read_only=True)
    marts = _marts(con)
    assert set(manifest["marts"]) == set(marts) and "fct_event" in marts
    for mart in marts:
        exported = _read(target, mart, manifest)
        assert _columns(con, exported) == _columns(con, f"marts.{mart}"), mart
        got = con.execute(f"select * from {exported} order by all").fetchall()
        want = con.execute(f"select * from marts.{mart} order by all").fetchall()
        assert got == want and want, mart
    types = dict(_columns(con, _read(target, "dim_actor", manifest)))
    assert types["aliases"] == "VARCHAR[]" and types["first_seen_at"] == "TIMESTAMP"  # a list and a time stamp

    # events by month, hive-style; an undated event under event_month=unknown
    months = {p.name for p in (target / "fct_event").iterdir()}
    sql = "select distinct 'event_month=' || coalesce(strftime(event_date, '%Y-%m'), 'unknown') from marts.fct_event"
    assert months == {row[0] for row in con.execute(sql).fetchall()}
    assert "event_month=unknown" in months and len(months) > 3
    misplaced = con.execute(
        f"select count(*) from read_parquet('{target}/fct_event/*/*.parquet', hive_partitioning = true) "
        "where event_month != coalesce(strftime(event_date, '%Y-%m'), 'unknown')"
    ).fetchone()[0]
    assert misplaced == 0
    codecs = con.execute(f"select distinct compression from parquet_metadata('{target}/**/*.parquet')").fetchall()
    assert codecs == [("ZSTD",)]
    con.close()


def test_manifest_counts_and_checksums_match_the_files(warehouse: Path, export, tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert export(target) == 0
    manifest = _manifest(target)
    con = duckdb.connect(str(warehouse), read_only=True)
    latest = con.execute("select batch_id, load_seq from raw.batches order by load_seq desc limit 1").fetchone()
    assert (manifest["batch_id"], manifest["load_seq"]) == latest
    assert manifest["warehouse"] == str(warehouse) and manifest["format"] == "parquet" and manifest["since"] is None
    assert manifest["exported_at"][:4].isdigit()
    on_disk = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert on_disk == {f["path"] for f in manifest["files"]} | {"manifest.json"}
    per_mart: Counter[str] = Counter()
    for entry in manifest["files"]:
        path = target / entry["path"]
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["rows"] == con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
        per_mart[entry["mart"]] += entry["rows"]
    for mart in _marts(con):
        rows = con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        assert per_mart[mart] == manifest["marts"][mart]["rows"] == rows, mart
    con.close()


def test_csv_export_reads_back_with_the_same_counts_and_columns(warehouse: Path, export, tmp_path: Path) -> None:
    target = tmp_path / "csv"
    assert export(target, "--format", "csv") == 0
    manifest = _manifest(target)
    assert manifest["format"] == "csv" and all(f["path"].endswith(".csv") for f in manifest["files"])
    assert any(f["path"].startswith("fct_event/event_month=") for f in manifest["files"])
    con = duckdb.connect(str(warehouse), read_only=True)
    for mart in _marts(con):
        exported = _read(target, mart, manifest, reader="read_csv")
        assert (
            con.execute(f"select count(*) from {exported}").fetchone()[0]
            == con.execute(f"select count(*) from marts.{mart}").fetchone()[0]
        ), mart
        header = [name for name, _ in _columns(con, exported)]
        assert header == [name for name, _ in _columns(con, f"marts.{mart}")], mart
    titles = con.execute(
        f"select title from {_read(target, 'fct_article', manifest, 'read_csv')} order by 1"
    ).fetchall()
    assert titles == con.execute("select title from marts.fct_article order by 1").fetchall()
    con.close()


def test_since_keeps_rows_on_or_after_the_date_as_documented(warehouse: Path, export, tmp_path: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    since = con.execute("select median(published_at)::date from marts.fct_article").fetchone()[0]
    target = tmp_path / "since"
    assert export(target, "--since", since.isoformat()) == 0
    manifest = _manifest(target)
    rows = {mart: entry["rows"] for mart, entry in manifest["marts"].items()}
    count = lambda sql: con.execute(sql, [since]).fetchone()[0]  # noqa: E731
    recent = "select article_id from marts.fct_article where published_at >= ?"
    assert rows["fct_article"] == count("select count(*) from marts.fct_article where published_at >= ?")
    assert 0 < rows["fct_article"] < con.execute("select count(*) from marts.fct_article").fetchone()[0]
    assert rows["fct_event"] == count(f"select count(*) from marts.fct_event where article_id in ({recent})")
    assert 0 < rows["fct_event"] < con.execute("select count(*) from marts.fct_event").fetchone()[0]
    assert rows["fct_statement"] == count(f"select count(*) from marts.fct_statement where article_id in ({recent})")
    if "fct_event_story" in rows:  # every exported event's story is exported
        stories = _read(target, "fct_event_story", manifest)
        events = _read(target, "fct_event", manifest)
        orphans = f"select count(*) from {events} where event_id not in (select unnest(event_ids) from {stories})"
        assert con.execute(orphans).fetchone()[0] == 0
        assert rows["fct_event_story"] == count(
            "select count(*) from marts.fct_event_story where last_reported_at >= ?"
        )
    if "fct_dyad_daily" in rows:
        assert rows["fct_dyad_daily"] == count("select count(*) from marts.fct_dyad_daily where event_day >= ?")
        assert manifest["marts"]["fct_dyad_daily"]["since_rule"] == "its own date"
    for mart in ("dim_actor", "dim_source", "fct_batch", "fct_rejection"):  # dimensions and the run ledger whole
        assert rows[mart] == con.execute(f"select count(*) from marts.{mart}").fetchone()[0], mart
    assert manifest["marts"]["fct_event"]["since_rule"] == "published_at of its article"
    assert manifest["marts"]["dim_actor"]["since_rule"].startswith("whole")
    assert manifest["since"] == since.isoformat()
    assert not (target / "fct_event" / "event_month=unknown").exists()  # an undated article's events are left out
    con.close()


def test_a_folder_that_is_not_an_export_is_refused_and_a_previous_export_replaced(
    export, tmp_path: Path, capsys
) -> None:
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("my notes")
    assert export(target) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no temporary folder left beside it

    again = tmp_path / "again"
    assert export(again) == 0
    first = _manifest(again)
    assert export(again, "--format", "csv") == 0  # a previous export is replaced, nothing of it kept
    assert not list(again.rglob("*.parquet")) and _manifest(again)["format"] == "csv"
    assert first["format"] == "parquet"
    (again / "extra.txt").write_text("added by hand")  # no longer only an export: refused
    assert export(again) == 2
    assert (again / "extra.txt").exists()
    assert export(tmp_path / "x", "--since", "last week") == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "mine"]


def test_export_reads_the_snapshot_while_a_run_holds_the_warehouse(warehouse: Path, export, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(120)", str(warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        target = tmp_path / "out"
        assert export(target) == 0
    finally:
        holder.kill()
        holder.wait()
    manifest = _manifest(target)
    settings = load_settings(environ={}, home=warehouse.parent, warehouse=warehouse)
    assert manifest["warehouse"] == str(snapshot_path(settings))
    con = duckdb.connect(str(warehouse), read_only=True)
    want = con.execute("select * from marts.fct_event order by all").fetchall()
    assert con.execute(f"select * from {_read(target, 'fct_event', manifest)} order by all").fetchall() == want
    con.close()
