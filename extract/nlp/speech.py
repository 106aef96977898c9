"""Speech cues on a dependency parse: which words introduce a statement, what they say, who says it.

The cue words live in ``data/speech_cues.csv`` (speech, cognition and attribution verbs with the
complements each takes, nouns such as "announcement", phrases such as "according to"); the nouns
that can stand for an actor already named ("the spokesman", "the ministry") in
``data/speech_referents.csv``.  The functions here read one spaCy token at a time and know
nothing of actors or quotation marks.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "FIRST_PERSON",
    "Lexicon",
    "Range",
    "according_source",
    "clause_head",
    "content_of",
    "inverted_content",
    "is_attribution_phrase",
    "lexicon",
    "noun_cue_parts",
    "parenthetical_content",
    "subject_of",
    "verb_cue",
]

DATA = Path(__file__).resolve().parent / "data"
FIRST_PERSON = {"i", "me", "we", "us", "my", "our", "myself", "ourselves"}
RELATIVE = {"who", "which", "that", "whom"}
# children that carry a verb's own content, for telling "X said." from "X said (that) Y"
CONTENT_DEPS = {"ccomp", "dobj", "xcomp", "oprd", "obj"}
CLIMB_DEPS = {"conj", "xcomp", "advcl", "pcomp", "prep", "acl"}  # subject comes from the head
MAX_HOPS = 8


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[str, ...]]  # lemma ("say", "point out") -> frames
    nouns: frozenset[str]
    phrases: frozenset[str]  # "according to", "as per"
    referents: dict[str, str]  # head noun -> person | role | organization
    phrase_starts: frozenset[str] = frozenset()  # first words of the phrases


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        yield from csv.DictReader(line for line in fh if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The cue and referent tables, read once."""
    verbs: dict[str, tuple[str, ...]] = {}
    nouns, phrases = set(), set()
    for row in _rows("speech_cues.csv"):
        cue, kind = row["cue"].strip().lower(), row["kind"].strip()
        if kind == "verb":
            verbs[cue] = tuple((row.get("frames") or "clause").split())
        elif kind == "noun":
            nouns.add(cue)
        elif kind == "phrase":
            phrases.add(cue)
    referents = {row["noun"].strip().lower(): row["kind"].strip() for row in _rows("speech_referents.csv")}
    starts = frozenset(phrase.split()[0] for phrase in phrases)
    return Lexicon(verbs, frozenset(nouns), frozenset(phrases), referents, starts)


def verb_cue(token: Any, lex: Lexicon) -> tuple[str, tuple[str, ...]] | None:
    """(cue, frames) when ``token`` is a speech verb: its lemma, or lemma and particle ("point out")."""
    if token.pos_ != "VERB" or token.dep_ in ("amod", "compound"):
        return None
    lemma = token.lemma_.lower()
    for child in token.children:
        if child.dep_ == "prt" and f"{lemma} {child.lower_}" in lex.verbs:
            phrase = f"{lemma} {child.lower_}"
            return phrase, lex.verbs[phrase]
    if lemma in lex.verbs:
        return lemma, lex.verbs[lemma]
    return None


Range = tuple[int, int]  # first and last token (inclusive) of a stretch of text


def _extent(token: Any) -> Range:
    """The tokens a word heads, as a range (a projective parse keeps a subtree contiguous)."""
    return token.left_edge.i, token.right_edge.i


def _union(*ranges: Range) -> Range:
    return min(r[0] for r in ranges), max(r[1] for r in ranges)


def _infinitive(verb: Any) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _prep(token: Any, word: str) -> Any | None:
    return next((c for c in token.children if c.dep_ in ("prep", "agent", "dative") and c.lower_ == word), None)


def _has_mark(clause: Any, words: tuple[str, ...]) -> bool:
    return any(m.dep_ == "mark" and m.lower_ in words for m in clause.children)


def _with_phrases(verb: Any, content: Range) -> Range:
    """An object-type content and the verb's prepositional phrases after it ("justified the deployment
    under the terms of a treaty"), up to the first comma."""
    for child in verb.rights:
        if child.i < content[0]:
            continue
        if child.is_punct:
            break
        if child.dep_ == "prep" and child.i > content[1]:
            content = _union(content, _extent(child))
    return content


