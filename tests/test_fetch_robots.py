"""robots.txt as sites write it today: wildcards, end anchors, longest match and Crawl-delay.

A real server on 127.0.0.1 serves the robots.txt; what counts is which requests reach it and
when the server saw them.
"""

from __future__ import annotations

import logging

import pytest
from local_http import LocalServer, static

from extract import fetch as fetch_module
from extract.fetch import Fetcher
from extract.settings import Settings

pytestmark = pytest.mark.timeout(30)

PAGE = b"<html><head><title>t</title></head><body><p>Hello.</p></body></html>"
ROBOTS = b"""\
User-agent: *
Disallow: /*?print=
Disallow: /*.pdf$
Disallow: /archive/
Allow: /archive/public/
Crawl-delay: 1
"""


def make_settings(**changes: object) -> Settings:
    base: dict[str, object] = {
        "allow_private": True,
        "host_delay": 0,
        "connect_timeout": 1,
        "read_timeout": 1,
        "retries": 0,
        "fetch_workers": 2,
        "host_concurrency": 2,
    }
    return Settings().replace(**{**base, **changes})


def serve_robots(server: LocalServer, robots: bytes) -> None:
    server.route("/robots.txt", static(robots, content_type="text/plain"))
    for path in ("/a", "/doc.pdf", "/archive/old", "/archive/public/page", "/b"):
        server.route(path, static(PAGE))


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/a?print=1", False),  # Disallow: /*?print=
        ("/a?x=1&print=1", True),  # the pattern needs "?print=", not "&print="
        ("/a", True),
        ("/doc.pdf", False),  # Disallow: /*.pdf$
        ("/doc.pdf?page=2", True),  # $ anchors the end: this URL goes on after .pdf
        ("/archive/old", False),
        ("/archive/public/page", True),  # the longer Allow wins over the earlier Disallow
    ],
)
def test_wildcards_anchors_and_the_longest_match(server: LocalServer, path: str, allowed: bool) -> None:
    serve_robots(server, ROBOTS.replace(b"Crawl-delay: 1\n", b""))
    with Fetcher(make_settings()) as fetcher:
        result = fetcher.fetch(server.url(path))
    if allowed:
        assert result.ok, result
        assert server.count(path) == 1
    else:
        assert result.reason == "robots_disallowed"
        assert server.count(path) == 0


def test_crawl_delay_spaces_page_requests_although_host_delay_is_zero(server: LocalServer) -> None:
    serve_robots(server, ROBOTS)
    with Fetcher(make_settings(host_delay=0)) as fetcher:
        results = [fetcher.fetch(server.url(path)) for path in ("/a", "/b")]
    assert all(result.ok for result in results)
    robots, first, second = server.times()
    # the first page already waits: robots.txt is read (and its delay set) before it goes out
    assert first - robots >= 1 - 0.01
    assert second - first >= 1 - 0.01


def test_crawl_delay_never_shortens_host_delay(server: LocalServer) -> None:
    serve_robots(server, ROBOTS.replace(b"Crawl-delay: 1", b"Crawl-delay: 0.1"))
    with Fetcher(make_settings(host_delay=0.4)) as fetcher:
        assert fetcher.fetch(server.url("/a")).ok and fetcher.fetch(server.url("/b")).ok
    robots, first, second = server.times()
    assert min(first - robots, second - first) >= 0.4 - 0.01


def test_a_huge_crawl_delay_is_capped_and_logged(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(fetch_module, "MAX_CRAWL_DELAY", 0.3)  # the real cap is a minute
    serve_robots(server, ROBOTS.replace(b"Crawl-delay: 1", b"Crawl-delay: 86400"))
    with caplog.at_level(logging.WARNING, logger="extract.fetch"), Fetcher(make_settings()) as fetcher:
        assert fetcher.fetch(server.url("/a")).ok
    robots, page = server.times()
    assert 0.3 - 0.01 <= page - robots < 5
    assert any("86400" in record.getMessage() and "capped" in record.getMessage() for record in caplog.records)


def test_crawl_delay_for_another_robot_does_not_apply(server: LocalServer) -> None:
    serve_robots(server, b"User-agent: otherbot\nCrawl-delay: 5\n\nUser-agent: *\nAllow: /\n")
    with Fetcher(make_settings()) as fetcher:
        assert fetcher.fetch(server.url("/a")).ok and fetcher.fetch(server.url("/b")).ok
    robots, first, second = server.times()
    assert second - robots < 1


def test_a_robots_txt_that_is_not_text_rules_nothing_out(server: LocalServer) -> None:
    serve_robots(server, bytes(range(256)) * 4)
    with Fetcher(make_settings()) as fetcher:
        assert fetcher.fetch(server.url("/a?print=1")).ok
