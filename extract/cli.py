"""``wirehouse``: run the pipeline, query the warehouse and try the demo, without a scheduler.

The commands call the same stage functions as the Airflow DAG (``extract.pipeline``).

Exit status: 0 done; 1 a stage (or another part of the command) failed, with its error first on
stderr; 2 the command was refused before it wrote anything (a missing or binary input file, an
unknown batch, a bad setting, the warehouse or the batch held by another live run), one line.
A manual run gets a batch id of its own (``cli_<UTC time>_<random>``), so two runs, even at
once, never replace each other's batch; ``--batch-id`` names a batch to replace on purpose.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from extract.errors import UsageError
from extract.settings import Settings, load_settings

try:
    from extract.settings import SettingsError
except ImportError:  # an older settings module without it: nothing to map
    SettingsError = UsageError  # type: ignore[misc,assignment]

if TYPE_CHECKING:
    import duckdb

    from extract.progress import Progress

__all__ = ["main"]

log = logging.getLogger("extract")

FORMATS = ("table", "csv", "json")
PIPE_WIDTH = 200  # a table written to a file or a pipe keeps the width it always had
FETCH_ROWS = 1000  # rows fetched at a time for csv and json, so --limit 0 streams

EPILOG = """\
examples:
  wirehouse run --feed https://example.org/rss.xml
  wirehouse run --sources sources.yml --warehouse data/news.duckdb
  wirehouse reprocess --since 2025-06-01   # clean/NLP/load again from the raw store, offline
  wirehouse query "select title, published_at from marts.fct_article order by 2 desc limit 5"
  wirehouse demo            # bundled demo site, through a real Airflow run
  wirehouse demo --cli      # the same, without Airflow
  wirehouse eval            # accuracy against ../shared/eval/dev.jsonl

