"""Bulk exports: every public mart as Parquet (zstd) or CSV files, with a manifest.

GDELT, ACLED and POLECAT users work from files, not from a database, so ``wirehouse export``
writes each table of schema ``marts`` (found at run time, so a new mart is exported without a
change here) into a folder:

- a mart with an event date (a DATE column ``event_date``, ``event_day`` or ``day``) is split
  by month, hive-style: ``<mart>/event_month=YYYY-MM/data_0.parquet``, and rows without a date
  go to ``event_month=unknown/``; every other mart is one file, ``<mart>.parquet``.
- ``since``: only rows on or after the date, by the first rule that fits the mart (``SINCE_RULES``
  below, and the manifest says which rule each mart got): dimensions whole; the run ledger
  (``fct_batch``, ``fct_rejection``: no publication date, and small) whole; a mart with
  ``published_at`` by it; a fact about one article (``article_id``) by its article's
  ``published_at``; a mart of stories by ``last_reported_at`` (so every exported event's story
  is exported too); any other mart by its own date column; else whole.  Rows without the date
  are left out.
- ``manifest.json`` goes in last: export time, the database file read (the live warehouse or
  its snapshot), the latest batch id and load_seq, the format, and per file its relative path,
  mart, rows, bytes and sha256.  Rows are counted by reading each written file back.

The marts are read through ``extract.snapshot.open_reader`` (the published snapshot while a
run writes) on an ordinary read-only connection, whose ``COPY ... TO`` writes the files; the
query sandbox would refuse it.  Everything is written into a hidden folder beside the target
(``.<name>.export-tmp-<pid>``) and renamed into place, so the target holds a whole export or
the previous one, and a folder of that name is a half-written export.  A non-empty target that
is not a previous export (a manifest listing every file in it) is refused, never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from extract.errors import UsageError
from extract.settings import Settings
from extract.snapshot import open_reader

__all__ = [
    "EXPORT_KIND",
    "FORMATS",
    "MANIFEST",
    "SINCE_RULES",
    "export_marts",
    "is_previous_export",
    "parse_since",
    "summary_line",
]

EXPORT_KIND = "wirehouse-export"
MANIFEST = "manifest.json"
FORMATS = {"parquet": "format parquet, compression zstd", "csv": "format csv, header true"}
EVENT_DATE_COLUMNS = ("event_date", "event_day", "day")
PARTITION = "event_month"
LEDGERS = frozenset({"fct_batch", "fct_rejection"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Mart:
    """One table of schema ``marts``: its name and its columns with their DuckDB types."""

    name: str
    columns: dict[str, str]

    def date_column(self) -> str | None:
        """The event date the mart is split by month on, if it has one."""
        return next((c for c in EVENT_DATE_COLUMNS if self.columns.get(c) == "DATE"), None)

    def own_date(self) -> str | None:
        """Its event date, else its first DATE column."""
        return self.date_column() or next((c for c, t in self.columns.items() if t == "DATE"), None)


# (what the manifest calls the rule, does it fit the mart, its WHERE clause for a date literal)
SinceRule = tuple[str, Callable[[Mart], bool], Callable[[Mart, str], str]]
SINCE_RULES: list[SinceRule] = [
    ("whole (a dimension)", lambda m: m.name.startswith("dim_"), lambda m, d: "true"),
    ("whole (the run ledger)", lambda m: m.name in LEDGERS, lambda m, d: "true"),
    ("published_at", lambda m: "published_at" in m.columns, lambda m, d: f"published_at >= {d}"),
    (
        "published_at of its article",
        lambda m: "article_id" in m.columns,
        lambda m, d: f"article_id in (select article_id from marts.fct_article where published_at >= {d})",
    ),
    (
        "last_reported_at (its latest report)",
        lambda m: "last_reported_at" in m.columns,
        lambda m, d: f"last_reported_at >= {d}",
    ),
    ("its own date", lambda m: m.own_date() is not None, lambda m, d: f'"{m.own_date()}" >= {d}'),
    ("whole (no date)", lambda m: True, lambda m, d: "true"),
]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _marts(con: duckdb.DuckDBPyConnection) -> list[Mart]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, {})[column] = data_type
    return [Mart(name, cols) for name, cols in columns.items()]


def _since_rule(mart: Mart, since: date | None) -> tuple[str, str]:
    """The rule's name (in the manifest either way) and the WHERE clause (``true`` without ``since``)."""
    name, _, where = next(rule for rule in SINCE_RULES if rule[1](mart))
    return (name, where(mart, f"date '{since.isoformat()}'") if since else "true")


