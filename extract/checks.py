"""Validate the public marts with Great Expectations and write the Data Docs report.

Each mart that has a suite (``expectations.SUITES``) is read from the warehouse into a pandas
DataFrame over one read-only DuckDB connection, closed before validation starts.  GX runs with
a file context whose project lives under ``settings.report_path`` (``gx/``: suites, validation
definitions, checkpoints and results, all generated), one Checkpoint per table with an
``UpdateDataDocsAction``; the Data Docs site is ``settings.report_path / "data_docs"``.

``run_checks`` returns a ``CheckReport``; raising ``ChecksFailed`` is the caller's choice
(``settings.fail_on_checks``).  It also saves every expectation's outcome, with a few of the
values that failed it, in ``expectations.json`` beside ``checks.json``: the project's own report
(``extract.report``) shows them without reading GX's internal stores.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extract.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CheckReport", "ChecksFailed", "run_checks"]

log = logging.getLogger(__name__)

MARTS_SCHEMA = "marts"
SITE_NAME = "wirehouse"
DATASOURCE_NAME = "wirehouse_marts"
BATCH_DEFINITION_NAME = "whole_table"
RESULTS_FILE = "expectations.json"
EXAMPLES = 5  # failing values kept per expectation

# GX logs at INFO while importing (every registered datasource method), and Airflow renders
# each of those as a log line: keep only its warnings.
_NOISY_LOGGERS = ("great_expectations", "great_expectations._docs_decorators")


@dataclass(frozen=True)
class CheckReport:
    """Expectation counts over every validated mart, and where the HTML report is."""

    passed: int
    failed: int
    failures: list[str] = field(default_factory=list)  # "<table>.<column>: <expectation> (...)"
    report_index: Path = Path()
    results: list[dict[str, Any]] = field(default_factory=list)  # one per expectation (_outcome)

    @property
    def success(self) -> bool:
        return self.failed == 0


class ChecksFailed(RuntimeError):
    """At least one expectation failed: ``ChecksFailed(report)`` or ``ChecksFailed(message, report)``."""

    def __init__(self, message: str | CheckReport, report: CheckReport | None = None) -> None:
        if isinstance(message, CheckReport):
            report, message = message, _summary(message)
        super().__init__(message)
        self.report = report


def _summary(report: CheckReport) -> str:
    failures = "\n".join(f"  {failure}" for failure in report.failures)
    total = report.passed + report.failed
    return f"{report.failed} of {total} checks failed (report: {report.report_index}):\n{failures}"


def run_checks(settings: Settings, now: datetime | None = None) -> CheckReport:
    """Validate every mart that has a suite; build Data Docs; count passes and failures."""
    _quiet_gx()
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    from expectations import SUITES

    now = now or datetime.now(UTC)
    frames, missing = _read_marts(settings.warehouse_path, list(SUITES))
    context = _context(settings.report_path)
    datasource = context.data_sources.add_or_update_pandas(DATASOURCE_NAME)

    passed, failed, failures = 0, 0, [f"{table}: table {MARTS_SCHEMA}.{table} not found" for table in missing]
    failed += len(missing)
    results = [_missing(table) for table in missing]
    for table, frame in frames.items():
        suite = context.suites.add_or_update(SUITES[table](now=now))
        validation = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=table, data=_batch_definition(datasource, table), suite=suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=f"{SITE_NAME}_{table}",
                validation_definitions=[validation],
                actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[SITE_NAME])],
                result_format="SUMMARY",
            )
        )
        result = checkpoint.run(
            batch_parameters={"dataframe": frame},
            run_id=RunIdentifier(run_name=f"{SITE_NAME}-checks", run_time=now),
        )
        for validation_result in result.run_results.values():
            for outcome in validation_result.results:
                results.append(_outcome(table, outcome))
                if outcome.success:
                    passed += 1
                else:
                    failed += 1
                    failures.append(_describe(table, outcome))

    report = CheckReport(
        passed=passed,
        failed=failed,
        failures=failures,
        report_index=_data_docs_path(settings.report_path) / "index.html",
        results=results,
    )
    (settings.report_path / RESULTS_FILE).write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    log.info("checks: %d passed, %d failed; report %s", passed, failed, report.report_index)
    for failure in failures:
        log.warning("check failed: %s", failure)
    return report


def _quiet_gx() -> None:
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _read_marts(warehouse: Path, tables: list[str]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Each table of ``marts`` as a DataFrame, and the tables that do not exist."""
    from extract.load import open_warehouse

    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}: load and transform first")
    frames: dict[str, pd.DataFrame] = {}
    with open_warehouse(warehouse, read_only=True) as con:
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [MARTS_SCHEMA]
            ).fetchall()
        }
        for table in tables:
            if table in present:
                frames[table] = con.execute(f'select * from {MARTS_SCHEMA}."{table}"').df()
    return frames, [table for table in tables if table not in present]