settings come from --settings FILE (YAML), then WIREHOUSE_* environment variables
(WIREHOUSE_HOST_DELAY=0, WIREHOUSE_ALLOW_PRIVATE=1, ...); see the README.
"""


def _global_options(top: bool) -> argparse.ArgumentParser:
    """The options every command takes, before the command or after it.  A command's copy
    sets nothing unless given, so ``--warehouse X run`` and ``run --warehouse X`` agree."""
    options = argparse.ArgumentParser(add_help=False)
    unset = {} if top else {"default": argparse.SUPPRESS}
    options.add_argument("--settings", metavar="FILE", help="YAML settings file", **unset)
    options.add_argument("--warehouse", metavar="PATH", help="DuckDB warehouse file", **unset)
    options.add_argument("-v", "--verbose", action="store_true", help="log every step", **unset)
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirehouse",
        description="wirehouse: a self-hosted news event warehouse.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_global_options(top=True)],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command_options = _global_options(top=False)

    run = commands.add_parser(
        "run",
        parents=[command_options],
        help="discover, fetch, clean, nlp, load, dbt build and check one batch",
        description="Run every stage once over the given sources and print a summary.",
    )
    given = run.add_mutually_exclusive_group(required=True)
    given.add_argument("--urls", metavar="FILE", help="a file with one URL per line")
    given.add_argument("--feed", metavar="URL", action="append", help="an RSS or Atom feed (repeatable)")
    given.add_argument("--sitemap", metavar="URL", action="append", help="a sitemap (repeatable)")
    given.add_argument("--sources", metavar="FILE", help="a sources.yml listing feeds, sitemaps and URL lists")
    run.add_argument(
        "--batch-id",
        help="name of the batch; an existing batch of that name is replaced "
        "(default: a new id of its own, cli_<UTC time>_<random>)",
    )
    run.add_argument(
        "--refetch",
        action="store_true",
        help="fetch and process every discovered URL again, known or not (a full pass after a new model)",
    )

    reprocess = commands.add_parser(
        "reprocess",
        parents=[command_options],
        help="clean, nlp, load, dbt build and check again the pages in the raw store, fetching nothing",
        description="Run clean, NLP, load, dbt build and the checks over every page in the raw store last "
        "fetched on or after DATE, as one new batch, without the network: a new model or lexicon reaches "
        "the articles already fetched. Exit status 2 when no stored page was fetched since DATE.",
    )
    reprocess.add_argument(
        "--since",
        metavar="DATE",
        required=True,
        type=_since,
        help="the earliest latest-fetch time to take, YYYY-MM-DD (or an ISO time), in UTC",
    )
    reprocess.add_argument(
        "--batch-id",
        help="name of the batch; an existing batch of that name is replaced "
        "(default: a new id of its own, reprocess_<UTC time>_<random>)",
    )

    query = commands.add_parser(
        "query", parents=[command_options], help="run one SQL statement on the warehouse and print the result"
    )
    query.add_argument("sql")
    query.add_argument("--limit", type=int, default=100, help="rows to print at most (default 100; 0: every row)")
    query.add_argument(
        "--format",
        choices=FORMATS,
        default="table",
        help="table (fitted to the terminal's width), csv (with a header) or json (a list of objects)",
    )

    summary = commands.add_parser("summary", parents=[command_options], help="print the summary of a batch already run")
    summary.add_argument("batch_id")

    export = commands.add_parser(
        "export",
        parents=[command_options],
        help="write every public mart to files (events by month) with a manifest",
        description="Write every table of schema marts into DIR as Parquet (zstd) or CSV, events "
        "partitioned by month (event_month=YYYY-MM/), with DIR/manifest.json (rows, bytes, sha256 per file).",
    )
    export.add_argument("--to", metavar="DIR", required=True, help="folder to write; a previous export is replaced")
    export.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format (default parquet)")
    export.add_argument("--since", metavar="DATE", help="only rows on or after DATE (YYYY-MM-DD); see the README")

    demo = commands.add_parser(
        "demo",
        parents=[command_options],
        help="serve the bundled demo news site and run the pipeline over it",
        description="Serve the demo site on 127.0.0.1, run the Airflow DAG once over it "
        "(airflow dags test) and print the summary.",
    )
    demo.add_argument("--cli", action="store_true", help="run the stages directly instead of through Airflow")

    evaluation = commands.add_parser(
        "eval",
        parents=[command_options],
        help="score the pipeline on hand-annotated pages (../shared/eval)",
        description="Serve the gold file's pages on 127.0.0.1, run every stage into a fresh warehouse "
        "under data/eval/, and print the scorer's precision, recall and F1 per layer.",
    )
    evaluation.add_argument("--gold", metavar="FILE", help="gold JSON Lines (default ../shared/eval/dev.jsonl)")
    evaluation.add_argument(
        "--match-country", action="store_true", help="let actors match by country code, as event coders are scored"
    )
    evaluation.add_argument("--json", action="store_true", help="print the scores as JSON")

    report = commands.add_parser(
        "report",
        parents=[command_options],
        help="write the run report: one HTML page that opens offline (data/reports/index.html)",
        description="Write the report of a batch (default: the latest): the run's counts and rejections, "
        "every check with its failing examples, and charts; one self-contained HTML file.",
    )
    report.add_argument("--batch", metavar="ID", help="the batch to report (default: the latest loaded)")
    report.add_argument("--out", metavar="FILE", help="where to write it (default: <report_dir>/index.html)")

    site = commands.add_parser(
        "demo-site", parents=[command_options], help="serve the bundled demo news site until Ctrl-C"
    )
    site.add_argument("--port", type=int, default=8765)
    return parser


def _since(text: str) -> datetime:
    """``--since``: a date or an ISO time, read as UTC when it names no zone."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"want a date YYYY-MM-DD (or an ISO time), got {text!r}") from None


def _sources_from_args(args: argparse.Namespace) -> list:
    """The run's sources; a missing, binary or malformed input file is refused (UsageError)
    here, before a staging folder or the warehouse is touched."""
    from extract.sources import Source, check_url_lists, load_sources

    if args.sources:
        try:
            sources = load_sources(args.sources)
        except ValueError as error:  # the file is there but its content is not a sources list
            raise UsageError(str(error)) from error
    elif args.urls:
        sources = [Source("urls", str(Path(args.urls).resolve()))]
    elif args.feed:
        sources = [Source("feed", url) for url in args.feed]
    else:
        sources = [Source("sitemap", url) for url in args.sitemap]
    check_url_lists(sources)
    return sources


@dataclass(frozen=True)
class StageTime:
    """How long one stage of a run took: wall seconds from ``started`` (``time.monotonic``)."""

    stage: str
    items: int
    started: float
    seconds: float


class StageFailed(RuntimeError):
    """A stage of a run raised; the original error is the ``__cause__``."""

    def __init__(self, stage: str, error: BaseException) -> None:
        super().__init__(f"{stage}: {type(error).__name__}: {error}")
        self.stage = stage


Step = tuple[str, Callable[[], int]]


