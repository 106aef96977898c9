"""Per-article bounds of the NLP stage: a cut text, capped statements and events, each a reason.

Every text here is generated in the test, and parsed by the real spaCy pipeline.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from extract.nlp.annotate import annotate_articles
from extract.settings import Settings, load_settings

NAMES = ["Anna Petrov", "John Harris", "Maria Lopez", "Chen Wei", "Omar Haddad", "Lena Novak", "Kofi Mensah"]
COUNTRIES = [
    "France", "Germany", "Japan", "Brazil", "Kenya", "Canada", "India", "Mexico", "Egypt", "Chile",
    "Peru", "Spain", "Italy", "Norway", "Poland", "Turkey", "Vietnam", "Nigeria", "Ghana", "Sweden",
]  # fmt: skip


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
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


def test_a_giant_paragraph_is_cut_and_every_offset_points_into_the_full_text(settings: Settings) -> None:
    text = one_paragraph(245_000)
    rows = annotate(settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    match = re.search(r"\btext_cut at (\d+) of 245000 characters\b", nlp["reason"] or "")
    assert match, nlp["reason"]
    parsed = int(match.group(1))
    assert settings.nlp_max_chars // 2 < parsed <= settings.nlp_max_chars
    assert text[:parsed].endswith(".")  # cut at a sentence end: the paragraph has no break
    assert rows["statements"] and rows["actor_mentions"] and rows["sentences"]
    assert max(row["end_char"] for row in rows["sentences"]) <= parsed
    for table in ("statements", "actor_mentions"):
        for row in rows[table]:
            assert 0 <= row["start_char"] < row["end_char"] <= parsed, (table, row)
            assert text[row["start_char"] : row["end_char"]] == row["text"], (table, row)
    for row in rows["events"]:
        assert 0 <= row["start_char"] < row["end_char"] <= parsed


def test_a_quote_storm_keeps_the_first_statements_and_says_how_many_it_dropped(settings: Settings) -> None:
    n_quotes = 2_000
    text = "".join(f'"We act now, number {i}," {NAMES[i % len(NAMES)]} said. ' for i in range(n_quotes))
    assert len(text) < settings.nlp_max_chars  # the cap alone, not the cut
    rows = annotate(settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    match = re.fullmatch(rf"statements_capped at {settings.nlp_max_statements} of (\d+)", nlp["reason"] or "")
    assert match, nlp["reason"]
    assert int(match.group(1)) >= n_quotes
    statements = rows["statements"]
    assert len(statements) == settings.nlp_max_statements
    assert [row["statement_index"] for row in statements] == list(range(settings.nlp_max_statements))
    assert [row["text"] for row in statements] == [f"We act now, number {i}" for i in range(len(statements))]


def test_a_page_of_attacks_keeps_the_first_events_and_says_how_many_it_dropped(settings: Settings) -> None:
    pairs = list(itertools.permutations(COUNTRIES, 2))[:400]
    text = " ".join(f"{a} attacked {b}." for a, b in pairs)
    rows = annotate(settings, text)
    (nlp,) = rows["article_nlp"]
    assert nlp["status"] == "parsed"
    assert nlp["reason"] == f"events_capped at {settings.nlp_max_events} of {len(pairs)}"
    events = rows["events"]
    assert len(events) == settings.nlp_max_events
    assert [row["sentence_index"] for row in events] == list(range(settings.nlp_max_events))
    assert {row["event_type"] for row in events} == {"ASSAULT"}


def test_a_normal_article_hits_no_bound(settings: Settings) -> None:
    text = (
        "Officials in Nairobi said on Monday that talks would resume next week.\n\n"
        '"We will not accept this," said Anna Petrov, the French foreign minister.\n\n'
        "France accused Germany of breaking the deal, and Kenya attacked Somalia overnight."
    )
    rows = annotate(settings, text)
    (nlp,) = rows["article_nlp"]
    assert (nlp["status"], nlp["reason"]) == ("parsed", None)
    assert rows["statements"] and rows["events"]
    assert max(row["end_char"] for row in rows["sentences"]) <= len(text)
