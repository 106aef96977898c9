"""``make bench``: where each second of the pipeline goes, measured against each stage's limit.

    python -m extract.bench [--pages N] [--out FILE] [--no-airflow] [--incremental-base N]

Builds N pages from the Scrapinghub corpus (``../shared/corpus``), each copy rewritten enough
(a third of its words replaced, seeded) that deduplication keeps it, and serves them on
127.0.0.1.  Runs ``wirehouse run`` over them once, in its own process, timing every stage and
sampling the memory of the process and its workers.  Beside each stage its limit, measured on
the same staged pages with the same processes and chunks: a bare loop of trafilatura for
cleaning, a bare ``nlp.pipe`` for NLP (both on the first ``--limit-sample`` pages, 1,000 by
default, so the benchmark stays within ten minutes), a bare DuckDB bulk insert for loading.  Then the same pages through
``airflow dags test``, and the cost of a dbt build after adding 1,000 articles to an empty
warehouse and to one holding ``--incremental-base``.  Prints a table and writes the figures as
JSON.  A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from queue import Empty
from typing import Any

from extract.settings import PROJECT_ROOT, Settings, load_settings

__all__ = ["PageSite", "main", "make_pages"]

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "scrapinghub"
_TEXT = re.compile(r"(</?[a-z][^>]*>)([^<]{20,})", re.I)  # a run of text after any tag
_WORD = re.compile(r"[A-Za-z]{4,}")


# --- input ---------------------------------------------------------------------------------------


def make_pages(n: int, seed: int = 7) -> list[bytes]:
    """``n`` pages: the corpus pages in turn, each copy after the first with a third of the
    words of its text replaced by other corpus words, so no two copies are near duplicates."""
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    originals = [gzip.decompress((CORPUS / "html" / f"{page_id}.html.gz").read_bytes()) for page_id in truth]
    vocabulary = sorted({w for body in truth.values() for w in _WORD.findall(body["articleBody"])})
    rng = random.Random(seed)
    pages = []
    for i in range(n):
        html = originals[i % len(originals)]
        if i >= len(originals):
            html = _rewrite(html, rng, vocabulary)
        pages.append(html)
    return pages


def _rewrite(html: bytes, rng: random.Random, vocabulary: list[str]) -> bytes:
    text = html.decode("utf-8", errors="replace")

    def swap_words(match: re.Match[str]) -> str:
        words = match.group(2).split(" ")
        for j in range(len(words)):
            if rng.random() < 0.33:
                words[j] = rng.choice(vocabulary)
        return match.group(1) + " ".join(words)

    return _TEXT.sub(swap_words, text).encode("utf-8")


class PageSite:
    """The pages on 127.0.0.1 as /bench/<i>.html, and a URL list naming them."""

    def __init__(self, pages: list[bytes]) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from threading import Thread

        bodies = {f"/bench/{i}.html": page for i, page in enumerate(pages)}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                body = bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        Thread(target=self.server.serve_forever, daemon=True).start()
        self.urls = [f"http://127.0.0.1:{self.server.server_port}{path}" for path in bodies]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- measuring -----------------------------------------------------------------------------------


def _child(queue: Any, target: Callable[..., Any], args: tuple) -> None:
    start = time.perf_counter()
    result = target(*args)
    queue.put({"seconds": time.perf_counter() - start, "result": result})


def measure(target: Callable[..., Any], *args: Any) -> dict[str, Any]:
    """Run ``target(*args)`` in a fresh process, sampling the memory of it and its children.

    Returns its result, ``seconds`` (the call alone), ``wall`` (from starting the process, imports
    included), ``samples`` (``time.monotonic()``, MB) and ``peak_mb``: the largest sum of the
    proportional set sizes of the process and every process under it (a pool's workers count).
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, target, args))
    started = time.monotonic()
    process.start()
    samples: list[tuple[float, float]] = []
    while True:  # a child that dies without reporting must not leave us waiting forever
        samples.append((time.monotonic(), _tree_mb(process.pid)))
        try:
            result = queue.get(timeout=0.25)
            break
        except Empty:
            if not process.is_alive():
                raise RuntimeError(f"{target.__name__} died in its process (exit {process.exitcode})") from None
    process.join()
    wall = time.monotonic() - started
    return {**result, "wall": wall, "samples": samples, "peak_mb": max(mb for _, mb in samples)}


