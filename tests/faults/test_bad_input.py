"""Bad input fails clearly: exit status 2, one line on stderr, nothing written.

Each case runs the real CLI in a subprocess (``python -m extract.cli``) against a temporary
home, as a person at a terminal would, and checks the warehouse and staging folder after.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from extract.load import ensure_schema, load_batch
from extract.settings import load_settings
from extract.sources import Source, discover

pytestmark = pytest.mark.faults


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update({"WIREHOUSE_HOME": str(home), "WIREHOUSE_ALLOW_PRIVATE": "1", "WIREHOUSE_HOST_DELAY": "0", **extra})
    return env


def _cli(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract.cli", *args],
        env=_env(home, **extra),
        cwd=home.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused(done: subprocess.CompletedProcess[str]) -> str:
    """Assert exit status 2 with exactly one line on stderr; return that line."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1, done.stderr
    return lines[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def warehouse(home: Path, tmp_path: Path) -> Path:
    """A real warehouse holding two (empty) loaded batches, b1 and b2."""
    settings = load_settings(environ={}, home=home)
    con = duckdb.connect(str(settings.warehouse_path))
    ensure_schema(con)
    con.close()
    empty = tmp_path / "empty-batch"
    empty.mkdir()
    for batch in ("b1", "b2"):
        load_batch(settings, batch, empty)
    return settings.warehouse_path


def _binary(path: Path) -> Path:
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40)
    return path


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "not_utf8"])
def test_a_bad_urls_file_is_refused_before_anything_is_written(home: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.txt"
    if kind == "directory":
        path.mkdir()
    elif kind == "binary":
        _binary(path)
    elif kind == "not_utf8":
        path.write_bytes("http://127.0.0.1:9/caf\xe9\n".encode("latin-1"))
    line = _refused(_cli(home, "run", "--urls", str(path)))
    assert str(path) in line and "Traceback" not in line
    assert not (home / "wirehouse.duckdb").exists()
    assert not (home / "staging").exists()


def test_a_binary_urls_file_leaves_an_existing_warehouse_unchanged(home: Path, tmp_path: Path, warehouse: Path) -> None:
    before = _sha(warehouse)
    line = _refused(_cli(home, "run", "--urls", str(_binary(tmp_path / "urls.bin"))))
    assert "binary" in line
    assert _sha(warehouse) == before
    assert not (home / "staging").exists()


@pytest.mark.parametrize("kind", ["missing", "binary", "binary_list_inside", "not_a_sources_list"])
def test_a_bad_sources_file_is_refused(home: Path, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "sources.yml"
    if kind == "binary":
        _binary(path)
    elif kind == "binary_list_inside":
        _binary(tmp_path / "list.txt")
        path.write_text("sources:\n  - {kind: urls, location: list.txt}\n", encoding="utf-8")
    elif kind == "not_a_sources_list":
        path.write_text("- just a list\n", encoding="utf-8")
    line = _refused(_cli(home, "run", "--sources", str(path)))
    assert "sources" in line or "list.txt" in line
    assert not (home / "wirehouse.duckdb").exists() and not (home / "staging").exists()


def test_summary_of_an_unknown_batch_names_the_latest(home: Path, warehouse: Path) -> None:
    before = _sha(warehouse)
    line = _refused(_cli(home, "summary", "nosuchbatch"))
    assert line == f"wirehouse summary: no batch 'nosuchbatch' in {warehouse}; latest: b2, b1"
    assert not (home / "staging" / "nosuchbatch").exists()  # asking does not create a folder
    assert _sha(warehouse) == before
    known = _cli(home, "summary", "b1")
    assert known.returncode == 0 and "batch b1" in known.stdout


def test_summary_without_a_warehouse_is_refused(home: Path) -> None:
    line = _refused(_cli(home, "summary", "b1"))
    assert "no warehouse" in line and not (home / "wirehouse.duckdb").exists()


def test_a_bad_setting_is_one_line_and_exit_2(home: Path, warehouse: Path) -> None:
    line = _refused(_cli(home, "summary", "b1", WIREHOUSE_HOST_DELAY="abc"))
    assert "host_delay" in line.lower()


def test_discovery_rejects_a_binary_list_whole_instead_of_junk_urls(tmp_path: Path) -> None:
    """The DAG reads URL lists through sources.yml: a binary one is one rejection, not 100 URLs."""
    found, rejections = discover([Source("urls", str(_binary(tmp_path / "urls.bin")))], load_settings(environ={}))
    assert found == []
    assert [(r.reason, r.url) for r in rejections] == [("unreadable_list", str(tmp_path / "urls.bin"))]
