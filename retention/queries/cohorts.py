"""Cohort tables (METRICS.md "Periods and cohorts")."""

from __future__ import annotations

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query

COHORT_COLUMNS = [
    "cohort", "k", "cohort_size", "active", "alive", "revenue",
    "revenue_per_customer", "cumulative_revenue_per_customer", "complete",
]  # fmt: skip


@query("cohorts", maxsize=64)
def cohort_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """One row per cohort and k: `cohort` (date, first day of the cohort's period), `k`, `cohort_size`,
    `active`, `alive`, `revenue`, `revenue_per_customer`, `cumulative_revenue_per_customer`, `complete`."""
    return engine(ds).run("cohorts", p.sql()).select(COHORT_COLUMNS)


@query("cohorts_active", "cohorts_active_all", maxsize=64)
def active_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """The active cohort table alone (one pass, much cheaper than all metrics): `cohort`, `k`, `cohort_size`,
    `active`, `complete`. Without a segment filter it reads the base rolled up by (first day, day)."""
    return engine(ds).run("cohorts_active_all" if not p.filters else "cohorts_active", p.sql())


METRIC_COLUMNS = {
    "active": ["active"],
    "alive": ["alive"],
    "revenue": ["revenue", "revenue_per_customer", "cumulative_revenue_per_customer"],
}


def cohort_columns(metric: str) -> list[str]:
    """CLI columns for one metric (or all): cohort, k, cohort_size, the metric's columns, complete."""
    if metric == "all":
        return COHORT_COLUMNS
    return ["cohort", "k", "cohort_size", *METRIC_COLUMNS[metric], "complete"]


def segment_cohort_tables(ds: Dataset, p: Params, attribute: str) -> dict[str, pl.DataFrame]:
    """The cohort table of each value of an attribute (the same figure as `--filter attribute=value`)."""
    from retention.queries.common import attribute_values

    values = attribute_values(ds).get(attribute, [])
    others = tuple(f for f in p.filters if f[0] != attribute)
    chosen = dict(p.filters).get(attribute)
    out = {}
    for value in values:
        if chosen and value not in chosen:
            continue
        filters = tuple(sorted((*others, (attribute, (value,)))))
        out[value] = cohort_table(ds, p.with_(filters=filters))
    return out
