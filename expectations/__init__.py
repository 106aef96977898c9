"""Great Expectations suites for the public marts, built in code: one module per table.

Content and distribution checks live here (text not empty, dates in range, codes in their
vocabulary); keys and relationships are dbt tests (dbt_project/models/marts/_marts__models.yml).
``SUITES`` maps each validated mart (schema ``marts``) to the function that builds its suite;
extract/checks.py validates every table listed there.
"""

from __future__ import annotations

from collections.abc import Callable

import great_expectations as gx

from expectations.article_suite import build_article_suite
from expectations.nlp_suites import (
    build_actor_suite,
    build_event_suite,
    build_mention_suite,
    build_statement_suite,
)
from expectations.rejection_suite import REJECTION_STAGES, build_rejection_suite

__all__ = ["REJECTION_STAGES", "SUITES", "build_article_suite", "build_rejection_suite"]

SuiteBuilder = Callable[..., gx.ExpectationSuite]

SUITES: dict[str, SuiteBuilder] = {
    "fct_article": build_article_suite,
    "fct_rejection": build_rejection_suite,
    "dim_actor": build_actor_suite,
    "fct_actor_mention": build_mention_suite,
    "fct_statement": build_statement_suite,
    "fct_event": build_event_suite,
}
