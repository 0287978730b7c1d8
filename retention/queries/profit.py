"""Profit and acquisition cost (METRICS.md "Profit and acquisition cost"): whether profit is a figure of its
own, the KPI report with profit and replacement cost, and what points of retention are worth."""

from __future__ import annotations

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query
from retention.queries.kpis import KPI_COLUMNS, kpi_table

KPI_REPORT_COLUMNS = [*KPI_COLUMNS, "profit", "replacement_cost"]
RETENTION_VALUE_COLUMNS = [
    "points", "extra_customers", "value_per_active_customer", "extra_revenue", "extra_profit",
    "share_of_annual_revenue",
]  # fmt: skip


def has_cost(ds: Dataset) -> bool:
    """Whether the orders table has a `cost` column."""
    return bool(engine(ds).meta.get("has_cost"))


def shows_profit(ds: Dataset, p: Params) -> bool:
    """Profit is shown beside revenue only when a margin below 1 or a cost column makes it differ from
    revenue: without either, a profit figure would only be revenue under another name."""
    return p.margin != 1 or has_cost(ds)


@query("kpis_profit", maxsize=64)
def profit_kpis(ds: Dataset, p: Params) -> pl.DataFrame:
    """`period`, `profit` (the sum of the period's rows' profit), for the periods of kpi_table."""
    return engine(ds).run("kpis_profit", p.sql())


@query("kpis", "kpis_revenue", "kpis_profit", maxsize=64, uses=("acquisition_cost",), columns=KPI_REPORT_COLUMNS)
def kpi_report(ds: Dataset, p: Params) -> pl.DataFrame:
    """The kpis report of CLI.md: kpi_table's columns, then `profit` and `replacement_cost` = lapses *
    acquisition_cost (null when no acquisition cost is set)."""
    base = kpi_table(ds, p)
    profit = profit_kpis(ds, p)
    cost = p.acquisition_cost
    return (
        base.join(profit, on="period", how="left", maintain_order="left")
        .with_columns(
            (pl.col("lapses") * cost if cost is not None else pl.lit(None, dtype=pl.Float64))
            .cast(pl.Float64)
            .alias("replacement_cost")
        )
        .select(KPI_REPORT_COLUMNS)
    )


@query("retention_value", maxsize=64)
def active_value(ds: Dataset, p: Params) -> dict:
    """Facts at T behind the retention value: `active_customers` (active at T), `active_revenue` and
    `active_profit` (their rows with T - 365 < order_date <= T), `annual_revenue` (every row in scope in
    that range)."""
    return engine(ds).run("retention_value", p.sql()).row(0, named=True)


def retention_value(ds: Dataset, p: Params, points: tuple[int | float, ...] = (5,)) -> pl.DataFrame:
    """The `retention-value` report: one row per number of points X (METRICS.md "Retention value"):
    `extra_customers` = active_start of the last complete period * X / 100, `value_per_active_customer`,
    `extra_revenue`, `extra_profit`, `share_of_annual_revenue`; every figure null without a complete period."""
    kpis = kpi_table(ds, p)
    complete = kpis.filter(pl.col("complete"))
    facts = active_value(ds, p)
    n_active = facts["active_customers"]
    per_customer = facts["active_revenue"] / n_active if n_active else None
    profit_per_customer = facts["active_profit"] / n_active if n_active else None
    annual = facts["annual_revenue"]
    rows = []
    for x in points:
        if complete.is_empty():
            rows.append((x, None, None, None, None, None))
            continue
        extra = complete["active_start"][-1] * x / 100
        revenue = extra * per_customer if per_customer is not None else None
        profit = extra * profit_per_customer if profit_per_customer is not None else None
        share = revenue / annual if revenue is not None and annual else None
        rows.append((x, extra, per_customer, revenue, profit, share))
    schema = {"points": pl.Float64 if any(isinstance(x, float) for x in points) else pl.Int64} | {
        c: pl.Float64 for c in RETENTION_VALUE_COLUMNS[1:]
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


@query("cohort_profit", maxsize=64)
def cohort_profit(ds: Dataset, p: Params) -> pl.DataFrame:
    """`cohort`, `k`, `profit`: the profit of the cohort's rows in period cohort+k (cells with rows only)."""
    return engine(ds).run("cohort_profit", p.sql())


@query("customer_profit", maxsize=32)
def customer_profit(ds: Dataset, p: Params) -> pl.DataFrame:
    """`customer_id`, `profit` (all rows on or before T) of the customers in scope with a purchase day by T."""
    return engine(ds).run("customer_profit", p.sql())


def segment_curves(ds: Dataset, p: Params, attribute: str, metric: str) -> dict[str, pl.DataFrame]:
    """The size-weighted curve of a cohort metric (revenue and profit ones included) per value of an attribute."""
    from retention.metrics.cohorts import PROFIT_METRICS, weighted_curve, with_cohort_rates
    from retention.metrics.profit import with_cohort_profit
    from retention.queries.cohorts import segment_cohort_tables

    out = {}
    for value, table in segment_cohort_tables(ds, p, attribute).items():
        table = with_cohort_rates(table)
        if metric in PROFIT_METRICS:
            q = p.with_(filters=tuple(sorted((*(f for f in p.filters if f[0] != attribute), (attribute, (value,))))))
            table = with_cohort_profit(table, cohort_profit(ds, q))
        out[value] = weighted_curve(table, metric)
    return out
