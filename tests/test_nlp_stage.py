"""The NLP stage inside the pipeline: one parse per English article, facts tied to offsets."""

from __future__ import annotations

import signal
import time

import pytest

from extract import pipeline
from extract.load import connect
from extract.nlp.annotate import ArticleTooSlow, annotate_articles, time_limit
from extract.sources import Source


@pytest.fixture
def loaded(settings, demo_site):
    for batch in ("first", "second"):
        # the second batch reloads every article: a full pass, as after a new model (the frontier
        # would otherwise see them again and leave them be)
        run = settings if batch == "first" else settings.replace(refetch=True)
        pipeline.run_discover(run, batch, [Source("feed", demo_site.url("/feed.xml"))])
        pipeline.run_fetch(run, batch)
        pipeline.run_clean(run, batch)
        pipeline.run_nlp(run, batch)
        pipeline.run_load(run, batch)
        if batch == "first":
            con = connect(settings, read_only=True)
            first = sorted(con.execute("select actor_id, actor_key from raw.article_actors").fetchall())
            con.close()
    pipeline.run_transform(settings)
    return settings, first


def test_non_english_articles_are_skipped_with_a_reason(loaded) -> None:
    settings, _first = loaded
    con = connect(settings, read_only=True)
    rows = con.execute(
        """select a.language, n.status, n.reason from raw.article_nlp as n
           join raw.articles as a using (article_id)"""
    ).fetchall()
    con.close()
    assert {(lang, status) for lang, status, _ in rows} == {("en", "parsed"), ("de", "skipped")}
    assert all("English only" in reason for lang, _status, reason in rows if lang == "de")


def test_mentions_point_at_their_text_and_actors_exist(loaded) -> None:
    settings, _first = loaded
    con = connect(settings, read_only=True)
    bad = con.execute(
        """select count(*) from marts.fct_actor_mention as m join marts.fct_article as a using (article_id)
           where substring(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text"""
    ).fetchone()[0]
    orphans = con.execute(
        "select count(*) from marts.fct_actor_mention where actor_id not in (select actor_id from marts.dim_actor)"
    ).fetchone()[0]
    n_mentions = con.execute("select count(*) from marts.fct_actor_mention").fetchone()[0]
    con.close()
    assert n_mentions > 50
    assert bad == 0 and orphans == 0


def test_actor_ids_are_stable_across_batches(loaded) -> None:
    settings, first = loaded
    con = connect(settings, read_only=True)
    second = sorted(con.execute("select actor_id, actor_key from raw.article_actors").fetchall())
    con.close()
    assert first == second and first


def test_dbt_fails_when_a_mention_leaves_its_text(loaded) -> None:
    import duckdb

    from extract.transform import DbtFailed, run_dbt

    settings, _first = loaded
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("update raw.actor_mentions set start_char = start_char + 1 where mention_index = 0")
    # as a load does: the batches take new load numbers, so the build takes their rows again
    con.execute("update raw.batches set load_seq = nextval('raw.batch_loads')")
    con.close()
    with pytest.raises(DbtFailed, match="text_at_offsets_fct_actor_mention_text"):
        run_dbt(settings)


def test_offset_tests_check_the_latest_build_unless_told_to_check_every_row(loaded) -> None:
    import duckdb

    from extract.transform import DbtFailed, run_dbt

    settings, _first = loaded
    con = duckdb.connect(str(settings.warehouse_path))
    (latest,) = con.execute(
        "select article_id from marts.fct_article where language = 'en' order by article_id limit 1"
    ).fetchone()
    # every other article's mentions as if an earlier build had written them, one of them now wrong
    con.execute(
        "update marts.fct_actor_mention set built_at = built_at - interval 1 hour where article_id <> ?", [latest]
    )
    con.execute(
        """update marts.fct_actor_mention set start_char = start_char + 1
           where mention_id = (select min(mention_id) from marts.fct_actor_mention where article_id <> $1)""",
        [latest],
    )
    con.close()
    assert run_dbt(settings, "test", select="fct_actor_mention").tests_failed == 0
    with pytest.raises(DbtFailed, match="text_at_offsets_fct_actor_mention_text"):
        run_dbt(settings, "test", select="fct_actor_mention", dbt_vars={"test_all_rows": True})

    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(
        """update marts.fct_actor_mention set end_char = end_char + 1
           where mention_id = (select min(mention_id) from marts.fct_actor_mention where article_id = $1)""",
        [latest],
    )
    con.close()
    with pytest.raises(DbtFailed, match="text_at_offsets_fct_actor_mention_text"):
        run_dbt(settings, "test", select="fct_actor_mention")


