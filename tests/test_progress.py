"""Per-stage progress: live lines on a terminal, one line per stage anywhere else.

The display is checked on its own with a clock the test moves, then on real ``wirehouse run``
processes over the demo site: once with stderr a pseudo-terminal (``pty.openpty``), once with
every stream a pipe, as CI and Airflow's logs see it.
"""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from extract.progress import Progress, frame, human_seconds

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("discover", "fetch", "clean", "nlp", "load", "dbt build", "checks")
FINAL = re.compile(r"^(discover|fetch|clean|nlp|load|dbt build|checks) +[\d,]+ items  \d+\.\d s(  [\d.]+/s)?$")


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_throttled_frames_with_rate_and_eta_then_a_final_line() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=True, clock=clock)
    progress.start("fetch")
    progress.update(0, 2000)  # a new total is drawn at once
    for _ in range(100):  # 100 results within 0.1 s: no frame for them
        clock.now += 0.001
        progress.advance()
    clock.now += 0.2
    progress.advance()  # past the throttle: drawn
    frames = out.getvalue().split("\r")[1:]
    assert len(frames) == 3, frames
    assert frames[1].startswith("fetch") and "0/2,000" in frames[1]
    assert re.search(r"101/2,000  336\.7/s  0 s  ETA 6 s", frames[2]), frames[2]
    clock.now += 5.0
    assert progress.finish(2000) == pytest.approx(5.3)
    assert out.getvalue().endswith("\rfetch      101 items  5.3 s  19.1/s\x1b[K\n")


def test_anywhere_else_only_the_final_line_is_written() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=False, clock=clock)
    for stage in ("clean", "load"):
        progress.start(stage)
        if stage == "clean":
            progress.update(0, 40)
            clock.now += 2.0
            progress.update(40, 40)
        clock.now += 0.5
        progress.finish(7)  # used only by a stage that reported nothing
    lines = out.getvalue().splitlines()
    assert lines == ["clean      40 items  2.5 s  16.0/s", "load       7 items  0.5 s  14.0/s"]
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_pages_from_the_raw_store_do_not_make_the_rate_or_eta_lie() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=True, clock=clock)
    progress.start("fetch")
    progress.update(1900, 2000)  # cached: done at once
    clock.now += 10.0
    progress.update(1910)
    assert progress.rate() == pytest.approx(1.0)
    assert out.getvalue().split("\r")[-1].startswith(frame("fetch", 1910, 2000, 10.0, 1.0))
    assert "ETA 1 min 30 s" in out.getvalue()


def test_a_failed_stage_ends_its_line_so_the_error_starts_on_a_fresh_one() -> None:
    out, clock = io.StringIO(), Clock()
    progress = Progress(out, live=True, clock=clock)
    progress.start("nlp")
    progress.update(3, 10)
    clock.now += 1.25
    progress.finish(failed=True)
    assert out.getvalue().endswith("\rnlp        failed after 1.2 s\x1b[K\n")


def test_human_seconds() -> None:
    assert [human_seconds(s) for s in (0.4, 59.4, 125, 3725)] == ["0 s", "59 s", "2 min 05 s", "1 h 02 min"]


# --- a real run -----------------------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIREHOUSE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        WIREHOUSE_HOME=str(home),
        WIREHOUSE_ALLOW_PRIVATE="1",
        WIREHOUSE_HOST_DELAY="0",
        # one page or article a chunk, in this process: NLP reports after every article
        WIREHOUSE_WORKERS="1",
        WIREHOUSE_CLEAN_CHUNK_SIZE="1",
        WIREHOUSE_NLP_CHUNK_SIZE="1",
    )
    return env


def _command(feed: str) -> list[str]:
    return [sys.executable, "-m", "extract.cli", "run", "--feed", feed]


def _read_all(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every copy of the terminal's other end is closed
            return
        if not chunk:
            return
        into.append(chunk)


def test_on_a_terminal_each_stage_has_a_live_line_with_its_total(demo_site, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    received: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(master, received), daemon=True)
    reader.start()
    try:
        run = subprocess.run(
            _command(demo_site.url("/feed.xml")),
            env=_env(tmp_path / "home"),
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            timeout=600,
        )
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    screen = b"".join(received).decode()
    assert run.returncode == 0, screen[-3000:]
    frames = screen.replace("\n", "\r").split("\r")
    for stage in ("fetch", "clean", "nlp", "dbt build"):
        totals = [re.match(rf"{stage} +([\d,]+)/([\d,]+)  ", f) for f in frames]
        shown = [(int(m[1].replace(",", "")), int(m[2].replace(",", ""))) for m in totals if m]
        assert shown, f"no frame with a total for {stage}: {screen[-2000:]}"
        assert max(done for done, _ in shown) <= shown[-1][1]
    nlp = [f for f in frames if re.match(r"nlp +\d+/\d+  ", f)]
    assert any(re.match(r"nlp +(\d+)/(\d+)  .*/s  \d+ s  ETA ", f) for f in nlp), nlp  # mid-stage: rate, ETA
    finals = [line.split("\r")[-1].removesuffix("\x1b[K") for line in screen.splitlines()]
    assert [line.split("  ")[0].strip() for line in finals if FINAL.match(line)] == list(STAGES), screen[-3000:]
    assert not any(FINAL.match(line) for line in run.stdout.splitlines())  # the terminal had them
    assert "rows per mart:" in run.stdout


def test_in_a_pipe_each_stage_prints_exactly_one_line_when_it_ends(demo_site, tmp_path: Path) -> None:
    run = subprocess.run(
        _command(demo_site.url("/feed.xml")),
        env=_env(tmp_path / "home"),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [line for line in run.stdout.splitlines() if FINAL.match(line)]
    assert [line.split("  ")[0].strip() for line in lines] == list(STAGES), run.stdout
    fetch = next(line for line in lines if line.startswith("fetch"))
    discovered = re.search(r"discovered (\d+)", run.stdout)
    assert discovered and f" {discovered[1]} items " in fetch  # the summary's count of the same URLs
    assert "\r" not in run.stdout + run.stderr and "\x1b[" not in run.stdout + run.stderr
    assert run.stderr == ""  # stderr keeps only errors and refusals
