"""Spreading the CPU-bound stages (clean, NLP) over the machine's cores.

A stage hands ``map_chunks`` a function and its items; the items are cut into chunks, and with
more than one worker the chunks go to a pool of spawned processes, which lives as long as the
stage: each worker loads the spaCy model (or the language identifier) once for all the chunks
it gets.  Results come back in the items' order, so a stage's output is the same whatever the
number of workers.

The chunks run inline, in the calling process, when there is one worker or one chunk (a part of
a few dozen pages does not pay for starting processes), and inside a daemonic process such as a
Celery prefork child, which may not start processes of its own: there the parallelism comes
from running the DAG's parts on several workers instead.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

__all__ = ["chunked", "map_chunks", "usable_workers"]

T = TypeVar("T")
R = TypeVar("R")


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive chunks of at most ``size``."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def usable_workers(requested: int, n_chunks: int) -> int:
    """How many processes to start for ``n_chunks``: at most one per chunk, none when daemonic."""
    if multiprocessing.current_process().daemon:
        return 1
    return max(1, min(requested, n_chunks))


def map_chunks(
    function: Callable[..., R],
    items: Sequence[Any],
    *,
    workers: int,
    chunk_size: int,
    args: tuple[Any, ...] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[R]:
    """``function(*args, chunk)`` for each chunk of ``items``, in order, on up to ``workers`` processes.

    ``function`` must be importable by name (defined at a module's top level), since spawned
    workers find it by importing its module.  ``progress(done, total)``, if given, hears of
    each chunk's items as its result arrives (and of ``0`` before the first), in items.
    """
    chunks = chunked(items, chunk_size)
    n_workers = usable_workers(workers, len(chunks))
    results = _results(function, chunks, n_workers, args)
    if progress is None:
        yield from results
        return
    done = 0
    progress(done, len(items))
    for index, result in enumerate(results):  # to the results' end, so the pool shuts down here
        done += len(chunks[index])
        progress(done, len(items))
        yield result


def _results(
    function: Callable[..., R], chunks: list[Sequence[Any]], n_workers: int, args: tuple[Any, ...]
) -> Iterator[R]:
    if n_workers == 1:
        for chunk in chunks:
            yield function(*args, chunk)
        return
    # spawn, not fork: the caller may hold threads (an HTTP client, Airflow's supervisor) that a
    # fork would copy half-way.  The pool ends with the stage, so no worker outlives its caller.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
        yield from pool.map(partial(function, *args), chunks)
