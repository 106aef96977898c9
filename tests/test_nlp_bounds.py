"""Per-article bounds of the NLP stage: a cut text, capped statements and events, each a reason.

Every text here is generated in the test, and parsed by the real spaCy pipeline; the last test
carries a giant page from a local server through every stage into the marts.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from extract import pipeline
from extract.load import connect
from extract.nlp.annotate import annotate_articles
from extract.settings import Settings, load_settings
from extract.sources import Source

NAMES = ["Anna Petrov", "John Harris", "Maria Lopez", "Chen Wei", "Omar Haddad", "Lena Novak", "Kofi Mensah"]
COUNTRIES = [
    "France", "Germany", "Japan", "Brazil", "Kenya", "Canada", "India", "Mexico", "Egypt", "Chile",
    "Peru", "Spain", "Italy", "Norway", "Poland", "Turkey", "Vietnam", "Nigeria", "Ghana", "Sweden",
]  # fmt: skip


@pytest.fixture(scope="module")
def nlp_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped bounds (no overrides), so the tests hold the defaults to their word."""
    return load_settings(environ={}, home=tmp_path_factory.mktemp("bounds"))


def annotate(settings: Settings, text: str) -> dict[str, list[dict[str, Any]]]:
    article = {"article_id": "a1", "text": text, "language": "en", "published_at": "2024-05-01T00:00:00"}
    return annotate_articles(settings, [article])


def one_paragraph(n_chars: int) -> str:
    """A single paragraph (no line break) of quotes, speakers, countries and accusations."""
    parts, length = [], 0
    for i in itertools.count():
        a, b = NAMES[i % len(NAMES)], NAMES[(i * 3 + 1) % len(NAMES)]
        c, d = COUNTRIES[i % len(COUNTRIES)], COUNTRIES[(i + 3) % len(COUNTRIES)]
        part = (
            f'"We will not accept this, number {i}," said {a}, the minister. '
            f"{c} accused {d} of breaking the deal on Monday. {b} told reporters that talks would resume. "
        )
        parts.append(part)
        length += len(part)
        if length >= n_chars:
            return "".join(parts)[:n_chars]
    raise AssertionError("unreachable")


def test_the_cut_ends_at_the_last_boundary_a_reader_would_choose() -> None:
    from extract.nlp.annotate import parse_limit

    assert parse_limit("short text", 100) == len("short text")
    assert parse_limit("aaaa bbbb.\ncc. dd ee ff", 14) == 10  # a paragraph break first
    assert parse_limit("Some words here. Three four five", 22) == 16  # else a sentence end
    assert parse_limit('He said "no." Then more words', 20) == 13  # closing quote stays with its sentence
    assert parse_limit("aaaa bbbb cccc dddd", 12) == 9  # else a space
    assert parse_limit("x" * 50, 20) == 20  # else the limit itself
    assert parse_limit("a\n" + "b " * 40, 40) == 39  # a break before the limit's second half is too early


