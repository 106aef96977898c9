"""The staging folder: one directory per batch, where each stage leaves JSON Lines for the next.

Stages pass paths, never data, between each other (and between Airflow tasks).  Every file
is written to a temporary name and renamed, so a reader sees a whole file or none.  The
temporary name carries the file's own name (``.tmp-articles-0003.<random>.jsonl``), so when a
killed stage leaves one behind, the next run of that stage and part finds and removes its own
leftovers (``remove_stale_temps``) without touching a concurrent part's files.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from extract.settings import Settings

__all__ = ["JsonlWriter", "batch_dir", "batch_path", "read_jsonl", "remove_stale_temps", "write_jsonl"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def batch_path(settings: Settings, batch_id: str) -> Path:
    """Where the staging folder of a batch is (batch ids made path-safe), without creating it:
    a reader asking about an unknown batch must not leave an empty folder behind."""
    return settings.staging_path / _SAFE.sub("_", batch_id)


def batch_dir(settings: Settings, batch_id: str) -> Path:
    """The staging folder of a batch, created on demand."""
    path = batch_path(settings, batch_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _temp_prefix(path: Path) -> str:
    return f".tmp-{path.stem}."


def remove_stale_temps(folder: Path, names: list[str]) -> int:
    """Remove temporary files that writers of ``names`` (``articles-0003.jsonl``, ...) left in
    ``folder`` when they were killed; return how many.  Call it before the stage writes again."""
    removed = 0
    for name in names:
        target = folder / name
        for path in folder.glob(f"{_temp_prefix(target)}*{target.suffix}"):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def jsonl_line(row: dict[str, Any]) -> str:
    """One row as a line of a staged file."""
    return json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"


class JsonlWriter:
    """One staged file written row by row: the rows go to a temporary file that replaces
    ``path`` when the ``with`` block ends without an error, and is removed when it does not."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=path.suffix)
        self._handle = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, row: dict[str, Any]) -> None:
        self._handle.write(jsonl_line(row))
        self.count += 1

    def write_lines(self, lines: str, count: int) -> None:
        """Append ``count`` rows already serialised by ``jsonl_line`` (in a worker, say)."""
        self._handle.write(lines)
        self.count += count

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._handle.close()
        if kind is None:
            os.replace(self._tmp, self.path)
        else:
            Path(self._tmp).unlink(missing_ok=True)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Replace ``path`` with one JSON object per line; return the number of rows."""
    with JsonlWriter(path) as writer:
        for row in rows:
            writer.write(row)
    return writer.count


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a staged file; a stage that has not run yet reads as empty."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)
