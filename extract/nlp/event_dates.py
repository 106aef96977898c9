"""Dates of events: time expressions resolved against the article's publication date.

``resolve_expression("last Saturday", published)`` gives the Saturday before publication with
precision ``day``; "in February" gives the most recent February not after publication
(``month``); "last year" the year before (``year``).  Spans shorter than their precision go to
the unit that holds them: "earlier this month" and "last month" to the month, "last week" and
"this week" to the month holding most of the week's days, "earlier this year" to the year.
Nothing resolves to a day after publication: an event reported in an article has happened by
the time it is published.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["ResolvedDate", "resolve_expression"]


@dataclass(frozen=True)
class ResolvedDate:
    value: date  # the first day of the month or year for those precisions
    precision: str  # day | month | year


MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "few": 3, "a few": 3,
}  # fmt: skip

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")(?:'s|’s)?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("iso", r"\b(?P<year>(?:19|20)\d\d)-(?P<month>\d\d)-(?P<day>\d\d)\b"),
        ("month_day_year", rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"),
        ("day_month_year", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b"),
        ("month_day", rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:%|percent|per cent))"),
        ("day_month", rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b"),
        ("month_year", rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b"),
        ("month_last_year", rf"\b{_MONTH}\s+(?:of\s+)?last\s+year\b"),
        ("month_this_year", rf"\b{_MONTH}\s+(?:of\s+)?this\s+year\b"),
        ("last_month_name", rf"\b(?:last|past)\s+{_MONTH}(?!\w)"),
        ("month", rf"(?<![\w-]){_MONTH}(?![\w-])"),
        ("today", r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|earlier\s+today)\b"),
        ("yesterday", r"\b(?:yesterday|last\s+night)\b"),
        ("before_yesterday", r"\bthe\s+day\s+before\s+yesterday\b"),
        ("last_weekday", rf"\b(?:last|past)\s+{_WEEKDAY}\b"),
        ("weekday", rf"\b{_WEEKDAY}\b"),
        ("weekend", r"\b(?:this|last|past|the)\s+weekend\b"),
        (
            "ago",
            r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a few)\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago\b",
        ),
        ("last_week", r"\b(?:last|past)\s+week\b"),
        ("this_week", r"\b(?:this|earlier\s+this)\s+week\b"),
        ("last_month", r"\b(?:last|past)\s+month\b"),
        ("this_month", r"\b(?:this|earlier\s+this)\s+month\b"),
        ("last_year", r"\b(?:last|past)\s+year\b"),
        ("this_year", r"\b(?:this|earlier\s+this)\s+year\b"),
        ("year", rf"(?<![\d/-]){_YEAR}(?![\d/-]|s\b|'s\b)"),
    ]
]


def _month_on_or_before(month: int, published: date, strictly_before: bool = False) -> date:
    year = (
        published.year
        if (month < published.month or (month == published.month and not strictly_before))
        else (published.year - 1)
    )
    return date(year, month, 1)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _weekday_on_or_before(weekday: int, published: date, strictly_before: bool = False) -> date:
    back = (published.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return published - timedelta(days=back)


def _month_of(value: date) -> ResolvedDate:
    return ResolvedDate(date(value.year, value.month, 1), "month")


def _month_of_span(first: date, last: date) -> ResolvedDate:
    """The month holding most days of a span (the later one on a tie): a week is told to the month."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counts: dict[tuple[int, int], int] = {}
    for day in days:
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + 1
    year, month = max(counts, key=lambda ym: (counts[ym], ym))
    return ResolvedDate(date(year, month, 1), "month")


def _week_of(published: date, weeks_back: int) -> ResolvedDate:
    """This week (Monday to the day of publication) or a week before it (Monday to Sunday)."""
    monday = published - timedelta(days=published.weekday()) - timedelta(days=7 * weeks_back)
    last = published if weeks_back == 0 else monday + timedelta(days=6)
    return _month_of_span(monday, last)


