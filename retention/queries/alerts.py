"""The early-warning list (METRICS.md "Early-warning list"): who is silent for longer than usual, by revenue."""

from __future__ import annotations

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params, attributes
from retention.queries.cached import query
from retention.queries.common import with_attributes

ALERT_COLUMNS = [
    "customer_id", "status", "days_silent", "expected_gap", "overdue_ratio", "frequency", "revenue_365d",
]  # fmt: skip


@query("alerts", maxsize=32, columns=[*ALERT_COLUMNS, "attr_names", "attr_values"])
def customer_facts(ds: Dataset, p: Params, statuses: tuple[str, ...]) -> pl.DataFrame:
    """Customers whose status at T is one of `statuses`, sorted by revenue_365d descending, then customer_id:
    ALERT_COLUMNS plus `attr_names`, `attr_values` (lists: the customer's segment attributes as text).

    The status is computed in alerts.sql by the rules of METRICS.md "Status as of T"; swap this function's
    SQL for the shared status query once there is one, keeping the output columns.
    """
    return engine(ds).run("alerts", p.sql() | {"statuses": list(statuses)}).drop("revenue_key")


def alert_list(ds: Dataset, p: Params, include_at_risk: bool = False, limit: int | None = None) -> pl.DataFrame:
    """Customers on `alert` (and `at_risk` with include_at_risk) at T: ALERT_COLUMNS, then one text column per
    customer attribute (schema order; null without a value), sorted by `revenue_365d` descending, then
    `customer_id` ascending; the first `limit` rows when given."""
    statuses = ("alert", "at_risk") if include_at_risk else ("alert",)
    facts = customer_facts(ds, p, statuses)
    if limit is not None:
        facts = facts.head(limit)
    return with_attributes(facts, ALERT_COLUMNS, attributes(ds))


def new_alert_list(
    ds: Dataset, p: Params, since, include_at_risk: bool = False, limit: int | None = None
) -> pl.DataFrame:
    """The early-warning list at T without the customers on the same list (same window, options and filters)
    recomputed as of `since` (METRICS.md "Who is behind a number"): the columns and order of alert_list, the
    first `limit` rows of what is left when given."""
    statuses = ("alert", "at_risk") if include_at_risk else ("alert",)
    facts = customer_facts(ds, p, statuses)
    before = customer_facts(ds, p.with_(as_of=since), statuses).select("customer_id")
    facts = facts.join(before, on="customer_id", how="anti", maintain_order="left")
    if limit is not None:
        facts = facts.head(limit)
    return with_attributes(facts, ALERT_COLUMNS, attributes(ds))
