"""The raw page store: every fetched body kept gzip-compressed, so later stages rerun offline.

A page lives at ``<raw_dir>/<h[:2]>/<h>.html.gz`` with its fetch metadata beside it in
``<h>.json``, where ``h`` is the SHA-256 of the normalised URL.  Writes go through a temporary
file and a rename, so a crash never leaves half a page behind.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["RawStore", "url_key"]


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


class RawStore:
    """Compressed page bodies and their fetch metadata, keyed by URL."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def relative_path(self, url: str) -> str:
        key = url_key(url)
        return f"{key[:2]}/{key}.html.gz"

    def _meta_path(self, url: str) -> Path:
        return self.root / self.relative_path(url).replace(".html.gz", ".json")

    def put(self, url: str, body: bytes, meta: dict[str, Any]) -> str:
        """Store a body (then its metadata, which marks it complete); return its relative path."""
        rel = self.relative_path(url)
        _atomic_write(self.root / rel, gzip.compress(body, compresslevel=3, mtime=0))
        record = {**meta, "url": url, "raw_path": rel}
        _atomic_write(self._meta_path(url), json.dumps(record, sort_keys=True).encode("utf-8"))
        return rel

    def meta(self, url: str) -> dict[str, Any] | None:
        """The metadata of a stored page, or None when the URL was never stored."""
        path = self._meta_path(url)
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    def read(self, rel_path: str) -> bytes:
        return gzip.decompress((self.root / rel_path).read_bytes())
