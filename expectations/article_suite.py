"""The suite for ``marts.fct_article``: one row per distinct article.

Choices worth knowing:

- ``language`` may be null: the detector abstains on short or mixed-language text, and an
  honest "unknown" is better than a guess (the NLP stages skip unknown languages).  A value
  that is present must be a lower-case ISO 639-1/639-3 code (``^[a-z]{2,3}$``: "en", "fra";
  not "english" or "EN").  So that a detector that stops working is still caught, at least
  ``LANGUAGE_KNOWN_MOSTLY`` of the articles must have a language.
- ``published_at`` may be null (a page without a date), but a date that is present must lie
  between 1990-01-01 and ``now``, the time the checks run, passed in so results do not
  depend on the clock.
- ``url`` and ``article_id`` are checked unique here as well as in dbt, because the scorer and
  the NLP marts pair articles by them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import great_expectations as gx
import great_expectations.expectations as gxe

__all__ = ["EARLIEST_PUBLISHED", "LANGUAGE_KNOWN_MOSTLY", "LANGUAGE_PATTERN", "build_article_suite"]

LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
LANGUAGE_KNOWN_MOSTLY = 0.8
EARLIEST_PUBLISHED = datetime(1990, 1, 1)


def build_article_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    """Build the fct_article suite; ``now`` (default: the current time) bounds ``published_at``."""
    latest = _naive_utc(now or datetime.now(UTC))
    suite = gx.ExpectationSuite(name="fct_article")
    for expectation in (
        gxe.ExpectColumnValuesToNotBeNull(column="article_id"),
        gxe.ExpectColumnValuesToBeUnique(column="article_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="url"),
        gxe.ExpectColumnValuesToBeUnique(column="url"),
        gxe.ExpectColumnValuesToNotBeNull(column="text"),
        gxe.ExpectColumnValueLengthsToBeBetween(column="text", min_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="n_words", min_value=1),
        gxe.ExpectColumnValuesToMatchRegex(column="language", regex=LANGUAGE_PATTERN),
        gxe.ExpectColumnValuesToNotBeNull(
            column="language",
            mostly=LANGUAGE_KNOWN_MOSTLY,
            notes="Null means the language detector abstained; a few are fine, most are not.",
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="published_at",
            min_value=EARLIEST_PUBLISHED,
            max_value=latest,
            notes="Not before 1990 and not after the time the checks ran; null is allowed.",
        ),
    ):
        suite.add_expectation(expectation)
    return suite


def _naive_utc(moment: datetime) -> datetime:
    """The warehouse stores UTC as naive TIMESTAMPs; compare like with like."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