def _tree_mb(pid: int) -> float:
    """Memory of a process and its descendants: PSS where the kernel gives it, so pages that
    forked workers share are counted once, RSS otherwise."""
    import psutil

    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in tree:
        try:
            info = proc.memory_full_info()
            total += getattr(info, "pss", info.rss)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def _peak_between(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """The largest sample taken in [start, end], or the one nearest its middle when none was."""
    inside = [mb for at, mb in samples if start <= at <= end]
    if inside:
        return max(inside)
    middle = (start + end) / 2
    return min(samples, key=lambda sample: abs(sample[0] - middle))[1]


# --- the limits (module-level: spawned processes import them) -------------------------------------


def limit_clean(settings: Settings, batch: str, sample: int) -> int:
    """trafilatura alone, with the stage's options, processes and chunks, on the first ``sample``
    of the same stored pages."""
    from extract.parallel import map_chunks
    from extract.staging import batch_dir, read_jsonl

    pages = list(read_jsonl(batch_dir(settings, batch) / "pages.jsonl"))[:sample]
    chunks = map_chunks(
        _bare_extract, pages, workers=settings.workers, chunk_size=settings.clean_chunk_size, args=(settings,)
    )
    return sum(chunks)


def _bare_extract(settings: Settings, pages: list[dict[str, Any]]) -> int:
    from extract.clean import decode_body, extract_text
    from extract.rawstore import RawStore

    store = RawStore(settings.raw_path)
    for page in pages:
        extract_text(decode_body(store.read(page["raw_path"]), page["content_type"]), page["url"],
                     settings.favor_precision)  # fmt: skip
    return len(pages)


def limit_nlp(settings: Settings, batch: str, sample: int) -> int:
    """``nlp.pipe`` alone, on the English texts of the first ``sample`` of the same articles,
    with the stage's model, batch size, processes and chunks: the stage without its extractors
    and its output."""
    from extract.parallel import map_chunks
    from extract.staging import batch_dir, read_jsonl

    articles = list(read_jsonl(batch_dir(settings, batch) / "articles.jsonl"))[:sample]
    texts = [a["text"] for a in articles if a["language"] == "en"]
    parsed = map_chunks(
        _bare_parse, texts, workers=settings.workers, chunk_size=settings.nlp_chunk_size, args=(settings,)
    )
    assert sum(parsed) == len(texts)
    return len(articles)


def _bare_parse(settings: Settings, texts: list[str]) -> int:
    from extract.nlp.model import load_pipeline

    nlp = load_pipeline(settings.spacy_model, settings.nlp_blas)
    for _doc in nlp.pipe(texts, batch_size=settings.nlp_batch_size):
        pass
    return len(texts)


def limit_load(settings: Settings, batch: str, sample: int) -> int:
    """A bare bulk insert of the staged articles into an empty DuckDB table (all of them: it
    takes a second)."""
    import duckdb

    from extract.staging import batch_dir

    path = settings.home / "bare-load.duckdb"
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        files = [str(p) for p in sorted(batch_dir(settings, batch).glob("articles*.jsonl"))]
        con.execute("create table articles as select * from read_json(?, format = 'newline_delimited')", [files])
        return con.execute("select count(*) from articles").fetchone()[0]
    finally:
        con.close()


def stage_dbt(settings: Settings) -> int:
    from extract.load import count_articles
    from extract.pipeline import run_transform

    run_transform(settings)
    return count_articles(settings)


LIMITS: dict[str, Callable[[Settings, str, int], int]] = {"clean": limit_clean, "nlp": limit_nlp, "load": limit_load}


# --- runs ----------------------------------------------------------------------------------------


def _settings(home: Path, **changes: Any) -> Settings:
    return load_settings(environ={}, home=home, allow_private=True, host_delay=0, host_concurrency=8, **changes)


def bench_cli(home: Path, url_file: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """``wirehouse run`` once, end to end, in its own process: each stage's time, items and peak
    memory, and the whole run's."""
    run = measure(_cli_run, _settings(home), str(url_file))
    stages = []
    for timing in run["result"]:
        end = timing.started + timing.seconds
        stages.append(
            {
                "stage": timing.stage,
                "items": timing.items,
                "seconds": timing.seconds,
                "per_s": timing.items / timing.seconds,
                "peak_mb": _peak_between(run["samples"], timing.started, end),
            }
        )
    n = stages[-1]["items"]
    return stages, {"seconds": run["wall"], "articles": n, "per_s": n / run["wall"], "peak_mb": run["peak_mb"]}


def _cli_run(settings: Settings, url_file: str, batch_id: str = "bench_cli") -> list[Any]:
    from extract.cli import run_batch
    from extract.sources import Source

    return run_batch(settings, [Source("urls", url_file)], batch_id)


CLI_BATCH = "bench_cli"
STEADY_BATCH = "bench_cli_again"


def bench_steady(home: Path, url_file: Path, first: dict[str, Any]) -> dict[str, Any]:
    """The next run over the same, unchanged pages, as an hourly run finds them: every URL is
    known (``extract.frontier``), so nothing is fetched, cleaned, parsed or loaded again.  Its
    wall time, each stage's seconds and what it costs as a fraction of the first run."""
    run = measure(_cli_run, _settings(home), str(url_file), STEADY_BATCH)
    stages = {timing.stage: timing.seconds for timing in run["result"]}
    parsed = next(timing.items for timing in run["result"] if timing.stage == "nlp")
    return {"seconds": run["wall"], "fraction": run["wall"] / first["seconds"], "stages": stages, "parsed": parsed}


def bench_limits(home: Path, stages: list[dict[str, Any]], sample: int) -> None:
    """Each limit on the CLI run's staged pages (the first ``sample`` of them for clean and NLP),
    beside its stage: limit speed and efficiency."""
    settings = _settings(home)
    for row in stages:
        limit = LIMITS.get(row["stage"])
        if limit is None:
            continue
        bare = measure(limit, settings, CLI_BATCH, sample)
        row["limit_per_s"] = bare["result"] / bare["seconds"]
        row["efficiency"] = row["per_s"] / row["limit_per_s"]
        if row["stage"] == "nlp":
            row["words_per_s"] = _english_words(settings, CLI_BATCH) / row["seconds"]
        print(f"  {row['stage']:<10} limit {row['limit_per_s']:8.1f}/s", flush=True)


def _english_words(settings: Settings, batch: str) -> int:
    from extract.staging import batch_dir, read_jsonl

    rows = read_jsonl(batch_dir(settings, batch) / "articles.jsonl")
    return sum(row["n_words"] for row in rows if row["language"] == "en")


def bench_airflow(home: Path, url_file: Path) -> dict[str, Any]:
    import yaml

    from extract.airflow_env import airflow, airflow_env, prepare_airflow
    from extract.load import count_articles

    settings = _settings(home, airflow_home=home / "airflow")
    home.mkdir(parents=True, exist_ok=True)
    settings.path("sources").write_text(yaml.safe_dump({"sources": [{"kind": "urls", "location": str(url_file)}]}))
    env = airflow_env(settings, {"WIREHOUSE_ALLOW_PRIVATE": "1", "WIREHOUSE_HOST_DELAY": "0",
                                 "WIREHOUSE_HOST_CONCURRENCY": "8"})  # fmt: skip
    prepare_airflow(env)
    start = time.perf_counter()
    done = airflow(["dags", "test", "wirehouse_news", "2025-06-01T00:00:00+00:00"], env, check=False, capture=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        return {"seconds": seconds, "articles": 0, "per_s": 0.0, "error": (done.stdout + done.stderr)[-2000:]}
    n = count_articles(settings)
    figures = {"seconds": seconds, "articles": n, "per_s": n / seconds}
    return figures | _airflow_task_times(Path(env["AIRFLOW_HOME"]) / "airflow.db", seconds)


def _airflow_task_times(database: Path, seconds: float) -> dict[str, Any]:
    """Where the ``airflow dags test`` run's time went, from its task instances in the SQLite
    metadata: per stage the tasks' summed duration and their number (the dbt tasks together),
    the time between one task's end and the next one's start, and what lay outside the tasks
    (starting Airflow, parsing the DAG, writing the run's state)."""
    import sqlite3
    from datetime import datetime

    with closing(sqlite3.connect(database)) as con:
        rows = con.execute(
            "select task_id, start_date, end_date from task_instance where dag_id = 'wirehouse_news' "
            "and start_date is not null and end_date is not null order by start_date"
        ).fetchall()
    if not rows:
        return {}
    spans = [(task, datetime.fromisoformat(start), datetime.fromisoformat(end)) for task, start, end in rows]
    stages: dict[str, dict[str, float]] = {}
    for task, start, end in spans:
        stage = stages.setdefault(task.split(".")[0], {"seconds": 0.0, "tasks": 0})
        stage["seconds"] += (end - start).total_seconds()
        stage["tasks"] += 1
    in_tasks = sum(stage["seconds"] for stage in stages.values())
    run_span = (max(end for _, _, end in spans) - spans[0][1]).total_seconds()
    return {"tasks": stages, "between_tasks": run_span - in_tasks, "outside_tasks": seconds - run_span}


def bench_incremental(source_home: Path, home: Path, base: int) -> dict[str, Any]:
    """dbt build time after adding 1,000 articles to an empty warehouse and to one of ``base``,
    the articles being copies of the CLI run's, with every NLP row."""
    source = _settings(source_home)
    figures = {}
    for label, existing in (("empty", 0), (f"{base}", base)):
        target = _settings(home / f"incremental-{label}")
        shutil.rmtree(target.home, ignore_errors=True)
        target.home.mkdir(parents=True)
        _grow_raw(source, target, existing, "old")
        if existing:
            measure(stage_dbt, target)
        _grow_raw(source, target, 1000, "new")
        figures[label] = measure(stage_dbt, target)["seconds"]
    figures["ratio"] = figures[f"{base}"] / figures["empty"]
    return figures


def _grow_raw(source: Settings, target: Settings, n: int, tag: str) -> None:
    """Add ``n`` articles as one batch: copies of the source warehouse's, under new ids and URLs,
    with their rows in every NLP table."""
    from extract.load import connect, ensure_schema
    from extract.nlp import NLP_TABLES

    con = connect(target)
    ensure_schema(con)
    if n == 0:
        con.close()
        return
    batch = f"grow_{tag}"
    con.execute(f"attach '{source.warehouse_path}' as src (read_only)")
    con.execute(
        """create temp table copies as
        select a.article_id as old_id, md5(a.article_id || ':' || $tag || ':' || copy)[:16] as new_id, copy
        from src.raw.articles as a,
             range((($n + (select count(*) from src.raw.articles) - 1)
                    // (select count(*) from src.raw.articles))::bigint) as r(copy)
        order by copy, a.article_id
        limit $n""",
        {"tag": tag, "n": n},
    )
    con.execute("begin")
    con.execute(
        """insert into raw.articles
        select a.* replace (c.new_id as article_id, a.url || '?copy=' || $tag || c.copy as url,
                            md5(a.text_sha256 || $tag || c.copy) as text_sha256, $batch as batch_id)
        from copies as c join src.raw.articles as a on a.article_id = c.old_id""",
        {"tag": tag, "batch": batch},
    )
    for table in NLP_TABLES:
        con.execute(
            f"""insert into raw.{table}
            select x.* replace (c.new_id as article_id, $batch as batch_id)
            from copies as c join src.raw.{table} as x on x.article_id = c.old_id""",
            {"batch": batch},
        )
    con.execute("insert or replace into raw.sources select * from src.raw.sources")
    con.execute(
        "insert into raw.batches values ($batch, null, null, $n, $n, $n, 0, nextval('raw.batch_loads'))",
        {"batch": batch, "n": n},
    )
    con.execute("commit")
    con.execute("drop table copies")
    con.execute("detach src")
    con.close()


# --- report --------------------------------------------------------------------------------------


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"wirehouse benchmark: {report['pages']} pages, {report['cores']} cores, {report['workers']} workers "
        f"(clean and NLP limits on the first {report['limit_sample']})",
        f"{'stage':<10} {'items':>6} {'seconds':>8} {'items/s':>9} {'peak MB':>8} {'limit/s':>9} {'efficiency':>10}",
    ]
    for row in report["stages"]:
        limit = f"{row['limit_per_s']:9.1f}" if "limit_per_s" in row else f"{'':>9}"
        efficiency = f"{row['efficiency']:10.0%}" if "efficiency" in row else f"{'':>10}"
        lines.append(
            f"{row['stage']:<10} {row['items']:>6} {row['seconds']:8.2f} {row['per_s']:9.1f} "
            f"{row['peak_mb']:8.0f} {limit} {efficiency}"
        )
    nlp = next(row for row in report["stages"] if row["stage"] == "nlp")
    lines.append(f"NLP: {nlp['words_per_s']:,.0f} words/s, {nlp['per_s']:.1f} articles/s")
    cli = report["end_to_end"]["cli"]
    lines.append(f"end to end, CLI:     {cli['articles']} articles in {cli['seconds']:.1f} s = {cli['per_s']:.2f}/s "
                 f"(peak {cli['peak_mb']:.0f} MB)")  # fmt: skip
    steady = report.get("steady_state")
    if steady:
        spent = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in steady["stages"].items())
        lines.append(f"the next run, same pages: {steady['seconds']:.1f} s = {steady['fraction']:.0%} of the first, "
                     f"{steady['parsed']} parsed ({spent})")  # fmt: skip
    air = report["end_to_end"].get("airflow")
    if air:
        lines.append(
            f"end to end, Airflow: {air['articles']} articles in {air['seconds']:.1f} s = {air['per_s']:.2f}/s "
            f"({air['per_s'] / cli['per_s']:.0%} of the CLI)"
        )
        if air.get("tasks"):
            spent = ", ".join(
                f"{stage} {t['seconds']:.1f}" + (f" ({t['tasks']:.0f} tasks)" if t["tasks"] > 1 else "")
                for stage, t in air["tasks"].items()
            )
            lines.append(f"  Airflow's seconds: {spent}; between tasks {air['between_tasks']:.1f}, "
                         f"outside them {air['outside_tasks']:.1f}")  # fmt: skip
    inc = report.get("incremental")
    if inc:
        base = [k for k in inc if k not in ("empty", "ratio")][0]
        lines.append(f"dbt build after adding 1,000 articles: to an empty warehouse {inc['empty']:.1f} s, "
                     f"to one of {base} {inc[base]:.1f} s (x{inc['ratio']:.2f})")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--pages", type=int, default=2000, help="pages to build (default 2000)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "data" / "bench" / "bench.json")
    parser.add_argument("--no-airflow", action="store_true", help="skip the airflow dags test run")
    parser.add_argument(
        "--incremental-base",
        type=int,
        default=20_000,
        help="articles already in the warehouse for the incremental figure (0 skips it)",
    )
    parser.add_argument(
        "--limit-sample",
        type=int,
        default=1000,
        help="pages the clean and NLP limits run on, the first of the same pages (default 1000)",
    )
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"the benchmark needs the shared corpus at {CORPUS}", file=sys.stderr)
        return 2
    began = time.monotonic()

    def step(what: str) -> None:
        print(f"[{time.monotonic() - began:5.0f} s] {what} ...", flush=True)

    work = Path(tempfile.mkdtemp(prefix="wirehouse-bench-"))
    step(f"building {args.pages} pages")
    site = PageSite(make_pages(args.pages))
    url_file = work / "urls.txt"
    url_file.write_text("\n".join(site.urls) + "\n")
    report: dict[str, Any] = {
        "pages": args.pages,
        "cores": os.cpu_count(),
        "workers": _settings(work).workers,
        "limit_sample": min(args.pages, args.limit_sample),
    }
    try:
        step("end to end through the CLI, every stage timed")
        report["stages"], cli = bench_cli(work / "cli", url_file)
        report["end_to_end"] = {"cli": cli}
        step("the same pages again, as the next hourly run finds them")
        report["steady_state"] = bench_steady(work / "cli", url_file, cli)
        step("each stage's limit on the same pages")
        bench_limits(work / "cli", report["stages"], args.limit_sample)
        if not args.no_airflow:
            step("end to end through airflow dags test")
            report["end_to_end"]["airflow"] = bench_airflow(work / "airflow", url_file)
        if args.incremental_base:
            step("incremental dbt builds")
            report["incremental"] = bench_incremental(work / "cli", work / "incremental", args.incremental_base)
    finally:
        site.close()
        shutil.rmtree(work, ignore_errors=True)
    report["bench_seconds"] = time.monotonic() - began
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str))
    print(format_table(report))
    print(f"figures written to {args.out}; the benchmark took {report['bench_seconds'] / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
