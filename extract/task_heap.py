"""Keep a task's starting heap out of the garbage collector's way while it runs dbt.

Cosmos runs a full ``gc.collect()`` after every dbt command (to release the semaphores dbt's
adapters hold).  A full collection walks every tracked object of the process, and an Airflow
task process that has imported Airflow, dbt, Cosmos and the DAG holds a few hundred thousand of
them before dbt starts: 0.2 s a collection in a fresh worker, 0.6 s in ``airflow dags test``,
where every task runs in one process.  With one dbt task per model, that was most of each task.

``freeze_heap`` (a ``pre_execute`` hook) moves the objects the task starts with into the
collector's permanent generation, so the collection after the dbt command only walks what the
command itself created; ``thaw_heap`` (``post_execute``) hands them back.  Nothing is lost: the
frozen objects are the ones the process had before the task, which the task does not free.  A
task that fails skips ``post_execute``: a worker's task process ends with it, and under ``dags
test`` the heap stays frozen, which only keeps its older garbage until the process ends.
"""

from __future__ import annotations

import gc
from typing import Any

__all__ = ["freeze_heap", "thaw_heap"]


def freeze_heap(context: Any = None) -> None:
    """Move every object tracked now to the permanent generation (``gc.freeze``)."""
    gc.freeze()


def thaw_heap(context: Any = None, result: Any = None) -> None:
    """Return the frozen objects to the oldest generation (``gc.unfreeze``)."""
    gc.unfreeze()
