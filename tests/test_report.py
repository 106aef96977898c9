"""The run report (extract/report): written by a real ``wirehouse run`` over the demo site, read
back against the warehouse, checked for external references, and rendered by a real headless
Chromium with every network path blocked."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

import extract
from extract.cli import main
from extract.demo_site import serve
from extract.settings import Settings, load_settings

ROOT = Path(extract.__file__).resolve().parent.parent
BATCH = "report_demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# attributes a browser fetches or follows; each must stay inside the page or the report folder
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
URL_ATTRIBUTES = {"href", "src", "srcset", "xlink:href", "action", "formaction", "poster", "data", "background"}


@dataclass
class Built:
    home: Path
    settings: Settings
    stdout: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One ``wirehouse run`` over the demo site, in a subprocess, into a home of its own."""
    home = tmp_path_factory.mktemp("report-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        WIREHOUSE_HOME=str(home),
        WIREHOUSE_ALLOW_PRIVATE="1",
        WIREHOUSE_HOST_DELAY="0",
        WIREHOUSE_RETRIES="0",
        WIREHOUSE_READ_TIMEOUT="2",
    )
    with serve() as site:
        sources = home / "sources.yml"
        sources.write_text(
            "sources:\n"
            f"  - {{kind: feed, location: '{site.url('/feed.xml')}', name: demo feed}}\n"
            f"  - {{kind: sitemap, location: '{site.url('/sitemap.xml')}'}}\n"
        )
        command = [sys.executable, "-m", "extract.cli", "run", "--sources", str(sources), "--batch-id", BATCH]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return Built(home, load_settings(environ={}, home=home), done.stdout)


