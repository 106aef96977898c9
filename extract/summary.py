"""The run summary: what a batch fetched, kept and rejected, and what the marts now hold.

Asking about a batch the warehouse has never seen (``wirehouse summary nosuchbatch``) is a
mistake to point out, not a batch of zeros: ``collect_summary(..., must_exist=True)`` refuses it
with :class:`~extract.errors.UsageError` and names the latest batches as a hint.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from extract.errors import UsageError
from extract.load import open_warehouse, raw_table_exists
from extract.settings import Settings
from extract.snapshot import open_reader
from extract.staging import batch_path

__all__ = ["collect_summary", "format_summary"]

STAGES = ("discover", "fetch", "clean", "nlp")
HINTED_BATCHES = 5


def _unknown_batch(con: duckdb.DuckDBPyConnection, settings: Settings, batch_id: str) -> UsageError:
    latest = [
        row[0]
        for row in con.execute(
            "select batch_id from raw.batches order by load_seq desc nulls last, batch_id desc limit ?",
            [HINTED_BATCHES],
        ).fetchall()
    ]
    hint = f"; latest: {', '.join(latest)}" if latest else "; it holds no batches yet"
    return UsageError(f"no batch {batch_id!r} in {settings.warehouse_path}{hint}")


def collect_summary(settings: Settings, batch_id: str, must_exist: bool = False, live: bool = False) -> dict[str, Any]:
    """Gather a batch's counts from its staging folder and the warehouse, read through
    ``open_reader`` (the published snapshot while another run holds the live file).

    With ``must_exist``, a batch neither loaded nor staged raises :class:`UsageError`.  With
    ``live``, read the live file whatever the snapshot says: the run that wrote the batch (and
    holds the warehouse lock) reports what it did, even when its build failed and was not
    published.
    """
    if must_exist and not settings.warehouse_path.exists():
        raise UsageError(f"no warehouse at {settings.warehouse_path}: run the pipeline first")
    folder = batch_path(settings, batch_id)
    stages = {}
    for stage in STAGES:
        path = folder / f"counts-{stage}.json"
        if path.exists():
            stages[stage] = json.loads(path.read_text(encoding="utf-8"))
    con = open_warehouse(settings.warehouse_path, read_only=True) if live else open_reader(settings)
    try:
        batch = con.execute(
            "select n_discovered, n_fetched, n_articles, n_rejected from raw.batches where batch_id = ?",
            [batch_id],
        ).fetchone()
        if must_exist and batch is None and not folder.is_dir():
            raise _unknown_batch(con, settings, batch_id)
        visits = dict(
            con.execute(
                "select action, count(*) from raw.visits where batch_id = ? group by all", [batch_id]
            ).fetchall()
            if raw_table_exists(con, "visits")
            else []
        )
        reasons = con.execute(
            """
            select stage, reason, count(*) from raw.rejections
            where batch_id = ? group by all order by stage, reason
            """,
            [batch_id],
        ).fetchall()
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        rows = {name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0] for name in marts}
    finally:
        con.close()
    checks_path = settings.report_path / "checks.json"
    checks = json.loads(checks_path.read_text(encoding="utf-8")) if checks_path.exists() else None
    return {
        "batch_id": batch_id,
        "stages": stages,
        "loaded": dict(zip(("discovered", "fetched", "articles", "rejected"), batch, strict=True)) if batch else None,
        "visits": visits,
        "rejections": [{"stage": s, "reason": r, "count": n} for s, r, n in reasons],
        "mart_rows": rows,
        "checks": checks,
        "warehouse": str(settings.warehouse_path),
        "report": checks["report_index"] if checks else None,
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as the text the CLI and ``make demo`` print."""
    lines = [f"batch {summary['batch_id']}"]
    stages = summary["stages"]
    fetch = stages.get("fetch", {})
    loaded = summary["loaded"] or {}
    lines.append(
        f"  articles: discovered {stages.get('discover', {}).get('n_out', 0)}, "
        f"fetched {fetch.get('n_out', 0)} ({fetch.get('n_cached', 0)} from the raw store), "
        f"extracted {stages.get('clean', {}).get('n_out', 0)}, "
        f"parsed {stages.get('nlp', {}).get('n_out', 0)} (skipped {stages.get('nlp', {}).get('n_rejected', 0)}), "
        f"loaded {loaded.get('articles', 0)}, rejected {loaded.get('rejected', 0)}"
    )
    visits = summary.get("visits") or {}
    known = {action: visits.get(action, 0) for action in ("seen_again", "not_modified", "unchanged", "revisited")}
    if any(known.values()):
        lines.append(
            f"  known URLs: seen again {known['seen_again']} (not fetched), not modified {known['not_modified']}, "
            f"unchanged {known['unchanged']}, changed and reprocessed {known['revisited']}"
        )
    if summary["rejections"]:
        lines.append("  rejected, by stage and reason:")
        lines.extend(f"    {r['stage']:<9} {r['reason']:<22} {r['count']}" for r in summary["rejections"])
    lines.append("  rows per mart:")
    lines.extend(f"    marts.{name:<24} {count}" for name, count in summary["mart_rows"].items())
    checks = summary["checks"]
    if checks and checks.get("skipped"):
        lines.append(f"  checks: skipped: {checks['skipped']}")
    elif checks:
        lines.append(f"  checks: {checks['passed']} passed, {checks['failed']} failed")
        lines.extend(f"    failed: {name}" for name in checks["failures"])
    lines.append(f"  warehouse: {summary['warehouse']}")
    if summary["report"]:
        lines.append(f"  Great Expectations pages: {summary['report']}")
    return "\n".join(lines)