def _context(report_path: Path) -> Any:
    """The GX file context under ``report_path``, with one Data Docs site and no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    report_path.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=report_path)
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(_data_docs_path(report_path)),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    sites = context.list_data_docs_sites()
    for name in [name for name in sites if name != SITE_NAME]:
        context.delete_data_docs_site(name)  # the default local_site inside gx/uncommitted
    if SITE_NAME in sites:
        if sites[SITE_NAME] != site:
            context.update_data_docs_site(SITE_NAME, site)
    else:
        context.add_data_docs_site(SITE_NAME, site)
    if context.variables.progress_bars is None:
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        context.variables.save()
    return context


def _batch_definition(datasource: Any, table: str) -> Any:
    """The whole-DataFrame batch definition of the table's asset, created on first use."""
    if table in datasource.get_asset_names():
        asset = datasource.get_asset(table)
    else:
        asset = datasource.add_dataframe_asset(name=table)
    for definition in asset.batch_definitions:
        if definition.name == BATCH_DEFINITION_NAME:
            return definition
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)


def _describe(table: str, outcome: Any) -> str:
    """``fct_article.language: expect_column_values_to_match_regex (1 of 3 rows unexpected)``."""
    config = outcome.expectation_config
    column = config.kwargs.get("column")
    where = f"{table}.{column}" if column else table
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        detail = f"error: {outcome.exception_info.get('exception_message')}"
    else:
        stats = outcome.result or {}
        unexpected = stats.get("unexpected_count")
        detail = f"{unexpected} of {stats.get('element_count')} rows unexpected" if unexpected is not None else ""
    return f"{where}: {config.type}" + (f" ({detail})" if detail else "")


def _missing(table: str) -> dict[str, Any]:
    """A mart with a suite that is not in the warehouse, as a failed outcome."""
    error = f"table {MARTS_SCHEMA}.{table} not found"
    return {"table": table, "column": None, "expectation": "table exists", "success": False,
            "unexpected": None, "rows": None, "examples": [], "error": error}  # fmt: skip


def _outcome(table: str, outcome: Any) -> dict[str, Any]:
    """One expectation's outcome as plain JSON: what it checked, how many rows failed, and a
    few failing values (GX's ``partial_unexpected_list``, each cut to 120 characters)."""
    config = outcome.expectation_config
    stats = outcome.result or {}
    error = None
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        error = str(outcome.exception_info.get("exception_message"))
    examples = [str(value)[:120] for value in (stats.get("partial_unexpected_list") or [])[:EXAMPLES]]
    return {
        "table": table,
        "column": config.kwargs.get("column"),
        "expectation": config.type,
        "success": bool(outcome.success),
        "unexpected": stats.get("unexpected_count"),
        "rows": stats.get("element_count"),
        "examples": examples,
        "error": error,
    }


def _data_docs_path(report_path: Path) -> Path:
    return report_path / "data_docs"
