"""Faster stand-ins for two of spaCy's rule components, giving the same annotation.

In ``en_core_web_sm`` the two rule components cost a third of the parse: the attribute ruler
runs a Matcher of 179 patterns over every token, and the rule lemmatizer makes several Python
calls per token.  Yet both answer from a few token attributes only:

- a one-token pattern of the attribute ruler matches or not by the token's own TAG, LOWER, DEP
  and the like, so the merged attributes it sets are computed once per distinct combination;
  the few longer patterns ("gon na", "let 's") still go through a Matcher of their own;
- the lemma of a token is a function of its ORTH, POS and MORPH (spaCy's own cache key).

``accelerate(nlp)`` swaps the stand-ins in where the pipeline has the stock components and
leaves anything it does not understand (another pattern predicate, another lemmatizer mode) to
spaCy.  ``tests/test_nlp_model.py`` checks the two pipelines annotate real articles identically.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

__all__ = ["accelerate"]

# token attributes a one-token pattern may test: name -> (array attribute, value as patterns see it)
_FEATURES: dict[str, tuple[int, Callable[[Any, int], Any]]] = {
    "TAG": (TAG, lambda strings, v: strings[v]),
    "LOWER": (LOWER, lambda strings, v: strings[v]),
    "ORTH": (ORTH, lambda strings, v: strings[v]),
    "TEXT": (ORTH, lambda strings, v: strings[v]),
    "NORM": (NORM, lambda strings, v: strings[v]),
    "DEP": (DEP, lambda strings, v: strings[v]),
    "IS_SPACE": (IS_SPACE, lambda strings, v: bool(v)),
}
_PREDICATES = {"IN", "NOT_IN", "REGEX"}
_WORD_FEATURES = ("LOWER", "ORTH", "TEXT", "NORM")
_CACHE_LIMIT = 500_000  # distinct keys kept before a cache starts over


def _test(spec: Any, value: Any) -> bool:
    """Does ``value`` satisfy one pattern value (a constant or a predicate dict)?"""
    if not isinstance(spec, dict):
        return value == spec
    for name, argument in spec.items():
        if name == "IN" and value not in argument:
            return False
        if name == "NOT_IN" and value in argument:
            return False
        if name == "REGEX" and not re.search(argument, value):
            return False
    return True


def _listed(spec: Any) -> bool:
    """Does a pattern value name its words (a constant, or IN a list)?"""
    return isinstance(spec, str) or (isinstance(spec, dict) and set(spec) == {"IN"})


def _words(spec: Any) -> list[str]:
    return [spec] if isinstance(spec, str) else list(spec["IN"])


def _bound(cache: dict[Any, Any]) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()


def _understood(pattern: list[dict[str, Any]]) -> bool:
    return all(
        name in _FEATURES and (not isinstance(spec, dict) or set(spec) <= _PREDICATES)
        for token_spec in pattern
        for name, spec in token_spec.items()
    )


class TableAttributeRuler:
    """The attribute ruler with its one-token patterns answered from tables.

    A one-token pattern that names its word (``{"LOWER": "has", "TAG": "VBZ"}``) is filed under
    that word; those testing no word are decided once per combination of the features they test
    (TAG, DEP, ...), few enough that almost every token is a hit from its first articles on.
    Only a token whose word is filed is checked against its word's patterns, and a word tested
    by a regular expression is checked once per token kind; both verdicts are remembered.
    """

    def __init__(self, nlp: Language, name: str, stock: Any) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.attrs: list[dict[int, Any]] = stock.attrs
        self.indices: list[int] = stock.indices
        self.matcher = Matcher(nlp.vocab)  # the longer patterns
        single: list[tuple[int, dict[str, Any]]] = []  # (rule number, token spec)
        for number, rule in enumerate(stock.patterns):
            longer = [p for p in rule["patterns"] if len(p) > 1]
            single += [(number, p[0]) for p in rule["patterns"] if len(p) == 1]
            if longer:
                self.matcher.add(str(number), longer)
        self.general: list[tuple[int, dict[str, Any]]] = []  # testing no word at all
        self.unlisted: list[tuple[int, dict[str, Any]]] = []  # testing a word by REGEX or NOT_IN
        self.by_word: dict[str, dict[int, list[tuple[int, dict[str, Any]]]]] = {}
        for number, spec in single:
            word = next((n for n in _WORD_FEATURES if _listed(spec.get(n))), None)
            if word is None:
                words_tested = any(n in _WORD_FEATURES for n in spec)
                (self.unlisted if words_tested else self.general).append((number, spec))
                continue
            index = self.by_word.setdefault(word, {})
            for value in _words(spec[word]):
                index.setdefault(self.vocab.strings.add(value), []).append((number, spec))
        self.feature_names = sorted({name for _n, spec in single for name in spec} | set(self.by_word))
        self.feature_attrs = [_FEATURES[name][0] for name in self.feature_names]
        position = {name: i for i, name in enumerate(self.feature_names)}
        self.general_columns = [position[n] for n in sorted({n for _i, spec in self.general for n in spec})]
        self.word_columns = [(position[n], index) for n, index in self.by_word.items()]
        self.general_cache: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.unlisted_cache: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.word_cache: dict[tuple[int, ...], tuple[int, ...]] = {}

    @classmethod
    def understands(cls, stock: Any) -> bool:
        return all(_understood(pattern) for rule in stock.patterns for pattern in rule["patterns"])

    def _matching(self, row: list[int], specs: list[tuple[int, dict[str, Any]]]) -> set[int]:
        strings = self.vocab.strings
        values = {n: _FEATURES[n][1](strings, v) for n, v in zip(self.feature_names, row, strict=True)}
        return {n for n, spec in specs if all(_test(s, values[name]) for name, s in spec.items())}

    def _rules_for(self, row: list[int]) -> tuple[int, ...]:
        """The numbers of the one-token rules a token with these feature values matches, in order."""
        key = tuple(row[i] for i in self.general_columns)
        rules = self.general_cache.get(key)
        if rules is None:
            rules = self.general_cache[key] = tuple(sorted(self._matching(row, self.general)))
            _bound(self.general_cache)
        full = tuple(row)
        unlisted: tuple[int, ...] = ()
        if self.unlisted:
            unlisted = self.unlisted_cache.get(full)  # type: ignore[assignment]
            if unlisted is None:
                unlisted = self.unlisted_cache[full] = tuple(self._matching(row, self.unlisted))
                _bound(self.unlisted_cache)
        candidates = [spec for column, index in self.word_columns for spec in index.get(row[column], ())]
        if not candidates and not unlisted:
            return rules
        found = self.word_cache.get(full)
        if found is None:
            found = self.word_cache[full] = tuple(sorted(self._matching(row, candidates).union(rules, unlisted)))
            _bound(self.word_cache)
        return found

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        rules_at: list[tuple[int, ...]] = [()] * len(doc)
        if self.feature_attrs:
            rows = doc.to_array(self.feature_attrs).reshape(len(doc), -1).tolist()
            rules_at = [self._rules_for(row) for row in rows]
        if len(self.matcher):
            extra: dict[int, set[int]] = {}
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                number = int(self.vocab.strings[match_id])
                target = range(start, end)[self.indices[number]]  # an IndexError as spaCy's
                extra.setdefault(target, set()).add(number)
            for i, numbers in extra.items():
                rules_at[i] = tuple(sorted(numbers.union(rules_at[i])))
        merged: dict[tuple[int, ...], dict[int, Any]] = {}
        for i, rules in enumerate(rules_at):
            if not rules:
                continue
            attrs = merged.get(rules)
            if attrs is None:  # later rules win, as in the attribute ruler's sorted matches
                attrs = merged[rules] = {k: v for n in rules for k, v in self.attrs[n].items()}
            set_token_attrs(doc[i], attrs)
        return doc


class CachedLemmatizer:
    """The rule lemmatizer, answering each (ORTH, POS, MORPH) seen before from a table."""

    def __init__(self, name: str, stock: Any) -> None:
        self.name = name
        self.stock = stock
        self.strings = stock.vocab.strings
        self.cache: dict[tuple[int, int, int], int] = {}

    @classmethod
    def understands(cls, stock: Any) -> bool:
        return getattr(stock, "mode", None) == "rule" and hasattr(stock, "rule_lemmatize")

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self.stock.overwrite:
                continue
            key = (orth, pos, morph)
            value = self.cache.get(key)
            if value is None:
                value = self.cache[key] = self.strings.add(self.stock.lemmatize(doc[i])[0])
                _bound(self.cache)
            lemmas[i] = value
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


@Language.factory("wirehouse_table_attribute_ruler", default_config={"stock": "attribute_ruler"})
def _make_attribute_ruler(nlp: Language, name: str, stock: str) -> TableAttributeRuler:
    return TableAttributeRuler(nlp, name, nlp.get_pipe(stock))


@Language.factory("wirehouse_cached_lemmatizer", default_config={"stock": "lemmatizer"})
def _make_lemmatizer(nlp: Language, name: str, stock: str) -> CachedLemmatizer:
    return CachedLemmatizer(name, nlp.get_pipe(stock))


def accelerate(nlp: Language) -> list[str]:
    """Swap the stand-ins in for the stock components they understand; the names swapped."""
    swapped = []
    for name, component in list(nlp.pipeline):
        kind = type(component).__name__
        if kind == "AttributeRuler" and TableAttributeRuler.understands(component):
            factory = "wirehouse_table_attribute_ruler"
        elif kind.endswith("Lemmatizer") and CachedLemmatizer.understands(component):
            factory = "wirehouse_cached_lemmatizer"
        else:
            continue
        # built beside the stock component (it reads its rules), which then gives up its place
        nlp.add_pipe(factory, name=f"{name}_table", before=name, config={"stock": name})
        nlp.remove_pipe(name)
        nlp.rename_pipe(f"{name}_table", name)
        swapped.append(name)
    return swapped
