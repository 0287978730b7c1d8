"""KPIs per period (METRICS.md "KPIs per period"), overall and per value of a segment attribute."""

from __future__ import annotations

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query

KPI_COLUMNS = [
    "period", "complete", "active_start", "active_end", "new", "reactivations", "lapses", "churn_rate",
    "retention_rate", "repeat_rate", "buyers", "orders", "revenue", "aov", "returning_revenue_share",
    "top20_revenue_share",
]  # fmt: skip


@query("kpis", "kpis_revenue", maxsize=64)
def kpi_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """One row per period from the one holding the earliest order_date in scope to the one holding T, empty
    periods included: `period` (first day), `complete`, `active_start`, `active_end`, `new`, `reactivations`,
    `lapses`, `churn_rate`, `retention_rate`, `repeat_rate`, `buyers`, `orders`, `revenue`, `aov`,
    `returning_revenue_share`, `top20_revenue_share` (rates null when their denominator is 0)."""
    flows = engine(ds).run("kpis", p.sql())
    revenue = revenue_kpis(ds, p)
    return flows.join(revenue, on="period", how="left", maintain_order="left").select(KPI_COLUMNS)


@query("kpis_revenue", maxsize=64)
def revenue_kpis(ds: Dataset, p: Params) -> pl.DataFrame:
    """The KPIs that do not depend on the window (`period`, `orders`, `revenue`, `aov`,
    `returning_revenue_share`, `top20_revenue_share`), cached apart so a window change reuses them."""
    return engine(ds).run("kpis_revenue", p.sql())


def segment_kpis(ds: Dataset, p: Params, attribute: str) -> pl.DataFrame:
    """The KPI table of each value of an attribute (the same figures as `--filter attribute=value`), stacked:
    `segment` (the value), then the KPI columns. Values outside an active filter on the attribute are skipped."""
    from retention.queries.common import attribute_values

    values = attribute_values(ds).get(attribute, [])
    others = tuple(f for f in p.filters if f[0] != attribute)
    chosen = dict(p.filters).get(attribute)
    frames = []
    for value in values:
        if chosen and value not in chosen:
            continue
        filters = tuple(sorted((*others, (attribute, (value,)))))
        frames.append(kpi_table(ds, p.with_(filters=filters)).select(pl.lit(value).alias("segment"), pl.all()))
    if not frames:
        return pl.DataFrame(schema={"segment": pl.String} | dict(kpi_table(ds, p).schema))
    return pl.concat(frames)
