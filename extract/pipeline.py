"""The pipeline's stages as plain functions over a batch: the DAG's tasks and the CLI call these.

    discover -> fetch -> clean -> nlp -> load -> transform (dbt build) -> checks (Great Expectations)

Each stage reads what the previous one left in the batch's staging folder and writes its own
files there (``extract.staging``); only ``load`` writes the warehouse.  Rerunning a stage for
the same batch rewrites its own files, so reruns never add anything twice.

fetch, clean and nlp take an optional ``part``: the DAG runs them once per part of the batch,
on as many workers as there are (``extract.partition``); without a part they cover the whole
batch, as ``wirehouse run`` does.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any, Iterable, Sequence

from extract.clean import Article, clean_page
from extract.frontier import Known, due, read_frontier, revisit_ages
from extract.load import LoadResult, load_batch
from extract.parallel import map_chunks
from extract.partition import (
    STAGE_OUTPUTS,
    clear_after_discover,
    clear_stage,
    input_files,
    merge_counts,
    output_name,
    select_part,
    write_plan,
)
from extract.rawstore import RawStore
from extract.records import Rejection
from extract.settings import Settings
from extract.sources import Source
from extract.staging import JsonlWriter, batch_dir, jsonl_line, read_jsonl, write_jsonl

__all__ = [
    "Report",
    "StageCounts",
    "batch_id_for_interval",
    "clean_pages",
    "manual_batch_id",
    "run_checks_stage",
    "run_clean",
    "run_discover",
    "run_fetch",
    "run_load",
    "run_nlp",
    "run_transform",
]

log = logging.getLogger(__name__)
# what a batch that changed no article still changes: its own row, its rejections, its sources, the frontier
# (with the frontier's staging views, which a warehouse from before the frontier lacks until built)
BATCH_MARTS = "stg_wirehouse__visits stg_wirehouse__article_versions fct_batch fct_rejection dim_source dim_url"
BATCH_FILE = "batch.json"  # the batch's own facts, written by discover: its time (as_of)

# ``report(done, total)``: how far a stage is, in its items; the CLI draws it (extract/progress.py)
Report = Callable[[int, int], None]


@dataclass(frozen=True)
class StageCounts:
    stage: str
    n_in: int
    n_out: int
    n_rejected: int
    n_cached: int = 0
    n_skipped: int = 0  # fetch: URLs seen again or not modified; clean: pages whose text is unchanged

    def record(self, settings: Settings, batch_id: str, part: int | None = None) -> StageCounts:
        """Leave the counts beside the batch's files, for the run summary (one file per part)."""
        path = batch_dir(settings, batch_id) / output_name(f"counts-{self.stage}", part, ".json")
        path.write_text(json.dumps(asdict(self), sort_keys=True), encoding="utf-8")
        return self


def batch_id_for_interval(start: datetime, prefix: str = "run") -> str:
    """The batch of a data interval: the same interval always maps to the same batch."""
    start = start.astimezone(UTC) if start.tzinfo else start
    return f"{prefix}_{start:%Y%m%dT%H%M%S}"