def _copy(con: duckdb.DuckDBPyConnection, mart: Mart, where: str, folder: Path, fmt: str) -> None:
    """One ``COPY`` of the mart's rows into ``folder``: a file, or a month-partitioned folder."""
    source = f'marts."{mart.name}"'
    options = f"({FORMATS[fmt]})"
    date_column = mart.date_column()
    if date_column is None:
        target = folder / f"{mart.name}.{fmt}"
        con.execute(f"copy (select * from {source} where {where}) to {_quote(str(target))} {options}")
        return
    month = f"coalesce(strftime(\"{date_column}\", '%Y-%m'), 'unknown') as {PARTITION}"
    partitioned = f"({FORMATS[fmt]}, partition_by ({PARTITION}), filename_pattern 'data_{{i}}')"
    query = f"select *, {month} from {source} where {where}"
    con.execute(f"copy ({query}) to {_quote(str(folder / mart.name))} {partitioned}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _rows_in(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> int:
    """Rows in a written file, read back from the file itself."""
    reader = (
        "read_parquet(?)"
        if fmt == "parquet"
        else "read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)"
    )
    return con.execute(f"select count(*) from {reader}", [str(path)]).fetchone()[0]


def _file_entries(con: duckdb.DuckDBPyConnection, folder: Path, mart: str, fmt: str) -> list[dict[str, Any]]:
    written = [folder / f"{mart}.{fmt}"] if (folder / f"{mart}.{fmt}").is_file() else []
    written += sorted(p for p in (folder / mart).rglob(f"*.{fmt}") if p.is_file())
    return [
        {
            "path": path.relative_to(folder).as_posix(),
            "mart": mart,
            "rows": _rows_in(con, path, fmt),
            "bytes": path.stat().st_size,
            "sha256": _sha256(path),
        }
        for path in written
    ]


def _latest_batch(con: duckdb.DuckDBPyConnection) -> tuple[str | None, int | None]:
    try:
        row = con.execute("select batch_id, load_seq from raw.batches order by load_seq desc limit 1").fetchone()
    except duckdb.CatalogException:  # a warehouse built without a load
        row = None
    return (row[0], row[1]) if row else (None, None)


def _database_file(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()[0]


def _write_export(con: duckdb.DuckDBPyConnection, folder: Path, fmt: str, since: date | None) -> dict[str, Any]:
    """Every mart's files into ``folder``, then its manifest; the manifest's content."""
    batch_id, load_seq = _latest_batch(con)
    marts: dict[str, dict[str, Any]] = {}
    files: list[dict[str, Any]] = []
    for mart in _marts(con):
        rule, where = _since_rule(mart, since)
        _copy(con, mart, where, folder, fmt)
        entries = _file_entries(con, folder, mart.name, fmt)
        files += entries
        marts[mart.name] = {
            "rows": sum(e["rows"] for e in entries),
            "partitioned_by": PARTITION if mart.date_column() else None,
            "since_rule": rule,
        }
    manifest = {
        "kind": EXPORT_KIND,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "warehouse": _database_file(con),
        "batch_id": batch_id,
        "load_seq": load_seq,
        "format": fmt,
        "since": since.isoformat() if since else None,
        "marts": marts,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def is_previous_export(folder: Path) -> bool:
    """A folder this command wrote: its manifest lists every file in it, and nothing else is there."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {entry["path"] for entry in manifest["files"]} | {MANIFEST}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}
    return manifest.get("kind") == EXPORT_KIND and present <= listed


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not is_previous_export(target):
        raise UsageError(f"{target} is not empty and holds no previous export (no {MANIFEST} listing its files)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_temporaries(target: Path) -> None:
    """Half-written exports into ``target`` by processes that died (killed mid-export)."""
    for stale in target.parent.glob(f".{target.name}.export-tmp-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _move_into_place(written: Path, target: Path) -> None:
    """Replace ``target`` (empty, absent, or a previous export) with ``written``."""
    old = target.with_name(f".{target.name}.export-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(written, target)
    shutil.rmtree(old, ignore_errors=True)


def parse_since(text: str | None) -> date | None:
    """``--since``: a calendar date, YYYY-MM-DD; anything else is refused (UsageError)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--since {text!r} is not a date (YYYY-MM-DD)") from None


def summary_line(manifest: dict[str, Any]) -> str:
    """One line for the terminal: what was written where, from which file."""
    rows = sum(mart["rows"] for mart in manifest["marts"].values())
    return (
        f"exported {len(manifest['marts'])} marts, {rows} rows in {len(manifest['files'])} "
        f"{manifest['format']} files from {manifest['warehouse']} (batch {manifest['batch_id']})"
    )


def export_marts(settings: Settings, target: Path, fmt: str = "parquet", since: date | None = None) -> dict[str, Any]:
    """Export every mart of the warehouse (or its snapshot while a run writes) into ``target``.

    Returns the manifest.  Raises ``UsageError`` for an unknown format or a target that is a
    file or a non-empty folder other than a previous export, before anything is written.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    target = target.resolve()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_dead_temporaries(target)
    con = open_reader(settings)
    folder = target.with_name(f".{target.name}.export-tmp-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        manifest = _write_export(con, folder, fmt, since)
        _move_into_place(folder, target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        con.close()
    return manifest
