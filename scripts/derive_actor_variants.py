"""Derive the actor layer's table of organisation name variants from the Phoenix actor dictionaries.

    python scripts/derive_actor_variants.py [--petrarch DIR] [--out FILE]

Reads ``Phoenix.Countries.actors.txt``, ``Phoenix.International.actors.txt`` and
``Phoenix.MilNonState.actors.txt`` (the PETRARCH2 coder's named actors, MIT licence) and writes
``extract/nlp/data/phoenix_actor_variants.csv``: one row per name of a body that the dictionaries
list under more than one name, with the canonical name of that body.
``extract/nlp/actor_variants.py`` reads it to give one record to a body an article names twice
("the International Atomic Energy Agency" and "IAEA").

A dictionary record (a name, its ``+`` synonyms and a code) is a coding unit, not one body: it
lumps sub-units, cover names and translations under one code (the FBI record also lists the DEA).
So a synonym is kept only where it is a *variant of the same name*, an edge of one of these kinds:

- acronym: a one-word name whose letters are the initials of another name of the record (all its
  words, or its words without "of", "and", "the" ...), with or without the country words before
  it ("DOJ" of "US Department of Justice");
- spelling: two names with the same consonant skeleton once transliteration variants are folded
  ("Hezbollah", "Hizbullah"; "South East" and "Southeast"), the same words in another order
  ("X Department" and "Department of X"), or the same name with and without a country prefix.

Names joined by these edges form one body; bodies of one name are dropped (nothing to resolve).
In the international and non-state files, records with the same specific code (three segments,
such as ``IGOUNOIAE``) are one pool, since those files list a body's acronym as its own record.
Only bodies are kept: a pool with an acronym, an armed group of the non-state file, or a pool
whose names hold an organisation word ("army", "front", "ministry", ...). Countries, places and
persons are left out: the gazetteer has the countries, and a person's variants (titles, initials,
transliterations) follow rules the actor layer applies itself. The output is sorted, with the
inputs' SHA-256 in the header.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PETRARCH = ROOT.parent / "shared" / "eval" / "reference" / "petrarch2"
DEFAULT_OUT = ROOT / "extract" / "nlp" / "data" / "phoenix_actor_variants.csv"
FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt")
# a body's name holds one of these words (persons and places, also listed, are left out)
BODY_WORDS = frozenset(
    "army front party movement organization organisation brigade brigades council agency department ministry "
    "bank union court committee commission association league fund forces force group office service institute "
    "federation alliance corps guard police tribunal network battalion battalions authority board bureau "
    "administration assembly parliament congress senate company corporation foundation mission program "
    "programme secretariat conference center centre coalition society legion militia jihad "
    "cartel navy command guards".split()
)
KEPT = frozenset({"US", "UK", "UN", "EU"})  # two-letter words written in capitals
POOLED = ("Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt")
SMALL = frozenset("of and the for on in to at by a an de du des la le el al".split())
CODE = re.compile(r"\[([A-Z0-9-]+)[^\]]*\]")
PAREN = re.compile(r"\(([A-Z][A-Z.&-]{1,9})\)")


def norm(name: str) -> str:
    """The matching form of a name: folded, lower case, no punctuation ("U.S." -> "us")."""
    text = unicodedata.normalize("NFKD", name.replace("_", " "))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("&", " and ")
    text = re.sub(r"['’.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


def skeleton(word: str) -> str:
    """A word's consonants once common romanisation variants are folded: "hizbullah" -> "hzblh"."""
    word = word.replace("x", "ks").replace("ph", "f").replace("q", "k").replace("dh", "d").replace("y", "i")
    word = re.sub(r"(.)\1+", r"\1", word)
    return word[:1] + re.sub(r"[aeiou]", "", word[1:])


def initials(words: list[str]) -> set[str]:
    significant = [w for w in words if w not in SMALL]
    return {"".join(w[0] for w in words), "".join(w[0] for w in significant)}


class Record:
    def __init__(self, source: str, primary: str) -> None:
        self.source = source
        self.names: list[str] = []
        self.code: str | None = None
        self.add(primary)

    def add(self, raw: str) -> None:
        raw = raw.split("#", 1)[0]
        code = CODE.search(raw)
        if code and self.code is None:
            self.code = code.group(1)
        raw = CODE.sub(" ", raw)
        for acronym in PAREN.findall(raw):
            self.names.append(acronym)
        raw = PAREN.sub(" ", raw).strip().strip("_").strip()
        if raw and "," not in raw:
            self.names.append(raw)


def read(path: Path) -> list[Record]:
    records: list[Record] = []
    current: Record | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":  # a code or date restriction of the record above
            if current is not None and current.code is None:
                code = CODE.search(line)
                current.code = code.group(1) if code else None
            continue
        if line.startswith("+"):
            if current is not None:
                current.add(line[1:])
            continue
        current = Record(path.name, line)
        records.append(current)
    return records


def country_words(records: list[Record]) -> set[str]:
    """Names of the country records (a bare three-letter code): the prefixes a body's name can take."""
    words = {"us", "u s", "united states", "american", "uk", "british"}
    for record in records:
        if record.source == FILES[0] and record.code and re.fullmatch(r"[A-Z]{3}", record.code):
            words.update(n for n in (norm(name) for name in record.names) if n and len(n.split()) <= 3)
    return words


def strip_country(text: str, countries: set[str]) -> str:
    words = text.split()
    for k in (3, 2, 1):
        if len(words) > k + 1 and " ".join(words[:k]) in countries:
            return " ".join(words[k:])
    return text


