"""Events: who did what to whom, when and where, coded in PLOVER.

``find_events`` takes one parsed article with its actors and statements and returns events
whose source and target are given by actor key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.statements import Statement

__all__ = ["METHOD_VERSION", "Event", "find_events"]

METHOD_VERSION = "wirehouse-events/0"


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


def find_events(
    doc: Any, actors: list[Actor], mentions: list[Mention], statements: list[Statement], published: date | None
) -> list[Event]:
    """The events of one parsed article (none yet: the event layer is its own issue)."""
    return []
