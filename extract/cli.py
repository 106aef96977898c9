"""``wirehouse``: run the pipeline, query the warehouse and try the demo, without a scheduler.

The commands call the same stage functions as the Airflow DAG (``extract.pipeline``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Sequence

from extract.settings import Settings, load_settings

__all__ = ["main"]

log = logging.getLogger("extract")

EPILOG = """\
examples:
  wirehouse run --feed https://example.org/rss.xml
  wirehouse run --sources sources.yml --warehouse data/news.duckdb
  wirehouse query "select title, published_at from marts.fct_article order by 2 desc limit 5"
  wirehouse demo            # bundled demo site, through a real Airflow run
  wirehouse demo --cli      # the same, without Airflow
  wirehouse eval            # accuracy against ../shared/eval/dev.jsonl

settings come from --settings FILE (YAML), then WIREHOUSE_* environment variables
(WIREHOUSE_HOST_DELAY=0, WIREHOUSE_ALLOW_PRIVATE=1, ...); see the README.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wirehouse",
        description="wirehouse: a self-hosted news event warehouse.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--settings", metavar="FILE", help="YAML settings file")
    parser.add_argument("--warehouse", metavar="PATH", help="DuckDB warehouse file")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
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
        help="name of the batch; rerunning a batch replaces it "
        "(default: the current UTC hour, as the hourly DAG would)",
    )
    run.add_argument("--refetch", action="store_true", help="fetch pages already in the raw store again")

    query = commands.add_parser("query", help="run one SQL statement on the warehouse and print the result")
    query.add_argument("sql")
    query.add_argument("--limit", type=int, default=100, help="rows to print at most (default 100)")

    summary = commands.add_parser("summary", help="print the summary of a batch already run")
    summary.add_argument("batch_id")

    demo = commands.add_parser(
        "demo",
        help="serve the bundled demo news site and run the pipeline over it",
        description="Serve the demo site on 127.0.0.1, run the Airflow DAG once over it "
        "(airflow dags test) and print the summary.",
    )
    demo.add_argument("--cli", action="store_true", help="run the stages directly instead of through Airflow")

    evaluation = commands.add_parser(
        "eval",
        help="score the pipeline on hand-annotated pages (../shared/eval)",
        description="Serve the gold file's pages on 127.0.0.1, run every stage into a fresh warehouse "
        "under data/eval/, and print the scorer's precision, recall and F1 per layer.",
    )
    evaluation.add_argument("--gold", metavar="FILE", help="gold JSON Lines (default ../shared/eval/dev.jsonl)")
    evaluation.add_argument(
        "--match-country", action="store_true", help="let actors match by country code, as event coders are scored"
    )
    evaluation.add_argument("--json", action="store_true", help="print the scores as JSON")

    site = commands.add_parser("demo-site", help="serve the bundled demo news site until Ctrl-C")
    site.add_argument("--port", type=int, default=8765)
    return parser


def _sources_from_args(args: argparse.Namespace) -> list:
    from extract.sources import Source, load_sources

    if args.sources:
        return load_sources(args.sources)
    if args.urls:
        return [Source("urls", str(Path(args.urls).resolve()))]
    if args.feed:
        return [Source("feed", url) for url in args.feed]
    return [Source("sitemap", url) for url in args.sitemap]


@dataclass(frozen=True)
class StageTime:
    """How long one stage of a run took: wall seconds from ``started`` (``time.monotonic``)."""

    stage: str
    items: int
    started: float
    seconds: float


def run_batch(settings: Settings, sources: list, batch_id: str) -> list[StageTime]:
    """Every stage once over ``sources``, in the DAG's order; raises at the first failure.

    Returns each stage's time and the items it handled (URLs for discover and fetch, pages for
    clean, articles for NLP and load, articles in the warehouse for dbt and the checks).
    """
    from extract import pipeline
    from extract.load import count_articles

    def build() -> int:
        pipeline.run_transform(settings)
        return count_articles(settings)

    def check() -> int:
        pipeline.run_checks_stage(settings)
        return count_articles(settings)

    steps: list[tuple[str, Callable[[], int]]] = [
        ("discover", lambda: pipeline.run_discover(settings, batch_id, sources).n_out),
        ("fetch", lambda: pipeline.run_fetch(settings, batch_id).n_in),
        ("clean", lambda: pipeline.run_clean(settings, batch_id).n_in),
        ("nlp", lambda: pipeline.run_nlp(settings, batch_id).n_in),
        ("load", lambda: pipeline.run_load(settings, batch_id).n_articles),
        ("dbt build", build),
        ("checks", check),
    ]
    times = []
    for stage, step in steps:
        started = time.monotonic()
        items = step()
        times.append(StageTime(stage, items, started, time.monotonic() - started))
        log.info("%s: %d items in %.1f s", stage, items, times[-1].seconds)
    return times


def format_times(times: list[StageTime]) -> str:
    return "time: " + ", ".join(f"{t.stage} {t.seconds:.1f} s" for t in times)


def _print_summary(settings: Settings, batch_id: str) -> None:
    from extract.summary import collect_summary, format_summary

    if settings.warehouse_path.exists():
        print(format_summary(collect_summary(settings, batch_id)))


def _query(settings: Settings, sql: str, limit: int) -> None:
    from extract.load import connect

    con = connect(settings, read_only=True)
    try:
        relation = con.sql(sql)
        if relation is None:
            return
        relation.limit(limit).show(max_width=200, max_rows=limit)
    finally:
        con.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = load_settings(args.settings, warehouse=args.warehouse and Path(args.warehouse).resolve())
    try:
        if args.command == "run":
            if args.refetch:
                settings = settings.replace(refetch=True)
            batch_id = args.batch_id or f"cli_{datetime.now(UTC):%Y%m%dT%H}0000"
            times: list[StageTime] = []
            try:
                times = run_batch(settings, _sources_from_args(args), batch_id)
            finally:
                _print_summary(settings, batch_id)
                if times:
                    print(format_times(times))
        elif args.command == "query":
            _query(settings, args.sql, args.limit)
        elif args.command == "summary":
            _print_summary(settings, args.batch_id)
        elif args.command == "demo":
            from extract.demo import run_demo

            return run_demo(settings, use_airflow=not args.cli)
        elif args.command == "eval":
            from extract.evaluate import DEFAULT_GOLD, evaluate

            gold = Path(args.gold).resolve() if args.gold else DEFAULT_GOLD
            print(evaluate(settings, gold, args.match_country, args.json), end="")
        elif args.command == "demo-site":
            from extract.demo_site.server import main as serve_main

            return serve_main(["--port", str(args.port)])
    except Exception as error:  # a clear one-line reason for the person at the terminal
        if args.verbose:
            raise
        print(f"wirehouse {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
