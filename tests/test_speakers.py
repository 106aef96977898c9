"""Speakers and reported speech: one construction per test (issue 15, item 5).

Every sentence here is written for these tests; none comes from the evaluation pages.
"""

from __future__ import annotations

from extract.nlp.actors import find_actors
from extract.nlp.statements import Statement, find_statements


def statements_of(nlp, text: str) -> tuple[list[Statement], dict[str, str]]:
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    return find_statements(doc, actors, mentions), {actor.key: actor.name for actor in actors}


def said(found: list[Statement], names: dict[str, str], mode: str, words: str) -> str:
    """The speaker's name of the one statement of ``mode`` holding ``words`` ("" when none)."""
    hits = [s for s in found if s.mode == mode and words in s.text]
    assert len(hits) == 1, (mode, words, [(s.mode, s.text) for s in found])
    return names.get(hits[0].speaker_key, "") if hits[0].speaker_key else ""


def test_a_cue_set_off_inside_the_clause_reports_both_sides(nlp) -> None:
    found, names = statements_of(
        nlp, "Mayor Jane Holt visited the depot. Many of the old bridges, she said, are unsafe and must be rebuilt."
    )
    hit = [s for s in found if s.mode == "reported" and "bridges" in s.text]
    assert len(hit) == 1
    assert "unsafe" in hit[0].text and "she said" not in hit[0].text
    assert "Holt" in names[hit[0].speaker_key]


def test_a_cue_spoken_to_someone_still_attributes_the_quote(nlp) -> None:
    found, names = statements_of(nlp, 'Governor Tom Reyes arrived late. "Please keep your seats!" he told them.')
    assert "Reyes" in said(found, names, "direct", "keep your seats")


def test_a_cue_with_a_reflexive_object_still_attributes_the_quote(nlp) -> None:
    found, names = statements_of(nlp, 'Senator Maria Vance paused. "Well, maybe so," she told herself.')
    assert "Vance" in said(found, names, "direct", "maybe so")


def test_recognize_that_reports_a_clause(nlp) -> None:
    found, names = statements_of(
        nlp, "Chancellor Otto Brandt recognized that the new tax rules had hurt small farmers in the north."
    )
    assert "Brandt" in said(found, names, "reported", "tax rules had hurt")


def test_acknowledged_with_an_object_is_a_statement(nlp) -> None:
    found, names = statements_of(nlp, "Minister Lena Dahl acknowledged serious delays in the rail program on Monday.")
    assert "Dahl" in said(found, names, "reported", "serious delays")


def test_complained_about_reports_the_phrase(nlp) -> None:
    found, names = statements_of(nlp, "The Farmers Union complained about the late payment of drought subsidies.")
    assert "Farmers Union" in said(found, names, "reported", "late payment")


def test_apologized_for_reports_the_phrase(nlp) -> None:
    found, names = statements_of(nlp, "Coach Ian Marsh apologized for the team's poor showing in the final.")
    assert "Marsh" in said(found, names, "reported", "poor showing")


def test_an_unnamed_spokesperson_speaks_for_the_body_that_names_them(nlp) -> None:
    found, names = statements_of(
        nlp,
        "Northwind Airways cancelled forty flights on Sunday. A Northwind Airways spokesperson said "
        "the storms had closed two of its hubs.",
    )
    assert "Northwind" in said(found, names, "reported", "storms had closed")


def test_a_spokesman_for_a_body_speaks_for_it(nlp) -> None:
    found, names = statements_of(
        nlp, "A spokesman for the World Health Organization said the outbreak was slowing in the capital."
    )
    assert "World Health Organization" in said(found, names, "reported", "outbreak was slowing")


def test_a_company_called_by_its_trade_speaks(nlp) -> None:
    found, names = statements_of(
        nlp,
        "Pacific Gridworks cut power to 9,000 homes on Tuesday. The utility said the lines would be "
        "checked before power returns.",
    )
    assert "Gridworks" in said(found, names, "reported", "lines would be checked")


def test_according_to_figures_from_a_body_names_the_body(nlp) -> None:
    found, names = statements_of(
        nlp, "Unemployment rose to 7 percent in March, according to figures from the International Labour Organization."
    )
    assert "Labour Organization" in said(found, names, "reported", "Unemployment rose")


def test_a_scare_quote_inside_a_belief_is_no_ones_words(nlp) -> None:
    found, _ = statements_of(nlp, 'Mayor Jane Holt believes that the "green" budget will pass next week.')
    assert not [s for s in found if s.mode == "direct" and s.speaker_key is not None]


def test_a_trade_noun_needs_its_firm_as_a_subject_just_before(nlp) -> None:
    found, names = statements_of(
        nlp,
        "Kestrel Mining opened a new pit in May. Heavy rain fell all week in the valley. Roads were closed "
        "for days. The airline said flights would resume on Friday.",
    )
    assert said(found, names, "reported", "flights would resume") == ""


def test_a_quote_after_a_report_in_its_paragraph_is_the_reporters(nlp) -> None:
    found, names = statements_of(
        nlp,
        'Union leader Carla Diaz spoke outside the plant. The talks had stalled again, she said. "We will not '
        'sign a bad deal."',
    )
    assert "Diaz" in said(found, names, "direct", "bad deal")


def test_a_quote_paragraph_after_a_report_is_the_reporters(nlp) -> None:
    found, names = statements_of(
        nlp,
        "Judge Omar Pell said on Monday that the contract was void.\n\n"
        '"No reasonable reader could see it any other way, and the record shows it."',
    )
    assert "Pell" in said(found, names, "direct", "reasonable reader")
