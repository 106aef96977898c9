"""Errors the person at the terminal caused or can act on, as opposed to bugs.

``wirehouse`` turns these into exit status 2 and one line on stderr, with no traceback: a
missing input file, an unknown batch or a warehouse held by another run is a thing to fix
or wait for, and a traceback would only hide the one sentence that says so.
"""

from __future__ import annotations

__all__ = ["LockBusy", "UsageError"]


class UsageError(Exception):
    """What was asked for cannot be done as asked (a missing, binary or unreadable input file,
    an unknown batch); nothing was written."""


class LockBusy(UsageError):
    """Another live run holds the warehouse or the batch's staging folder; nothing was written."""
