"""The dbt project on a real DuckDB file: an empty raw layer, two batches, and a rerun.

One module-scoped warehouse goes through: build on empty raw tables, load batch 1, build,
load batch 2 (one article re-fetched, one rejected URL now an article), build, build again.
The marts are snapshotted after each step and the tests read the snapshots.  These batches
predate the frontier (no visits).  A second warehouse holds three batches with visits, the
last one changing no article, and builds only the batch marts for it as the pipeline does.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from extract.frontier import ACTIONS
from extract.load import ensure_schema
from extract.pipeline import BATCH_MARTS
from extract.settings import Settings
from extract.transform import DbtFailed, DbtResult, run_dbt

MARTS = ("fct_article", "dim_source", "fct_rejection", "fct_batch", "dim_url")
# fct_batch's counts of visits: n_urls_<this>
VISIT_COUNTS = ("fetched", "seen_again", "not_modified", "unchanged", "revisited", "failed")

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
    "visits": ("batch_id", "url"),
    "article_versions": ("url", "text_sha256"),
}


def create_raw(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)


def load_batch(path: Path, batch_id: str, batch: dict[str, list[dict[str, Any]]]) -> None:
    """Load a batch as extract/load.py does: replace the batch's rows, the latest fetch wins."""
    with duckdb.connect(str(path)) as con:
        for table in ("discovered_urls", "rejections", "batches", "visits", "article_versions"):
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
    # loaded before the frontier existed: no visits, so every visit count is 0 (not null)
    assert all(b[f"n_urls_{count}"] == 0 for b in batches.values() for count in VISIT_COUNTS)
    assert warehouse["b2"]["dim_url"] == []


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


# The frontier: three batches with visits.  f1 (hourly) fetches five URLs, one fails; f2 (hourly,
# six hours on) finds the list URL not due (a list is never revisited), gets a 304, a changed
# text, the same text, and takes a new URL from the raw store; f3 (a manual run half an hour
# later) finds nothing due and changes no article, so the pipeline builds only BATCH_MARTS.
T1, T2, T3 = datetime(2025, 5, 1, 1), datetime(2025, 5, 1, 7), datetime(2025, 5, 1, 7, 30)
U_LISTED = "https://news-c.test/listed"  # from the list: fetched, then seen again
U_304 = "https://news-c.test/not-modified"  # fetched, then a 304
U_EDITED = "https://news-c.test/edited"  # fetched, then revisited with a new text
U_DOWN = "https://news-c.test/down"  # fetch fails, never discovered again
U_SAME = "https://news-c.test/same-text"  # fetched, then fetched again with the same text
U_STORED = "https://news-c.test/from-store"  # new in f2, its page already in the raw store
FRONTIER_URLS = (U_LISTED, U_304, U_EDITED, U_DOWN, U_SAME, U_STORED)


def story(url: str, version: int = 1) -> str:
    return f"Version {version} of the story at {url}: officials met and agreed to talk again next week."


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def version_of(row: dict[str, Any]) -> dict[str, Any]:
    """The raw.article_versions row of a raw.articles row."""
    keys = ("url", "text_sha256", "article_id", "title", "published_at", "text", "fetched_at", "batch_id")
    return {k: row[k] for k in keys}


