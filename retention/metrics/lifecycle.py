"""Shaping of lifecycle results for the page: shares, the full migration matrix, the default "from" date."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention import periods
from retention.queries.lifecycle import NOT_YET, STATUSES


def with_shares(counts: pl.DataFrame) -> pl.DataFrame:
    """Add `share` (customers / all customers with a status; null when there are none) to status counts."""
    total = counts["customers"].sum()
    return counts.with_columns((pl.col("customers") / total if total else pl.lit(None, pl.Float64)).alias("share"))


def migration_matrix(cells: pl.DataFrame) -> pl.DataFrame:
    """Every (from_status, to_status) pair in rule order (`not_yet` first), zeros included, with `row_share`
    (share of the from-status's customers) and `col_share` (share of the to-status's customers)."""
    grid = pl.DataFrame({"from_status": [NOT_YET, *STATUSES]}).join(
        pl.DataFrame({"to_status": list(STATUSES)}), how="cross"
    )
    full = grid.join(cells, on=["from_status", "to_status"], how="left").with_columns(pl.col("customers").fill_null(0))
    return full.with_columns(
        (pl.col("customers") / pl.col("customers").sum().over("from_status")).fill_nan(None).alias("row_share"),
        (pl.col("customers") / pl.col("customers").sum().over("to_status")).fill_nan(None).alias("col_share"),
    )


def one_period_before(as_of: dt.date, period: str, earliest: dt.date) -> dt.date:
    """The same day one period before `as_of` (the month's last day when it has no such day), not before `earliest`."""
    return max(periods.same_day_before(as_of, period), earliest)


def mix_wide(mix: pl.DataFrame) -> pl.DataFrame:
    """The status mix with one row per period end and one column per status (rule order)."""
    if mix.is_empty():
        return pl.DataFrame(schema={"period": pl.Date, "period_end": pl.Date} | {s: pl.Int64 for s in STATUSES})
    return mix.pivot(on="status", index=["period", "period_end"], values="customers").select(
        "period", "period_end", *STATUSES
    )


def rule_values(p) -> dict:
    """The status rule's settings as the Lifecycle texts name them (window, new_days, alert_factor,
    loyal_min_orders), from the page's Params."""
    return {"window": p.window, "new_days": p.new_days, "alert_factor": f"{p.alert_factor:g}",
            "loyal_min_orders": p.loyal_min_orders}  # fmt: skip


def nobody(counts: pl.DataFrame) -> bool:
    """True when the status counts (column `customers`) hold no customer at all."""
    return counts["customers"].sum() == 0


def of_status(customers: pl.DataFrame, status: str) -> pl.DataFrame:
    """The customers (column `status`) in one status."""
    return customers.filter(status=status)


def status_list_shown(customers: pl.DataFrame) -> pl.DataFrame:
    """One status's customer list as the page draws it: without the `status` column all rows share."""
    return customers.drop("status")
