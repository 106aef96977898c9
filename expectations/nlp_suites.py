"""Suites for the NLP marts: actors, their mentions, statements and events.

Codes are checked against their vocabularies (ISO 3166-1 alpha-3 from pycountry, the PLOVER
sectors and categories), offsets and coordinates against their ranges.  That a mention's text is
the article's text at its offsets is a dbt test (it joins two marts).
"""

from __future__ import annotations

from datetime import datetime

import great_expectations as gx
import great_expectations.expectations as gxe

__all__ = [
    "ACTOR_KINDS",
    "PLOVER_CATEGORIES",
    "SECTORS",
    "build_actor_suite",
    "build_event_suite",
    "build_mention_suite",
    "build_statement_suite",
]

ACTOR_KINDS = ("person", "organization", "country", "group")
# PLOVER / CAMEO actor sector codes the actor layer may assign
SECTORS = (
    "GOV",
    "MIL",
    "JUD",
    "LEG",
    "PTY",
    "COP",
    "MED",
    "JRN",
    "BUS",
    "IGO",
    "NGO",
    "REB",
    "CVL",
    "REL",
    "EDU",
    "HLH",
    "LAB",
    "SPY",
    "CRM",
    "REF",
    "ELI",
    "AGR",
    "UAF",
    "OPP",
    # CAMEO agent codes the Phoenix agents dictionary (extract/nlp/data/phoenix_agents.csv) gives
    # groups named by description: environmental, human rights, radical, migrant groups and the
    # religious ones by faith
    "ENV",
    "HRI",
    "RAD",
    "IMG",
    "PPL",
    "MUS",
    "CHR",
    "JEW",
    "HIN",
    "BUD",
)
PLOVER_CATEGORIES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)


def _country_codes() -> list[str]:
    import pycountry

    return sorted(country.alpha_3 for country in pycountry.countries)


def _suite(name: str, expectations: list) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=name)
    for expectation in expectations:
        suite.add_expectation(expectation)
    return suite


def build_actor_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    return _suite(
        "dim_actor",
        [
            gxe.ExpectColumnValuesToNotBeNull(column="name"),
            gxe.ExpectColumnValuesToBeInSet(column="kind", value_set=list(ACTOR_KINDS)),
            gxe.ExpectColumnValuesToBeInSet(column="country_code", value_set=_country_codes()),
            gxe.ExpectColumnValuesToBeInSet(column="sector", value_set=list(SECTORS)),
            gxe.ExpectColumnValuesToBeUnique(column="actor_id"),
        ],
    )


def build_mention_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    return _suite(
        "fct_actor_mention",
        [
            gxe.ExpectColumnValuesToNotBeNull(column="actor_id"),
            gxe.ExpectColumnValuesToBeBetween(column="start_char", min_value=0),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="end_char", column_B="start_char"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="text", min_value=1),
        ],
    )


def build_statement_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    return _suite(
        "fct_statement",
        [
            gxe.ExpectColumnValuesToBeInSet(column="mode", value_set=["direct", "reported"]),
            gxe.ExpectColumnValuesToNotBeNull(column="mode"),
            gxe.ExpectColumnValueLengthsToBeBetween(column="text", min_value=1),
            gxe.ExpectColumnValuesToNotBeNull(column="text"),
        ],
    )


def build_event_suite(now: datetime | None = None) -> gx.ExpectationSuite:
    return _suite(
        "fct_event",
        [
            gxe.ExpectColumnValuesToBeInSet(column="event_type", value_set=list(PLOVER_CATEGORIES)),
            gxe.ExpectColumnValuesToNotBeNull(column="event_type"),
            gxe.ExpectColumnValuesToBeInSet(column="date_precision", value_set=["day", "month", "year"]),
            gxe.ExpectColumnValuesToBeBetween(column="latitude", min_value=-90, max_value=90),
            gxe.ExpectColumnValuesToBeBetween(column="longitude", min_value=-180, max_value=180),
            gxe.ExpectColumnValuesToNotBeNull(column="trigger"),
        ],
    )
