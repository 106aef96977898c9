"""Groups and institutions named by description (``extract/nlp/actor_groups.py``), on sentences
written for these tests: as actors, as statement speakers and as event sources."""

from __future__ import annotations

from extract.nlp.actor_groups import agent_table
from extract.nlp.actors import find_actors
from extract.nlp.events import find_events
from extract.nlp.statements import find_statements


def layers(nlp, text: str):
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    for mention in mentions:
        assert doc.text[mention.start : mention.end] == mention.text
    statements = find_statements(doc, actors, mentions)
    events = find_events(doc, actors, mentions, statements, None)
    return {a.key: a for a in actors}, mentions, statements, events


def test_the_table_holds_phoenix_nouns_with_the_curated_collectives_over_them() -> None:
    table = agent_table()
    agent, plural = table.phrases.items[("prosecutors",)]
    assert plural and agent.sector == "JUD" and agent.curated  # groups.csv wins
    agent, plural = table.phrases.items[("teachers",)]
    assert plural and agent.sector == "EDU" and not agent.curated  # from Phoenix
    assert ("court",) in table.phrases.items and "court" in table.bodies
    assert "say" in table.predicates and "be" not in table.predicates


def test_a_group_by_description_speaks(nlp) -> None:
    actors, _, statements, _ = layers(nlp, "Federal regulators said on Monday that the merger would raise prices.")
    groups = [a for a in actors.values() if a.kind == "group"]
    assert [(g.name, g.sector, g.country_code) for g in groups] == [("federal regulators", "GOV", None)]
    assert [s.speaker_key for s in statements] == [groups[0].key]


def test_a_court_is_an_event_source(nlp) -> None:
    actors, _, _, events = layers(nlp, "The appeals court rejected the government's request on Tuesday.")
    court = next(a for a in actors.values() if a.kind == "organization")
    assert court.name == "appeals court" and court.sector == "JUD"
    assert any(e.event_type == "REJECT" and e.source_key == court.key for e in events)


def test_a_demonym_or_a_possessive_gives_the_group_its_country(nlp) -> None:
    actors, _, _, events = layers(nlp, "Kenyan teachers accused the government of breaking its promises.")
    teachers = next(a for a in actors.values() if a.kind == "group")
    assert (teachers.name, teachers.country_code, teachers.sector) == ("Kenyan teachers", "KEN", "EDU")
    assert any(e.event_type == "ACCUSE" and e.source_key == teachers.key for e in events)
    actors, *_ = layers(nlp, "Mexico's judges criticised the reform on Friday.")
    judges = next(a for a in actors.values() if a.kind == "group")
    assert judges.country_code == "MEX" and judges.sector == "JUD"


def test_generic_nouns_are_not_actors(nlp) -> None:
    text = "People gathered in the square. Many investors sold shares. Students often travel abroad."
    actors, *_ = layers(nlp, text)
    assert not [a for a in actors.values() if a.kind in ("group", "organization")]


def test_one_description_is_one_actor_in_an_article(nlp) -> None:
    actors, mentions, statements, _ = layers(
        nlp, "Prosecutors charged the man on Monday. Prosecutors said he had fled the country."
    )
    groups = [a for a in actors.values() if a.kind == "group"]
    assert len(groups) == 1
    assert [m.text for m in mentions if m.actor_key == groups[0].key] == ["Prosecutors", "Prosecutors"]
    assert statements and statements[0].speaker_key == groups[0].key


def test_a_bare_plural_after_a_named_force_is_no_group_of_its_own(nlp) -> None:
    actors, *_ = layers(nlp, "The Springfield Police Department arrested two men. Officers seized a car.")
    assert not [a for a in actors.values() if a.kind == "group"]


def test_a_court_only_asked_is_not_an_actor(nlp) -> None:
    actors, *_ = layers(nlp, "His lawyers asked the court to dismiss the case.")
    assert not [a for a in actors.values() if a.kind == "organization"]
