"""What the report shows, read once: the run's summary, its rejections, the checks, the marts'
figures for the charts and the evaluation's scores; plain Python values, no HTML."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from extract.errors import UsageError
from extract.load import open_warehouse
from extract.settings import Settings
from extract.snapshot import open_reader
from extract.summary import collect_summary
from extract.transform import dbt_dir

__all__ = ["QUADS", "ReportData", "gather"]

REJECTIONS_SHOWN = 200
TOP = 12
MAX_BINS = 120
QUADS = ("verbal cooperation", "material cooperation", "verbal conflict", "material conflict")


@dataclass(frozen=True)
class ReportData:
    """Everything on the page; ``summary`` is ``collect_summary``'s dict for the batch."""

    batch_id: str
    summary: dict[str, Any]
    rejections: list[dict[str, Any]]
    n_rejections: int
    expectations: list[dict[str, Any]] | None
    dbt_tests: list[dict[str, Any]] | None
    dbt_generated_at: str | None
    events_by_bin: tuple[str, list[str], dict[str, list[int]]]  # (unit, bins, counts per quad class)
    top_actors: list[tuple[str, int]]
    top_dyads: list[tuple[str, int]]
    places: list[tuple[float, float, str, int]]
    speakers: list[tuple[str, int]]
    scores: tuple[Path, dict[str, Any]] | None
    data_docs: Path | None = None
    totals: dict[str, int] = field(default_factory=dict)


def _latest_batch(settings: Settings, live: bool) -> str:
    con = _connect(settings, live)
    try:
        row = con.execute("select batch_id from raw.batches order by load_seq desc nulls last limit 1").fetchone()
    finally:
        con.close()
    if row is None:
        raise UsageError(f"no batch in {settings.warehouse_path} yet: run the pipeline first")
    return str(row[0])


def _connect(settings: Settings, live: bool) -> duckdb.DuckDBPyConnection:
    if not settings.warehouse_path.exists():
        raise UsageError(f"no warehouse at {settings.warehouse_path}: run the pipeline first")
    return open_warehouse(settings.warehouse_path, read_only=True) if live else open_reader(settings)


def gather(settings: Settings, batch_id: str | None = None, live: bool = False) -> ReportData:
    """Read the report's figures for ``batch_id`` (default: the latest loaded batch).  With
    ``live``, read the live file, as the run that holds the warehouse lock does (see
    ``collect_summary``); otherwise through ``open_reader``."""
    batch_id = batch_id or _latest_batch(settings, live)
    summary = collect_summary(settings, batch_id, must_exist=True, live=live)
    con = _connect(settings, live)
    try:
        marts = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        rejections, n_rejections = _rejections(con, batch_id)
        figures = _figures(con, marts)
    finally:
        con.close()
    data_docs = settings.report_path / "data_docs" / "index.html"
    dbt_tests, generated_at = _dbt_tests(settings)
    return ReportData(
        batch_id=batch_id,
        summary=summary,
        rejections=rejections,
        n_rejections=n_rejections,
        expectations=_read_json(settings.report_path / "expectations.json"),
        dbt_tests=dbt_tests,
        dbt_generated_at=generated_at,
        scores=_scores(settings.home / "eval"),
        data_docs=data_docs if data_docs.exists() else None,
        **figures,
    )


def _rejections(con: duckdb.DuckDBPyConnection, batch_id: str) -> tuple[list[dict[str, Any]], int]:
    """The batch's first ``REJECTIONS_SHOWN`` rejections (by stage, reason, url) and their number."""
    rows = con.execute(
        "select url, stage, reason, detail from raw.rejections where batch_id = ? order by stage, reason, url limit ?",
        [batch_id, REJECTIONS_SHOWN],
    ).fetchall()
    total = con.execute("select count(*) from raw.rejections where batch_id = ?", [batch_id]).fetchone()[0]
    return [dict(zip(("url", "stage", "reason", "detail"), row, strict=True)) for row in rows], int(total)


