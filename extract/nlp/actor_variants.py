"""One record per actor, whatever the article calls it: the actor layer's last pass.

``merge_variants`` takes the actors and mentions the earlier passes found in one article and
merges the records that are one actor under two names, decided once per record with the evidence
of the whole article:

- **people**: names are compared on a romanisation-folded form of each word (``name_key``), so
  transliteration variants agree ("Zelenskiy", "Zelensky", "Zelenskyy"; "Mohammed", "Muhammad");
  two full names merge when their family names agree and their given names agree or one is the
  other's initial ("J. Biden", "Joe Biden"); a name of one word merges into the one full name whose
  family name it is, whether an earlier pass made it a person or an organisation ("Sisi" and
  "Abdel Fattah el-Sisi").
- **countries**: a country's name never becomes a person ("Jordan said ..." tagged as a person),
  and a capital the model took for a person is the country where the article names that country
  too; "the Chinese government", "Beijing's government", "the government of China" are the country
  actor, as the annotation guideline codes a government ("a capital used for its government is
  the country's actor").
- **organisations**: an acronym resolves to the one organisation of the article whose initials
  it is, with or without the country or state words before the name ("SEC" and "the U.S.
  Securities and Exchange Commission", "PUC" and "the California Public Utilities Commission");
  names with the same words in another order are one body ("Justice Department", "Department of
  Justice"); and names that the Phoenix dictionaries list as one body
  (``data/phoenix_actor_variants.csv``, derived by ``scripts/derive_actor_variants.py``) are one.

Records only merge when their country codes agree (or one has none), and a name that fits two
records merges with neither. The record kept is the one with the fullest name (a country's for a
country), so its key stays canonical across articles; the others' aliases and mentions move to it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from extract.nlp.gazetteer import gazetteer

if TYPE_CHECKING:
    from extract.nlp.actors import Actor, Mention

__all__ = ["VARIANTS_PATH", "merge_variants", "name_key", "org_variants"]

VARIANTS_PATH = Path(__file__).resolve().parent / "data" / "phoenix_actor_variants.csv"

# -- romanisation: general equivalences of English transliterations (Cyrillic, Arabic, ...) -------
# Applied in this order to a folded, lower-case word. Each folds spellings that English-language
# news uses for one name: "x" and "ks" (Aleksandr, Alexander), "ph" and "f", "q" and "k" (Qaddafi,
# Kaddafi), "dh" and "d" (Gadhafi), "ou" and "u" (Abdoulaye), an initial "ye" and "e" (Yevgeny,
# Evgeny), "y" and "i" (-sky, -ski, -skiy; Sergey, Sergei; Aliyev, Aliev), "-ij" and "-i"
# (Dmitrij), doubled letters (Mohammed, Mohamed; Zelenskyy), a final "-off" and "-ov", and the
# vowel pairs a/e and o/u that Arabic names are written with either way (Mohammed, Muhammad;
# Ahmed, Ahmad; Hussein, Hussain; Omar, Umar). An Arabic article before a name (al-, el-) is not
# part of the comparison ("el-Sisi", "Sisi").
_SPELLINGS = (("x", "ks"), ("ph", "f"), ("q", "k"), ("dh", "d"), ("ou", "u"))
_ARTICLE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ul|ud)[-‐‑ ](?=\w{3})")
_VOWEL_CLASS = str.maketrans({"e": "a", "o": "u"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def name_key(word: str) -> str:
    """A name word with transliteration variants folded: "Zelenskyy" and "Zelensky" -> "zalanski"."""
    word = _ARTICLE.sub("", _fold(word).strip(".,'"))
    word = re.sub(r"[^a-z]", "", word)
    for old, new in _SPELLINGS:
        word = word.replace(old, new)
    if word.startswith("ye"):
        word = word[1:]
    word = word.replace("y", "i")
    if word.endswith("ij"):
        word = word[:-1]
    word = re.sub(r"(.)\1+", r"\1", word)
    if word.endswith("of"):
        word = word[:-1] + "v"
    return word.translate(_VOWEL_CLASS)


def _org_norm(text: str) -> str:
    """An organisation name's matching form: folded, no punctuation, no leading "the"."""
    text = _fold(text).replace("&", " and ")
    text = re.sub(r"['.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


@lru_cache(maxsize=1)
def org_variants() -> dict[str, str]:
    """Matching form of a body's name -> its canonical name, from the derived Phoenix table."""
    table: dict[str, str] = {}
    if not VARIANTS_PATH.exists():
        return table
    with open(VARIANTS_PATH, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            table.setdefault(_org_norm(row["name"]), row["canonical"])
    return table


# -- helpers on one article's records ------------------------------------------------------------
SMALL = frozenset("of and the for on in to at by a an".split())
GOVERNMENT = frozenset({"government", "govt"})
_INITIAL = re.compile(r"^[A-Za-z]\.?$")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _person_words(name: str) -> list[str]:
    words = [w.strip(",") for w in re.sub(r"\s+", " ", name).split() if w.strip(".,")]
    while len(words) > 1 and words[-1].lower().strip(".") in _SUFFIXES:
        words.pop()
    return words


def _given_fits(a: str, b: str) -> bool:
    if _INITIAL.match(a) or _INITIAL.match(b):
        return a[0].lower() == b[0].lower()
    ka, kb = name_key(a), name_key(b)
    return ka == kb or (min(len(ka), len(kb)) >= 3 and (ka.startswith(kb) or kb.startswith(ka)))


def _country_prefix(words: list[str]) -> tuple[str | None, list[str]]:
    """The country (or US state) words a name starts with, as (iso3, the rest of the name)."""
    gaz = gazetteer()
    for k in (3, 2, 1):
        if len(words) <= k:
            continue
        head = " ".join(words[:k])
        head = re.sub(r"(?:'s|')$", "", head)
        entry = gaz.lookup_name.get(head.lower())
        if entry is not None and entry.kind in ("country", "capital", "demonym", "region") and entry.iso3:
            return entry.iso3, words[k:]
    return None, words


def _initials(words: list[str]) -> set[str]:
    clean = [w for w in (re.sub(r"[^A-Za-z]", "", w) for w in words) if w]
    significant = [w for w in clean if w.lower() not in SMALL]
    return {"".join(w[0] for w in clean).upper(), "".join(w[0] for w in significant).upper()}


def _acronym(text: str) -> str | None:
    """ "SEC", "U.N.", "DoJ": a one-word name in capitals, without its dots; else None."""
    bare = text.replace(".", "")
    if " " in text or not 2 <= len(bare) <= 8 or not bare.isalpha():
        return None
    capitals = sum(c.isupper() for c in bare)
    return bare.upper() if capitals >= 2 and bare[0].isupper() and capitals >= len(bare) - 1 else None


class _Merger:
    """Union-find over one article's actor keys, with the rule that merges only compatible records."""

    def __init__(self, actors: list[Actor], counts: Counter) -> None:
        self.by_key = {a.key: a for a in actors}
        self.parent = {a.key: a.key for a in actors}
        self.counts = counts

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def countries(self, root: str) -> set[str]:
        return {a.country_code for k, a in self.by_key.items() if a.country_code and self.find(k) == root}

    def union(self, keep: str, other: str) -> bool:
        a, b = self.find(keep), self.find(other)
        if a == b:
            return False
        ca, cb = self.countries(a), self.countries(b)
        if ca and cb and not ca & cb:
            return False  # two countries' bodies or two countries' people: not one actor
        self.parent[b] = a
        return True


def _unique(candidates: Iterable[str]) -> str | None:
    found = set(candidates)
    return found.pop() if len(found) == 1 else None


# -- the rules -----------------------------------------------------------------------------------
def _people(merger: _Merger, actors: list[Actor]) -> None:
    people = [a for a in actors if a.kind == "person" and not a.key.count(":") > 1]
    full = [(a, _person_words(a.name)) for a in people]
    full = [(a, w) for a, w in full if len(w) >= 2]
    by_family: dict[str, list[tuple[Actor, list[str]]]] = {}
    for actor, words in full:
        by_family.setdefault(name_key(words[-1]), []).append((actor, words))
    for group in by_family.values():
        # the fuller, more often named record first: it is the one kept
        group.sort(
            key=lambda p: (
                -len(p[1]),
                any(_INITIAL.match(w) for w in p[1]),
                -merger.counts[p[0].key],
                -len(p[0].name),
                p[0].key,
            )
        )
        for i, (a, wa) in enumerate(group):
            for b, wb in group[i + 1 :]:
                if _given_fits(wa[0], wb[0]):
                    merger.union(a.key, b.key)
    singles = [a for a in actors if a.kind in ("person", "organization") and len(_person_words(a.name)) == 1]
    for actor in singles:
        word = actor.name.strip()
        if actor.kind == "organization" and (_acronym(word) or not word[:1].isupper()):
            continue  # "IAEA" is no one's surname
        key = name_key(word)
        owner = _unique(
            merger.find(a.key)
            for a, w in full
            if name_key(w[-1]) == key
            and a.key != actor.key
            # a body named exactly like someone ("Bloomberg") was kept apart by the name pass on purpose
            and not (actor.kind == "organization" and _fold(w[-1]) == _fold(word))
        )
        if owner is not None:
            merger.union(owner, actor.key)


def _countries(merger: _Merger, actors: list[Actor], make_country: Callable[[str, Actor], None]) -> None:
    gaz = gazetteer()
    present = {a.country_code for a in actors if a.kind == "country"}
    for actor in actors:
        forms = {_fold(a).strip() for a in [actor.name, *actor.aliases]}
        entries = [gaz.lookup_name.get(f) for f in forms]
        if actor.kind in ("person", "organization") and all(
            e is not None and e.kind in ("country", "capital") for e in entries
        ):
            # a country's or a capital's name and nothing else: the country, decided once for the record
            isos = {e.iso3 for e in entries if e is not None}
            if len(isos) != 1:
                continue
            iso = isos.pop()
            capital_only = all(e is not None and e.kind == "capital" for e in entries)
            everyday = any(e is not None and e.needs_ner for e in entries)
            described = actor.sector is not None or actor.country_code not in (None, iso)
            if iso not in present and (capital_only or everyday and described):
                continue  # "Hamilton said", "Coach Jordan said": a person unless the country is in the news
            make_country(iso, actor)
        elif actor.kind == "organization":
            words = [w for w in re.sub(r"[’']s\b", "", actor.name).split() if w.lower() != "the"]
            low = [w.lower() for w in words]
            iso = None
            if len(low) >= 2 and low[-1] in GOVERNMENT:
                iso, rest = _country_prefix(words)
                iso = iso if [w.lower() for w in rest] == low[-1:] else None
            elif len(low) >= 3 and low[0] in GOVERNMENT and low[1] == "of":
                entry = gaz.lookup_name.get(" ".join(words[2:]).lower())
                iso = entry.iso3 if entry is not None and entry.kind in ("country", "capital") else None
            if iso is not None:
                make_country(iso, actor)


def _organisations(merger: _Merger, actors: list[Actor]) -> None:
    orgs = [a for a in actors if a.kind == "organization"]
    named: list[tuple[Actor, list[str], list[str], str | None]] = []  # actor, words, rest, country
    for actor in orgs:
        for form in dict.fromkeys([actor.name, *actor.aliases]):
            words = re.sub(r"^[Tt]he\s+", "", form).split()
            if len(words) >= 2:
                iso, rest = _country_prefix(words)
                named.append((actor, words, rest, iso or actor.country_code))
    # acronyms: the one body whose initials they are (the model tags some "SEC"s as people)
    for actor in orgs + [a for a in actors if a.kind == "person" and _acronym(a.name)]:
        forms = [f for f in dict.fromkeys([actor.name, *actor.aliases]) if _acronym(f)]
        for form in forms:
            letters = _acronym(form)
            fits = {
                merger.find(other.key)
                for other, words, rest, _ in named
                if other.key != actor.key and letters in _initials(words) | _initials(rest)
            }
            if len(fits) == 1:
                merger.union(fits.pop(), actor.key)
    # the same words in another order: "Justice Department", "Department of Justice"
    bags: dict[tuple[str, ...], dict[str, str | None]] = {}
    for actor, _words, rest, iso in named:
        bag = tuple(sorted({_org_norm(w) for w in rest} - SMALL - {""}))
        if len(bag) >= 2:
            owners = bags.setdefault(bag, {})
            owners[actor.key] = owners.get(actor.key) or iso
    for owners in bags.values():
        if len({iso for iso in owners.values() if iso}) <= 1:  # "Defense Ministry" beside two countries' ones: neither
            _merge_all(merger, set(owners))
    # the Phoenix dictionaries' variants of one body
    table = org_variants()
    bodies: dict[str, set[str]] = {}
    for actor in orgs:
        for form in dict.fromkeys([actor.name, *actor.aliases]):
            canonical = table.get(_org_norm(form))
            if canonical is not None:
                bodies.setdefault(canonical, set()).add(actor.key)
    for keys in bodies.values():
        _merge_all(merger, keys)


def _merge_all(merger: _Merger, keys: set[str]) -> None:
    if len(keys) < 2:
        return
    ordered = sorted(keys, key=lambda k: (-len(merger.by_key[k].name), -merger.counts[k], k))
    for key in ordered[1:]:
        merger.union(ordered[0], key)


# -- the pass ------------------------------------------------------------------------------------
def merge_variants(actors: list[Actor], mentions: list[Mention]) -> tuple[list[Actor], list[Mention]]:
    """The article's actors with records of one actor merged, and their mentions moved to it."""
    actors = list(actors)
    counts = Counter(m.actor_key for m in mentions)
    gaz = gazetteer()
    by_key = {a.key: a for a in actors}
    merger = _Merger(actors, counts)

    def make_country(iso: str, actor: Actor) -> None:
        key = f"country:{iso}"
        if key not in by_key:
            name = gaz.country_name(iso) or iso
            country = replace(actor, key=key, name=name, kind="country", country_code=iso, sector="GOV", aliases=[])
            actors.append(country)
            by_key[key] = merger.by_key[key] = country
            merger.parent[key] = key
        merger.parent[merger.find(actor.key)] = key  # the country wins whatever the codes say

    _countries(merger, actors, make_country)
    _people(merger, actors)
    _organisations(merger, actors)
    roots = {a.key: merger.find(a.key) for a in actors}
    if all(k == r for k, r in roots.items()):
        return actors, mentions
    out: list[Actor] = []
    for actor in actors:
        if roots[actor.key] != actor.key:
            continue
        members = [a for a in actors if roots[a.key] == actor.key]
        aliases = list(dict.fromkeys(alias for a in members for alias in a.aliases))
        country = actor.country_code or next((a.country_code for a in members if a.country_code), None)
        sector = actor.sector or next((a.sector for a in members if a.sector), None)
        if actor.kind == "country" and actor.name not in aliases and aliases:
            aliases.append(actor.name)
        out.append(replace(actor, aliases=aliases, country_code=country, sector=sector))
    moved = [
        m if roots.get(m.actor_key, m.actor_key) == m.actor_key else replace(m, actor_key=roots[m.actor_key])
        for m in mentions
    ]
    return out, moved
