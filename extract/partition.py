"""Parts of a batch: how the heavy stages (fetch, clean, NLP) fan out over several workers.

``discover`` cuts the batch's distinct URLs into parts of ``part_size`` and records the cut in
``parts.json`` beside them, so every worker sees the same parts whatever its own settings say.
Part ``k`` of a stage reads part ``k`` of the stage before it and writes only its own files,
named ``<stem>-<kkkk>.jsonl`` (``pages-0003.jsonl``, ``rejections-fetch-0003.jsonl``,
``articles-0003.jsonl``, ...), so a retried or duplicated part rewrites what it wrote before
and nothing else.  ``load`` reads every ``<stem>*.jsonl`` of the batch, so the parts merge there.

Without a part a stage covers the whole batch and writes ``<stem>.jsonl``, as ``wirehouse run``
does.  Either way a stage removes the other layout's files of its own outputs first, so the two
never add up, and a rerun of ``discover`` clears every later stage's files of the batch.
A stage also removes the temporary files its own outputs (same part) left when it was killed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from extract.nlp import NLP_TABLES
from extract.settings import Settings
from extract.staging import batch_dir, remove_stale_temps

__all__ = [
    "PLAN_FILE",
    "STAGE_OUTPUTS",
    "batch_of",
    "clear_stage",
    "input_files",
    "merge_counts",
    "output_name",
    "plan_parts",
    "read_plan",
    "select_part",
    "write_plan",
]

PLAN_FILE = "parts.json"
# the files each partitioned stage writes, by stem (``counts-<stage>.json`` besides)
STAGE_OUTPUTS: dict[str, tuple[str, ...]] = {
    "fetch": ("pages", "visits", "rejections-fetch"),
    "clean": ("articles", "unchanged", "rejections-clean"),
    "nlp": NLP_TABLES,
}
COUNT_FIELDS = ("n_in", "n_out", "n_rejected", "n_cached", "n_skipped")


def output_name(stem: str, part: int | None, suffix: str = ".jsonl") -> str:
    """``pages.jsonl`` for the whole batch, ``pages-0003.jsonl`` for part 3."""
    return f"{stem}{suffix}" if part is None else f"{stem}-{part:04d}{suffix}"


def _part_pattern(stem: str, suffix: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}-\d{{4,}}{re.escape(suffix)}")


def _part_files(folder: Path, stem: str, suffix: str = ".jsonl") -> list[Path]:
    pattern = _part_pattern(stem, suffix)
    return sorted(p for p in folder.glob(f"{stem}-*{suffix}") if pattern.fullmatch(p.name))


def input_files(folder: Path, stem: str, part: int | None) -> list[Path]:
    """What a stage reads: one part's file, or for the whole batch the whole file and every part."""
    if part is not None:
        return [folder / output_name(stem, part)]
    return [folder / output_name(stem, None), *_part_files(folder, stem)]


def clear_stage(folder: Path, stage: str, part: int | None) -> None:
    """Remove the stage's files of the other layout: part files for a whole run, and vice versa,
    and the temporary files a killed run of the same stage and part left behind."""
    remove_stale_temps(folder, [output_name(stem, part) for stem in STAGE_OUTPUTS[stage]])
    for stem, suffix in [(s, ".jsonl") for s in STAGE_OUTPUTS[stage]] + [(f"counts-{stage}", ".json")]:
        if part is None:
            for path in _part_files(folder, stem, suffix):
                path.unlink(missing_ok=True)
        else:
            (folder / output_name(stem, None, suffix)).unlink(missing_ok=True)


def clear_after_discover(folder: Path) -> None:
    """A new discovery makes every later stage's files of the batch stale: remove them all, and
    every temporary file a killed stage left (nothing else writes the batch while it is discovered)."""
    for leftover in folder.glob(".tmp-*.jsonl"):
        leftover.unlink(missing_ok=True)
    for stage in STAGE_OUTPUTS:
        clear_stage(folder, stage, None)
        clear_stage(folder, stage, 0)
    (folder / PLAN_FILE).unlink(missing_ok=True)


def write_plan(folder: Path, n_urls: int, part_size: int) -> int:
    """Record how the batch's URLs are cut; return the number of parts (at least one)."""
    if part_size < 1:
        raise ValueError(f"part_size must be at least 1, got {part_size}")
    n_parts = max(1, -(-n_urls // part_size))
    plan = {"n_urls": n_urls, "part_size": part_size, "n_parts": n_parts}
    (folder / PLAN_FILE).write_text(json.dumps(plan, sort_keys=True), encoding="utf-8")
    return n_parts


def read_plan(folder: Path) -> dict[str, int]:
    path = folder / PLAN_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run discover for this batch first")
    return json.loads(path.read_text(encoding="utf-8"))


def select_part(folder: Path, items: Sequence[Any], part: int | None) -> list[Any]:
    """The items (the batch's distinct URLs, in discovery order) that belong to ``part``."""
    if part is None:
        return list(items)
    plan = read_plan(folder)
    if not 0 <= part < plan["n_parts"]:
        raise ValueError(f"part {part} is not one of the batch's {plan['n_parts']} parts")
    size = plan["part_size"]
    return list(items[part * size : (part + 1) * size])


def plan_parts(settings: Settings, batch_id: str) -> list[dict[str, Any]]:
    """The parts of a discovered batch, one mapping per part, as the DAG maps its tasks over them."""
    n_parts = read_plan(batch_dir(settings, batch_id))["n_parts"]
    return [{"batch_id": batch_id, "part": k, "n_parts": n_parts} for k in range(n_parts)]


def batch_of(parts: Iterable[dict[str, Any]]) -> str:
    """The one batch that a set of parts belongs to."""
    batches = {part["batch_id"] for part in parts}
    if len(batches) != 1:
        raise ValueError(f"parts of one batch expected, got batches {sorted(batches)}")
    return batches.pop()


def merge_counts(folder: Path, stage: str) -> dict[str, Any] | None:
    """Sum the parts' ``counts-<stage>-<kkkk>.json`` into ``counts-<stage>.json`` for the summary.

    Leaves a whole-batch ``counts-<stage>.json`` alone when the stage ran without parts.
    """
    parts = _part_files(folder, f"counts-{stage}", ".json")
    if not parts:
        return None
    total: dict[str, Any] = {"stage": stage, **{name: 0 for name in COUNT_FIELDS}}
    for path in parts:
        counts = json.loads(path.read_text(encoding="utf-8"))
        for name in COUNT_FIELDS:
            total[name] += counts.get(name, 0)
    (folder / output_name(f"counts-{stage}", None, ".json")).write_text(
        json.dumps(total, sort_keys=True), encoding="utf-8"
    )
    return total
