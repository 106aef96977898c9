"""Helpers for tests that watch a real ``wirehouse run`` subprocess while it works."""

from __future__ import annotations

import threading
from typing import IO

__all__ = ["drain"]


def drain(stream: IO[str], into: list[str]) -> threading.Thread:
    """Copy ``stream``'s lines into ``into`` on a daemon thread, so a test can watch a process's
    output (to kill it at a given stage, say) without its pipe ever filling up and blocking it."""

    def read() -> None:
        for line in stream:
            into.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread
