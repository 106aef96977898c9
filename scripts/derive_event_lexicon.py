"""Derive the event coder's base trigger lexicon from the PETRARCH2 CAMEO verb dictionary.

    python scripts/derive_event_lexicon.py [--petrarch DIR] [--cameo2plover FILE] [--out FILE]

Reads ``CAMEO.2.0.txt`` (the PETRARCH2 verb dictionary: synonym sets, verb blocks, patterns,
each with a CAMEO code) and ``CAMEO2PLOVER-2021.txt`` (CAMEO code -> PLOVER category), and
writes ``extract/nlp/data/petrarch_lexicon.yml`` in the sections ``extract/nlp/event_lexicon.py``
reads (``verbs``, ``phrasal``, ``verb_object``).  The curated ``plover_lexicon.yml`` is laid over
it by the loader and wins wherever the two disagree.

What is kept, in terms of what the coder can check on a spaCy parse:

- a single verb: the verb's own code, else its block's code, when every block the verb is listed
  in gives the same PLOVER category (a verb also listed in a block without a code, or under two
  categories, is ambiguous and dropped);
- a verb with a particle or preposition ("+LASH_OUT", ``* (ON +)``, ``* DOWN (ON)``);
- a verb with a literal object head, a particle before it, or a preposition before it
  (``* TALKS``, ``* UP RESISTANCE``, ``* (FOR {FINANCIAL AID})``), with the other words of a
  ``{...}`` phrase as modifiers.

Everything else is counted and dropped: patterns with words before the verb (subject
constraints), an object followed by a prepositional phrase, several prepositional phrases,
source or compound markers, verbs written before their particle ("WIRE_+TAP"), and codes that
PLOVER does not carry (CAMEO 01 and 02, comments and appeals, are dropped from PLOVER).  A
pattern whose code maps to no PLOVER category becomes a block (``type: null``) only as a verb +
preposition, the one kind of block the coder applies.

Three restrictions keep the broad CAMEO vocabulary from flooding the coder (each can be lifted
with a flag, for measuring): a block's code codes only the verbs with their own code and the verb
the block is named after, not every WordNet synonym listed under it (``--synonyms``); a pattern
applies only to the verbs its comment says it was found with (``--block-patterns``); and a cue
category's catch-all code ("040", "190"), the default a block hands every verb, codes nothing
(``--generic-codes``).  On the dev sets every lifted restriction added false events and no true one.

The output is deterministic: sorted, with the inputs' SHA-256 in the header.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "eval" / "reference"
DEFAULT_PETRARCH = REFERENCE / "petrarch2"
DEFAULT_CAMEO2PLOVER = REFERENCE / "CAMEO2PLOVER-2021.txt"
DEFAULT_OUT = ROOT / "extract" / "nlp" / "data" / "petrarch_lexicon.yml"

CATEGORIES = frozenset(
    "AGREE CONSULT SUPPORT CONCEDE COOPERATE AID RETREAT REQUEST ACCUSE REJECT THREATEN PROTEST SANCTION MOBILIZE "
    "COERCE ASSAULT".split()
)
# words that follow a verb as a particle ("crack down", "lash out"), parsed by spaCy as prt or prep
PARTICLES = frozenset(
    "up down out off in on over back away aside through around along forward together about apart "
    "behind ahead across free".split()
)
PREPOSITIONS = frozenset(
    "with against on upon at to toward towards into for from of in over about by under after behind "
    "before between among across through onto without within near around as".split()
)
# a preposition whose object is the one acted upon ("plead with X", "crack down on X")
ADDRESSEE_PREPS = frozenset("with against on upon at to toward towards".split())
# position markers of PETRARCH patterns: + target, $ source, ^ any phrase, % compound
MARKERS = frozenset("+$^%")
# plural forms no rule gets right, and words that only look plural
IRREGULAR = {"men": "man", "women": "woman", "people": "people", "children": "child", "police": "police"}
NOT_PLURAL = frozenset("news series species means headquarters arms politics crisis analysis basis status".split())


class Skip(Exception):
    """A pattern the coder cannot apply; its message is the reason counted in the report."""


def read_cameo2plover(path: Path) -> dict[str, str]:
    """CAMEO code -> PLOVER category, from the conversion table (its mode and context are not used)."""
    table: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        match = re.match(r"^(\d{2,4}):\s*([A-Z]+)", line)
        if match and match.group(2) in CATEGORIES:
            code, category = match.groups()
            if len(code) == 2 and code in table and table[code] != category:
                table[code] = ""  # 08 is both CONCEDE and RETREAT: the two-digit code alone decides nothing
            else:
                table.setdefault(code, category)
    return table


def generic(code: str | None) -> bool:
    """A cue category's catch-all code ("040" consult, "190" use military force): a block default."""
    return bool(code) and len(code) <= 3 and code.endswith("0")


