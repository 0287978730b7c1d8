"""Shaping the early-warning list for its page: value tier and segment beside each customer, the page's
filters, the tiles, the call list file (pure polars, no I/O)."""

from __future__ import annotations

import polars as pl

from retention.queries.alerts import ALERT_COLUMNS


def with_value(alerts: pl.DataFrame, rfm: pl.DataFrame) -> pl.DataFrame:
    """The list with each customer's RFM `segment` and value `tier` appended (every listed customer has a
    purchase day, so each has both); the list's order is kept."""
    value = rfm.select("customer_id", pl.col("segment").alias("rfm_segment"), pl.col("tier").alias("value_tier"))
    return alerts.join(value, on="customer_id", how="left", maintain_order="left")


def filter_list(
    alerts: pl.DataFrame, attribute: str | None, values: list[str], tiers: list[str], statuses: list[str] | None = None
) -> pl.DataFrame:
    """Rows whose `attribute` is one of `values` and whose value tier is one of `tiers` (an empty choice keeps all);
    customers without a value for the attribute are outside a chosen attribute filter."""
    out = alerts
    if attribute and values and attribute in out.columns:
        out = out.filter(pl.col(attribute).is_in(values))
    if tiers:
        out = out.filter(pl.col("value_tier").is_in(tiers))
    if statuses:
        out = out.filter(pl.col("status").is_in(statuses))
    return out


def tiles(alerts: pl.DataFrame) -> dict:
    """`on_alert` (customers with status alert), `at_risk`, `revenue_at_stake` (their revenue of the last 365
    days, all listed rows), `median_overdue` (median overdue ratio, customers with a usual gap)."""
    return {
        "on_alert": alerts.filter(pl.col("status") == "alert").height,
        "at_risk": alerts.filter(pl.col("status") == "at_risk").height,
        "revenue_at_stake": float(alerts["revenue_365d"].sum()) if alerts.height else 0.0,
        "median_overdue": alerts["overdue_ratio"].drop_nulls().median() if alerts.height else None,
    }


def call_list_columns(alerts: pl.DataFrame) -> list[str]:
    """The call list keeps the CLI's columns, then P(alive) and predicted value when the list has them (in
    view without scrolling the grid sideways), then the attributes, then segment and tier."""
    model = [c for c in ("p_alive", "predicted_value") if c in alerts.columns]
    tail = ["rfm_segment", "value_tier"]
    rest = [c for c in alerts.columns if c not in ALERT_COLUMNS and c not in tail and c not in model]
    return [*ALERT_COLUMNS, *model, *rest, *tail]


def attribute_options(alerts: pl.DataFrame, attribute: str | None) -> list:
    """The values of `attribute` on the list, sorted (none when the list has no such column)."""
    return sorted(alerts[attribute].drop_nulls().unique().to_list()) if attribute in alerts.columns else []


def call_list(alerts: pl.DataFrame) -> pl.DataFrame:
    """The call list as shown and downloaded: the columns of call_list_columns, in that order."""
    return alerts.select(call_list_columns(alerts))


def baseline_total(slow: pl.DataFrame) -> float:
    """The slowing customers' usual spend (column `baseline_spend`), all rows."""
    return slow["baseline_spend"].sum()


def slowing_file(slow: pl.DataFrame, attributes: list[str]) -> pl.DataFrame:
    """The slowing list's download: the CLI's columns, then the attributes."""
    from retention.queries.winback import SLOWING_COLUMNS

    return slow.select(SLOWING_COLUMNS, *attributes)


def call_list_shown(call_list: pl.DataFrame) -> pl.DataFrame:
    """The call list as drawn: status, segment and tier by their labels."""
    from retention.metrics.rfm import with_labels

    return with_labels(call_list, {"status": "status", "rfm_segment": "segment", "value_tier": "tier"})
