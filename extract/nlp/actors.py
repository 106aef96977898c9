"""Actors: every person, organisation, country and group an article names, resolved and coded.

``find_actors`` takes one parsed article and returns its actors (one per real-world actor in
the article) and every mention of them, with character offsets into the article's text.
An actor's ``key`` is canonical across articles, so the same actor in two articles gets the
same ``actor_id`` (a hash of the key) in the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["Actor", "Mention", "find_actors"]

KINDS = ("person", "organization", "country", "group")


@dataclass
class Actor:
    key: str  # canonical across articles, e.g. "person:vladimir putin", "country:RUS"
    name: str  # display name, e.g. "Vladimir Putin"
    kind: str  # one of KINDS
    country_code: str | None = None  # ISO 3166-1 alpha-3 affiliation
    sector: str | None = None  # PLOVER sector code: GOV, MIL, JUD, LEG, PTY, COP, MED, BUS, IGO, REB, CVL, ...
    aliases: list[str] = field(default_factory=list)  # every surface form resolved to it in this article


@dataclass(frozen=True)
class Mention:
    actor_key: str
    text: str  # == article text[start:end]
    start: int  # character offsets into the article's clean text
    end: int
    sentence_index: int


_LABELS = {"PERSON": "person", "ORG": "organization", "GPE": "country", "NORP": "group"}


def find_actors(doc: Any, published: date | None = None) -> tuple[list[Actor], list[Mention]]:
    """The actors of one parsed article and their mentions (naive placeholder: NER labels only)."""
    sentence_of = {}
    for index, sent in enumerate(doc.sents):
        for token in sent:
            sentence_of[token.i] = index
    actors: dict[str, Actor] = {}
    mentions: list[Mention] = []
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind is None:
            continue
        key = f"{kind}:{ent.text.lower()}"
        actor = actors.setdefault(key, Actor(key=key, name=ent.text, kind=kind))
        if ent.text not in actor.aliases:
            actor.aliases.append(ent.text)
        mentions.append(Mention(key, ent.text, ent.start_char, ent.end_char, sentence_of[ent.start]))
    return list(actors.values()), mentions
