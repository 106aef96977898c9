"""Actors: every person, organisation, country and group an article names, resolved and coded.

``find_actors`` takes one parsed article and returns its actors (one per real-world actor in
the article) and every mention of them, with character offsets into the article's text.
An actor's ``key`` is canonical across articles, so the same actor in two articles gets the
same ``actor_id`` (a hash of the key) in the warehouse.

How it works, in passes over one spaCy parse (each linear in the article's length):

1. Names: the model's entities, corrected. Country, capital, nationality, party and well-known
   organisation names come from the gazetteer (``gazetteer.py``) and override the model's label
   ("Ankara" tagged PERSON is the capital of Turkey); lower-case "entities", addresses, bylines,
   handles and places ("Kano State", "the Army Headquarters") are dropped; a name the model
   calls ORG but that carries a person's title ("host Jane Doe", "Jane Doe, a professor") or
   whose surname stands alone as a PERSON elsewhere is a person; capitalised bodies the model
   missed ("the State Attorney's Office for the Northern District") are found by their head word.
   What is not an actor is told by ``actor_filters.py``: credit and contact lines, landforms, and
   "people" with no name shape, title, age or pronoun to show they are one.
2. People: titles and roles are stripped from the name and kept as evidence (country, sector)
   from the words before the name ("German Chancellor") and appositions ("X, Brazil's top
   negotiator"); full names cluster, and a surname or given name alone resolves to the
   nearest compatible full name ("Scholz" -> "Olaf Scholz"; two Castros stay two).
3. Organisations: a canonical name (a generic body takes its country: "Japan's Defense
   Ministry"), acronyms defined in parentheses or by initials, and short forms that are a part of
   a longer name ("Justice Department" -> "US Justice Department").
4. Countries: a country or capital is an actor where it acts or is acted upon (subject, object,
   "with", "against", a possessive) and a place where it is only where things happen ("in",
   "at", "via", "entered"); one the article keeps returning to is an actor too.
5. Groups: a collective noun ("troops", "officials") with a nationality, a country, an owner
   ("Macron's advisers") or a definite article that refers back; nouns of one class share a key.
   One unnamed person described by nationality and role who acts ("an Argentine judge ordered")
   is an actor: one of the group when the role's plural is a collective ("a U.S. official"),
   else a person of that article only. A country whose request or proposal is rejected or
   accepted ("rejected a U.S. request") is acted upon.
6. Descriptions that refer back ("the Turkish leader", "the administration", "the police").
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extract.nlp import actor_filters
from extract.nlp.actor_groups import find_described
from extract.nlp.actor_variants import merge_variants
from extract.nlp.gazetteer import Entry, GeoMatch, gazetteer
from extract.nlp.lexicon import lexicon

__all__ = ["Actor", "Mention", "find_actors"]

KINDS = ("person", "organization", "country", "group")


@dataclass
class Actor:
    key: str  # canonical across articles, e.g. "person:olaf scholz", "country:DEU"
    name: str  # display name, e.g. "Olaf Scholz"
    kind: str  # one of KINDS
    country_code: str | None = None  # ISO 3166-1 alpha-3 affiliation
    sector: str | None = None  # PLOVER sector code: GOV, MIL, JUD, LEG, PTY, COP, MED, BUS, IGO, REB, CVL, ...
    aliases: list[str] = field(default_factory=list)  # every surface form resolved to it in this article


@dataclass(frozen=True)
class Mention:
    actor_key: str
    text: str  # == article text[start:end]
    start: int  # character offsets into the article's clean text
    end: int
    sentence_index: int


# -- word lists of the rules (grammar, not names) -------------------------------------------------
DETERMINERS = {"the", "a", "an"}
DEFINITE = {"the", "these", "those"}
INDEFINITE = {"a", "an", "another"}
POSSESSIVE = {"'s", "’s", "'", "’"}
PRONOUN_OWNERS = {"his", "her", "its", "their", "our", "my", "your"}
# a country after these prepositions is where something happens, not who does it
LOCATIVE = frozenset(
    "in at inside into within near across via through throughout around outside from beyond along "
    "onto off en under over about of than like since until during".split()
)
AIMED = frozenset("fire shoot launch aim direct hurl lash strike swipe jab point target".split())
ACTOR_PREPS = {"with", "against", "between", "toward", "towards", "on", "by", "upon", "among"}
LISTING_PREPS = {"including", "like", "as", "except", "besides", "excluding"}
# verbs and nouns of movement: their object or "to" phrase is a destination
MOTION = frozenset(
    "enter reach visit leave cross travel arrive return flee fly go come move head deploy send deport "
    "extradite transfer relocate migrate tour land drive walk sail escape smuggle take bring ship "
    "export import emigrate immigrate sneak trip journey flight deployment extradition way route road "
    "border door access entry exit back home relocation transit trafficking".split()
)
PLACE_NOUNS = frozenset(
    "capital city border borders territory region coast soil airspace waters north south east west "
    "province state island islands port embassy streets mainland countryside economy market markets "
    "history population".split()
)
PLACE_HEADS = frozenset(
    "county city town state province district region village street avenue road island river lake mountain "
    "valley airport station".split()
)
# what one side puts to another: rejecting "a U.S. request" is acting on the United States
PROPOSALS = frozenset(
    "request demand proposal offer plan call appeal change initiative ultimatum bid overture invitation".split()
)
# common nouns that name one body: "the Pakistani army" and "Pakistan's military"
SAME_BODY = {"army": "military", "armed forces": "military", "government": "government", "cabinet": "government"}
STREET_OR_PLACE = ("place", "street", "document")
# collectives named by what they do: "protesters clashed with police" is someone in particular
SELF_NAMED = frozenset(
    "protesters protestors demonstrators activists rebels insurgents militants separatists prosecutors".split()
)
# a head of state or government: "the Turkish leader", "his French counterpart"
LEADERS = frozenset(
    "president|prime minister|premier|chancellor|king|queen|emir|sultan|leader|supreme leader|dictator|"
    "head of state|crown prince".split("|")
)
# gazetteer words that are never part of a person's name
NOT_NAMES = ("country", "capital", "bloc", "channel", "region", "demonym", "people", "member", "party", "organization")
BYLINE = re.compile(
    r"contributed (?:reporting|to this report)|^(?:additional )?(?:reporting|editing|writing) by"
    r"|^staff reports?$|^by [A-Z]",
    re.I,
)
# a name typed twice with no space ("Jane DoeJane Doe"): a CMS link widget; its text runs to "MORE"
DOUBLED = re.compile(r"((?:[A-Z][\w'’.-]*[ \t]+){1,3}[A-Z][a-z'’.]+(?:-[A-Z]?[a-z'’.]+)*)(?=\1)")
WIDGET_END = re.compile(r"\bMORE\b")
CORPORATE = frozenset("inc corp co ltd llc plc group holdings sa ag nv company corporation limited se gmbh".split())
CREDITS = frozenset("photo photos credit courtesy image illustration".split())
SMALL_WORDS = frozenset("a an the of in on at to for and or by with from as vs".split())
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
INITIAL = re.compile(r"^[A-Z]\.?$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


def _fold(text: str) -> str:
    """Lower case without accents, for keys."""
    text = unicodedata.normalize("NFKD", _clean(text))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _headline(line: str) -> bool:
    """A line in Title Case with no full stop: the headline of a linked story, not prose."""
    line = line.strip()
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if w.lower() not in SMALL_WORDS]
    if len(words) < 4 or line[-1:] in '.?!"”':
        return False
    return sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _name_words(text: str) -> list[str]:
    """A person's name as words: initials and suffixes dropped, "Jong-un" split like "Jong Un"."""
    words: list[str] = []
    for word in _clean(text).split():
        parts = re.split(r"-(?=[a-z])", word)
        words.extend(p[:1].upper() + p[1:] if i else p for i, p in enumerate(parts))
    words = [w.rstrip(",") for w in words if w.strip(".,")]
    while len(words) > 1 and words[-1].lower() in NAME_SUFFIXES:
        words.pop()
    if len(words) > 2:
        words = [words[0], *[w for w in words[1:-1] if not INITIAL.match(w)], words[-1]]
    return words


# -- internal records ------------------------------------------------------------------------------
@dataclass
class _Cand:
    """A name the model or the gazetteer found: a token span, possibly narrowed to characters."""

    start: int
    end: int
    label: str  # PERSON or ORG
    start_char: int
    end_char: int
    entry: Entry | None = None
    titles_inside: list[Any] = field(default_factory=list)


@dataclass
class _Evidence:
    roles: list[Any] = field(default_factory=list)  # lexicon.Title
    country: str | None = None
    orgs: list[_Cand] = field(default_factory=list)
    regnal: str | None = None
    first: int | None = None  # first token of the title words before the name
    spans: list[tuple[int, int]] = field(default_factory=list)  # title words in appositions

    def has_role(self) -> bool:
        return any(t.kind in ("role", "regnal") for t in self.roles)


@dataclass
class _Person:
    words: list[str]
    cands: list[_Cand] = field(default_factory=list)
    evidence: list[_Evidence] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    key: str = ""


@dataclass
class _Org:
    canonical: str  # lower-case canonical name
    display: str
    country: str | None
    sector: str | None
    words: list[str]


