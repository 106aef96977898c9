"""Shared fixtures: settings in a temporary home, the shared corpus, the demo site."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.settings import Settings, load_settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: everything under tmp_path, local servers allowed, no delays."""
    return load_settings(
        environ={},
        home=tmp_path,
        allow_private=True,
        host_delay=0,
        connect_timeout=2,
        read_timeout=2,
        retries=1,
        backoff=0.05,
    )


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline (``extract.nlp.model``), loaded once for every NLP test
    module; ``tests/test_nlp_model.py`` shows it annotates as stock spaCy does."""
    from extract.nlp.model import load_pipeline

    try:
        return load_pipeline(load_settings(environ={}).spacy_model)
    except (OSError, RuntimeError) as error:
        pytest.skip(f"the spaCy model is not installed: {error}")


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (corpus, eval): present in development and CI, absent from a user's clone."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"needs the shared corpus at {SHARED} (only in development and CI)")
    return SHARED


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 whose routes a test sets (tests/local_http.py)."""
    from local_http import LocalServer

    with LocalServer() as running:
        yield running


@pytest.fixture
def demo_site():
    from extract.demo_site import serve

    with serve() as site:
        yield site


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The home of one real ``wirehouse run`` over the demo site's feed and sitemap, built once per
    session for tests that only read it (copy it before writing)."""
    import os
    import subprocess
    import sys

    from extract.demo_site import serve

    home = tmp_path_factory.mktemp("demo-warehouse")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update(WIREHOUSE_HOME=str(home), WIREHOUSE_ALLOW_PRIVATE="1", WIREHOUSE_HOST_DELAY="0", WIREHOUSE_RETRIES="0")
    with serve() as site:
        sources = home / "sources.yml"
        sources.write_text(
            "sources:\n"
            f"  - {{kind: feed, location: '{site.url('/feed.xml')}', name: demo feed}}\n"
            f"  - {{kind: sitemap, location: '{site.url('/sitemap.xml')}'}}\n",
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "extract.cli", "run", "--sources", str(sources), "--batch-id", "demo"]
        done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return home
