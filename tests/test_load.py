"""The loader on a real DuckDB file: all-or-nothing batches, idempotent reruns, duplicates caught."""

from __future__ import annotations

import duckdb
import pytest

from extract.clean import Article, clean_page
from extract.load import connect, load_batch
from extract.staging import batch_dir, write_jsonl

SENTENCES = [
    "The foreign ministers of Chile and Argentina met in Santiago on Thursday to discuss water rights.",
    "Officials said the talks focused on a shared aquifer that feeds farms on both sides of the Andes.",
    "Chile's minister told reporters that a technical commission would report within three months.",
    "Argentina has accused mining companies of drawing down the aquifer faster than rain can refill it.",
    "Farmers' unions in Mendoza staged a protest outside the provincial legislature on Wednesday.",
    "The governor of Mendoza called on the national government to suspend new extraction permits.",
    "A spokesman for the mining chamber rejected the accusation and said its members followed the law.",
    "Environmental groups welcomed the meeting but warned that a commission alone would change nothing.",
    "The two governments signed a similar accord on glacier protection in 2019 that was never enforced.",
    "Diplomats expect the presidents to discuss the issue when they meet at a regional summit in June.",
]


def _article(settings, url: str, sentences: list[str]) -> dict:
    html = "<html><body><article>" + "".join(f"<p>{s}</p>" for s in sentences) + "</article></body></html>"
    outcome = clean_page(
        html.encode(),
        url=url,
        source_id="src",
        content_type="text/html; charset=utf-8",
        fetched_at="2025-05-01T12:00:00",
        settings=settings,
    )
    assert isinstance(outcome, Article), outcome
    return outcome.to_row()


def _page(url: str) -> dict:
    return {
        "url": url,
        "final_url": url,
        "source_id": "src",
        "http_status": 200,
        "content_type": "text/html",
        "n_bytes": 100,
        "body_sha256": "0" * 64,
        "raw_path": "xx/yy.html.gz",
        "fetched_at": "2025-05-01T12:00:00",
    }


def _stage(settings, batch_id: str, articles: list[dict], rejections: list[dict] | None = None):
    folder = batch_dir(settings, batch_id)
    write_jsonl(folder / "sources.jsonl", [{"source_id": "src", "kind": "urls", "location": "list.txt", "name": None}])
    write_jsonl(folder / "discovered.jsonl", [{"url": a["url"], "source_id": "src"} for a in articles])
    write_jsonl(folder / "pages.jsonl", [_page(a["url"]) for a in articles])
    write_jsonl(folder / "articles.jsonl", articles)
    write_jsonl(folder / "rejections-fetch.jsonl", rejections or [])
    return folder


def _snapshot(settings) -> dict[str, list]:
    con = connect(settings, read_only=True)
    try:
        # every row but the load's number, which each load takes anew (see test below)
        return {
            t: con.execute(f"select * exclude (load_seq) from raw.{t} order by all").fetchall()
            if t == "batches"
            else con.execute(f"select * from raw.{t} order by all").fetchall()
            for t in ("sources", "discovered_urls", "pages", "articles", "rejections", "batches")
        }
    finally:
        con.close()


def test_rerun_of_a_batch_leaves_the_same_warehouse(settings) -> None:
    variants = [SENTENCES, [s[::-1] for s in SENTENCES], [" ".join(s.split()[::-1]) for s in SENTENCES]]
    articles = [_article(settings, f"https://a.example/{i}", text) for i, text in enumerate(variants)]
    rejections = [{"url": "https://a.example/gone", "stage": "fetch", "reason": "http_404", "detail": None}]
    folder = _stage(settings, "b1", articles, rejections)
    first = load_batch(settings, "b1", folder)
    snapshot = _snapshot(settings)
    second = load_batch(settings, "b1", folder)
    assert first == second
    assert _snapshot(settings) == snapshot
    assert len(snapshot["articles"]) == first.n_articles
    assert len(snapshot["rejections"]) == 1


def test_every_load_takes_a_higher_number_a_rerun_included(settings) -> None:
    def load_seq() -> dict[str, int]:
        con = connect(settings, read_only=True)
        try:
            return dict(con.execute("select batch_id, load_seq from raw.batches").fetchall())
        finally:
            con.close()

    load_batch(settings, "b1", _stage(settings, "b1", [_article(settings, "https://a.example/1", SENTENCES)]))
    load_batch(settings, "b2", _stage(settings, "b2", [_article(settings, "https://a.example/2", SENTENCES[::-1])]))
    first = load_seq()
    load_batch(settings, "b1", batch_dir(settings, "b1"))
    second = load_seq()
    assert first["b1"] < first["b2"] < second["b1"] and second["b2"] == first["b2"]


def test_exact_and_near_copies_become_rejections(settings) -> None:
    original = _article(settings, "https://a.example/story", SENTENCES)
    exact = _article(settings, "https://mirror.example/story", SENTENCES)
    edited = SENTENCES.copy()
    edited[4] = "Farm workers in Mendoza marched to the provincial legislature on Wednesday evening."
    near = _article(settings, "https://partner.example/story", edited)
    unrelated = _article(settings, "https://a.example/other", [s[::-1] for s in SENTENCES])
    result = load_batch(settings, "b1", _stage(settings, "b1", [original, exact, near, unrelated]))
    assert result.n_articles == 2 and result.n_duplicates == 2
    con = connect(settings, read_only=True)
    reasons = dict(con.execute("select url, reason from raw.rejections where stage = 'dedupe'").fetchall())
    con.close()
    assert reasons == {
        "https://mirror.example/story": "exact_duplicate",
        "https://partner.example/story": "near_duplicate",
    }

    # a later batch republishing the story is caught against the warehouse, too
    late = _article(settings, "https://late.example/story", edited)
    assert load_batch(settings, "b2", _stage(settings, "b2", [late])).n_duplicates == 1


def test_a_failure_mid_load_leaves_no_partial_batch(settings) -> None:
    load_batch(settings, "b1", _stage(settings, "b1", [_article(settings, "https://a.example/1", SENTENCES)]))
    before = _snapshot(settings)
    articles = [_article(settings, "https://a.example/2", SENTENCES[::-1])]
    # a rejection without a reason breaks a NOT NULL constraint after articles were inserted
    folder = _stage(
        settings, "b2", articles, [{"url": "https://a.example/x", "stage": "fetch", "reason": None, "detail": None}]
    )
    with pytest.raises(duckdb.ConstraintException):
        load_batch(settings, "b2", folder)
    assert _snapshot(settings) == before


def test_a_refetched_page_replaces_its_article(settings) -> None:
    load_batch(settings, "b1", _stage(settings, "b1", [_article(settings, "https://a.example/1", SENTENCES)]))
    updated = SENTENCES + ["Update: the commission was named on Friday, officials said."]
    load_batch(settings, "b2", _stage(settings, "b2", [_article(settings, "https://a.example/1", updated)]))
    con = connect(settings, read_only=True)
    rows = con.execute("select batch_id, text from raw.articles").fetchall()
    con.close()
    assert len(rows) == 1 and rows[0][0] == "b2" and "Update:" in rows[0][1]
