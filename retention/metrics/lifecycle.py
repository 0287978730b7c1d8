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
