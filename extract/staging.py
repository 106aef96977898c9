"""The staging folder: one directory per batch, where each stage leaves JSON Lines for the next.

Stages pass paths, never data, between each other (and between Airflow tasks).  Every file
is written to a temporary name and renamed, so a reader sees a whole file or none.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from extract.settings import Settings

__all__ = ["JsonlWriter", "batch_dir", "read_jsonl", "write_jsonl"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def batch_dir(settings: Settings, batch_id: str) -> Path:
    """The staging folder of a batch (created on demand); batch ids are made path-safe."""
    path = settings.staging_path / _SAFE.sub("_", batch_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        fd, self._tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jsonl")
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
