"""The trigger lexicon derived from the PETRARCH2 CAMEO dictionary, and the curated overlay on it.

The shipped ``extract/nlp/data/petrarch_lexicon.yml`` must be what ``scripts/derive_event_lexicon.py``
makes of the reference dictionaries in ``../shared/eval/reference``; the coder must use its
entries, and the curated ``plover_lexicon.yml`` must win where the two disagree.  Sentences are
our own.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from extract.nlp.actors import find_actors
from extract.nlp.event_lexicon import CURATED, DERIVED, DERIVED_PATH, lexicon
from extract.nlp.events import METHOD_VERSION, find_events
from extract.nlp.statements import find_statements

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "derive_event_lexicon.py"
REFERENCE = ROOT.parent / "shared" / "eval" / "reference"


def _script():
    spec = importlib.util.spec_from_file_location("derive_event_lexicon", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def triples(nlp, text: str) -> set[tuple[str, str | None, str | None]]:
    doc = nlp(text)
    actors, mentions = find_actors(doc, None)
    events = find_events(doc, actors, mentions, find_statements(doc, actors, mentions), None)
    names = {a.key: a.name for a in actors}
    return {(e.event_type, names.get(e.source_key), names.get(e.target_key)) for e in events}


# -- the derivation ---------------------------------------------------------------------------


def test_the_script_reproduces_the_shipped_file_byte_for_byte(tmp_path) -> None:
    if not (REFERENCE / "petrarch2" / "CAMEO.2.0.txt").exists():
        pytest.skip(f"the reference dictionaries are not here ({REFERENCE}): nothing to rederive from")
    out = tmp_path / "petrarch_lexicon.yml"
    argv = ["--petrarch", str(REFERENCE / "petrarch2"), "--cameo2plover", str(REFERENCE / "CAMEO2PLOVER-2021.txt")]
    assert _script().main([*argv, "--out", str(out), "--quiet"]) == 0
    assert out.read_bytes() == DERIVED_PATH.read_bytes()


def test_the_shipped_file_says_it_is_generated_and_carries_the_licence() -> None:
    head = DERIVED_PATH.read_text(encoding="utf-8")[:4000]
    assert "GENERATED FILE" in head and "CAMEO.2.0.txt" in head and "CAMEO2PLOVER-2021.txt" in head
    assert "The MIT License" in head and "Open Event Data" in head
    notice = (DERIVED_PATH.parent / "NOTICE.petrarch2").read_text(encoding="utf-8")
    assert "petrarch_lexicon.yml" in notice and "Permission is hereby granted" in notice


def test_parsing_keeps_what_a_parse_can_check_and_drops_the_rest() -> None:
    script = _script()
    dictionary = script.Dictionary(
        "####### SYNONYM SETS #######\n&FOOD\n+RICE\n+FLOUR\n+BABY_FORMULA\n"
        "####### VERB PATTERNS #######\n"
        "---  SCOLD   [111]  ---\n+TELL_OFF\nSCOLD\nREPROVE\n"
        "- * (FOR DELAY)   [112]  # SCOLD\n"
        "- * (WITH +)      [111]  # REPROVE\n"
        "- ENVOY *         [112]  # SCOLD\n"
        "- * {HARSH WORDS} (FOR ^)  [111]  # SCOLD\n"
        "---  SHIP   [---]  ---\nSHIP\n- * &FOOD  [073]  # SHIP\n"
    )
    table = {"07": "AID", "073": "AID", "11": "ACCUSE", "111": "ACCUSE", "112": "ACCUSE"}
    out, dropped = script.derive(dictionary, table)
    assert out["verbs"] == {"ACCUSE": ["scold"]}  # "reprove" only inherits the block's code
    assert {"verb": "tell", "prep": ["off"], "type": "ACCUSE"} in out["phrasal"]
    assert {"verb": "reprove", "prep": ["with"], "type": "ACCUSE", "target": "prep"} in out["phrasal"]
    assert {"verbs": ["scold"], "prep": ["for"], "objects": ["delay"], "type": "ACCUSE"} in out["verb_object"]
    assert {"verbs": ["ship"], "objects": ["flour", "rice"], "type": "AID"} in out["verb_object"]  # no phrases
    assert dropped["pattern: words before the verb (subject constraints)"] == 1
    assert dropped["pattern: an object followed by a prepositional phrase"] == 1


def test_codes_map_by_their_longest_listed_prefix() -> None:
    script = _script()
    table = script.read_cameo2plover(REFERENCE / "CAMEO2PLOVER-2021.txt") if REFERENCE.exists() else None
    if table is None:
        pytest.skip("the CAMEO-to-PLOVER table is not here")
    assert script.plover("1123", table) == "ACCUSE"
    assert script.plover("163", table) == "COERCE"  # embargo: COERCE in the 2021 table
    assert script.plover("0841", table) == "RETREAT" and script.plover("081", table) == "CONCEDE"
    assert script.plover("020", table) is None and script.plover("010", table) is None  # PLOVER dropped 01, 02
    assert script.plover("040", table, specific=True) is None  # a catch-all block default codes nothing


# -- the loader and the coder -----------------------------------------------------------------


def test_entries_say_where_they_come_from_and_the_method_version_names_the_derived_file() -> None:
    lex = lexicon()
    assert lex.verb_source["denigrate"] == DERIVED and lex.verbs["denigrate"] == "ACCUSE"
    assert lex.verb_source["condemn"] == CURATED
    assert any(e.source == DERIVED for e in lex.by_phrasal["clamp"])
    assert "petrarch2-" in lex.version and lex.version in METHOD_VERSION
    assert "petrarch2-" not in lexicon(derived=None).version


def test_a_phrasal_verb_from_the_derived_lexicon(nlp) -> None:
    assert ("ACCUSE", "Labour Party", "Conservative Party") in triples(
        nlp, "The Labour Party hit back at the Conservative Party on Tuesday."
    )
    assert ("COERCE", "Kenya", None) in {(t, s, None) for t, s, _ in triples(nlp, "Kenya clamped down on smugglers.")}


def test_a_single_verb_from_the_derived_lexicon(nlp) -> None:
    assert ("ACCUSE", "Sweden", "Norway") in triples(nlp, "Sweden denigrated Norway in a long speech.")


def test_the_curated_entry_wins_over_the_derived_one(nlp) -> None:
    derived = [e for e in DERIVED_PATH.read_text(encoding="utf-8").splitlines() if e.startswith("  ACCUSE:")]
    assert '"snub"' in derived[0]  # CAMEO codes a snub as disapproval (111)
    lex = lexicon()
    assert lex.verbs["snub"] == "REJECT" and lex.verb_source["snub"] == CURATED
    assert ("REJECT", "Portugal", "Spain") in triples(nlp, "Portugal snubbed Spain.")
    # a curated block holds against derived entries of the same verb
    assert lex.by_phrasal["seize"][0].event_type is None and lex.by_phrasal["seize"][0].source == CURATED
