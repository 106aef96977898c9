"""The report as one HTML page: inline CSS, inline SVG charts, no script, no external reference.

Article URLs appear as text only (never as a link or a source), so opening the page from
``file://`` makes no request at all; the only links are in-page anchors and the relative link to
Great Expectations' own Data Docs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from extract.report.charts import hbars, stacked_bars, world_map
from extract.report.data import QUADS, ReportData

__all__ = ["render"]

QUAD_COLORS = dict(zip(QUADS, ("#8fc98f", "#2e8b57", "#f0a35e", "#c0392b"), strict=True))
STATUS_CLASS = {"pass": "ok", "success": "ok", "warn": "warn", "skipped": "warn"}

CSS = """
body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:0;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:14px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#cfd8e3}nav{padding:8px 28px;background:#e6ebf1}nav a{margin-right:18px}
main{padding:4px 28px 40px;max-width:1180px}section{background:#fff;border:1px solid #dde2e8;
border-radius:6px;padding:6px 18px 14px;margin:16px 0}h2{font-size:18px;border-bottom:1px solid #eee}
table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f1f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.tiles{display:flex;gap:14px;flex-wrap:wrap}.tile{border:1px solid #dde2e8;border-radius:6px;padding:8px 16px;
min-width:120px}.tile b{display:block;font-size:26px}.ok{color:#1e7d32}.bad{color:#b3261e;font-weight:600}
.warn{color:#9a6700}.url{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.ex{font-family:ui-monospace,monospace;font-size:12px;color:#7a2c24}figure{margin:10px 0 18px}
figcaption{font-weight:600;margin-bottom:4px}.grid{display:flex;flex-wrap:wrap;gap:24px}.note{color:#666}
"""


def _table(headers: list[str], rows: list[str], cls: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f'<table class="{cls}"><tr>{head}</tr>{"".join(rows)}</table>'


def _cell(value: Any, cls: str = "") -> str:
    shown = "" if value is None else str(value)
    return f'<td class="{cls}">{escape(shown)}</td>' if cls else f"<td>{escape(shown)}</td>"


def _anchor(stage: str, reason: str) -> str:
    return "rej-" + "".join(c if c.isalnum() else "-" for c in f"{stage}-{reason}")


def _run(data: ReportData) -> str:
    loaded = data.summary["loaded"] or {}
    stages = data.summary["stages"]
    tiles = [
        ("discovered", loaded.get("discovered", stages.get("discover", {}).get("n_out"))),
        ("fetched", loaded.get("fetched", stages.get("fetch", {}).get("n_out"))),
        ("kept", loaded.get("articles")),
        ("rejected", loaded.get("rejected")),
    ]
    html = ['<section id="run"><h2>The run</h2><div class="tiles">']
    html += [f'<div class="tile" id="count-{k}">{k}<b>{"–" if v is None else v}</b></div>' for k, v in tiles]
    html.append("</div>")
    rows = [
        f"<tr>{_cell(s)}{_cell(c.get('n_in'), 'n')}{_cell(c.get('n_out'), 'n')}{_cell(c.get('n_rejected'), 'n')}"
        f"{_cell(c.get('n_cached') or '', 'n')}</tr>"
        for s, c in stages.items()
    ]
    html.append('<div class="grid"><div><h3>Stages</h3>')
    html.append(_table(["stage", "in", "out", "rejected", "from raw store"], rows) + "</div><div>")
    reasons = [
        f'<tr>{_cell(r["stage"])}<td><a href="#{_anchor(r["stage"], r["reason"])}">{escape(r["reason"])}</a></td>'
        f"{_cell(r['count'], 'n')}</tr>"
        for r in data.summary["rejections"]
    ]
    html.append(
        "<h3>Rejected, by stage and reason</h3>"
        + (_table(["stage", "reason", "URLs"], reasons, "reasons") if reasons else "<p>Nothing was rejected.</p>")
        + "</div><div>"
    )
    marts = [f"<tr>{_cell('marts.' + n)}{_cell(c, 'n')}</tr>" for n, c in data.summary["mart_rows"].items()]
    html.append("<h3>Rows per mart</h3>" + _table(["mart", "rows"], marts) + "</div></div></section>")
    return "".join(html)


def _rejections(data: ReportData) -> str:
    rows, seen = [], set()
    for r in data.rejections:
        anchor = _anchor(r["stage"], r["reason"])
        ident = f' id="{anchor}"' if anchor not in seen else ""
        seen.add(anchor)
        rows.append(
            f"<tr{ident}>{_cell(r['url'], 'url')}{_cell(r['stage'])}{_cell(r['reason'])}{_cell(r['detail'])}</tr>"
        )
    rest = data.n_rejections - len(data.rejections)
    more = (
        f'<p class="note">… and {rest} more, not shown: <code>select * from raw.rejections where batch_id = '
        f"'{escape(data.batch_id)}'</code></p>"
        if rest > 0
        else ""
    )
    body = _table(["url", "stage", "reason", "detail"], rows, "rejections") if rows else "<p>None.</p>"
    return f'<section id="rejections"><h2>Rejections ({data.n_rejections})</h2>{body}{more}</section>'


def _status(ok: bool | str) -> str:
    if isinstance(ok, str):
        return f'<td class="{STATUS_CLASS.get(ok, "bad")}">{escape(ok)}</td>'
    return '<td class="ok">pass</td>' if ok else '<td class="bad">FAIL</td>'


def _split_table(headers: list[str], rows: list[str], passed: list[bool], cls: str) -> str:
    """The rows that did not pass, in the open; those that passed folded under a ``<details>``."""
    failing = [row for row, ok in zip(rows, passed, strict=True) if not ok]
    passing = [row for row, ok in zip(rows, passed, strict=True) if ok]
    html = _table(headers, failing, cls + " failing") if failing else ""
    if passing:
        html += f"<details><summary>{len(passing)} passed</summary>{_table(headers, passing, cls)}</details>"
    return html


def _failing(expectation: dict[str, Any]) -> str:
    if expectation["unexpected"] is None:
        return ""
    return f"{expectation['unexpected']} of {expectation['rows']}"


def _checks(data: ReportData, out: Path) -> str:
    html = ['<section id="checks"><h2>Checks</h2>']
    checks = data.summary.get("checks")
    if checks and checks.get("skipped"):
        html.append(f'<p id="gx-totals">Great Expectations: not run for this batch: {escape(checks["skipped"])}.</p>')
    elif checks:
        html.append(
            f'<p id="gx-totals">Great Expectations: <b>{checks["passed"]}</b> passed, '
            f'<b class="{"bad" if checks["failed"] else "ok"}">{checks["failed"]}</b> failed.</p>'
        )
    if data.expectations:
        ordered = sorted(data.expectations, key=lambda e: (e["success"], e["table"], e["column"] or ""))
        rows = [
            f"<tr>{_status(e['success'])}{_cell(e['table'] + ('.' + e['column'] if e['column'] else ''))}"
            f"{_cell(e['expectation'])}"
            f"{_cell(_failing(e), 'n')}"
            f"{_cell(e['error'] or ', '.join(e['examples']), 'ex')}</tr>"
            for e in ordered
        ]
        headers = ["status", "table.column", "expectation", "rows failing", "failing examples"]
        html.append(_split_table(headers, rows, [e["success"] for e in ordered], "expectations"))
    elif not checks:
        html.append('<p class="note">No Great Expectations results yet: the checks stage has not run.</p>')
    if data.data_docs:
        link = quote(Path(os.path.relpath(data.data_docs, out.parent)).as_posix())
        html.append(
            f'<p class="note">Also: <a href="{link}">raw Great Expectations pages (need network for styling)</a>.</p>'
        )
    if data.dbt_tests is None:
        html.append('<p class="note">No dbt test results (dbt\'s run_results.json) beside the warehouse.</p>')
    else:
        failed = sum(1 for t in data.dbt_tests if t["status"] not in ("pass", "success"))
        rows = [
            f"<tr>{_status(t['status'])}{_cell(t['name'])}{_cell(t['kind'])}{_cell(t['failures'], 'n')}"
            f"{_cell(t['message'] if t['status'] != 'pass' else '', 'ex')}</tr>"
            for t in data.dbt_tests
        ]
        html.append(
            f'<h3 id="dbt-tests">dbt tests: {len(data.dbt_tests) - failed} passed, '
            f'<span class="{"bad" if failed else "ok"}">{failed} not passed</span> '
            f'<span class="note">(build of {escape(str(data.dbt_generated_at))})</span></h3>'
            + _split_table(
                ["status", "test", "kind", "failures", "message"],
                rows,
                [t["status"] in ("pass", "success") for t in data.dbt_tests],
                "dbt-tests",
            )
        )
    return "".join(html) + "</section>"


def _figure(caption: str, svg: str, empty: bool) -> str:
    inner = '<p class="note">Nothing to draw yet.</p>' if empty else svg
    return f"<figure><figcaption>{escape(caption)}</figcaption>{inner}</figure>"


def _charts(data: ReportData) -> str:
    unit, bins, series = data.events_by_bin
    n_events, n_points = data.totals.get("events", 0), sum(p[3] for p in data.places)
    figures = [
        _figure(
            f"Events per {unit} by quad class ({sum(map(sum, series.values()))} dated of {n_events} events)",
            stacked_bars(bins, series, QUAD_COLORS, f"events per {unit}"),
            not bins,
        ),
        '<div class="grid">',
        _figure(
            "Top actors (events as source or target)",
            hbars(*_split(data.top_actors), "top actors"),
            not data.top_actors,
        ),
        _figure(
            "Top dyads (source → target)", hbars(*_split(data.top_dyads), "top dyads", "#7b5ea7"), not data.top_dyads
        ),
        "</div>",
        _figure(
            f"Event locations ({n_points} of {n_events} events have coordinates; shaded: 1° cells with a town "
            "of 5,000+ people)",
            world_map(data.places, "event locations"),
            False,
        ),
        _figure(
            f"Statements per speaker (of {data.totals.get('statements', 0)} statements)",
            hbars(*_split(data.speakers), "statements per speaker", "#2e8b57"),
            not data.speakers,
        ),
    ]
    return '<section id="charts"><h2>Pictures</h2>' + "".join(figures) + "</section>"


def _split(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [str(p[0]) for p in pairs], [int(p[1]) for p in pairs]


def _accuracy(data: ReportData) -> str:
    if data.scores is None:
        body = (
            '<p class="note">No scores yet. Score the pipeline against the shipped gold with '
            "<code>wirehouse eval --json &gt; data/eval/scores.json</code>; the next report shows them.</p>"
        )
    else:
        path, scores = data.scores
        rows = [
            f"<tr>{_cell(name)}{_cell(s.get('precision'), 'n')}{_cell(s.get('recall'), 'n')}"
            f"{_cell(s.get('f1'), 'n')}</tr>"
            for name, s in scores.items()
            if isinstance(s, dict) and "f1" in s
        ]
        body = f'<p class="note">From {escape(path.name)}.</p>' + _table(["layer", "precision", "recall", "F1"], rows)
    return f'<section id="accuracy"><h2>Accuracy against the gold</h2>{body}</section>'


def render(data: ReportData, out: Path) -> str:
    """The whole page for ``data``, to be written at ``out`` (relative links start there)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = "".join(
        f'<a href="#{a}">{t}</a>'
        for a, t in (
            ("run", "Run"),
            ("charts", "Pictures"),
            ("checks", "Checks"),
            ("accuracy", "Accuracy"),
            ("rejections", "Rejections"),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>wirehouse report: {escape(data.batch_id)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>wirehouse report: batch {escape(data.batch_id)}</h1>"
        f"<p>{escape(data.summary['warehouse'])} · written {now}</p></header><nav>{nav}</nav><main>"
        + _run(data)
        + _charts(data)
        + _checks(data, out)
        + _accuracy(data)
        + _rejections(data)
        + "</main></body></html>\n"
    )
