"""``wirehouse eval``: run the pipeline over hand-annotated pages and score the warehouse.

The gold file (JSON Lines, ``../shared/eval/dev.jsonl`` by default) names each article's page;
the pages are served on 127.0.0.1 as ``/<doc_id>.html``, go through every stage into a fresh
warehouse, and the evaluation's own ``score.py`` reads the public marts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from extract.settings import PROJECT_ROOT, Settings

__all__ = ["DEFAULT_GOLD", "evaluate"]

DEFAULT_GOLD = PROJECT_ROOT.parent / "shared" / "eval" / "dev.jsonl"


def _doc_ids(gold: Path) -> list[str]:
    return [json.loads(line)["doc_id"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_eval_warehouse(settings: Settings, gold: Path) -> Settings:
    """A fresh warehouse holding the gold file's pages, run through every stage but the checks."""
    from extract import pipeline
    from extract.demo_site import serve
    from extract.sources import Source

    home = settings.home / "eval" / gold.stem
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    settings = settings.replace(home=home, warehouse=Path("wirehouse.duckdb"), allow_private=True, host_delay=0)
    pages = gold.parent / "pages"
    with serve(pages) as site:
        urls = home / "urls.txt"
        urls.write_text("".join(f"{site.base_url}/{doc_id}.html\n" for doc_id in _doc_ids(gold)))
        pipeline.run_discover(settings, "eval", [Source("urls", str(urls))])
        pipeline.run_fetch(settings, "eval")
    pipeline.run_clean(settings, "eval")
    pipeline.run_nlp(settings, "eval")
    pipeline.run_load(settings, "eval")
    pipeline.run_transform(settings)
    return settings


def score(warehouse: Path, gold: Path, match_country: bool = False, as_json: bool = False) -> str:
    """The evaluation's score.py over a warehouse: its printed table, or its JSON."""
    command = [sys.executable, str(gold.parent / "score.py"), "--warehouse", str(warehouse), "--gold", str(gold)]
    if match_country:
        command.append("--match-country")
    if as_json:
        command.append("--json")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def evaluate(settings: Settings, gold: Path = DEFAULT_GOLD, match_country: bool = False, as_json: bool = False) -> str:
    if not gold.exists():
        raise FileNotFoundError(f"no gold file at {gold}: the evaluation set lives in ../shared/eval")
    built = build_eval_warehouse(settings, gold)
    return score(built.warehouse_path, gold, match_country, as_json)