def _with_clauses(verb: Any, content: Range) -> Range:
    """A reported clause and the clauses coordinated after it that have a subject of their own
    ("explained that A, but it had been made clear that B"): a parser often hangs those on the
    cue; a coordinated verb without its own subject ("said A and left") is the speaker's act."""
    for child in verb.children:
        if child.dep_ != "conj" or child.i < content[1] or child.pos_ not in ("VERB", "AUX"):
            continue
        if child.lemma_.lower() in lexicon().verbs:
            continue
        if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in child.children):
            content = _union(content, _extent(child))
    return content


def content_of(verb: Any, frames: Iterable[str]) -> tuple[Range, str] | None:
    """The tokens of what a speech verb reports, by the first of its frames that fits, and the cue.

    ``clause``: the complement clause; ``obj``: the object; ``obj+of`` / ``obj+as`` / ``obj+for`` /
    ``obj+oprd``: the object with its phrase or predicate; ``obj+to``: the object with an
    infinitive (or the infinitive alone); ``on+to`` / ``to+to``: a phrase and an infinitive;
    ``for`` / ``of`` / ``about``: that phrase.  Object-type contents take the verb's phrases after them.
    """
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    objects = [c for c in children if c.dep_ in ("dobj", "obj") and c.lower_ not in RELATIVE]
    for frame in frames:
        if frame == "clause":
            clauses = [c for c in children if c.dep_ == "ccomp"]
            clauses += [c for c in children if c.dep_ in ("advcl", "dep") and _has_mark(c, ("that", "whether"))]
            if not clauses:
                # "told The Hill in a statement that ...": the clause hung on the statement noun
                for prep in (c for c in children if c.dep_ == "prep"):
                    for noun in (c for c in prep.children if c.dep_ == "pobj"):
                        clauses += [
                            c for c in noun.children if c.dep_ in ("acl", "relcl", "ccomp") and _has_mark(c, ("that",))
                        ]
            if clauses:
                return _with_clauses(verb, _union(*(_extent(c) for c in clauses))), lemma
        elif frame == "obj":
            if objects and objects[0].pos_ != "PRON":
                return _with_phrases(verb, _extent(objects[0])), lemma
        elif frame in ("obj+of", "obj+as", "obj+for"):
            word = frame[4:]
            phrase = _prep(verb, word) or (_prep(objects[0], word) if objects else None)
            if phrase is not None and objects:
                return _union(_extent(objects[0]), _extent(phrase)), f"{lemma} {word}"
        elif frame == "obj+oprd":
            predicate = next((c for c in children if c.dep_ in ("oprd", "ccomp", "xcomp", "acomp")), None)
            if predicate is not None and objects:
                return _with_phrases(verb, _union(_extent(objects[0]), _extent(predicate))), lemma
            if predicate is not None and predicate.dep_ == "ccomp":
                return _extent(predicate), lemma
        elif frame == "obj+to":
            infinitive = next((c for c in children if c.dep_ in ("xcomp", "advcl", "ccomp") and _infinitive(c)), None)
            if infinitive is not None:
                content = _extent(infinitive)
                if objects and objects[0].i < infinitive.i:
                    content = _union(content, _extent(objects[0]))
                return _with_phrases(verb, content), lemma
        elif frame in ("on+to", "to+to"):  # "called on X to Y", "appealed to X to Y"
            phrase = _prep(verb, frame[:-3])
            infinitive = next((c for c in children if c.dep_ in ("xcomp", "advcl") and _infinitive(c)), None)
            pobj = next((c for c in phrase.children if c.dep_ == "pobj"), None) if phrase is not None else None
            if pobj is not None and infinitive is not None and phrase.i < infinitive.i:
                return _union(_extent(pobj), _extent(infinitive)), f"{lemma} {frame[:-3]}"
        elif frame in ("for", "of", "about"):
            phrase = _prep(verb, frame)
            if phrase is not None and any(c.dep_ in ("pobj", "pcomp") for c in phrase.children):
                return _extent(phrase), f"{lemma} {frame}"
    return None


def inverted_content(verb: Any) -> Range | None:
    """For "Officers arrested six people, police said." parsed with the cue under the clause it
    reports: the rest of that clause, when the cue ends it."""
    head = verb.head
    if head.i == verb.i or verb.dep_ not in ("parataxis", "ccomp", "advcl", "conj") or head.i > verb.i:
        return None
    if head.pos_ not in ("VERB", "AUX") or any(c.dep_ in CONTENT_DEPS | {"acomp"} for c in verb.children):
        return None  # not a bare "..., X said": the cue has content of its own
    doc = verb.doc
    left, right = _extent(verb)
    if left == 0 or not doc[left - 1].is_punct:
        return None  # the attribution is set off by a comma or a closing quotation mark
    for i in range(right + 1, head.right_edge.i + 1):
        if not (doc[i].is_punct or doc[i].is_space):
            return None  # the clause goes on after the cue: not an attribution tacked on at the end
    if head.left_edge.i > left - 1:
        return None
    return head.left_edge.i, left - 1


