"""Load: merge one batch's staged files into the warehouse's raw tables, all or nothing.

DuckDB allows one writing process, so only this stage writes (the DAG serialises it with a
one-slot pool).  The other stages write JSON Lines files into the batch's staging folder;
``load_batch`` reads them and, inside one transaction, deletes whatever the same batch wrote
before, drops duplicate articles (recorded as rejections), and inserts the rest.  A rerun of a
batch therefore leaves the warehouse as the first run did, and a crash leaves it as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np

from extract.fingerprint import jaccard, near_pairs, shingle_keys
from extract.nlp import NLP_TABLES
from extract.settings import Settings

__all__ = ["LoadResult", "connect", "count_articles", "open_warehouse", "ensure_schema", "load_batch", "STAGED_FILES"]

log = logging.getLogger(__name__)
SCHEMA_SQL = Path(__file__).with_name("schema.sql")

# staged file -> (raw table, column types in the file)
STAGED_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "sources.jsonl": (
        "sources",
        {
            "source_id": "varchar",
            "kind": "varchar",
            "location": "varchar",
            "name": "varchar",
        },
    ),
    "discovered.jsonl": ("discovered_urls", {"url": "varchar", "source_id": "varchar"}),
    "pages.jsonl": (
        "pages",
        {
            "url": "varchar",
            "final_url": "varchar",
            "source_id": "varchar",
            "http_status": "integer",
            "content_type": "varchar",
            "n_bytes": "bigint",
            "body_sha256": "varchar",
            "raw_path": "varchar",
            "fetched_at": "timestamp",
        },
    ),
    "articles.jsonl": (
        "articles",
        {
            "article_id": "varchar",
            "url": "varchar",
            "source_id": "varchar",
            "title": "varchar",
            "author": "varchar",
            "published_at": "timestamp",
            "site_name": "varchar",
            "language": "varchar",
            "text": "varchar",
            "n_words": "integer",
            "text_sha256": "varchar",
            "simhash": "ubigint",
            "fetched_at": "timestamp",
        },
    ),
    "article_nlp.jsonl": (
        "article_nlp",
        {
            "article_id": "varchar",
            "status": "varchar",
            "reason": "varchar",
            "model": "varchar",
            "n_sentences": "integer",
            "n_tokens": "integer",
        },
    ),
    "sentences.jsonl": (
        "sentences",
        {"article_id": "varchar", "sentence_index": "integer", "start_char": "integer", "end_char": "integer"},
    ),
    "article_actors.jsonl": (
        "article_actors",
        {
            "article_id": "varchar",
            "actor_id": "varchar",
            "actor_key": "varchar",
            "name": "varchar",
            "kind": "varchar",
            "country_code": "varchar",
            "sector": "varchar",
            "aliases": "varchar[]",
        },
    ),
    "actor_mentions.jsonl": (
        "actor_mentions",
        {
            "article_id": "varchar",
            "mention_index": "integer",
            "actor_id": "varchar",
            "text": "varchar",
            "start_char": "integer",
            "end_char": "integer",
            "sentence_index": "integer",
        },
    ),
    "statements.jsonl": (
        "statements",
        {
            "article_id": "varchar",
            "statement_index": "integer",
            "speaker_actor_id": "varchar",
            "text": "varchar",
            "mode": "varchar",
            "cue": "varchar",
            "start_char": "integer",
            "end_char": "integer",
            "sentence_index": "integer",
        },
    ),
    "events.jsonl": (
        "events",
        {
            "article_id": "varchar",
            "event_index": "integer",
            "event_type": "varchar",
            "source_actor_id": "varchar",
            "target_actor_id": "varchar",
            "event_date": "date",
            "date_precision": "varchar",
            "location_name": "varchar",
            "location_country_code": "varchar",
            "location_precision": "varchar",
            "confidence": "double",
            "latitude": "double",
            "longitude": "double",
            "trigger": "varchar",
            "start_char": "integer",
            "end_char": "integer",
            "sentence_index": "integer",
            "method_version": "varchar",
        },
    ),
    "visits.jsonl": (
        "visits",
        {
            "url": "varchar",
            "source_id": "varchar",
            "visited_at": "timestamp",
            "action": "varchar",
            "first_seen_at": "timestamp",
            "last_fetch_at": "timestamp",
            "http_status": "integer",
            "etag": "varchar",
            "last_modified": "varchar",
            "body_sha256": "varchar",
            "prior_text_sha256": "varchar",
        },
    ),
    "unchanged.jsonl": ("unchanged", {"url": "varchar"}),
    "rejections.jsonl": (
        "rejections",
        {
            "url": "varchar",
            "stage": "varchar",
            "reason": "varchar",
            "detail": "varchar",
        },
    ),
}


@dataclass(frozen=True)
class LoadResult:
    batch_id: str
    n_discovered: int
    n_fetched: int
    n_articles: int
    n_rejected: int
    n_duplicates: int
    # whether any article was added, replaced or removed: if not, the article marts stand as built
    articles_changed: bool = True


def open_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file.

    A reader in a process that already holds the file open for writing (dbt-duckdb run in
    process by Cosmos under ``airflow dags test`` keeps its connection) shares that
    connection's instance: DuckDB refuses a second, read-only configuration of one file.
    """
    if read_only and not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run the pipeline first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException as error:
        if not read_only or "different configuration" not in str(error):
            raise
        return duckdb.connect(str(path))


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return open_warehouse(settings.warehouse_path, read_only)


