"""Annotate a batch's articles: one spaCy parse each, then every extractor over the parse.

Returns rows for the raw NLP tables (``extract/schema.sql``).  Articles not in English are
not parsed: they get an ``article_nlp`` row saying why, and no facts.  Neither does an article
whose extractors run past ``nlp_article_seconds`` or raise: its row says ``failed`` and why, so
one pathological text can neither stall nor sink a batch.

Work per article is bounded, and a parsed article's ``reason`` says which bound it hit (its
status stays ``parsed``; ``reason`` is null when none was hit).  Each bound adds one clause
starting with a fixed code, clauses joined by ``"; "``, so ``reason like '%text_cut%'`` finds
them:

- ``text_cut at P of N characters``: the text is longer than ``nlp_max_chars``.  The warehouse
  keeps all N characters, the parse reads the first P (``parse_limit``: cut at a paragraph
  break, else a sentence end, else a space), so every offset stays an offset into the full text.
  One 245,000-character paragraph took 1,084 MB and 13 CPU seconds whole, 559 MB and 6 s cut
  at 100,000 (the longest of 166 real pages in ../shared/corpus is 53,372 characters).
- ``statements_capped at K of M``: more than ``nlp_max_statements`` statements; the first K in
  text order are kept.
- ``events_capped at K of M``: more than ``nlp_max_events`` events; the first K, in the order
  of their trigger words, are kept.
"""

from __future__ import annotations

import hashlib
import logging
import re
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from extract.nlp import NLP_TABLES
from extract.nlp.actors import find_actors
from extract.nlp.events import METHOD_VERSION, find_events
from extract.nlp.model import load_pipeline
from extract.nlp.statements import find_statements
from extract.settings import Settings

__all__ = ["NLP_TABLES", "actor_id_for", "annotate_articles", "parse_limit"]

log = logging.getLogger(__name__)

LANGUAGES = {"en"}


def actor_id_for(key: str) -> str:
    """The warehouse id of an actor: stable across runs and articles for one canonical key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _published(article: dict[str, Any]) -> date | None:
    value = article.get("published_at")
    if not value:
        return None
    return datetime.fromisoformat(value).date()


# the end of a sentence: its mark, any closing quotes or brackets, then white space
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019\u00bb)\]]*(?=\s)")


def parse_limit(text: str, max_chars: int) -> int:
    """How many leading characters of ``text`` the NLP parses: all when they fit in ``max_chars``,
    else the most that do, ending at the last paragraph break, else sentence end, else space in
    the limit's second half (a word is cut only when there is none), so the facts found stop at
    a boundary a reader would."""
    if len(text) <= max_chars:
        return len(text)
    floor = max_chars // 2
    paragraph = text.rfind("\n", floor, max_chars + 1)
    if paragraph >= 0:
        return paragraph
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(text, floor, max_chars + 1)]
    if sentence_ends:
        return sentence_ends[-1]
    return next((i for i in range(max_chars, floor - 1, -1) if text[i].isspace()), max_chars)


def _parsed(settings: Settings, articles: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], Any]]:
    nlp = load_pipeline(settings.spacy_model, settings.nlp_blas)
    texts = (article["text"][: parse_limit(article["text"], settings.nlp_max_chars)] for article in articles)
    docs = nlp.pipe(texts, batch_size=settings.nlp_batch_size)
    yield from zip(articles, docs, strict=True)


def annotate_articles(settings: Settings, articles: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows for each table of ``NLP_TABLES`` from a batch's article rows."""
    rows: dict[str, list[dict[str, Any]]] = {table: [] for table in NLP_TABLES}
    english: list[dict[str, Any]] = []
    for article in articles:
        if article.get("language") in LANGUAGES:
            english.append(article)
        else:
            rows["article_nlp"].append(
                {
                    "article_id": article["article_id"],
                    "status": "skipped",
                    "reason": f"language {article.get('language')!r}: the NLP layer reads English only",
                    "model": None,
                    "n_sentences": 0,
                    "n_tokens": 0,
                }
            )
    for article, doc in _parsed(settings, english):
        own: dict[str, list[dict[str, Any]]] = {table: [] for table in NLP_TABLES}
        try:
            with time_limit(settings.nlp_article_seconds):
                _annotate_one(settings, article, doc, own)
        except ArticleTooSlow:
            log.warning("NLP gave up on %s after %s s", article["article_id"], settings.nlp_article_seconds)
            reason = f"the extractors took longer than nlp_article_seconds={settings.nlp_article_seconds}"
            own = _failed(settings, article, doc, reason)
        except Exception as error:  # one article's bug must not cost the batch its other articles
            log.exception("NLP failed on %s", article["article_id"])
            own = _failed(settings, article, doc, f"the extractors raised {type(error).__name__}: {error}"[:500])
        for table, table_rows in own.items():
            rows[table].extend(table_rows)
    return rows


