"""Speech-act events from statements: one test per construction, on sentences of our own.

Actors come from the actor layer and statements from the statement layer, as in the pipeline.
``spoken`` gives the speech layer's own events (before they are merged with the verb coder's),
``coded`` what ``find_events`` returns; both compare by actor name.
"""

from __future__ import annotations

from datetime import date

from extract.nlp.actors import find_actors
from extract.nlp.events import _Coder, find_events
from extract.nlp.speech_events import VERBAL, cues, merge, speech_events
from extract.nlp.statements import find_statements

PUBLISHED = date(2024, 3, 13)  # a Wednesday


def _layers(nlp, text: str):
    doc = nlp(text)
    actors, mentions = find_actors(doc, PUBLISHED)
    statements = find_statements(doc, actors, mentions)
    return doc, actors, mentions, statements, {a.key: a.name for a in actors}


def spoken(nlp, text: str) -> list[tuple[str, str | None, str | None]]:
    doc, actors, mentions, statements, names = _layers(nlp, text)
    events = speech_events(_Coder(doc, actors, mentions, statements, PUBLISHED), statements)
    for event in events:
        assert doc.text[event.start : event.end] == event.trigger
    return [(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events]


def coded(nlp, text: str) -> set[tuple[str, str | None, str | None]]:
    doc, actors, mentions, statements, names = _layers(nlp, text)
    events = find_events(doc, actors, mentions, statements, PUBLISHED)
    return {(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events}


def test_the_cue_table_names_only_verbal_categories() -> None:
    table = cues()
    assert {cue.category for cue in table.values()} <= VERBAL
    assert table[("verb", "urge")].category == "REQUEST"
    assert table[("verb", "call for")].category == "REQUEST"
    assert ("verb", "say") not in table  # a plain "said" is a statement, not an event


def test_speech_act_with_an_addressee_is_a_request_to_it(nlp) -> None:
    text = "Mayor Karen Bass urged the Los Angeles City Council to approve the budget."
    assert spoken(nlp, text) == [("REQUEST", "Karen Bass", "Los Angeles City Council")]


def test_addressee_behind_a_preposition(nlp) -> None:
    text = "Chancellor Olaf Scholz called on Poland to reopen the border."
    assert spoken(nlp, text) == [("REQUEST", "Olaf Scholz", "Poland")]


def test_reported_wrongdoing_of_another_actor_is_an_accusation(nlp) -> None:
    text = "Chancellor Olaf Scholz said that Hungary had violated the rules of the European Union."
    assert spoken(nlp, text) == [("ACCUSE", "Olaf Scholz", "Hungary")]


def test_hedged_wrongdoing_is_no_accusation(nlp) -> None:
    assert spoken(nlp, "Chancellor Olaf Scholz said Hungary may have violated the rules.") == []


def test_a_denial_is_a_rejection(nlp) -> None:
    assert spoken(nlp, "The Kremlin denied the allegations.") == [("REJECT", "Kremlin", None)]


def test_a_warning_to_someone_is_a_threat(nlp) -> None:
    text = "Turkey warned Sweden that it would block its membership."
    assert spoken(nlp, text) == [("THREATEN", "Turkey", "Sweden")]


def test_a_warning_with_no_one_warned_is_a_forecast(nlp) -> None:
    assert spoken(nlp, "Turkey warned that inflation would rise.") == []


def test_praise_is_support(nlp) -> None:
    text = "Chancellor Olaf Scholz hailed Poland as a reliable partner."
    assert spoken(nlp, text) == [("SUPPORT", "Olaf Scholz", "Poland")]


def test_the_speakers_own_disapproval_in_a_quote(nlp) -> None:
    text = '"We are disappointed with Sweden," Turkish President Recep Tayyip Erdogan said.'
    assert spoken(nlp, text) == [("ACCUSE", "Recep Tayyip Erdogan", "Sweden")]


def test_an_obligation_the_speaker_lays_on_another_is_a_request(nlp) -> None:
    text = '"Russia needs to answer for this," the French president Emmanuel Macron said.'
    assert spoken(nlp, text) == [("REQUEST", "Emmanuel Macron", "Russia")]


def test_a_negated_speech_act_is_no_event(nlp) -> None:
    assert spoken(nlp, "Chancellor Olaf Scholz did not urge Poland to reopen the border.") == []
    assert coded(nlp, "Chancellor Olaf Scholz did not urge Poland to reopen the border.") == set()


def test_a_plain_said_is_no_event(nlp) -> None:
    text = "Chancellor Olaf Scholz said the talks with Poland would continue."
    assert spoken(nlp, text) == []
    assert coded(nlp, text) == set()


def test_a_question_is_no_request(nlp) -> None:
    assert spoken(nlp, "Chancellor Olaf Scholz asked Poland whether the border would reopen.") == []


def test_a_purpose_clause_is_part_of_the_act_it_serves(nlp) -> None:
    assert spoken(nlp, "Greenpeace began a hunger strike to demand the release of the activists.") == []


def test_one_event_per_source_type_and_target_across_sentences(nlp) -> None:
    text = (
        "Chancellor Olaf Scholz called on Poland to reopen the border. "
        "On Friday, Scholz again called on Poland to reopen the border."
    )
    assert spoken(nlp, text) == [("REQUEST", "Olaf Scholz", "Poland")]
    assert coded(nlp, text) == {("REQUEST", "Olaf Scholz", "Poland")}


def test_merge_leaves_out_what_the_verb_coder_has() -> None:
    from extract.nlp.events import Event

    def event(kind: str, source: str, target: str | None, start: int) -> Event:
        return Event(kind, source, target, "x", start, start + 1, 0)

    coder = [event("ACCUSE", "a", "b", 0)]
    speech = [event("ACCUSE", "a", "b", 5), event("ACCUSE", "a", None, 9), event("REQUEST", "a", "c", 12)]
    assert [(e.event_type, e.target_key) for e in merge(coder, speech)] == [("ACCUSE", "b"), ("REQUEST", "c")]
