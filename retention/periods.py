"""Period boundaries and lengths (METRICS.md "Periods and cohorts"), the one place they are written.

Python uses the functions; SQL gets the length as `$period_step` (Params.sql(): an interval text, cast with
`cast($period_step as interval)`) and the start as `date_trunc($period, day)`, which agrees with `start`.
"""

from __future__ import annotations

import calendar
import datetime as dt

from retention.codes import PERIODS

# The length of one period as a DuckDB interval (ISO weeks start on Monday, quarters in January).
STEP = {"week": "7 days", "month": "1 month", "quarter": "3 months"}
MONTHS = {"month": 1, "quarter": 3}
assert tuple(STEP) == PERIODS


def start(day: dt.date, period: str) -> dt.date:
    """The first day of the period holding `day` (SQL: `date_trunc($period, day)`)."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def add(first_day: dt.date, period: str, k: int) -> dt.date:
    """The first day of the period k periods after the one starting on `first_day`."""
    if period == "week":
        return first_day + dt.timedelta(days=7 * k)
    months = first_day.month - 1 + k * MONTHS[period]
    return dt.date(first_day.year + months // 12, months % 12 + 1, 1)


def same_day_before(day: dt.date, period: str) -> dt.date:
    """The same day one period earlier (a week, a month, a quarter; month ends clamp: 31 May -> 30 Apr)."""
    if period == "week":
        return day - dt.timedelta(days=7)
    year, month = divmod(day.year * 12 + day.month - 1 - MONTHS[period], 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