def variant(a: str, b: str, countries: set[str]) -> str | None:
    """How two normalised names of one pool are the same name, or None."""
    wa, wb = a.split(), b.split()
    if len(wa) == 1 and len(wb) > 1 or len(wb) == 1 and len(wa) > 1:
        acronym, long = (wa[0], wb) if len(wa) == 1 else (wb[0], wa)
        if not 2 <= len(acronym) <= 8:
            return None
        rest = strip_country(" ".join(long), countries).split()
        return "acronym" if acronym in initials(long) | initials(rest) else None
    ca, cb = strip_country(a, countries), strip_country(b, countries)
    if ca == cb and len(ca.split()) >= 2:
        return "spelling"
    bag_a, bag_b = sorted(set(ca.split()) - SMALL), sorted(set(cb.split()) - SMALL)
    if bag_a == bag_b and len(bag_a) >= 2:
        return "spelling"
    ja, jb = a.replace(" ", ""), b.replace(" ", "")
    if min(len(ja), len(jb)) >= 5 and skeleton(ja) == skeleton(jb) and abs(len(ja) - len(jb)) <= 2:
        return "spelling"
    return None


def display(name: str, acronym: bool) -> str:
    """A dictionary name (upper case, underscores) as text: acronyms kept, small words lowered."""
    words = re.sub(r"\s+", " ", name.replace("_", " ")).strip().split()
    if acronym:
        return " ".join(words)
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if i and low in SMALL:
            out.append(low)
        elif (
            re.fullmatch(r"(?:[A-Z]\.)+", word) or word in ("US", "UK", "UN", "EU") or not re.search(r"[AEIOUY]", word)
        ):
            out.append(word)
        else:
            out.append("-".join(p[:1] + p[1:].lower() for p in word.split("-")))
    return " ".join(out)


def _find(parent: dict[str, str], k: str) -> str:
    while parent[k] != k:
        parent[k] = parent[parent[k]]
        k = parent[k]
    return k


def derive(records: list[Record]) -> list[tuple[str, str, str, str]]:
    countries = country_words(records)
    pools: dict[tuple, list[Record]] = {}
    for index, record in enumerate(records):
        code = record.code or ""
        if record.source in POOLED and len(code) >= 9:
            pools.setdefault((record.source, code), []).append(record)
        else:
            pools[(index,)] = [record]
    rows: dict[str, tuple[str, str, str, str]] = {}
    for pool in pools.values():
        names: dict[str, str] = {}  # normalised -> first spelling
        for record in pool:
            for name in record.names:
                key = norm(name)
                if key and not key.isdigit():
                    names.setdefault(key, name)
        keys = list(names)
        if len(keys) < 2:
            continue
        parent = {k: k for k in keys}
        relation: dict[str, str] = {}
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                kind = variant(a, b, countries)
                if kind:
                    parent[_find(parent, a)] = _find(parent, b)
                    for k in (a, b):
                        if kind == "spelling" or len(k.split()) == 1:
                            relation.setdefault(k, kind)
        groups: dict[str, list[str]] = {}
        for k in keys:
            groups.setdefault(_find(parent, k), []).append(k)
        code = pool[0].code or ""
        country_record = bool(re.fullmatch(r"[A-Z]{3}", code)) and pool[0].source == FILES[0]
        for members in groups.values():
            if len(members) < 2 or country_record:
                continue  # a country's names and spellings are the gazetteer's
            has_acronym = any(relation.get(m) == "acronym" for m in members)
            armed = pool[0].source == FILES[2]  # the non-state file lists armed groups only
            if not (has_acronym or armed or any(BODY_WORDS & set(m.split()) for m in members)):
                continue  # a person's or a place's spellings
            full = [m for m in members if len(m.split()) > 1] or members
            canonical = max(full, key=lambda m: (len(m.split()), len(m), m))
            canonical_text = display(names[canonical], acronym=False)
            for m in members:
                kind = "canonical" if m == canonical else relation.get(m, "spelling")
                row = (norm(names[m]), display(names[m], acronym=kind == "acronym"), canonical_text, code, kind)
                # one name listed in two bodies is ambiguous: the first body (in file order) keeps it
                rows.setdefault(row[0], row[1:])  # type: ignore[assignment]
    return sorted((v[0], v[1], v[2], v[3]) for v in rows.values())


def render(rows: list[tuple[str, str, str, str]], digests: dict[str, str]) -> str:
    out = io.StringIO()
    out.write("# GENERATED FILE: do not edit; rebuild with `python scripts/derive_actor_variants.py`.\n")
    out.write("# Organisation name variants derived from the Phoenix actor dictionaries of PETRARCH2\n")
    out.write("# (openeventdata/petrarch2, MIT licence: The MIT License (MIT), Copyright (c) 2014 Open Event\n")
    out.write("# Data; the full notice is in NOTICE.phoenix beside this file).\n")
    for name, digest in sorted(digests.items()):
        out.write(f"# source {name} sha256 {digest}\n")
    out.write("# name: a name of a body; canonical: the body's fullest name; code: its CAMEO actor code;\n")
    out.write("# relation: acronym or spelling (the name is a variant of the canonical one).\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "canonical", "code", "relation"])
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--petrarch", type=Path, default=DEFAULT_PETRARCH, help="folder of the Phoenix dictionaries")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    records: list[Record] = []
    digests = {}
    for name in FILES:
        path = args.petrarch / name
        if not path.exists():
            print(f"missing {path}", file=sys.stderr)
            return 1
        digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        records += read(path)
    rows = derive(records)
    args.out.write_text(render(rows, digests), encoding="utf-8")
    if not args.quiet:
        bodies = len({r[2] for r in rows})
        print(f"{len(records)} records -> {len(rows)} names of {bodies} bodies in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
