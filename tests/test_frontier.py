"""The frontier: known URLs skipped, due ones revisited with conditional requests, changed ones
reprocessed with their facts replaced and their earlier text kept.

Batches run the real stages in this process (discover, fetch, clean, NLP, load) against a real
HTTP server on 127.0.0.1 and a real DuckDB file; each batch is given its time (``as_of``) the way
the hourly DAG gives the end of its interval.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from local_http import LocalServer, conditional, static

from extract import pipeline
from extract.frontier import Known, due, revisit_ages
from extract.settings import Settings, SettingsError, load_settings
from extract.sources import Source
from extract.staging import batch_dir

T0 = datetime(2026, 3, 2, 9, 0)
HOUR = timedelta(hours=1)
STAMPS = frozenset({"fetched_at", "load_seq", "last_fetched_at"})


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    head = f"<html><head><title>{title}</title></head>"
    return f"{head}<body><article><h1>{title}</h1>{body}</article></body></html>".encode()


HARBOUR = [
    "The port authority of Valdria accused the Marenian navy on Tuesday of blocking three cargo ships "
    "outside the northern harbour for most of the week.",
    "\u201cThis blockade is illegal and it must end now,\u201d the authority's director, Anna Keller, told reporters.",
    "Shipping companies said the delays had cost them several million euros in fuel and lost contracts.",
]
HARBOUR_UPDATED = HARBOUR + [
    "On Wednesday the Marenian government rejected the accusation and said its ships were on a routine exercise.",
    "Foreign Minister Piotr Novak said Marenia would meet Valdrian officials in Geneva next week "
    "to discuss the dispute.",
]
FARMS = [
    "Farmers in the southern province of Ostreva protested on Monday against a plan to cut irrigation "
    "subsidies, blocking two highways with tractors for several hours.",
    "The agriculture minister, Jonas Berg, said the government would hold talks with the farmers' union.",
    "Union leaders said they would return to the highways if the plan was not withdrawn by the end of the month.",
]
BRIDGE = [
    "Engineers closed the old railway bridge over the Tarn river on Friday after inspectors found cracks "
    "in two of its supporting piers, the regional transport office said.",
    "Trains between the two largest towns of the region will run on a longer route until repairs are finished.",
    "The office said the repairs would take at least three months and cost about twelve million euros.",
]
LAST_MODIFIED = "Mon, 02 Mar 2026 08:00:00 GMT"


@pytest.fixture
def site():
    """Three articles: two with validators (a 304 when they still match), one without."""
    with LocalServer() as server:
        server.route("/harbour.html", conditional(_page("Harbour blockade", HARBOUR), '"h1"', LAST_MODIFIED))
        server.route("/farms.html", conditional(_page("Farmers protest", FARMS), '"f1"', LAST_MODIFIED))
        server.route("/bridge.html", static(_page("Bridge closed", BRIDGE)))  # ignores validators: always 200
        yield server


PATHS = ("/harbour.html", "/farms.html", "/bridge.html")


def _feed(tmp_path: Path, server: LocalServer) -> Source:
    """An RSS feed of the three pages, as a local file the feed source reads over HTTP."""
    items = "".join(f"<item><title>{p}</title><link>{server.url(p)}</link></item>" for p in PATHS)
    server.route(
        "/feed.xml", static(f"<rss><channel>{items}</channel></rss>".encode(), content_type="application/rss+xml")
    )
    return Source("feed", server.url("/feed.xml"))


def _batch(settings: Settings, batch_id: str, sources: list[Source], as_of: datetime) -> dict[str, dict[str, Any]]:
    """Run discover..load for one batch; the counts each stage recorded."""
    pipeline.run_discover(settings, batch_id, sources, as_of=as_of)
    counts = {}
    for stage in (pipeline.run_fetch, pipeline.run_clean, pipeline.run_nlp):
        result = stage(settings, batch_id)
        counts[result.stage] = {"n_in": result.n_in, "n_out": result.n_out, "n_skipped": result.n_skipped}
    pipeline.run_load(settings, batch_id)
    return counts


def _rows(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _actions(settings: Settings, batch_id: str) -> dict[str, str]:
    rows = _rows(settings, "select url, action from raw.visits where batch_id = ?", batch_id)
    return {url.rsplit("/", 1)[-1]: action for url, action in rows}


def _page_hits(server: LocalServer) -> list[Any]:
    return [hit for hit in server.hits if hit.path in PATHS]


def test_revisit_ages_read_the_setting() -> None:
    assert revisit_ages("1h,6h,24h,72h") == (HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR)
    assert revisit_ages(" 2d , 30m ") == (timedelta(minutes=30), timedelta(days=2))
    assert revisit_ages("never") == ()
    with pytest.raises(SettingsError, match="revisit_after"):
        load_settings(environ={"WIREHOUSE_REVISIT_AFTER": "hourly"})


def test_a_url_is_due_once_per_age_that_no_request_answered() -> None:
    ages = revisit_ages("1h,6h")
    fresh = Known("u", T0, T0, None, None, None, None)
    assert not due(fresh, T0 + 59 * timedelta(minutes=1), ages)
    assert due(fresh, T0 + HOUR, ages)
    revisited = Known("u", T0, T0 + HOUR, None, None, None, None)
    assert not due(revisited, T0 + 5 * HOUR, ages)
    assert due(revisited, T0 + 6 * HOUR, ages)
    done = Known("u", T0, T0 + 7 * HOUR, None, None, None, None)
    assert not due(done, T0 + 1000 * HOUR, ages)  # after the last age: never again
    never_asked = Known("u", T0, None, None, None, None, None)
    assert due(never_asked, T0 + HOUR, ages)


def test_an_unchanged_second_run_fetches_cleans_and_parses_nothing(settings, site, tmp_path) -> None:
    feed = _feed(tmp_path, site)
    first = _batch(settings, "h1", [feed], T0)
    assert first["fetch"]["n_out"] == 3 and first["nlp"]["n_in"] == 3
    articles_before = _rows(settings, "select url, text_sha256, batch_id from raw.articles order by url")
    hits_before = len(_page_hits(site))

    second = _batch(settings, "h2", [feed], T0 + 10 * timedelta(minutes=1))

    assert len(_page_hits(site)) == hits_before  # not one page request
    assert second["fetch"] == {"n_in": 3, "n_out": 0, "n_skipped": 3}
    assert second["clean"]["n_in"] == 0 and second["nlp"]["n_in"] == 0
    assert _actions(settings, "h2") == {p.lstrip("/"): "seen_again" for p in PATHS}
    assert _rows(settings, "select url, text_sha256, batch_id from raw.articles order by url") == articles_before
    # the batch is recorded all the same, with every URL it saw
    assert _rows(settings, "select n_discovered, n_fetched, n_articles from raw.batches where batch_id = 'h2'") == [
        (3, 0, 0)
    ]


def test_a_due_revisit_is_conditional_and_only_a_changed_text_is_reprocessed(settings, site, tmp_path) -> None:
    feed = _feed(tmp_path, site)
    _batch(settings, "h1", [feed], T0)
    statements_before = _rows(
        settings,
        "select s.text from raw.statements s join raw.articles a using (article_id) where a.url like '%harbour%'",
    )
    site.route("/harbour.html", conditional(_page("Harbour blockade", HARBOUR_UPDATED), '"h2"', LAST_MODIFIED))
    site.hits.clear()

    counts = _batch(settings, "h2", [feed], T0 + HOUR)

    sent = {hit.path: (hit.header("If-None-Match"), hit.header("If-Modified-Since")) for hit in _page_hits(site)}
    assert sent["/farms.html"] == ('"f1"', LAST_MODIFIED)
    assert sent["/harbour.html"] == ('"h1"', LAST_MODIFIED)
    assert sent["/bridge.html"] == (None, None)  # it never gave validators to send back
    assert _actions(settings, "h2") == {
        "farms.html": "not_modified",
        "harbour.html": "revisited",
        "bridge.html": "unchanged",
    }
    assert counts["fetch"]["n_skipped"] == 1  # the 304
    assert counts["clean"] == {"n_in": 2, "n_out": 1, "n_skipped": 1}  # bridge stopped after clean
    assert counts["nlp"]["n_in"] == 1  # only the changed article is parsed

    harbour = _rows(settings, "select text, batch_id from raw.articles where url like '%harbour%'")
    assert len(harbour) == 1 and "routine exercise" in harbour[0][0] and harbour[0][1] == "h2"
    statements_after = _rows(
        settings,
        "select s.text, s.batch_id from raw.statements s join raw.articles a using (article_id)"
        " where a.url like '%harbour%'",
    )
    assert {batch for _text, batch in statements_after} == {"h2"}  # facts replaced, not added to
    assert len(statements_after) > len(statements_before)
    versions = _rows(
        settings, "select text, batch_id from raw.article_versions where url like '%harbour%' order by fetched_at"
    )
    assert [batch for _text, batch in versions] == ["h1", "h2"]
    assert "routine exercise" not in versions[0][0] and "routine exercise" in versions[1][0]
    # the untouched articles stay the first batch's
    assert _rows(settings, "select batch_id from raw.articles where url not like '%harbour%' order by url") == [
        ("h1",),
        ("h1",),
    ]

    site.hits.clear()
    _batch(settings, "h3", [feed], T0 + 2 * HOUR)  # the next age is 6 h: nothing is due
    assert _page_hits(site) == []
    assert set(_actions(settings, "h3").values()) == {"seen_again"}


def test_a_rerun_of_a_batch_decides_as_its_first_run_did(settings, site, tmp_path) -> None:
    feed = _feed(tmp_path, site)
    _batch(settings, "h1", [feed], T0)
    _batch(settings, "h2", [feed], T0 + HOUR)
    _batch(settings, "h3", [feed], T0 + 2 * HOUR)
    visits = "select * exclude (batch_id) from raw.visits where batch_id = 'h2' order by url"
    before = _rows(settings, visits)

    _batch(settings, "h2", [feed], T0 + HOUR)  # the rerun sees h1, not itself nor the later h3

    assert _rows(settings, visits) == before
    assert set(_actions(settings, "h2").values()) == {"not_modified", "unchanged"}


def test_url_lists_are_never_revisited_and_refetch_forces_a_full_pass(settings, site, tmp_path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text("".join(site.url(p) + "\n" for p in PATHS))
    urls = Source("urls", str(listing))
    _batch(settings, "b1", [urls], T0)
    site.hits.clear()
    _batch(settings, "b2", [urls], T0 + 6 * HOUR)
    assert _page_hits(site) == [] and set(_actions(settings, "b2").values()) == {"seen_again"}

    forced = settings.replace(refetch=True)
    counts = _batch(forced, "b3", [urls], T0 + 7 * HOUR)
    assert len(_page_hits(site)) == 3
    assert all(hit.header("If-None-Match") is None for hit in _page_hits(site))  # plain requests
    assert set(_actions(settings, "b3").values()) == {"refetched"}
    assert counts["nlp"]["n_in"] == 3  # processed again though nothing changed: a new model applies
    first_seen = _rows(settings, "select distinct first_seen_at from raw.visits where batch_id = 'b3'")
    assert first_seen == [(T0,)]  # a full pass does not restart the revisit schedule


def test_a_url_that_never_gave_a_page_is_tried_again(settings, site, tmp_path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(site.url("/late.html") + "\n")
    urls = Source("urls", str(listing))
    _batch(settings, "b1", [urls], T0)  # not there yet: 404
    assert _actions(settings, "b1") == {"late.html": "failed"}
    site.route("/late.html", static(_page("Bridge closed", BRIDGE)))

    counts = _batch(settings, "b2", [urls], T0 + 10 * timedelta(minutes=1))  # a list: every run tries

    assert _actions(settings, "b2") == {"late.html": "fetched"} and counts["nlp"]["n_in"] == 1
    assert _rows(settings, "select first_seen_at from raw.visits where batch_id = 'b2'") == [(T0,)]


def test_the_batch_time_is_recorded_by_discover(settings, site, tmp_path) -> None:
    pipeline.run_discover(settings, "b", [_feed(tmp_path, site)], as_of=T0)
    recorded = json.loads((batch_dir(settings, "b") / pipeline.BATCH_FILE).read_text())
    assert datetime.fromisoformat(recorded["as_of"]) == T0