def _staging_steps(settings: Settings, sources: list, batch_id: str, progress: Progress | None = None) -> list[Step]:
    """The stages that write only the batch's staging folder: runs overlap these freely."""
    from extract import pipeline

    report = progress.update if progress else None
    return [
        ("discover", lambda: pipeline.run_discover(settings, batch_id, sources).n_out),
        ("fetch", lambda: pipeline.run_fetch(settings, batch_id, progress=report).n_in),
        *_processing_steps(settings, batch_id, progress),
    ]


def _processing_steps(settings: Settings, batch_id: str, progress: Progress | None = None) -> list[Step]:
    """The staging stages after fetch, which read only the batch's fetched pages."""
    from extract import pipeline

    report = progress.update if progress else None
    return [
        ("clean", lambda: pipeline.run_clean(settings, batch_id, progress=report).n_in),
        ("nlp", lambda: pipeline.run_nlp(settings, batch_id, progress=report).n_in),
    ]


def _warehouse_steps(settings: Settings, batch_id: str, progress: Progress | None = None) -> list[Step]:
    """The stages that write the warehouse: run them only while holding its lock."""
    from extract import pipeline
    from extract.load import LoadResult, count_articles

    loaded: list[LoadResult] = []

    def load() -> int:
        loaded.append(pipeline.run_load(settings, batch_id))
        return loaded[-1].n_articles

    def build() -> int:
        changed = loaded[-1].articles_changed
        pipeline.run_transform(settings, progress=progress.update if progress else None, articles_changed=changed)
        return count_articles(settings)

    def check() -> int:
        pipeline.run_checks_stage(settings, articles_changed=loaded[-1].articles_changed)
        return count_articles(settings)

    return [
        ("load", load),
        ("dbt build", build),
        ("checks", check),
    ]


def _timed(stage: str, step: Callable[[], int], progress: Progress | None = None) -> StageTime:
    started = time.monotonic()
    if progress:
        progress.start(stage)
    try:
        items = step()
    except Exception as error:
        if progress:
            progress.finish(failed=True)
        raise StageFailed(stage, error) from error
    timing = StageTime(stage, items, started, time.monotonic() - started)
    if progress:
        progress.finish(items)
    log.info("%s: %d items in %.1f s", stage, items, timing.seconds)
    return timing


def run_batch(settings: Settings, sources: list, batch_id: str, progress: Progress | None = None) -> list[StageTime]:
    """Every stage once over ``sources``, in the DAG's order; raises ``StageFailed`` at the first
    failure, and ``LockBusy`` when another run keeps the warehouse past ``lock_timeout``.
    ``progress`` (extract/progress.py) shows each stage as it goes.

    Returns each stage's time and the items it handled (URLs for discover and fetch, pages for
    clean, articles for NLP and load, articles in the warehouse for dbt and the checks).
    """
    from extract.runlock import warehouse_lock

    times = [_timed(stage, step, progress) for stage, step in _staging_steps(settings, sources, batch_id, progress)]
    with warehouse_lock(settings, batch_id):
        times += [_timed(stage, step, progress) for stage, step in _warehouse_steps(settings, batch_id, progress)]
    return times


def _progress() -> Progress:
    """On a terminal, live lines on stderr (a log record first wipes the live line); elsewhere
    one line per finished stage on stdout, beside the summary, so stderr keeps only errors and
    refusals, one line each."""
    from extract.progress import Progress

    if not sys.stderr.isatty():
        return Progress(sys.stdout, live=False)
    progress = Progress(sys.stderr, live=True)

    def clear_first(record: logging.LogRecord) -> bool:
        progress.clear()
        return True

    for handler in logging.getLogger().handlers:
        handler.addFilter(clear_first)
    return progress


def format_times(times: list[StageTime]) -> str:
    return "time: " + ", ".join(f"{t.stage} {t.seconds:.1f} s" for t in times)


def _print_summary(settings: Settings, batch_id: str, must_exist: bool = False, live: bool = False) -> None:
    from extract.summary import collect_summary, format_summary

    if must_exist or settings.warehouse_path.exists():
        print(format_summary(collect_summary(settings, batch_id, must_exist, live)))


