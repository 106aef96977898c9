"""The PLOVER lexicon: which predicates carry which category, read from ``data/plover_lexicon.yml``.

The lexicon is data (readable YAML with a ``version``); this module only loads it into lookup
tables keyed by lemma, once per process, and checks it names real categories.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class PhrasalEntry:
    event_type: str | None  # None: the particle makes it no event ("seize on an idea")
    preps: frozenset[str]
    target_is_prep_object: bool


@dataclass(frozen=True)
class NounEntry:
    event_type: str
    preps: tuple[str, ...]  # prepositions introducing the target, in order of preference
    modifiers: frozenset[str] = frozenset()  # the noun must carry one of these ("hunger strike"); empty: any


def _words(value: object) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str | bool) else list(value)  # type: ignore[call-overload]
    if any(isinstance(v, bool) for v in items):
        raise ValueError("plover lexicon: a bare on/off/yes/no reads as a boolean in YAML; quote it")
    return frozenset(str(v).lower() for v in items)


class Lexicon:
    """Lookup tables built from the YAML document; see the file's header for the sections."""

    def __init__(self, data: dict) -> None:
        self.version = str(data["version"])
        self.by_verb_object: dict[str, list[ObjectEntry]] = {}
        self.by_phrasal: dict[str, list[PhrasalEntry]] = {}
        self.verbs: dict[str, str] = {}
        self.nouns: dict[str, list[NounEntry]] = {}
        for item in data.get("verb_object", []):
            entry = ObjectEntry(
                self._category(item["type"]),
                _words(item.get("objects")),
                _words(item.get("prep")),
                _words(item.get("modifiers")),
                _words(item.get("xcomp")),
            )
            for verb in _words(item["verbs"]):
                self.by_verb_object.setdefault(verb, []).append(entry)
        for entries in self.by_verb_object.values():  # the most constrained entries are tried first
            entries.sort(key=lambda e: (not e.modifiers, not e.xcomps, not e.objects, not e.preps))
        for item in data.get("phrasal", []):
            kind = None if item["type"] is None else self._category(item["type"])  # None: not an event
            entry = PhrasalEntry(kind, _words(item["prep"]), item.get("target") == "prep")
            self.by_phrasal.setdefault(str(item["verb"]).lower(), []).append(entry)
        for category, lemmas in (data.get("verbs") or {}).items():
            for lemma in _words(lemmas):
                if lemma in self.verbs and self.verbs[lemma] != category:
                    raise ValueError(f"plover lexicon: verb {lemma!r} is both {self.verbs[lemma]} and {category}")
                self.verbs[lemma] = self._category(category)
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
        self.patient_possessive = _words(data.get("patient_possessive"))
        self.intransitive_only = _words(data.get("intransitive_only"))
        actor_object = data.get("actor_object") or {}
        self.actor_object_verbs = _words(actor_object.get("verbs"))
        self.actor_object_words = _words(actor_object.get("words"))

    @staticmethod
    def _category(name: str) -> str:
        name = str(name).upper()
        if name not in CATEGORIES:
            raise ValueError(f"plover lexicon: {name!r} is not a PLOVER category")
        return name


@lru_cache(maxsize=1)
def lexicon(path: str | None = None) -> Lexicon:
    """The lexicon, loaded once per process."""
    import yaml

    with open(path or LEXICON_PATH, encoding="utf-8") as handle:
        return Lexicon(yaml.safe_load(handle))
