"""Smoke test of the benchmark at N = 20: it runs, and every figure it reports is there and positive.

Speed itself is not asserted anywhere in the tests: `make bench` measures it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import bench

pytestmark = pytest.mark.corpus


def test_benchmark_reports_every_figure(shared: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "bench.json"
    args = ["--pages", "20", "--incremental-base", "200", "--limit-sample", "12", "--out", str(out)]
    assert bench.main(args) == 0
    report = json.loads(out.read_text())
    assert report["limit_sample"] == 12 and report["bench_seconds"] > 0
    stages = {row["stage"]: row for row in report["stages"]}
    assert list(stages) == ["discover", "fetch", "clean", "nlp", "load", "dbt build", "checks"]
    for row in stages.values():
        assert row["items"] > 0 and row["seconds"] > 0 and row["per_s"] > 0 and row["peak_mb"] > 0, row
    assert stages["nlp"]["words_per_s"] > 0
    for name in ("clean", "nlp", "load"):
        assert stages[name]["limit_per_s"] > 0 and stages[name]["efficiency"] > 0
    for run in ("cli", "airflow"):
        figures = report["end_to_end"][run]
        assert figures["articles"] > 0 and figures["per_s"] > 0, figures
    tasks = report["end_to_end"]["airflow"]["tasks"]  # where Airflow's time went, from its metadata
    assert list(tasks) == ["discover", "fetch", "clean", "nlp", "load", "dbt", "checks"]
    assert all(t["seconds"] > 0 and t["tasks"] >= 1 for t in tasks.values()), tasks
    assert tasks["dbt"]["tasks"] > 20  # one per model and per detached test
    assert report["incremental"]["empty"] > 0 and report["incremental"]["200"] > 0
    steady = report["steady_state"]  # the same pages again: known, so nothing is parsed
    assert steady["parsed"] == 0 and 0 < steady["fraction"] and steady["stages"]["fetch"] > 0
    printed = capsys.readouterr().out
    assert "the next run, same pages" in printed
    assert "efficiency" in printed and "end to end, Airflow" in printed and "Airflow's seconds" in printed


def test_copies_differ_enough_to_survive_deduplication(shared: Path) -> None:
    from extract.clean import extract_text
    from extract.fingerprint import jaccard

    pages = bench.make_pages(170)  # 166 originals, then copies of the first ones
    original = extract_text(pages[0], "http://x/0.html")["text"]
    copy = extract_text(pages[166], "http://x/166.html")["text"]
    assert jaccard(original, copy) < 0.8
