"""Statements: every direct quotation and reported statement in an article, with its speaker.

``find_statements`` takes one parsed article with its resolved actors and returns statements
whose speaker is given by actor key (None when the text names no speaker).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extract.nlp.actors import Actor, Mention

__all__ = ["Statement", "find_statements"]


@dataclass(frozen=True)
class Statement:
    text: str  # direct: the words inside the marks, == doc.text[start:end]; reported: the content clause
    mode: str  # "direct" | "reported"
    start: int  # character offsets into the article's clean text
    end: int
    sentence_index: int
    speaker_key: str | None = None  # an Actor.key from find_actors, or None
    cue: str | None = None  # said, told, according to, ...


def find_statements(doc: Any, actors: list[Actor], mentions: list[Mention]) -> list[Statement]:
    """The statements of one parsed article (none yet: the statement layer is its own issue)."""
    return []
