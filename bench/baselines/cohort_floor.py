"""Baseline (c), the floor: DuckDB counting the distinct (customer, month) pairs of the activity orders, nothing more.

    python bench/baselines/cohort_floor.py DATA_DIR

Any active cohort matrix has to find at least these pairs; the rest (each customer's first month, the
counts per cohort and k) works on far fewer rows.
"""

import sys
from pathlib import Path

import duckdb

data = Path(sys.argv[1])
pairs = duckdb.sql(
    f"""
    select count(*) from (
        select distinct customer_id, date_trunc('month', ordered_at)
        from read_parquet('{data / "orders" / "*.parquet"}')
        where amount is null or amount >= 0
    )
    """
).fetchall()[0][0]
print(f"floor: {pairs} distinct (customer, month) pairs")
