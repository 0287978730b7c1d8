"""Shaping churn-reason results for charts and tables (pure polars, no I/O)."""

from __future__ import annotations

import polars as pl

from retention.queries.reasons import CATEGORIES

# What the comparison chart sets side by side: reason rows per category, then the lapses without a reason.
NO_REASON = "no_reason"


def reason_order(reasons: pl.DataFrame) -> list[str]:
    """Reason codes in Pareto order (the query's order: count descending, then code)."""
    return reasons["reason"].to_list()


def recorded_vs_unexplained(reasons: pl.DataFrame, unexplained_lapses: int) -> pl.DataFrame:
    """`kind` (controllable / uncontrollable / uncategorised / no_reason) and `count`: the reason rows per
    resolved category beside the lapse events that have no reason row within W days."""
    counts = [int(reasons[c].sum()) if not reasons.is_empty() else 0 for c in CATEGORIES]
    return pl.DataFrame(
        {"kind": [*CATEGORIES, NO_REASON], "count": [*counts, int(unexplained_lapses or 0)]},
        schema={"kind": pl.String, "count": pl.Int64},
    )


def shares_within(breakdown: pl.DataFrame) -> pl.DataFrame:
    """Reason counts per key (summed over categories) with `share` of the key's rows and the key's `total`."""
    if breakdown.is_empty():
        return breakdown.select("key", "reason").with_columns(
            pl.lit(0, pl.Int64).alias("count"), pl.lit(0.0).alias("share"), pl.lit(0, pl.Int64).alias("total")
        )
    per_reason = breakdown.group_by("key", "reason").agg(pl.col("count").sum().cast(pl.Int64))
    return (
        per_reason.with_columns(pl.col("count").sum().over("key").alias("total"))
        .with_columns((pl.col("count") / pl.col("total")).alias("share"))
        .select("key", "reason", "count", "share", "total")
        .sort("key", "reason", nulls_last=True)
    )


def unexplained_share(summary: dict) -> float | None:
    """Share of the range's lapse events with no reason recorded (None without lapses)."""
    lapses = summary.get("lapses") or 0
    return summary["unexplained_lapses"] / lapses if lapses else None


def reason_counts_by_key(by_period: pl.DataFrame, reason: str) -> pl.DataFrame:
    """`key, count`: the rows of one reason of a breakdown (columns `reason, key, count`) summed per key, in
    key order."""
    return by_period.filter(pl.col("reason") == reason).group_by("key").agg(pl.col("count").sum()).sort("key")
