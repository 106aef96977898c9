"""The frontier: what the warehouse knows of each URL, and whether a batch should visit it again.

A feed lists the same articles for days, so most URLs an hourly batch discovers are known.  Each
batch records one *visit* per URL it discovered (``raw.visits``): what it did with the URL and
the state it left, carried forward from the visit before, so the latest visit of a URL is its
frontier row.  The fetch stage reads, for every URL of its batch, the latest visit made *before*
the batch (by time, other batches only): a rerun of a batch therefore decides exactly as its
first run did, whatever later batches have done since.

What a batch does with a URL (``Visit.action``):

==============  ================================================================================
``fetched``     new to the warehouse: fetched from the site, or read from the raw store if there
``refetched``   fetched again because the run said ``--refetch``: processed whatever it holds
``seen_again``  known and not due for a revisit: no fetch, no clean, no NLP, no load
``not_modified``  due, fetched with its validators, and the site answered 304
``unchanged``   due, fetched, and its clean text is what the warehouse holds: stops after clean
``revisited``   due, fetched, and its text changed: processed, its facts replaced
``failed``      the fetch failed (the reason is in ``raw.rejections``)
==============  ================================================================================

A known URL is due when one of the revisit ages (``revisit_after``, default 1 h, 6 h, 24 h and
72 h after the URL was first seen) has passed since the last time the site was asked; after the
last age it is never fetched again unless the run says ``--refetch`` (which fetches every URL
plainly, but keeps its first sighting).  URLs that come from a URL list are never revisited: a
list is a one-off backfill, not a feed; but a listed URL that never gave a page (a timeout, a
5xx) is tried again by every run that lists it, and a feed's such URL at each revisit age.
Revisits are conditional requests (If-None-Match, If-Modified-Since) so an unchanged page costs
a 304.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

import duckdb

from extract.load import open_warehouse, raw_table_exists
from extract.settings import Settings
from extract.snapshot import snapshot_path

__all__ = ["ACTIONS", "Known", "due", "read_frontier", "revisit_ages"]

log = logging.getLogger(__name__)

ACTIONS = ("fetched", "refetched", "seen_again", "not_modified", "unchanged", "revisited", "failed")
# the actions after which the site was asked for the page (a failed request counts: it was asked)
ASKED = ("fetched", "refetched", "not_modified", "unchanged", "revisited", "failed")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Known:
    """A URL's frontier row as a batch finds it: its latest visit before the batch."""

    url: str
    first_seen_at: datetime
    last_fetch_at: datetime | None  # the last time the site was asked; None if it never was
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    text_sha256: str | None  # the clean text the warehouse holds for it, if any


def revisit_ages(text: str) -> tuple[timedelta, ...]:
    """``"1h,6h,24h,72h"`` as ages, shortest first; ``"never"`` as none (settings checked the form)."""
    if text.strip() == "never":
        return ()
    ages = {timedelta(**{_UNITS[unit]: int(n)}) for n, unit in re.findall(r"(\d+)\s*([mhd])", text)}
    return tuple(sorted(ages))


def due(known: Known, as_of: datetime, ages: Iterable[timedelta]) -> bool:
    """Whether a revisit age has come, since the URL was first seen, that no request has answered."""
    for age in ages:
        moment = known.first_seen_at + age
        if moment <= as_of and (known.last_fetch_at is None or known.last_fetch_at < moment):
            return True
    return False


def read_frontier(settings: Settings, batch_id: str, as_of: datetime, urls: list[str]) -> dict[str, Known]:
    """The frontier rows of ``urls`` as of ``as_of``, leaving out ``batch_id``'s own visits.

    Read from the live warehouse, or from the published snapshot while another run writes it (a
    snapshot a batch behind only means some known URLs are taken for new, and processed again);
    a warehouse that does not exist yet, or predates the frontier, knows nothing."""
    if not urls:
        return {}
    con = _open(settings)
    if con is None:
        return {}
    try:
        if not raw_table_exists(con, "visits"):
            return {}
        rows = con.execute(
            """
            select url, first_seen_at, last_fetch_at, etag, last_modified, body_sha256, text_sha256
            from raw.visits
            where batch_id <> $batch and visited_at < $as_of and url in (select unnest($urls))
            qualify row_number() over (partition by url order by visited_at desc, batch_id desc) = 1
            """,
            {"batch": batch_id, "as_of": as_of, "urls": urls},
        ).fetchall()
    finally:
        con.close()
    return {row[0]: Known(*row) for row in rows}


def _open(settings: Settings) -> duckdb.DuckDBPyConnection | None:
    for path in (settings.warehouse_path, snapshot_path(settings)):
        if not path.exists():
            continue
        try:
            return open_warehouse(path, read_only=True)
        except duckdb.IOException as error:
            log.info("frontier: %s is busy (%s)", path, error)
    if settings.warehouse_path.exists():
        log.info("frontier unreadable (the warehouse is busy and no snapshot is published): every URL is new")
    return None
