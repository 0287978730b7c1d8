"""The Customer value page's summaries of the RFM table, cached and stored like any query (issue 23).

The page's first tab draws three small tables (the R x F grid, the value tiers, the segments) summed over the
per-customer RFM table: at a million customers, reading that table back from the result store and summing
it took about 0.5 s of every first visit. Kept as queries, a first visit reads 25 + 3 + 6 rows instead.
"""

from __future__ import annotations

import polars as pl

from retention.db import Dataset
from retention.metrics import rfm as shape
from retention.params import Params
from retention.queries.cached import query
from retention.queries.profit import customer_profit, shows_profit
from retention.queries.rfm import rfm_table


@query("rfm", maxsize=32, columns=None)
def value_grid(ds: Dataset, p: Params) -> pl.DataFrame:
    """metrics.rfm.rf_grid of rfm_table: the 25 (r, f) cells."""
    return shape.rf_grid(rfm_table(ds, p))


@query("rfm", "customer_profit", maxsize=32, uses=("margin",), columns=None)
def value_tiers(ds: Dataset, p: Params) -> pl.DataFrame:
    """metrics.rfm.tier_summary of rfm_table, with the tiers' profit (metrics.profit.with_tier_profit) when
    the page shows profit (queries.profit.shows_profit)."""
    from retention.metrics.profit import with_tier_profit

    table = rfm_table(ds, p)
    tiers = shape.tier_summary(table)
    return with_tier_profit(tiers, table, customer_profit(ds, p)) if shows_profit(ds, p) else tiers


@query("rfm", maxsize=32, columns=None)
def value_segments(ds: Dataset, p: Params) -> pl.DataFrame:
    """metrics.rfm.segment_summary of rfm_table: the six segments in rule order."""
    return shape.segment_summary(rfm_table(ds, p))
