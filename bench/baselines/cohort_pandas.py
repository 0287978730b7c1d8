"""Baseline (a): the active cohort matrix in pandas, as a tutorial writes it.

    python bench/baselines/cohort_pandas.py DATA_DIR

Cohort = month of the customer's first activity order (amount >= 0 or missing); k = months since; cell =
distinct customers with an activity order in that month. Prints the matrix size.
"""

import sys
from pathlib import Path

import pandas as pd

data = Path(sys.argv[1])
orders = pd.read_parquet(data / "orders")

# refunds (negative amounts) are not activity
orders = orders[orders["amount"].isna() | (orders["amount"] >= 0)]

orders["order_month"] = orders["ordered_at"].dt.tz_localize(None).dt.to_period("M")
orders["cohort"] = orders.groupby("customer_id")["order_month"].transform("min")
orders["k"] = (orders["order_month"].dt.year - orders["cohort"].dt.year) * 12 + (
    orders["order_month"].dt.month - orders["cohort"].dt.month
)

matrix = orders.groupby(["cohort", "k"])["customer_id"].nunique().unstack(fill_value=0)
print(f"pandas: {matrix.shape[0]} cohorts x {matrix.shape[1]} months, {int((matrix > 0).sum().sum())} cells")