def _figures(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, Any]:
    """The charts' numbers from the public marts (empty when a mart is not built yet)."""
    have_events, have_statements = {"fct_event", "dim_actor"} <= tables, {"fct_statement", "dim_actor"} <= tables
    name = "coalesce(a.name, '(unknown)')"
    actors = f"""select {name}, count(*) from (select source_actor_id as actor_id from marts.fct_event
            union all select target_actor_id from marts.fct_event where target_actor_id is not null) e
            left join marts.dim_actor a using (actor_id) group by all order by 2 desc, 1 limit {TOP}"""
    dyads = f"""select coalesce(s.name, '?') || ' → ' || coalesce(t.name, '?'), count(*) from marts.fct_event e
        left join marts.dim_actor s on s.actor_id = e.source_actor_id
        left join marts.dim_actor t on t.actor_id = e.target_actor_id
        where e.target_actor_id is not null group by all order by 2 desc, 1 limit {TOP}"""
    places = """select latitude, longitude, coalesce(location_name, location_country_code, ''), count(*)
        from marts.fct_event where latitude is not null and longitude is not null group by all order by 4 desc"""
    speakers = f"""select {name}, count(*) from marts.fct_statement s
        join marts.dim_actor a on a.actor_id = s.speaker_actor_id group by all order by 2 desc, 1 limit {TOP}"""
    dated = "select event_date, quad_class, count(*) from marts.fct_event where event_date is not null group by all"
    return {
        "events_by_bin": _bin_events(con.execute(dated).fetchall() if have_events else []),
        "top_actors": con.execute(actors).fetchall() if have_events else [],
        "top_dyads": con.execute(dyads).fetchall() if have_events else [],
        "places": con.execute(places).fetchall() if have_events else [],
        "speakers": con.execute(speakers).fetchall() if have_statements else [],
        "totals": {
            "events": con.execute("select count(*) from marts.fct_event").fetchone()[0] if have_events else 0,
            "statements": con.execute("select count(*) from marts.fct_statement").fetchone()[0]
            if have_statements
            else 0,
        },
    }


def _bin_of(day: date, unit: str) -> str:
    if unit == "day":
        return day.isoformat()
    if unit == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return f"{day:%Y-%m}"


def _bin_events(rows: list[tuple[date, str, int]]) -> tuple[str, list[str], dict[str, list[int]]]:
    """Event counts per day, week or month (the finest unit that keeps the span within
    ``MAX_BINS`` bars), every bin of the span present, the latest ``MAX_BINS`` kept."""
    if not rows:
        return "day", [], {quad: [] for quad in QUADS}
    first, last = min(row[0] for row in rows), max(row[0] for row in rows)
    span = (last - first).days
    unit = "day" if span < MAX_BINS else "week" if span < 7 * MAX_BINS else "month"
    days_per_bin = {"day": 1, "week": 7, "month": 31}[unit]
    bins: list[str] = []
    day = max(first, last - timedelta(days=days_per_bin * MAX_BINS))
    while day <= last:
        if not bins or bins[-1] != _bin_of(day, unit):
            bins.append(_bin_of(day, unit))
        day += timedelta(days=1)
    bins = bins[-MAX_BINS:]
    index = {name: i for i, name in enumerate(bins)}
    series = {quad: [0] * len(bins) for quad in QUADS}
    for when, quad, count in rows:
        slot = index.get(_bin_of(when, unit))
        if slot is not None:
            series.setdefault(quad or "(none)", [0] * len(bins))[slot] += count
    return unit, bins, series


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _dbt_tests(settings: Settings) -> tuple[list[dict[str, Any]] | None, str | None]:
    """dbt's data and unit tests from the last build's ``run_results.json`` (None when absent)."""
    results = _read_json(dbt_dir(settings.warehouse_path.resolve()) / "target" / "run_results.json")
    if not isinstance(results, dict):
        return None, None
    tests = [
        {
            "name": r["unique_id"].split(".")[2],
            "kind": r["unique_id"].split(".")[0].replace("_", " "),
            "status": r.get("status"),
            "failures": r.get("failures"),
            "message": r.get("message"),
        }
        for r in results.get("results", [])
        if r.get("unique_id", "").startswith(("test.", "unit_test."))
    ]
    return sorted(tests, key=lambda t: (t["status"] == "pass", t["name"])), results.get("metadata", {}).get(
        "generated_at"
    )


def _scores(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """The newest ``*.json`` under ``folder`` that holds ``wirehouse eval --json``'s scores."""
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        scores = _read_json(path)
        if isinstance(scores, dict) and isinstance(scores.get("events"), dict) and "f1" in scores["events"]:
            return path, scores
    return None
