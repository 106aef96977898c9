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


# --- fct_event_story built incrementally: every step equals a build from nothing -------------

NEWS = Path(__file__).resolve().parent.parent / "extract" / "demo_site" / "site" / "news"
LATER_PAGE = "lithuania-accuses-belarus-over-smuggling-balloons.html"  # Baltic Wire Service
LOSES_EVENTS = "vilnius-summons-belarus-envoy-after-airport-closure.html"  # Northern Dispatch


def _story_rows(warehouse: Path) -> list[tuple]:
    """Every story, without its build stamp, in a stable order."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return sorted(con.execute("select * exclude (built_at) from marts.fct_event_story").fetchall(), key=repr)
    finally:
        con.close()


def _stamps(settings) -> dict[str, object]:
    con = connect(settings, read_only=True)
    try:
        return dict(con.execute("select story_id, built_at from marts.fct_event_story").fetchall())
    finally:
        con.close()


def _full_refresh(settings, folder: Path) -> list[tuple]:
    """The story mart ``dbt build --full-refresh`` gives, built on a copy of the warehouse."""
    import shutil

    folder.mkdir(parents=True)
    copy = folder / "full.duckdb"
    shutil.copyfile(settings.warehouse_path, copy)
    wal = settings.warehouse_path.with_name(settings.warehouse_path.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    project = Path(settings.dbt_project_dir).resolve()
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt), "build", "--full-refresh", "--select", "fct_event_story", "--project-dir", str(project),
            "--profiles-dir", str(project), "--target-path", str(folder / "target"),
            "--log-path", str(folder / "logs"), "--no-use-colors", "--no-version-check",
        ],
        env={**os.environ, "WIREHOUSE_WAREHOUSE": str(copy)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return _story_rows(copy)


def _run_batch(settings, batch: str, pages: list[str], site, folder: Path) -> None:
    """Every stage of the pipeline over a list of the demo site's pages, up to the load."""
    from extract import pipeline
    from extract.sources import Source

    urls = folder / f"{batch}.urls.txt"
    urls.write_text("".join(site.url(f"/news/{page}") + "\n" for page in pages))
    pipeline.run_discover(settings, batch, [Source("urls", str(urls))])
    pipeline.run_fetch(settings, batch)
    pipeline.run_clean(settings, batch)
    pipeline.run_nlp(settings, batch)
    pipeline.run_load(settings, batch)


def _drop_article_events(settings, batch: str, page: str) -> str:
    """Rewrite the batch's staged events without the page's article; return its article_id."""
    from extract.staging import batch_dir

    con = connect(settings, read_only=True)
    try:
        (article_id,) = con.execute("select article_id from raw.articles where url like ?", [f"%/{page}"]).fetchone()
    finally:
        con.close()
    path = batch_dir(settings, batch) / "events.jsonl"
    lines = path.read_text().splitlines()
    kept = [line for line in lines if f'"{article_id}"' not in line]
    assert len(kept) < len(lines)
    path.write_text("".join(line + "\n" for line in kept))
    return article_id


def test_story_mart_built_incrementally_equals_a_full_refresh(settings, demo_site, tmp_path) -> None:
    """(a) a first build, (b) a later batch adding a report to a story, (c) a reload of the first
    batch in which an article lost its events, (d) a build with no new load: each time the
    incremental mart equals ``dbt build --full-refresh``'s, row for row, and (d) rewrites nothing."""
    from extract import pipeline

    first_pages = sorted(page.name for page in NEWS.glob("*.html") if page.name != LATER_PAGE)
    accusation = f"select story_id, n_articles, article_ids from ({ACCUSATION})"

    def step(name: str) -> list[tuple]:
        pipeline.run_transform(settings)
        rows = _story_rows(settings.warehouse_path)
        assert rows == _full_refresh(settings, tmp_path / name), name
        return rows

    # (a) every page but the Baltic Wire's
    _run_batch(settings, "first", first_pages, demo_site, tmp_path)
    step("a")
    con = connect(settings, read_only=True)
    [(story_id, n_articles, _ids)] = con.execute(accusation).fetchall()
    con.close()
    assert n_articles == 1
    stamps_a = _stamps(settings)

    # (b) the Baltic Wire's article: a second report of the accusation, its story keeps its id
    _run_batch(settings, "later", [LATER_PAGE], demo_site, tmp_path)
    step("b")
    con = connect(settings, read_only=True)
    assert con.execute(accusation).fetchall()[0][:2] == (story_id, 2)
    con.close()
    stamps_b = _stamps(settings)
    kept = [key for key in stamps_a if stamps_b.get(key) == stamps_a[key]]
    assert kept and len(kept) < len(stamps_a)  # only the stories of keys the batch touched were rewritten

    # (c) the first batch loaded again, the Northern Dispatch's article now without events: the
    # accusation keeps only the Baltic Wire's report, and keys only that article had are gone
    gone = _drop_article_events(settings, "first", LOSES_EVENTS)
    pipeline.run_load(settings, "first")
    rows_c = step("c")
    con = connect(settings, read_only=True)
    assert con.execute(accusation).fetchall()[0][:2] == (story_id, 1)
    left = con.execute("select count(*) from marts.fct_event_story where list_contains(article_ids, ?)", [gone])
    assert left.fetchone()[0] == 0
    con.close()

    # (d) no new load: the same rows, not one rewritten
    stamps_c = _stamps(settings)
    pipeline.run_transform(settings)
    assert _story_rows(settings.warehouse_path) == rows_c
    assert _stamps(settings) == stamps_c