def _resolve_match(name: str, m: re.Match[str], published: date) -> ResolvedDate | None:
    groups = m.groupdict()
    month = MONTHS.get((groups.get("month") or "").lower().rstrip(".")) if groups.get("month") else None
    if name == "iso":
        value = _safe_date(int(m["year"]), int(m["month"]), int(m["day"]))
        return ResolvedDate(value, "day") if value else None
    if name in ("month_day_year", "day_month_year") and month:
        value = _safe_date(int(m["year"]), month, int(m["day"]))
        return ResolvedDate(value, "day") if value else None
    if name in ("month_day", "day_month") and month:
        value = _safe_date(published.year, month, int(m["day"]))
        if value and value > published:
            value = _safe_date(published.year - 1, month, int(m["day"]))
        return ResolvedDate(value, "day") if value else None
    if name == "month_year" and month:
        return ResolvedDate(date(int(m["year"]), month, 1), "month")
    if name == "month_last_year" and month:
        return ResolvedDate(date(published.year - 1, month, 1), "month")
    if name == "month_this_year" and month:
        return ResolvedDate(date(published.year, month, 1), "month")
    if name == "last_month_name" and month:
        return ResolvedDate(_month_on_or_before(month, published, strictly_before=True), "month")
    if name == "month" and month:
        if m["month"].lower() == "may" and not m["month"][0].isupper():
            return None  # the modal verb
        return ResolvedDate(_month_on_or_before(month, published), "month")
    if name == "today":
        return ResolvedDate(published, "day")
    if name == "yesterday":
        return ResolvedDate(published - timedelta(days=1), "day")
    if name == "before_yesterday":
        return ResolvedDate(published - timedelta(days=2), "day")
    if name in ("last_weekday", "weekday"):
        weekday = WEEKDAYS[m["weekday"].lower().split("'")[0].split("’")[0]]
        return ResolvedDate(_weekday_on_or_before(weekday, published, strictly_before=name == "last_weekday"), "day")
    if name == "weekend":
        return ResolvedDate(_weekday_on_or_before(5, published), "day")
    if name == "ago":
        n = int(m["n"]) if m["n"].isdigit() else NUMBERS.get(m["n"].lower(), 1)
        unit = m["unit"].lower()
        if unit == "day":
            return ResolvedDate(published - timedelta(days=n), "day")
        if unit == "week":
            return _week_of(published, n)
        if unit == "month":
            index = published.year * 12 + published.month - 1 - n
            return ResolvedDate(date(index // 12, index % 12 + 1, 1), "month")
        return ResolvedDate(date(published.year - n, 1, 1), "year")
    if name == "last_week":
        return _week_of(published, 1)
    if name == "this_week":
        return _week_of(published, 0)
    if name == "this_month":
        return _month_of(published)
    if name == "last_month":
        return _month_of(date(published.year, published.month, 1) - timedelta(days=1))
    if name == "last_year":
        return ResolvedDate(date(published.year - 1, 1, 1), "year")
    if name == "this_year":
        return ResolvedDate(date(published.year, 1, 1), "year")
    if name == "year":
        return ResolvedDate(date(int(m["year"]), 1, 1), "year")
    return None


_FUTURE = re.compile(r"\b(?:next|coming|tomorrow|later\s+this|from\s+now|upcoming)\b", re.IGNORECASE)
_NOT_A_TIME = re.compile(r"\b(?:\d+-(?:day|week|month|year|hour)|decade|century|centuries|\d0s)\b", re.IGNORECASE)


def resolve_expression(text: str, published: date | None) -> ResolvedDate | None:
    """The date a time expression names, resolved against ``published``; None if it names none.

    The first pattern that matches wins (the list runs from the most to the least specific);
    expressions pointing forward ("next week", "tomorrow"), durations ("48-hour", "a decade")
    and anything that would fall after publication resolve to None.
    """
    if published is None or not text or _FUTURE.search(text) or _NOT_A_TIME.search(text):
        return None
    for name, pattern in _PATTERNS:
        m = pattern.search(text)
        if m is None:
            continue
        resolved = _resolve_match(name, m, published)
        if resolved is None:
            continue
        if resolved.value > published:
            return None
        return resolved
    return None
