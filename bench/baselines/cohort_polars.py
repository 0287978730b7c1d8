"""Baseline (b): the active cohort matrix in polars, written straightforwardly (lazy scan, group_by, n_unique).

    python bench/baselines/cohort_polars.py DATA_DIR

Cohort = month of the customer's first activity order (amount >= 0 or null); k = months since; cell =
distinct customers with an activity order in that month. Prints the matrix size.
"""

import sys
from pathlib import Path

import polars as pl

data = Path(sys.argv[1])
orders = pl.scan_parquet(data / "orders" / "*.parquet")

activity = orders.filter(pl.col("amount").is_null() | (pl.col("amount") >= 0)).with_columns(
    pl.col("ordered_at").dt.truncate("1mo").alias("month")
)
activity = activity.with_columns(pl.col("month").min().over("customer_id").alias("cohort"))
activity = activity.with_columns(
    (
        (pl.col("month").dt.year() - pl.col("cohort").dt.year()) * 12
        + pl.col("month").dt.month()
        - pl.col("cohort").dt.month()
    ).alias("k")
)
matrix = activity.group_by("cohort", "k").agg(pl.col("customer_id").n_unique().alias("customers")).collect()
print(f"polars: {matrix['cohort'].n_unique()} cohorts x {matrix['k'].max() + 1} months, {matrix.height} cells")
