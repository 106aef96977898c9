"""Reprocess: stage a batch from the raw store alone, as discover and fetch would have, offline.

A new NLP model or lexicon should reach the articles already fetched without fetching them
again.  ``stage_from_raw_store`` writes into a batch's staging folder the files that
``run_discover`` and ``run_fetch`` leave (sources, discovered URLs, the plan of parts, pages,
empty rejections, their counts), one page per stored URL whose latest fetch is on or after
``since``.  The usual clean, NLP, load, dbt and checks then run over that batch unchanged:
``wirehouse reprocess --since DATE`` is exactly that.

Each page keeps the source it was discovered from, which ``run_fetch`` stores in the page's
metadata.  Pages stored before it did get one synthetic source, a URL list named ``raw-store``.
What the store never held cannot come back: a URL whose fetch failed has no body, so its
discovery and its rejection are not part of a reprocessed batch.  Nor does a reprocess visit
anything: it stages no visits, so the frontier (``extract.frontier``) stays as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from extract.errors import UsageError
from extract.partition import clear_after_discover, output_name, write_plan
from extract.pipeline import StageCounts, _page_row, manual_batch_id
from extract.rawstore import RawStore
from extract.settings import Settings
from extract.sources import Source
from extract.staging import batch_dir, write_jsonl

__all__ = ["RAW_STORE_SOURCE", "reprocess_batch_id", "select_pages", "stage_from_raw_store", "stage_pages"]

# where a page stored without its source is said to come from
RAW_STORE_SOURCE = Source("urls", "raw-store")


def reprocess_batch_id(now: datetime | None = None) -> str:
    """A batch id of its own, as ``manual_batch_id`` makes one, named for what made it."""
    return "reprocess_" + manual_batch_id(now).partition("_")[2]


def _naive_utc(when: datetime) -> datetime:
    """Stored fetch times are naive UTC; an aware time is compared in UTC."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _fetched_at(meta: dict[str, Any]) -> datetime | None:
    value = meta.get("fetched_at")
    return _naive_utc(datetime.fromisoformat(value)) if value else None


def select_pages(settings: Settings, since: datetime) -> list[dict[str, Any]]:
    """The metadata of every stored page last fetched on or after ``since``, sorted by URL.

    Raises :class:`UsageError` when there is none, naming the store's latest fetch, so a
    mistyped date is refused before any batch is written."""
    cutoff = _naive_utc(since)
    metas = list(RawStore(settings.raw_path).iter_meta())
    chosen = [meta for meta in metas if (fetched := _fetched_at(meta)) is not None and fetched >= cutoff]
    if not chosen:
        times = [fetched for meta in metas if (fetched := _fetched_at(meta)) is not None]
        held = f"its latest fetch is {max(times).isoformat()}" if times else "it holds no pages"
        raise UsageError(
            f"no page in the raw store {settings.raw_path} was fetched on or after {cutoff.isoformat()}; {held}"
        )
    return chosen


def _source_row(meta: dict[str, Any]) -> dict[str, Any]:
    """The page's source as ``sources.jsonl`` has it: its own, else the synthetic one."""
    source = meta.get("source")
    if source:
        return {key: source.get(key) for key in ("source_id", "kind", "location", "name")}
    fallback = RAW_STORE_SOURCE
    return {"source_id": fallback.source_id, "kind": fallback.kind, "location": fallback.location, "name": None}


def stage_pages(settings: Settings, batch_id: str, metas: list[dict[str, Any]]) -> StageCounts:
    """Write the discover and fetch stages' files of ``batch_id`` for the stored pages ``metas``
    (replacing whatever the batch held); return the fetch counts (every page from the store)."""
    folder = batch_dir(settings, batch_id)
    clear_after_discover(folder)
    sources = {row["source_id"]: row for row in map(_source_row, metas)}
    pages = sorted(
        ({**_page_row(meta), "source_id": meta.get("source_id") or _source_row(meta)["source_id"]} for meta in metas),
        key=lambda row: row["url"],
    )
    write_jsonl(folder / "sources.jsonl", (sources[key] for key in sorted(sources)))
    write_jsonl(folder / "discovered.jsonl", ({"url": row["url"], "source_id": row["source_id"]} for row in pages))
    write_jsonl(folder / "rejections-discover.jsonl", [])
    write_plan(folder, len(pages), settings.part_size)
    StageCounts("discover", len(sources), len(pages), 0).record(settings, batch_id)
    write_jsonl(folder / output_name("pages", None), pages)
    write_jsonl(folder / output_name("rejections-fetch", None), [])
    return StageCounts("fetch", len(pages), len(pages), 0, n_cached=len(pages)).record(settings, batch_id)


def stage_from_raw_store(settings: Settings, batch_id: str, since: datetime) -> StageCounts:
    """Stage ``batch_id`` from every stored page last fetched on or after ``since``, without the
    network; raises :class:`UsageError` (writing nothing) when no page qualifies."""
    return stage_pages(settings, batch_id, select_pages(settings, since))
