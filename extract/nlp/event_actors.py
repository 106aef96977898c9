"""Which actor a token of the parse stands for: mentions first, then the noun phrase, then coreference.

The actor layer (``find_actors``) gives mentions with character offsets; ``ActorIndex`` maps
tokens to them.  A noun phrase whose head is not itself a mention stands for the actor its
apposition, modifiers or "of"/"from" phrase names ("troops from Russia", "Israel's cabinet").
Pronouns, proper names the mentions missed and definite descriptions ("the ministry", "the
president") resolve through the article's one resolver (``mentions.article_resolver``), the same
answers the statement layer's speakers get; a first-person pronoun inside a quotation goes to
the quotation's speaker, and a relative pronoun to the noun its clause modifies.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.mentions import article_resolver
from extract.nlp.speech_speakers import DOCUMENTS, SpeakerResolver
from extract.nlp.statements import Statement

__all__ = ["ActorIndex"]

PERSON_PRONOUNS = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
THING_PRONOUNS = frozenset({"it", "its", "itself"})
PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
FIRST_PERSON = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"})
RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
SPEECH_LEMMAS = frozenset(
    "say tell add write tweet state recount explain note insist declare announce post claim argue".split()
)
# prepositions that lead from a generic head to the actor it belongs to ("officers from X")
BELONGING_PREPS = ("of", "from", "for", "in", "at")
LATE_PREPS = frozenset({"in", "at"})  # weaker than a possessive: "the EU's mission in Armenia" is the EU's
# bare nouns that refer back to a force or office the article has named ("Police arrested ...",
# "officers also arrested ..." after "the Columbus Police Department"), and the words that name it
GENERIC_AGENTS = frozenset(
    "police officers officer troops soldiers forces investigators agents detectives prosecutors deputies "
    "authorities officials guards militants rebels".split()
)
INSTITUTION_WORDS = frozenset(
    "police department force forces army military sheriff ministry agency guard troops office prosecutor prosecutors "
    "bureau team unit command service services authorities officials rebels militants police".split()
)
# heads that name a thing or an act, not a body: "Putin's strikes", "his willingness" are not Putin
ABSTRACT_SUFFIXES = ("ness", "ing")
ABSTRACT_HEADS = frozenset(
    """approach policy decision intention intentions comment remark statement tactic tactics behavior behaviour role
    plan move word words tweet letter request call claim view views stance position record strike strikes attack attacks
    effort efforts goal goals action actions remarks demand demands threat threats term terms order orders deal offer
    program programme case trip visit visits speech story life death health way idea bid campaign style intention
    ambition desire refusal failure decision rhetoric reputation temperament mood response reaction right rights
    effort interest interests sovereignty independence claims conduct record""".split()
)
QUOTES = re.compile(r"[\"“”]")


class ActorIndex:
    """Token -> actor key for one article, built from the actor layer's mentions."""

    def __init__(
        self,
        doc: Any,
        actors: list[Actor],
        mentions: list[Mention],
        statements: list[Statement],
        abstract: frozenset[str] = frozenset(),
        resolver: SpeakerResolver | None = None,
    ) -> None:
        self.doc = doc
        self.resolver = resolver if resolver is not None else article_resolver(doc, actors, mentions)
        self.text = doc.text
        self.abstract = ABSTRACT_HEADS | abstract
        self._seeking_speaker: set[int] = set()  # first-person tokens whose speaker is being sought
        self.kinds = {a.key: a.kind for a in actors}
        self.names = {a.key: " ".join([a.name, *a.aliases]) for a in actors}
        self.countries = {a.country_code: a.key for a in actors if a.kind == "country" and a.country_code}
        self.affiliation = {a.key: a.country_code for a in actors}
        self.token_actor: dict[int, str] = {}
        spans: dict[int, int] = {}
        for mention in mentions:
            if mention.actor_key not in self.kinds:
                continue
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None:
                continue
            for token in span:
                if token.i not in spans or len(span) > spans[token.i]:
                    spans[token.i] = len(span)
                    self.token_actor[token.i] = mention.actor_key
        self.ordered = sorted((m.start, m.actor_key) for m in mentions if m.actor_key in self.kinds)
        self.starts = [start for start, _ in self.ordered]
        self.sentence_starts = [s.start_char for s in doc.sents]
        self.quotes = [(s.start, s.end, s.speaker_key) for s in statements if s.mode == "direct" and s.speaker_key]
        self.speakers = sorted(
            (s.sentence_index, s.speaker_key) for s in statements if s.speaker_key and s.speaker_key in self.kinds
        )

    # ------------------------------------------------------------------------------------------
    def actor(self, token: Any, depth: int = 0, doer: bool = True, strict: bool = False) -> str | None:
        """The actor a token (the head of a noun phrase) stands for, or None.

        ``doer``: the phrase names who acts, so "Putin's strikes" is not Putin; for the one acted
        upon it is ("questioned Putin's intentions").  ``strict``: only the phrase's own head or
        apposition counts ("released Assange", not "released a letter from his doctor").
        """
        key = self.token_actor.get(token.i)
        if key is not None:
            return key
        key = self.titled(token)
        if key is not None:
            return key
        if strict:
            if token.pos_ == "PRON":
                return None if token.lower_.endswith(("self", "selves")) else self.pronoun(token)
            for child in token.children:
                if child.dep_ == "appos" and self.token_actor.get(child.i):
                    return self.token_actor[child.i]
                if child.dep_ == "poss" and self._abstract(token):  # "questioned Mexico's intentions"
                    return self.actor(child, depth + 1)
            return None
        if token.ent_type_ == "NORP" and token.pos_ == "ADJ":
            return self.nation_of(token)
        low = token.lower_
        if token.pos_ == "PRON" or low in PERSON_PRONOUNS | THING_PRONOUNS | PLURAL_PRONOUNS | FIRST_PERSON:
            return self.pronoun(token)
        if depth > 2:
            return None
        if doer and token.lemma_.lower() in DOCUMENTS:
            return self.author(token)
        for child in token.children:
            if child.dep_ == "appos":
                key = self.actor(child, depth + 1)
                if key:
                    return key
        for child in token.lefts:
            if child.dep_ in ("compound", "amod", "nmod", "npadvmod"):
                key = self._in_subtree(child) or self.nation_of(child)
                if key:
                    return key
        late: list[Any] = []
        for child in token.children:
            if child.dep_ == "prep" and child.lower_ in BELONGING_PREPS and child.i > token.i:
                if child.lower_ in LATE_PREPS:
                    late.append(child)
                    continue
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        key = self.actor(pobj, depth + 1)
                        if key:
                            return key
        if not (doer and self._abstract(token)):
            for child in token.lefts:
                if child.dep_ == "poss":
                    key = self.actor(child, depth + 1, doer)
                    if key:
                        return key
        for child in late:  # "officials in Seoul", after "the EU's mission in Armenia" has had its say
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    key = self.actor(pobj, depth + 1)
                    if key:
                        return key
        if (
            doer
            and depth == 0
            and low in GENERIC_AGENTS
            and not any(c.dep_ in ("poss", "amod", "compound") for c in token.lefts)
        ):
            return self.recent_institution(token)
        if token.pos_ == "NOUN":
            return self.resolver.actor_of(token)  # "the ministry", "the president": who the article called so
        return None

    def titled(self, token: Any) -> str | None:
        """The person a nationality and a title describe ("the Ukrainian president", "France's
        foreign minister"): the one the article introduced with that title and that country."""
        lemma = token.lemma_.lower()
        if token.pos_ not in ("NOUN", "PROPN") or self.resolver.lex.referents.get(lemma) not in ("person", "role"):
            return None
        nations = [c for c in token.lefts if c.dep_ in ("amod", "compound", "poss")]
        iso3 = next((self.nation_code(c) for c in nations if self.nation_code(c)), None)
        if iso3 is None:
            return None
        people = {
            key
            for key, words in self.resolver.titles.items()
            if self.kinds.get(key) == "person" and lemma in words and self.affiliation.get(key) == iso3
        }
        if not people:
            return None
        position = bisect.bisect_left(self.starts, token.idx)
        for _start, key in [*reversed(self.ordered[:position]), *self.ordered[position:]]:
            if key in people:
                return key
        return None

    def nation_code(self, token: Any) -> str | None:
        """ISO alpha-3 of a nationality adjective or a country actor's mention ("Ukrainian", "France's")."""
        key = self.token_actor.get(token.i)
        if key is not None and self.kinds.get(key) == "country":
            return self.affiliation.get(key)
        return _demonym(token.text) if token.ent_type_ == "NORP" else None

    def author(self, token: Any) -> str | None:
        """Who wrote a statement, letter or report: its owner ("the ministry's statement", "a letter
        from X"), else the one who speaks through it ("In a letter, X urged ...": X)."""
        key = self.resolver.actor_of(token)
        if key is not None:
            return key
        prep = token.head
        if token.dep_ == "pobj" and prep.lower_ in ("in", "through", "via") and prep.head.pos_ in ("VERB", "AUX"):
            for subject in reversed([c for c in prep.head.children if c.dep_ == "nsubj"]):
                key = self.actor(subject)
                if key is not None:
                    return key
        return None

    def recent_institution(self, token: Any) -> str | None:
        """The force or office a bare "police"/"officers" refers back to: the latest one named nearby."""
        sent_index = bisect.bisect_right(self.sentence_starts, token.idx) - 1
        floor = self.sentence_starts[max(0, sent_index - 3)]
        position = bisect.bisect_left(self.starts, token.idx)
        for start, key in reversed(self.ordered[:position]):
            if start < floor:
                break
            words = set(self.names.get(key, "").lower().split())
            if self.kinds.get(key) in ("organization", "group") and INSTITUTION_WORDS & words:
                return key
        return None

    def nation_of(self, token: Any) -> str | None:
        """The country actor of this article a nationality adjective names ("Chinese goods")."""
        if token.ent_type_ != "NORP" or not self.countries:
            return None
        iso3 = _demonym(token.text)
        return self.countries.get(iso3) if iso3 else None

    def _abstract(self, token: Any) -> bool:
        low = token.lemma_.lower()
        return low in self.abstract or (token.pos_ == "NOUN" and low.endswith(ABSTRACT_SUFFIXES))

    def _in_subtree(self, token: Any) -> str | None:
        for t in token.subtree:
            key = self.token_actor.get(t.i)
            if key:
                return key
        return None

    def actors(self, token: Any, doer: bool = True) -> list[tuple[str, Any]]:
        """The actors of a noun phrase and of every phrase conjoined with it ("Kim and the people").

        Also: the actors listed inside a phrase the parser did not split ("Trump and senior US
        officials" read as one phrase), every actor of a list an "of"/"from" phrase gives
        ("officials from Mexico, Canada and Japan"), and the whole list a plural pronoun takes up.
        """
        found: list[tuple[str, Any]] = []

        def add(key: str | None, t: Any) -> None:
            if key and all(key != k for k, _ in found):
                found.append((key, t))

        for t in conjuncts(token):
            if t.lower_ in PLURAL_PRONOUNS and t.i not in self.token_actor:
                for key, source in self.plural_group(t):
                    add(key, source)
                continue
            key = self.actor(t, doer=doer)
            add(key, t)
            left_words = [u for left in t.lefts for u in left.subtree]
            if any(u.dep_ == "cc" and u.lower_ in ("and", "&") for u in left_words):  # coordination the parser kept
                for u in left_words:  # inside one phrase: "Trump and senior US officials"
                    add(self.token_actor.get(u.i), u)
            if key is not None and t.i not in self.token_actor:
                for child in t.children:  # the rest of a list behind "of"/"from"
                    if child.dep_ == "prep" and child.lower_ in ("of", "from"):
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                for other in conjuncts(pobj)[1:]:
                                    add(self.actor(other, 1), other)
        return found

    def plural_group(self, token: Any) -> list[tuple[str, Any]]:
        """What "they"/"them" takes up: the most recent compatible actor, with the list it stood in."""
        key = self.pronoun(token)
        if key is None:
            return []
        position = bisect.bisect_left(self.starts, token.idx)
        for start, k in reversed(self.ordered[:position]):
            if k != key:
                continue
            span = self.doc.char_span(start, start + 1, alignment_mode="expand")
            if span is None:
                break
            head = span[0]
            while head.dep_ in ("compound", "amod") and head.head.i != head.i:
                head = head.head
            while head.dep_ == "conj" and head.head.i != head.i:
                head = head.head
            group = []
            for t in conjuncts(head):
                other = self.actor(t, 1)
                if other and all(other != g for g, _ in group):
                    group.append((other, t))
            return group if len(group) > 1 else [(key, token)]
        return [(key, token)]

    # ------------------------------------------------------------------------------------------
    def pronoun(self, token: Any) -> str | None:
        low = token.lower_
        if low in RELATIVE:
            head = token.head
            while head.dep_ in ("relcl", "conj") and head.head.i != head.i:
                head = head.head
                if head.pos_ in ("NOUN", "PROPN", "PRON"):
                    return self.actor(head, 1)
            return None
        if low in FIRST_PERSON:
            return self.speaker_of(token)
        reporter = self._reporter(token)
        if reporter is not None and low in PERSON_PRONOUNS | THING_PRONOUNS | PLURAL_PRONOUNS:
            kind = self.kinds.get(reporter)
            if (kind == "person") == (low in PERSON_PRONOUNS) and not (low in PLURAL_PRONOUNS and kind == "person"):
                return reporter  # "Eritrea warned Ethiopia that it would ...": it is Eritrea
        if low in PERSON_PRONOUNS:
            kinds = {"person"}
        elif low in THING_PRONOUNS:
            if (
                low == "it"
                and token.dep_ in ("nsubj", "nsubjpass")
                and any(c.dep_ in ("ccomp", "xcomp", "csubj") for c in token.head.children)
            ):
                return None  # "it is striking that ...": no one
            kinds = {"country", "organization", "group"}
        elif low in PLURAL_PRONOUNS:
            kinds = {"group", "organization", "country"}
        else:
            return None
        shared = self.resolver.pronoun.get(token.i)  # the statement layer's answer: one coreference
        if shared is not None and self.kinds.get(shared) in kinds - ({"group"} if low in THING_PRONOUNS else set()):
            return shared  # "it" is a body or a state; a group is "they"
        return self.recent(token, kinds)

    def _reporter(self, token: Any) -> str | None:
        """For the subject of a reported clause, the actor who reports it ("X said it would ...")."""
        if token.dep_ not in ("nsubj", "nsubjpass"):
            return None
        clause = token.head
        while clause.dep_ in ("conj", "xcomp") and clause.head.i != clause.i:
            clause = clause.head
        if clause.dep_ != "ccomp" or clause.head.pos_ not in ("VERB", "AUX"):
            return None
        for subject in clause.head.children:
            if subject.dep_ == "nsubj" and subject.i != token.i and subject.lower_ not in FIRST_PERSON:
                key = self.token_actor.get(subject.i) or (None if subject.pos_ == "PRON" else self.actor(subject, 1))
                if key:
                    return key
        return None

    def recent(self, token: Any, kinds: set[str]) -> str | None:
        """The actor of one of ``kinds`` a pronoun most likely takes up, from the last three sentences.

        The latest actor named, except that a subject pronoun with no candidate earlier in its own
        sentence prefers the latest actor that was itself a subject ("Obama met Merkel. He praised
        her": he is Obama).
        """
        sent_index = bisect.bisect_right(self.sentence_starts, token.idx) - 1
        floor = self.sentence_starts[max(0, sent_index - 2)]
        position = bisect.bisect_left(self.starts, token.idx)
        candidates = []
        for start, key in reversed(self.ordered[:position]):
            if start < floor:
                break
            if self.kinds.get(key) in kinds:
                candidates.append((start, key))
        if not candidates:
            return None
        here = token.sent.start_char
        if token.dep_ in ("nsubj", "nsubjpass") and candidates[0][0] < here:
            for start, key in candidates:
                if self._subject_at(start):
                    return key
        return candidates[0][1]

    def _subject_at(self, start: int) -> bool:
        span = self.doc.char_span(start, start + 1, alignment_mode="expand")
        if span is None:
            return False
        head = span[0]
        while head.dep_ in ("compound", "amod", "flat") and head.head.i != head.i:
            head = head.head
        return head.dep_ in ("nsubj", "nsubjpass")

    def speaker_of(self, token: Any) -> str | None:
        """Who says a first-person pronoun: the quotation's speaker, else the sentence's attributed speaker."""
        if token.i in self._seeking_speaker:  # "our leader said": the speaker's own "our" asks again
            return None
        self._seeking_speaker.add(token.i)
        try:
            return self._speaker_of(token)
        finally:
            self._seeking_speaker.discard(token.i)

    def _speaker_of(self, token: Any) -> str | None:
        for start, end, speaker in self.quotes:
            if start <= token.idx < end:
                return speaker
        if not self._inside_quotes(token):
            return None
        sent = token.sent
        sent_index = bisect.bisect_right(self.sentence_starts, token.idx) - 1
        for index, speaker in self.speakers:
            if index == sent_index:
                return speaker
        for candidate in (sent, *self._neighbours(sent)):
            for t in candidate:
                if t.lemma_ in SPEECH_LEMMAS and t.pos_ == "VERB" and not self._inside_quotes(t):
                    for child in t.children:
                        if child.dep_ == "nsubj" and child.lower_ not in FIRST_PERSON:
                            key = self.actor(child)
                            if key:
                                return key
        return None

    def _neighbours(self, sent: Any) -> list[Any]:
        doc = self.doc
        out = []
        if sent.end < len(doc):
            out.append(doc[sent.end].sent)
        if sent.start > 0:
            out.append(doc[sent.start - 1].sent)
        return out

    def _inside_quotes(self, token: Any) -> bool:
        """An odd number of quotation marks between the start of the paragraph and the token."""
        text = self.text
        start = text.rfind("\n", 0, token.idx) + 1
        return len(QUOTES.findall(text, start, token.idx)) % 2 == 1


def _demonym(word: str) -> str | None:
    """ISO alpha-3 of a nationality adjective, from the actor layer's gazetteer where it has one."""
    try:
        from extract.nlp.gazetteer import gazetteer

        entry = gazetteer().lookup_name.get(word.lower())
    except Exception:  # the actor layer's tables are its own business; without them, no match
        return None
    if entry is None or getattr(entry, "kind", None) not in ("demonym", "people", "country"):
        return None
    return getattr(entry, "iso3", None)


def conjuncts(token: Any) -> list[Any]:
    """A token and the tokens conjoined with it, in text order."""
    out = [token]
    stack = [c for c in token.children if c.dep_ == "conj"]
    while stack:
        t = stack.pop(0)
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ == "conj")
    return sorted(out, key=lambda t: t.i)
