"""Events across articles: fct_event_story and fct_dyad_daily built by the real pipeline over the
demo site, whose two partner outlets report one Lithuanian accusation against Belarus.

One module warehouse: ``wirehouse run`` over the demo feed and sitemap, the same batch again,
then a later batch; each test reads what those runs left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extract.cli import main
from extract.demo import write_demo_sources
from extract.demo_site import serve
from extract.load import connect
from extract.settings import load_settings
from extract.transform import dbt_dir

ACCUSATION = """
    select s.story_id, s.n_articles, s.n_sources, s.n_events, s.event_date, s.date_precision,
           s.article_ids, s.event_ids
    from marts.fct_event_story as s
    join marts.dim_actor as source on s.source_actor_id = source.actor_id
    join marts.dim_actor as target on s.target_actor_id = target.actor_id
    where s.event_type = 'ACCUSE' and source.country_code = 'LTU' and source.kind = 'country'
      and target.country_code = 'BLR' and target.kind = 'country'
"""


def _stories(settings) -> dict[str, tuple]:
    con = connect(settings, read_only=True)
    try:
        rows = con.execute("select story_id, event_ids from marts.fct_event_story").fetchall()
        accusation = con.execute(ACCUSATION).fetchall()
    finally:
        con.close()
    return {"all": dict(rows), "accusation": accusation}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The warehouse after each of three real runs: first batch, its rerun, a later batch."""
    home = tmp_path_factory.mktemp("stories")
    settings = load_settings(environ={}, home=home, allow_private=True, host_delay=0, retries=0)
    snapshots = {}
    with serve() as site, pytest.MonkeyPatch.context() as env:
        # the CLI reads WIREHOUSE_* like a user's shell would
        env.setenv("WIREHOUSE_HOME", str(home))
        env.setenv("WIREHOUSE_ALLOW_PRIVATE", "1")
        env.setenv("WIREHOUSE_HOST_DELAY", "0")
        env.setenv("WIREHOUSE_RETRIES", "0")
        write_demo_sources(settings, site.base_url)
        sources = str(settings.path("sources"))
        for name, batch in (("first", "demo"), ("rerun", "demo"), ("later", "demo-later")):
            code = main(["--warehouse", str(settings.warehouse_path), "run", "--sources", sources, "--batch-id", batch])
            assert code == 0, name
            snapshots[name] = _stories(settings)
    return settings, snapshots


def test_two_outlets_one_event_is_one_story(runs) -> None:
    _settings, snapshots = runs
    [story] = snapshots["first"]["accusation"]
    _story_id, n_articles, n_sources, n_events, event_date, precision, article_ids, event_ids = story
    assert (n_articles, n_sources) == (2, 2)
    assert str(event_date) == "2025-09-16" and precision == "day"  # "on Tuesday" in both, resolved
    assert len(article_ids) == 2 and n_events == len(event_ids) >= 2


def test_story_ids_survive_a_rerun_and_a_later_batch(runs) -> None:
    _settings, snapshots = runs
    first = snapshots["first"]
    assert snapshots["rerun"] == first
    # the later batch fetches the same pages again: same reports, same stories, same ids
    assert snapshots["later"]["accusation"][0][0] == first["accusation"][0][0]
    assert set(snapshots["later"]["all"]) == set(first["all"])


def test_every_report_is_in_one_story_and_the_dyads_add_up(runs) -> None:
    settings, _snapshots = runs
    con = connect(settings, read_only=True)
    try:
        n_events = con.execute("select count(*) from marts.fct_event").fetchone()[0]
        in_stories = con.execute(
            "select count(*), count(distinct e) from marts.fct_event_story, unnest(event_ids) as u(e)"
        ).fetchone()
        dyads = con.execute(
            "select sum(n_events), min(n_stories), max(n_articles) from marts.fct_dyad_daily"
        ).fetchone()
        ltu_blr = con.execute(
            """select n_stories, n_articles from marts.fct_dyad_daily
               where event_day = date '2025-09-16' and source_country_code = 'LTU'
                 and target_country_code = 'BLR' and quad_class = 'verbal conflict'"""
        ).fetchone()
        multi = con.execute("select count(*) from marts.fct_event_story where n_sources > 1").fetchone()[0]
    finally:
        con.close()
    assert n_events > 30
    assert in_stories == (n_events, n_events)
    assert dyads[0] == n_events and dyads[1] >= 1
    assert ltu_blr is not None and ltu_blr[1] == 2  # both articles on the accusation's day
    # besides the accusation, both outlets report Poland and Latvia pledging to work with Vilnius
    assert multi >= 1


def test_source_freshness_runs_on_a_fresh_warehouse(runs) -> None:
    settings, _snapshots = runs
    warehouse = settings.warehouse_path.resolve()
    folder = dbt_dir(warehouse)
    project = Path(settings.dbt_project_dir).resolve()
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt), "source", "freshness", "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(folder / "target"), "--log-path", str(folder / "logs"), "--no-use-colors",
        ],
        env={**os.environ, "WIREHOUSE_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PASS freshness of wirehouse.pages" in result.stdout
    assert "PASS freshness of wirehouse.articles" in result.stdout
