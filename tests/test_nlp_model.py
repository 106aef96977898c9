"""Loading the spaCy pipeline: the matrix library changes the speed, never the analysis."""

from __future__ import annotations

import json

import pytest

from extract.nlp.model import load_pipeline
from extract.settings import Settings


def _analysis(doc) -> list[tuple]:
    tokens = [(t.i, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_) for t in doc]
    return [*tokens, *[(s.start, s.end) for s in doc.sents]]


def test_numpy_and_blis_give_the_same_parse_of_real_articles(shared) -> None:
    truth = json.loads((shared / "corpus" / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    texts = [body["articleBody"] for body in list(truth.values())[:40]]
    model = Settings().spacy_model
    with_numpy = [_analysis(doc) for doc in load_pipeline(model, "numpy").pipe(texts)]
    with_blis = [_analysis(doc) for doc in load_pipeline(model, "blis").pipe(texts)]
    assert sum(len(a) for a in with_numpy) > 10_000  # real articles, not a few words
    assert with_numpy == with_blis


def test_numpy_blas_runs_one_thread_per_process() -> None:
    from threadpoolctl import threadpool_info

    load_pipeline(Settings().spacy_model, "numpy")
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_an_unknown_matrix_library_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'mkl'"):
        load_pipeline(Settings().spacy_model, "mkl")