@dataclass
class _Acc:
    key: str
    kind: str
    names: list[str] = field(default_factory=list)
    countries: Counter = field(default_factory=Counter)
    sectors: Counter = field(default_factory=Counter)
    aliases: list[str] = field(default_factory=list)
    roles: Counter = field(default_factory=Counter)  # actor / place / title / modifier mentions
    name: str | None = None


@dataclass
class _Found:
    key: str
    start: int
    end: int
    token: int
    role: str = "actor"


class _Article:
    """One article's parse and everything found in it so far."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.text: str = doc.text
        self.gaz = gazetteer()
        self.lex = lexicon()
        self.n = len(doc)
        # one pass over the tokens: spaCy builds a Python object per token access
        self.texts: list[str] = []
        self.lower: list[str] = []
        self.token_starts: list[int] = []
        breaks: list[bool] = []
        for t in doc:
            self.texts.append(t.text)
            self.lower.append(t.lower_)
            self.token_starts.append(t.idx)
            breaks.append("\n" in t.text or "\n" in t.whitespace_)
        self.sent_of = [0] * self.n
        self.sent_start = [0] * self.n
        for index, sent in enumerate(doc.sents):
            start, end = sent.start, sent.end
            self.sent_of[start:end] = [index] * (end - start)
            self.sent_start[start:end] = [start] * (end - start)
        # where a sentence or a line of the text starts: no phrase runs across either
        self.block_start = list(self.sent_start)
        for i in range(1, self.n):
            if breaks[i - 1]:
                self.block_start[i] = i
            elif self.block_start[i - 1] > self.block_start[i]:
                self.block_start[i] = self.block_start[i - 1]
        self.used = [False] * self.n  # tokens that are part of a mention or of its evidence
        self.junk: list[tuple[int, int]] = []
        self.bylines: list[tuple[int, int]] = []
        self.headlines: list[tuple[int, int]] = []  # Title Case lines: links to other stories
        self.found: list[_Found] = []
        self.acc: dict[str, _Acc] = {}
        self.geo: list[GeoMatch] = []
        self.geo_end: dict[int, GeoMatch] = {}
        self.geo_at: dict[int, GeoMatch] = {}
        self.inner_geo: set[int] = set()  # start tokens of gazetteer matches inside a name
        self.consumed_geo: dict[int, str] = {}  # start token -> role ("title", "org")
        self.cands: list[_Cand] = []
        self.org_end: dict[int, _Cand] = {}
        self.cand_at: dict[int, _Cand] = {}
        self.persons: list[_Person] = []
        self.person_of: dict[int, _Person] = {}  # cand start token -> person
        self.orgs: dict[str, _Org] = {}  # canonical -> org
        self.org_of: dict[int, str] = {}  # cand start token -> canonical
        self.acronyms: dict[str, str] = {}  # acronym -> canonical

    # -- helpers -------------------------------------------------------------------------------
    def token_at(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.token_starts, char) - 1)

    def in_junk(self, start_char: int, end_char: int) -> bool:
        return any(a < end_char and start_char < b for a, b in self.junk)

    def add(
        self,
        key: str,
        kind: str,
        start_char: int,
        end_char: int,
        role: str = "actor",
        *,
        name: str | None = None,
        country: str | None = None,
        sector: str | None = None,
    ) -> None:
        acc = self.acc.get(key)
        if acc is None:
            acc = self.acc[key] = _Acc(key, kind)
        text = self.text[start_char:end_char]
        self.found.append(_Found(key, start_char, end_char, self.token_at(start_char), role))
        acc.roles[role] += 1
        if role == "actor" and text not in acc.aliases:
            acc.aliases.append(text)
        if name:
            acc.names.append(name)
        if country:
            acc.countries[country] += 1
        if sector:
            acc.sectors[sector] += 1

    def mark(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.used[i] = True

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """A name's span without a leading article or trailing possessive and punctuation."""
        while start < end and self.lower[start] in DETERMINERS:
            start += 1
        while end > start and (
            self.lower[end - 1] in POSSESSIVE or self.doc[end - 1].is_punct and self.lower[end - 1] not in (".",)
        ):
            end -= 1
        return start, end

    def span_text(self, start: int, end: int) -> str:
        return self.text[self.token_starts[start] : self.token_starts[end - 1] + len(self.texts[end - 1])]

    def char_span(self, start: int, end: int) -> tuple[int, int]:
        return self.token_starts[start], self.token_starts[end - 1] + len(self.texts[end - 1])

    def country_of_geo(self, match: GeoMatch) -> tuple[str | None, bool]:
        """(iso3, is a nationality-like word) of a gazetteer match."""
        entry = match.first("country", "capital", "demonym", "people")
        if entry is None:
            return None, False
        return entry.iso3, True

    def last_country_before(self, i: int) -> str | None:
        k = bisect.bisect_left(self.country_starts, i)
        return self.country_isos[k - 1] if k else None

    # -- pass 1: names -------------------------------------------------------------------------
    def find_junk(self) -> list[tuple[int, int]]:
        """Character ranges that are not the article's prose; returns the doubled names' first copies."""
        names: list[tuple[int, int]] = []
        for match in DOUBLED.finditer(self.text):
            start, end = match.span(1)
            names.append((start, end))
            junk_end = end + (end - start)
            widget = WIDGET_END.search(self.text, junk_end, junk_end + 1500)
            self.junk.append((end, widget.end() if widget else junk_end))
        self.junk += actor_filters.credit_spans(self.text)  # bylines, credit and contact lines
        offset = 0
        for line in self.text.split("\n"):
            if len(line.strip()) < 120 and BYLINE.search(line.strip()):
                self.bylines.append((offset, offset + len(line)))
            if _headline(line):
                self.headlines.append((offset, offset + len(line)))
            offset += len(line) + 1
        return names

    def echoed(self, cand: _Cand) -> bool:
        """Whether a name in a headline-like line also stands in the article's prose."""
        name = self.text[cand.start_char : cand.end_char]
        at = self.text.find(name)
        while at >= 0:
            if not any(a <= at < b for a, b in self.headlines):
                return True
            at = self.text.find(name, at + 1)
        return False

    def gazetteer_matches(self) -> None:
        for match in self.gaz.match(self.doc, self.lower, self.texts):
            start_char, end_char = self.char_span(match.start, match.end)
            if self.in_junk(start_char, end_char):
                continue
            entry = match.entries[0]
            if entry.needs_ner and self.doc[match.start].ent_type_ not in ("GPE", "LOC"):
                continue
            if all(e.needs_ner for e in match.entries) and self.doc[match.start].ent_type_ not in ("GPE", "LOC"):
                continue
            self.geo.append(match)
        self.geo_end = {m.end - 1: m for m in self.geo}
        countries = [(m.start, m.first("country", "capital")) for m in self.geo]
        self.country_starts = [start for start, entry in countries if entry]
        self.country_isos = [entry.iso3 for _, entry in countries if entry]
        self.geo_at = {m.start: m for m in self.geo}

    def geo_inside(self, start: int, end: int) -> list[GeoMatch]:
        return [self.geo_at[i] for i in range(start, end) if i in self.geo_at and self.geo_at[i].end <= end]

    def org_head(self, start: int, end: int) -> Any:
        """The organisation head phrase that ends the span, if any."""
        hit = self.lex.org_heads.ending_at(self.lower, end - 1, start)
        return hit[1] if hit else None

    def is_person_like(self, start: int, end: int) -> bool:
        """Two or three capitalised words with no organisation or place word: could be a name."""
        words = [self.doc[i] for i in range(start, end) if not self.doc[i].is_punct]
        if not 2 <= len(words) <= 3 or any(not w.text[:1].isupper() for w in words):
            return False
        if any(w.lower_ in self.lex.org_words for w in words) or self.geo_inside(start, end):
            return False
        return not any(ch.isdigit() for w in words for ch in w.text)

    def clean_entity(self, ent: Any) -> _Cand | None:
        """The model's entity as a person or organisation name, corrected, or None if it is neither."""
        start, end = self.trim(ent.start, ent.end)
        if start >= end:
            return None
        text = self.span_text(start, end)
        start_char, end_char = self.char_span(start, end)
        if self.in_junk(start_char, end_char) or text.startswith("@") or "/" in text or "http" in text:
            return None
        if not text[:1].isupper() or any(ch.isdigit() for ch in text):
            return None
        # "Jane Doe, 32, of Springfield": the town of an address; "a Lagos-based agent"
        if (
            start >= 3
            and self.lower[start - 1] == "of"
            and self.lower[start - 2] == ","
            and self.doc[start - 3].like_num
        ):
            return None
        if end + 1 < self.n and self.lower[end] == "-" and self.lower[end + 1] == "based":
            return None
        if any(
            self.lower[j] in CREDITS and self.lower[j + 1] in (":", "by")
            for j in range(max(self.block_start[start], start - 3), start - 1)
        ):
            return None  # "Photo: Jane Doe / Agency": a credit
        if ent.label_ == "PERSON":
            return self.clean_person(start, end)
        if ent.label_ == "ORG":
            return self.clean_org(start, end)
        if ent.label_ in ("GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT"):
            # "Marion County Sheriff's Department" tagged GPE: a body by its head word
            head = self.org_head(start, end)
            if head is not None and head.kind in ("named", "common"):
                return _Cand(start, end, "ORG", start_char, end_char)
        return None

    def clean_person(self, start: int, end: int) -> _Cand | None:
        if any(self.lower[i] in POSSESSIVE for i in range(start, end)):
            return None  # "Bavaria's Passau"
        head = self.org_head(start, end)
        if head is not None and head.kind in STREET_OR_PLACE:
            return None  # "Maple Drive"
        if head is not None and head.kind == "named" and head.sector in ("MED", "BUS") and end - start >= 2:
            return _Cand(start, end, "ORG", *self.char_span(start, end))  # "San Francisco Chronicle"
        tok, steps = self.doc[start:end].root, 0
        while tok.dep_ in ("conj", "compound", "nmod", "appos", "amod", "poss") and tok.head.i != tok.i and steps < 5:
            tok, steps = tok.head, steps + 1
            if tok.lemma_.lower() in PLACE_HEADS:
                return None  # "Berrien, Cass and Van Buren counties"
        inside = []
        while start < end:  # "President Macron" tagged whole
            hit = self.lex.titles.starting_at(self.lower, start, end)
            if not hit or hit[1].kind == "modifier":
                break
            inside.append(hit[1])
            start += hit[0]
        if start >= end or not self.texts[start][:1].isupper():
            return None  # "Lt Col": titles only
        return _Cand(start, end, "PERSON", *self.char_span(start, end), titles_inside=inside)

    def clean_org(self, start: int, end: int) -> _Cand | None:
        if start > 0 and self.doc[start - 1].like_num:
            return None  # "500 MW": a unit
        if all(self.geo_at.get(i) is not None or not self.texts[i].isalpha() for i in range(start, end)):
            return None  # "U.S.-Canada": countries, not a body
        bracket = next((i for i in range(start + 1, end) if self.texts[i] == "("), None)
        if bracket is not None:
            end = bracket  # "Shanghai Composite (SHCOMP": the name stops at the bracket
        if self.span_text(start, end).isupper() and any(self.vocab_stop(i) for i in range(start, end)):
            return None  # "IS THE FRONT": a shouted phrase, not a name
        cut = end
        while end - start > 1 and self.lower[end - 1] in ("of", "for", "and", "the", "on"):
            end -= 1  # "Department of" cut short by the model
        if end < cut and end - start == 1 and self.lower[start] in self.lex.org_words:
            return None  # what is left, a bare "Department", is no one in particular
        geo = self.geo_at.get(start)
        if (
            geo is not None
            and geo.end < end
            and geo.first("country", "capital", "demonym")
            and self.is_person_like(geo.end, end)
        ):
            # "ambassador to Chile Jane Doe" read as one name: a country, then a person
            return _Cand(geo.end, end, "PERSON", *self.char_span(geo.end, end))
        hit = self.lex.titles.ending_at(self.lower, end - 1, start + 1)
        after = end + 1 if end < self.n and self.lower[end] == "," else end
        if (
            hit is not None
            and hit[1].kind in ("role", "honorific")
            and self.lower[end - hit[0] - 1] not in ("of", "for")
            and after < self.n
            and self.doc[after].ent_type_ == "PERSON"
        ):
            end -= hit[0]  # "former House of Representatives Speaker, X": the body, then X's title
        head = self.org_head(start, end)
        if head is not None and head.kind in STREET_OR_PLACE:
            return None  # "Kano State", "the Army Headquarters", "Elm Place", "the Clean Air Act"
        return _Cand(start, end, "ORG", *self.char_span(start, end))

    def vocab_stop(self, i: int) -> bool:
        return bool(self.doc.vocab[self.lower[i]].is_stop)

    def capitalised_bodies(self, taken: list[bool]) -> list[_Cand]:
        """Capitalised names ending in an organisation word that the model did not tag."""
        found = []
        i = 0
        while i < self.n:
            tok = self.doc[i]
            head = None
            if not taken[i] and tok.text[:1].isupper() and tok.i != self.sent_start[i]:
                hit = self.lex.org_heads.ending_at(self.lower, i)
                head = hit[1] if hit and hit[1].kind == "named" else None
            if head is None:
                i += 1
                continue
            start = i
            while (
                start > 0
                and not taken[start - 1]
                and (self.texts[start - 1][:1].isupper() or self.lower[start - 1] in POSSESSIVE)
                and self.texts[start - 1] not in ("(", '"', "“")
            ):
                start -= 1
            end = i + 1
            while (
                end + 1 < self.n
                and self.lower[end] in ("of", "for", "on")
                and (
                    self.texts[end + 1][:1].isupper()
                    or self.lower[end + 1] == "the"
                    and end + 2 < self.n
                    and self.texts[end + 2][:1].isupper()
                )
            ):
                stop = end + (2 if self.lower[end + 1] == "the" else 1)
                while stop < self.n and self.texts[stop][:1].isupper() and self.doc[stop].pos_ == "PROPN":
                    stop += 1
                if stop == end + (2 if self.lower[end + 1] == "the" else 1):
                    break
                end = stop
            while start < i and (
                self.lower[start] in POSSESSIVE or self.lower[start] in DETERMINERS or self.doc[start].is_punct
            ):
                start += 1
            shouted = self.span_text(start, end).isupper() and any(self.vocab_stop(j) for j in range(start, end))
            if end - start >= 2 and not shouted:
                start_char, end_char = self.char_span(start, end)
                if not self.in_junk(start_char, end_char):
                    found.append(_Cand(start, end, "ORG", start_char, end_char))
            i = end
        return found

    def candidates(self, doubled: list[tuple[int, int]]) -> None:
        self.find_datelines()
        cands: list[_Cand] = []
        taken = [False] * self.n
        owner: dict[int, _Cand] = {}  # token -> the model's name covering it
        geo_of: list[GeoMatch | None] = [None] * self.n
        for match in self.geo:
            for i in range(match.start, match.end):
                geo_of[i] = match
        for ent in self.doc.ents:
            cand = self.clean_entity(ent)
            if cand is None or self.dateline[cand.start]:
                continue
            after = self.doc[cand.end] if cand.end < self.n else None
            words = self.texts[cand.start : cand.end]
            if actor_filters.place_name(words, after, self.lex.org_words, person=cand.label == "PERSON"):
                continue  # "the Mekong River", "Marin and Sonoma counties": places
            span = range(cand.start, cand.end)
            first = geo_of[cand.start]
            if first is not None and first.end >= cand.end:
                continue
            if cand.label == "PERSON" and any(
                geo_of[i] is not None and geo_of[i].entries[0].kind in NOT_NAMES
                for i in span  # type: ignore[union-attr]
            ):
                continue  # "Ohio Democrats", "Ankara": not a person's name
            cands.append(cand)
            for i in span:
                taken[i] = True
                owner[i] = cand
        for match in self.geo:
            entry = match.entries[0]
            if self.dateline[match.start]:
                continue
            if entry.kind in ("organization", "party") and not any(taken[i] for i in range(match.start, match.end)):
                start_char, end_char = self.char_span(match.start, match.end)
                cands.append(_Cand(match.start, match.end, "ORG", start_char, end_char, entry=entry))
                for i in range(match.start, match.end):
                    taken[i] = True
        removed: set[int] = set()
        for cand in self.capitalised_bodies(taken):
            before = owner.get(cand.start - 1)
            if before is not None and before.end == cand.start and before.label == "ORG" and before.entry is None:
                # "the Dayton Police Department" + "Narcotics Unit": one name
                before.end, before.end_char = cand.end, cand.end_char
                continue
            # a body found by its head word replaces the model's pieces of it ("the Northern District")
            inside = {id(owner[i]): owner[i] for i in range(cand.start, cand.end) if i in owner}
            if any(c.label == "PERSON" for c in inside.values()):
                continue
            removed.update(inside)
            cands.append(cand)
        for start_char, end_char in doubled:
            i, j = self.token_at(start_char), self.token_at(end_char - 1) + 1
            removed.update(id(owner[k]) for k in range(i, j) if k in owner)
            cands.append(_Cand(i, j, "PERSON", start_char, end_char))
        cands = [c for c in cands if id(c) not in removed]
        if self.headlines:
            cands = [c for c in cands if not any(a <= c.start_char < b for a, b in self.headlines) or self.echoed(c)]
        cands.sort(key=lambda c: c.start_char)
        for cand in cands:
            for match in self.geo_inside(cand.start, cand.end):
                if cand.entry is None or not (match.start == cand.start and match.end == cand.end):
                    self.inner_geo.add(match.start)
        self.cands = cands
        self.cand_at = {c.start: c for c in cands}
        self.cand_end = {c.end: c for c in cands}
        self.cand_of: list[_Cand | None] = [None] * self.n
        for cand in cands:
            for i in range(cand.start, cand.end):
                self.cand_of[i] = cand
        self.org_end = {c.end - 1: c for c in cands if c.label == "ORG"}

    # -- pass 2: people ------------------------------------------------------------------------
    def cand_country(self, cand: _Cand) -> str | None:
        if cand.entry is not None:
            return cand.entry.iso3
        for match in self.geo_inside(cand.start, cand.end):
            iso, _ = self.country_of_geo(match)
            if iso:
                return iso
        return None

    def cand_sector(self, cand: _Cand) -> str | None:
        if cand.entry is not None and cand.entry.sector:
            return cand.entry.sector
        for end in range(cand.end, cand.start, -1):
            head = self.org_head(cand.start, end)
            if head is not None and head.sector:
                return head.sector
        return None

    def left_evidence(self, start: int) -> tuple[_Evidence, list[int]]:
        """Titles, countries and bodies in the words just before a name ("German Chancellor ...")."""
        ev = _Evidence()
        geo_used: list[int] = []
        floor = self.block_start[start]
        i, first, adjacent = start - 1, start, None
        bridge = False  # just read a body or country: "President of the Senate"
        while i >= floor:
            hit = self.lex.titles.ending_at(self.lower, i, floor)
            if hit and (
                hit[1].kind == "modifier"
                or not self.doc[i - hit[0] + 1].text[:1].isupper()
                and (hit[1].kind == "honorific" or self.doc[i].pos_ == "ADJ")
            ):
                hit = None  # "a major Conde Nast ...": an adjective, not a rank
            if hit:
                ev.roles.append(hit[1])
                if hit[1].kind == "regnal":
                    ev.regnal = self.span_text(i - hit[0] + 1, i + 1)
                i -= hit[0]
                first = i + 1
                continue
            if self.lower[i] in self.lex.modifiers or self.lower[i] == "-":
                i -= 1
                if ev.roles:
                    first = i + 1
                continue
            if self.lower[i] in POSSESSIVE and i > floor:
                i -= 1
                continue
            if bridge and self.lower[i] in ("the", "of") and i > floor:
                i -= 1
                continue
            bridge = False
            geo = self.geo_end.get(i)
            if geo is not None and geo.start not in self.inner_geo:
                iso, is_geo = self.country_of_geo(geo)
                if is_geo:
                    if geo.start > floor and self.lower[geo.start - 1] in ("to", "for", "in"):
                        # "ambassador to Chile X": the country the person is sent to, not theirs
                        geo_used.append(geo.start)
                        i = geo.start - 2
                        adjacent = False
                        continue
                    if adjacent is None:
                        adjacent = i in (start - 1, start - 2)
                    ev.country = ev.country or iso
                    geo_used.append(geo.start)
                    i = geo.start - 1
                    first = i + 1
                    bridge = True
                    continue
            org = self.org_end.get(i)
            if org is not None and org.label == "ORG":
                ev.orgs.append(org)
                i = org.start - 1
                first = i + 1
                bridge = True
                continue
            if self.lower[i] in ("country", "nation") and i + 1 < start and self.lower[i + 1] in POSSESSIVE:
                ev.country = ev.country or self.last_country_before(i)
                i -= 1
                first = i + 1
                continue
            break
        if not ev.roles:
            if adjacent and ev.country:
                return _Evidence(country=ev.country, first=start), []
            return _Evidence(), []
        ev.first = first
        return ev, geo_used

    def appos_ranges(self, start: int, end: int) -> list[tuple[int, int]]:
        root = self.doc[start:end].root
        ranges = []
        if root.dep_ == "appos" and root.head.i < start and root.head.pos_ in ("NOUN", "PROPN"):
            ranges.append((root.head.left_edge.i, start))
        for child in root.children:
            if child.dep_ == "appos" and child.i >= end:
                ranges.append((child.left_edge.i, child.right_edge.i + 1))
        if not ranges and end + 1 < self.n and self.lower[end] == ",":
            stop = end + 1
            sent = self.sent_of[end]
            while (
                stop < self.n
                and stop - end < 14
                and self.sent_of[stop] == sent
                and self.lower[stop] != ","
                and (self.doc[stop].pos_ not in ("VERB", "AUX"))
            ):
                stop += 1
            ranges.append((end + 1, stop))
        return ranges

    def appos_evidence(self, start: int, end: int) -> tuple[_Evidence, list[int]]:
        """Titles in an apposition: "X, Brazil's top negotiator", "Norway's deputy minister, X"."""
        ev = _Evidence()
        geo_used: list[int] = []
        if start >= 2 and self.lower[start - 1] == ",":
            before, used_before = self.left_evidence(start - 1)
            if before.has_role():
                ev.roles += before.roles
                ev.country, ev.orgs, ev.first = before.country, list(before.orgs), before.first
                geo_used += used_before
        for a, b in self.appos_ranges(start, end):
            part = _Evidence()
            used: list[int] = []
            i = a
            while i < b:
                if i in self.cand_at and self.cand_at[i].label == "PERSON" and i != start:
                    break
                hit = self.lex.titles.starting_at(self.lower, i, b)
                if hit and hit[1].kind in ("role", "regnal"):
                    if part.roles and self.lower[i - 1] in ("to", "for", "of", "with"):
                        break  # "an aide to Vice President X": the second title is someone else's
                    if not part.roles:
                        part.roles.append(hit[1])
                        part.spans.append((i, i + hit[0]))
                    i += hit[0]
                    continue
                geo = self.geo_at.get(i)
                if geo is not None and geo.end <= b and geo.start not in self.inner_geo:
                    iso, is_geo = self.country_of_geo(geo)
                    last = self.doc[geo.end - 1]
                    topic = last.dep_ == "compound" and geo.first("country", "capital") is not None
                    if is_geo and not topic and not (i > 0 and self.lower[i - 1] == "to"):
                        part.country = part.country or iso
                        used.append(geo.start)
                    i = geo.end
                    continue
                org = self.cand_at.get(i)
                if org is not None and org.label == "ORG" and org.end <= b:
                    part.orgs.append(org)
                    i = org.end
                    continue
                i += 1
            if part.has_role():
                ev.spans += part.spans
                ev.roles += part.roles
                ev.country = ev.country or part.country
                ev.orgs += part.orgs
                geo_used += used
        return ev, geo_used

    def people(self) -> None:
        standalone = {
            _fold(self.text[c.start_char : c.end_char])
            for c in self.cands
            if c.label == "PERSON" and c.end - c.start == 1
        }
        for cand in self.cands:
            if cand.label == "ORG" and cand.entry is None and self.is_person_like(cand.start, cand.end):
                left, _ = self.left_evidence(cand.start)
                appos, _ = self.appos_evidence(cand.start, cand.end)
                last = _fold(self.texts[cand.end - 1])
                if left.has_role() or appos.has_role() or last in standalone:
                    cand.label = "PERSON"
                    named = self.clean_person(cand.start, cand.end)  # "Commodore X" tagged ORG: the rank is no name
                    if named is not None and named.titles_inside:
                        cand.start_char, cand.titles_inside = named.start_char, named.titles_inside
        for cand in self.cands:
            if cand.label == "PERSON" and any(a <= cand.start_char < b for a, b in self.bylines):
                cand.label = "BYLINE"
        self.title_orgs: set[int] = set()
        singles: list[tuple[_Cand, _Evidence]] = []
        for cand in self.cands:
            if cand.label != "PERSON":
                continue
            left, geo_left = self.left_evidence(cand.start)
            appos, geo_appos = self.appos_evidence(cand.start, cand.end)
            ev = _Evidence(
                roles=cand.titles_inside + left.roles + appos.roles,
                country=left.country or appos.country,
                orgs=left.orgs + appos.orgs,
                regnal=left.regnal,
            )
            if ev.regnal is None and cand.titles_inside and cand.titles_inside[0].kind == "regnal":
                ev.regnal = cand.titles_inside[0].phrase.title()
            for g in geo_left + geo_appos:
                self.consumed_geo[g] = "title"
            for org in ev.orgs:
                self.title_orgs.add(org.start)
                ev.country = ev.country or self.cand_country(org)
            if left.first is not None:
                self.mark(left.first, cand.start)
            if appos.first is not None:
                self.mark(appos.first, cand.start)
            for a, b in appos.spans:
                self.mark(a, b)
            words = _name_words(self.text[cand.start_char : cand.end_char])
            if not words:
                continue
            if len(words) == 1:
                singles.append((cand, ev))
            else:
                self.cluster(cand, ev, words)
        surnames = {p.words[-1].lower() for p in self.persons} | {
            _fold(self.text[c.start_char : c.end_char]) for c, _ in singles
        }
        names = {" ".join(p.words).lower() for p in self.persons}
        for cand in self.cands:
            if cand.label == "ORG" and cand.entry is None:
                words = _name_words(self.text[cand.start_char : cand.end_char])
                folded = " ".join(words).lower()
                if (len(words) == 1 and folded in surnames) or (len(words) > 1 and folded in names):
                    cand.label = "PERSON"
                    if len(words) == 1:
                        singles.append((cand, _Evidence()))
                    else:
                        self.cluster(cand, _Evidence(), words)
        # a surname the model did not tag ("Gallant ordered ..."): a proper noun equal to a known surname
        known = {p.words[-1] for p in self.persons if len(p.words) > 1}
        for i in range(self.n):
            if (
                self.cand_of[i] is None
                and self.texts[i] in known
                and self.doc[i].pos_ == "PROPN"
                and (not self.doc[i].is_stop)
            ):
                s, e = self.char_span(i, i + 1)
                if not self.in_junk(s, e):
                    cand = _Cand(i, i + 1, "PERSON", s, e)
                    self.cands.append(cand)
                    self.cand_at[i] = self.cand_of[i] = cand
                    singles.append((cand, _Evidence()))
        singles.sort(key=lambda pair: pair[0].start)
        for cand, ev in singles:
            self.resolve_single(cand, ev, _name_words(self.text[cand.start_char : cand.end_char])[0])

    @staticmethod
    def compatible(a: list[str], b: list[str]) -> bool:
        la, lb = [w.lower() for w in a], [w.lower() for w in b]
        if la == lb or sorted(la) == sorted(lb):
            return True
        if la[-1] != lb[-1]:
            return False
        short, long = sorted((la, lb), key=len)
        it = iter(long)
        if len(short) >= 2 and all(w in it for w in short):
            return True  # "Lula da Silva" in "Luiz Inacio Lula da Silva"
        fa, fb = la[0], lb[0]
        if INITIAL.match(a[0]) or INITIAL.match(b[0]):
            return fa[0] == fb[0]  # "B. Nzeribe" and "Benjamin Nzeribe"
        return fa == fb or (min(len(fa), len(fb)) >= 3 and (fa.startswith(fb) or fb.startswith(fa)))

    def cluster(self, cand: _Cand, ev: _Evidence, words: list[str]) -> None:
        for person in self.persons:
            if len(person.words) > 1 and self.compatible(person.words, words):
                break
        else:
            person = _Person(words=words)
            self.persons.append(person)
        if len(words) > len(person.words) or (
            len(words) == len(person.words) and len("".join(words)) > len("".join(person.words))
        ):
            person.words = words
        person.cands.append(cand)
        person.evidence.append(ev)
        bisect.insort(person.positions, cand.start)
        self.person_of[cand.start] = person

    def resolve_single(self, cand: _Cand, ev: _Evidence, word: str) -> None:
        low = word.lower()
        options = [p for p in self.persons if p.words[-1].lower() == low]
        if not options:
            options = [p for p in self.persons if len(p.words) > 1 and p.words[0].lower() == low]
        if not options:
            options = [p for p in self.persons if len(p.words) > 2 and low in (w.lower() for w in p.words[1:-1])]
        best = None
        if not options and (word in self.gaz.cities or self.doc[cand.start].pos_ != "PROPN"):
            # "Lagos", or "Border agents say ...": a place or a common noun, and no one of that name
            cand.label = "PLACE"
            return
        if options:
            before = []
            for p in options:
                k = bisect.bisect_left(p.positions, cand.start)
                if k:
                    before.append((p.positions[k - 1], p))
            if before:
                best = max(before, key=lambda pair: pair[0])[1]
            else:
                best = min(options, key=lambda p: min(p.positions))
        if best is None:
            best = _Person(words=[word])
            self.persons.append(best)
        best.cands.append(cand)
        best.evidence.append(ev)
        bisect.insort(best.positions, cand.start)
        self.person_of[cand.start] = best

    def drop_unlike_people(self) -> None:
        """ "People" that do not look like one ("the Model Y", "in Swindon") are not people."""
        things = {e.text for e in self.doc.ents if e.label_ in actor_filters.NOT_PERSON_LABELS}
        kept = []
        for person in self.persons:
            names = actor_filters.PersonNames(
                tuple(person.words),
                tuple((c.start, c.end) for c in person.cands),
                titled=any(ev.roles or ev.regnal for ev in person.evidence)
                or any(c.titles_inside for c in person.cands),
            )
            if actor_filters.person_kind(self.doc, names, things, self.gaz.lookup_name, self.lex.org_words) == "person":
                kept.append(person)
                continue
            for cand in person.cands:
                cand.label = "PLACE"
                self.person_of.pop(cand.start, None)
        self.persons = kept

    def emit_people(self) -> None:
        for person in self.persons:
            regnal = next((e.regnal for e in person.evidence if e.regnal), None)
            words = person.words
            if len(words) == 1 and regnal:
                words = [*regnal.split(), *words]
            person.key = "person:" + _fold(" ".join(words))
            display = " ".join(words)
            for cand in person.cands:
                text = self.text[cand.start_char : cand.end_char]
                if _name_words(text) == person.words and len(person.words) > 1:
                    display = _clean(text)
                    break
            countries = Counter(e.country for e in person.evidence if e.country)
            sectors: Counter = Counter()
            for ev in person.evidence:
                org_sectors = [s for s in (self.cand_sector(o) for o in ev.orgs) if s]
                role_sectors = [t.sector for t in ev.roles if t.sector]
                if org_sectors or role_sectors:
                    sectors[(org_sectors or role_sectors)[0]] += 1
            for cand in person.cands:
                self.mark(cand.start, cand.end)
                self.add(person.key, "person", cand.start_char, cand.end_char, name=display)
            acc = self.acc[person.key]
            acc.countries.update(countries)
            acc.sectors.update(sectors)

    # -- pass 3: organisations -----------------------------------------------------------------
    @staticmethod
    def initials_fit(acronym: str, words: list[str]) -> bool:
        letters = "".join(w[0] for w in words if w[:1].isalpha()).upper()
        capitals = "".join(w[0] for w in words if w[:1].isupper())
        if acronym.upper() in (letters, capitals):
            return True
        it = iter(letters)
        return acronym[0] == letters[:1] and all(ch in it for ch in acronym.upper())

    def org_name(self, cand: _Cand) -> _Org:
        start, end = cand.start, cand.end
        country = self.cand_country(cand)
        ext = start
        j = start - 1
        possessive = j >= 0 and self.lower[j] in POSSESSIVE
        if possessive:
            j -= 1
        geo = self.geo_end.get(j) if j >= 0 else None
        if geo is not None and geo.start not in self.inner_geo and geo.start not in self.consumed_geo:
            entry = geo.first("country", "capital") if possessive else geo.first("country", "capital", "demonym")
            if entry is not None:
                country = country or entry.iso3
                ext = geo.start
                self.consumed_geo[geo.start] = "org"
        sector = self.cand_sector(cand)
        if cand.entry is not None:
            name = cand.entry.name
            return _Org(_fold(name), name, country, sector, _clean(name).split())
        in_geo = {j for m in self.geo_inside(start, end) for j in range(m.start, m.end)}
        name_words = [self.texts[i] for i in range(start, end) if self.texts[i].isalpha() and i not in in_geo]
        generic = bool(name_words) and all(w.lower() in self.lex.org_words for w in name_words)
        words: list[str] = []
        i = ext
        while i < end:
            match = self.geo_at.get(i)
            if match is not None and match.end <= end and (i < start or (i == start and generic)):
                entry = match.first("country", "capital", "demonym")
                words.append(
                    self.gaz.country_name(entry.iso3) or self.span_text(i, match.end)
                    if entry
                    else self.span_text(i, match.end)
                )
                i = match.end
                continue
            if self.lower[i] not in POSSESSIVE and not (i == ext and self.lower[i] == "the"):
                words.append(self.texts[i])
            i += 1
        display = _clean(self.text[self.token_starts[ext] : cand.end_char])
        if self.lower[ext] == "the":
            display = display[4:]
        return _Org(_fold(" ".join(words)), display, country, sector, [w for w in words if w[:1].isalnum()])

    def org_role(self, cand: _Cand) -> str:
        if cand.start in self.title_orgs:
            return "title"
        root = self.doc[cand.start : cand.end].root
        if root.dep_ == "pobj" and root.head.lower_ in ("in", "into", "inside", "within", "outside"):
            return "place"
        text = self.text[cand.start_char : cand.end_char]
        if (
            cand.end - cand.start == 1
            and not text.isupper()
            and root.dep_ in ("compound", "amod", "nmod")
            and (root.head.pos_ in ("NOUN", "PROPN") and cand.entry is None)
        ):
            return "modifier"
        return "actor"

    def organisations(self) -> None:
        parent: dict[str, str] = {}

        def find(name: str) -> str:
            while parent.get(name, name) != name:
                name = parent[name]
            return name

        org_cands = [c for c in self.cands if c.label == "ORG"]
        for cand in org_cands:
            org = self.org_name(cand)
            known = self.orgs.get(org.canonical)
            if known is None or (org.country and not known.country):
                self.orgs[org.canonical] = org
            self.org_of[cand.start] = org.canonical
            end = cand.end
            if end + 2 < self.n and self.texts[end] == "(" and self.texts[end + 2] == ")":
                acronym = self.texts[end + 1]
                if acronym.isupper() and 2 <= len(acronym) <= 10 and self.initials_fit(acronym, org.words):
                    self.acronyms[acronym] = org.canonical
        for cand in org_cands:
            text = self.text[cand.start_char : cand.end_char]
            canonical = self.org_of[cand.start]
            if text.isupper() and cand.entry is None and " " not in text:
                if text in self.acronyms:
                    parent[canonical] = self.acronyms[text]
                    continue
                fits = [
                    o
                    for o in self.orgs.values()
                    if o.canonical != canonical and len(o.words) > 1 and self.initials_fit(text, o.words)
                ]
                if len(fits) == 1:
                    parent[canonical] = fits[0].canonical
                    self.acronyms[text] = fits[0].canonical
        names = sorted(self.orgs.values(), key=lambda o: -len(o.words))
        for short in names:
            sw = [w.lower() for w in short.words]
            if find(short.canonical) != short.canonical:
                continue
            for long in names:
                lw = [w.lower() for w in long.words]
                if len(sw) == 1 and lw[0] == sw[0] and all(w.strip(".") in CORPORATE for w in lw[1:]):
                    parent[long.canonical] = short.canonical  # "SoftBank Group Corp" is SoftBank
                    continue
                country = _fold(self.gaz.country_name(long.country) or "").split()
                if len(sw) == 1 and country and lw == [*country, *sw]:
                    parent[short.canonical] = find(long.canonical)  # "the Senate" of "the Kenyan Senate"
                    break
                if len(sw) < 2 or len(lw) <= len(sw) or not (sw[0] == lw[0] or sw[-1] == lw[-1]):
                    continue
                it = iter(lw)
                if all(w in it for w in sw):
                    if lw[: len(sw)] == sw:
                        # "Dayton Police Department Narcotics Unit": a part of the shorter body
                        if find(long.canonical) == long.canonical:
                            parent[long.canonical] = short.canonical
                    else:
                        parent[short.canonical] = find(long.canonical)
                    break
        self.org_parent = {name: find(name) for name in self.orgs}
        self.org_countries: dict[str, list[str]] = {}
        for org in self.orgs.values():
            if org.country:
                self.org_countries.setdefault(self.org_parent[org.canonical], []).append(org.country)
        for cand in org_cands:
            canonical = self.org_parent[self.org_of[cand.start]]
            self.org_of[cand.start] = canonical
            self.emit_org(canonical, cand.start_char, cand.end_char, self.org_role(cand))
            self.mark(cand.start, cand.end)
            end = cand.end
            if end + 2 < self.n and self.texts[end] == "(" and self.texts[end + 1] in self.acronyms:
                self.mark(end, end + 3)
                s, e = self.char_span(end + 1, end + 2)
                self.emit_org(canonical, s, e, "actor")
        for i, text in enumerate(self.texts if self.acronyms else ()):
            if not self.used[i] and text in self.acronyms:
                canonical = self.org_parent.get(self.acronyms[text], self.acronyms[text])
                s, e = self.char_span(i, i + 1)
                if not self.in_junk(s, e):
                    self.emit_org(canonical, s, e, "actor")
                    self.used[i] = True

    def emit_org(self, canonical: str, start_char: int, end_char: int, role: str) -> None:
        org = self.orgs[canonical]
        countries = self.org_countries.get(canonical, [])
        self.add(
            "organization:" + canonical,
            "organization",
            start_char,
            end_char,
            role,
            name=org.display,
            country=org.country or (countries[0] if countries else None),
            sector=org.sector,
        )

    # -- pass 4: collectives, bodies named by a common noun, descriptions ----------------------
    def left_modifiers(self, i: int, phrase_start: int | None = None) -> dict[str, Any]:
        """Countries, owners and determiners among the words before a noun in its phrase."""
        tok = self.doc[i]
        phrase_start = i if phrase_start is None else phrase_start
        info: dict[str, Any] = {
            "isos": [],
            "supranational": False,
            "owner": None,
            "definite": False,
            "pronoun": False,
            "body": False,
            "party": False,
            "geo": [],
            "start": phrase_start,
        }
        floor = self.block_start[i]
        for child in tok.lefts:
            if child.dep_ in ("cc", "conj", "punct", "prep", "appos", "relcl", "acl", "advcl", "mark") or (
                child.i >= phrase_start or child.left_edge.i < floor
            ):
                continue
            a, b = child.left_edge.i, child.right_edge.i + 1
            cand = self.cand_at.get(child.left_edge.i)
            if (
                cand is not None
                and cand.label == "PERSON"
                and not (cand.end < self.n and self.lower[cand.end] in POSSESSIVE)
            ):
                continue  # "Macron and senior French officials": a misparsed conjunction, not an owner
            self.read_modifiers(a, min(b, phrase_start), info)
        return info

    def read_modifiers(self, a: int, b: int, info: dict[str, Any]) -> None:
        j = a
        while j < b:
            match = self.geo_at.get(j)
            if match is not None and match.end <= b and match.start not in self.inner_geo:
                entry = match.first("country", "capital", "demonym", "people")
                if (match.end < self.n and self.lower[match.end] == "-") or (j >= 2 and self.lower[j - 1] == "-"):
                    entry = None  # "Russian-backed separatists", "pro-Russian rebels": not their nationality
                if entry is not None:
                    if entry.iso3:
                        info["isos"].append(entry.iso3)
                    else:
                        info["supranational"] = True
                    info["geo"].append(match.start)
                elif match.first("party_adj", "member", "party"):
                    info["party"] = True
                elif match.first("organization"):
                    info["body"] = True
                info["start"] = min(info["start"], j)
                j = match.end
                continue
            cand = self.cand_at.get(j)
            if cand is not None and cand.end <= b:
                if cand.label == "PERSON" and cand.end < self.n and self.lower[cand.end] in POSSESSIVE:
                    info["owner"] = self.person_of.get(cand.start)
                elif cand.label == "ORG":
                    info["body"] = True
                info["start"] = min(info["start"], j)
                j = cand.end
                continue
            word = self.doc[j]
            if self.lower[j] in DEFINITE and word.dep_ == "det":
                info["definite"] = True
            elif self.lower[j] in PRONOUN_OWNERS:
                info["pronoun"] = True
            elif not (word.is_punct and word.text != "-") and not (j == a and self.lower[j] in DETERMINERS):
                info["start"] = min(info["start"], j)
            j += 1

    def right_country(self, i: int) -> tuple[str | None, int]:
        """The country of "officials in Tokyo", "troops from Chad": (iso3, end token) or (None, i + 1)."""
        for child in self.doc[i].rights:
            if child.dep_ == "prep" and child.lower_ in ("in", "from", "of") and child.i == i + 1:
                objects = [x for x in child.children if x.dep_ == "pobj"]
                if objects and not any(x.dep_ == "conj" for x in objects[0].children):
                    match = self.geo_end.get(objects[0].i)
                    entry = match.first("country", "capital") if match else None
                    if entry is not None and match is not None:
                        self.consumed_geo[match.start] = "group"
                        return entry.iso3, match.end
            break
        return None, i + 1

    def members_of_body(self, i: int) -> bool:
        """ "leaders of the Labour Party": the body's people, not a collective of their own."""
        for child in self.doc[i].rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                objects = [x for x in child.children if x.dep_ == "pobj"]
                cand = self.cand_of[objects[0].i] if objects else None
                return cand is not None and cand.label == "ORG"
        return False

    def mentions_of(self, test: Any) -> tuple[list[int], list[str]]:
        """Token positions and keys of the actor mentions so far whose actor passes ``test``, in order."""
        hits = sorted((f.token, f.key) for f in self.found if f.role == "actor" and test(self.acc[f.key]))
        return [t for t, _ in hits], [k for _, k in hits]

    @staticmethod
    def nearest(index: tuple[list[int], list[str]], i: int) -> str | None:
        """The key mentioned nearest before token i, else the first after it."""
        positions, keys = index
        k = bisect.bisect_left(positions, i)
        if k:
            return keys[k - 1]
        return keys[0] if keys else None

    def bodies(self) -> None:
        """Bodies named by a common noun after a country ("the UK police") or a person ("the Obama
        administration"), and "the police" / "the administration" referring to one."""
        police_named = self.mentions_of(lambda a: a.kind == "organization" and "police" in a.key)
        police = self.mentions_of(lambda a: a.kind == "organization" and "COP" in a.sectors)
        administrations: tuple[list[int], list[str]] = ([], [])
        heads = self.lex.common_org_words | {"administration"}
        for i in range(self.n):
            if (
                self.used[i]
                or self.lower[i] not in heads
                or not (self.doc[i].is_lower or self.doc[i].is_title and i == self.block_start[i])
            ):
                continue
            if self.lower[i] == "administration":
                cand = self.cand_end.get(i)
                cand = cand if cand is not None and cand.label == "PERSON" else None
                person = self.person_of.get(cand.start) if cand is not None else None
                s, e = self.char_span(i, i + 1)
                if person is not None:
                    name = f"{person.words[-1]} administration"
                    s = cand.start_char
                    self.add(
                        "organization:" + _fold(name),
                        "organization",
                        s,
                        e,
                        name=name,
                        sector="GOV",
                        country=self.acc[person.key].countries.most_common(1)[0][0]
                        if self.acc.get(person.key) and self.acc[person.key].countries
                        else None,
                    )
                    self.mark(cand.start, i + 1)
                    administrations[0].append(i)
                    administrations[1].append("organization:" + _fold(name))
                elif any(self.lower[c.i] in DEFINITE | PRONOUN_OWNERS for c in self.doc[i].lefts):
                    k = bisect.bisect_left(administrations[0], i)
                    key = administrations[1][k - 1] if k else None
                    if key:
                        self.add(key, "organization", s, e)
                        self.used[i] = True
                continue
            hit = self.lex.common_orgs.ending_at(self.lower, i)
            if hit is None or self.doc[i].dep_ == "compound":
                continue
            length, head = hit
            info = self.left_modifiers(i, i - length + 1)
            s, e = self.char_span(i - length + 1, i + 1)
            if info["isos"] and len(set(info["isos"])) == 1 and not info["supranational"]:
                iso = info["isos"][0]
                # the words between the country and the head belong to the name: "Japan's trade ministry"
                after = max(self.geo_at[g].end for g in info["geo"])
                words = [self.lower[j] for j in range(after, i + 1) if self.lower[j] not in POSSESSIVE]
                body = SAME_BODY.get(" ".join(words), " ".join(words))
                name = f"{self.gaz.country_name(iso)} {body}"
                for g in info["geo"]:
                    self.consumed_geo[g] = "org"
                s = self.token_starts[info["start"]]
                self.add(
                    "organization:" + _fold(name),
                    "organization",
                    s,
                    e,
                    name=_clean(self.text[s:e]),
                    country=iso,
                    sector=head.sector,
                )
                if head.phrase == "police":  # "the Kenyan police ... police said": the same body
                    police_named[0].append(i)
                    police_named[1].append("organization:" + _fold(name))
                self.mark(info["start"], i + 1)
            elif head.phrase == "police" and not info["body"] and not info["pronoun"]:
                key = self.nearest(police_named, i) or self.nearest(police, i)
                if key:
                    self.add(key, "organization", s, e)
                    self.used[i] = True

    def collectives(self) -> None:
        police = self.mentions_of(lambda a: a.kind == "organization" and "COP" in a.sectors)
        pending: list[tuple[str, int, int, str | None, str, str | None, int]] = []
        last_of_class: dict[str, str] = {}
        for i in range(self.n):
            if self.used[i] or self.lower[i] not in self.lex.group_nouns:
                continue
            tok = self.doc[i]
            if tok.dep_ == "compound" or (
                tok.tag_ not in ("NNS", "NNPS") and self.lower[i] not in ("police", "public")
            ):
                continue
            if not (tok.is_lower or tok.is_title and i == self.block_start[i]):
                continue  # "Commissioner of Police": part of a title or a name
            hit = self.lex.groups.ending_at(self.lower, i)
            if hit is None:
                continue
            group = hit[1]
            info = self.left_modifiers(i, i - hit[0] + 1)
            if info["body"] or info["party"] or info["pronoun"] or self.members_of_body(i):
                continue
            end = i + 1
            isos = info["isos"]
            if not isos and not info["supranational"]:
                iso_right, end = self.right_country(i)
                if iso_right:
                    isos = [iso_right]
            owner = info["owner"]
            acting = self.lower[i] in SELF_NAMED and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "conj")
            if not (
                isos
                or info["supranational"]
                or owner
                or acting
                or self.lower[i] == "police"
                or (info["definite"] and group.group_class not in ("people", "public"))
            ):
                continue  # "officials", "the public": no one in particular
            for g in info["geo"]:
                self.consumed_geo[g] = "group"
            if self.lower[i] in ("people", "nation") and len(set(isos)) == 1 and not info["supranational"]:
                # "the Polish people": the nation as a whole
                s, e = self.doc[info["start"]].idx, tok.idx + len(tok.text)
                self.add(
                    f"country:{isos[0]}",
                    "country",
                    s,
                    e,
                    name=self.gaz.country_name(isos[0]),
                    country=isos[0],
                    sector="GOV",
                )
                self.mark(info["start"], i + 1)
                continue
            iso = isos[0] if len(set(isos)) == 1 and not info["supranational"] else None
            if owner is not None and not isos:
                acc = self.acc.get(owner.key)
                iso = acc.countries.most_common(1)[0][0] if acc and acc.countries else None
            number = next((re.sub(r"\D", "", c.text) for c in tok.children if c.dep_ == "nummod"), None) or None
            if (
                not (isos or info["supranational"] or owner)
                and group.group_class == "police"
                and (self.nearest(police, i))
            ):
                # "Dayton police officers ... the officers": the body they serve in
                key = self.nearest(police, i) or ""
                self.add(key, "organization", self.token_starts[info["start"]], self.char_span(end - 1, end)[1])
                self.mark(info["start"], end)
                continue
            if not (isos or info["supranational"] or owner) and group.group_class in last_of_class:
                key = last_of_class[group.group_class]
            else:
                key = f"group:{iso or 'none'}:{group.group_class}"
            start = info["start"]
            s, e = self.token_starts[start], self.char_span(end - 1, end)[1]
            self.mark(start, end)
            last_of_class[group.group_class] = key
            pending.append((key, s, e, iso, group.group_class, group.sector, i) + (int(number) if number else -1,))
        self.emit_groups(pending)

    def described_people(self) -> None:
        """One unnamed person described by nationality and role: "a French minister", "an Argentine
        judge" as the subject or agent of a clause. A role whose plural names a collective ("a U.S.
        official") is one of that group; any other is a person of this article only (two articles'
        "Saudi businessman" are two people)."""
        for i in range(self.n):
            tok = self.doc[i]
            if self.used[i] or self.lower[i] not in self.lex.title_heads or tok.tag_ != "NN" or not tok.is_lower:
                continue
            if tok.dep_ == "compound" or (i + 1) in self.cand_at or any(c.dep_ == "appos" for c in tok.children):
                continue  # a named person's title: "French minister Jean Dupont"
            if not any(c.dep_ == "det" and c.lower_ in INDEFINITE for c in tok.lefts) or not (
                tok.dep_ in ("nsubj", "nsubjpass") or tok.dep_ == "pobj" and tok.head.dep_ == "agent"
            ):
                continue  # someone in particular acts; "to threaten a U.S. official" is anyone
            hit = self.lex.titles.ending_at(self.lower, i, self.block_start[i])
            if hit is None or hit[1].kind != "role":
                continue
            info = self.left_modifiers(i, i - hit[0] + 1)
            isos = info["isos"]
            if (
                len(set(isos)) != 1
                or info["supranational"]
                or info["definite"]
                or info["owner"]
                or info["body"]
                or info["party"]
                or info["pronoun"]
                or any(
                    self.geo_at[g].end < self.n and self.lower[self.geo_at[g].end] in POSSESSIVE for g in info["geo"]
                )
            ):
                continue  # "the French minister" refers back; "France's minister" is its office
            iso = isos[0]
            group = self.lex.groups.items.get((self.lower[i] + "s",))
            s, e = self.token_starts[info["start"]], self.char_span(i, i + 1)[1]
            name = _clean(self.text[s:e])
            name = re.sub(r"^(?:an?|another|one)\s+", "", name, flags=re.I)
            for g in info["geo"]:
                self.consumed_geo[g] = "group"
            self.mark(info["start"], i + 1)
            if group is not None:
                key = f"group:{iso}:{group.group_class}"
                self.add(key, "group", s, e, name=name, country=iso, sector=group.sector)
            else:
                digest = hashlib.sha1(self.text.encode()).hexdigest()[:8]
                key = f"person:{iso}:{hit[1].phrase}:{digest}"
                self.add(key, "person", s, e, name=name, country=iso, sector=hit[1].sector)

    def people_groups(self) -> list[tuple]:
        """Nationalities as nouns: "200 Syrians", "the Bolivians"."""
        pending = []
        for match in self.geo:
            entry = match.entries[0]
            last = self.doc[match.end - 1]
            if entry.kind != "people" or match.start in self.inner_geo or self.used[match.start]:
                continue
            if last.dep_ in ("compound", "amod"):
                continue
            start = last.left_edge.i if last.left_edge.i < match.start else match.start
            while start < match.start and (self.lower[start] in DEFINITE or self.lower[start] in DETERMINERS):
                start += 1
            number = next((re.sub(r"\D", "", c.text) for c in last.children if c.dep_ == "nummod"), "")
            s, e = self.token_starts[start], self.char_span(match.start, match.end)[1]
            self.mark(start, match.end)
            pending.append(
                (
                    f"group:{entry.iso3 or 'none'}:people",
                    s,
                    e,
                    entry.iso3,
                    "people",
                    None,
                    match.start,
                    int(number) if number else -1,
                )
            )
        return pending

    def emit_groups(self, pending: list[tuple]) -> None:
        pending = sorted(pending + self.people_groups(), key=lambda p: p[1])
        numbers: dict[str, set[int]] = {}
        for key, *_rest, number in pending:
            if number >= 0:
                numbers.setdefault(key, set()).add(number)
        current: dict[str, str] = {}
        for key, s, e, iso, _cls, sector, _i, number in pending:
            final = key
            if len(numbers.get(key, ())) > 1:
                if number >= 0:
                    final = current[key] = f"{key}:{number}"
                else:
                    final = current.get(key) or f"{key}:{min(numbers[key])}"
            name = _clean(self.text[s:e])
            self.add(final, "group", s, e, name=name, country=iso, sector=sector)

    # -- pass 5: countries ---------------------------------------------------------------------
    def geo_role(self, tok: Any, depth: int = 0) -> str:
        """Whether a country word acts or is acted upon ("actor") or only locates ("place")."""
        steps = 0
        while tok.dep_ in ("conj", "appos") and tok.head.i != tok.i and steps < 8:
            tok, steps = tok.head, steps + 1
        dep, head = tok.dep_, tok.head
        if dep in ("nsubj", "nsubjpass", "csubj"):
            return "actor"
        if dep == "poss":
            return "place" if head.lower_ in PLACE_NOUNS else "actor"
        if dep in ("dobj", "dative", "oprd"):
            return "place" if head.lemma_.lower() in MOTION else "actor"
        if dep == "pobj":
            prep = head.lower_
            if prep in LISTING_PREPS and depth < 3:
                return self.geo_role(head.head, depth + 1)
            if head.dep_ == "agent" or prep == "by":
                return "actor"
            if prep == "to":
                return "place" if head.head.lemma_.lower() in MOTION else "actor"
            if prep == "at" and head.head.lemma_.lower() in AIMED:
                return "actor"  # "fired rockets at Israel"
            return "actor" if prep in ACTOR_PREPS else "place"
        if dep in ("compound", "amod", "nmod", "npadvmod", "nummod"):
            return "modifier"
        return "other"

    def owns_proposal(self, tok: Any) -> bool:
        """A country word modifying what a country put forward, as the object of a verb: "rejected a
        U.S. request", "accepted the Chinese proposal" (the country is the one acted upon)."""
        head = tok.head
        return (
            tok.dep_ in ("compound", "amod", "nmod")
            and head.i > tok.i
            and head.dep_ == "dobj"
            and head.lemma_.lower() in PROPOSALS
            and not self.used[head.i]
        )

    def is_dateline(self, match: GeoMatch) -> bool:
        at_start = match.start == self.block_start[match.start]
        after = self.lower[match.end] if match.end < self.n else ""
        return at_start and after in (":", "—", "–", "-", "(") or self.dateline[match.start]

    def find_datelines(self) -> None:
        """ "ST. JOSEPH, Mich. (AP) —", "WASHINGTON (Reuters) -": where and from whom, not who acts."""
        self.dateline = [False] * self.n
        starts = sorted(set(self.block_start))
        for b in starts:
            for k in range(b, min(self.n, b + 10)):
                word = self.texts[k]
                if word in ("—", "–", "-", "--", ":") and k > b:
                    head = self.texts[b]
                    bracket = "(" in self.texts[b:k]
                    if (head.isupper() and len(head) > 1) or bracket:
                        self.dateline[b:k] = [True] * (k - b)
                    break
                if not (word[:1].isupper() or self.doc[k].is_punct):
                    break

    def countries(self) -> None:
        for match in self.geo:
            if match.start in self.inner_geo or self.used[match.start]:
                continue
            entry = match.entries[0]
            s, e = self.char_span(match.start, match.end)
            last = self.doc[match.end - 1]
            if entry.kind in ("country", "capital"):
                iso = entry.iso3
                role = self.consumed_geo.get(match.start)
                if role is None:
                    if self.is_dateline(match):
                        continue
                    role = self.geo_role(self.doc[match.start : match.end].root)
                    if role == "modifier" and self.owns_proposal(last):
                        role = "actor"
                self.add(f"country:{iso}", "country", s, e, role, name=entry.name, country=iso, sector="GOV")
            elif entry.kind == "channel":
                # "wrote on Twitter" is a channel; "Twitter suspended the account" an actor
                root = self.doc[match.start : match.end].root
                while root.dep_ == "conj" and root.head.i != root.i:
                    root = root.head
                acts = root.dep_ in ("nsubj", "nsubjpass") or root.dep_ == "pobj" and root.head.dep_ == "agent"
                self.add(
                    "organization:" + _fold(entry.name),
                    "organization",
                    s,
                    e,
                    "actor" if acts else "place",
                    name=entry.name,
                    country=entry.iso3,
                    sector=entry.sector,
                )
            elif entry.kind == "bloc":
                root = self.doc[match.start : match.end].root
                role = self.consumed_geo.get(match.start) or self.geo_role(root)
                if root.dep_ == "poss":
                    role = "place"  # "Europe's population": the continent, not the union
                self.add(
                    "organization:" + _fold(entry.name),
                    "organization",
                    s,
                    e,
                    role,
                    name=entry.name,
                    country=entry.iso3,
                    sector=entry.sector,
                )
            elif entry.kind == "demonym" and match.start not in self.consumed_geo and entry.iso3:
                head = last.head
                if self.owns_proposal(last):  # "rejected proposed Israeli changes": Israel is acted upon
                    self.add(
                        f"country:{entry.iso3}", "country", s, e, name=entry.name, country=entry.iso3, sector="GOV"
                    )
                elif head.i > last.i and head.lower_ in ("people", "nation") and not self.used[head.i]:
                    self.add(
                        f"country:{entry.iso3}",
                        "country",
                        s,
                        head.idx + len(head.text),
                        name=entry.name,
                        country=entry.iso3,
                        sector="GOV",
                    )
                    self.mark(match.start, head.i + 1)
                elif (
                    last.dep_ not in ("amod", "compound", "nmod")
                    and match.start > 0
                    and (
                        self.lower[match.start - 1] == "the"
                        and self.span_text(match.start, match.end) in self.gaz.plural_is_adjective
                    )
                ):
                    self.add(
                        f"country:{entry.iso3}",
                        "country",
                        self.token_starts[match.start - 1],
                        e,
                        name=entry.name,
                        country=entry.iso3,
                        sector="GOV",
                    )
            elif entry.kind in ("member", "party_adj"):
                head = last.head
                if entry.kind == "party_adj":
                    if not (head.i > last.i and head.lower_ in self.lex.group_nouns | {"members"}):
                        continue
                    e = head.idx + len(head.text)
                    self.mark(match.start, head.i + 1)
                elif last.dep_ in ("compound", "amod"):
                    continue
                self.add(
                    "organization:" + _fold(entry.name),
                    "organization",
                    s,
                    e,
                    name=entry.name,
                    country=entry.iso3,
                    sector="PTY",
                )

    def descriptions(self) -> None:
        """ "the Turkish leader", "the president": a person named before with that role."""
        roles: dict[str, list[tuple[_Person, str | None]]] = {}
        for person in self.persons:
            acc = self.acc.get(person.key)
            iso = acc.countries.most_common(1)[0][0] if acc and acc.countries else None
            words: set[str] = set()
            for ev in person.evidence:
                for title in ev.roles:
                    words.add(title.phrase.split()[-1])
                    if title.phrase in LEADERS:
                        words.update(("leader", "counterpart"))
            for word in words:
                roles.setdefault(word, []).append((person, iso))
        if not roles:
            return
        for i in range(self.n):
            word = self.lower[i]
            if self.used[i] or word not in roles or self.doc[i].tag_ not in ("NN", "NNP"):
                continue
            tok = self.doc[i]
            if i + 1 < self.n and (i + 1) in self.cand_at or any(c.dep_ == "appos" for c in tok.children):
                continue
            info = self.left_modifiers(i)
            if not info["definite"] or info["owner"] or info["body"]:
                continue
            iso = info["isos"][0] if info["isos"] else None
            best = None
            for person, person_iso in roles[word]:
                if iso and person_iso and iso != person_iso:
                    continue
                k = bisect.bisect_left(person.positions, i)
                # the most often named person with that role, then the most recent
                rank = (len(person.positions), person.positions[k - 1]) if k else None
                if rank and (best is None or rank > best[0]):
                    best = (rank, person)
            if best is None:
                continue
            s, e = self.doc[info["start"]].idx, tok.idx + len(tok.text)
            for g in info["geo"]:
                self.consumed_geo[g] = "title"
            self.mark(info["start"], i + 1)
            self.add(best[1].key, "person", s, e)

    # -- output --------------------------------------------------------------------------------
    def admitted(self, acc: _Acc) -> bool:
        if acc.kind in ("person", "group"):
            return True
        if acc.kind == "organization":
            return acc.roles["actor"] > 0
        # a country acts somewhere in the article, or the article keeps returning to it
        return acc.roles["actor"] > 0 or acc.roles["actor"] + acc.roles["place"] + acc.roles["other"] >= 3

    def result(self) -> tuple[list[Actor], list[Mention]]:
        actors: list[Actor] = []
        keep: set[str] = set()
        for key, acc in self.acc.items():
            if not self.admitted(acc):
                continue
            keep.add(key)
            name = Counter(acc.names).most_common(1)[0][0] if acc.names else acc.aliases[0]
            aliases = list(acc.aliases)
            if acc.kind == "organization" and name not in aliases:
                aliases.append(name)
            if acc.kind == "country" and name not in aliases:
                aliases.append(name)
            actors.append(
                Actor(
                    key=key,
                    name=name,
                    kind=acc.kind,
                    country_code=acc.countries.most_common(1)[0][0] if acc.countries else None,
                    sector=acc.sectors.most_common(1)[0][0] if acc.sectors else None,
                    aliases=aliases,
                )
            )
        mentions = [
            Mention(f.key, self.text[f.start : f.end], f.start, f.end, self.sent_of[f.token])
            for f in sorted(self.found, key=lambda f: (f.start, f.end))
            if f.key in keep and f.role in ("actor", "place", "other")
        ]
        return actors, mentions


def find_actors(doc: Any, published: date | None = None) -> tuple[list[Actor], list[Mention]]:
    """The actors of one parsed article and their mentions.

    ``published`` is accepted for the extractors' common signature; actors do not depend on it.
    """
    if len(doc) == 0:
        return [], []
    article = _Article(doc)
    doubled = article.find_junk()
    article.gazetteer_matches()
    article.candidates(doubled)
    article.people()
    article.drop_unlike_people()
    article.emit_people()
    article.organisations()
    article.bodies()
    article.collectives()
    article.described_people()
    for found in find_described(article):  # groups and bodies named by description (actor_groups.py)
        s, e = article.char_span(found.start, found.end)
        article.add(found.key, found.kind, s, e, name=found.name, country=found.country, sector=found.sector)
        article.mark(found.start, found.end)
        article.consumed_geo.update(dict.fromkeys(found.geo, "group"))
    article.countries()
    article.descriptions()
    return merge_variants(*article.result())  # one record per actor, whatever the article calls it