def _say_if_replacing(settings: Settings, batch_id: str) -> None:
    """Tell the person that ``--batch-id`` names a batch already loaded, which this run replaces."""
    import duckdb

    from extract.load import connect

    if not settings.warehouse_path.exists():
        return
    try:
        con = connect(settings, read_only=True)
        try:
            sql = "select load_seq, n_articles from raw.batches where batch_id = ?"
            row = con.execute(sql, [batch_id]).fetchone()
        finally:
            con.close()
    except duckdb.Error:  # no batches table yet, or a reader elsewhere: nothing to say
        return
    if row:
        print(
            f"replacing batch {batch_id} (loaded before as load #{row[0]}, {row[1]} articles) "
            f"in {settings.warehouse_path}",
            file=sys.stderr,
            flush=True,
        )


def _write_report_quietly(settings: Settings, batch_id: str) -> None:
    """The run's report (``extract.report``), after the checks whether they passed or not; a
    report that cannot be written is a warning, never the run's failure."""
    from extract.report import write_report

    if not settings.warehouse_path.exists():
        return
    try:
        print(f"  report: {write_report(settings, batch_id, live=True)}")
    except Exception as error:
        log.warning("no report of %s: %s: %s", batch_id, type(error).__name__, error)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    """``wirehouse run``: the stages before load in the batch's own staging folder (owned by this
    run for its whole life), then load, dbt, checks and the summary under the warehouse lock.

    When a stage fails its error is printed first; a summary that cannot be read then (the
    warehouse held by a writer, say) adds one line and never replaces it.
    """
    from extract.pipeline import manual_batch_id

    sources = _sources_from_args(args)
    if args.refetch:
        settings = settings.replace(refetch=True)
    batch_id = args.batch_id or manual_batch_id()
    return _run_stages(settings, args, batch_id, lambda progress: _staging_steps(settings, sources, batch_id, progress))


def _reprocess(settings: Settings, args: argparse.Namespace) -> int:
    """``wirehouse reprocess``: the batch staged from the raw store (the pages chosen first, so
    a ``--since`` that takes none is refused before anything is written), then the rest as
    ``wirehouse run`` does it."""
    from extract.reprocess import reprocess_batch_id, select_pages, stage_pages

    pages = select_pages(settings, args.since)
    batch_id = args.batch_id or reprocess_batch_id()

    def steps(progress: Progress) -> list[Step]:
        staged: Step = ("raw store", lambda: stage_pages(settings, batch_id, pages).n_in)
        return [staged, *_processing_steps(settings, batch_id, progress)]

    return _run_stages(settings, args, batch_id, steps)


def _run_stages(
    settings: Settings, args: argparse.Namespace, batch_id: str, staging_steps: Callable[[Progress], list[Step]]
) -> int:
    """Run the batch's ``staging_steps`` in its own staging folder (owned by this run for its
    whole life), then load, dbt, checks and the summary under the warehouse lock; the exit status."""
    from extract.runlock import staging_lock, warehouse_lock

    times: list[StageTime] = []
    failure: StageFailed | None = None
    progress = _progress()
    with staging_lock(settings, batch_id), ExitStack() as writing:
        try:
            for stage, step in staging_steps(progress):
                times.append(_timed(stage, step, progress))
            writing.enter_context(warehouse_lock(settings, batch_id))
            if args.batch_id:
                _say_if_replacing(settings, batch_id)
            for stage, step in _warehouse_steps(settings, batch_id, progress):
                times.append(_timed(stage, step, progress))
        except StageFailed as error:
            if args.verbose:
                raise
            failure = error
            print(f"wirehouse {args.command}: {error}", file=sys.stderr, flush=True)
        try:
            _print_summary(settings, batch_id, live=True)
        except Exception as error:
            if failure is None:
                raise
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            print(f"wirehouse {args.command}: and no summary: {type(error).__name__}: {first}", file=sys.stderr)
        _write_report_quietly(settings, batch_id)
    if times:
        print(format_times(times))
    return 1 if failure else 0


def _query(settings: Settings, sql: str, limit: int, fmt: str = "table") -> int:
    """Run ``sql`` in the query sandbox (extract/query.py) and print at most ``limit`` rows (all
    when ``limit`` is 0) as ``fmt``.  A refusal raises ``QueryRefused`` (exit status 2); a plain
    SQL error is DuckDB's message on one line (exit status 1)."""
    import duckdb

    from extract.query import error_line, open_sandbox, refusals, run_sandboxed

    con = open_sandbox(settings)
    try:
        with refusals():
            relation = run_sandboxed(con, sql)
            if relation is not None:
                _print_result(relation, limit, fmt)
    except duckdb.Error as error:
        print(f"wirehouse query: {error_line(error)}", file=sys.stderr)
        return 1
    finally:
        con.close()
    return 0