class Page(HTMLParser):
    """The parts of a page the tests look at: URL-bearing attributes, the text of each element
    with an id, the text of the ``td.url`` cells, and every SVG chart's marks."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[str] = []
        self.attributes: list[str] = []  # every attribute value
        self.text_by_id: dict[str, str] = {}
        self.url_cells: list[str] = []
        self.charts: list[list[tuple[str, dict[str, str]]]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []  # (tag, id, text)
        self._in_chart = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append(tag)
        self.attributes += values.values()
        self.urls += [(tag, name, value) for name, value in values.items() if name in URL_ATTRIBUTES]
        if tag == "svg" and "chart" in values.get("class", "").split():
            self.charts.append([])
            self._in_chart += 1
        elif self._in_chart:
            self.charts[-1].append((tag, values))
        ident = values.get("id") or ("url-cell" if tag == "td" and values.get("class") == "url" else None)
        if tag not in VOID:
            self._open.append((tag, ident, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._in_chart:
            self._in_chart -= 1
        while self._open:
            name, ident, text = self._open.pop()
            joined = "".join(text)
            if self._open:
                self._open[-1][2].append(joined)
            if ident == "url-cell":
                self.url_cells.append(joined)
            elif ident:
                self.text_by_id[ident] = joined
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def _warehouse_counts(settings: Settings) -> dict[str, int]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        row = con.execute(
            "select n_discovered, n_fetched, n_articles, n_rejected from marts.fct_batch where batch_id = ?", [BATCH]
        ).fetchone()
        n_rejections = con.execute("select count(*) from marts.fct_rejection where batch_id = ?", [BATCH]).fetchone()[0]
        n_events = con.execute("select count(*) from marts.fct_event").fetchone()[0]
    finally:
        con.close()
    counts = dict(zip(("discovered", "fetched", "kept", "rejected"), row, strict=True))
    return {**counts, "n_rejections": n_rejections, "n_events": n_events}


def _tile(page: Page, name: str) -> int:
    return int(page.text_by_id[f"count-{name}"].removeprefix(name).strip())


def test_run_writes_the_report_with_the_warehouse_counts(built: Built) -> None:
    report = built.settings.report_path / "index.html"
    assert f"report: {report}" in built.stdout
    page = Page(report.read_text(encoding="utf-8"))
    counts = _warehouse_counts(built.settings)
    assert counts["discovered"] > counts["kept"] > 0 and counts["rejected"] > 0  # the demo rejects some pages
    for name in ("discovered", "fetched", "kept", "rejected"):
        assert _tile(page, name) == counts[name], name
    assert len(page.url_cells) == counts["n_rejections"] > 0
    # every reason in the summary links to its first row in the rejection table
    anchors = {value[1:] for tag, name, value in page.urls if value.startswith("#rej-")}
    assert anchors and anchors <= set(page.text_by_id)
    assert f" of {counts['n_events']} events)" in report.read_text()  # the time chart's caption


def test_report_references_no_external_url(built: Built) -> None:
    """Decided: the page may link only to its own anchors (``#...``) and to files beside it
    (relative paths: Great Expectations' raw pages).  Article URLs appear only as plain text in
    the rejections table (its url and detail cells), never in any attribute.  No script,
    stylesheet, image, frame or font."""
    html = (built.settings.report_path / "index.html").read_text(encoding="utf-8")
    page = Page(html)
    assert page.urls, "the page has its in-page links"
    for tag, name, value in page.urls:
        assert value.startswith("#") or ":" not in value, (tag, name, value)
    assert not [value for value in page.attributes if "//" in value or "http:" in value or "https:" in value]
    assert {"script", "link", "img", "iframe", "object", "embed", "image", "use"}.isdisjoint(page.tags)
    assert "url(" not in html and "@import" not in html and "@font-face" not in html
    before, rest = html.split('<section id="rejections">', 1)
    table, after = rest.split("</section>", 1)
    for outside in (before, after):
        assert "http://" not in outside and "https://" not in outside
    assert page.url_cells and all(url.startswith("http://127.0.0.1:") for url in page.url_cells)


def _chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with every way out closed: names resolve to nothing, and anything that
    still tries goes to a proxy on the discard port of 127.0.0.1."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        f"--user-data-dir={profile}", "--disable-background-networking", "--disable-component-update",
        "--disable-extensions", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _is_mark(tag: str, attrs: dict[str, str]) -> bool:
    """A drawn data mark: a bar with area or a point with a radius, not the map's sea or land."""
    if attrs.get("fill") in ("#eef4fa", "#d9d4c7"):
        return False
    if tag == "rect":
        return float(attrs.get("width", 0)) > 0 and float(attrs.get("height", 0)) > 0
    return tag == "circle" and float(attrs.get("r", 0)) > 0


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the decompressed scanlines of an 8-bit PNG (no Pillow in the venv)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = {}, 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        chunks.setdefault(kind, []).append(data[offset + 8 : offset + 8 + length])
        offset += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    return width, height, zlib.decompress(b"".join(chunks[b"IDAT"]))


@pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (Debian package; .ci/run installs it)")
def test_chromium_renders_the_report_offline(built: Built, tmp_path: Path) -> None:
    report = built.settings.report_path / "index.html"
    dumped = _chromium("--dump-dom", report.as_uri(), profile=tmp_path / "profile-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    page = Page(dumped.stdout)
    counts = _warehouse_counts(built.settings)
    for name in ("discovered", "fetched", "kept", "rejected"):
        assert _tile(page, name) == counts[name], name
    checks = (built.settings.report_path / "checks.json").read_text()
    assert '"failed": 0' in checks
    assert page.text_by_id["gx-totals"].startswith("Great Expectations: ")
    assert " passed, 0 failed" in page.text_by_id["gx-totals"]
    assert page.text_by_id["dbt-tests"].startswith("dbt tests: ")
    drawn = [chart for chart in page.charts if any(_is_mark(tag, attrs) for tag, attrs in chart)]
    assert len(drawn) >= 3, f"{len(page.charts)} charts, {len(drawn)} with marks"

    png = tmp_path / "report.png"
    shot = _chromium(f"--screenshot={png}", "--window-size=1280,2400", report.as_uri(), profile=tmp_path / "p2")
    assert shot.returncode == 0 and png.exists(), shot.stderr[-2000:]
    width, height, pixels = _png_pixels(png)
    assert (width, height) == (1280, 2400)
    assert png.stat().st_size > 50_000 and len(set(pixels)) > 64, "the screenshot is blank"


def test_report_command_and_a_failing_check_with_examples(built: Built, tmp_path: Path, capsys, monkeypatch) -> None:
    """``wirehouse report`` on a copy of the warehouse in which one article's language was
    broken after the run: the report shows that expectation failed, with the bad value."""
    home = tmp_path / "home"
    monkeypatch.setenv("WIREHOUSE_HOME", str(home))
    shutil.copytree(built.home, home, ignore=shutil.ignore_patterns("raw", "*.lock", "*.snapshot.*"))
    settings = load_settings(environ={}, home=home, fail_on_checks=False)
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("update marts.fct_article set language = 'Klingon!' where article_id = (select min(article_id) "
                "from marts.fct_article)")  # fmt: skip
    con.close()
    from extract.pipeline import run_checks_stage

    assert run_checks_stage(settings).failed >= 1
    out = tmp_path / "elsewhere" / "report.html"
    assert main(["report", "--batch", BATCH, "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    failing = html.split('<table class="expectations failing">', 1)[1].split("</table>", 1)[0]
    assert "fct_article.language" in failing and "Klingon!" in failing and "FAIL" in failing
    assert main(["report", "--batch", "no_such_batch"]) == 2
    assert "no batch 'no_such_batch'" in capsys.readouterr().err
