"""Derive the table of agent nouns (kinds of actors) from the Phoenix agents dictionary.

    python scripts/derive_actor_agents.py [--agents FILE] [--out FILE] [--check]

Reads ``Phoenix.agents.txt`` of the PETRARCH2 coder (generic nouns for kinds of actors: "police",
"lawmakers", "rebels", "prosecutors", each with a CAMEO agent code such as ``[~COP]``) and writes
``extract/nlp/data/phoenix_agents.csv`` with one row per noun or multiword noun:

- ``phrase``: the singular, lower case, words separated by spaces ("court of appeals");
- ``plural``: its plural: the one the dictionary gives in ``{...}``, else the regular English
  plural; empty where the dictionary nulls it (``{}``: "police") or stops the word (a trailing
  ``_``), and for the forms a substitution set spells out ("congressman", "congressmen");
- ``code``: the agent code without its ``~`` ("GOVJUD"); its first three letters are the sector.

Substitution sets (``!PERSON! = MAN, MEN, ...``) are expanded.  Skipped and counted: lines with
no readable ``[code]``, phrases whose words may stand apart (a blank inside the phrase: a
PETRARCH pattern, not a noun), phrases with characters other than ASCII letters, hyphens and
apostrophes, phrases that end in a preposition ("ambassador to": a pattern waiting for its
object), nouns that name a place or a vehicle rather than people or a body (Phoenix codes
"village" and "airliner" by the people in them; here a noun must name who acts), and a second
entry of a phrase with another code (the first one is kept).

The output is deterministic (sorted, the input's SHA-256 in the header) and carries the MIT notice.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_AGENTS = ROOT.parent / "shared" / "eval" / "reference" / "petrarch2" / "Phoenix.agents.txt"
DEFAULT_OUT = ROOT / "extract" / "nlp" / "data" / "phoenix_agents.csv"

ENTRY = re.compile(r"^(?P<phrase>[^\[{#]+?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[(?P<code>[^\]\[{}]+)\]")
SUBSTITUTION = re.compile(r"^(?P<marker>![A-Z]+!)\s*=\s*(?P<items>.+)$")
WORDS = re.compile(r"^[a-z][a-z'-]*(?: [a-z][a-z'-]*)*$")
ENDING_PREPOSITIONS = frozenset("of to for in at on from with by".split())
# heads of entries that name a place, a building or a vehicle: not who acts
NOT_AGENTS = frozenset(
    "village neighborhood neighbourhood settlement town district post airliner jet jetliner ship vessel "
    "aircraft plane helicopter boat car truck camp base station prison jail monastary monastery".split()
)
VOWELS = frozenset("aeiou")


def plural_of(phrase: str) -> str:
    """The regular English plural of a phrase: of its head word, the one before "of" if any
    ("court of appeals" -> "courts of appeals"), else the last ("ally" -> "allies"); empty for a
    word that already reads as a plural ("taxpayers")."""
    before, of, after = phrase.partition(" of ")
    head, _, last = before.rpartition(" ")
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return ""
    if last.endswith("man"):
        word = last[:-3] + "men"
    elif last.endswith("y") and len(last) > 1 and last[-2] not in VOWELS:
        word = last[:-1] + "ies"
    elif last.endswith(("s", "sh", "ch", "x", "z")):
        word = last + "es"
    else:
        word = last + "s"
    return (f"{head} {word}" if head else word) + of + after


def words(raw: str) -> str:
    """A dictionary phrase ("COURT_OF_APPEALS") as lower-case words ("court of appeals")."""
    return re.sub(r"\s+", " ", raw.replace("_", " ")).strip().lower()


def derive(text: str) -> tuple[list[tuple[str, str, str]], Counter]:
    """The rows (phrase, plural, code), sorted, and the count of skipped entries by reason."""
    substitutions: dict[str, list[str]] = {}
    rows: dict[str, tuple[str, str]] = {}
    skipped: Counter = Counter()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        sub = SUBSTITUTION.match(line)
        if sub:
            substitutions[sub["marker"]] = [item.strip() for item in sub["items"].split(",") if item.strip()]
            continue
        entry = ENTRY.match(line)
        if entry is None:
            skipped["no readable [code]"] += 1
            continue
        raw, code = entry["phrase"].strip(), entry["code"].strip().strip("~")
        if not re.fullmatch(r"[A-Z]{3,}", code):
            skipped["no readable [code]"] += 1
            continue
        if re.search(r"[^\s_]\s+[^\s_]", raw.replace("!", "")):
            skipped["words may stand apart (a pattern)"] += 1
            continue
        forms: list[tuple[str, str | None]] = []  # (phrase, plural or None for the regular one)
        marker = re.search(r"![A-Z]+!", raw)
        if marker:
            if marker[0] not in substitutions:
                skipped["unknown substitution set"] += 1
                continue
            forms = [(raw.replace(marker[0], item), "") for item in substitutions[marker[0]]]
        elif entry["plural"] is not None:
            forms = [(raw, entry["plural"].strip())]
        elif raw.endswith("_"):
            forms = [(raw, "")]
        else:
            forms = [(raw, None)]
        for form, plural in forms:
            phrase = words(form)
            if not WORDS.match(phrase):
                skipped["characters other than letters"] += 1
                continue
            if phrase.rsplit(" ", 1)[-1] in ENDING_PREPOSITIONS:
                skipped["ends in a preposition (a pattern)"] += 1
                continue
            if phrase.rsplit(" ", 1)[-1] in NOT_AGENTS:
                skipped["names a place or a vehicle"] += 1
                continue
            plural = plural_of(phrase) if plural is None else words(plural)
            if phrase in rows:
                if rows[phrase][1] != code:
                    skipped["second entry with another code"] += 1
                continue
            rows[phrase] = (plural, code)
    return sorted((phrase, plural, code) for phrase, (plural, code) in rows.items()), skipped


def notice(text: str) -> list[str]:
    """The dictionary's own MIT notice, from its header comment."""
    lines = [line[1:].rstrip()[1:] if line.startswith("# ") else "" for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("The MIT License"))
    end = next(i for i in range(start, len(lines)) if "THE SOFTWARE." in lines[i])
    return lines[start : end + 1]