def test_a_giant_paragraph_is_cut_and_every_offset_points_into_the_full_text(nlp_settings: Settings) -> None:
    text = one_paragraph(245_000)
    rows = annotate(nlp_settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    match = re.search(r"\btext_cut at (\d+) of 245000 characters\b", nlp["reason"] or "")
    assert match, nlp["reason"]
    parsed = int(match.group(1))
    assert nlp_settings.nlp_max_chars // 2 < parsed <= nlp_settings.nlp_max_chars
    assert text[:parsed].endswith(".")  # cut at a sentence end: the paragraph has no break
    assert rows["statements"] and rows["actor_mentions"] and rows["sentences"]
    assert max(row["end_char"] for row in rows["sentences"]) <= parsed
    for table in ("statements", "actor_mentions"):
        for row in rows[table]:
            assert 0 <= row["start_char"] < row["end_char"] <= parsed, (table, row)
            assert text[row["start_char"] : row["end_char"]] == row["text"], (table, row)
    for row in rows["events"]:
        assert 0 <= row["start_char"] < row["end_char"] <= parsed


def test_a_quote_storm_keeps_the_first_statements_and_says_how_many_it_dropped(nlp_settings: Settings) -> None:
    n_quotes = 2_000
    text = "".join(f'"We act now, number {i}," {NAMES[i % len(NAMES)]} said. ' for i in range(n_quotes))
    assert len(text) < nlp_settings.nlp_max_chars  # the cap alone, not the cut
    rows = annotate(nlp_settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    match = re.fullmatch(rf"statements_capped at {nlp_settings.nlp_max_statements} of (\d+)", nlp["reason"] or "")
    assert match, nlp["reason"]
    assert int(match.group(1)) >= n_quotes
    statements = rows["statements"]
    assert len(statements) == nlp_settings.nlp_max_statements
    assert [row["statement_index"] for row in statements] == list(range(nlp_settings.nlp_max_statements))
    assert [row["text"] for row in statements] == [f"We act now, number {i}" for i in range(len(statements))]


def test_a_page_of_attacks_keeps_the_first_events_and_says_how_many_it_dropped(nlp_settings: Settings) -> None:
    pairs = list(itertools.permutations(COUNTRIES, 2))  # 380 distinct attacks
    text = " ".join(f"{a} attacked {b}." for a, b in pairs)
    rows = annotate(nlp_settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    assert nlp["reason"] == f"events_capped at {nlp_settings.nlp_max_events} of {len(pairs)}"
    events = rows["events"]
    assert len(events) == nlp_settings.nlp_max_events
    assert [row["sentence_index"] for row in events] == list(range(nlp_settings.nlp_max_events))
    assert {row["event_type"] for row in events} == {"ASSAULT"}


def test_a_normal_article_hits_no_bound(nlp_settings: Settings) -> None:
    text = (
        "Officials in Nairobi said on Monday that talks would resume next week.\n\n"
        '"We will not accept this," said Anna Petrov, the French foreign minister.\n\n'
        "France accused Germany of breaking the deal, and Kenya attacked Somalia overnight."
    )
    rows = annotate(nlp_settings, text)
    (nlp,) = rows["article_nlp"]
    assert (nlp["status"], nlp["reason"]) == ("parsed", None)
    assert rows["statements"] and rows["events"]
    assert max(row["end_char"] for row in rows["sentences"]) <= len(text)


@pytest.mark.faults
def test_a_giant_page_reaches_the_marts_whole_with_facts_from_its_parsed_part(settings: Settings, tmp_path) -> None:
    from local_http import LocalServer, static

    giant = one_paragraph(245_000)
    normal = one_paragraph(3_000)
    page = "<html><head><title>{}</title></head><body><article><h1>{}</h1><p>{}</p></article></body></html>"
    with LocalServer() as server:
        server.route("/giant.html", static(page.format("Talks", "Talks", giant).encode()))
        server.route("/normal.html", static(page.format("Deal", "Deal", normal).encode()))
        urls = tmp_path / "urls.txt"
        urls.write_text(f"{server.url('/giant.html')}\n{server.url('/normal.html')}\n")
        pipeline.run_discover(settings, "b", [Source("urls", str(urls))])
        pipeline.run_fetch(settings, "b")
    pipeline.run_clean(settings, "b")
    pipeline.run_nlp(settings, "b")
    pipeline.run_load(settings, "b")
    pipeline.run_transform(settings)  # dbt build: its tests hold every fact's text to its offsets
    con = connect(settings, read_only=True)
    try:
        rows = con.execute(
            """select a.url, length(a.text), n.status, n.reason,
                      (select max(m.end_char) from marts.fct_actor_mention as m where m.article_id = a.article_id),
                      (select count(*) from marts.fct_statement as s where s.article_id = a.article_id)
               from marts.fct_article as a join raw.article_nlp as n using (article_id) order by a.url"""
        ).fetchall()
        cut = con.execute(
            "select nlp_status, nlp_reason from staging.stg_wirehouse__article_nlp where nlp_reason like '%text_cut%'"
        ).fetchall()  # where an analyst finds the articles the NLP read only in part
    finally:
        con.close()
    (giant_url, n_chars, status, reason, last_mention, n_statements), normal_row = rows
    assert giant_url.endswith("/giant.html") and n_chars > 240_000  # the warehouse keeps the whole text
    match = re.match(rf"text_cut at (\d+) of {n_chars} characters(; |$)", reason or "")
    assert status == "parsed" and match, reason
    assert last_mention <= int(match.group(1))
    assert f"; statements_capped at {settings.nlp_max_statements} of " in reason
    assert n_statements == settings.nlp_max_statements
    assert cut == [("parsed", reason)]
    assert normal_row[2:4] == ("parsed", None) and normal_row[5] > 0
