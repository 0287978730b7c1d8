"""Small pure polars shaping of query results for charts and tables (no I/O, no streamlit)."""

from __future__ import annotations

import polars as pl

# Cohort metric -> (value column, count column shown on hover or None, is a rate)
COHORT_METRICS = {
    "active": ("active_rate", "active", True),
    "alive": ("alive_rate", "alive", True),
    "revenue_per_customer": ("revenue_per_customer", None, False),
    "cumulative_revenue_per_customer": ("cumulative_revenue_per_customer", None, False),
    # profit twins: offered only when profit differs from revenue (queries.profit.shows_profit)
    "profit_per_customer": ("profit_per_customer", None, False),
    "cumulative_profit_per_customer": ("cumulative_profit_per_customer", None, False),
}
PROFIT_METRICS = ("profit_per_customer", "cumulative_profit_per_customer")


def with_cohort_rates(cohorts: pl.DataFrame) -> pl.DataFrame:
    """Add `active_rate` and `alive_rate` (count / cohort_size) to a cohort table."""
    return cohorts.with_columns(
        (pl.col("active") / pl.col("cohort_size")).alias("active_rate"),
        (pl.col("alive") / pl.col("cohort_size")).alias("alive_rate"),
    )


def weighted_curve(cohorts: pl.DataFrame, metric: str) -> pl.DataFrame:
    """Size-weighted average of a cohort metric per k over complete cells: columns `k`, `value`, `cohorts`.

    For rates and revenue per customer this is the pooled figure (sum of counts or revenue over sum of
    cohort sizes); for the cumulative figure, cumulative revenue weighted by cohort size.
    """
    if cohorts.is_empty():
        return pl.DataFrame(schema={"k": pl.Int32, "value": pl.Float64, "cohorts": pl.UInt32})
    numerators = {
        "active": pl.col("active"),
        "alive": pl.col("alive"),
        "revenue_per_customer": pl.col("revenue"),
        "cumulative_revenue_per_customer": pl.col("cumulative_revenue_per_customer") * pl.col("cohort_size"),
        "profit_per_customer": pl.col("profit"),
        "cumulative_profit_per_customer": pl.col("cumulative_profit_per_customer") * pl.col("cohort_size"),
    }
    return (
        cohorts.filter(pl.col("complete"))
        .group_by("k")
        .agg(
            (numerators[metric].sum() / pl.col("cohort_size").sum()).alias("value"),
            pl.len().alias("cohorts"),
        )
        .sort("k")
    )


def cohort_list(cohorts: pl.DataFrame) -> list:
    """The cohorts of the table in order (the heatmap's rows, the curve picker's options)."""
    return sorted(cohorts["cohort"].unique().to_list())


def cohort_file(cohorts: pl.DataFrame) -> pl.DataFrame:
    """The cohort table's download: without the rate columns the page adds for its charts."""
    return cohorts.drop("active_rate", "alive_rate")
