"""Conditional requests in extract.fetch (ETag, Last-Modified, 304) against a real local server."""

from __future__ import annotations

import pytest
from local_http import Hit, LocalServer, conditional, redirect, static

from extract.fetch import Fetcher, FetchResult, Validators, fetch_all
from extract.settings import Settings

pytestmark = pytest.mark.timeout(30)

OLD_PAGE = b"<html><body><p>First version.</p></body></html>"
NEW_PAGE = b"<html><body><p>Second version.</p></body></html>"
OLD_ETAG, NEW_ETAG = '"v1"', '"v2"'
OLD_DATE, NEW_DATE = "Wed, 21 Oct 2015 07:28:00 GMT", "Thu, 22 Oct 2015 09:00:00 GMT"


def make_settings() -> Settings:
    """Loopback allowed and no delays or retries worth waiting for, as in tests/test_fetch.py."""
    return Settings().replace(
        allow_private=True, host_delay=0, connect_timeout=0.5, read_timeout=0.5, retries=1, backoff=0.01
    )


def fetch(url: str, validators: Validators | None = None) -> FetchResult:
    with Fetcher(make_settings()) as fetcher:
        return fetcher.fetch(url, validators=validators)


def hits_to(server: LocalServer, path: str) -> list[Hit]:
    return [hit for hit in server.hits if hit.path == path]


def test_validators_are_truthy_only_when_they_hold_one() -> None:
    assert not Validators() and not Validators(etag="", last_modified="")
    assert Validators(etag=OLD_ETAG) and Validators(last_modified=OLD_DATE)


def test_a_first_fetch_returns_the_pages_validators(server: LocalServer) -> None:
    server.route("/page", conditional(OLD_PAGE, OLD_ETAG, OLD_DATE))
    result = fetch(server.url("/page"))
    assert result.ok and not result.not_modified
    assert (result.status, result.body) == (200, OLD_PAGE)
    assert (result.etag, result.last_modified) == (OLD_ETAG, OLD_DATE)
    assert hits_to(server, "/page")[0].header("If-None-Match") is None


def test_an_unchanged_page_comes_back_not_modified_without_a_body(server: LocalServer) -> None:
    server.route("/page", conditional(OLD_PAGE, OLD_ETAG, OLD_DATE))
    result = fetch(server.url("/page"), Validators(OLD_ETAG, OLD_DATE))
    assert result.ok and result.not_modified
    assert (result.status, result.body, result.reason) == (304, None, None)
    # the 304 repeats only the ETag; the Last-Modified we sent is kept for the next visit
    assert (result.etag, result.last_modified) == (OLD_ETAG, OLD_DATE)
    [page_hit] = hits_to(server, "/page")
    assert (page_hit.header("If-None-Match"), page_hit.header("If-Modified-Since")) == (OLD_ETAG, OLD_DATE)
    [robots_hit] = hits_to(server, "/robots.txt")
    assert robots_hit.header("If-None-Match") is None and robots_hit.header("If-Modified-Since") is None


def test_last_modified_alone_is_enough_to_get_not_modified(server: LocalServer) -> None:
    server.route("/page", conditional(OLD_PAGE, OLD_ETAG, OLD_DATE))
    result = fetch(server.url("/page"), Validators(last_modified=OLD_DATE))
    assert result.not_modified and result.body is None
    assert (result.etag, result.last_modified) == (OLD_ETAG, OLD_DATE)
    [page_hit] = hits_to(server, "/page")
    assert page_hit.header("If-None-Match") is None and page_hit.header("If-Modified-Since") == OLD_DATE


def test_a_stale_etag_gets_the_new_body_and_new_validators(server: LocalServer) -> None:
    server.route("/page", conditional(NEW_PAGE, NEW_ETAG, NEW_DATE))
    result = fetch(server.url("/page"), Validators(OLD_ETAG, OLD_DATE))
    assert result.ok and not result.not_modified
    assert (result.status, result.body) == (200, NEW_PAGE)
    assert (result.etag, result.last_modified) == (NEW_ETAG, NEW_DATE)


def test_a_server_that_ignores_validators_gives_an_ordinary_result(server: LocalServer) -> None:
    server.route("/page", static(OLD_PAGE, headers={"ETag": NEW_ETAG}))
    result = fetch(server.url("/page"), Validators(OLD_ETAG, OLD_DATE))
    assert result.ok and not result.not_modified
    assert (result.status, result.body) == (200, OLD_PAGE)
    assert (result.etag, result.last_modified) == (NEW_ETAG, None)
    assert hits_to(server, "/page")[0].header("If-None-Match") == OLD_ETAG


def test_a_304_to_a_plain_request_is_still_a_failure(server: LocalServer) -> None:
    server.route("/page", static(b"", status=304, content_type=None, length=False))
    result = fetch(server.url("/page"))
    assert not result.ok and not result.not_modified
    assert (result.reason, result.status, result.body) == ("http_304", 304, None)


def test_a_bare_304_keeps_the_validators_sent_and_skips_the_type_check(server: LocalServer) -> None:
    server.route("/page", static(b"", status=304, content_type="application/json", length=False))
    result = fetch(server.url("/page"), Validators(OLD_ETAG, OLD_DATE))
    assert result.not_modified and result.body is None
    assert result.content_type == "application/json"
    assert (result.etag, result.last_modified) == (OLD_ETAG, OLD_DATE)


def test_validators_travel_along_a_redirect(server: LocalServer) -> None:
    server.route("/old", redirect("/page", status=301))
    server.route("/page", conditional(OLD_PAGE, OLD_ETAG, OLD_DATE))
    result = fetch(server.url("/old"), Validators(etag=OLD_ETAG))
    assert result.not_modified and result.final_url == server.url("/page")
    assert [hit.header("If-None-Match") for hit in server.hits if hit.path in ("/old", "/page")] == [OLD_ETAG] * 2


def test_fetch_all_sends_validators_only_for_the_urls_mapped_to_them(server: LocalServer) -> None:
    for path in ("/known", "/new"):
        server.route(path, conditional(OLD_PAGE, OLD_ETAG, OLD_DATE))
    known, new = server.url("/known"), server.url("/new")
    settings = make_settings()
    results = {r.url: r for r in fetch_all([known, new], settings, validators={known: Validators(OLD_ETAG)})}
    assert results[known].not_modified and results[known].body is None
    assert results[new].status == 200 and results[new].body == OLD_PAGE
    assert [hit.header("If-None-Match") for hit in hits_to(server, "/known")] == [OLD_ETAG]
    assert [hit.header("If-None-Match") for hit in hits_to(server, "/new")] == [None]