def plover(code: str | None, table: dict[str, str], specific: bool = False) -> str | None:
    """The PLOVER category of a CAMEO code: the longest listed prefix; None for no event.

    ``specific``: a catch-all code ("040", "110", "190") gives no category either.
    """
    if not code or not code[0].isdigit() or (specific and generic(code)):
        return None
    for length in range(len(code), 1, -1):
        category = table.get(code[:length])
        if category is not None:
            return category or None
    return None


def singular(word: str) -> str:
    """The lemma spaCy gives a plural noun, for the regular cases (PETRARCH nouns are often plural)."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if word in NOT_PLURAL or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


class Dictionary:
    """The parsed verb dictionary: synonym sets and verb blocks with their patterns."""

    def __init__(self, text: str) -> None:
        self.synsets: dict[str, list[str]] = {}
        self.blocks: list[dict] = []
        section = "header"
        current_synset: list[str] | None = None
        block: dict | None = None
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if raw.startswith("####### SYNONYM SETS"):
                section = "synsets"
                continue
            if raw.startswith("####### VERB PATTERNS"):
                section = "verbs"
                continue
            if not line.strip():
                continue
            if section == "synsets":
                if line.startswith("&"):
                    current_synset = self.synsets.setdefault(line.strip().rstrip("_"), [])
                elif line.startswith("+") and current_synset is not None:
                    current_synset.append(line[1:].strip())
                continue
            if section != "verbs":
                continue
            if line.startswith("---"):
                match = re.match(r"^---\s+(\S+)\s+\[([^\]]*)\]", line)
                block = {"name": match.group(1) if match else line, "code": match.group(2) if match else "---",
                         "verbs": [], "patterns": []}  # fmt: skip
                self.blocks.append(block)
            elif block is None or line.startswith("~"):
                continue  # transformations combine coded verbs: the coder's control rules do that
            elif line.startswith("-"):
                comment = raw.split("#", 1)[1] if "#" in raw else ""
                block["patterns"].append((line[1:].strip(), comment))
            else:
                block["verbs"].append(line.strip())

    def expand(self, word: str) -> list[str]:
        """A word or a synonym set as lower-case words.

        Phrases of a set ("UNMANNED_AERIAL_VEHICLE") are left out: their head alone ("vehicle")
        would match far more than the phrase does.
        """
        if word.startswith("&"):
            members = self.synsets.get(word.rstrip("_"))
            if members is None:
                raise Skip("undefined synonym set")
            words = {m.rstrip("_").lower() for m in members if "_" not in m.rstrip("_") and " " not in m.strip()}
            return sorted(w for w in words if re.fullmatch(r"[a-z][a-z'-]*", w))
        return [word.lower()]


def parse_verb(entry: str) -> tuple[str, str | None, str | None, str | None]:
    """(lemma, particle or preposition, object word, code) of a verb line; raises Skip."""
    code_match = re.search(r"\[([^\]]*)\]", entry)
    code = code_match.group(1).split(":")[0].strip() if code_match else None
    head = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", entry).split()
    if not head:
        raise Skip("empty verb line")
    word = head[0]
    if word.startswith("+"):
        parts = word[1:].lower().split("_")
        if len(parts) != 2 or not all(parts):
            raise Skip("multi-word verb of three or more words")
        verb, second = parts
        if second in PARTICLES or second in PREPOSITIONS:
            return verb, second, None, code
        return verb, None, second, code
    if "+" in word or "_" in word:
        raise Skip("multi-word verb with words before the verb")
    return word.lower(), None, None, code


def parse_pattern(pattern: str, dictionary: Dictionary) -> tuple[dict, str | None]:
    """A pattern line as a constraint dict and its CAMEO code (None: no code); raises Skip."""
    code_match = re.search(r"\[([^\]]*)\]", pattern)
    if not code_match:
        raise Skip("no code")
    code = code_match.group(1).split(":")[0].strip() or None
    body = pattern[: code_match.start()]
    if "*" not in body:
        raise Skip("no verb position")
    before, after = body.split("*", 1)
    if before.strip():
        raise Skip("words before the verb (subject constraints)")
    # tokens: bare words, {phrases}, (prep phrases)
    tokens = re.findall(r"\([^)]*\)|\{[^}]*\}|\S+", after)
    if any(t in MARKERS for t in tokens):
        raise Skip("source, target or compound markers outside a prepositional phrase")
    particle = None
    if tokens and tokens[0].lower() in PARTICLES and not tokens[0].startswith(("(", "{")):
        particle = tokens.pop(0).lower()
    bare = [t for t in tokens if not t.startswith("(")]
    pps = [t for t in tokens if t.startswith("(")]
    if len(pps) > 1:
        raise Skip("several prepositional phrases")
    if len(bare) > 1:
        raise Skip("several words after the verb")
    if bare and pps:
        raise Skip("an object followed by a prepositional phrase")
    out: dict = {"particle": particle, "prep": None, "objects": (), "modifiers": (), "target": False}
    if bare:
        out["objects"], out["modifiers"] = noun_phrase(bare[0], dictionary)
    elif pps:
        words = re.findall(r"\{[^}]*\}|\S+", pps[0][1:-1])
        if not words:
            raise Skip("empty prepositional phrase")
        prep = words[0].lower()
        if prep not in PREPOSITIONS and prep not in PARTICLES:
            raise Skip("prepositional phrase without a preposition")
        out["prep"] = prep
        rest = words[1:]
        if rest and rest[-1] in MARKERS:
            if rest[-1] == "$" or rest[-1] == "%":
                raise Skip("source or compound inside a prepositional phrase")
            out["target"] = rest[-1] == "+"
            rest = rest[:-1]
        if len(rest) > 1:
            raise Skip("several words in a prepositional phrase")
        if rest:
            out["objects"], out["modifiers"] = noun_phrase(rest[0], dictionary)
    elif particle is None:
        raise Skip("nothing after the verb")
    return out, code


def noun_phrase(token: str, dictionary: Dictionary) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Head lemmas and modifier words of a pattern noun: ``TALKS``, ``{FINANCIAL AID}``, ``&FOOD``."""
    words = token[1:-1].split() if token.startswith("{") else [token]
    if not words or any(w in MARKERS or not re.fullmatch(r"&?[A-Za-z][A-Za-z'.-]*_?", w) for w in words):
        raise Skip("a noun phrase with markers or non-words")
    heads = {singular(w.rstrip("_")) for w in dictionary.expand(words[-1])}
    heads |= {w.rstrip("_") for w in dictionary.expand(words[-1])}
    modifiers: set[str] = set()
    for word in words[:-1]:
        if word.upper() in ("AND", "OR", "OF", "THE", "A", "AN"):
            raise Skip("a noun phrase with a conjunction or determiner")
        modifiers.update(w.rstrip("_") for w in dictionary.expand(word))
    return tuple(sorted(heads)), tuple(sorted(modifiers))