FACTS = ("fct_actor_mention", "fct_statement", "fct_event")


def _facts(settings) -> dict[str, list[tuple]]:
    """Every row of the three article-sized facts, without the build stamp."""
    con = connect(settings, read_only=True)
    rows = {
        table: sorted(con.execute(f"select * exclude (built_at, load_seq) from marts.{table}").fetchall())
        for table in FACTS
    }
    con.close()
    return rows


def _built_at(settings) -> dict[str, set]:
    con = connect(settings, read_only=True)
    stamps = {
        table: {row[0] for row in con.execute(f"select distinct built_at from marts.{table}").fetchall()}
        for table in FACTS
    }
    con.close()
    return stamps


def test_fact_marts_rebuild_only_new_loads_and_equal_a_full_refresh(loaded) -> None:
    from extract.staging import batch_dir
    from extract.transform import run_dbt

    settings, _first = loaded
    before, stamps = _facts(settings), _built_at(settings)
    assert all(before[table] for table in FACTS)

    run_dbt(settings)  # no new load: nothing rewritten
    assert _facts(settings) == before and _built_at(settings) == stamps

    # the second batch loaded again, one of its articles now without mentions, statements or events
    folder = batch_dir(settings, "second")
    con = connect(settings, read_only=True)
    (gone,) = con.execute(
        """select article_id from raw.actor_mentions where batch_id = 'second'
           and article_id in (select article_id from raw.statements)
           and article_id in (select article_id from raw.events)
           order by article_id limit 1"""
    ).fetchone()
    con.close()
    for table in ("actor_mentions", "statements", "events"):
        path = folder / f"{table}.jsonl"
        kept = [line for line in path.read_text().splitlines() if f'"{gone}"' not in line]
        path.write_text("".join(line + "\n" for line in kept))
    pipeline.run_load(settings, "second")
    run_dbt(settings)
    incremental = _facts(settings)
    assert all(not any(gone in row for row in incremental[table]) for table in FACTS)
    assert all(_built_at(settings)[table] - stamps[table] for table in FACTS)  # rows the reload's build wrote

    con = connect(settings)
    for table in FACTS:
        con.execute(f"drop table marts.{table}")
    con.close()
    run_dbt(settings)  # built from nothing: what a full refresh gives
    assert _facts(settings) == incremental


def test_an_article_past_its_time_limit_is_recorded_as_failed(settings) -> None:
    with pytest.raises(ArticleTooSlow):
        with time_limit(0.05):
            time.sleep(1)
    signal.setitimer(signal.ITIMER_REAL, 500)  # an outer timer, as a task's timeout sets: kept
    with time_limit(0.05):
        pass
    left, _interval = signal.setitimer(signal.ITIMER_REAL, 0)
    assert 490 < left <= 500
    text = "The minister said on Monday that the talks with Germany would resume. " * 20
    article = {"article_id": "a1", "language": "en", "text": text, "published_at": None}
    rows = annotate_articles(settings.replace(nlp_article_seconds=0.0001), [article])
    assert [(r["status"], "nlp_article_seconds" in r["reason"]) for r in rows["article_nlp"]] == [("failed", True)]
    assert not any(rows[table] for table in ("sentences", "article_actors", "statements", "events"))
    rows = annotate_articles(settings, [article])
    assert rows["article_nlp"][0]["status"] == "parsed" and rows["sentences"]


def test_an_article_whose_extractors_raise_is_recorded_and_the_others_kept(settings, monkeypatch) -> None:
    """Fault injection: the event coder raising on one article costs that article only."""
    from extract.nlp import annotate

    real = annotate.find_events

    def failing(doc, *args):
        if "harbour" in doc.text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc, *args)

    monkeypatch.setattr(annotate, "find_events", failing)
    texts = {"a1": "The minister said the talks would resume in Berlin. " * 5,
             "a2": "Navy ships shelled the harbour of the city on Monday. " * 5}  # fmt: skip
    articles = [{"article_id": k, "language": "en", "text": t, "published_at": None} for k, t in texts.items()]
    rows = annotate_articles(settings, articles)
    status = {r["article_id"]: (r["status"], r["reason"]) for r in rows["article_nlp"]}
    assert status["a1"] == ("parsed", None)
    assert status["a2"][0] == "failed" and "RecursionError" in status["a2"][1]
    assert {r["article_id"] for r in rows["sentences"]} == {"a1"}
