"""The PLOVER event coder: one test per construction and per lexicon entry class.

Sentences are our own.  Actors come from the actor layer (``find_actors``) and statements from
the statement layer, as in the pipeline; events are compared by actor *name* so the tests do not
depend on how the actor layer spells its keys.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract.nlp.actors import find_actors
from extract.nlp.event_dates import resolve_expression
from extract.nlp.event_lexicon import CATEGORIES, Lexicon, lexicon
from extract.nlp.event_places import places
from extract.nlp.events import METHOD_VERSION, Event, find_events
from extract.nlp.statements import Statement, find_statements

PUBLISHED = date(2024, 3, 13)  # a Wednesday


def code(nlp, text: str, published: date | None = PUBLISHED, statements: list[Statement] | None = None):
    """(events, actor name by key) for a text run through the actor, statement and event layers."""
    doc = nlp(text)
    actors, mentions = find_actors(doc, published)
    if statements is None:
        statements = find_statements(doc, actors, mentions)
    events = find_events(doc, actors, mentions, statements, published)
    names = {a.key: a.name for a in actors}
    for event in events:  # the contract: every key is an actor's, the trigger is the text's
        assert event.source_key in names
        assert event.target_key is None or event.target_key in names
        assert doc.text[event.start : event.end] == event.trigger
    return events, names


def triples(nlp, text: str, **kwargs) -> set[tuple[str, str | None, str | None]]:
    events, names = code(nlp, text, **kwargs)
    return {(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events}


def only(nlp, text: str, **kwargs) -> Event:
    events, _names = code(nlp, text, **kwargs)
    assert len(events) == 1, events
    return events[0]


# -- roles -----------------------------------------------------------------------------------


def test_subject_acts_and_object_is_acted_upon(nlp) -> None:
    assert triples(nlp, "Japan praised Brazil.") == {("SUPPORT", "Japan", "Brazil")}


def test_passive_with_by_phrase_takes_its_agent_as_source(nlp) -> None:
    assert triples(nlp, "Germany was criticized by France.") == {("ACCUSE", "France", "Germany")}


def test_passive_without_agent_has_no_source_and_is_not_coded(nlp) -> None:
    assert triples(nlp, "Germany was criticized on Tuesday.") == set()


def test_conjoined_subjects_give_one_event_each(nlp) -> None:
    assert triples(nlp, "France and Germany condemned Iran.") == {
        ("ACCUSE", "France", "Iran"),
        ("ACCUSE", "Germany", "Iran"),
    }


def test_conjoined_objects_give_one_event_each(nlp) -> None:
    assert triples(nlp, "Japan thanked Brazil and Chile.") == {
        ("SUPPORT", "Japan", "Brazil"),
        ("SUPPORT", "Japan", "Chile"),
    }


def test_two_parties_meeting_is_one_consult_between_them(nlp) -> None:
    assert triples(nlp, "Italy and Greece met on Friday.") == {("CONSULT", "Italy", "Greece")}


def test_target_behind_a_preposition(nlp) -> None:
    assert triples(nlp, "Peru held talks with Bolivia.") == {("CONSULT", "Peru", "Bolivia")}


def test_target_named_inside_the_object(nlp) -> None:
    assert triples(nlp, "Canada questioned Mexico's intentions.") == {("ACCUSE", "Canada", "Mexico")}


def test_accused_of_codes_the_accusation_not_the_alleged_act(nlp) -> None:
    assert triples(nlp, "Denmark accused Russia of attacking Estonia.") == {("ACCUSE", "Denmark", "Russia")}


def test_controller_of_an_embedded_verb_is_its_source(nlp) -> None:
    assert triples(nlp, "Austria decided to sanction Belarus.") == {("SANCTION", "Austria", "Belarus")}


def test_unresolved_pronoun_takes_the_latest_subject_of_its_kind(nlp) -> None:
    events, names = code(nlp, "Barack Obama met Angela Merkel in Berlin. He praised her.")
    support = [e for e in events if e.event_type == "SUPPORT"]
    assert [(names[e.source_key], names.get(e.target_key)) for e in support] == [("Barack Obama", "Angela Merkel")]


def test_statement_layer_speaker_resolves_a_pronoun_speech_act(nlp) -> None:
    text = "Vladimir Putin arrived in Minsk. Angela Merkel spoke later. She accused Iran of lying."
    doc = nlp(text)
    actors, mentions = find_actors(doc, PUBLISHED)
    putin = next(a.key for a in actors if "Putin" in a.name)
    sentence = list(doc.sents)[2]
    told = Statement("lying", "reported", sentence.end_char - 7, sentence.end_char - 1, 2, putin, "accused")
    events = find_events(doc, actors, mentions, [told], PUBLISHED)
    assert {(e.event_type, e.source_key) for e in events if e.event_type == "ACCUSE"} == {("ACCUSE", putin)}


# -- mode --------------------------------------------------------------------------------------


def test_negated_acts_are_dropped(nlp) -> None:
    assert triples(nlp, "Canada did not condemn Mexico.") == set()
    assert triples(nlp, "Canada never attacked Mexico.") == set()


def test_hypothetical_acts_are_dropped(nlp) -> None:
    assert triples(nlp, "Canada could attack Mexico if talks fail.") == set()


def test_future_cooperation_is_agree(nlp) -> None:
    event = only(nlp, "Norway will provide aid to Kenya.")
    assert (event.event_type, event.mode) == ("AGREE", "future")


def test_promised_cooperation_is_agree(nlp) -> None:
    assert triples(nlp, "Norway promised to provide aid to Kenya.") == {("AGREE", "Norway", "Kenya")}


def test_threatened_force_is_threaten(nlp) -> None:
    assert triples(nlp, "Turkey threatened to attack Greece.") == {("THREATEN", "Turkey", "Greece")}


def test_future_hostility_is_threaten(nlp) -> None:
    assert {t for t, *_ in triples(nlp, "Iran said it will attack Israel.")} == {"THREATEN"}


def test_refusing_to_cooperate_is_reject_and_the_act_is_not_coded(nlp) -> None:
    assert triples(nlp, "Vietnam refused to meet Cambodia.") == {("REJECT", "Vietnam", "Cambodia")}


def test_will_not_cooperate_is_reject(nlp) -> None:
    assert {t for t, *_ in triples(nlp, "India said it will not accept the offer.")} == {"REJECT"}


def test_an_act_asked_for_is_not_coded_only_the_request(nlp) -> None:
    assert triples(nlp, "Ecuador urged Colombia to withdraw its troops.") == {("REQUEST", "Ecuador", "Colombia")}


def test_must_in_a_reported_clause_is_a_request_of_the_speaker(nlp) -> None:
    assert triples(nlp, "Brazil said Venezuela must release the detainees.") == {("REQUEST", "Brazil", "Venezuela")}


# -- lexicon entry classes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # single verbs
        ("Spain arrested Moroccan smugglers.", "COERCE"),
        ("Serbia demanded an apology from Croatia.", "REQUEST"),
        ("Kenya denied the report.", "REJECT"),
        # verb + object (light verbs, objects that decide)
        ("Nigeria held talks with Ghana.", "CONSULT"),
        ("Sudan imposed a curfew in Libya.", "COERCE"),
        ("Egypt lifted the ban on Sudan.", "CONCEDE"),
        ("Poland imposed sanctions on Belarus.", "SANCTION"),
        ("Chile reached an agreement with Peru.", "AGREE"),
        ("Israel launched an offensive against Lebanon.", "ASSAULT"),
        # verb + particle or preposition
        ("Egypt called for restraint.", "REQUEST"),
        ("Sweden called on Finland to act.", "REQUEST"),
        ("Thailand cracked down on Myanmar.", "COERCE"),
        # evaluation
        ("Portugal called the Spanish plan a disgrace.", "ACCUSE"),
        # adjectives of refusal
        ("Vietnam is reluctant to meet Laos.", "REJECT"),
    ],
)
def test_lexicon_entry_classes(nlp, text: str, expected: str) -> None:
    events, _names = code(nlp, text)
    assert expected in {e.event_type for e in events}, events


def test_sending_troops_to_help_is_aid_not_mobilization(nlp) -> None:
    assert triples(nlp, "Poland sent troops to assist Lithuania.") == {("AID", "Poland", "Lithuania")}


def test_nominal_trigger_with_a_named_doer(nlp) -> None:
    assert ("ASSAULT", "Russia", "Ukraine") in triples(nlp, "Russia's attack on Ukraine drew wide condemnation.")


def test_nominal_trigger_without_a_doer_is_not_coded(nlp) -> None:
    assert triples(nlp, "The attack on the market was condemned.") == set()


def test_object_that_is_no_actor_blocks_an_ambiguous_verb(nlp) -> None:
    assert "RETREAT" not in {t for t, *_ in triples(nlp, "Chile released a report on Argentina.")}
    assert "RETREAT" in {t for t, *_ in triples(nlp, "Chile released 20 prisoners to Argentina.")}


def test_lexicon_loads_names_only_plover_categories_and_versions_the_method() -> None:
    lex = lexicon()
    assert set(lex.verbs.values()) <= set(CATEGORIES)
    assert {e.event_type for entries in lex.by_verb_object.values() for e in entries} <= set(CATEGORIES)
    assert {e.event_type for entries in lex.nouns.values() for e in entries} <= set(CATEGORIES)
    assert f"lexicon-{lex.version}" in METHOD_VERSION
    assert len(set(lex.verbs.values())) == 16  # every category has verbs


def test_lexicon_rejects_a_yaml_boolean_and_an_unknown_category() -> None:
    with pytest.raises(ValueError, match="boolean"):
        Lexicon({"version": 1, "phrasal": [{"verb": "call", "prep": True, "type": "REQUEST"}]})
    with pytest.raises(ValueError, match="not a PLOVER category"):
        Lexicon({"version": 1, "verbs": {"DEMAND": ["demand"]}})


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "value", "precision"),
    [
        ("on Monday", date(2024, 3, 11), "day"),
        ("Wednesday", date(2024, 3, 13), "day"),  # the day itself
        ("last Wednesday", date(2024, 3, 6), "day"),
        ("yesterday", date(2024, 3, 12), "day"),
        ("over the weekend", date(2024, 3, 9), "day"),
        ("in February", date(2024, 2, 1), "month"),
        ("in November", date(2023, 11, 1), "month"),  # the most recent November
        ("in August last year", date(2023, 8, 1), "month"),
        ("last month", date(2024, 2, 1), "month"),
        ("last year", date(2023, 1, 1), "year"),
        ("in 2017", date(2017, 1, 1), "year"),
        ("March 2", date(2024, 3, 2), "day"),
        ("Oct. 11", date(2023, 10, 11), "day"),  # not after publication
        ("May 16, 2019", date(2019, 5, 16), "day"),
        ("three days ago", date(2024, 3, 10), "day"),
    ],
)
def test_relative_dates_resolve_against_publication(expression: str, value: date, precision: str) -> None:
    resolved = resolve_expression(expression, PUBLISHED)
    assert resolved is not None
    assert (resolved.value, resolved.precision) == (value, precision)


@pytest.mark.parametrize("expression", ["next week", "tomorrow", "a 48-hour search", "four years", "the 1990s", "may"])
def test_future_durations_and_non_dates_resolve_to_nothing(expression: str) -> None:
    assert resolve_expression(expression, PUBLISHED) is None


def test_nothing_resolves_without_a_publication_date() -> None:
    assert resolve_expression("on Monday", None) is None


def test_event_takes_the_date_of_its_own_time_expression(nlp) -> None:
    event = only(nlp, "China warned Taiwan on Monday.")
    assert (event.event_date, event.date_precision, event.date_source) == (date(2024, 3, 11), "day", "text")


def test_undated_news_takes_the_publication_date(nlp) -> None:
    event = only(nlp, "China warned Taiwan.")
    assert (event.event_date, event.date_precision, event.date_source) == (PUBLISHED, "day", "publication")


def test_promise_is_dated_when_made_not_when_due(nlp) -> None:
    event = only(nlp, "Norway promised on Monday to provide aid to Kenya in May.")
    assert event.event_date == date(2024, 3, 11)


def test_no_event_is_dated_after_publication(nlp) -> None:
    events, _names = code(nlp, "China warned Taiwan next week and Japan praised Brazil tomorrow.")
    assert all(e.event_date is None or e.event_date <= PUBLISHED for e in events)


# -- places -------------------------------------------------------------------------------------


def test_place_resolves_to_a_city_with_country_and_coordinates(nlp) -> None:
    event = only(nlp, "Nigeria held talks with Ghana in Abuja yesterday.")
    assert (event.location_name, event.location_country_code) == ("Abuja", "NGA")
    assert event.latitude == pytest.approx(9.06, abs=0.1) and event.longitude == pytest.approx(7.49, abs=0.1)
    assert event.event_date == date(2024, 3, 12)


def test_place_named_as_a_region_keeps_its_words_and_finds_the_city(nlp) -> None:
    event = only(nlp, "Ukraine attacked Russia in the Kursk region.")
    assert (event.location_name, event.location_country_code) == ("Kursk region", "RUS")
    assert event.latitude is not None


def test_place_at_a_country_gets_its_code_but_no_point() -> None:
    place = places().lookup("the Vatican")
    assert place is not None and place.country_code == "VAT"


def test_street_names_are_not_geocoded_as_cities(nlp) -> None:
    doc = nlp("Police stopped a car near Seventh Street and Central Avenue.")
    phrase = next(t for t in doc if t.text == "Street")
    place = places().resolve(doc[phrase.i - 1 : phrase.i + 4])
    assert place is not None and place.country_code is None


# -- what is not an event -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A spokesman for the ministry declined to comment.",  # refusing to talk is no refusal
        "Spain beat Croatia 2-1 on Monday.",  # sport
        "Amazon is offering discounts on laptops.",  # commerce
        "Black Friday deals from Amazon are here.",  # a noun without its "with"/"between"
        "Donald Trump released a letter from his doctor.",  # a document, not a prisoner
        "Officials said the weather should ease by Friday.",  # "should" of no one
        "Russia is unlikely to agree to cut its output.",
        "At no time did Peru agree to the plan.",
        "Neither France nor Italy sent aid to Libya.",
        "Eritrea said it would defend its territory.",
    ],
)
def test_not_an_event(nlp, text: str) -> None:
    events, _names = code(nlp, text)
    assert [(e.event_type, e.trigger) for e in events if e.event_type != "THREATEN"] == []


def test_security_forces_blocking_roads_restrict_and_protesters_protest(nlp) -> None:
    assert {t for t, *_ in triples(nlp, "Kenyan police blocked roads leading to parliament.")} == {"COERCE"}
    assert {t for t, *_ in triples(nlp, "Protesters blocked roads in Nairobi.")} == {"PROTEST"}


def test_purpose_clause_is_part_of_the_act(nlp) -> None:
    assert {t for t, *_ in triples(nlp, "Egyptian police opened fire to disperse protesters.")} == {"ASSAULT"}


def test_pronoun_in_a_reported_clause_is_the_reporter(nlp) -> None:
    events, names = code(nlp, "Eritrea warned Ethiopia that it would attack Djibouti.")
    threats = {(names[e.source_key], names.get(e.target_key)) for e in events if e.event_type == "THREATEN"}
    assert ("Eritrea", "Djibouti") in threats


def test_speaker_who_said_a_quote_and_then_acted_is_the_source(nlp) -> None:
    text = 'Narendra Modi said the rescuers acted with "courage and skill," and thanked Japan.'
    assert triples(nlp, text) == {("SUPPORT", "Narendra Modi", "Japan")}


def test_coordination_the_parser_left_inside_one_phrase(nlp) -> None:
    assert {s for _t, s, _g in triples(nlp, "Angela Merkel and senior German officials criticized Iran.")} >= {
        "Angela Merkel"
    }


def test_territorial_act_without_a_named_target_hits_the_country_of_its_place(nlp) -> None:
    # Togo is an actor of the article (it protests), so the curfew "in Togo" is imposed on it
    events, names = code(nlp, "Ghana imposed a curfew in Togo. Togo protested the decision.")
    coerce = [(names[e.source_key], names.get(e.target_key)) for e in events if e.event_type == "COERCE"]
    assert coerce == [("Ghana", "Togo")]
    # a place the article never treats as an actor stays a place
    event = only(nlp, "Ghana imposed a curfew in Lome.")
    assert (event.target_key, event.location_name, event.location_country_code) == (None, "Lome", "TGO")


@pytest.mark.timeout(60)
def test_a_verbless_line_whose_root_is_the_trigger_is_coded(nlp) -> None:
    # no verb governs "tariffs": the search for one stops at the root (it once looped forever)
    assert triples(nlp, "President Trump tariffs") == {("SANCTION", "Trump", None)}


def test_confidence_ranks_how_an_event_was_found() -> None:
    """A curated verb with a named source is surer than the same act hedged, promised, or done
    by a pronoun; every value lies in (0, 1]."""
    from extract.nlp.events import event_confidence

    plain = event_confidence(trigger=0.9, how="asserted", resolved_source=True, hedged=False)
    hedged = event_confidence(trigger=0.9, how="asserted", resolved_source=True, hedged=True)
    promised = event_confidence(trigger=0.9, how="future", resolved_source=True, hedged=False)
    by_pronoun = event_confidence(trigger=0.9, how="asserted", resolved_source=False, hedged=False)
    derived = event_confidence(trigger=0.7, how="asserted", resolved_source=True, hedged=False)
    assert 0 < hedged < by_pronoun < plain <= 1 and promised < plain and derived < plain


def test_a_hedged_act_is_coded_with_less_confidence(nlp) -> None:
    sure = only(nlp, "Russia attacked Ukraine on Monday, the ministry said.")
    hedged = only(nlp, "Russia reportedly attacked Ukraine on Monday, the ministry said.")
    assert sure.event_type == hedged.event_type == "ASSAULT"
    assert 0 < hedged.confidence < sure.confidence <= 1
