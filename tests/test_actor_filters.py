"""What is not an actor (``extract/nlp/actor_filters.py``), on sentences written for these tests:
credit lines, ranks, landforms, towns used as places, and the real people that must stay."""

from __future__ import annotations

import pytest

from extract.nlp.actor_filters import credit_spans, place_name
from extract.nlp.actors import Actor, find_actors


def actors_of(nlp, text: str) -> dict[str, Actor]:
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    for mention in mentions:
        assert doc.text[mention.start : mention.end] == mention.text
    return {a.key: a for a in actors}


# -- credit lines by their shape, no model needed ----------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "Associated Press writers Tom Brown in Dallas and Ana Lee contributed to this report.",
        "(Reporting by Tom Brown in Nairobi; Additional reporting by Ana Lee; Editing by Sam Green)",
        "Writing by Ana Lee; editing by Sam Green",
        "AP writer Tom Brown contributed.",
        "Ana Lee contributed reporting from Lagos.",
        "Contact the author at tbrown@example.com.",
        "Follow Ana Lee on Twitter @analee.",
        "Ana Lee can be reached at alee@example.com.",
        "By Tom Brown and Ana Lee",
        "Photo: Tom Brown/Reuters",
        "TOM BROWN/AFP via Getty Images",
    ],
)
def test_a_credit_line_is_found_by_its_shape(line):
    spans = credit_spans("The council met on Monday.\n" + line)
    assert spans, line
    assert all(start >= len("The council met on Monday.\n") for start, _ in spans)


def test_a_credit_after_prose_in_one_paragraph_is_found():
    text = "The mayor said the bridge would reopen. Reuters reporters Tom Brown and Ana Lee contributed to this report."
    (start, end), *_ = credit_spans(text)
    assert text[start:end].startswith("Reuters reporters") and end == len(text)


@pytest.mark.parametrize(
    "prose",
    [
        "The company contributed $5 million to the relief fund.",
        "Reporting by the ministry showed that exports fell.",
        "Brown said he would contact the ministry at once.",
        "The source of the leak was never found.",
        "Israel and Egypt contributed troops to the mission.",
    ],
)
def test_prose_is_not_a_credit_line(prose):
    assert credit_spans(prose) == []


# -- places by their generic word ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("words", "person", "is_place"),
    [
        (["Tana", "River"], False, True),
        (["Mount", "Elgon"], True, True),
        (["Gulf", "of", "Aden"], False, True),
        (["Rwenzori", "Mountains"], False, True),
        (["Kerio", "Valley"], False, True),
        (["Jane", "Valley"], True, False),  # a family name too: a person the model found stays one
        (["Lake", "Chad", "Basin", "Commission"], False, False),  # a body named after a place
        (["River"], False, False),
    ],
)
def test_a_landform_is_a_place_by_its_generic_word(words, person, is_place):
    from extract.nlp.lexicon import lexicon

    assert place_name(words, None, lexicon().org_words, person=person) is is_place


# -- the actor layer -----------------------------------------------------------------------------------
def test_reporters_and_the_agency_of_a_credit_line_are_not_actors(nlp):
    actors = actors_of(
        nlp,
        "The mayor, Jane Roe, said the bridge would reopen on Friday.\n"
        "Associated Press writers Tom Brown in Dallas and Ana Lee in Austin contributed to this report.",
    )
    assert set(actors) == {"person:jane roe"}


def test_a_reporter_who_is_part_of_the_story_stays_an_actor(nlp):
    actors = actors_of(
        nlp,
        "Police detained Tom Brown, a freelance reporter, on Monday. Brown said he was beaten.\n"
        "Tom Brown contributed reporting.",
    )
    assert "person:tom brown" in actors


def test_a_rank_is_not_part_of_a_name(nlp):
    actors = actors_of(
        nlp, "Navy spokesman Cmdr Jo Ray said the crew was safe. Lt Cmdr Ray added that Sgt Ben Cole was hurt."
    )
    assert {"person:jo ray", "person:ben cole"} <= set(actors)
    assert not any("cmdr" in key or "sgt" in key for key in actors)
    assert actors["person:jo ray"].sector == "MIL"


def test_a_mountain_is_not_a_person(nlp):
    actors = actors_of(nlp, "Hikers said Mount Elgon was covered in snow.")
    assert not any(a.kind == "person" for a in actors.values())


def test_a_town_used_only_as_a_place_is_not_an_actor(nlp):
    actors = actors_of(nlp, "Shops in Wigan closed early on Friday, and Wigan was quiet all weekend.")
    assert actors == {}


def test_a_person_known_by_one_name_is_kept(nlp):
    assert "person:mensah" in actors_of(nlp, "Mensah said she would appeal, and the judge agreed.")
    assert "person:okafor" in actors_of(nlp, "Judge Okafor rejected the appeal on Monday.")
    kept = actors_of(nlp, "Shops in Wigan closed early on Friday. The mayor, Ann Cole, said Wigan would recover.")
    assert set(kept) == {"person:ann cole"}
