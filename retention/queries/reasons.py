"""Churn reasons (METRICS.md "Churn reasons"): per-reason table, summary, breakdowns and the rows themselves.

Every function takes the range as two optional dates (inclusive; None = open) and counts only reason
rows dated on or before T of the customers in scope.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention import codes
from retention.db import Dataset, engine
from retention.errors import InputError
from retention.params import Params, check_range
from retention.queries.cached import query

REASON_COLUMNS = ["reason", "count", "share", "cumulative_share", "lost_revenue"]
SUMMARY_COLUMNS = ["rows", "controllable_share", "unexplained_lapses"]
ROW_COLUMNS = ["customer_id", "churned_at", "reason", "category", "source", "comment"]
CATEGORIES = codes.CATEGORY.codes

# The allow-list of breakdown keys: name -> SQL expression over reason_rows r, firsts f, attrs a.
BY_KEYS = {
    "period": "cast(date_trunc($period, r.churned_at) as date)",
    "cohort": "cast(date_trunc($period, f.first_day) as date)",
    "attribute": "a.value",
}


def _params(p: Params, date_from: dt.date | None, date_to: dt.date | None, **more) -> dict:
    check_range(p, date_from, date_to)
    return p.sql() | {"date_from": date_from, "date_to": date_to} | more


@query("reasons", maxsize=64)
def reason_table(
    ds: Dataset, p: Params, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pl.DataFrame:
    """One row per reason code, sorted by count descending, then reason: `reason`, `count`, `share`,
    `cumulative_share`, `lost_revenue`, then the rows per resolved category: `controllable`,
    `uncontrollable`, `uncategorised` (they add up to `count`)."""
    return engine(ds).run("reasons", _params(p, date_from, date_to))


@query("reasons_summary", maxsize=64)
def reason_summary(ds: Dataset, p: Params, date_from: dt.date | None = None, date_to: dt.date | None = None) -> dict:
    """`rows` (reason rows in the range), `controllable_share` (null without rows), `unexplained_lapses`
    (lapse events in the range with no reason row of the customer within W days) and `lapses` (all lapse
    events in the range)."""
    return engine(ds).run("reasons_summary", _params(p, date_from, date_to)).row(0, named=True)


@query("reasons_by", maxsize=64)
def reason_breakdown(
    ds: Dataset,
    p: Params,
    by: str,
    attribute: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pl.DataFrame:
    """Reason rows counted per `key`, `reason`, `category` (controllable / uncontrollable / uncategorised):
    `count`. By 'period' (key: first day of the period of churned_at), 'cohort' (first day of the period
    of the customer's first purchase day; null without one) or 'attribute' (the customer's value of the
    attribute named; null without one)."""
    if by not in BY_KEYS:
        raise InputError(f"Breakdown by '{by}': expected one of {', '.join(BY_KEYS)}.")
    return engine(ds).run("reasons_by", _params(p, date_from, date_to, attribute=attribute), key=BY_KEYS[by])


@query("reasons_lapses", maxsize=64)
def lapses_by_period(
    ds: Dataset, p: Params, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pl.DataFrame:
    """Lapse events of the range per period of the lapse day: `period`, `lapses`, `unexplained`."""
    return engine(ds).run("reasons_lapses", _params(p, date_from, date_to))


@query("reasons_rows", maxsize=32)
def reason_rows(
    ds: Dataset, p: Params, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pl.DataFrame:
    """The reason rows of the range: `customer_id`, `churned_at`, `reason`, `category` (resolved; null when
    none), `source`, `comment`; sorted by churned_at, customer_id."""
    return engine(ds).run("reasons_rows", _params(p, date_from, date_to)).select(ROW_COLUMNS)


@query("reasons_span", maxsize=16)
def reason_span(ds: Dataset, p: Params) -> tuple[dt.date | None, dt.date | None]:
    """First and last churned_at of the reason rows on or before T in scope (None, None without rows)."""
    row = engine(ds).run("reasons_span", _params(p, None, None)).row(0)
    return row[0], row[1]


def has_reasons_table(ds: Dataset) -> bool:
    return bool(engine(ds).meta.get("optional", {}).get("churn_reasons"))