def render(data: bytes) -> tuple[str, Counter]:
    """The CSV text for the dictionary's bytes, and the skipped entries by reason."""
    text = data.decode("utf-8", errors="replace")
    rows, skipped = derive(text)
    digest = hashlib.sha256(data).hexdigest()
    header = [
        "GENERATED FILE: do not edit by hand.  Rebuild with",
        "  python scripts/derive_actor_agents.py",
        "Agent nouns (kinds of actors) and their CAMEO agent codes, derived from the Phoenix agents",
        "dictionary of the PETRARCH2 coder.  plural: the dictionary's or the regular English plural,",
        "empty where there is none; code: the agent code, its first three letters the sector.",
        "Input:",
        f"  petrarch2/Phoenix.agents.txt  sha256 {digest}",
        f"Rows: {len(rows)}; skipped: {sum(skipped.values())} ("
        + ", ".join(f"{reason} {n}" for reason, n in sorted(skipped.items()))
        + ")",
        "",
        "Derived from the Phoenix dictionaries, which carry this notice (NOTICE.phoenix):",
        "",
        *notice(text),
    ]
    out = [("# " + line).rstrip() for line in header]
    out.append("phrase,plural,code")
    out.extend(f"{phrase},{plural},{code}" for phrase, plural, code in rows)
    return "\n".join(out) + "\n", skipped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=Path, default=DEFAULT_AGENTS, help="Phoenix.agents.txt")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the CSV to write")
    ap.add_argument("--check", action="store_true", help="only check that --out is up to date")
    args = ap.parse_args(argv)
    rendered, skipped = render(args.agents.read_bytes())
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != rendered:
            print(f"{args.out} is out of date: rerun scripts/derive_actor_agents.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(rendered, encoding="utf-8")
    rows = sum(1 for line in rendered.splitlines() if not line.startswith("#")) - 1
    print(f"wrote {args.out}: {rows} rows", file=sys.stderr)
    for reason, n in sorted(skipped.items()):
        print(f"  skipped {n:4d}  {reason}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