def manual_batch_id(now: datetime | None = None) -> str:
    """A batch id no other run gets: a hand-made run (``wirehouse run`` without ``--batch-id``)
    must never replace another one's batch, even one started in the same second.  The DAG keeps
    ``batch_id_for_interval``, so a rerun of an interval replaces its own batch."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return f"cli_{when:%Y%m%dT%H%M%S}_{secrets.token_hex(3)}"


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def _rejection_rows(rejections: Iterable[Rejection]) -> list[dict[str, Any]]:
    rows = {
        (r.url, r.stage): {"url": r.url, "stage": r.stage, "reason": r.reason, "detail": r.detail} for r in rejections
    }
    return [rows[key] for key in sorted(rows)]


def run_discover(
    settings: Settings, batch_id: str, sources: list[Source], as_of: datetime | None = None
) -> StageCounts:
    """Find the batch's URLs in its feeds, sitemaps and URL lists, and cut them into parts.

    ``as_of`` is the batch's time, which the frontier judges revisits by: the end of its data
    interval for a scheduled batch (so a rerun decides as the first run did), the present
    moment for a hand-made one."""
    from extract.sources import discover

    folder = batch_dir(settings, batch_id)
    found, rejections = discover(sources, settings)
    clear_after_discover(folder)
    moment = as_of or datetime.now(UTC)
    moment = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment  # naive: UTC already
    (folder / BATCH_FILE).write_text(json.dumps({"as_of": moment.isoformat()}), encoding="utf-8")
    write_jsonl(
        folder / "sources.jsonl",
        (
            {"source_id": s.source_id, "kind": s.kind, "location": s.location, "name": s.name}
            for s in sorted(set(sources), key=lambda s: s.source_id)
        ),
    )
    write_jsonl(folder / "discovered.jsonl", ({"url": d.url, "source_id": d.source_id} for d in found))
    write_jsonl(folder / "rejections-discover.jsonl", _rejection_rows(rejections))
    write_plan(folder, len({d.url for d in found}), settings.part_size)
    return StageCounts("discover", len(sources), len(found), len(rejections)).record(settings, batch_id)


def run_fetch(
    settings: Settings, batch_id: str, part: int | None = None, progress: Report | None = None
) -> StageCounts:
    """Visit every discovered URL (of ``part``) as the frontier says (``extract.frontier``): new
    URLs from the raw store or the site, known ones only when a revisit is due (conditionally),
    every one with ``refetch``.  Each URL leaves one visit row; each page fetched or taken from
    the store, one page row.  ``progress`` hears of the URLs that need no request at once, then
    of each fetch as it ends."""
    from extract.fetch import Validators, fetch_all

    folder = batch_dir(settings, batch_id)
    store = RawStore(settings.raw_path)
    every = {row["url"]: row["source_id"] for row in read_jsonl(folder / "discovered.jsonl")}
    discovered = dict(select_part(folder, list(every.items()), part))
    clear_stage(folder, "fetch", part)
    as_of = read_as_of(folder)
    sources = {row["source_id"]: row for row in read_jsonl(folder / "sources.jsonl")}
    known = read_frontier(settings, batch_id, as_of, list(discovered))
    ages = revisit_ages(settings.revisit_after)
    pages: list[dict[str, Any]] = []
    visits: dict[str, dict[str, Any]] = {}
    requests: dict[str, str] = {}  # url -> the action a successful fetch records
    validators: dict[str, Validators] = {}
    for url, source_id in discovered.items():
        seen = known.get(url)
        if settings.refetch:
            requests[url] = "refetched"  # a full pass: a plain request, whatever the frontier says
            continue
        if seen is not None:
            from_list = sources.get(source_id, {}).get("kind") == "urls"
            if seen.body_sha256 is None and from_list:
                requests[url] = "fetched"  # a listed URL that never came: every run tries again
            elif seen.body_sha256 is None and due(seen, as_of, ages):
                requests[url] = "fetched"  # a feed's URL that never came: again at each age
            elif not from_list and due(seen, as_of, ages):
                requests[url] = "revisited"
                validators[url] = Validators(seen.etag, seen.last_modified)
            else:
                visits[url] = _visit(url, source_id, as_of, "seen_again", seen)
            continue
        meta = store.meta(url)
        if meta is None:
            requests[url] = "fetched"
            continue
        pages.append({**_page_row(meta), "source_id": source_id})
        # a rerun of a batch reads what its first run fetched: the same visit, with no request
        visits[url] = _visit(url, source_id, as_of, "fetched", None, meta=meta, asked=True)
    n_cached, n_seen = len(pages), len(visits) - len(pages)
    rejections: list[Rejection] = []
    if progress:
        progress(len(visits), len(discovered))
    for result in fetch_all(list(requests), settings, validators=validators):
        if progress:
            progress(len(visits) + 1, len(discovered))
        url, source_id, seen = result.url, discovered[result.url], known.get(result.url)
        if not result.ok:
            rejections.append(Rejection(url, "fetch", result.reason or "unknown", result.detail))
            visits[url] = _visit(url, source_id, as_of, "failed", seen, asked=True, status=result.status)
            continue
        if result.not_modified:
            visits[url] = _visit(url, source_id, as_of, "not_modified", seen, asked=True, status=result.status)
            continue
        body = result.body or b""
        meta = {
            "final_url": result.final_url,
            "http_status": result.status,
            "content_type": result.content_type,
            "n_bytes": len(body),
            "body_sha256": sha256(body).hexdigest(),
            "fetched_at": _now(),
            "etag": result.etag,
            "last_modified": result.last_modified,
            "source_id": source_id,
            "source": sources.get(source_id),
        }
        raw_path = store.put(url, body, meta)
        page = {**_page_row({**meta, "url": url, "raw_path": raw_path}), "source_id": source_id}
        if requests[url] == "revisited" and seen is not None:
            page["prior_text_sha256"] = seen.text_sha256  # clean stops here if the text is the same
        pages.append(page)
        visits[url] = _visit(url, source_id, as_of, requests[url], seen, meta=meta, asked=True)
    pages.sort(key=lambda row: row["url"])
    write_jsonl(folder / output_name("pages", part), pages)
    write_jsonl(folder / output_name("visits", part), (visits[url] for url in sorted(visits)))
    write_jsonl(folder / output_name("rejections-fetch", part), _rejection_rows(rejections))
    n_not_modified = sum(1 for visit in visits.values() if visit["action"] == "not_modified")
    counts = StageCounts("fetch", len(discovered), len(pages), len(rejections), n_cached, n_seen + n_not_modified)
    return counts.record(settings, batch_id, part)


def _visit(
    url: str,
    source_id: str,
    as_of: datetime,
    action: str,
    seen: Known | None,
    *,
    meta: dict[str, Any] | None = None,
    asked: bool = False,
    status: int | None = None,
) -> dict[str, Any]:
    """One URL's visit row: what this batch did, and the frontier state it leaves, carried from
    the visit before (``seen``) where this one learnt nothing new.  The text hash is settled at
    load, when the batch's articles are known."""
    before = seen or Known(url, as_of, None, None, None, None, None)
    if meta is not None:  # a page was read: its validators and body replace the ones before
        learnt = {key: meta.get(key) for key in ("http_status", "etag", "last_modified", "body_sha256")}
    else:
        learnt = {
            "http_status": status,
            "etag": before.etag,
            "last_modified": before.last_modified,
            "body_sha256": before.body_sha256,
        }
    return {
        "url": url,
        "source_id": source_id,
        "visited_at": as_of.isoformat(),
        "action": action,
        "first_seen_at": before.first_seen_at.isoformat(),
        "last_fetch_at": as_of.isoformat() if asked else _iso(before.last_fetch_at),
        **learnt,
        "prior_text_sha256": before.text_sha256,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def read_as_of(folder: Path) -> datetime:
    """The batch's time (``batch.json``, written by discover): the frontier's "now" for it."""
    path = folder / BATCH_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run discover for this batch first")
    return datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["as_of"])