def visit(
    batch_id: str, url: str, at: datetime, action: str, first_seen_at: datetime, last_fetch_at: datetime | None,
    status: int | None = None, text: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A visit row as extract/load.py writes it; the validators stay those of the first fetch."""
    fetched = last_fetch_at is not None
    return {
        "batch_id": batch_id,
        "url": url,
        "source_id": LIST if url == U_LISTED else FEED,
        "visited_at": at,
        "action": action,
        "first_seen_at": first_seen_at,
        "last_fetch_at": last_fetch_at,
        "http_status": status,
        "etag": f'"{sha(url)[:8]}"' if fetched else None,
        "last_modified": "Thu, 01 May 2025 00:30:00 GMT" if fetched else None,
        "body_sha256": sha(url) if fetched else None,
        "text_sha256": sha(text) if text is not None else None,
    }


def discovered(batch_id: str, urls: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"batch_id": batch_id, "url": url, "source_id": LIST if url == U_LISTED else FEED} for url in urls]


def frontier_articles(batch_id: str, fetched_at: str, texts: dict[str, str]) -> list[dict[str, Any]]:
    return [article(url, LIST if url == U_LISTED else FEED, text, batch_id, fetched_at) for url, text in texts.items()]


F1_ARTICLES = frontier_articles("f1", "2025-05-01 00:59:00", {u: story(u) for u in (U_LISTED, U_304, U_EDITED, U_SAME)})
F2_ARTICLES = frontier_articles("f2", "2025-05-01 06:59:00", {U_EDITED: story(U_EDITED, 2), U_STORED: story(U_STORED)})
FRONTIER_1: dict[str, list[dict[str, Any]]] = {
    "sources": BATCH_1["sources"],
    "discovered_urls": discovered("f1", (U_LISTED, U_304, U_EDITED, U_DOWN, U_SAME)),
    "pages": [page(a["url"], a["source_id"], "f1", "2025-05-01 00:59:00") for a in F1_ARTICLES],
    "articles": F1_ARTICLES,
    "article_versions": [version_of(a) for a in F1_ARTICLES],
    "rejections": [{"batch_id": "f1", "url": U_DOWN, "stage": "fetch", "reason": "timeout", "detail": None}],
    "visits": [
        visit("f1", U_LISTED, T1, "fetched", T1, T1, 200, story(U_LISTED)),
        visit("f1", U_304, T1, "fetched", T1, T1, 200, story(U_304)),
        visit("f1", U_EDITED, T1, "fetched", T1, T1, 200, story(U_EDITED)),
        visit("f1", U_DOWN, T1, "failed", T1, T1),
        visit("f1", U_SAME, T1, "fetched", T1, T1, 200, story(U_SAME)),
    ],
    "batches": [{"batch_id": "f1", "interval_start": datetime(2025, 5, 1), "interval_end": T1,
                 "n_discovered": 5, "n_fetched": 4, "n_articles": 4, "n_rejected": 1}],
}  # fmt: skip
FRONTIER_2: dict[str, list[dict[str, Any]]] = {
    "sources": [],
    "discovered_urls": discovered("f2", (U_LISTED, U_304, U_EDITED, U_SAME, U_STORED)),
    "pages": [page(u, FEED, "f2", "2025-05-01 06:59:00") for u in (U_EDITED, U_SAME, U_STORED)],
    "articles": F2_ARTICLES,
    "article_versions": [version_of(a) for a in F2_ARTICLES],
    "rejections": [],
    "visits": [
        visit("f2", U_LISTED, T2, "seen_again", T1, T1, None, story(U_LISTED)),
        visit("f2", U_304, T2, "not_modified", T1, T2, 304, story(U_304)),
        visit("f2", U_EDITED, T2, "revisited", T1, T2, 200, story(U_EDITED, 2)),
        visit("f2", U_SAME, T2, "unchanged", T1, T2, 200, story(U_SAME)),
        visit("f2", U_STORED, T2, "fetched", T2, T2, 200, story(U_STORED)),
    ],
    "batches": [{"batch_id": "f2", "interval_start": datetime(2025, 5, 1, 6), "interval_end": T2,
                 "n_discovered": 5, "n_fetched": 3, "n_articles": 2, "n_rejected": 0}],
}  # fmt: skip
F3_URLS = (U_LISTED, U_304, U_EDITED, U_SAME, U_STORED)
FRONTIER_3: dict[str, list[dict[str, Any]]] = {
    "sources": [],
    "discovered_urls": discovered("f3", F3_URLS),
    "visits": [
        {**prior, "batch_id": "f3", "visited_at": T3, "action": "seen_again", "http_status": None}
        for prior in FRONTIER_2["visits"]
    ],
    "batches": [{"batch_id": "f3", "interval_start": None, "interval_end": None,
                 "n_discovered": 5, "n_fetched": 0, "n_articles": 0, "n_rejected": 0}],
}  # fmt: skip


@pytest.fixture(scope="module")
def frontier(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    settings = Settings(home=tmp_path_factory.mktemp("frontier"))
    path = settings.warehouse_path
    create_raw(path)
    load_batch(path, "f1", FRONTIER_1)
    load_batch(path, "f2", FRONTIER_2)
    steps: dict[str, Any] = {"build_result": run_dbt(settings)}
    steps["f2"] = snapshot(path)
    load_batch(path, "f3", FRONTIER_3)
    steps["f3_result"] = run_dbt(settings, select=BATCH_MARTS)  # as run_transform after no article changed
    steps["f3"] = snapshot(path)
    steps["alone_result"] = run_dbt(settings, select="dim_url")
    steps["alone"] = snapshot(path)
    return steps


def test_dim_url_holds_each_urls_latest_visit(frontier: dict[str, Any]) -> None:
    assert frontier["build_result"].success and frontier["build_result"].tests_failed == 0
    urls = {r["url"]: r for r in frontier["f2"]["dim_url"]}
    assert set(urls) == set(FRONTIER_URLS)

    def row(url: str, *columns: str) -> tuple[Any, ...]:
        return tuple(urls[url][c] for c in columns)

    frontier_state = ("last_action", "first_seen_at", "last_seen_at", "last_fetch_at", "http_status")
    counts = ("n_visits", "n_fetches", "n_text_versions")
    assert row(U_LISTED, *frontier_state) == ("seen_again", T1, T2, T1, None)
    assert row(U_LISTED, *counts) == (2, 1, 1)
    assert row(U_LISTED, "source_id", "etag", "article_id") == (LIST, f'"{sha(U_LISTED)[:8]}"', article_id(U_LISTED))
    assert row(U_304, *frontier_state) == ("not_modified", T1, T2, T2, 304)
    assert row(U_304, *counts) == (2, 2, 1)
    assert row(U_EDITED, "last_action", "text_sha256") == ("revisited", sha(story(U_EDITED, 2)))
    assert row(U_EDITED, *counts) == (2, 2, 2)  # both texts kept
    assert row(U_SAME, "last_action", "text_sha256", *counts) == ("unchanged", sha(story(U_SAME)), 2, 2, 1)
    assert row(U_DOWN, *frontier_state) == ("failed", T1, T1, T1, None)
    assert row(U_DOWN, *counts, "article_id", "text_sha256") == (1, 1, 0, None, None)
    # read from the raw store, new to the warehouse: a fetch like any other
    assert row(U_STORED, "last_action", "first_seen_at", *counts) == ("fetched", T2, 1, 1, 1)
    assert row(U_STORED, "article_id", "source_id") == (article_id(U_STORED), FEED)


def test_fct_batch_counts_what_each_batch_did_with_its_urls(frontier: dict[str, Any]) -> None:
    batches = {r["batch_id"]: r for r in frontier["f3"]["fct_batch"]}
    counts = {b: tuple(batches[b][f"n_urls_{count}"] for count in VISIT_COUNTS) for b in batches}
    assert counts == {
        "f1": (4, 0, 0, 0, 0, 1),
        "f2": (1, 1, 1, 1, 1, 0),  # fetched counts the page taken from the raw store
        "f3": (0, 5, 0, 0, 0, 0),
    }
    assert [batches[b]["batch_seq"] for b in ("f1", "f2", "f3")] == [1, 2, 3]


def test_batch_marts_build_alone_after_a_batch_that_changed_no_article(frontier: dict[str, Any]) -> None:
    """The pipeline's build after a load that changed no article: the batch marts are current,
    no article mart is rebuilt, and dim_url also builds when selected by itself."""
    result: DbtResult = frontier["f3_result"]
    assert result.success and result.tests_failed == 0
    assert result.models_built == len(BATCH_MARTS.split())
    before, after = frontier["f2"], frontier["f3"]
    assert after["fct_article"] == before["fct_article"]  # built_at included
    assert after["_article_rowids"] == before["_article_rowids"]
    urls = {r["url"]: r for r in after["dim_url"]}
    for url in F3_URLS:
        assert (urls[url]["last_action"], urls[url]["last_seen_at"]) == ("seen_again", T3)
        assert urls[url]["n_visits"] == by(before["dim_url"], url=url)[0]["n_visits"] + 1
    assert urls[U_DOWN] == by(before["dim_url"], url=U_DOWN)[0]
    assert urls[U_304]["last_fetch_at"] == T2 and urls[U_304]["n_fetches"] == 2
    alone: DbtResult = frontier["alone_result"]
    assert alone.success and alone.tests_failed == 0 and alone.models_built == 1
    assert frontier["alone"] == after


def test_accepted_actions_are_the_frontiers() -> None:
    """The dbt tests accept exactly the actions extract/frontier.py records."""
    models = Path(Settings().dbt_project_dir) / "models"
    accepted = {}
    for yml, model, column in (
        ("staging/_staging__models.yml", "stg_wirehouse__visits", "action"),
        ("marts/_marts__models.yml", "dim_url", "last_action"),
    ):
        spec = yaml.safe_load((models / yml).read_text(encoding="utf-8"))
        (node,) = [m for m in spec["models"] if m["name"] == model]
        (col,) = [c for c in node["columns"] if c["name"] == column]
        tests = [t["accepted_values"] for t in col["data_tests"] if isinstance(t, dict) and "accepted_values" in t]
        accepted[model] = tests[0]["arguments"]["values"]
    assert accepted == {"stg_wirehouse__visits": list(ACTIONS), "dim_url": list(ACTIONS)}
