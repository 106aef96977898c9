"""The agent-noun table derived from the Phoenix agents dictionary of the PETRARCH2 coder.

The shipped ``extract/nlp/data/phoenix_agents.csv`` must be what ``scripts/derive_actor_agents.py``
makes of ``../shared/eval/reference/petrarch2/Phoenix.agents.txt``, and carry its licence.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "derive_actor_agents.py"
AGENTS = ROOT.parent / "shared" / "eval" / "reference" / "petrarch2" / "Phoenix.agents.txt"
SHIPPED = ROOT / "extract" / "nlp" / "data" / "phoenix_agents.csv"


def _script():
    spec = importlib.util.spec_from_file_location("derive_actor_agents", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_reproduces_the_shipped_file_byte_for_byte(tmp_path) -> None:
    if not AGENTS.exists():
        pytest.skip(f"the Phoenix agents dictionary is not here ({AGENTS}): nothing to rederive from")
    out = tmp_path / "phoenix_agents.csv"
    assert _script().main(["--agents", str(AGENTS), "--out", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()


def test_the_shipped_file_says_it_is_generated_and_carries_the_licence() -> None:
    head = SHIPPED.read_text(encoding="utf-8")[:4000]
    assert "GENERATED FILE" in head and "Phoenix.agents.txt" in head and "sha256" in head
    assert "The MIT License" in head and "Open Event Data" in head
    notice = (SHIPPED.parent / "NOTICE.phoenix").read_text(encoding="utf-8")
    assert "phoenix_agents.csv" in notice and "Permission is hereby granted" in notice


def test_entries_plurals_substitutions_and_skips() -> None:
    script = _script()
    rows, skipped = script.derive(
        "!PERSON! = MAN, MEN\n"
        "JUROR [~JUD]\n"
        "FERRY!PERSON! [~BUS]\n"
        "BOARD_OF_GOVERNORS {BOARDS_OF_GOVERNORS} [~GOV]\n"
        "RIOT_POLICE {} [~COP]\n"
        "SENTRY [~MIL]  # a comment\n"
        "CHIEF SCOUT [~EDU]\n"
        "ENVOY_TO [~GOV]\n"
        "HAMLET [~CVL\n"
        "JUROR [~CVL]\n"
        "HARBOUR_VESSEL [~BUS]\n"
    )
    assert rows == [
        ("board of governors", "boards of governors", "GOV"),
        ("ferryman", "", "BUS"),
        ("ferrymen", "", "BUS"),
        ("juror", "jurors", "JUD"),
        ("riot police", "", "COP"),
        ("sentry", "sentries", "MIL"),
    ]
    assert skipped["words may stand apart (a pattern)"] == 1
    assert skipped["ends in a preposition (a pattern)"] == 1
    assert skipped["no readable [code]"] == 1
    assert skipped["second entry with another code"] == 1
    assert skipped["names a place or a vehicle"] == 1


def test_regular_plurals() -> None:
    plural = _script().plural_of
    assert plural("attorney") == "attorneys" and plural("deputy") == "deputies"
    assert plural("witness") == "witnesses" and plural("chairman") == "chairmen"
    assert plural("court of appeals") == "courts of appeals" and plural("taxpayers") == ""


def test_every_sector_the_table_can_give_passes_the_checks() -> None:
    """A group's sector comes from the table's code: the Great Expectations suite must accept
    each one, or a run over real news would fail its checks on a valid actor."""
    import csv

    from expectations.nlp_suites import SECTORS

    lines = [line for line in SHIPPED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    codes = {row["code"][:3] for row in csv.DictReader(lines)}
    assert codes and codes <= set(SECTORS), sorted(codes - set(SECTORS))
