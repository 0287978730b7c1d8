"""Lifecycle statuses as of a date, status migrations between two dates and the status mix over time
(METRICS.md "Status as of T" and "Migrations")."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention import codes
from retention.db import Dataset, engine
from retention.params import Params, check_range
from retention.queries.cached import query

# Rule order of METRICS.md (first matching rule wins, retention/codes.py); `not_yet` only appears as a migration origin.
STATUSES = codes.STATUSES
NOT_YET = codes.NOT_YET
CUSTOMER_COLUMNS = [
    "customer_id", "status", "recency", "frequency", "expected_gap", "first_day", "last_day",
    "last_reactivation", "window_days",
]  # fmt: skip


@query("lifecycle_status", maxsize=32)
def customer_statuses(ds: Dataset, p: Params) -> pl.DataFrame:
    """One row per customer known at T (a purchase day on or before T, or a customers row that exists at T),
    sorted by customer_id: `customer_id` (text), `status`, `recency` (days since the last purchase day; null
    for prospects), `frequency` (purchase days on or before T), `expected_gap` (median gap in days; null with
    fewer than 2 purchase days), `first_day`, `last_day`, `last_reactivation` (latest purchase day after a
    gap longer than the window, or null), `window_days` (the customer's own W)."""
    return engine(ds).run("lifecycle_status", p.sql()).select(CUSTOMER_COLUMNS)


@query("lifecycle_status_counts", maxsize=64)
def status_counts(ds: Dataset, p: Params) -> pl.DataFrame:
    """Customers per status at T: `status`, `customers`; all seven statuses in rule order, zeros included."""
    return engine(ds).run("lifecycle_status_counts", p.sql()).select("status", "customers")


@query("lifecycle_migrations", maxsize=64)
def migrations(ds: Dataset, p: Params, date_from: dt.date, date_to: dt.date) -> pl.DataFrame:
    """Cells (status at date_from, status at date_to) with customers > 0: `from_status` (a status or
    'not_yet'), `to_status`, `customers`; every customer known at date_to counts once. Both dates must be
    on or before T and date_from on or before date_to (InputError otherwise)."""
    check_range(p, date_from, date_to)
    params = p.sql() | {"date_from": date_from, "date_to": date_to}
    return engine(ds).run("lifecycle_migrations", params).select("from_status", "to_status", "customers")


@query("lifecycle_mix", maxsize=32)
def status_mix(ds: Dataset, p: Params) -> pl.DataFrame:
    """Customers per status at the end of every period (T for the period holding T), from the period holding
    the earliest order_date in scope: `period` (first day), `period_end`, `complete`, `status`, `customers`;
    seven rows per period in rule order, zeros included."""
    return engine(ds).run("lifecycle_mix", p.sql()).select("period", "period_end", "complete", "status", "customers")
