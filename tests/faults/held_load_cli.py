"""``python held_load_cli.py ARGS``: the wirehouse CLI, held still inside its load transaction.

A kill test needs the run to be *inside* ``load_batch``'s transaction when the signal lands; the
stage itself takes a tenth of a second, too short a window to hit by watching the log.  This
launcher wraps ``extract.load._mark_duplicates`` (called between ``begin`` and ``commit``): once
it has run, the launcher prints ``HELD_MARK`` on stderr and sleeps, so the kill provably lands
after rows were deleted and before anything was committed.  Only the test suite uses it; the
shipped CLI has no such hook.
"""

from __future__ import annotations

import runpy
import sys
import time
from typing import Any

import extract.load

HELD_MARK = "held inside the load transaction"
HOLD_SECONDS = 60.0

_mark_duplicates = extract.load._mark_duplicates


def _mark_then_hold(*args: Any, **kwargs: Any) -> int:
    n = _mark_duplicates(*args, **kwargs)
    print(HELD_MARK, file=sys.stderr, flush=True)
    time.sleep(HOLD_SECONDS)
    return n


if __name__ == "__main__":
    extract.load._mark_duplicates = _mark_then_hold
    sys.argv[0] = "wirehouse"
    runpy.run_module("extract.cli", run_name="__main__", alter_sys=True)
