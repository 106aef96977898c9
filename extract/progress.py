"""What ``wirehouse run`` shows while it works: one line per stage.

A 150-page run once printed nothing for half a minute and then everything at once.  Now, on a
terminal, each stage has one live line rewritten in place (a carriage return, then the line),
at most five times a second::

    fetch       1,234/2,000  61.2/s  20 s  ETA 13 s

and ends with its final line.  Anywhere else (a pipe, CI, Airflow's task log) nothing is drawn
while a stage runs, and exactly one line is printed when it ends (stage, items, seconds, rate)::

    fetch       2,000 items  32.7 s  61.2/s

The stages know nothing of terminals: they take an optional ``Report``, a plain
``report(done, total)`` that ``Progress.update`` is.  The rate counts only the items done after
a stage's first report, so pages taken from the raw store do not make a fetch look faster
than it is.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "Report", "final_line", "frame", "human_seconds"]

Report = Callable[[int, int], None]  # (items done so far, of total)

STAGE_WIDTH = len("dbt build") + 2
REDRAW_EVERY = 0.2  # seconds: ~5 redraws a second; a terminal drawn on every page flickers
CLEAR_TO_END = "\x1b[K"


def human_seconds(seconds: float) -> str:
    """``7 s``, ``2 min 05 s``, ``1 h 02 min``: short enough for a line that keeps changing."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def frame(stage: str, done: int, total: int | None, elapsed: float, rate: float | None) -> str:
    """The live line: stage, done of total, rate, elapsed and, when it can be known, the ETA."""
    parts = [stage.ljust(STAGE_WIDTH) + (f"{done:,}/{total:,}" if total is not None else f"{done:,}")]
    if rate:
        parts.append(f"{rate:.1f}/s")
    parts.append(human_seconds(elapsed))
    if rate and total is not None and total > done:
        parts.append(f"ETA {human_seconds((total - done) / rate)}")
    return "  ".join(parts)


def final_line(stage: str, items: int, seconds: float, failed: bool = False) -> str:
    """The line a stage leaves behind: items, seconds and the rate over the whole stage."""
    if failed:
        return f"{stage.ljust(STAGE_WIDTH)}failed after {seconds:.1f} s"
    rate = f"  {items / seconds:.1f}/s" if seconds > 0 else ""
    return f"{stage.ljust(STAGE_WIDTH)}{items:,} items  {seconds:.1f} s{rate}"


class Progress:
    """One stage at a time: ``start``, any number of ``update``/``advance``, then ``finish``.

    ``live`` (default: ``stream`` is a terminal) draws the rewritten line; otherwise only the
    final lines are written.  ``clock`` is ``time.monotonic`` unless a test gives its own.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.clock = clock
        self.stage = ""
        self.total: int | None = None
        self.done = 0
        self._base: int | None = None  # items done at the first report: the rate's zero
        self._started = self._drawn_at = 0.0
        self._shown = False  # a live frame is on the screen, without its newline

    def start(self, stage: str, total: int | None = None) -> None:
        self.stage, self.total, self.done, self._base = stage, total, 0, None
        self._started = self.clock()
        self._draw(force=True)

    def update(self, done: int, total: int | None = None) -> None:
        """The stage's ``report(done, total)``: where it stands now.  A new total, and the
        last item, are drawn at once; anything else at most every ``REDRAW_EVERY`` seconds."""
        news = total is not None and total != self.total
        if total is not None:
            self.total = total
        if self._base is None:
            self._base = done
        self.done = done
        self._draw(force=news or done == self.total)

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def rate(self) -> float | None:
        """Items a second since the first report, once there is something to measure."""
        elapsed = self.clock() - self._started
        moved = self.done - (self._base or 0)
        return moved / elapsed if moved > 0 and elapsed > 0 else None

    def finish(self, items: int | None = None, failed: bool = False) -> float:
        """Write the stage's final line; return its seconds.  The line counts what the stage
        reported (dbt's nodes, say), or ``items`` for a stage that reported nothing."""
        seconds = self.clock() - self._started
        count = self.done if self.total is not None or items is None else items
        line = final_line(self.stage, count, seconds, failed)
        self._write(("\r" + line + CLEAR_TO_END if self.live else line) + "\n")
        self._shown = False
        return seconds

    def clear(self) -> None:
        """Wipe the live line, so a log record or a message starts on a clean line."""
        if self._shown:
            self._write("\r" + CLEAR_TO_END)
            self._shown = False

    def _draw(self, force: bool = False) -> None:
        now = self.clock()
        if not self.live or (not force and now - self._drawn_at < REDRAW_EVERY):
            return
        self._drawn_at = now
        self._write("\r" + frame(self.stage, self.done, self.total, now - self._started, self.rate()) + CLEAR_TO_END)
        self._shown = True

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