def _page_row(meta: dict[str, Any]) -> dict[str, Any]:
    keys = ("url", "final_url", "http_status", "content_type", "n_bytes", "body_sha256", "raw_path", "fetched_at")
    return {key: meta.get(key) for key in keys}


def _read_stage_input(folder: Path, stem: str, part: int | None) -> list[dict[str, Any]]:
    return [row for path in input_files(folder, stem, part) for row in read_jsonl(path)]


def run_clean(
    settings: Settings, batch_id: str, part: int | None = None, progress: Report | None = None
) -> StageCounts:
    """Extract text and metadata from every fetched page of the batch (of ``part``); ``progress``
    hears of each chunk of pages as it is done."""
    folder = batch_dir(settings, batch_id)
    pages = _read_stage_input(folder, "pages", part)
    clear_stage(folder, "clean", part)
    rejections: list[Rejection] = []
    unchanged: list[str] = []
    with JsonlWriter(folder / output_name("articles", part)) as articles:
        for rows, rejected, same in map_chunks(
            clean_pages,
            pages,
            workers=settings.workers,
            chunk_size=settings.clean_chunk_size,
            args=(settings,),
            progress=progress,
        ):
            for row in rows:
                articles.write(row)
            rejections.extend(rejected)
            unchanged.extend(same)
    write_jsonl(folder / output_name("unchanged", part), ({"url": url} for url in sorted(unchanged)))
    write_jsonl(folder / output_name("rejections-clean", part), _rejection_rows(rejections))
    counts = StageCounts("clean", len(pages), articles.count, len(rejections), n_skipped=len(unchanged))
    return counts.record(settings, batch_id, part)


