"""The whole pipeline through the CLI, on a real DuckDB file and real HTTP servers on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from local_http import LocalServer, slow, static

from extract import pipeline
from extract.cli import main
from extract.load import connect
from extract.sources import Source

ARTICLE = (
    "<html><head><title>Port strike ends</title></head><body><article><h1>Port strike ends</h1>"
    + "".join(
        f"<p>Dock workers in the northern port voted on day {i} to end a strike that had halted "
        f"container traffic for {i + 2} weeks, union leaders said, after the operator offered raises.</p>"
        for i in range(6)
    )
    + "</article></body></html>"
).encode()


def _marts(settings) -> dict[str, list]:
    con = connect(settings, read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        return {n: con.execute(f"select {_content(con, n)} from marts.{n} order by all").fetchall() for n in names}
    finally:
        con.close()


# which load and which build wrote a row, and (the frontier's times) when a hand-made run began:
# each rerun's own
BOOKKEEPING = ("load_seq", "built_at", "first_seen_at", "last_seen_at", "last_fetch_at")


def _content(con, table: str) -> str:
    """The table's columns but the bookkeeping ones."""
    columns = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?"
            " order by ordinal_position",
            [table],
        ).fetchall()
    ]
    return ", ".join(c for c in columns if c not in BOOKKEEPING)


def _run(settings, *args: str) -> int:
    return main(["--warehouse", str(settings.warehouse_path), "run", *args])


@pytest.fixture
def env(settings, monkeypatch):
    """The CLI reads WIREHOUSE_* like a user's shell would."""
    monkeypatch.setenv("WIREHOUSE_HOME", str(settings.home))
    monkeypatch.setenv("WIREHOUSE_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("WIREHOUSE_HOST_DELAY", "0")
    monkeypatch.setenv("WIREHOUSE_READ_TIMEOUT", "1")
    monkeypatch.setenv("WIREHOUSE_RETRIES", "0")
    return settings


def test_demo_site_end_to_end_and_rerun_is_identical(env, demo_site, capsys) -> None:
    args = ["--feed", demo_site.url("/feed.xml"), "--sitemap", demo_site.url("/sitemap.xml")]
    with pytest.raises(SystemExit):  # --feed and --sitemap are exclusive: one kind per run
        _run(env, *args)
    sources = env.home / "sources.yml"
    sources.write_text(
        "sources:\n"
        f"  - {{kind: feed, location: '{demo_site.url('/feed.xml')}', name: demo feed}}\n"
        f"  - {{kind: sitemap, location: '{demo_site.url('/sitemap.xml')}'}}\n"
    )
    assert _run(env, "--sources", str(sources), "--batch-id", "demo") == 0
    out = capsys.readouterr().out
    first = _marts(env)
    con = connect(env, read_only=True)
    reasons = dict(con.execute("select url, reason from marts.fct_rejection").fetchall())
    languages = dict(con.execute("select language, count(*) from marts.fct_article group by 1").fetchall())
    con.close()
    assert len(first["fct_article"]) == 9  # 9 articles; the copy, the link page and the dead link rejected
    assert languages == {"en": 8, "de": 1}
    assert reasons[demo_site.url("/news/withdrawn-story.html")] == "http_404"
    assert reasons[demo_site.url("/news/live-updates-index.html")] == "too_short"
    assert reasons[demo_site.url("/news/un-convoy-delivers-food-to-darfur-camp-syndicated.html")] == "near_duplicate"
    assert "marts.fct_article" in out and "checks:" in out and "0 failed" in out
    assert (env.report_path / "data_docs").is_dir()

    assert _run(env, "--sources", str(sources), "--batch-id", "demo") == 0
    assert _marts(env) == first
    assert "fetched 11 (11 from the raw store)" in capsys.readouterr().out  # nothing fetched twice
    assert _run(env, "--sources", str(sources), "--batch-id", "demo-later") == 0  # another batch, same pages
    later = _marts(env)
    assert len(later["fct_article"]) == 9 and len(later["dim_source"]) == len(first["dim_source"])


def test_every_fetch_failure_is_recorded_with_its_reason(env, tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("/robots.txt", static(b"User-agent: *\nDisallow: /members/\n", content_type="text/plain"))
        server.route("/ok.html", static(ARTICLE))
        server.route("/members/story.html", static(ARTICLE))
        server.route("/slow.html", slow(3, static(ARTICLE)))
        server.route("/huge.html", static(ARTICLE + b"<p>" + b"x" * 300_000 + b"</p>"))
        server.route("/report.pdf", static(b"%PDF-1.4", content_type="application/pdf"))
        paths = ["/ok.html", "/missing.html", "/members/story.html", "/slow.html", "/huge.html", "/report.pdf"]
        urls = tmp_path / "urls.txt"
        urls.write_text("\n".join(server.url(p) for p in paths) + "\nnot a url\n")
        settings = env.replace(max_bytes=200_000)
        pipeline.run_discover(settings, "b", [Source("urls", str(urls))])
        pipeline.run_fetch(settings, "b")
        pipeline.run_clean(settings, "b")
        pipeline.run_load(settings, "b")
        # without the setting, a loopback address is refused before any request is sent
        hits = len(server.hits)
        strict = settings.replace(allow_private=False)
        pipeline.run_discover(strict, "strict", [Source("urls", str(urls))])
        pipeline.run_fetch(strict, "strict")
        pipeline.run_clean(strict, "strict")
        pipeline.run_load(strict, "strict")
        assert len(server.hits) == hits
    con = connect(settings, read_only=True)
    got = {
        (b, u.replace(server.url(""), "/") if u.startswith("http") else u, s, r)
        for b, u, s, r in con.execute("select batch_id, url, stage, reason from raw.rejections").fetchall()
    }
    n_articles = con.execute("select count(*) from raw.articles").fetchone()[0]
    con.close()
    assert {
        ("b", "/missing.html", "fetch", "http_404"),
        ("b", "/members/story.html", "fetch", "robots_disallowed"),
        ("b", "/slow.html", "fetch", "timeout"),
        ("b", "/huge.html", "fetch", "too_large"),
        ("b", "/report.pdf", "fetch", "not_html"),
        ("b", "not a url", "discover", "invalid_url"),
    } <= got
    assert {r for b, _u, s, r in got if b == "strict" and s == "fetch"} == {"private_address"}
    assert n_articles == 1


def test_a_failing_expectation_fails_the_run(env, demo_site, tmp_path: Path, capsys) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(demo_site.url("/news/eu-agrees-sanctions-on-shadow-fleet-tankers.html") + "\n")
    assert _run(env, "--urls", str(urls), "--batch-id", "one") == 0
    # a bad row reaches the raw layer (say, a buggy backfill); the next run must stop on it
    con = duckdb.connect(str(env.warehouse_path))
    con.execute("update raw.articles set published_at = timestamp '2999-01-01'")
    con.close()
    # the next run brings an article (a run that changes none leaves the marts and checks be)
    more = tmp_path / "more.txt"
    more.write_text(demo_site.url("/news/kenya-police-fire-tear-gas-at-nairobi-protesters.html") + "\n")
    assert _run(env, "--urls", str(more), "--batch-id", "two") == 1
    captured = capsys.readouterr()
    assert "ChecksFailed" in captured.err and "published_at" in captured.err
    assert "1 failed" in captured.out or "failed: " in captured.out
