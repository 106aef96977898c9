"""Build the staging and mart models with dbt, in process, and count what happened.

``run_dbt`` calls dbt's programmatic entry point (``dbtRunner``) on ``settings.dbt_project_dir``
with the profile kept in that folder.  The warehouse path reaches ``profiles.yml`` through the
``WIREHOUSE_WAREHOUSE`` variable (the same one ``load_settings`` reads), set only for the
duration of the call.  dbt's ``target/`` and ``logs/`` go beside the warehouse, in
``<warehouse stem>.dbt/``: two warehouses built at once never share dbt's files, a build killed
half-way cannot leave a broken ``dbt_project/target/manifest.json`` behind for the DAG (Cosmos
renders its tasks from that file, which ``make`` writes), and dbt's partial parse, keyed on the
profile and so on the warehouse path, is kept per warehouse.

dbt's own console is kept quiet (errors only): its ~230 lines per build once flooded ``-v``.
Its events come to ``_DbtEvents`` instead, which logs one INFO line per model built (dbt's
"OK created ... model" line), every other line at DEBUG (warnings and errors at their level),
and reports each finished node to an optional ``progress(done, total)``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.settings import Settings

__all__ = ["DbtFailed", "DbtResult", "run_dbt"]

log = logging.getLogger(__name__)

WAREHOUSE_ENV = "WIREHOUSE_WAREHOUSE"

_TEST_TYPES = {"test", "unit_test"}
_BUILT_TYPES = {"model", "seed", "snapshot"}
_FAILED = {"error", "fail", "runtime error"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LEVELS = {"debug": logging.DEBUG, "info": logging.DEBUG, "warn": logging.WARNING, "error": logging.ERROR}
# dbt's result line for a node that builds something: worth a line at INFO; a test's is not
_BUILT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult"})


@dataclass(frozen=True)
class DbtResult:
    """What one dbt invocation did, counted by node."""

    command: str
    success: bool
    models_built: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    tests_warned: int = 0
    skipped: int = 0
    failures: list[str] = field(default_factory=list)  # names of the failed or errored nodes
    messages: list[str] = field(default_factory=list)  # dbt's message for each of them
    elapsed: float = 0.0


class DbtFailed(RuntimeError):
    """dbt could not run, or a node (model, data test or unit test) failed or errored."""

    def __init__(self, message: str, result: DbtResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def dbt_dir(warehouse: Path) -> Path:
    """Where dbt keeps its target and logs for ``warehouse``: a folder beside it."""
    return warehouse.with_name(f"{warehouse.stem}.dbt")


class _DbtEvents:
    """dbtRunner's callback: dbt's lines to this module's log, finished nodes to ``progress``.
    dbt may fire events from its worker threads, hence the lock around the count."""

    def __init__(self, progress: Callable[[int, int], None] | None) -> None:
        self.progress = progress
        self.total = 0
        self.finished = 0
        self.lock = threading.Lock()

    def __call__(self, event: Any) -> None:
        name = event.info.name
        level = max(_LEVELS.get(event.info.level, logging.DEBUG), logging.INFO if name in _BUILT_EVENTS else 0)
        if log.isEnabledFor(level) and event.info.msg:
            log.log(level, "dbt: %s", _ANSI.sub("", event.info.msg))
        if name == "LogStartLine" and not self.total:
            self.total = int(getattr(event.data, "total", 0) or 0)
        elif name == "NodeFinished" and self.progress is not None:
            with self.lock:
                self.finished += 1
                self.progress(self.finished, max(self.total, self.finished))


def run_dbt(
    settings: Settings,
    command: str = "build",
    select: str | None = None,
    dbt_vars: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DbtResult:
    """Run ``dbt <command>`` on the warehouse; raise ``DbtFailed`` when any node fails.
    ``dbt_vars`` are the project's variables (``--vars``), e.g. ``{"test_all_rows": True}``;
    ``progress(done, total)`` hears of each node as it finishes."""
    from dbt.cli.main import dbtRunner  # heavy: import only when dbt is run

    project = Path(settings.dbt_project_dir).resolve()
    warehouse = settings.warehouse_path.resolve()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    args = [
        command,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(dbt_dir(warehouse) / "target"),
        "--log-path", str(dbt_dir(warehouse) / "logs"),
        "--no-version-check",
        "--no-send-anonymous-usage-stats",
        "--use-colors" if sys.stdout.isatty() else "--no-use-colors",  # plain text in task logs
        "--quiet",  # dbt's lines reach the log through _DbtEvents; errors still reach DbtFailed
    ]  # fmt: skip
    if select:
        args += ["--select", select]
    if dbt_vars:
        args += ["--vars", json.dumps(dict(dbt_vars))]
    log.info("dbt %s%s on %s", command, f" --select {select}" if select else "", warehouse)

    started = time.monotonic()
    with _environ(**{WAREHOUSE_ENV: str(warehouse)}):
        try:
            outcome = dbtRunner(callbacks=[_DbtEvents(progress)]).invoke(args)
        finally:
            _release_warehouse()
    node_results = getattr(outcome.result, "results", None) or []
    result = _count(command, outcome.success, node_results, time.monotonic() - started)

    if outcome.exception is not None:
        raise DbtFailed(f"dbt {command} could not run: {outcome.exception}", result) from outcome.exception
    if result.failures or not outcome.success:
        detail = "\n".join(result.messages) or "see dbt's log"
        raise DbtFailed(f"dbt {command} failed:\n{detail}", result)
    log.info(
        "dbt %s: %d models built, %d tests passed, %d failed, %d warned, %d skipped in %.1fs",
        command, result.models_built, result.tests_passed, result.tests_failed,
        result.tests_warned, result.skipped, result.elapsed,
    )  # fmt: skip
    return result


def _count(command: str, success: bool, node_results: list[Any], elapsed: float) -> DbtResult:
    """Tally dbt's node results by resource type and status."""
    built = passed = failed = warned = skipped = 0
    failures: list[str] = []
    messages: list[str] = []
    for node_result in node_results:
        status = str(node_result.status)
        kind = str(getattr(node_result.node, "resource_type", ""))
        name = node_result.node.name
        if status in _FAILED:
            failures.append(name)
            messages.append(f"{kind} {name}: {node_result.message or status}")
            if kind in _TEST_TYPES:
                failed += 1
        elif status == "skipped":
            skipped += 1
        elif kind in _TEST_TYPES:
            if status == "pass":
                passed += 1
            elif status == "warn":
                warned += 1
        elif kind in _BUILT_TYPES and status == "success":
            built += 1
    return DbtResult(
        command=command,
        success=success and not failures,
        models_built=built,
        tests_passed=passed,
        tests_failed=failed,
        tests_warned=warned,
        skipped=skipped,
        failures=failures,
        messages=messages,
        elapsed=round(elapsed, 3),
    )


def _release_warehouse() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open in this process after a run.

    Left open, it holds the file's lock, and a later read-only connection from this process
    (extract/checks.py) fails with "different configuration than existing connections".
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with suppress(Exception):  # env() raises when dbt never opened the warehouse
        DuckDBConnectionManager.env().close()
    DuckDBConnectionManager.close_all_connections()


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