def found_with(comment: str, verbs: list[tuple[str, str | None]], block: str) -> set[str]:
    """The block's verbs a pattern was found with: named in its comment, else the block's own verb."""
    named = {w.lower() for w in re.findall(r"[A-Za-z_+-]+", comment)}
    named = {w.replace("+", "") for w in named} | {w.replace("+", "").split("_")[0] for w in named}
    lemmas = {verb for verb, _ in verbs}
    hits = lemmas & named
    if hits:
        return hits
    own = block.lower().split("_")[0]
    return {own} if own in lemmas else set()


def derive(
    dictionary: Dictionary,
    table: dict[str, str],
    synonyms: bool = False,
    block_patterns: bool = False,
    specific: bool = True,
) -> tuple[dict, Counter]:
    """The lexicon sections and the counts of what was dropped and why.

    ``synonyms``: a block's code also codes the synonyms listed in it without a code of their own
    (otherwise only verbs with their own code and the verb the block is named after).
    ``block_patterns``: a pattern applies to every verb of its block (otherwise only to the verbs
    its comment says it was found with).
    ``specific``: catch-all codes of a cue category ("040", "190") code nothing: in the dictionary they
    are the default a block gives every verb it lists, not a judgement on the verb.
    """
    dropped: Counter = Counter()
    verb_categories: dict[str, set[str | None]] = defaultdict(set)  # every listing counts for ambiguity
    coded: set[str] = set()  # verbs whose own code or block name gives them their category
    phrasal: dict[tuple[str, str | None, str], set[str | None]] = defaultdict(set)
    targets: dict[tuple[str, str | None, str], bool] = {}
    objects: dict[tuple, set[str | None]] = defaultdict(set)

    def add_object(verb: str, particle: str | None, prep: str | None, heads, modifiers, category) -> None:
        for head in heads:
            objects[(verb, particle, prep, tuple(modifiers), head)].add(category)

    for block in dictionary.blocks:
        block_code = block["code"].split(":")[0].strip()
        verbs = []
        for entry in block["verbs"]:
            try:
                verb, second, obj, own = parse_verb(entry)
            except Skip as why:
                dropped[f"verb: {why}"] += 1
                continue
            code = own if own is not None else block_code
            category = plover(code, table, specific)
            named = own is not None or verb == block["name"].lower().split("_")[0]
            if code and code[0].isdigit() and category is None:
                why = "catch-all code of a cue category" if specific and generic(code) else "code with no PLOVER event"
                dropped[f"verb listing: {why}"] += 1
            if second is None and obj is None:
                verb_categories[verb].add(category)
                if named or synonyms:
                    coded.add(verb)
            elif obj is None:
                phrasal[(verb, None, second)].add(category)
            else:
                add_object(verb, None, None, (obj,), (), category)
            verbs.append((verb, second if obj is None else None))
        for pattern, comment in block["patterns"]:
            scope = None if block_patterns else found_with(comment, verbs, block["name"])
            try:
                spec, code = parse_pattern(pattern, dictionary)
            except Skip as why:
                dropped[f"pattern: {why}"] += 1
                continue
            category = plover(code, table, specific)
            if category is None and generic(code) and specific:
                dropped["pattern: catch-all code of a cue category"] += 1
                continue
            for verb, own_particle in verbs:
                if scope is not None and verb not in scope:
                    dropped["(pattern, verb) pairs: a block synonym the pattern was not found with"] += 1
                    continue
                particle = spec["particle"]
                prep = spec["prep"]
                if own_particle is not None:
                    if particle is not None or (prep is None and not spec["objects"]):
                        dropped["pattern: particle on a verb that has one"] += 1
                        continue
                    if own_particle in PARTICLES:
                        particle = own_particle
                    elif prep is None:
                        prep = own_particle  # "+ASK_FOR" with "* HELP": ask for help
                    else:
                        dropped["pattern: two prepositions"] += 1
                        continue
                if spec["objects"]:
                    if category is None:
                        dropped["pattern: verb + object with no PLOVER event (blocks unsupported)"] += 1
                        continue
                    add_object(verb, particle, prep, spec["objects"], spec["modifiers"], category)
                else:
                    key = (verb, particle, prep) if prep else (verb, None, particle)
                    phrasal[key].add(category)
                    if spec["target"] or (prep in ADDRESSEE_PREPS):
                        targets[key] = True

    out: dict = {"verbs": defaultdict(list), "phrasal": [], "verb_object": []}
    for verb, categories in sorted(verb_categories.items()):
        if verb not in coded:
            dropped["verb: a synonym inheriting its block's code"] += 1
            continue
        if len(categories) != 1:
            dropped["verb: listed under several categories or also without a code"] += 1
            continue
        category = next(iter(categories))
        if category is not None:
            out["verbs"][category].append(verb)
    phrasal_coded = {verb for (verb, _, _), categories in phrasal.items() if categories - {None}}
    for (verb, particle, prep), categories in sorted(
        phrasal.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])
    ):
        if len(categories) != 1:
            dropped["phrasal: several categories for one verb + particle"] += 1
            continue
        category = next(iter(categories))
        if category is None and verb not in verb_categories and verb not in phrasal_coded:
            dropped["phrasal: block of a verb that codes nothing anyway"] += 1
            continue
        item = {"verb": verb}
        if particle is not None:
            item["particle"] = [particle]
        item["prep"] = [prep]
        item["type"] = category
        if targets.get((verb, particle, prep)):
            item["target"] = "prep"
        out["phrasal"].append(item)
    grouped: dict[tuple, set[str]] = defaultdict(set)
    for (verb, particle, prep, modifiers, head), categories in objects.items():
        if len(categories) != 1:
            dropped["verb_object: several categories for one verb + object"] += 1
            continue
        if None in categories:
            dropped["verb_object: no PLOVER event"] += 1
            continue
        grouped[(next(iter(categories)), verb, particle or "", prep or "", modifiers)].add(head)
    merged: dict[tuple, list[str]] = defaultdict(list)
    for (category, verb, particle, prep, modifiers), heads in grouped.items():
        merged[(category, particle, prep, modifiers, tuple(sorted(heads)))].append(verb)
    for (category, particle, prep, modifiers, heads), verbs in sorted(merged.items()):
        item: dict = {"verbs": sorted(verbs)}
        if particle:
            item["particle"] = [particle]
        if prep:
            item["prep"] = [prep]
        item["objects"] = list(heads)
        if modifiers:
            item["modifiers"] = list(modifiers)
        item["type"] = category
        out["verb_object"].append(item)
    out["verbs"] = {k: sorted(v) for k, v in sorted(out["verbs"].items())}
    return out, dropped


