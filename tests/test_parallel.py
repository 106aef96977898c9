"""Clean and NLP on several processes write exactly what one process writes."""

from __future__ import annotations

import multiprocessing
import os

from extract import pipeline
from extract.parallel import chunked, map_chunks
from extract.partition import STAGE_OUTPUTS
from extract.sources import Source
from extract.staging import batch_dir


def tag_with_pid(chunk: list[int]) -> list[tuple[int, int]]:
    return [(item, os.getpid()) for item in chunk]


def test_chunks_come_back_in_order_from_several_processes() -> None:
    results = list(map_chunks(tag_with_pid, list(range(10)), workers=2, chunk_size=3))
    assert [item for chunk in results for item, _pid in chunk] == list(range(10))
    pids = {pid for chunk in results for _item, pid in chunk}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_one_chunk_runs_inline() -> None:
    results = list(map_chunks(tag_with_pid, [1, 2], workers=2, chunk_size=5))
    assert results == [[(1, os.getpid()), (2, os.getpid())]]


def _in_daemon(queue) -> None:
    queue.put(list(map_chunks(tag_with_pid, list(range(6)), workers=2, chunk_size=2)))


def test_a_daemonic_process_runs_its_chunks_itself() -> None:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_in_daemon, args=(queue,), daemon=True)
    child.start()
    results = queue.get(timeout=60)
    child.join()
    assert child.exitcode == 0
    assert {pid for chunk in results for _item, pid in chunk} == {child.pid}


def test_chunked_keeps_every_item() -> None:
    assert chunked("abcdefg", 3) == ["abc", "def", "g"]
    assert chunked([], 3) == []


def _stage_files(settings, batch: str, stage: str) -> dict[str, bytes]:
    folder = batch_dir(settings, batch)
    return {stem: (folder / f"{stem}.jsonl").read_bytes() for stem in STAGE_OUTPUTS[stage]}


def test_clean_and_nlp_on_two_workers_match_one(settings, demo_site) -> None:
    batch = "parallel"
    pipeline.run_discover(settings, batch, [Source("feed", demo_site.url("/feed.xml"))])
    pipeline.run_fetch(settings, batch)
    outputs = {}
    for workers in (1, 2):
        run = settings.replace(workers=workers, clean_chunk_size=2, nlp_chunk_size=2)
        clean = pipeline.run_clean(run, batch)
        nlp = pipeline.run_nlp(run, batch)
        outputs[workers] = (clean, nlp, _stage_files(run, batch, "clean"), _stage_files(run, batch, "nlp"))
    assert outputs[1][0].n_out >= 6 and outputs[1][1].n_out >= 5
    assert outputs[2] == outputs[1]


def _use_pool_and_exit(queue) -> None:
    queue.put(len(list(map_chunks(tag_with_pid, list(range(4)), workers=2, chunk_size=1))))


def test_a_process_that_used_the_pool_exits() -> None:
    # a multiprocessing child skips atexit: its pool must still stop, or the child never ends
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_use_pool_and_exit, args=(queue,))
    child.start()
    assert queue.get(timeout=60) == 4
    child.join(timeout=60)
    assert child.exitcode == 0
