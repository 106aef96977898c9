"""Event roles: who did it to whom, one construction per test.

Sentences are our own.  Actors come from the actor layer, statements from the statement layer,
as in the pipeline; events are compared by actor name.  Pronouns and descriptions resolve
through the article's one resolver (``mentions.article_resolver``), shared with the statement
layer's speakers.
"""

from __future__ import annotations

from datetime import date

from extract.nlp.actors import find_actors
from extract.nlp.event_actors import ActorIndex
from extract.nlp.events import find_events
from extract.nlp.mentions import article_resolver, quote_and_paragraph_maps
from extract.nlp.statements import find_statements

PUBLISHED = date(2024, 3, 13)


def triples(nlp, text: str) -> set[tuple[str, str | None, str | None]]:
    doc = nlp(text)
    actors, mentions = find_actors(doc, PUBLISHED)
    statements = find_statements(doc, actors, mentions)
    names = {a.key: a.name for a in actors}
    events = find_events(doc, actors, mentions, statements, PUBLISHED)
    return {(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events}


def test_passive_with_agent(nlp):
    assert ("ASSAULT", "militants", "French embassy") in triples(
        nlp, "The French embassy in Niamey was attacked by militants on Sunday."
    )


def test_passive_participle_takes_the_subject_of_its_clause_as_patient(nlp):
    found = triples(nlp, "Having been attacked by militants overnight, the Nigerien army sealed the border with Mali.")
    assert ("ASSAULT", "militants", "Nigerien army") in found


def test_passive_after_a_preposition(nlp):
    found = triples(nlp, "Canada expelled two diplomats after being accused by India of spying.")
    assert ("ACCUSE", "India", "Canada") in found


def test_conjoined_targets(nlp):
    found = triples(nlp, "The European Union praised Kenya and Ghana for the agreement.")
    assert {("SUPPORT", "European Union", "Kenya"), ("SUPPORT", "European Union", "Ghana")} <= found


def test_pronoun_subject_is_the_earlier_named_actor(nlp):
    text = "Chancellor Olaf Scholz arrived in Paris on Monday. He praised Emmanuel Macron for his leadership."
    found = triples(nlp, text)
    assert ("SUPPORT", "Olaf Scholz", "Emmanuel Macron") in found


def test_description_is_the_named_ministry(nlp):
    found = triples(
        nlp,
        "The Indian Defence Ministry issued a statement on Friday. The ministry accused Pakistan of shelling villages.",
    )
    assert ("ACCUSE", "Indian Defence Ministry", "Pakistan") in found


def test_description_of_a_company(nlp):
    found = triples(nlp, "Acme Corp hired Jane Doe last year. The company later accused her of fraud.")
    assert ("ACCUSE", "Acme Corp", "Jane Doe") in found


def test_participle_addressed_to_the_object_of_its_verb(nlp):
    found = triples(
        nlp, "Senator Maria Lopez wrote to the Federal Aviation Administration, urging an inquiry into the crash."
    )
    assert ("REQUEST", "Maria Lopez", "Federal Aviation Administration") in found


def test_a_document_speaks_for_the_one_who_wrote_it(nlp):
    found = triples(
        nlp, "In a letter calling for an urgent meeting, Senator Maria Lopez said the airline had misled passengers."
    )
    assert ("REQUEST", "Maria Lopez", None) in found


def test_one_resolver_per_article_shared_by_the_event_roles(nlp):
    doc = nlp("Acme Corp hired Jane Doe last year. The company later said she had left.")
    actors, mentions = find_actors(doc, PUBLISHED)
    resolver = article_resolver(doc, actors, mentions)
    assert article_resolver(doc, actors, mentions) is resolver
    index = ActorIndex(doc, actors, mentions, [])
    assert index.resolver is resolver
    she = next(t for t in doc if t.lower_ == "she")
    assert index.actor(she) == resolver.pronoun[she.i] == next(a.key for a in actors if a.name == "Jane Doe")


def test_a_nationality_and_a_title_name_the_person(nlp):
    doc = nlp("Ukrainian President Olena Koval met Polish officials. Poland thanked the Ukrainian president.")
    actors, mentions = find_actors(doc, PUBLISHED)
    index = ActorIndex(doc, actors, mentions, [])
    president = [t for t in doc if t.lower_ == "president"][-1]
    assert index.titled(president) == next(a.key for a in actors if a.name == "Olena Koval")


def test_quote_and_paragraph_maps(nlp):
    doc = nlp('Kim said: "We will win."\n\nThe ministry agreed.')
    quote_of, paragraph_of = quote_and_paragraph_maps(doc)
    we = next(t for t in doc if t.text == "We")
    assert quote_of[we.i] == 0
    assert paragraph_of[we.i] == 0
    assert quote_of[len(doc) - 1] == -1
    assert paragraph_of[len(doc) - 1] == 1
