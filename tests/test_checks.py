"""Great Expectations checks on marts built by dbt from a few realistic raw rows.

One dbt build per module; each test validates its own copy of that warehouse (changed where
the test needs a bad, empty or missing mart) with its report under its own tmp_path.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from expectations import SUITES
from extract.checks import CheckReport, ChecksFailed, run_checks
from extract.settings import PROJECT_ROOT, Settings
from extract.transform import run_dbt

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def n_expectations() -> int:
    """Every expectation of every suite (the NLP marts exist, empty, after a build)."""
    import great_expectations as gx

    gx.get_context(mode="ephemeral")  # suites are built inside a context
    return sum(len(build(now=NOW).expectations) for build in SUITES.values())


TEXT = (
    "Russian President Vladimir Putin thanked North Korean troops for their part in the fighting "
    "in the Kursk region, praising their solidarity."
)


def _article(
    url: str, source_id: str, text: str, published_at: datetime | None, language: str | None
) -> dict[str, Any]:
    return {
        "article_id": hashlib.sha256(url.encode()).hexdigest()[:16],
        "url": url,
        "source_id": source_id,
        "title": "Putin thanks troops",
        "author": "Staff",
        "published_at": published_at,
        "site_name": "News A",
        "language": language,
        "text": text,
        "n_words": len(text.split()),
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "simhash": int(hashlib.sha256(text.encode()).hexdigest()[:16], 16),
        "fetched_at": datetime(2025, 4, 28, 10, 0),
        "batch_id": "b1",
    }


RAW: dict[str, list[dict[str, Any]]] = {
    "sources": [
        {"source_id": "src-a", "kind": "feed", "location": "https://news-a.test/feed.xml", "name": "News A",
         "batch_id": "b1"},
        {"source_id": "src-b", "kind": "urls", "location": "lists/b.txt", "name": "News B", "batch_id": "b1"},
    ],
    "articles": [
        _article("https://news-a.test/kursk", "src-a", TEXT, datetime(2025, 4, 28, 9, 30), "en"),
        _article("https://news-b.test/summit", "src-b", "Die Gespräche werden nächste Woche fortgesetzt.",
                 datetime(2025, 4, 27, 18, 0), "de"),
        _article("https://news-b.test/undated", "src-b", "Talks resumed without a date on the page.", None, "en"),
    ],
    "rejections": [
        {"batch_id": "b1", "url": "https://news-a.test/gone", "stage": "fetch", "reason": "http_404", "detail": None},
    ],
    "batches": [
        {"batch_id": "b1", "interval_start": datetime(2025, 4, 28), "interval_end": datetime(2025, 4, 29),
         "n_discovered": 4, "n_fetched": 3, "n_articles": 3, "n_rejected": 1},
    ],
}  # fmt: skip


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        marks = ", ".join("?" for _ in row)
        con.execute(f"insert into {table} ({', '.join(row)}) values ({marks})", list(row.values()))


@pytest.fixture(scope="module")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = Settings(home=tmp_path_factory.mktemp("checks"))
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute((PROJECT_ROOT / "extract" / "schema.sql").read_text(encoding="utf-8"))
        for table, rows in RAW.items():
            _insert(con, f"raw.{table}", rows)
    run_dbt(settings)
    return settings.warehouse_path


@pytest.fixture
def settings(built_warehouse: Path, tmp_path: Path) -> Settings:
    """A copy of the built warehouse, with the report under this test's tmp_path."""
    copy = Settings(home=tmp_path)
    shutil.copy(built_warehouse, copy.warehouse_path)
    return copy


def test_passing_warehouse_writes_data_docs(settings: Settings) -> None:
    report = run_checks(settings, now=NOW)
    assert isinstance(report, CheckReport)
    assert (report.passed, report.failed, report.failures) == (n_expectations(), 0, [])
    assert report.success
    assert report.report_index == settings.report_path / "data_docs" / "index.html"
    assert report.report_index.is_file()
    assert "fct_article" in report.report_index.read_text(encoding="utf-8")
    # GX's generated project stays under the report folder
    assert (settings.report_path / "gx" / "great_expectations.yml").is_file()
    # the read-only connection is closed: a writer can open the file in this same process
    with duckdb.connect(str(settings.warehouse_path)) as con:
        assert con.execute("select count(*) from marts.fct_article").fetchone() == (3,)


def test_bad_rows_fail_and_name_the_expectation(settings: Settings) -> None:
    bad_text = ""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        bad = _article("https://news-a.test/bad", "src-a", bad_text, datetime(2031, 1, 1), "english")
        row = {k: v for k, v in bad.items() if k != "simhash"}
        _insert(con, "marts.fct_article", [{**row, "built_at": datetime(2025, 5, 1)}])  # as a build stamps it
        con.execute(
            "insert into marts.fct_rejection (rejection_id, url, stage, batch_id, reason, is_resolved) "
            "values ('r-bad', 'https://news-a.test/x', 'translate', 'b1', 'Not Found', false)"
        )
    report = run_checks(settings, now=NOW)
    assert report.failed >= 1 and not report.success
    assert report.passed + report.failed == n_expectations()
    failures = "\n".join(report.failures)
    for expected in (
        "fct_article.text: expect_column_value_lengths_to_be_between",
        "fct_article.n_words: expect_column_values_to_be_between",
        "fct_article.language: expect_column_values_to_match_regex (1 of 4 rows unexpected)",
        "fct_article.published_at: expect_column_values_to_be_between",
        "fct_rejection.stage: expect_column_values_to_be_in_set",
        "fct_rejection.reason: expect_column_values_to_match_regex",
    ):
        assert expected in failures
    assert report.failed == 6
    assert report.report_index.is_file()
    with pytest.raises(ChecksFailed, match=f"6 of {n_expectations()} checks failed") as raised:
        raise ChecksFailed(report)
    assert raised.value.report is report
    assert ChecksFailed("a message of the caller's own", report).report is report


def test_published_at_is_judged_against_the_given_now(settings: Settings) -> None:
    """2025-04-28 is in the future for a run on 2025-04-01, and fine on 2025-05-01."""
    early = run_checks(settings, now=datetime(2025, 4, 1, tzinfo=UTC))
    assert early.failures == ["fct_article.published_at: expect_column_values_to_be_between (2 of 3 rows unexpected)"]
    assert run_checks(settings, now=NOW).failed == 0  # a second run into the same report folder


def test_empty_marts_pass(settings: Settings) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("delete from marts.fct_article")
        con.execute("delete from marts.fct_rejection")
    report = run_checks(settings, now=NOW)
    assert (report.passed, report.failed) == (n_expectations(), 0)
    assert report.report_index.is_file()


def test_missing_mart_is_a_failure(settings: Settings) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("drop table marts.fct_rejection")
    report = run_checks(settings, now=NOW)
    assert report.failures == ["fct_rejection: table marts.fct_rejection not found"]
    assert report.failed == 1
    assert report.passed == n_expectations() - 5  # the rejection suite's five are not run


def test_missing_warehouse_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_checks(Settings(home=tmp_path), now=NOW)
