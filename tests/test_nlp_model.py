"""Loading the spaCy pipeline: the matrix library and the rule tables change the speed, never
the analysis."""

from __future__ import annotations

import json

import pytest
import spacy

from extract.nlp.model import load_pipeline
from extract.nlp.speedups import CachedLemmatizer, TableAttributeRuler, accelerate
from extract.settings import Settings

MODEL = Settings().spacy_model


def _analysis(doc) -> list[tuple]:
    tokens = [(t.i, t.tag_, t.pos_, str(t.morph), t.dep_, t.head.i, t.lemma_, t.ent_iob_, t.ent_type_) for t in doc]
    return [*tokens, *[(s.start, s.end) for s in doc.sents]]


@pytest.fixture(scope="module")
def articles(shared) -> list[str]:
    truth = json.loads((shared / "corpus" / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    return [body["articleBody"] for body in list(truth.values())[:60]]


def test_the_rule_tables_annotate_real_articles_as_spacy_does(articles) -> None:
    stock = [_analysis(doc) for doc in load_pipeline(MODEL, tables=False).pipe(articles)]
    fast_nlp = load_pipeline(MODEL)
    assert isinstance(fast_nlp.get_pipe("attribute_ruler"), TableAttributeRuler)
    assert isinstance(fast_nlp.get_pipe("lemmatizer"), CachedLemmatizer)
    assert fast_nlp.pipe_names == load_pipeline(MODEL, tables=False).pipe_names
    fast = [_analysis(doc) for doc in fast_nlp.pipe(articles)]
    assert sum(len(a) for a in stock) > 20_000  # real articles, not a few words
    assert fast == stock


def test_numpy_and_blis_give_the_same_parse(articles) -> None:
    with_numpy = [_analysis(doc) for doc in load_pipeline(MODEL, "numpy").pipe(articles[:30])]
    with_blis = [_analysis(doc) for doc in load_pipeline(MODEL, "blis").pipe(articles[:30])]
    assert with_numpy == with_blis


def test_the_attribute_table_keeps_spacy_s_order_and_longer_patterns() -> None:
    """Later rules win over earlier ones, and a two-token pattern sets its indexed token."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "run"}]], {"LEMMA": "first"})
    ruler.add([[{"LOWER": {"IN": ["run", "runs"]}}]], {"LEMMA": "second"})
    ruler.add([[{"LOWER": "let"}, {"LOWER": "'s"}]], {"LEMMA": "us"}, index=1)
    ruler.add([[{"LOWER": {"REGEX": "^wal"}}]], {"LEMMA": "walk"})
    text = "run runs let 's walked 's"
    expected = [t.lemma_ for t in nlp(text)]
    assert expected == ["second", "second", "", "us", "walk", ""]
    assert accelerate(nlp) == ["attribute_ruler"]
    assert [t.lemma_ for t in nlp(text)] == expected


def test_a_pattern_the_table_does_not_understand_stays_with_spacy() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LENGTH": {">=": 5}}]], {"LEMMA": "long"})
    assert accelerate(nlp) == []
    assert [t.lemma_ for t in nlp("tiny enormous")] == ["", "long"]


def test_numpy_blas_runs_one_thread_per_process() -> None:
    from threadpoolctl import threadpool_info

    load_pipeline(MODEL, "numpy")
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)


def test_an_unknown_matrix_library_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'mkl'"):
        load_pipeline(MODEL, "mkl")
