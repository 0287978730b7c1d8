"""Shaping one customer's order days for the profile timeline: each purchase day's return window and outcome."""

from __future__ import annotations

import datetime as dt

import polars as pl

OUTCOMES = ("returned", "lapsed", "open")


def return_windows(days: pl.DataFrame, window: int, as_of: dt.date) -> pl.DataFrame:
    """Purchase days (n_act > 0) with their expected return window day .. day + window: `order_date`, `amount`,
    `window_end`, `next_day` (the next purchase day on or before T, else null), `gap` (days to it) and
    `outcome`: `returned` (next purchase day within the window), `lapsed` (none within it and the window ended
    on or before T), `open` (none yet and the window reaches past T)."""
    buys = days.filter(pl.col("is_purchase")).sort("order_date")
    end = pl.col("order_date") + pl.duration(days=window)
    return (
        buys.select("order_date", "amount")
        .with_columns(window_end=end, next_day=pl.col("order_date").shift(-1))
        .with_columns(gap=(pl.col("next_day") - pl.col("order_date")).dt.total_days())
        .with_columns(
            outcome=pl.when(pl.col("next_day") <= pl.col("window_end"))
            .then(pl.lit("returned"))
            .when(pl.col("window_end") < pl.lit(as_of))
            .then(pl.lit("lapsed"))
            .otherwise(pl.lit("open"))
        )
    )
