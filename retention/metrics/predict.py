"""Shaping predictions for the pages (pure polars, no I/O): the holdout check's totals, the P(alive)
distribution, predicted value by RFM segment, the top customers, and the two prediction columns joined
onto other per-customer tables."""

from __future__ import annotations

import polars as pl

from retention import codes
from retention.queries.rfm import SEGMENTS

P_ALIVE_BINS = 10
JOINED = ("p_alive", "predicted_value")


def check_totals(check: pl.DataFrame) -> dict:
    """The holdout check summed over its x groups: `customers`, `predicted` (expected purchase days in the
    holdout), `actual` (purchase days that happened), `ratio` = predicted / actual (null when none happened)."""
    customers = int(check["customers"].sum()) if check.height else 0
    predicted = float((check["predicted"] * check["customers"]).sum()) if check.height else 0.0
    actual = float((check["actual"] * check["customers"]).sum()) if check.height else 0.0
    return {"customers": customers, "predicted": predicted, "actual": actual,
            "ratio": predicted / actual if actual else None}  # fmt: skip


def p_alive_distribution(pred: pl.DataFrame) -> pl.DataFrame:
    """Customers per P(alive) band of width 0.1: `low`, `high` (band [low, high), the last one includes 1),
    `customers` (every band, zeros included)."""
    band = (pl.col("p_alive") * P_ALIVE_BINS).floor().clip(0, P_ALIVE_BINS - 1).cast(pl.Int32)
    counts = pred.group_by(band.alias("band")).agg(pl.len().cast(pl.Int64).alias("customers"))
    bands = pl.DataFrame({"band": list(range(P_ALIVE_BINS))}, schema={"band": pl.Int32})
    return (
        bands.join(counts, on="band", how="left", maintain_order="left")
        .with_columns(
            low=pl.col("band") / P_ALIVE_BINS,
            high=(pl.col("band") + 1) / P_ALIVE_BINS,
            customers=pl.col("customers").fill_null(0),
        )  # fmt: skip
        .select("low", "high", "customers")
    )


def value_by_segment(pred: pl.DataFrame, rfm: pl.DataFrame) -> pl.DataFrame:
    """Per RFM segment (METRICS.md order, segments without customers left out): `segment`, `customers`,
    `predicted_value` (sum), `value_per_customer`, `mean_p_alive`, `value_share` (of all predicted value)."""
    joined = pred.join(rfm.select("customer_id", "segment"), on="customer_id", how="inner")
    total = float(joined["predicted_value"].sum()) if joined.height else 0.0
    summary = (
        joined.group_by("segment")
        .agg(
            customers=pl.len().cast(pl.Int64),
            predicted_value=pl.col("predicted_value").sum(),
            mean_p_alive=pl.col("p_alive").mean(),
        )
        .with_columns(
            value_per_customer=pl.col("predicted_value") / pl.col("customers"),
            value_share=pl.col("predicted_value") / total if total else pl.lit(None, dtype=pl.Float64),
        )
        .select("segment", "customers", "predicted_value", "value_per_customer", "mean_p_alive", "value_share")
    )
    return codes.in_order(summary, "segment", SEGMENTS)


def top_customers(pred: pl.DataFrame, n: int) -> pl.DataFrame:
    """The n customers with the most predicted value (predictions are sorted so already)."""
    return pred.head(n)


def with_predictions(table: pl.DataFrame, pred: pl.DataFrame | None) -> pl.DataFrame:
    """`table` (one row per customer, `customer_id`) with `p_alive` and `predicted_value` appended, its row
    order kept; unchanged when there are no predictions (the models cannot serve the data)."""
    if pred is None:
        return table
    return table.join(pred.select("customer_id", *JOINED), on="customer_id", how="left", maintain_order="left")


def explain(why) -> str:
    """A ModelError in the page's language, with its numbers and what is needed."""
    from retention import i18n

    values = {k: (i18n.fmt_num(v, 2) if isinstance(v, float) else i18n.fmt_int(v)) for k, v in why.values.items()}
    return i18n.t("predict.why_" + why.reason, **values)


def prediction_totals(pred: pl.DataFrame) -> dict:
    """`customers`, `likely_alive` (P(alive) >= 0.5), `expected_purchases`, `predicted_value`, `predicted_profit`
    (sums over the horizon)."""
    return {
        "customers": pred.height,
        "likely_alive": int((pred["p_alive"] >= 0.5).sum()),
        "expected_purchases": float(pred["expected_purchases"].sum()),
        "predicted_value": float(pred["predicted_value"].sum()),
        "predicted_profit": float(pred["predicted_profit"].sum()),
    }


def verdict(totals: dict) -> str:
    """`close` when the prediction is within 15% of what happened, `high` above, `low` below, `none` when
    nothing happened."""
    ratio = totals["ratio"]
    if ratio is None:
        return "none"
    return "close" if abs(ratio - 1) <= 0.15 else ("high" if ratio > 1 else "low")