def parenthetical_content(verb: Any) -> tuple[Range, Range] | None:
    """For "Many of the roads, she said, are closed.": the clause a cue set off by commas or dashes
    inside it reports, and the cue's own words (which the content goes around)."""
    head = verb.head
    if head.i == verb.i or verb.dep_ not in ("parataxis", "ccomp", "advcl") or head.pos_ not in ("VERB", "AUX"):
        return None
    if any(c.dep_ in CONTENT_DEPS | {"acomp"} for c in verb.children):
        return None  # the cue has content of its own
    doc = verb.doc
    left, right = _extent(verb)
    while left < right and doc[left].is_punct:  # the cue's own commas, when the parse gives it them
        left += 1
    while right > left and doc[right].is_punct:
        right -= 1
    if left == 0 or right + 1 >= len(doc) or not (_aside(doc[left - 1]) and _aside(doc[right + 1])):
        return None
    first, last = _extent(head)
    if not first < left - 1 or not right + 1 < last:
        return None  # the clause does not go on both sides of the cue
    return (first, last), (left - 1, right + 1)


def _aside(token: Any) -> bool:
    return token.text in (",", "-", "\u2013", "\u2014", "--")


def subject_of(verb: Any) -> Any | None:
    """The token that says what ``verb`` says: its subject, the agent of a passive, a relative
    clause's antecedent, or the subject it shares with the verb it hangs from ("..., saying ...")."""
    token = verb
    for _ in range(MAX_HOPS):
        # a passive verb above the cue is said of its speaker ("X was quoted as saying"); of two
        # subjects ("Lt. Harris" split in two) the one nearer the verb is the name
        subjects = [c for c in token.children if c.dep_ == "nsubj" or (c.dep_ == "nsubjpass" and token.i != verb.i)]
        if subjects:
            child = min(subjects, key=lambda c: abs(c.i - token.i))
            if child.lower_ in RELATIVE and token.dep_ == "relcl":
                return token.head
            return child
        passive = any(c.dep_ == "nsubjpass" for c in token.children)
        if passive:
            agent = _prep(token, "by")
            pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
            return pobj
        if token.head.i == token.i or token.dep_ not in CLIMB_DEPS:
            return None
        if token.dep_ == "xcomp":
            controller = next((c for c in token.head.children if c.dep_ in ("dobj", "obj")), None)
            if controller is not None:
                return controller
        if token.dep_ == "acl":
            return token.head if token.head.pos_ in ("NOUN", "PROPN") else None
        token = token.head
    return None


def noun_cue_parts(noun: Any, lex: Lexicon) -> tuple[Any, Any] | None:
    """(owner, clause) for "X's announcement that ..." / "a claim by X that ...", else None."""
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in lex.nouns:
        return None
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None:
        by = _prep(noun, "by")
        owner = next((c for c in by.children if c.dep_ == "pobj"), None) if by is not None else None
    clause = next(
        (
            c
            for c in noun.children
            if c.dep_ in ("acl", "ccomp", "relcl") and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        ),
        None,
    )
    if owner is None or clause is None:
        return None
    return owner, clause


def is_attribution_phrase(token: Any, lex: Lexicon) -> bool:
    """Whether ``token`` is the first word of "according to" / "as per"."""
    word = token.lower_
    if word not in lex.phrase_starts or token.i + 1 >= len(token.doc):
        return False
    return f"{word} {token.doc[token.i + 1].lower_}" in lex.phrases


def according_source(token: Any) -> Any | None:
    """The source named by "according to X" / "as per X" starting at ``token``."""
    prep = token.nbor(1)
    for candidate in (prep, token):
        pobj = next((c for c in candidate.children if c.dep_ == "pobj"), None)
        if pobj is not None:
            return pobj
    return None


def clause_head(token: Any) -> Any:
    """The verb of the clause an attribution phrase hangs from."""
    head = token.head
    for _ in range(MAX_HOPS):
        if head.pos_ in ("VERB", "AUX") or head.head.i == head.i:
            return head
        head = head.head
    return head
