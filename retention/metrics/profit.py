"""Profit beside revenue in the cohort table and the value tiers (pure polars, no I/O)."""

from __future__ import annotations

import polars as pl


def with_cohort_profit(cohorts: pl.DataFrame, profit: pl.DataFrame) -> pl.DataFrame:
    """The cohort table with `profit`, `profit_per_customer` and `cumulative_profit_per_customer` (0 for a cell
    without rows), the profit twins of the revenue columns."""
    out = cohorts.join(profit, on=["cohort", "k"], how="left", maintain_order="left").with_columns(
        pl.col("profit").fill_null(0.0)
    )
    return out.with_columns((pl.col("profit") / pl.col("cohort_size")).alias("profit_per_customer")).with_columns(
        pl.col("profit_per_customer").cum_sum().over("cohort", order_by="k").alias("cumulative_profit_per_customer")
    )


def with_tier_profit(tiers: pl.DataFrame, rfm: pl.DataFrame, profit: pl.DataFrame) -> pl.DataFrame:
    """The tier summary with `profit` (sum of the tier's customers' profit) and `profit_share` (of all; null
    when the total is 0 or less)."""
    sums = rfm.select("customer_id", "tier").join(profit, on="customer_id", how="left").group_by("tier").agg(
        pl.col("profit").sum()
    )
    out = tiers.join(sums, on="tier", how="left", maintain_order="left").with_columns(pl.col("profit").fill_null(0.0))
    total = float(out["profit"].sum()) if out.height else 0.0
    return out.with_columns(
        (pl.col("profit") / total if total > 0 else pl.lit(None, pl.Float64)).alias("profit_share")
    )
