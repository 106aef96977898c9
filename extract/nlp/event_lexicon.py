"""The PLOVER lexicon: which predicates carry which category.

Two data files, both readable YAML in the same sections:

- ``data/petrarch_lexicon.yml``, the base: derived by ``scripts/derive_event_lexicon.py`` from the
  PETRARCH2 CAMEO verb dictionary and the CAMEO-to-PLOVER table (general vocabulary, MIT licence,
  ``data/NOTICE.petrarch2``).  Its entries carry ``source == "petrarch2"``: weaker evidence.
- ``data/plover_lexicon.yml``, the curated overlay (``source == "curated"``).  It wins wherever the
  two meet: a lemma the curated file lists as a verb keeps its curated category, and derived
  entries of that lemma that say otherwise are dropped; a lemma the curated file gives a role
  (control, evaluation) is not a derived single verb; curated phrasal and verb + object entries are
  tried before derived ones, so a curated block (``type: null``) and guards hold.

This module only loads them into lookup tables keyed by lemma, once per process, and checks they
name real categories.  ``version`` names both files (the derived one by its content hash), so the
coder's METHOD_VERSION changes whenever either does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CATEGORIES",
    "COOPERATIVE",
    "HOSTILE",
    "Lexicon",
    "NounEntry",
    "ObjectEntry",
    "PhrasalEntry",
    "lexicon",
]

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "plover_lexicon.yml"
DERIVED_PATH = Path(__file__).resolve().parent / "data" / "petrarch_lexicon.yml"
CURATED, DERIVED = "curated", "petrarch2"

CATEGORIES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)  # fmt: skip
# promised or future acts of these kinds are AGREE (manual: AGREE), of these THREATEN
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE"})
HOSTILE = frozenset({"SANCTION", "MOBILIZE", "COERCE", "ASSAULT", "PROTEST", "THREATEN"})


@dataclass(frozen=True)
class ObjectEntry:
    """A verb whose object (or prepositional object) decides the category: "hold talks"."""

    event_type: str
    objects: frozenset[str]  # object head lemmas; empty: any object
    preps: frozenset[str]  # the object sits behind one of these prepositions/particles; empty: a direct object
    modifiers: frozenset[str]  # the object must carry one of these modifiers ("joint exercises"); empty: any
    xcomps: frozenset[str]  # instead of an object, an embedded verb ("failed to answer"); empty: unused
    particles: frozenset[str] = frozenset()  # the verb must carry one of these particles ("put up resistance")
    source: str = CURATED  # curated | petrarch2


@dataclass(frozen=True)
class PhrasalEntry:
    event_type: str | None  # None: the particle makes it no event ("seize on an idea")
    preps: frozenset[str]
    target_is_prep_object: bool
    particles: frozenset[str] = frozenset()  # besides the preposition, the verb carries one of these ("crack down on")
    source: str = CURATED


@dataclass(frozen=True)
class NounEntry:
    event_type: str
    preps: tuple[str, ...]  # prepositions introducing the target, in order of preference
    modifiers: frozenset[str] = frozenset()  # the noun must carry one of these ("hunger strike"); empty: any
    source: str = CURATED


def _words(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str | bool) else list(value)  # type: ignore[call-overload]
    if any(isinstance(v, bool) for v in items):
        raise ValueError("plover lexicon: a bare on/off/yes/no reads as a boolean in YAML; quote it")
    return frozenset(str(v).lower() for v in items)


class Lexicon:
    """Lookup tables built from the YAML document; see the file's header for the sections."""

    def __init__(self, data: dict, base: dict | None = None) -> None:
        """``data`` is the curated document; ``base`` the derived one laid under it (optional)."""
        self.version = str(data["version"]) + (f"+{base['version']}" if base else "")
        self.by_verb_object: dict[str, list[ObjectEntry]] = {}
        self.by_phrasal: dict[str, list[PhrasalEntry]] = {}
        self.verbs: dict[str, str] = {}
        self.verb_source: dict[str, str] = {}  # lemma -> curated | petrarch2
        self.nouns: dict[str, list[NounEntry]] = {}
        self._add_entries(data, CURATED)
        for key, spec in (data.get("nouns") or {}).items():
            entry = NounEntry(
                self._category(spec.get("type", key)), tuple(spec.get("preps") or ()), _words(spec.get("modifiers"))
            )
            for lemma in _words(spec["lemmas"]):
                self.nouns.setdefault(lemma, []).append(entry)
        for entries in self.nouns.values():
            entries.sort(key=lambda e: not e.modifiers)
        control = data.get("control") or {}
        self.commissive = _words(control.get("commissive"))
        self.commissive_adjectives = _words(control.get("commissive_adjectives"))
        self.refusal = _words(control.get("refusal"))
        self.not_refusals = _words(control.get("not_refusals"))
        self.refusal_adjectives = _words(control.get("refusal_adjectives"))
        self.negative = _words(control.get("negative"))
        self.negative_adjectives = _words(control.get("negative_adjectives"))
        self.directive = _words(control.get("directive"))
        self.transparent = _words(control.get("transparent"))
        self.directive_nouns = _words(control.get("directive_nouns"))
        self.reporting_directives = _words(control.get("reporting_directives"))
        self.future_aux = _words(control.get("future_aux"))
        self.would_aux = _words(control.get("would_aux"))
        self.hypothetical_aux = _words(control.get("hypothetical_aux"))
        self.obligation_aux = _words(control.get("obligation_aux"))
        evaluation = data.get("evaluation") or {}
        self.evaluation_verbs = _words(evaluation.get("verbs"))
        self.speech_verbs = _words(evaluation.get("speech"))
        self.negative_words = _words(evaluation.get("negative"))
        self.positive_words = _words(evaluation.get("positive"))
        self.claim_nouns = _words(evaluation.get("claims"))
        self.untrue_words = _words(evaluation.get("untrue"))
        self.noun_doer_verbs = _words(data.get("noun_doer_verbs"))
        self.noun_patient_verbs = _words(data.get("noun_patient_verbs"))
        self.patient_possessive = _words(data.get("patient_possessive"))
        self.intransitive_only = _words(data.get("intransitive_only"))
        actor_object = data.get("actor_object") or {}
        self.actor_object_verbs = _words(actor_object.get("verbs"))
        self.actor_object_words = _words(actor_object.get("words"))
        if base:
            self._add_entries(base, DERIVED)
        for entries in self.by_verb_object.values():  # curated first, then the most constrained
            entries.sort(
                key=lambda e: (
                    e.source != CURATED,
                    not e.modifiers,
                    not e.xcomps,
                    not e.objects,
                    not e.preps,
                    not e.particles,
                )
            )

    def _roles(self) -> frozenset[str]:
        """Lemmas the curated file gives a role other than a category: derived single verbs skip them."""
        return (
            self.commissive | self.refusal | self.negative | self.directive | self.transparent
            | self.reporting_directives | self.evaluation_verbs | self.speech_verbs | self.not_refusals
        )  # fmt: skip

    def _add_entries(self, data: dict, source: str) -> None:
        """The verb_object, phrasal and verbs sections of one document; derived ones under the curated."""
        derived = source == DERIVED
        roles = self._roles() if derived else frozenset()
        curated_verbs = dict(self.verbs)
        curated_objects = frozenset(self.by_verb_object) if derived else frozenset()

        def agrees(verb: str, kind: str | None) -> bool:  # a derived entry may not recode a curated verb
            if not derived:
                return True
            if verb in roles:
                return False  # "stop", "announce plans": the curated control rules decide what it embeds
            return verb not in curated_verbs or kind == curated_verbs[verb]

        for item in data.get("verb_object", []):
            entry = ObjectEntry(
                self._category(item["type"]),
                _words(item.get("objects")),
                _words(item.get("prep")),
                _words(item.get("modifiers")),
                _words(item.get("xcomp")),
                _words(item.get("particle")),
                source,
            )
            for verb in _words(item["verbs"]):
                if agrees(verb, entry.event_type):
                    self.by_verb_object.setdefault(verb, []).append(entry)
        for item in data.get("phrasal", []):
            kind = None if item["type"] is None else self._category(item["type"])  # None: not an event
            entry = PhrasalEntry(
                kind, _words(item["prep"]), item.get("target") == "prep", _words(item.get("particle")), source
            )
            verb = str(item["verb"]).lower()
            if agrees(verb, kind):
                self.by_phrasal.setdefault(verb, []).append(entry)
        for category, lemmas in (data.get("verbs") or {}).items():
            for lemma in _words(lemmas):
                if derived and (lemma in curated_verbs or lemma in roles or lemma in curated_objects):
                    continue  # the curated file decided this lemma (a verb + object lemma: only with those objects)
                if lemma in self.verbs and self.verbs[lemma] != category:
                    raise ValueError(f"plover lexicon: verb {lemma!r} is both {self.verbs[lemma]} and {category}")
                self.verbs[lemma] = self._category(category)
                self.verb_source[lemma] = source

    @staticmethod
    def _category(name: str) -> str:
        name = str(name).upper()
        if name not in CATEGORIES:
            raise ValueError(f"plover lexicon: {name!r} is not a PLOVER category")
        return name


@lru_cache(maxsize=2)
def lexicon(path: str | None = None, derived: str | None = str(DERIVED_PATH)) -> Lexicon:
    """The curated lexicon over the derived one, loaded once per process (``derived=None``: curated only)."""
    import yaml

    with open(path or LEXICON_PATH, encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    base = None
    if derived and Path(derived).exists():
        raw = Path(derived).read_bytes()
        base = yaml.load(raw.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        base["version"] = f"petrarch2-{hashlib.sha256(raw).hexdigest()[:12]}"  # any change to the file shows
    return Lexicon(data, base)
