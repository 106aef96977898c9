"""Speech-act events: statements that accuse, deny, demand, praise, threaten or promise.

The statement layer finds who said what; this module decides which of those statements are
events of PLOVER's verbal categories (ACCUSE, REJECT, REQUEST, SUPPORT, THREATEN, AGREE).  A
plain "said" is a statement, not an event (the annotation guideline).

- *Category.*  From the cue word, looked up in ``data/speech_act_cues.csv`` (derived from the CAMEO
  verb dictionary's speech verbs mapped to PLOVER, and the PLOVER manual): "accused" is ACCUSE,
  "urged" REQUEST, "denied" REJECT.  A promise of a hostile act ("vowed to retaliate") is
  THREATEN, a promise not to act ("pledged not to ...") REJECT.  A neutral cue ("said", "told")
  makes an event only when the reported clause's own predicate is one of these speech acts with
  the speaker as its subject ("said it rejected the plan").  A negated, hypothetical, refused or
  asked-for speech act is no event; a question ("asked whether ...") is no request, and a warning
  with no one warned is a forecast, not a threat.
- *Roles.*  The source is the statement's speaker (already resolved to an actor by the statement
  layer).  The target is the addressee ("urged the council", "called on X", "appealed to X"),
  else the actor the reported clause is about (its subject or object, when not the speaker).
- *One event per (source, type, target) per article*, dated and placed as the verb coder dates
  and places its own events (``events._Coder``); its trigger is the cue word.
- ``merge`` adds them to the verb coder's events, leaving out what the coder already coded.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extract.nlp.event_actors import FIRST_PERSON
from extract.nlp.event_lexicon import HOSTILE
from extract.nlp.events import (
    LOCATIVE_PREPS,
    NOT_TARGET_PREPS,
    TRIGGER_STRENGTH,
    Event,
    _chain,
    _mode,
    _past_perfect,
    _recode,
    event_confidence,
    when_and_where,
)
from extract.nlp.statements import Statement

if TYPE_CHECKING:
    from extract.nlp.events import _Coder

__all__ = ["SpeechCue", "cues", "merge", "speech_events"]

CUES_PATH = Path(__file__).resolve().parent / "data" / "speech_act_cues.csv"
VERBAL = frozenset({"ACCUSE", "REJECT", "REQUEST", "SUPPORT", "THREATEN", "AGREE"})
# promises whose embedded act decides the category ("vowed to retaliate" is a threat)
COMMISSIVE = frozenset({"promise", "pledge", "vow", "assure", "guarantee"})
# a reported clause whose predicate is one of these is a question, not a request
QUESTION_MARKS = frozenset({"whether", "if", "how", "why", "what", "when", "where", "who"})
OBJECT_DEPS = ("dobj", "obj", "dative", "iobj")
SUBJECT_DEPS = ("nsubj", "nsubjpass")


@dataclass(frozen=True)
class SpeechCue:
    category: str
    addressee: tuple[str, ...]  # "obj" and/or prepositions behind which the addressee sits
    needs: str  # "" | "target" | "ask"
    origin: str


@lru_cache(maxsize=1)
def cues() -> dict[tuple[str, str], SpeechCue]:
    """(kind, cue) -> its speech act, read once per process."""
    table: dict[tuple[str, str], SpeechCue] = {}
    with CUES_PATH.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if line.strip() and not line.startswith("#"))
        for row in rows:
            category = row["category"].strip().upper()
            if category not in VERBAL:
                raise ValueError(f"speech_act_cues.csv: {category!r} is not a verbal PLOVER category")
            key = (row["kind"].strip(), row["cue"].strip().lower())
            table[key] = SpeechCue(category, tuple(row["addressee"].split()), row["needs"].strip(), row["origin"])
    return table


# ----------------------------------------------------------------------------------------------
# the cue and what it is
# ----------------------------------------------------------------------------------------------


def _lemma(token: Any) -> str:
    return token.lemma_.lower()


def _children(token: Any, *deps: str) -> list[Any]:
    return [c for c in token.children if c.dep_ in deps]


def _infinitive(token: Any) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


def _verb_cue(token: Any, said: str | None) -> SpeechCue | None:
    """The speech act of a cue verb: its lemma with its particle or preposition first ("call for")."""
    table = cues()
    lemma = _lemma(token)
    keys = [said] if said and " " in said else []
    keys += [f"{lemma} {c.lower_}" for c in token.children if c.dep_ in ("prt", "prep")]
    keys.append(lemma)
    for key in keys:
        cue = table.get(("verb", key))
        if cue is not None:
            return cue
    return None


def _asks(token: Any) -> bool:
    """Whether "asked", "pressed", "advised" ask for something (not "asked whether ...")."""
    for child in token.children:
        if child.dep_ in ("xcomp", "ccomp", "advcl") and _infinitive(child):
            return True
        if child.dep_ == "prep" and child.lower_ == "for":
            return True
        if child.dep_ == "ccomp" and any(m.dep_ == "mark" and m.lower_ == "that" for m in child.children):
            return True
    return False


def _conjuncts(token: Any) -> list[Any]:
    """A verb and the verbs coordinated with it ("said Y lied and cheated")."""
    out = [token]
    out += [c for c in token.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    return out


def _polarity(words: list[Any], lex: Any) -> str | None:
    """ACCUSE for a predicate the evaluation lexicon calls negative, SUPPORT for a positive one."""
    for word in words:
        lemmas = {_lemma(word), word.lower_} | {_lemma(c) for c in word.children if c.dep_ in ("amod", "compound")}
        if lemmas & lex.negative_words:
            return "ACCUSE"
        if lemmas & lex.positive_words:
            return "SUPPORT"
    return None


def _commissive_category(token: Any, lex: Any) -> str:
    """AGREE for a promise, THREATEN for a promised hostile act, REJECT for a promise not to act."""
    for x in _children(token, "xcomp", "ccomp"):
        if _children(x, "neg"):
            return "REJECT"
        if lex.verbs.get(_lemma(x)) in HOSTILE:
            return "THREATEN"
    return "AGREE"


# ----------------------------------------------------------------------------------------------
# the coder
# ----------------------------------------------------------------------------------------------


class _Speech:
    """Speech-act events of one article, on the verb coder's actor index, dates and places."""

    def __init__(self, coder: _Coder) -> None:
        self.coder = coder
        self.doc = coder.doc
        self.index = coder.index
        self.lex = coder.lex

    def events(self, statements: list[Statement]) -> list[Event]:
        found: list[Event] = []
        seen: set[tuple[int, str]] = set()
        for statement in statements:
            speaker = statement.speaker_key
            if speaker is None or statement.cue_start is None or (statement.cue_start, speaker) in seen:
                continue
            seen.add((statement.cue_start, speaker))
            span = self.doc.char_span(statement.cue_start, statement.cue_start + 1, alignment_mode="expand")
            if span is None:
                continue
            found.extend(self._statement_events(statement, span[0], speaker))
        return _one_per_pair(found)

    def _statement_events(self, statement: Statement, cue: Any, speaker: str) -> list[Event]:
        if cue.pos_ == "NOUN":
            entry = cues().get(("noun", _lemma(cue)))
            if entry is None or not self._noun_happened(cue):
                return []
            return self._make(cue, entry.category, self._addressees(cue, entry), speaker, statement, entry.needs)
        if cue.pos_ not in ("VERB", "AUX"):
            return []  # "according to"
        if cue.dep_ == "advcl" and _infinitive(cue):
            return []  # "began a hunger strike to demand ...": the purpose of another act, coded with it
        entry = _verb_cue(cue, statement.cue)
        if entry is None:
            return self._neutral(statement, cue, speaker)
        if entry.needs == "ask" and not _asks(cue):
            return []
        category = entry.category
        if _lemma(cue) in COMMISSIVE:
            category = _commissive_category(cue, self.lex)
        recoded = _recode(category, _mode(cue, self.lex))
        if recoded is None:
            return []
        targets = self._addressees(cue, entry)
        if not targets and statement.mode == "reported" and category != "REJECT":
            # a denial rejects a claim, not the one the claim is about
            targets = self._content_targets(statement, speaker)
        return self._make(cue, recoded[0], targets, speaker, statement, entry.needs)

    def _neutral(self, statement: Statement, cue: Any, speaker: str) -> list[Event]:
        """A neutral cue whose content is an act: the speaker's own speech act ("X said it rejected
        the plan"), or wrongdoing by another actor ("X said Y lied"), an accusation."""
        if statement.mode == "reported":
            clauses = [c for c in _children(cue, "ccomp") if c.pos_ in ("VERB", "AUX")]
        else:
            clauses = self._quote_heads(statement)
        for clause in [c for head in clauses for c in _conjuncts(head)]:
            found = (
                self._own_act(clause, speaker, statement)
                or self._misconduct(clause, speaker, statement)
                or self._judgement(clause, speaker, statement)
                or self._obligation(clause, speaker, statement)
            )
            if found:
                return found
        return []

    def _cue_of(self, statement: Statement) -> Any | None:
        span = self.doc.char_span(statement.cue_start or 0, (statement.cue_start or 0) + 1, alignment_mode="expand")
        return span[0] if span is not None else None

    def _quote_heads(self, statement: Statement) -> list[Any]:
        span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
        if span is None:
            return []
        return [t for t in span if t.pos_ in ("VERB", "AUX") and not (span.start <= t.head.i < span.end)][:1]

    def _own_act(self, clause: Any, speaker: str, statement: Statement) -> list[Event]:
        if clause.pos_ != "VERB":
            return []
        entry = _verb_cue(clause, None)
        if entry is None or entry.needs == "target" or (entry.needs == "ask" and not _asks(clause)):
            return []
        subjects = _children(clause, "nsubj")
        if not subjects or not self._is_speaker(subjects[0], speaker):
            return []
        category = _commissive_category(clause, self.lex) if _lemma(clause) in COMMISSIVE else entry.category
        recoded = _recode(category, _mode(clause, self.lex))
        if recoded is None:
            return []
        targets = self._addressees(clause, entry) or self._clause_targets(clause, speaker)
        return self._make(clause, recoded[0], targets, speaker, statement, entry.needs)

    def _misconduct(self, clause: Any, speaker: str, statement: Statement) -> list[Event]:
        """ "X said Y lied": the speaker accuses Y, when Y is an actor other than the speaker."""
        lemma = _lemma(clause)
        entry = cues().get(("content", lemma))
        if entry is None or (lemma == "fail" and not _children(clause, "xcomp")):
            return []
        mode = _mode(clause, self.lex)
        if mode.negated or mode.hypothetical or mode.would or mode.requested:
            return []  # "said Y did not lie", "said Y may have lied"
        doers = _children(clause, "nsubj") or [p for a in _children(clause, "agent") for p in _children(a, "pobj")]
        if statement.mode == "direct":
            doers = [d for d in doers if d.pos_ != "PRON"]  # in a quote, only a named doer
        for doer in doers:
            if self._is_speaker(doer, speaker):
                return []
            keys = self._keys(doer, speaker)
            if keys:
                return self._make(clause, entry.category, keys, speaker, statement, "", when=self._cue_of(statement))
        return []

    def _judgement(self, clause: Any, speaker: str, statement: Statement) -> list[Event]:
        """A copula in the content: "Y's plan is reckless" (ACCUSE Y), "Y is a reliable partner"
        (SUPPORT Y), or the speaker's own attitude, "we are disappointed with Y" (ACCUSE Y)."""
        if _children(clause, "neg"):
            return []
        mode = _mode(clause, self.lex)
        if mode.negated or mode.hypothetical or mode.would:
            return []
        when = self._cue_of(statement)
        passive = _children(clause, "nsubjpass")
        if passive and self._is_speaker(passive[0], speaker):  # "we are disappointed with Y", parsed passive
            return self._attitude(clause, speaker, statement, when)
        subjects = _children(clause, "nsubj")
        predicates = _children(clause, "acomp", "attr")
        if _lemma(clause) != "be" or not subjects or not predicates:
            return []
        subject = subjects[0]
        if self._is_speaker(subject, speaker):
            for predicate in predicates:
                found = self._attitude(predicate, speaker, statement, when)
                if found:
                    return found
            return []
        if statement.mode == "direct" and subject.pos_ == "PRON":
            return []  # in a quote, only a named one is judged
        polarity = _polarity(predicates, self.lex)
        keys = self._keys(subject, speaker) if polarity else []
        if not keys:
            return []
        return self._make(predicates[0], polarity, keys, speaker, statement, "", when=when)

    def _attitude(self, word: Any, speaker: str, statement: Statement, when: Any) -> list[Event]:
        """The speaker's disapproval or approval of whom the adjective's phrase names ("angry with Y")."""
        entry = cues().get(("attitude", word.lower_)) or cues().get(("attitude", _lemma(word)))
        if entry is None:
            return []
        for prep in _children(word, "prep", "agent"):
            if prep.lower_ in entry.addressee:
                for pobj in _children(prep, "pobj"):
                    keys = self._keys(pobj, speaker)
                    if keys:
                        return self._make(word, entry.category, keys, speaker, statement, "", when=when)
        return []

    def _obligation(self, clause: Any, speaker: str, statement: Statement) -> list[Event]:
        """ "Y must release them", "Y needs to answer", "Y has to leave": a demand of the speaker on Y."""
        obliged = any(c.dep_ == "aux" and c.lower_ in self.lex.obligation_aux for c in clause.children)
        if not obliged and _lemma(clause) in ("need", "have"):
            obliged = any(_infinitive(x) for x in _children(clause, "xcomp"))
        if not obliged or _children(clause, "neg"):
            return []
        subjects = _children(clause, "nsubj")
        if not subjects or self._is_speaker(subjects[0], speaker) or subjects[0].pos_ == "PRON":
            return []
        keys = self._keys(subjects[0], speaker)
        if not keys:
            return []
        return self._make(clause, "REQUEST", keys, speaker, statement, "", when=self._cue_of(statement))

    def _noun_happened(self, noun: Any) -> bool:
        """A speech noun told as made ("X's warning that ..."), not denied or supposed ("no threat")."""
        if any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in noun.children):
            return False
        governor = noun.head
        while governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
            governor = governor.head
        if governor.i == noun.i or governor.pos_ not in ("VERB", "AUX"):
            return True
        mode = _mode(governor, self.lex)
        return not (mode.negated or mode.hypothetical or (mode.would and mode.reported_by is None))

    # -- roles ---------------------------------------------------------------------------------
    def _is_speaker(self, token: Any, speaker: str) -> bool:
        if token.lower_ in FIRST_PERSON:
            return True
        return self.index.actor(token) == speaker

    def _keys(self, token: Any, speaker: str) -> list[str]:
        if token.lower_ in FIRST_PERSON:
            return []
        return [k for k, _ in self.index.actors(token, doer=False) if k != speaker]

    def _addressees(self, cue: Any, entry: Any) -> list[str] | None:
        """The actors addressed: the cue's object or the object of its addressee preposition."""
        heads: list[Any] = []
        if "obj" in entry.addressee:
            heads += [o for o in _children(cue, *OBJECT_DEPS) if o.lower_ not in ("that", "which", "what")]
        for prep in _children(cue, "prep", "dative"):
            if prep.lower_ in entry.addressee:
                heads += _children(prep, "pobj")
        for head in heads:
            keys = [k for k, _ in self.index.actors(head, doer=False)]
            if keys:
                return keys
        return None

    def _content_targets(self, statement: Statement, speaker: str) -> list[str] | None:
        """The actor a reported clause is about: its subject or object, when that is not the speaker."""
        span = self.doc.char_span(statement.start, statement.end, alignment_mode="expand")
        if span is None:
            return None
        heads = [t for t in span if t.head.i == t.i or not (span.start <= t.head.i < span.end)]
        for head in heads[:1]:
            return self._clause_targets(head, speaker)
        return None

    def _clause_targets(self, head: Any, speaker: str) -> list[str] | None:
        candidates: list[Any] = []
        candidates += _children(head, *SUBJECT_DEPS)
        objects = _children(head, *OBJECT_DEPS)
        candidates += objects
        for prep in _children(head, "prep", "agent"):
            if prep.dep_ == "agent" or (prep.lower_ not in NOT_TARGET_PREPS and prep.lower_ not in LOCATIVE_PREPS):
                candidates += _children(prep, "pobj")
        for holder in [*objects, *_children(head, "xcomp")]:  # "tariffs on X", "to punish X"
            candidates += _children(holder, *OBJECT_DEPS, "poss")
            for prep in _children(holder, "prep"):
                if prep.lower_ not in NOT_TARGET_PREPS and prep.lower_ not in LOCATIVE_PREPS:
                    candidates += _children(prep, "pobj")
        for candidate in candidates:
            keys = self._keys(candidate, speaker)
            if keys:
                return keys
        return None

    # -- the event -----------------------------------------------------------------------------
    def _make(
        self,
        trigger: Any,
        category: str,
        targets: list[str] | None,
        speaker: str,
        statement: Statement,
        needs: str,
        when: Any | None = None,
    ) -> list[Event]:
        """Events from ``speaker`` to each target, dated and placed from ``when`` (default: the trigger)."""
        targets = [t for t in targets or [] if t != speaker]
        if needs == "target" and not targets:
            return []
        coder = self.coder
        chain = _chain(when if when is not None else trigger)
        resolved, date_source = coder.dates.for_event(chain, future=False, past_perfect=_past_perfect(chain[0]))
        candidates = coder._places(chain, set(), category, {speaker, *(t for t in targets if t)})
        place = candidates[0] if candidates else None
        start, end = trigger.idx, trigger.idx + len(trigger.text)
        return [
            Event(
                event_type=category,
                source_key=speaker,
                target_key=target,
                trigger=coder.text[start:end],
                start=start,
                end=end,
                sentence_index=coder.sentence_of[trigger.i],
                **when_and_where(resolved, place),
                confidence=event_confidence(
                    trigger=TRIGGER_STRENGTH["speech"], how="speech", resolved_source=True, hedged=False
                ),
                mode="speech",
                date_source=date_source,
            )
            for target in targets or [None]
        ]


