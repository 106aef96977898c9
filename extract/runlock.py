"""One writer per warehouse and one live run per staging folder: file locks beside what they guard.

DuckDB lets one process write a file at a time.  Two runs that reached their writes together
used to fail half-way (the second one after its load had committed), and two runs sharing a
staging folder mixed their batches.  So:

- a run holds ``<warehouse>.lock`` from just before ``load`` until its checks, snapshot and
  summary are done.  Runs overlap their fetch, clean and NLP and queue only for the writes; a
  waiting run says on stderr whom it waits for (the holder leaves its pid, batch and start in
  ``<warehouse>.lock.json``) and gives up after ``settings.lock_timeout`` seconds (0: at once)
  with :class:`~extract.errors.LockBusy`, having written nothing.
- ``wirehouse run`` holds ``staging/<batch>/.run.lock`` for its whole life, so a second live run
  of the same batch refuses at once instead of rewriting the first one's files.  The DAG's
  parts of one batch share their folder by design and do not take this lock.

The locks are ``flock`` locks (``filelock``): the kernel drops them when their process dies,
even by ``kill -9``, so a crash never leaves a warehouse locked.  A holder file left by a killed
run is harmless: it is read only when the lock is really held, and the next holder rewrites it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from extract.errors import LockBusy
from extract.settings import Settings
from extract.staging import batch_dir

__all__ = ["RUN_LOCK", "holder", "staging_lock", "warehouse_lock", "warehouse_lock_path"]

RUN_LOCK = ".run.lock"


def warehouse_lock_path(warehouse: Path) -> Path:
    """``<warehouse>.lock``, beside the warehouse file."""
    return warehouse.with_name(warehouse.name + ".lock")


def _holder_path(lock: Path) -> Path:
    return lock.with_name(lock.name + ".json")


def holder(lock: Path) -> dict[str, Any]:
    """Who holds ``lock``, as the holder wrote it (pid, batch, since); empty when unknown."""
    try:
        info = json.loads(_holder_path(lock).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _describe(lock: Path) -> str:
    info = holder(lock)
    return f"pid {info.get('pid', '?')}, batch {info.get('batch', '?')}, since {info.get('since', '?')}"


def _acquire(lock: FileLock, timeout: float) -> bool:
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        return False
    return True


@contextmanager
def _holding(lock: FileLock, path: Path, batch_id: str) -> Iterator[Path]:
    """Leave who we are beside the acquired ``lock`` while the block runs, then release it."""
    since = datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        _holder_path(path).write_text(json.dumps({"pid": os.getpid(), "batch": batch_id, "since": since}))
        yield path
    finally:
        _holder_path(path).unlink(missing_ok=True)
        lock.release()


@contextmanager
def warehouse_lock(settings: Settings, batch_id: str) -> Iterator[Path]:
    """Hold the warehouse's single-writer lock for the block, waiting up to ``lock_timeout`` s.

    Raises :class:`LockBusy` (one line naming the holder) when the wait runs out.
    """
    warehouse = settings.warehouse_path
    path = warehouse_lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)
    if not _acquire(lock, 0):
        who = _describe(path)
        if settings.lock_timeout <= 0:
            raise LockBusy(f"{warehouse} is held by another run ({who}) and lock_timeout is 0; nothing written")
        print(f"waiting for the run that holds {warehouse} ({who})…", file=sys.stderr, flush=True)
        if not _acquire(lock, settings.lock_timeout):
            raise LockBusy(
                f"gave up after {settings.lock_timeout:g} s waiting for the run that holds {warehouse} "
                f"({_describe(path)}); nothing written"
            )
    with _holding(lock, path, batch_id):
        yield path


@contextmanager
def staging_lock(settings: Settings, batch_id: str) -> Iterator[Path]:
    """Own the batch's staging folder for the block; refuse at once when a live run owns it."""
    path = batch_dir(settings, batch_id) / RUN_LOCK
    lock = FileLock(path)
    if not _acquire(lock, 0):
        raise LockBusy(f"batch {batch_id} is being run right now by another run ({_describe(path)}); nothing written")
    with _holding(lock, path, batch_id):
        yield path
