"""Nominal and adjectival event triggers (issue 14): nominalisations of coded verbs, their doer
from a possessive, a "by"/"from" phrase or a light verb's subject, and claims called untrue.

Sentences are written for these tests, not taken from any evaluation article.
"""

from __future__ import annotations

from datetime import date

from extract.nlp.actors import find_actors
from extract.nlp.events import find_events
from extract.nlp.statements import find_statements

PUBLISHED = date(2025, 6, 4)


def triples(nlp, text: str) -> set[tuple[str, str | None, str | None]]:
    doc = nlp(text)
    actors, mentions = find_actors(doc, PUBLISHED)
    statements = find_statements(doc, actors, mentions)
    names = {a.key: a.name for a in actors}
    events = find_events(doc, actors, mentions, statements, PUBLISHED)
    return {(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events}


def types(nlp, text: str) -> set[str]:
    return {t for t, _s, _t in triples(nlp, text)}


def test_light_verb_subject_is_the_doer_of_its_noun(nlp) -> None:
    found = triples(nlp, "Norway made fresh demands on Chile over the fishing quota on Monday.")
    assert any(t == "REQUEST" and s == "Norway" for t, s, _ in found), found


def test_issued_a_condemnation_is_an_accusation(nlp) -> None:
    found = triples(nlp, "Kenya issued a condemnation of Uganda after the border clash.")
    assert any(t == "ACCUSE" and s == "Kenya" for t, s, _ in found), found


def test_facing_criticism_from_someone_makes_the_subject_the_target(nlp) -> None:
    found = triples(nlp, "Canada faced sharp criticism from the European Union.")
    assert ("ACCUSE", "European Union", "Canada") in found, found


def test_possessive_doer_without_a_preposition(nlp) -> None:
    found = triples(nlp, "Peru's rejection of the Bolivian proposal ended the talks.")
    assert any(t == "REJECT" and s == "Peru" for t, s, _ in found), found


def test_new_nominalisation_with_its_target_preposition(nlp) -> None:
    found = triples(nlp, "The European Union slapped sanctions on Belarus.")
    assert ("SANCTION", "European Union", "Belarus") in found, found
    found = triples(nlp, "Sweden's censure of Hungary was unexpected.")
    assert any(t == "ACCUSE" and s == "Sweden" for t, s, _ in found), found


def test_a_noun_with_no_named_doer_is_not_coded(nlp) -> None:
    assert "SUPPORT" not in types(nlp, "The backing was announced on Tuesday.")
    assert "COERCE" not in types(nlp, "A blockade of the port would hurt trade.")


def test_homograph_without_an_actor_doer_is_not_coded(nlp) -> None:
    assert not types(nlp, "The company issued a strike notice and a release schedule.")


def test_negated_light_verb_codes_nothing(nlp) -> None:
    assert "REQUEST" not in types(nlp, "Norway did not make any demands on Chile.")


def test_reported_claim_called_baseless_is_a_rejection(nlp) -> None:
    found = triples(nlp, "Ghana said Togo's allegations were baseless.")
    assert ("REJECT", "Ghana", "Togo") in found, found


def test_quoted_claim_called_false_is_a_rejection_by_the_speaker(nlp) -> None:
    text = "\"Togo's claims are completely false,\" Ghana's foreign minister Ama Mensah told reporters."
    found = triples(nlp, text)
    assert any(t == "REJECT" and tgt == "Togo" for t, _s, tgt in found), found


def test_a_claim_called_true_is_no_rejection(nlp) -> None:
    assert "REJECT" not in types(nlp, "Ghana said Togo's allegations were accurate.")
