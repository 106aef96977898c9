"""The dbt project on a real DuckDB file: an empty raw layer, two batches, and a rerun.

One module-scoped warehouse goes through: build on empty raw tables, load batch 1, build,
load batch 2 (one article re-fetched, one rejected URL now an article), build, build again.
The marts are snapshotted after each step and the tests read the snapshots.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extract.settings import PROJECT_ROOT, Settings
from extract.transform import DbtFailed, DbtResult, run_dbt

SCHEMA_SQL = PROJECT_ROOT / "extract" / "schema.sql"
MARTS = ("fct_article", "dim_source", "fct_rejection", "fct_batch")

FEED = "src-feed"
LIST = "src-list"
URL_KURSK = "https://news-a.test/2025/04/28/kursk-troops"
URL_SUMMIT = "https://news-a.test/2025/04/28/summit"
URL_LATE = "https://news-b.test/world/late-arrival"  # fetch times out in batch 1, works in 2
URL_GONE = "https://news-a.test/2025/04/27/deleted"  # 404 in both batches


def article_id(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def article(url: str, source_id: str, text: str, batch_id: str, fetched_at: str, **extra: Any) -> dict[str, Any]:
    row = {
        "article_id": article_id(url),
        "url": url,
        "source_id": source_id,
        "title": extra.pop("title", "A headline"),
        "author": extra.pop("author", None),
        "published_at": extra.pop("published_at", datetime(2025, 4, 28, 9, 30)),
        "site_name": extra.pop("site_name", "News A"),
        "language": extra.pop("language", "en"),
        "text": text,
        "n_words": len(text.split()),
        "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "simhash": int(hashlib.sha256(text.encode()).hexdigest()[:16], 16),
        "fetched_at": datetime.fromisoformat(fetched_at),
        "batch_id": batch_id,
    }
    row.update(extra)
    return row


def page(url: str, source_id: str, batch_id: str, fetched_at: str) -> dict[str, Any]:
    return {
        "url": url,
        "final_url": url,
        "source_id": source_id,
        "http_status": 200,
        "content_type": "text/html; charset=utf-8",
        "n_bytes": 48_213,
        "body_sha256": hashlib.sha256((url + fetched_at).encode()).hexdigest(),
        "raw_path": f"{batch_id}/{article_id(url)}.html.gz",
        "fetched_at": datetime.fromisoformat(fetched_at),
        "batch_id": batch_id,
    }


KURSK_V1 = (
    "Russian President Vladimir Putin thanked North Korean troops for their part in the fighting "
    "in the Kursk region, praising their solidarity."
)
KURSK_V2 = KURSK_V1 + " Pyongyang confirmed the deployment for the first time on Monday."

BATCH_1: dict[str, list[dict[str, Any]]] = {
    "sources": [
        {"source_id": FEED, "kind": "feed", "location": "https://news-a.test/feed.xml", "name": "News A",
         "batch_id": "b1"},
        {"source_id": LIST, "kind": "urls", "location": "lists/news-b.txt", "name": "News B", "batch_id": "b1"},
    ],
    "discovered_urls": [
        {"batch_id": "b1", "url": URL_KURSK, "source_id": FEED},
        {"batch_id": "b1", "url": URL_SUMMIT, "source_id": FEED},
        {"batch_id": "b1", "url": URL_GONE, "source_id": FEED},
        {"batch_id": "b1", "url": URL_LATE, "source_id": LIST},
    ],
    "pages": [
        page(URL_KURSK, FEED, "b1", "2025-04-28 10:00:00"),
        page(URL_SUMMIT, FEED, "b1", "2025-04-28 10:00:05"),
    ],
    "articles": [
        article(URL_KURSK, FEED, KURSK_V1, "b1", "2025-04-28 10:00:00", title="Putin thanks troops"),
        article(URL_SUMMIT, FEED, "Leaders met at the summit and agreed to talk again.", "b1", "2025-04-28 10:00:05",
                published_at=datetime(2025, 4, 27, 18, 0)),
    ],
    "rejections": [
        {"batch_id": "b1", "url": URL_LATE, "stage": "fetch", "reason": "timeout", "detail": "read timed out"},
        {"batch_id": "b1", "url": URL_GONE, "stage": "fetch", "reason": "http_404", "detail": None},
    ],
    "batches": [
        {"batch_id": "b1", "interval_start": datetime(2025, 4, 28), "interval_end": datetime(2025, 4, 29),
         "n_discovered": 4, "n_fetched": 2, "n_articles": 2, "n_rejected": 2},
    ],
}  # fmt: skip

BATCH_2: dict[str, list[dict[str, Any]]] = {
    "sources": [],
    "discovered_urls": [
        {"batch_id": "b2", "url": URL_KURSK, "source_id": FEED},
        {"batch_id": "b2", "url": URL_GONE, "source_id": FEED},
        {"batch_id": "b2", "url": URL_LATE, "source_id": LIST},
    ],
    "pages": [
        page(URL_KURSK, FEED, "b2", "2025-04-29 10:00:00"),
        page(URL_LATE, LIST, "b2", "2025-04-29 10:00:07"),
    ],
    "articles": [
        article(URL_KURSK, FEED, KURSK_V2, "b2", "2025-04-29 10:00:00", title="Putin thanks troops"),
        article(URL_LATE, LIST, "Officials in Seoul said the talks would resume next week.", "b2",
                "2025-04-29 10:00:07", site_name="News B", published_at=datetime(2025, 4, 29, 7, 15)),
    ],
    "rejections": [
        {"batch_id": "b2", "url": URL_GONE, "stage": "fetch", "reason": "http_404", "detail": None},
    ],
    "batches": [
        {"batch_id": "b2", "interval_start": datetime(2025, 4, 29), "interval_end": datetime(2025, 4, 30),
         "n_discovered": 3, "n_fetched": 2, "n_articles": 2, "n_rejected": 1},
    ],
}  # fmt: skip

KEYS = {
    "sources": ("source_id",),
    "discovered_urls": ("batch_id", "url"),
    "pages": ("url",),
    "articles": ("article_id",),
    "rejections": ("batch_id", "url", "stage"),
    "batches": ("batch_id",),
}


def create_raw(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))


def load_batch(path: Path, batch_id: str, batch: dict[str, list[dict[str, Any]]]) -> None:
    """Load a batch as extract/load.py does: replace the batch's rows, the latest fetch wins."""
    with duckdb.connect(str(path)) as con:
        for table in ("discovered_urls", "rejections", "batches"):
            con.execute(f"delete from raw.{table} where batch_id = ?", [batch_id])
        con.execute("delete from raw.articles where batch_id = ?", [batch_id])
        for table, rows in batch.items():
            for row in rows:
                key = KEYS[table]
                where = " and ".join(f"{k} = ?" for k in key)
                con.execute(f"delete from raw.{table} where {where}", [row[k] for k in key])
                if table == "articles":  # url is unique too
                    con.execute("delete from raw.articles where url = ?", [row["url"]])
                columns = ", ".join(row)
                marks = ", ".join("?" for _ in row)
                con.execute(f"insert into raw.{table} ({columns}) values ({marks})", list(row.values()))


