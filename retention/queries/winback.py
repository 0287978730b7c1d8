"""Who to win back and who is slowing down (METRICS.md "Win-back list and slowing customers")."""

from __future__ import annotations

import polars as pl

from retention.db import Dataset, engine
from retention.errors import InputError
from retention.params import Params, attributes
from retention.queries.cached import query
from retention.queries.common import with_attributes

WINBACK_COLUMNS = [
    "customer_id", "days_silent", "last_purchase", "frequency", "lifetime_revenue", "revenue_last_year",
    "was_loyal", "p_alive", "last_contacted_at", "last_campaign", "recently_contacted", "last_reason",
]  # fmt: skip
SLOWING_COLUMNS = [
    "customer_id", "status", "baseline_days", "recent_days", "expected_days", "baseline_spend", "recent_spend",
    "expected_spend", "trigger",
]  # fmt: skip
TRIGGERS = ("frequency", "spend", "both")


def p_alive(ds: Dataset, p: Params) -> pl.DataFrame | None:
    """`customer_id`, `p_alive` from the predictions (METRICS.md "Predictions": the BG/NBD model fitted on the
    customers in scope); None when no model can be fitted (too few repeat customers: InputError)."""
    from retention.queries.predict import p_alive_table

    try:
        return p_alive_table(ds, p).select("customer_id", "p_alive")
    except InputError:
        return None


@query(
    "winback", "predict_summary", maxsize=32, uses=("horizon",), columns=[*WINBACK_COLUMNS, "attr_names", "attr_values"]
)
def winback_facts(ds: Dataset, p: Params) -> pl.DataFrame:
    """The customers lost at T, sorted by revenue_last_year descending, then customer_id: WINBACK_COLUMNS
    (p_alive null when no model can be fitted) plus `attr_names`, `attr_values` (the segment attributes)."""
    facts = engine(ds).run("winback", p.sql()).drop("sort_key")
    alive = p_alive(ds, p) if not facts.is_empty() else None
    if alive is None:
        facts = facts.with_columns(pl.lit(None, dtype=pl.Float64).alias("p_alive"))
    else:
        facts = facts.join(alive, on="customer_id", how="left", maintain_order="left")
    return facts.select(*WINBACK_COLUMNS, "attr_names", "attr_values")


def winback_list(ds: Dataset, p: Params, exclude_recent: bool = False, limit: int | None = None) -> pl.DataFrame:
    """The `winback` report: WINBACK_COLUMNS then one text column per customer attribute; without the recently
    contacted with `exclude_recent`; the first `limit` rows when given."""
    facts = winback_facts(ds, p)
    if exclude_recent:
        facts = facts.filter(~pl.col("recently_contacted"))
    if limit is not None:
        facts = facts.head(limit)
    return with_attributes(facts, WINBACK_COLUMNS, attributes(ds))


@query("slowing", maxsize=32, columns=[*SLOWING_COLUMNS, "attr_names", "attr_values"])
def slowing_facts(ds: Dataset, p: Params) -> pl.DataFrame:
    """The slowing customers, sorted by baseline_spend descending, then customer_id: SLOWING_COLUMNS plus
    `attr_names`, `attr_values`."""
    return engine(ds).run("slowing", p.sql()).drop("sort_key")


def slowing_list(ds: Dataset, p: Params, limit: int | None = None) -> pl.DataFrame:
    """The `slowing` report: SLOWING_COLUMNS then one text column per customer attribute; `limit` rows at most."""
    facts = slowing_facts(ds, p)
    if limit is not None:
        facts = facts.head(limit)
    return with_attributes(facts, SLOWING_COLUMNS, attributes(ds))
