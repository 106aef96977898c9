"""Quality gate: the clean text the pipeline stores, scored on the Scrapinghub benchmark pages.

The pages are served over HTTP on 127.0.0.1 and go through discover, fetch, clean, load and
dbt like any other; the score reads ``marts.fct_article.text``, so a page the pipeline rejects
(too short, duplicate) counts as an empty prediction.  The benchmark's own metric is
../shared/corpus/score_extraction.py; trafilatura alone reaches 0.960 there.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
from local_http import LocalServer, static

from extract import pipeline
from extract.load import connect
from extract.sources import Source

F1_FLOOR = 0.96  # measured 0.9659 on 2026-11-25; the issue asked for 0.955

pytestmark = pytest.mark.corpus


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_extraction", shared / "corpus" / "score_extraction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def test_stored_text_meets_the_extraction_floor(settings, shared: Path, tmp_path: Path) -> None:
    folder = shared / "corpus" / "scrapinghub"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    with LocalServer() as server:
        for page_id in truth:
            html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
            server.route(f"/{page_id}.html", static(html, content_type="text/html"))
        url_list = tmp_path / "urls.txt"
        url_list.write_text("\n".join(server.url(f"/{page_id}.html") for page_id in truth))
        pipeline.run_discover(settings, "gate", [Source("urls", str(url_list))])
        fetched = pipeline.run_fetch(settings, "gate")
        cleaned = pipeline.run_clean(settings, "gate")
        pipeline.run_load(settings, "gate")
        pipeline.run_transform(settings)
    con = connect(settings, read_only=True)
    stored = dict(con.execute("select url, text from marts.fct_article").fetchall())
    con.close()
    predictions = {page_id: {"articleBody": stored.get(server.url(f"/{page_id}.html"), "")} for page_id in truth}
    result = _scorer(shared)(truth, predictions)
    print(
        f"\nScrapinghub extraction through the pipeline: F1 {result['f1']:.4f} "
        f"(precision {result['precision']:.4f}, recall {result['recall']:.4f}) on {result['pages']} pages; "
        f"fetched {fetched.n_out}, cleaned {cleaned.n_out}, stored {len(stored)}; floor {F1_FLOOR}"
    )
    assert fetched.n_out == len(truth)
    assert result["f1"] >= F1_FLOOR