def _print_result(relation: duckdb.DuckDBPyRelation, limit: int, fmt: str) -> None:
    """The rows to stdout; when some were cut, a line that says so: after the table on stdout,
    on stderr for csv and json, so a file written from them holds only the data."""
    shown = relation.limit(limit) if limit > 0 else relation
    if fmt == "table":
        # COLUMNS, else the terminal's width, else a pipe's; DuckDB's renderer draws 80 at the least
        width = max(80, shutil.get_terminal_size((PIPE_WIDTH, 24)).columns)
        shown.show(max_width=width, max_rows=limit if limit > 0 else 2**62)
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(relation.columns)
        writer.writerows([_csv_cell(value) for value in row] for row in _fetch(shown))
    else:
        _write_json(relation.columns, _fetch(shown))
    note = _cut_note(relation, limit)
    if note:
        sys.stdout.flush()
        print(note, file=sys.stdout if fmt == "table" else sys.stderr)


def _cut_note(relation: duckdb.DuckDBPyRelation, limit: int) -> str | None:
    """``showing 100 of 209 rows (use --limit N)`` when rows were cut, else None.  The total is
    a ``count(*)`` over the query, in the sandbox, run only when rows were cut: the query then
    runs once more, which a warehouse of this size pays for in milliseconds."""
    import duckdb

    if limit <= 0 or _count(relation.limit(limit + 1)) <= limit:
        return None
    try:
        total = str(_count(relation))
    except duckdb.Error:  # a result DuckDB cannot count again: say what is known
        total = f"more than {limit}"
    return f"showing {limit} of {total} rows (use --limit N, 0 for every row)"


def _count(relation: duckdb.DuckDBPyRelation) -> int:
    row = relation.aggregate("count(*)").fetchone()
    return int(row[0]) if row else 0


def _fetch(relation: duckdb.DuckDBPyRelation) -> Iterator[tuple[Any, ...]]:
    while rows := relation.fetchmany(FETCH_ROWS):
        yield from rows


def _plain(value: Any) -> Any:
    """A DuckDB value as JSON has it: dates and times in ISO 8601, decimals as numbers, lists
    and structs as arrays and objects, NaN and infinities as null, anything else as text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime, date, clock_time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)  # UUID, and whatever DuckDB adds next


def _csv_cell(value: Any) -> Any:
    """A CSV cell: null empty, a list or struct as its JSON text, the rest as ``_plain``."""
    plain = _plain(value)
    if isinstance(plain, (list, dict)):
        return json.dumps(plain, ensure_ascii=False)
    return "" if plain is None else plain


def _write_json(columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """One JSON array of objects, one object a line: valid JSON for a loader, and a line per
    row for grep and head."""
    sys.stdout.write("[")
    for index, row in enumerate(rows):
        record = {column: _plain(value) for column, value in zip(columns, row, strict=True)}
        sys.stdout.write(("," if index else "") + "\n" + json.dumps(record, ensure_ascii=False))
    sys.stdout.write("\n]\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = load_settings(args.settings, warehouse=args.warehouse and Path(args.warehouse).resolve())
        if args.command == "run":
            return _run(settings, args)
        elif args.command == "reprocess":
            return _reprocess(settings, args)
        elif args.command == "query":
            return _query(settings, args.sql, args.limit, args.format)
        elif args.command == "summary":
            _print_summary(settings, args.batch_id, must_exist=True)
        elif args.command == "export":
            from extract.export import export_marts, parse_since, summary_line

            print(summary_line(export_marts(settings, Path(args.to), args.format, parse_since(args.since))))
        elif args.command == "demo":
            from extract.demo import run_demo

            return run_demo(settings, use_airflow=not args.cli)
        elif args.command == "eval":
            from extract.evaluate import DEFAULT_GOLD, evaluate

            gold = Path(args.gold).resolve() if args.gold else DEFAULT_GOLD
            print(evaluate(settings, gold, args.match_country, args.json), end="")
        elif args.command == "report":
            from extract.report import write_report

            print(write_report(settings, args.batch, args.out and Path(args.out)))
        elif args.command == "demo-site":
            from extract.demo_site.server import main as serve_main

            return serve_main(["--port", str(args.port)])
    except (UsageError, SettingsError) as error:  # refused before anything was written
        print(f"wirehouse {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # a clear one-line reason for the person at the terminal
        if args.verbose:
            raise
        print(f"wirehouse {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
