"""One record per actor whatever the article calls it (``extract/nlp/actor_variants.py``).

Rules are tested twice: on records built by hand (the pass alone, whatever the model tags) and on
sentences written for these tests through the whole actor layer. The shipped variants table must
be what ``scripts/derive_actor_variants.py`` makes of the Phoenix dictionaries.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from extract.nlp.actor_variants import VARIANTS_PATH, merge_variants, name_key, org_variants
from extract.nlp.actors import Actor, Mention, find_actors

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "derive_actor_variants.py"
PETRARCH = ROOT.parent / "shared" / "eval" / "reference" / "petrarch2"


def records(*specs: tuple) -> tuple[list[Actor], list[Mention]]:
    """Actors from (key, name, kind, country, aliases) and one mention per alias."""
    actors, mentions, at = [], [], 0
    for key, name, kind, country, aliases in specs:
        actors.append(Actor(key=key, name=name, kind=kind, country_code=country, aliases=list(aliases)))
        for alias in aliases:
            mentions.append(Mention(key, alias, at, at + len(alias), 0))
            at += len(alias) + 1
    return actors, mentions


def merged(*specs: tuple) -> dict[str, Actor]:
    actors, mentions = merge_variants(*records(*specs))
    keys = {a.key for a in actors}
    assert {m.actor_key for m in mentions} <= keys
    return {a.key: a for a in actors}


# -- the pass on hand-built records ---------------------------------------------------------------


def test_transliteration_variants_fold_to_one_key() -> None:
    assert name_key("Bilotserkivskyy") == name_key("Bilotserkivskiy") == name_key("Bilotserkivsky")
    assert name_key("Mohammed") == name_key("Muhammad") == name_key("Mohamed")
    assert name_key("Sergey") == name_key("Sergei") and name_key("Yevgeny") == name_key("Evgeny")
    assert name_key("al-Rashidi") == name_key("Rashidi") and name_key("Smirnoff") == name_key("Smirnov")
    assert name_key("Peters") != name_key("Porter") and name_key("Eric") != name_key("Erica")


def test_a_transliteration_variant_is_one_person() -> None:
    out = merged(
        ("person:andriy bilotserkivskiy", "Andriy Bilotserkivskiy", "person", "UKR", ["Andriy Bilotserkivskiy"]),
        ("person:andriy bilotserkivsky", "Andriy Bilotserkivsky", "person", None, ["Andriy Bilotserkivsky"]),
        ("person:bilotserkivskyy", "Bilotserkivskyy", "person", None, ["Bilotserkivskyy"]),
    )
    assert list(out) == ["person:andriy bilotserkivskiy"]
    person = out["person:andriy bilotserkivskiy"]
    assert person.country_code == "UKR" and len(person.aliases) == 3


def test_initials_and_given_name_spellings_merge_but_other_given_names_do_not() -> None:
    out = merged(
        ("person:mohammed al-rashidi", "Mohammed al-Rashidi", "person", None, ["Mohammed al-Rashidi"]),
        ("person:muhammad rashidi", "Muhammad Rashidi", "person", None, ["Muhammad Rashidi"]),
        ("person:m. rashidi", "M. Rashidi", "person", None, ["M. Rashidi"]),
        ("person:layla rashidi", "Layla Rashidi", "person", None, ["Layla Rashidi"]),
    )
    assert set(out) == {"person:mohammed al-rashidi", "person:layla rashidi"}
    assert set(out["person:mohammed al-rashidi"].aliases) == {"Mohammed al-Rashidi", "Muhammad Rashidi", "M. Rashidi"}


def test_a_surname_alone_goes_to_the_only_full_name_it_fits() -> None:
    out = merged(
        ("person:tomas novakovsky", "Tomas Novakovsky", "person", None, ["Tomas Novakovsky"]),
        ("organization:novakovskiy", "Novakovskiy", "organization", None, ["Novakovskiy"]),
    )
    assert list(out) == ["person:tomas novakovsky"]
    two = merged(  # two people of that name: the surname alone stays where the name pass put it
        ("person:tomas novakovsky", "Tomas Novakovsky", "person", None, ["Tomas Novakovsky"]),
        ("person:irena novakovska", "Irena Novakovski", "person", None, ["Irena Novakovski"]),
        ("person:novakovskiy", "Novakovskiy", "person", None, ["Novakovskiy"]),
    )
    assert "person:novakovskiy" in two


def test_an_acronym_is_the_body_whose_initials_it_is_with_or_without_its_country() -> None:
    out = merged(
        (
            "organization:federal maritime safety board",
            "Federal Maritime Safety Board",
            "organization",
            None,
            ["Federal Maritime Safety Board"],
        ),
        ("organization:fmsb", "FMSB", "organization", None, ["FMSB"]),
        (
            "organization:kenya national water authority",
            "Kenya National Water Authority",
            "organization",
            "KEN",
            ["Kenya National Water Authority"],
        ),
        ("organization:nwa", "NWA", "organization", None, ["NWA"]),
    )
    assert set(out) == {"organization:federal maritime safety board", "organization:kenya national water authority"}
    assert out["organization:kenya national water authority"].aliases == ["Kenya National Water Authority", "NWA"]


def test_an_acronym_that_fits_two_bodies_resolves_to_neither() -> None:
    out = merged(
        ("organization:national water authority", "National Water Authority", "organization", None, ["x"]),
        ("organization:northern wildlife association", "Northern Wildlife Association", "organization", None, ["y"]),
        ("organization:nwa", "NWA", "organization", None, ["NWA"]),
    )
    assert len(out) == 3


def test_the_same_words_in_another_order_are_one_body_but_not_across_countries() -> None:
    out = merged(
        (
            "organization:ministry of fisheries",
            "Ministry of Fisheries",
            "organization",
            None,
            ["Ministry of Fisheries"],
        ),
        ("organization:fisheries ministry", "Fisheries Ministry", "organization", None, ["Fisheries Ministry"]),
    )
    assert list(out) == ["organization:ministry of fisheries"]
    apart = merged(
        ("organization:japan defense ministry", "Japanese Defense Ministry", "organization", "JPN", ["a"]),
        ("organization:south korea defense ministry", "South Korean Defense Ministry", "organization", "KOR", ["b"]),
        ("organization:defense ministry", "Defense Ministry", "organization", None, ["Defense Ministry"]),
    )
    assert len(apart) == 3


def test_the_phoenix_variants_of_one_body_merge() -> None:
    table = org_variants()
    assert table["taleban"] == table["taliban"]
    out = merged(
        ("organization:hizballah", "Hizballah", "organization", None, ["Hizballah"]),
        ("organization:hezbollah", "Hezbollah", "organization", None, ["Hezbollah"]),
    )
    assert len(out) == 1


def test_a_country_name_never_becomes_a_person_and_a_government_is_its_country() -> None:
    out = merged(
        ("person:jordan", "Jordan", "person", None, ["Jordan"]),
        ("organization:kenya government", "Kenyan government", "organization", "KEN", ["Kenyan government"]),
        ("country:KEN", "Kenya", "country", "KEN", ["Nairobi", "Kenya"]),
        ("organization:government of peru", "Government of Peru", "organization", None, ["Government of Peru"]),
    )
    assert set(out) == {"country:JOR", "country:KEN", "country:PER"}
    assert out["country:JOR"].kind == "country" and "Jordan" in out["country:JOR"].aliases
    assert set(out["country:KEN"].aliases) >= {"Kenyan government", "Nairobi", "Kenya"}


def test_a_capital_taken_for_a_person_is_its_country_only_where_the_country_is_in_the_news() -> None:
    alone = merged(("person:kingston", "Kingston", "person", None, ["Kingston"]))
    assert "person:kingston" in alone
    with_country = merged(
        ("person:kingston", "Kingston", "person", None, ["Kingston"]),
        ("country:JAM", "Jamaica", "country", "JAM", ["Jamaica"]),
    )
    assert list(with_country) == ["country:JAM"]


# -- through the actor layer, on sentences of our own ---------------------------------------------


def actors_of(nlp, text: str) -> dict[str, Actor]:
    doc = nlp(text)
    actors, mentions = find_actors(doc)
    for mention in mentions:
        assert doc.text[mention.start : mention.end] == mention.text
    assert {m.actor_key for m in mentions} <= {a.key for a in actors}
    return {a.key: a for a in actors}


def test_a_transliteration_variant_in_an_article(nlp) -> None:
    actors = actors_of(
        nlp,
        "Ukrainian Energy Minister Andriy Bilotserkivskiy said on Monday that the grid had held. "
        "Andriy Bilotserkivsky later told reporters that repairs would take weeks.",
    )
    people = [a for a in actors.values() if a.kind == "person"]
    assert len(people) == 1 and {"Andriy Bilotserkivskiy", "Andriy Bilotserkivsky"} <= set(people[0].aliases)


def test_an_acronym_with_its_full_name_in_an_article(nlp) -> None:
    actors = actors_of(
        nlp,
        "The Federal Maritime Safety Board opened an inquiry on Tuesday. The FMSB said the ferry had "
        "sailed without a licence, and the Ministry of Fisheries backed it. The Fisheries Ministry "
        "declined to comment further.",
    )
    bodies = {a.name: a for a in actors.values() if a.kind == "organization"}
    board = next(a for a in bodies.values() if "Federal Maritime Safety Board" in a.aliases)
    assert "FMSB" in board.aliases
    ministry = [a for a in bodies.values() if "Fisheries" in a.name]
    assert len(ministry) == 1


def test_a_capital_and_a_government_as_their_country_in_an_article(nlp) -> None:
    actors = actors_of(
        nlp,
        "Nairobi rejected the claim on Friday. The Kenyan government said Kenya would not pay, and "
        "Uganda criticised the decision.",
    )
    assert not [a for a in actors.values() if a.kind == "organization"]
    assert {"Nairobi", "Kenyan government", "Kenya"} <= set(actors["country:KEN"].aliases)


def test_initials_in_an_article(nlp) -> None:
    actors = actors_of(
        nlp,
        "Senator Margaret Okonkwo-Hale criticised the bill on Wednesday. Critics said M. Okonkwo-Hale "
        "had misread it, and Okonkwo-Hale voted against it.",
    )
    people = [a for a in actors.values() if a.kind == "person"]
    assert len(people) == 1 and "M. Okonkwo-Hale" in people[0].aliases


# -- the derived table ----------------------------------------------------------------------------


def _script():
    spec = importlib.util.spec_from_file_location("derive_actor_variants", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_reproduces_the_shipped_table_byte_for_byte(tmp_path) -> None:
    if not (PETRARCH / "Phoenix.Countries.actors.txt").exists():
        pytest.skip(f"the Phoenix dictionaries are not here ({PETRARCH}): nothing to rederive from")
    out = tmp_path / "phoenix_actor_variants.csv"
    assert _script().main(["--petrarch", str(PETRARCH), "--out", str(out), "--quiet"]) == 0
    assert out.read_bytes() == VARIANTS_PATH.read_bytes()


def test_the_shipped_table_is_small_says_it_is_generated_and_carries_the_licence() -> None:
    text = VARIANTS_PATH.read_text(encoding="utf-8")
    assert "GENERATED FILE" in text[:500] and "MIT" in text[:500]
    assert len(text.splitlines()) < 2000  # only bodies with acronyms or variants
    notice = (VARIANTS_PATH.parent / "NOTICE.phoenix").read_text(encoding="utf-8")
    assert "phoenix_actor_variants.csv" in notice and "Permission is hereby granted" in notice


def test_the_derivation_keeps_variants_of_one_name_not_everything_a_record_lumps() -> None:
    script = _script()
    text = (
        "FEDERAL_BUREAU_OF_INVESTIGATION_\n+FBI_\n+DRUG_ENFORCEMENT_AGENCY_\n+DEA_\n\t[USACOP]\n\n"
        "REPUBLIC_OF_NOWHERE_ [NWH]\n+NOWHERIAN_\n"
        "NOWHERE_LIBERATION_FRONT [NWHREB]\n+NOWHERE_LIBERATON_FRONT\n+FIGHTERS_OF_DAWN\n"
    )
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / script.FILES[0]
    path.write_text(text, encoding="utf-8")
    rows = script.derive(script.read(path))
    pairs = {(name, canonical) for name, canonical, _code, _rel in rows}
    assert ("FBI", "Federal Bureau of Investigation") in pairs
    assert ("DEA", "Drug Enforcement Agency") in pairs
    assert not any(c == "Federal Bureau of Investigation" and n.startswith("Drug") for n, c in pairs)
    assert ("Nowhere Liberaton Front", "Nowhere Liberation Front") in pairs or (
        "Nowhere Liberation Front",
        "Nowhere Liberaton Front",
    ) in pairs
    assert not any("Dawn" in n for n, _ in pairs)
