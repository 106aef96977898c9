"""The raw page store: every version of every fetched body kept gzip-compressed, so later stages
rerun offline (``wirehouse reprocess``) and a page the publisher changed keeps its history.

A body lives at ``<raw_dir>/<h[:2]>/<h>.<s>.html.gz``, where ``h`` is the SHA-256 of the
normalised URL and ``s`` the first 16 hex digits of the body's SHA-256: content-addressed, so a
refetch of an unchanged page writes no body.  Beside it, ``<h>.json`` holds the latest fetch's
metadata (with ``url`` and ``raw_path``) and ``versions``, oldest first, one entry per change of
the body: ``{"body_sha256", "raw_path", "fetched_at"}``.

Stores written before versions existed (a body at ``<h>.html.gz``, metadata without
``versions``) stay readable: ``meta`` presents such a page as a single version, and the next
``put`` of its URL carries that version into the new list.

Writes go through a temporary file and a rename, body before metadata, so a crash never leaves
metadata that points at a missing or half-written body.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["RawStore", "url_key"]

VERSION_KEYS = ("body_sha256", "raw_path", "fetched_at")


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _with_versions(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record in the current shape: an old-layout record becomes its one version."""
    if "versions" in record:
        return record
    return {**record, "versions": [{key: record.get(key) for key in VERSION_KEYS}]}


class RawStore:
    """Compressed page bodies, every version of them, and their fetch metadata, keyed by URL."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _meta_path(self, url: str) -> Path:
        key = url_key(url)
        return self.root / key[:2] / f"{key}.json"

    def put(self, url: str, body: bytes, meta: dict[str, Any]) -> str:
        """Store a fetch of ``url``: its body (unless that version is stored already), then its
        metadata, which marks it complete.  Returns the stored body's relative path."""
        body_sha = hashlib.sha256(body).hexdigest()
        key = url_key(url)
        previous = self.meta(url)
        versions = list(previous["versions"]) if previous else []
        fetched_at = meta.get("fetched_at")
        if versions and versions[-1]["body_sha256"] == body_sha and (self.root / versions[-1]["raw_path"]).exists():
            rel = versions[-1]["raw_path"]
            versions[-1] = {**versions[-1], "fetched_at": fetched_at}
        else:
            rel = f"{key[:2]}/{key}.{body_sha[:16]}.html.gz"
            if not (self.root / rel).exists():
                _atomic_write(self.root / rel, gzip.compress(body, compresslevel=3, mtime=0))
            versions.append({"body_sha256": body_sha, "raw_path": rel, "fetched_at": fetched_at})
        record = {**meta, "url": url, "raw_path": rel, "body_sha256": body_sha, "versions": versions}
        _atomic_write(self._meta_path(url), json.dumps(record, sort_keys=True).encode("utf-8"))
        return rel

    def meta(self, url: str) -> dict[str, Any] | None:
        """The latest fetch's metadata of a stored page, with its ``versions``; None when the URL
        was never stored."""
        path = self._meta_path(url)
        if not path.exists():
            return None
        return _with_versions(json.loads(path.read_text(encoding="utf-8")))

    def iter_meta(self) -> Iterator[dict[str, Any]]:
        """Every stored page's metadata (as ``meta`` gives it), sorted by URL."""
        records = [_with_versions(json.loads(path.read_text(encoding="utf-8"))) for path in self.root.glob("??/*.json")]
        yield from sorted(records, key=lambda record: record["url"])

    def read(self, rel_path: str) -> bytes:
        """A stored body, by the relative path ``put`` returned (or an old-layout one)."""
        return gzip.decompress((self.root / rel_path).read_bytes())
