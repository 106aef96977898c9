"""A person's settings mistakes, through the real CLI: each stops the command before it does
anything, with exit status 2 and one line on stderr that names the setting (or file) and where
the bad value came from, and no Python traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import extract

pytestmark = pytest.mark.faults

ROOT = Path(extract.__file__).resolve().parent.parent


def wirehouse(home: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``python -m extract.cli ARGS summary x`` with only ``variables`` among WIREHOUSE_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env.update(PYTHONPATH=str(ROOT), WIREHOUSE_HOME=str(home), **variables)
    command = [sys.executable, "-m", "extract.cli", *args, "summary", "x"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def assert_refused(result: subprocess.CompletedProcess[str], *named: str) -> None:
    """Exit 2, nothing on stdout, and stderr one line holding every string of ``named``."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in named:
        assert text in lines[0], lines[0]
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""


def test_a_value_that_is_not_a_number(tmp_path: Path) -> None:
    result = wirehouse(tmp_path, WIREHOUSE_HOST_DELAY="abc")
    assert_refused(result, "host_delay", "a number", "'abc'", "environment variable WIREHOUSE_HOST_DELAY")


def test_a_misspelled_variable(tmp_path: Path) -> None:
    result = wirehouse(tmp_path, WIREHOUSE_HOST_DELAYY="0")
    assert_refused(result, "unknown setting WIREHOUSE_HOST_DELAYY", "environment", "did you mean WIREHOUSE_HOST_DELAY?")


def test_a_misspelled_yaml_key(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("host_dealy: 0\n")
    result = wirehouse(tmp_path, "--settings", str(file))
    assert_refused(result, "unknown setting 'host_dealy'", str(file), "did you mean 'host_delay'?")


def test_a_yaml_file_that_is_a_list(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("- host_delay: 0\n- retries: 1\n")
    result = wirehouse(tmp_path, WIREHOUSE_SETTINGS=str(file))
    assert_refused(result, str(file), "WIREHOUSE_SETTINGS", "a list", "mapping")


def test_a_value_out_of_range_in_the_yaml_file(tmp_path: Path) -> None:
    file = tmp_path / "settings.yml"
    file.write_text("part_size: 0\n")
    result = wirehouse(tmp_path, "--settings", str(file))
    assert_refused(result, "setting part_size", "at least 1", f"got 0 from {file}")


def test_a_settings_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nosuch.yml"
    result = wirehouse(tmp_path, "--settings", str(missing))
    assert_refused(result, str(missing), "does not exist")
