"""``wirehouse query`` reads the warehouse and nothing else (issue #16, defect 3).

A warehouse is built once per module by a real ``wirehouse run`` over the demo site; each test
runs the real CLI in a subprocess on its own copy.  Every hostile statement must be refused with
exit status 2 and one line on stderr, and leave the warehouse byte for byte as it was (sha256)
and no file behind; selects over raw, staging and marts still work.  No statement here reaches
for the network: extensions are installed and loaded from local paths, so even the unguarded
code this suite was written against cannot send a packet anywhere.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from extract.demo_site import serve

pytestmark = pytest.mark.faults

WAREHOUSE = "wirehouse.duckdb"
DEMO_PAGES = [
    "/news/eu-agrees-sanctions-on-shadow-fleet-tankers.html",
    "/news/kenya-police-fire-tear-gas-at-nairobi-protesters.html",
    "/news/armenia-azerbaijan-border-talks-abu-dhabi.html",
]
# {warehouse} and {out} (a folder the test watches for new files) are filled in per test
HOSTILE = [
    "copy (select 'x') to '{warehouse}'",
    "copy (select 'x') to '{out}/x.csv'",
    "copy marts.fct_article to '{out}/articles.parquet' (format parquet)",
    "select * from read_text('/etc/passwd')",
    "select * from read_csv('/etc/passwd')",
    "select * from read_blob('/etc/hostname')",
    "select * from glob('/etc/*')",
    "select count(*) from marts.fct_article; copy (select 1) to '{out}/second.csv'",
    "attach '{out}/other.duckdb' as other",
    "install '{out}/evil.duckdb_extension'",
    "load '{out}/evil.duckdb_extension'",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "pragma enable_profiling = 'json'",
    "pragma profiling_output = '{out}/profile.json'",
    "pragma enable_checkpoint_on_shutdown",
    "export database '{out}/export'",
    "create table marts.evil as select 1 as x",
    "create temp table scratch (x integer)",
    "drop table marts.fct_article",
    "delete from raw.articles",
]
SELECTS = {  # a read and a line of its printed result
    "select count(*) from raw.articles": r"│\s+3\s+│",
    "select count(*) from staging.stg_wirehouse__articles": r"│\s+3\s+│",
    "select count(*) as n from marts.fct_article": r"│\s+3\s+│",
    "select count(*) filter (where article_id not in (select article_id from marts.fct_article)) as orphans,"
    " count(*) > 0 as has_events from marts.fct_event": r"│\s+0\s+│\s+true\s+│",
    "describe marts.fct_event": r"│ article_id\s+│ VARCHAR",
    "explain select * from marts.fct_event": r"physical_plan",
}


@dataclass(frozen=True)
class Built:
    home: Path
    query: Callable[[Path, str], tuple[int, str, str]]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, make_cli) -> Built:  # type: ignore[no-untyped-def]
    """A warehouse the real pipeline built from three demo articles."""
    cli = make_cli()
    home = tmp_path_factory.mktemp("sandbox-built")
    with serve() as demo:
        urls = home / "urls.txt"
        urls.write_text("".join(demo.url(page) + "\n" for page in DEMO_PAGES))
        done = cli.run(home, "run", "--urls", str(urls), "--batch-id", "built")
    assert done.returncode == 0, done.stderr

    def query(copy_home: Path, sql: str) -> tuple[int, str, str]:
        ran = cli.run(copy_home, "--warehouse", str(copy_home / WAREHOUSE), "query", sql, timeout=120)
        return ran.returncode, ran.stdout, ran.stderr

    return Built(home, query)


@pytest.fixture
def copy_home(built: Built, tmp_path: Path) -> Path:
    """This test's own copy of the built warehouse (only the warehouse file: it is free)."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy2(built.home / WAREHOUSE, home / WAREHOUSE)
    return home


@pytest.mark.parametrize("template", HOSTILE)
def test_a_hostile_statement_is_refused_in_one_line_and_changes_nothing(
    template: str, built: Built, copy_home: Path, tmp_path: Path
) -> None:
    warehouse = copy_home / WAREHOUSE
    out = tmp_path / "out"
    out.mkdir()
    before = _sha256(warehouse)
    status, stdout, stderr = built.query(copy_home, template.format(warehouse=warehouse, out=out))
    assert status == 2, (status, stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].startswith("wirehouse query: refused: the query sandbox reads the warehouse only ("), stderr
    assert _sha256(warehouse) == before
    assert sorted(p.name for p in copy_home.iterdir()) == [WAREHOUSE]  # no WAL, no new file beside it
    assert list(out.iterdir()) == []


def test_a_refused_read_does_not_print_the_file(built: Built, copy_home: Path) -> None:
    status, stdout, stderr = built.query(copy_home, "select content from read_text('/etc/passwd')")
    assert status == 2
    assert "root" not in stdout + stderr


@pytest.mark.parametrize("sql", list(SELECTS))
def test_reads_over_raw_staging_and_marts_work(sql: str, built: Built, copy_home: Path) -> None:
    before = _sha256(copy_home / WAREHOUSE)
    status, stdout, stderr = built.query(copy_home, sql)
    assert status == 0, stderr
    assert stderr == ""
    assert re.search(SELECTS[sql], stdout), stdout
    assert _sha256(copy_home / WAREHOUSE) == before


def test_a_plain_sql_error_is_one_line_with_duckdbs_hint_and_status_1(built: Built, copy_home: Path) -> None:
    status, _, stderr = built.query(copy_home, "select * from marts.fct_articl")
    assert status == 1
    assert stderr.strip().splitlines() == [
        'wirehouse query: Catalog Error: Table with name fct_articl does not exist! Did you mean "fct_article"?'
    ]