def count_articles(settings: Settings) -> int:
    """Articles in the public mart ``marts.fct_article``."""
    con = connect(settings, read_only=True)
    try:
        return con.execute("select count(*) from marts.fct_article").fetchone()[0]
    finally:
        con.close()


def raw_table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``raw.<table>`` exists: a reader of an older warehouse asks before using a newer table."""
    sql = "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?"
    return bool(con.execute(sql, [table]).fetchone()[0])


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
    # a warehouse from before raw.article_versions: its articles are each one's first version
    empty = con.execute("select not exists (select 1 from raw.article_versions)").fetchone()[0]
    if empty:
        con.execute(
            """
            insert or ignore into raw.article_versions
            select url, text_sha256, article_id, title, published_at, text, fetched_at, batch_id from raw.articles
            """
        )


def _stage_table(con: duckdb.DuckDBPyConnection, batch_dir: Path, name: str) -> None:
    """Read one staged file (every ``<stem>*.jsonl`` part) into a temp table ``staged_<table>``."""
    table, columns = STAGED_FILES[name]
    stem = name.removesuffix(".jsonl")
    parts = sorted(str(p) for p in batch_dir.glob(f"{stem}*.jsonl") if p.stat().st_size > 0)
    column_sql = ", ".join(f"{col} {kind}" for col, kind in columns.items())
    con.execute(f"create or replace temp table staged_{table} ({column_sql})")
    if parts:
        spec = "{" + ", ".join(f"'{col}': '{kind}'" for col, kind in columns.items()) + "}"
        con.execute(
            f"insert into staged_{table} select distinct * from read_json(?, format = 'newline_delimited', "
            f"columns = {spec})",
            [parts],
        )


def _mark_duplicates(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Move staged articles that repeat a kept one into the rejections; return how many.

    A repeat has the same normalised text, or a SimHash within ``near_duplicate_bits`` bits and
    shingle Jaccard similarity of at least ``near_duplicate_jaccard``.  Articles already in the
    warehouse are kept; within the batch the earliest published wins, then the first URL.

    The SimHash candidates come from ``near_pairs`` (every staged hash against every stored one,
    in numpy), each text's shingle set is built once, and only the stored articles that are
    candidates are read in full.
    """
    staged = con.execute(
        "select article_id, url, text, text_sha256, simhash from staged_articles order by published_at nulls last, url"
    ).fetchall()
    if not staged:
        return 0
    stored = con.execute("select article_id, url, text_sha256, simhash from raw.articles").fetchnumpy()
    staged_hashes = np.array([row[4] for row in staged], dtype=np.uint64)
    bits = settings.near_duplicate_bits
    # candidate: (article_id, url, text_sha256, in the warehouse already) per staged row index
    candidates: dict[int, list[tuple[str, str, str, bool]]] = {}
    for i, j in near_pairs(staged_hashes, stored["simhash"], bits).tolist():
        candidates.setdefault(i, []).append((stored["article_id"][j], stored["url"][j], stored["text_sha256"][j], True))
    for i, j in near_pairs(staged_hashes, staged_hashes, bits).tolist():
        if i != j:
            candidates.setdefault(i, []).append((staged[j][0], staged[j][1], staged[j][3], False))
    texts = {row[0]: row[2] for row in staged}
    wanted = sorted({c[0] for found in candidates.values() for c in found if c[3]})
    if wanted:
        texts.update(
            con.execute(
                "select article_id, text from raw.articles where article_id in (select unnest($ids))", {"ids": wanted}
            ).fetchall()
        )
    shingle_sets: dict[str, set[int]] = {}

    def shingles_of(article_id: str) -> set[int]:
        if article_id not in shingle_sets:
            shingle_sets[article_id] = shingle_keys(texts[article_id])
        return shingle_sets[article_id]

    kept: set[str] = set()
    duplicates: list[tuple[str, str, str, str]] = []
    for index, (article_id, url, _text, sha, _hash) in enumerate(staged):
        verdict = None
        for of_id, of_url, of_sha, existing in sorted(candidates.get(index, []), key=lambda c: c[1]):
            if of_url == url or (not existing and of_url not in kept):
                continue  # only a kept article can be the original
            exact = of_sha == sha
            if exact or jaccard(shingles_of(article_id), shingles_of(of_id)) >= settings.near_duplicate_jaccard:
                reason = "exact_duplicate" if exact else "near_duplicate"
                verdict = (url, "dedupe", reason, f"of {of_id} {of_url}")
                break
        if verdict:
            duplicates.append(verdict)
        else:
            kept.add(url)
    if duplicates:
        con.execute(
            "insert into staged_rejections select unnest($url), unnest($stage), unnest($reason), unnest($detail)",
            dict(zip(("url", "stage", "reason", "detail"), map(list, zip(*duplicates, strict=True)), strict=True)),
        )
        con.execute(
            "delete from staged_articles where url in (select unnest($urls))",
            {"urls": [d[0] for d in duplicates]},
        )
    return len(duplicates)


