"""The suite for ``marts.fct_rejection``: the latest rejection per (url, stage)."""

from __future__ import annotations

from datetime import datetime

import great_expectations as gx
import great_expectations.expectations as gxe

__all__ = ["REASON_PATTERN", "REJECTION_STAGES", "build_rejection_suite"]

# the stages that can reject a URL (raw.rejections.stage); dbt's accepted_values test on
# fct_rejection.stage lists the same ones
REJECTION_STAGES = ("discover", "fetch", "clean", "dedupe")
# reasons are short codes: http_404, timeout, too_large, near_duplicate, ...
REASON_PATTERN = r"^[a-z][a-z0-9_]*$"


def build_rejection_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    """Build the fct_rejection suite (``now`` is accepted for a uniform builder signature)."""
    suite = gx.ExpectationSuite(name="fct_rejection")
    for expectation in (
        gxe.ExpectColumnValuesToNotBeNull(column="url"),
        gxe.ExpectColumnValuesToBeInSet(column="stage", value_set=list(REJECTION_STAGES)),
        gxe.ExpectColumnValuesToNotBeNull(column="stage"),
        gxe.ExpectColumnValuesToNotBeNull(column="reason"),
        gxe.ExpectColumnValuesToMatchRegex(column="reason", regex=REASON_PATTERN),
    ):
        suite.add_expectation(expectation)
    return suite