def clean_pages(
    settings: Settings, pages: Sequence[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[Rejection], list[str]]:
    """Clean a chunk of a batch's fetched pages: its article rows, its rejections, and the URLs
    of revisited pages whose clean text is the one the warehouse holds (they stop here)."""
    store = RawStore(settings.raw_path)
    articles: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
    unchanged: list[str] = []
    for page in pages:
        outcome = clean_page(
            store.read(page["raw_path"]),
            url=page["url"],
            source_id=page["source_id"],
            content_type=page["content_type"],
            fetched_at=page["fetched_at"],
            settings=settings,
        )
        if isinstance(outcome, Article):
            if page.get("prior_text_sha256") is not None and page["prior_text_sha256"] == outcome.text_sha256:
                unchanged.append(page["url"])
            else:
                articles.append(outcome.to_row())
        else:
            rejections.append(outcome)
    return articles, rejections, unchanged


def run_nlp(settings: Settings, batch_id: str, part: int | None = None, progress: Report | None = None) -> StageCounts:
    """Parse every English article of the batch (of ``part``) once and extract its facts;
    ``progress`` hears of each chunk of articles as it is done."""
    folder = batch_dir(settings, batch_id)
    articles = _read_stage_input(folder, "articles", part)
    clear_stage(folder, "nlp", part)
    parsed = 0
    with ExitStack() as stack:
        writers = {
            table: stack.enter_context(JsonlWriter(folder / output_name(table, part))) for table in STAGE_OUTPUTS["nlp"]
        }
        for lines, counts, n_parsed in map_chunks(
            annotate_chunk,
            articles,
            workers=settings.workers,
            chunk_size=settings.nlp_chunk_size,
            args=(settings,),
            progress=progress,
        ):
            for table, writer in writers.items():
                writer.write_lines(lines[table], counts[table])
            parsed += n_parsed
    return StageCounts("nlp", len(articles), parsed, len(articles) - parsed).record(settings, batch_id, part)


def annotate_chunk(
    settings: Settings, articles: Sequence[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, int], int]:
    """Annotate a chunk of articles: per NLP table its rows as staged lines and their number,
    and how many articles were parsed.  The worker serialises its own rows, so the process
    writing the files does not spend a core on it."""
    from extract.nlp.annotate import annotate_articles

    rows = annotate_articles(settings, articles)
    lines = {table: "".join(jsonl_line(row) for row in rows[table]) for table in STAGE_OUTPUTS["nlp"]}
    counts = {table: len(rows[table]) for table in STAGE_OUTPUTS["nlp"]}
    return lines, counts, sum(1 for row in rows["article_nlp"] if row["status"] == "parsed")


def run_load(
    settings: Settings,
    batch_id: str,
    interval: tuple[datetime | None, datetime | None] = (None, None),
) -> LoadResult:
    """Merge the batch (every part of it) into the warehouse (the single writer)."""
    folder = batch_dir(settings, batch_id)
    for stage in STAGE_OUTPUTS:
        merge_counts(folder, stage)
    return load_batch(settings, batch_id, folder, interval)


def run_transform(settings: Settings, progress: Report | None = None, articles_changed: bool = True) -> Any:
    """Build and test every dbt model over the raw tables; ``progress`` hears of each node.

    After a load that changed no article (every URL seen again, not modified or unchanged) only
    the marts about batches, URLs and sources are built: the article marts stand as they are."""
    from extract.snapshot import mark_building
    from extract.transform import run_dbt

    mark_building(settings)  # readers take the published snapshot until this build is published
    return run_dbt(settings, "build", select=None if articles_changed else BATCH_MARTS, progress=progress)


def run_checks_stage(settings: Settings, now: datetime | None = None, articles_changed: bool = True) -> Any:
    """Validate the marts with Great Expectations; raise when a check fails (if configured).

    A build that passes (or whose failures are only reported) is published as the snapshot
    readers use while the next run writes (``extract.snapshot``).  After a load that changed no
    article the suites are not run again (the marts they read are as the last checks left them;
    dbt's tests covered the batch marts it rebuilt) and ``checks.json`` says so."""
    from extract.checks import ChecksFailed, run_checks
    from extract.snapshot import publish_snapshot

    settings.report_path.mkdir(parents=True, exist_ok=True)
    checks_json = settings.report_path / "checks.json"
    if not articles_changed:
        previous = json.loads(checks_json.read_text(encoding="utf-8")) if checks_json.exists() else {}
        skipped = {
            "passed": 0,
            "failed": 0,
            "failures": [],
            "skipped": "no article changed, so the article marts are as the last checks found them",
            "report_index": previous.get("report_index"),
        }
        checks_json.write_text(json.dumps(skipped, indent=2), encoding="utf-8")
        publish_snapshot(settings)
        return None
    report = run_checks(settings, now=now)
    checks_json.write_text(
        json.dumps(
            {
                "passed": report.passed,
                "failed": report.failed,
                "failures": list(report.failures),
                "report_index": str(report.report_index),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    if report.failed and settings.fail_on_checks:
        raise ChecksFailed(
            f"{report.failed} data-quality check(s) failed: {', '.join(report.failures)}; report: {report.report_index}"
        )
    publish_snapshot(settings)
    return report