def _failed(settings: Settings, article: dict[str, Any], doc: Any, reason: str) -> dict[str, list[dict[str, Any]]]:
    """An article's rows when its extractors did not finish: no facts, and the reason."""
    own: dict[str, list[dict[str, Any]]] = {table: [] for table in NLP_TABLES}
    own["article_nlp"].append(
        {
            "article_id": article["article_id"],
            "status": "failed",
            "reason": reason,
            "model": settings.spacy_model,
            "n_sentences": 0,
            "n_tokens": len(doc),
        }
    )
    return own


class ArticleTooSlow(Exception):
    """One article's extraction ran past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ArticleTooSlow in the block after ``seconds`` of wall time (0: no limit).

    A timer signal, so only in a process's main thread (where every stage runs its chunks);
    elsewhere the block runs unbounded.  A timer already set (a task's or a test's timeout)
    is kept: it is re-armed with what is left of it when the block ends.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise ArticleTooSlow

    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_delay) if outer_delay else seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            left = max(outer_delay - (time.monotonic() - started), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _bounds_hit(settings: Settings, n_chars: int, n_parsed: int, n_statements: int, n_events: int) -> list[str]:
    """One clause per bound an article hit, in the module docstring's terms."""
    hit = []
    if n_parsed < n_chars:
        hit.append(f"text_cut at {n_parsed} of {n_chars} characters")
    if n_statements > settings.nlp_max_statements:
        hit.append(f"statements_capped at {settings.nlp_max_statements} of {n_statements}")
    if n_events > settings.nlp_max_events:
        hit.append(f"events_capped at {settings.nlp_max_events} of {n_events}")
    return hit


def _annotate_one(settings: Settings, article: dict[str, Any], doc: Any, rows: dict[str, list]) -> None:
    article_id = article["article_id"]
    sentences = list(doc.sents)
    rows["sentences"].extend(
        {"article_id": article_id, "sentence_index": i, "start_char": s.start_char, "end_char": s.end_char}
        for i, s in enumerate(sentences)
    )
    published = _published(article)
    actors, mentions = find_actors(doc, published)
    for actor in actors:
        rows["article_actors"].append(
            {
                "article_id": article_id,
                "actor_id": actor_id_for(actor.key),
                "actor_key": actor.key,
                "name": actor.name,
                "kind": actor.kind,
                "country_code": actor.country_code,
                "sector": actor.sector,
                "aliases": sorted(set(actor.aliases)),
            }
        )
    for index, mention in enumerate(sorted(mentions, key=lambda m: (m.start, m.end))):
        rows["actor_mentions"].append(
            {
                "article_id": article_id,
                "mention_index": index,
                "actor_id": actor_id_for(mention.actor_key),
                "text": mention.text,
                "start_char": mention.start,
                "end_char": mention.end,
                "sentence_index": mention.sentence_index,
            }
        )
    statements = find_statements(doc, actors, mentions)
    events = find_events(doc, actors, mentions, statements, published)
    bounds = _bounds_hit(settings, len(article["text"]), len(doc.text), len(statements), len(events))
    rows["article_nlp"].append(
        {
            "article_id": article_id,
            "status": "parsed",
            "reason": "; ".join(bounds) or None,
            "model": settings.spacy_model,
            "n_sentences": len(sentences),
            "n_tokens": len(doc),
        }
    )
    for index, statement in enumerate(statements[: settings.nlp_max_statements]):
        rows["statements"].append(
            {
                "article_id": article_id,
                "statement_index": index,
                "speaker_actor_id": statement.speaker_key and actor_id_for(statement.speaker_key),
                "text": statement.text,
                "mode": statement.mode,
                "cue": statement.cue,
                "start_char": statement.start,
                "end_char": statement.end,
                "sentence_index": statement.sentence_index,
            }
        )
    for index, event in enumerate(events[: settings.nlp_max_events]):
        rows["events"].append(
            {
                "article_id": article_id,
                "event_index": index,
                "event_type": event.event_type,
                "source_actor_id": event.source_key and actor_id_for(event.source_key),
                "target_actor_id": event.target_key and actor_id_for(event.target_key),
                "event_date": event.event_date and event.event_date.isoformat(),
                "date_precision": event.date_precision,
                "location_name": event.location_name,
                "location_country_code": event.location_country_code,
                "location_precision": event.location_precision,
                "confidence": event.confidence,
                "latitude": event.latitude,
                "longitude": event.longitude,
                "trigger": event.trigger,
                "start_char": event.start,
                "end_char": event.end,
                "sentence_index": event.sentence_index,
                "method_version": METHOD_VERSION,
            }
        )
