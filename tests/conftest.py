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