def snapshot(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every mart's rows as dicts (sorted by their first column), plus fct_article's rowids."""
    out: dict[str, list[dict[str, Any]]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in MARTS:
            cursor = con.execute(f"select * from marts.{table} order by 1")
            names = [d[0] for d in cursor.description]
            out[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        out["_article_rowids"] = [
            {"article_id": a, "rowid": r}
            for a, r in con.execute("select article_id, rowid from marts.fct_article order by 1").fetchall()
        ]
    return out


def by(rows: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(home=tmp_path_factory.mktemp("dbt"))
    path = settings.warehouse_path
    create_raw(path)
    project_manifest = Path(settings.dbt_project_dir) / "target" / "manifest.json"
    steps: dict[str, Any] = {"settings": settings, "project_manifest_before": _stat(project_manifest)}
    steps["empty_result"] = run_dbt(settings)
    steps["empty"] = snapshot(path)
    load_batch(path, "b1", BATCH_1)
    run_dbt(settings)
    steps["b1"] = snapshot(path)
    load_batch(path, "b2", BATCH_2)
    steps["b2_result"] = run_dbt(settings)
    steps["b2"] = snapshot(path)
    steps["rerun_result"] = run_dbt(settings)
    steps["rerun"] = snapshot(path)
    steps["project_manifest_after"] = _stat(project_manifest)
    return steps


def _stat(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def test_dbt_keeps_its_files_beside_the_warehouse_not_in_the_project(warehouse: dict[str, Any]) -> None:
    """A build writes its target/ beside the warehouse: the manifest the DAG renders from is
    never rewritten (nor left half-written by a killed build), and two warehouses never share."""
    settings = warehouse["settings"]
    beside = settings.warehouse_path.with_name(f"{settings.warehouse_path.stem}.dbt")
    assert (beside / "target" / "manifest.json").is_file()
    assert (beside / "target" / "run_results.json").is_file()
    assert warehouse["project_manifest_after"] == warehouse["project_manifest_before"]


def test_build_on_empty_raw_layer(warehouse: dict[str, Any]) -> None:
    result: DbtResult = warehouse["empty_result"]
    assert result.success and result.failures == [] and result.tests_failed == 0
    project = Path(warehouse["settings"].dbt_project_dir)
    n_nodes = len(list((project / "models").rglob("*.sql"))) + len(list((project / "seeds").glob("*.csv")))
    assert result.models_built == n_nodes  # every model and seed, none skipped
    assert result.tests_passed >= 40
    assert all(warehouse["empty"][table] == [] for table in MARTS)


def test_public_contract_of_fct_article(warehouse: dict[str, Any]) -> None:
    with duckdb.connect(str(warehouse["settings"].warehouse_path), read_only=True) as con:
        columns = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'marts' and table_name = 'fct_article'"
            ).fetchall()
        )
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
    assert set(MARTS) <= tables
    assert {
        "article_id": "VARCHAR", "url": "VARCHAR", "title": "VARCHAR", "text": "VARCHAR",
        "published_at": "TIMESTAMP", "language": "VARCHAR", "source_id": "VARCHAR",
        "author": "VARCHAR", "site_name": "VARCHAR", "n_words": "INTEGER",
        "fetched_at": "TIMESTAMP", "batch_id": "VARCHAR",
    }.items() <= columns.items()  # fmt: skip


def test_refetched_article_appears_once_with_new_text(warehouse: dict[str, Any]) -> None:
    before = by(warehouse["b1"]["fct_article"], url=URL_KURSK)
    after = by(warehouse["b2"]["fct_article"], url=URL_KURSK)
    assert [(r["text"], r["batch_id"]) for r in before] == [(KURSK_V1, "b1")]
    assert [(r["text"], r["batch_id"]) for r in after] == [(KURSK_V2, "b2")]
    assert after[0]["fetched_at"] == datetime(2025, 4, 29, 10)
    assert after[0]["n_words"] == len(KURSK_V2.split())
    assert sorted(r["url"] for r in warehouse["b2"]["fct_article"]) == sorted([URL_KURSK, URL_SUMMIT, URL_LATE])


def test_incremental_build_rewrites_only_changed_articles(warehouse: dict[str, Any]) -> None:
    rowids_b1 = {r["article_id"]: r["rowid"] for r in warehouse["b1"]["_article_rowids"]}
    rowids_b2 = {r["article_id"]: r["rowid"] for r in warehouse["b2"]["_article_rowids"]}
    assert rowids_b2[article_id(URL_SUMMIT)] == rowids_b1[article_id(URL_SUMMIT)]  # untouched
    assert rowids_b2[article_id(URL_KURSK)] != rowids_b1[article_id(URL_KURSK)]  # replaced
    built_b1 = {r["article_id"]: r["built_at"] for r in warehouse["b1"]["fct_article"]}
    built_b2 = {r["article_id"]: r["built_at"] for r in warehouse["b2"]["fct_article"]}
    assert built_b2[article_id(URL_SUMMIT)] == built_b1[article_id(URL_SUMMIT)]
    assert built_b2[article_id(URL_KURSK)] > built_b1[article_id(URL_KURSK)]
    assert built_b2[article_id(URL_LATE)] == built_b2[article_id(URL_KURSK)]  # one stamp per build


def test_rejections_latest_per_url_and_stage_with_resolution(warehouse: dict[str, Any]) -> None:
    rejections = warehouse["b2"]["fct_rejection"]
    assert len(rejections) == 2
    (late,) = by(rejections, url=URL_LATE, stage="fetch")
    assert (late["batch_id"], late["reason"], late["is_resolved"]) == ("b1", "timeout", True)
    assert late["article_id"] == article_id(URL_LATE)
    (gone,) = by(rejections, url=URL_GONE, stage="fetch")
    assert (gone["batch_id"], gone["reason"], gone["is_resolved"]) == ("b2", "http_404", False)
    assert gone["n_batches_rejected"] == 2 and gone["article_id"] is None
    # after batch 1 alone, nothing was resolved yet
    assert [r["is_resolved"] for r in warehouse["b1"]["fct_rejection"]] == [False, False]


def test_dim_source_counts(warehouse: dict[str, Any]) -> None:
    sources = {r["source_id"]: r for r in warehouse["b2"]["dim_source"]}
    assert set(sources) == {FEED, LIST}
    feed, lst = sources[FEED], sources[LIST]
    assert (feed["n_articles"], feed["n_urls_discovered"], feed["n_pages"]) == (2, 3, 2)
    assert feed["first_published_at"] == datetime(2025, 4, 27, 18, 0)
    assert feed["last_published_at"] == datetime(2025, 4, 28, 9, 30)
    assert (lst["n_articles"], lst["source_kind"], lst["source_name"]) == (1, "urls", "News B")


def test_fct_batch_counts(warehouse: dict[str, Any]) -> None:
    batches = {r["batch_id"]: r for r in warehouse["b2"]["fct_batch"]}
    assert [batches[b]["batch_seq"] for b in ("b1", "b2")] == [1, 2]
    assert batches["b1"]["n_articles"] == 2 and batches["b1"]["n_articles_current"] == 1
    assert batches["b2"]["n_articles_current"] == 2
    assert (batches["b1"]["n_urls_discovered"], batches["b1"]["n_rejections"]) == (4, 2)
    assert all(b["is_recorded"] for b in batches.values())


def test_second_build_without_new_data_changes_nothing(warehouse: dict[str, Any]) -> None:
    result: DbtResult = warehouse["rerun_result"]
    assert result.success and result.tests_failed == 0
    assert warehouse["rerun"] == warehouse["b2"]  # rowids included: no article rewritten


def test_rerun_of_a_batch_replaces_its_rows(warehouse: dict[str, Any], tmp_path: Path) -> None:
    """Batch 2 rerun: the late article is now a duplicate (gone from raw), Kursk text changes."""
    settings: Settings = warehouse["settings"].replace(home=tmp_path)
    shutil.copy(warehouse["settings"].warehouse_path, settings.warehouse_path)
    kursk_v3 = KURSK_V2 + " Kim Jong Un attended the ceremony."
    rerun = {
        **BATCH_2,
        "articles": [article(URL_KURSK, FEED, kursk_v3, "b2", "2025-04-29 11:00:00")],
        "rejections": BATCH_2["rejections"]
        + [{"batch_id": "b2", "url": URL_LATE, "stage": "dedupe", "reason": "near_duplicate", "detail": URL_SUMMIT}],
    }
    load_batch(settings.warehouse_path, "b2", rerun)
    run_dbt(settings)
    marts = snapshot(settings.warehouse_path)
    assert sorted(r["url"] for r in marts["fct_article"]) == sorted([URL_KURSK, URL_SUMMIT])
    assert [r["text"] for r in by(marts["fct_article"], url=URL_KURSK)] == [kursk_v3]
    late = {r["stage"]: r for r in by(marts["fct_rejection"], url=URL_LATE)}
    assert set(late) == {"fetch", "dedupe"} and not any(r["is_resolved"] for r in late.values())


def test_failing_data_test_raises_with_its_name(warehouse: dict[str, Any], tmp_path: Path) -> None:
    settings: Settings = warehouse["settings"].replace(home=tmp_path)
    shutil.copy(warehouse["settings"].warehouse_path, settings.warehouse_path)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("update marts.fct_article set source_id = 'src-unknown' where url = ?", [URL_SUMMIT])
    with pytest.raises(DbtFailed) as failed:
        run_dbt(settings, command="test", select="fct_article")
    result = failed.value.result
    assert result is not None and result.tests_failed == 1
    assert result.failures == ["relationships_fct_article_source_id__source_id__ref_dim_source_"]
    assert "relationships_fct_article_source_id" in str(failed.value)
