"""Speakers: from the token a parse gives as the one who speaks to an actor of the article.

A named speaker is found through the actors layer's mentions (a mention's characters cover the
token, its apposition or its name parts).  A pronoun ("he", "she", "they", "it") goes to the last
compatible actor before it, preferring the subjects of its own sentence, then of the sentences
just before (a person for he/she, a body, group or country for they/it; a quoted speaker's words
are another voice, so mentions inside quotation marks only serve pronouns inside the same quote).
A definite description ("the spokesman", "the North Korean leader", "the ministry") goes to the
last actor of its kind that the article has called by that noun, or else to the last one of its
kind near it.  A simple, general recency model: no coreference model is involved.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.speech import Lexicon

__all__ = ["SpeakerResolver"]

PERSONAL = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
PLURAL = {"they", "them", "their", "themselves"}
NEUTER = {"it", "its", "itself"}
HONORIFICS = {"mr": "m", "mr.": "m", "ms": "f", "ms.": "f", "mrs": "f", "mrs.": "f", "miss": "f", "mme": "f"}
DOCUMENTS = {
    "release",
    "statement",
    "report",
    "letter",
    "filing",
    "document",
    "papers",
    "paper",
    "post",
    "tweet",
    "website",
    "memo",
    "note",
    "communique",
    "communiqué",
    "announcement",
    "account",
    # figures and studies a body puts out speak for it ("according to data from X")
    "data",
    "datum",
    "figure",
    "figures",
    "statistics",
    "study",
    "survey",
    "analysis",
    "estimate",
    "records",
    "presentation",
    "email",
}
# people who speak for the body they are named by ("a Labour spokeswoman", "a spokesman for the
# ministry", "the union's representatives"): when no one is named, the body is the speaker
VOICES = {"spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen", "spokeswomen", "representative"}
BODIES = ("organization", "group", "country")
GOVERNMENT = {"government", "administration", "regime", "authorities", "authority"}
DEFINITE = {"the", "this", "that"}
SENTENCE_WINDOW = 4  # how many sentences back a pronoun looks for its actor
DESCRIPTION_WINDOW = 30  # how many sentences back a description ("the ministry") looks
MAX_LOOKBACK = 60  # antecedents looked at per sentence (bounds the work in run-on text)
KINDS_FOR = {
    "person": ("person",),
    "plural": ("group", "organization", "country"),
    "neuter": ("organization", "country", "group"),
}


@dataclass(frozen=True)
class _Candidate:
    token: int  # head token of the mention or pronoun
    key: str
    subject: bool
    prominence: int  # 2: subject of the sentence's main verb, 1: another subject, 0: no subject
    quote: int  # outermost quote holding it, -1 outside quotes


class SpeakerResolver:
    """Maps the tokens of one parsed article to its actors."""

    def __init__(
        self,
        doc: Any,
        sentences: list[Any],
        actors: list[Actor],
        mentions: list[Mention],
        quote_of: list[int],
        paragraph_of: list[int],
        lex: Lexicon,
    ) -> None:
        self.doc = doc
        self.lex = lex
        self.quote_of = quote_of  # token index -> outermost quote index, -1 outside quotes
        self.kind = {actor.key: actor.kind for actor in actors}
        # sentences as the parser cut them, cut again at paragraph breaks (a heading or a quote
        # paragraph is often glued to the next one)
        self.sentence_of = [0] * len(doc)
        number, previous = -1, (None, None)
        for sent in sentences:
            for i in range(sent.start, sent.end):
                here = (sent.start, paragraph_of[i] if paragraph_of[i] != -1 else previous[1])
                if here != previous:
                    number += 1
                    previous = here
                self.sentence_of[i] = number
        segments = number + 1
        self.actor_at: dict[int, str] = {}  # token index -> actor key of the mention covering it
        self.gender: dict[str, str] = {}
        self.titles: dict[str, set[str]] = {actor.key: _words(actor.name, *actor.aliases) for actor in actors}
        heads: list[tuple[int, str]] = []
        for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
            if mention.actor_key not in self.kind:
                continue
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            for token in span:
                self.actor_at.setdefault(token.i, mention.actor_key)
            heads.append((span.root.i, mention.actor_key))
            self._learn_from_context(span, mention.actor_key)
        heads += self._named_by_surname(actors)
        self.by_sentence: list[list[_Candidate]] = [[] for _ in range(segments)]
        self.tokens_by_sentence: list[list[int]] = [[] for _ in range(segments)]
        self.pronoun: dict[int, str] = {}
        self._build(sorted(heads))

    def _named_by_surname(self, actors: list[Actor]) -> list[tuple[int, str]]:
        """Proper names the mentions missed that spell an actor's name, alias or (unique) surname."""
        names: dict[str, str | None] = {}
        for actor in actors:
            for name in {actor.name, *actor.aliases}:
                words = _tokens(name)
                if not words:
                    continue
                full = " ".join(words)
                names[full] = actor.key if names.get(full, actor.key) == actor.key else None
                if actor.kind == "person" and len(words) >= 2:
                    names.setdefault("#" + words[-1], actor.key)
                    if names["#" + words[-1]] != actor.key:
                        names["#" + words[-1]] = None
        found: list[tuple[int, str]] = []
        doc, i = self.doc, 0
        while i < len(doc):
            if doc[i].pos_ != "PROPN" or i in self.actor_at:
                i += 1
                continue
            j = i
            while (
                j + 1 < len(doc)
                and doc[j + 1].pos_ == "PROPN"
                and j + 1 not in self.actor_at
                and self.sentence_of[j + 1] == self.sentence_of[i]
            ):
                j += 1
            words = [w for t in doc[i : j + 1] for w in _tokens(t.text)]
            key = names.get(" ".join(words)) or (names.get("#" + words[-1]) if words else None)
            if key is not None:
                for k in range(i, j + 1):
                    self.actor_at[k] = key
                found.append((doc[i : j + 1].root.i, key))
            i = j + 1
        return found

    # -- building the antecedent lists -------------------------------------------------------

    def _learn_from_context(self, span: Any, key: str) -> None:
        """Honorifics and titles written before a mention ("Mr. Trump", "North Korean leader Kim")."""
        first = span.start
        if first > 0 and self.doc[first - 1].lower_ in HONORIFICS and self.kind.get(key) == "person":
            self.gender.setdefault(key, HONORIFICS[self.doc[first - 1].lower_])
        i = first - 1
        while i >= max(0, first - 4) and self.sentence_of[i] == self.sentence_of[first]:
            before = self.doc[i]
            if before.pos_ not in ("PROPN", "NOUN", "ADJ"):
                break
            self.titles[key].add(before.lemma_.lower())
            i -= 1
        for token in span:
            self.titles[key].add(token.lemma_.lower())

    def _candidate(self, token: Any, key: str) -> _Candidate:
        subject, prominence = self._role(token)
        return _Candidate(token.i, key, subject, prominence, self.quote_of[token.i])

    def _role(self, token: Any) -> tuple[bool, int]:
        """(is a subject, prominence): 2 for the subject of its sentence's main verb, 1 for another."""
        node = token
        if node.dep_ in ("appos", "compound", "flat", "conj") and node.head.i != node.i:
            node = node.head
        if node.dep_ not in ("nsubj", "nsubjpass"):
            return False, 0
        verb = node.head
        if verb.dep_ == "conj":
            verb = verb.head
        main = verb.dep_ == "ROOT" or self.sentence_of[verb.head.i] != self.sentence_of[verb.i]
        return True, 2 if main else 1

    def _build(self, heads: list[tuple[int, str]]) -> None:
        """Antecedent lists per sentence: mentions and resolved pronouns, in text order."""
        doc = self.doc
        pending = iter(heads)
        nxt = next(pending, None)
        for token in doc:
            while nxt is not None and nxt[0] <= token.i:
                index, key = nxt
                head = doc[index]
                # an apposition ("Zippy Duvall, the president of ...") is its head's mention, not a rival
                if not (head.dep_ == "appos" and head.head.i in self.actor_at and head.head.i != index):
                    self._add(self._candidate(head, key))
                nxt = next(pending, None)
            word = token.lower_
            if token.pos_ == "PRON" and (word in PERSONAL or word in PLURAL or word in NEUTER):
                if token.i in self.actor_at:
                    continue
                key = self._resolve_pronoun(token)
                if key is not None:
                    self.pronoun[token.i] = key
                    self._add(self._candidate(token, key))

    # -- resolution --------------------------------------------------------------------------

    def _compatible(self, candidate: _Candidate, kinds: tuple[str, ...], gender: str | None, quote: int) -> bool:
        if self.kind.get(candidate.key) not in kinds:
            return False
        if candidate.quote != -1 and candidate.quote != quote:
            return False
        known = self.gender.get(candidate.key)
        return not (gender and known and known != gender)

    def _recent(
        self,
        token: Any,
        kinds: tuple[str, ...],
        gender: str | None = None,
        window: int = SENTENCE_WINDOW,
        inside_only: bool = False,
    ) -> tuple[str | None, int]:
        """The best antecedent before ``token`` and its tier (lower is surer); ``inside_only``: only
        from the quotation holding ``token``."""
        quote = self.quote_of[token.i]
        here = self.sentence_of[token.i]
        best: tuple[tuple, str] | None = None
        for distance in range(window):
            number = here - distance
            if number < 0:
                break
            for candidate in self._before(number, token.i):
                if not self._compatible(candidate, kinds, gender, quote):
                    continue
                if inside_only and candidate.quote != quote:
                    continue
                if distance == 0:
                    tier = 0 if candidate.subject else 2
                elif distance == 1:
                    tier = 1 if candidate.subject else 3
                else:
                    tier = 2 * distance + (0 if candidate.subject else 1)
                rank = (tier, -candidate.prominence if distance else 0, -candidate.token)
                if best is None or rank < best[0]:
                    best = (rank, candidate.key)
            if best is not None and best[0][0] <= 2 * distance + 1 and distance >= 1:
                break
        if best is None:
            return None, 99
        return best[1], best[0][0]

    def _resolve_pronoun(self, token: Any) -> str | None:
        word = token.lower_
        kinds = KINDS_FOR["person" if word in PERSONAL else "plural" if word in PLURAL else "neuter"]
        gender = PERSONAL.get(word)
        quoted = self.quote_of[token.i] != -1
        key, tier = self._recent(token, kinds, gender, inside_only=True) if quoted else (None, 99)
        if key is None:
            key, tier = self._recent(token, kinds, gender)
        if key is not None and gender and tier <= 1 and not quoted and token.dep_ in ("nsubj", "nsubjpass"):
            self.gender.setdefault(key, gender)  # "Williams said ... she said": Williams is a woman
        return key

    def _describe(self, head: Any, definite: bool) -> str | None:
        """The actor a description ("the spokesman", "the ministry") stands for, if any."""
        noun = head.lemma_.lower()
        kind = self.lex.referents.get(noun)
        if kind is None or not definite or head.tag_ in ("NNS", "NNPS"):
            return None
        kinds = ("person",) if kind in ("person", "role") else ("organization", "group")
        titled = [key for key, words in self.titles.items() if noun in words and self.kind.get(key) in kinds]
        if titled:
            latest = self._latest_mention(head, set(titled))
            if latest is not None:
                return latest
        if kind == "role":
            return None  # "the official said": often someone the article never names
        if kind == "person":
            return self._recent(head, kinds, window=3)[0]
        if noun in GOVERNMENT:
            return self._recent(head, ("country",), window=3)[0]
        key, tier = self._recent(head, ("organization",), window=2)
        if kind == "trade":  # "the airline": a story names firms of other trades too, so only its subject just before
            return key if tier <= 1 else None
        return key if tier <= 3 else None  # "Acme said ... The company expects ..."

    def _latest_mention(self, token: Any, keys: set[str]) -> str | None:
        here = self.sentence_of[token.i]
        quote = self.quote_of[token.i]
        for number in range(here, max(-1, here - DESCRIPTION_WINDOW), -1):
            for candidate in self._before(number, token.i):
                if candidate.key in keys and candidate.quote in (-1, quote):
                    return candidate.key
        return None

    def _before(self, number: int, token: int) -> Iterator[_Candidate]:
        """The antecedents of sentence ``number`` before ``token``, latest first (a bounded number)."""
        candidates = self.by_sentence[number]
        end = bisect.bisect_left(self.tokens_by_sentence[number], token)
        for k in range(end - 1, max(-1, end - 1 - MAX_LOOKBACK), -1):
            yield candidates[k]

    def _add(self, candidate: _Candidate) -> None:
        number = self.sentence_of[candidate.token]
        self.by_sentence[number].append(candidate)
        self.tokens_by_sentence[number].append(candidate.token)

    def actor_of(self, token: Any, depth: int = 0) -> str | None:
        """The actor a noun phrase headed by ``token`` refers to, or None."""
        if token is None or depth > 3:
            return None
        if token.i in self.actor_at:
            return self.actor_at[token.i]
        if token.i in self.pronoun:
            return self.pronoun[token.i]
        for child in token.children:
            if child.dep_ == "appos" or (token.pos_ == "PROPN" and child.dep_ in ("compound", "flat")):
                key = self.actor_of(child, depth + 1)
                if key is not None:
                    return key
        if token.pos_ == "PRON":
            return None
        if token.lemma_.lower() in VOICES:
            key = self._body_of(token, depth)
            if key is not None:
                return key
        definite = any(c.dep_ == "det" and c.lower_ in DEFINITE for c in token.children)
        if token.lemma_.lower() in DOCUMENTS:
            for child in token.children:
                if child.dep_ in ("poss", "compound"):
                    key = self.actor_at.get(child.i) or self._describe(child, definite or child.dep_ == "poss")
                    key = key or self.actor_of(child, depth + 1)
                    if key is not None:
                        return key
                if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                    pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                    key = self.actor_of(pobj, depth + 1)
                    if key is not None:
                        return key
            return None
        return self._describe(token, definite)

    def _body_of(self, voice: Any, depth: int) -> str | None:
        """The organisation, group or country a spokesperson is named by, if the text names one."""
        for child in voice.children:
            if child.dep_ in ("compound", "poss"):
                target = child
            elif child.dep_ == "prep" and child.lower_ in ("for", "of"):
                target = next((c for c in child.children if c.dep_ == "pobj"), None)
            else:
                continue
            key = self.actor_of(target, depth + 1)
            if key is not None and self.kind.get(key) in BODIES:
                return key
        return None


def _tokens(name: str) -> list[str]:
    """Lower-case words of a name, without a leading "the" or a possessive."""
    words = re.findall(r"[a-z0-9]+", name.lower().replace("\u2019", "'").replace("'s ", " "))
    return words[1:] if words[:1] == ["the"] else words


def _words(*names: str) -> set[str]:
    return {w for name in names for w in re.findall(r"[a-z]+", name.lower())}
