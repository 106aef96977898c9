"""Where and when events happened: toponyms, their precision, datelines, and relative dates.

Sentences are our own.  Events come from the actor, statement and event layers as in the
pipeline, and are compared by actor name.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract.nlp.actors import find_actors
from extract.nlp.event_dates import resolve_expression
from extract.nlp.event_places import dateline, places
from extract.nlp.events import Event, find_events
from extract.nlp.statements import find_statements

PUBLISHED = date(2024, 3, 13)  # a Wednesday


def events_of(nlp, text: str, published: date = PUBLISHED) -> tuple[list[Event], dict[str, str]]:
    doc = nlp(text)
    actors, mentions = find_actors(doc, published)
    events = find_events(doc, actors, mentions, find_statements(doc, actors, mentions), published)
    return events, {a.key: a.name for a in actors}


def one(nlp, text: str, event_type: str, published: date = PUBLISHED) -> Event:
    events, _names = events_of(nlp, text, published)
    found = [e for e in events if e.event_type == event_type]
    assert len(found) == 1, events
    return found[0]


def where(event: Event) -> tuple[str | None, str | None, str | None]:
    return event.location_name, event.location_country_code, event.location_precision


# -- the toponym of a locative phrase ----------------------------------------------------------


def test_the_place_is_the_toponym_not_the_phrase_around_it(nlp) -> None:
    event = one(nlp, "Germany held talks with France at a news conference in Berlin on Monday.", "CONSULT")
    assert where(event) == ("Berlin", "DEU", "city")
    assert event.latitude == pytest.approx(52.52, abs=0.1)


def test_a_leading_article_is_no_part_of_the_toponym(nlp) -> None:
    event = one(nlp, "Egypt held talks with Israel in the Gaza Strip.", "CONSULT")
    assert where(event) == ("Gaza Strip", "PSE", "admin")


def test_a_country_named_as_the_place_has_country_precision(nlp) -> None:
    event = one(nlp, "Iran held talks with Iraq in Oman.", "CONSULT")
    assert where(event) == ("Oman", "OMN", "country")
    assert event.latitude is None


def test_a_region_named_after_its_city_is_an_admin_region(nlp) -> None:
    event = one(nlp, "Ukraine attacked Russia in the Belgorod region.", "ASSAULT")
    assert where(event) == ("Belgorod region", "RUS", "admin")


def test_a_site_is_named_as_itself_and_located_by_its_city(nlp) -> None:
    event = one(nlp, "Police arrested students at Seoul National University.", "COERCE")
    assert where(event) == ("Seoul National University", "KOR", "city")


def test_a_visit_happens_where_it_goes(nlp) -> None:
    events, names = events_of(nlp, "Chancellor Olaf Scholz met Emmanuel Macron during a trip to Paris.")
    consult = [e for e in events if e.event_type == "CONSULT"]
    assert consult and all(where(e)[:2] == ("Paris", "FRA") for e in consult)


# -- a capital for its government is an actor, not a place --------------------------------------


def test_a_capital_that_is_the_target_is_not_the_place(nlp) -> None:
    events, names = events_of(nlp, "North Korea fired missiles at Seoul on Monday.")
    assault = [e for e in events if e.event_type == "ASSAULT"]
    assert [names.get(e.target_key) for e in assault] == ["South Korea"]
    assert where(assault[0]) == (None, None, None)


# -- the dateline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LAGOS, Nigeria (Reuters) — Police said", ("Lagos", "NGA", "city")),
        ("A headline\nTOLEDO, Ohio (AP) — A man", ("Toledo", "USA", "city")),
        ("PORTLAND, Maine — The city", ("Portland", "USA", "city")),
        ("MADRID - Spain's government", ("Madrid", "ESP", "city")),
        ("A headline\nNairobi: Kenya's president", ("Nairobi", "KEN", "city")),
    ],
)
def test_a_dateline_names_a_known_place(text: str, expected: tuple[str, str, str]) -> None:
    place = dateline(text)
    assert place is not None and (place.name, place.country_code, place.precision) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(Reuters) — The company said",  # an agency, no place
        "Analysis: what the vote means",  # a label, not a place
        "Nairobi: a city that never sleeps\nThe body",  # a headline's colon is no dateline
        "Shares fell sharply on Monday.",
    ],
)
def test_no_dateline_where_none_is_written(text: str) -> None:
    assert dateline(text) is None


def test_an_event_placed_nowhere_else_takes_the_dateline(nlp) -> None:
    event = one(nlp, "LAGOS, Nigeria (Reuters) — Nigerian police arrested dozens of protesters on Tuesday.", "COERCE")
    assert where(event) == ("Lagos", "NGA", "city")


def test_the_dateline_is_not_the_place_of_foreign_actors(nlp) -> None:
    event = one(nlp, "NAIROBI (AP) — Russia accused Ukraine of shelling a dam on Tuesday.", "ACCUSE")
    assert where(event) == (None, None, None)


def test_the_dateline_is_not_the_place_of_background_events(nlp) -> None:
    event = one(nlp, "LAGOS, Nigeria (Reuters) — Nigerian police arrested dozens of protesters in 2015.", "COERCE")
    assert where(event) == (None, None, None)


def test_a_place_in_the_clause_beats_the_dateline(nlp) -> None:
    text = "LAGOS, Nigeria (Reuters) — Nigerian police arrested dozens of protesters in Abuja on Tuesday."
    assert where(one(nlp, text, "COERCE"))[:2] == ("Abuja", "NGA")


# -- the gazetteer ------------------------------------------------------------------------------


def test_gazetteer_precision_levels() -> None:
    gazetteer = places()
    assert (gazetteer.lookup("Kenya").precision, gazetteer.lookup("Kenya").country_code) == ("country", "KEN")
    assert (gazetteer.lookup("Sichuan").precision, gazetteer.lookup("Sichuan").country_code) == ("admin", "CHN")
    assert (gazetteer.lookup("Ohio").precision, gazetteer.lookup("Ohio").country_code) == ("admin", "USA")
    assert (gazetteer.lookup("Osaka").precision, gazetteer.lookup("Osaka").country_code) == ("city", "JPN")
    assert gazetteer.lookup("Singapore").precision == "city"  # a city state: the city, with its point


def test_a_dateline_qualifier_picks_the_city_of_that_state_or_country() -> None:
    gazetteer = places()
    assert gazetteer.lookup_within("Portland", "Maine").admin1 == "ME"
    assert gazetteer.lookup_within("Portland", "Ore.").admin1 == "OR"
    assert gazetteer.lookup_within("Valencia", "Venezuela").country_code == "VEN"


def test_a_site_is_not_a_city_by_another_name(nlp) -> None:
    doc = nlp("Biden met Macron at the White House.")
    start = next(t.i for t in doc if t.text == "the")
    place = places().resolve(doc[start : start + 3])
    assert place is not None and place.name == "White House" and place.country_code is None


# -- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "published", "expected"),
    [
        ("earlier this month", date(2024, 3, 13), (date(2024, 3, 1), "month")),
        ("last month", date(2024, 3, 13), (date(2024, 2, 1), "month")),
        ("last month", date(2024, 1, 5), (date(2023, 12, 1), "month")),
        ("earlier this year", date(2024, 3, 13), (date(2024, 1, 1), "year")),
        ("last week", date(2024, 3, 13), (date(2024, 3, 1), "month")),
        # the week of Monday 26 February to Sunday 3 March: most of it in February
        ("last week", date(2024, 3, 6), (date(2024, 2, 1), "month")),
        ("this week", date(2024, 3, 13), (date(2024, 3, 1), "month")),
        # published on Friday 2 August: Monday 29 July to Friday, three days of five in July
        ("earlier this week", date(2024, 8, 2), (date(2024, 7, 1), "month")),
        ("two weeks ago", date(2024, 3, 13), (date(2024, 2, 1), "month")),
    ],
)
def test_relative_periods_resolve_against_publication(phrase: str, published: date, expected: tuple) -> None:
    resolved = resolve_expression(phrase, published)
    assert resolved is not None and (resolved.value, resolved.precision) == expected


def test_ongoing_news_in_the_present_takes_the_publication_date(nlp) -> None:
    text = "On Monday, Ghanaian soldiers attacked rebels near the border. Ghana is accusing Togo of arming the rebels."
    events, _names = events_of(nlp, text)
    accuse = [e for e in events if e.event_type == "ACCUSE"]
    assault = [e for e in events if e.event_type == "ASSAULT"]
    assert accuse and (accuse[0].event_date, accuse[0].date_precision) == (PUBLISHED, "day")
    assert assault and assault[0].event_date == date(2024, 3, 11)