def load_batch(
    settings: Settings,
    batch_id: str,
    batch_dir: Path,
    interval: tuple[datetime | None, datetime | None] = (None, None),
) -> LoadResult:
    """Merge the staged files of ``batch_dir`` into the raw tables in one transaction."""
    con = connect(settings)
    try:
        ensure_schema(con)
        con.execute("begin transaction")
        for name in STAGED_FILES:
            _stage_table(con, batch_dir, name)
        for table in ("discovered_urls", "rejections", "batches", "visits", "article_versions"):
            con.execute(f"delete from raw.{table} where batch_id = ?", [batch_id])
        _insert_visits(con, batch_id)
        # the batch's own earlier rows, and older versions of the pages it refetched: a refetched
        # page replaces its old article even when it no longer yields one (every staged article
        # comes from a staged page), unless its text is the one the warehouse holds
        con.execute(
            "delete from raw.pages where batch_id = ? or url in (select url from staged_pages)",
            [batch_id],
        )
        n_replaced = con.execute(
            """
            delete from raw.articles where batch_id = ?
            or url in (select url from staged_pages where url not in (select url from staged_unchanged))
            """,
            [batch_id],
        ).fetchone()[0]
        n_duplicates = _mark_duplicates(con, settings)
        for table in NLP_TABLES:
            # facts about duplicates are dropped with them; facts whose article was just deleted
            # (reloaded or gone) go with it
            con.execute(f"delete from staged_{table} where article_id not in (select article_id from staged_articles)")
            con.execute(
                f"delete from raw.{table} where batch_id = ? or article_id not in "
                "(select article_id from raw.articles)",
                [batch_id],
            )
        con.execute(
            """
            insert or replace into raw.sources
            select source_id, kind, location, name, $batch from staged_sources
            """,
            {"batch": batch_id},
        )
        for table in ("discovered_urls", "pages", "articles", "rejections", *NLP_TABLES):
            columns = ", ".join(STAGED_FILES[_file_for(table)][1])
            if table == "rejections":
                # one reason per URL and stage: the first recorded wins
                con.execute(
                    f"""
                    insert into raw.rejections (batch_id, {columns})
                    select $batch, url, stage, min(reason), min(detail)
                    from staged_rejections group by url, stage
                    """,
                    {"batch": batch_id},
                )
                continue
            con.execute(
                f"insert into raw.{table} ({columns}, batch_id) select {columns}, $batch from staged_{table}",
                {"batch": batch_id},
            )
        con.execute(
            """
            insert or ignore into raw.article_versions
            select url, text_sha256, article_id, title, published_at, text, fetched_at, $batch from staged_articles
            """,
            {"batch": batch_id},
        )
        counts = con.execute(
            """
            select (select count(*) from staged_discovered_urls),
                   (select count(*) from staged_pages),
                   (select count(*) from staged_articles),
                   (select count(*) from raw.rejections where batch_id = $batch)
            """,
            {"batch": batch_id},
        ).fetchone()
        con.execute(
            "insert into raw.batches values ($batch, $start, $end, $d, $f, $a, $r, nextval('raw.batch_loads'))",
            {
                "batch": batch_id,
                "start": interval[0],
                "end": interval[1],
                "d": counts[0],
                "f": counts[1],
                "a": counts[2],
                "r": counts[3],
            },
        )
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass  # nothing was begun
        raise
    finally:
        con.close()
    changed = bool(n_replaced or counts[2])
    result = LoadResult(batch_id, counts[0], counts[1], counts[2], counts[3], n_duplicates, changed)
    log.info("loaded %s", result)
    return result


def _insert_visits(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """The batch's visits, their text hash settled now that its articles are staged: a new text's
    hash, the held one's where nothing new was read (or the text was unchanged), none where a
    page was read and gave no article.  Runs before deduplication, so a revisit that finds the
    same duplicate text again stops at clean."""
    con.execute(
        """
        insert into raw.visits
        select
            $batch, v.url, v.source_id, v.visited_at,
            case when u.url is not null then 'unchanged' else v.action end,
            v.first_seen_at, v.last_fetch_at, v.http_status, v.etag, v.last_modified, v.body_sha256,
            case
                when u.url is not null then v.prior_text_sha256
                when a.url is not null then a.text_sha256
                when v.action in ('fetched', 'stored', 'refetched', 'revisited') then null
                else v.prior_text_sha256
            end
        from staged_visits as v
        left join (select url, min(text_sha256) as text_sha256 from staged_articles group by url) as a using (url)
        left join (select distinct url from staged_unchanged) as u using (url)
        """,
        {"batch": batch_id},
    )


def _file_for(table: str) -> str:
    return next(name for name, (tbl, _cols) in STAGED_FILES.items() if tbl == table)