def _one_per_pair(events: list[Event]) -> list[Event]:
    """One event per (type, source, target): the first told, dated by the text where a telling is."""
    best: dict[tuple[str, str | None, str | None], Event] = {}
    for event in events:
        pair = (event.event_type, event.source_key, event.target_key)
        kept = best.get(pair)
        if kept is None:
            best[pair] = event
        elif kept.date_source != "text" and event.date_source == "text":
            best[pair] = replace(event, start=kept.start, end=kept.end, trigger=kept.trigger)
    targeted = {(e.event_type, e.source_key) for e in best.values() if e.target_key is not None}
    return [e for e in best.values() if e.target_key is not None or (e.event_type, e.source_key) not in targeted]


def speech_events(coder: _Coder, statements: list[Statement]) -> list[Event]:
    """The speech-act events of one article's statements (see the module docstring)."""
    return _Speech(coder).events(statements)


def merge(coded: list[Event], spoken: list[Event]) -> list[Event]:
    """The verb coder's events and the speech acts it did not code itself.

    A speech act is left out when the coder has an event of the same type, source and target,
    or (without a target) of the same type and source.
    """
    pairs = {(e.event_type, e.source_key, e.target_key) for e in coded}
    sources = {(e.event_type, e.source_key) for e in coded}
    out = list(coded)
    for event in spoken:
        if (event.event_type, event.source_key, event.target_key) in pairs:
            continue
        if event.target_key is None and (event.event_type, event.source_key) in sources:
            continue
        out.append(event)
    return out
