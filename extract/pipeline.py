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

# ``report(done, total)``: how far a stage is, in its items; the CLI draws it (extract/progress.py)
Report = Callable[[int, int], None]


@dataclass(frozen=True)
class StageCounts:
    stage: str
    n_in: int
    n_out: int
    n_rejected: int
    n_cached: int = 0

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


def run_discover(settings: Settings, batch_id: str, sources: list[Source]) -> StageCounts:
    """Find the batch's URLs in its feeds, sitemaps and URL lists, and cut them into parts."""
    from extract.sources import discover

    folder = batch_dir(settings, batch_id)
    found, rejections = discover(sources, settings)
    clear_after_discover(folder)
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
    """Fetch every discovered URL (of ``part``) not already in the raw store (all with ``refetch``).
    ``progress`` hears of the pages from the raw store at once, then of each fetch as it ends."""
    from extract.fetch import fetch_all

    folder = batch_dir(settings, batch_id)
    store = RawStore(settings.raw_path)
    every = {row["url"]: row["source_id"] for row in read_jsonl(folder / "discovered.jsonl")}
    discovered = dict(select_part(folder, list(every.items()), part))
    clear_stage(folder, "fetch", part)
    pages: list[dict[str, Any]] = []
    to_fetch: list[str] = []
    for url, source_id in discovered.items():
        meta = None if settings.refetch else store.meta(url)
        if meta is None:
            to_fetch.append(url)
        else:
            pages.append({**_page_row(meta), "source_id": source_id})
    n_cached = len(pages)
    rejections: list[Rejection] = []
    if progress:
        progress(n_cached, len(discovered))
    for result in fetch_all(to_fetch, settings):
        if progress:
            progress(len(pages) + len(rejections) + 1, len(discovered))
        if not result.ok:
            rejections.append(Rejection(result.url, "fetch", result.reason or "unknown", result.detail))
            continue
        body = result.body or b""
        meta = {
            "final_url": result.final_url,
            "http_status": result.status,
            "content_type": result.content_type,
            "n_bytes": len(body),
            "body_sha256": sha256(body).hexdigest(),
            "fetched_at": _now(),
        }
        raw_path = store.put(result.url, body, meta)
        pages.append(
            {
                **_page_row({**meta, "url": result.url, "raw_path": raw_path}),
                "source_id": discovered[result.url],
            }
        )
    pages.sort(key=lambda row: row["url"])
    write_jsonl(folder / output_name("pages", part), pages)
    write_jsonl(folder / output_name("rejections-fetch", part), _rejection_rows(rejections))
    counts = StageCounts("fetch", len(discovered), len(pages), len(rejections), n_cached)
    return counts.record(settings, batch_id, part)


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
    with JsonlWriter(folder / output_name("articles", part)) as articles:
        for rows, rejected in map_chunks(
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
    write_jsonl(folder / output_name("rejections-clean", part), _rejection_rows(rejections))
    return StageCounts("clean", len(pages), articles.count, len(rejections)).record(settings, batch_id, part)


def clean_pages(settings: Settings, pages: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """Clean a chunk of a batch's fetched pages: its article rows and its rejections."""
    store = RawStore(settings.raw_path)
    articles: list[dict[str, Any]] = []
    rejections: list[Rejection] = []
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
            articles.append(outcome.to_row())
        else:
            rejections.append(outcome)
    return articles, rejections


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


def run_transform(settings: Settings, progress: Report | None = None) -> Any:
    """Build and test every dbt model over the raw tables; ``progress`` hears of each node."""
    from extract.snapshot import mark_building
    from extract.transform import run_dbt

    mark_building(settings)  # readers take the published snapshot until this build is published
    return run_dbt(settings, "build", progress=progress)


def run_checks_stage(settings: Settings, now: datetime | None = None) -> Any:
    """Validate the marts with Great Expectations; raise when a check fails (if configured).

    A build that passes (or whose failures are only reported) is published as the snapshot
    readers use while the next run writes (``extract.snapshot``)."""
    from extract.checks import ChecksFailed, run_checks
    from extract.snapshot import publish_snapshot

    report = run_checks(settings, now=now)
    settings.report_path.mkdir(parents=True, exist_ok=True)
    (settings.report_path / "checks.json").write_text(
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