def _flow(value: object) -> str:
    """A YAML flow value: every string quoted (JSON strings are YAML), so "on" stays a word."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    return json.dumps(value)


def render(lexicon: dict, inputs: list[tuple[str, bytes]], licence: str) -> str:
    body = ["verbs:"]
    for category, verbs in lexicon["verbs"].items():
        body.append(f"  {category}: {_flow(verbs)}")
    body.append("")
    body.append("phrasal:")
    body.extend(f"  - {_flow(item)}" for item in lexicon["phrasal"])
    body.append("")
    body.append("verb_object:")
    body.extend(f"  - {_flow(item)}" for item in lexicon["verb_object"])
    text = "\n".join(body) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    header = [
        "# GENERATED FILE: do not edit by hand.  Rebuild with",
        "#   python scripts/derive_event_lexicon.py",
        "# The PLOVER trigger lexicon derived from the PETRARCH2 CAMEO verb dictionary; the curated",
        "# plover_lexicon.yml is laid over it by extract/nlp/event_lexicon.py and wins on conflict.",
        "# Inputs:",
    ]
    header += [f"#   {name}  sha256 {hashlib.sha256(data).hexdigest()}" for name, data in inputs]
    header += ["#", "# Derived from the PETRARCH2 dictionaries, which carry this notice (NOTICE.petrarch2):", "#"]
    header += [f"# {line}".rstrip() for line in licence.strip().splitlines()]
    header += ["", f'version: "petrarch2-{digest}"', "source: petrarch2", ""]
    return "\n".join(header) + "\n" + text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--petrarch", type=Path, default=DEFAULT_PETRARCH, help="folder holding CAMEO.2.0.txt and LICENSE"
    )
    parser.add_argument("--cameo2plover", type=Path, default=DEFAULT_CAMEO2PLOVER)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--quiet", action="store_true", help="do not print the counts")
    parser.add_argument("--synonyms", action="store_true", help="block codes also code the block's synonyms")
    parser.add_argument("--block-patterns", action="store_true", help="patterns apply to every verb of their block")
    parser.add_argument("--generic-codes", action="store_true", help="catch-all codes (040, 190) code too")
    args = parser.parse_args(argv)
    cameo_path = args.petrarch / "CAMEO.2.0.txt"
    cameo = cameo_path.read_bytes()
    mapping = args.cameo2plover.read_bytes()
    licence = (args.petrarch / "LICENSE").read_text(encoding="utf-8")
    dictionary = Dictionary(cameo.decode("utf-8", errors="replace"))
    lexicon, dropped = derive(
        dictionary,
        read_cameo2plover(args.cameo2plover),
        synonyms=args.synonyms,
        block_patterns=args.block_patterns,
        specific=not args.generic_codes,
    )
    text = render(lexicon, [("petrarch2/CAMEO.2.0.txt", cameo), ("CAMEO2PLOVER-2021.txt", mapping)], licence)
    args.out.write_text(text, encoding="utf-8")
    if not args.quiet:
        kept = {
            "single verbs": sum(len(v) for v in lexicon["verbs"].values()),
            "verb + particle/preposition": len(lexicon["phrasal"]),
            "verb + object entries": len(lexicon["verb_object"]),
        }
        for what, count in kept.items():
            print(f"kept     {count:6d}  {what}")
        for why, count in sorted(dropped.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"dropped  {count:6d}  {why}")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
