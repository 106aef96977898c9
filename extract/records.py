"""Records shared by every stage: what was turned away, where and why."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STAGES", "Rejection"]

STAGES = ("discover", "fetch", "clean", "dedupe")


@dataclass(frozen=True)
class Rejection:
    """A URL a stage refused, with a short machine-readable reason and optional detail."""

    url: str
    stage: str
    reason: str
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"unknown stage {self.stage!r}; expected one of {', '.join(STAGES)}")
        if not self.reason:
            raise ValueError("a rejection needs a reason")
