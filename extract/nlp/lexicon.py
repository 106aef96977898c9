"""Word tables for roles and collectives: titles, organisation heads, group nouns, function words.

Titles (``data/titles.csv``; ranks and their abbreviations in ``data/ranks.csv``) give a
person's sector and are stripped from names; organisation heads (``data/org_heads.csv``) give an
organisation's sector and tell places and addresses from bodies; group nouns
(``data/groups.csv``) name the collectives that can act ("troops", "officials").  Phrase tables
are matched on lower-case tokens, longest phrase first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from extract.nlp.gazetteer import rows, tokenize

__all__ = ["GroupNoun", "Lexicon", "OrgHead", "PhraseTable", "Title", "lexicon"]

V = TypeVar("V")


@dataclass(frozen=True)
class Title:
    phrase: str
    sector: str | None
    kind: str  # role, honorific, regnal, modifier


@dataclass(frozen=True)
class OrgHead:
    phrase: str
    sector: str | None
    kind: str  # named, common, portfolio, place, street


@dataclass(frozen=True)
class GroupNoun:
    noun: str
    group_class: str
    sector: str | None


class PhraseTable(Generic[V]):
    """Lower-case token phrases -> values, with longest-match lookups around a position."""

    def __init__(self, items: dict[tuple[str, ...], V]) -> None:
        self.items = items
        self.maxlen = max((len(k) for k in items), default=0)

    def ending_at(self, lowers: Sequence[str], i: int, lo: int = 0) -> tuple[int, V] | None:
        """The longest phrase whose last token is ``lowers[i]`` and first is at or after ``lo``."""
        for length in range(min(self.maxlen, i - lo + 1), 0, -1):
            value = self.items.get(tuple(lowers[i - length + 1 : i + 1]))
            if value is not None:
                return length, value
        return None

    def starting_at(self, lowers: Sequence[str], i: int, hi: int | None = None) -> tuple[int, V] | None:
        """The longest phrase whose first token is ``lowers[i]`` and that ends before ``hi``."""
        hi = len(lowers) if hi is None else hi
        for length in range(min(self.maxlen, hi - i), 0, -1):
            value = self.items.get(tuple(lowers[i : i + length]))
            if value is not None:
                return length, value
        return None


def _keys(phrase: str) -> set[tuple[str, ...]]:
    """Lower-case token keys of a phrase as written and capitalised ("lt." and "Lt." split apart)."""
    capitalised = " ".join(w[:1].upper() + w[1:] for w in phrase.split())
    return {tuple(t.lower() for t in tokenize(variant)) for variant in (phrase, capitalised)}


class Lexicon:
    def __init__(self) -> None:
        titles: dict[tuple[str, ...], Title] = {}
        self.modifiers: set[str] = set()
        for row in [*rows("titles.csv"), *rows("ranks.csv")]:  # roles, then ranks and their abbreviations
            title = Title(row["phrase"], row["sector"] or None, row["kind"])
            if title.kind == "modifier":
                self.modifiers.add(row["phrase"])
            else:
                for key in _keys(row["phrase"]):
                    titles.setdefault(key, title)
        self.titles = PhraseTable(titles)
        # the last word of every role ("leader" of "supreme leader"): heads of descriptions
        # one-word roles ("leader", "president"): the heads of descriptions ("the Turkish leader")
        self.title_heads = {t.phrase for t in titles.values() if t.kind in ("role", "regnal") and t.phrase.isalpha()}
        heads: dict[tuple[str, ...], OrgHead] = {}
        for row in rows("org_heads.csv"):
            for key in _keys(row["phrase"]):
                heads.setdefault(key, OrgHead(row["phrase"], row["sector"] or None, row["kind"]))
        self.org_heads = PhraseTable(heads)
        self.org_words = {w for k, h in heads.items() if h.kind in ("named", "common", "portfolio") for w in k}
        self.common_orgs = PhraseTable({k: h for k, h in heads.items() if h.kind == "common"})
        self.common_org_words = {k[-1] for k in self.common_orgs.items}
        groups: dict[tuple[str, ...], GroupNoun] = {}
        for row in rows("groups.csv"):
            for key in _keys(row["noun"]):
                groups[key] = GroupNoun(row["noun"], row["class"], row["sector"] or None)
        self.groups = PhraseTable(groups)
        self.group_nouns = {k[-1] for k in groups}


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()
