"""The query sandbox behind ``wirehouse query``: it reads the warehouse and nothing else.

``wirehouse query`` once ran any statement on a read-only connection with DuckDB's defaults,
and DuckDB's read-only mode guards the database's catalog, not the machine:
``copy (select 'x') to '<the warehouse file>'`` replaced the warehouse with four bytes and
``read_text('/etc/passwd')`` printed the file.  Two locks now, each enough on its own for the
statements the fault suite tries (tests/faults/test_query_sandbox.py):

1. DuckDB's parser splits the text into statements and only reads run (``SELECT``, which
   covers ``from``, ``describe``, ``show``, ``summarize``, ``values``, ``pivot`` in a subquery,
   and ``EXPLAIN``); a ``COPY``, ``ATTACH``, ``SET``, ``INSTALL``/``LOAD``, ``PRAGMA``,
   ``EXPORT`` or ``CREATE`` is refused before anything runs.
2. The connection itself cannot touch anything but the already open database file:
   ``enable_external_access`` off (no COPY, readers, ATTACH, extension installs, Python
   replacement scans), extension autoinstall, autoload and community extensions off, the
   local file system disabled, and ``lock_configuration`` on, so no statement can undo it.
   DuckDB 1.5 accepts ``disabled_filesystems`` only once the database has started, so it is
   set, with the lock, right after connecting.

A refusal is ``QueryRefused`` (exit status 2, one line); any other SQL error stays DuckDB's
error, on one line with its hint ("Did you mean ...").  The connection comes from
``extract.snapshot.open_reader``: the published snapshot while a run writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from extract.errors import UsageError
from extract.settings import Settings
from extract.snapshot import open_reader

__all__ = ["QueryRefused", "SANDBOX_CONFIG", "error_line", "open_sandbox", "refusals", "run_sandboxed"]

SANDBOX_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_persistent_secrets": False,
    "python_enable_replacements": False,
}
# only settable once the database has started; the lock goes last
_AFTER_START = ("set disabled_filesystems = 'LocalFileSystem'", "set lock_configuration = true")

READS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
REFUSAL = "refused: the query sandbox reads the warehouse only"
# DuckDB's words when the engine, not the statement check, stops a statement
_ENGINE_REFUSALS = ("read-only mode", "configuration has been locked", "disabled", "external access")


class QueryRefused(UsageError):
    """A statement would write, reach the file system, load code or change the sandbox."""


def open_sandbox(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A locked, read-only connection to the warehouse (or its snapshot while a run writes)."""
    con = open_reader(settings, config=SANDBOX_CONFIG)
    try:
        for statement in _AFTER_START:
            con.execute(statement)
    except Exception:
        con.close()
        raise
    return con


def error_line(error: Exception) -> str:
    """DuckDB's message on one line, hint kept, the ``LINE 1:`` excerpt and its caret dropped."""
    lines = [line.strip() for line in str(error).splitlines()]
    kept = [line for line in lines if line and not line.startswith("LINE ") and set(line) != {"^"}]
    return " ".join(kept)


def _check_reads(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    for statement in con.extract_statements(sql):
        if statement.type not in READS:
            kind = str(statement.type).rsplit(".", 1)[-1]
            raise QueryRefused(f"{REFUSAL} ({kind} is not a read; only SELECT and EXPLAIN run here)")


@contextmanager
def refusals() -> Iterator[None]:
    """Turn the engine's refusals, raised while a statement binds or runs, into ``QueryRefused``."""
    try:
        yield
    except duckdb.PermissionException as error:
        raise QueryRefused(f"{REFUSAL} ({error_line(error)})") from None
    except duckdb.Error as error:
        if any(words in str(error) for words in _ENGINE_REFUSALS):
            raise QueryRefused(f"{REFUSAL} ({error_line(error)})") from None
        raise


def run_sandboxed(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    """Run ``sql`` (read statements only) on a sandbox connection; its last result, if any.

    Raises ``QueryRefused`` for anything but a read, and DuckDB's own error otherwise.  The
    result is lazy: consume it inside ``refusals()`` too.
    """
    _check_reads(con, sql)  # a parse error surfaces here as DuckDB's ParserException
    with refusals():
        return con.sql(sql)
