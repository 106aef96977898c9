"""The README's five example questions run as written, on the demo, and answer something."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def _analyst_queries() -> list[str]:
    """The SQL blocks of the README's "For analysts" section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## For analysts\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_the_readme_asks_five_questions() -> None:
    assert len(_analyst_queries()) == 5


@pytest.mark.parametrize("sql", _analyst_queries(), ids=lambda sql: sql.split("from ", 1)[1].split()[0])
def test_each_readme_question_answers_on_the_demo(sql: str, demo_warehouse: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREHOUSE_")}
    env["WIREHOUSE_HOME"] = str(demo_warehouse)
    done = subprocess.run(
        [sys.executable, "-m", "extract.cli", "query", sql, "--format", "json", "--limit", "0"],
        env=env,
        cwd=demo_warehouse,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows, f"no rows for:\n{sql}"
    assert all(any(value is not None for value in row.values()) for row in rows)
