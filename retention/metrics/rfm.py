"""Shaping the RFM table for the Customer value page: the R x F grid, segment and tier summaries, the
default migration dates, the table filter (pure polars, no I/O)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention import codes, periods
from retention.queries.rfm import SEGMENTS, TIERS

SCORES = codes.SCORES


def rf_grid(rfm: pl.DataFrame) -> pl.DataFrame:
    """All 25 (r, f) cells: `r`, `f`, `customers`, `revenue` (sum of monetary), `segment` (zeros included)."""
    cells = pl.DataFrame({"r": [r for r in SCORES for _ in SCORES], "f": [f for _ in SCORES for f in SCORES]})
    cells = cells.with_columns(pl.col("r", "f").cast(pl.Int32))
    counts = rfm.group_by("r", "f").agg(
        pl.len().cast(pl.Int64).alias("customers"), pl.col("monetary").sum().alias("revenue")
    )
    return (
        cells.join(counts, on=["r", "f"], how="left", maintain_order="left")
        .with_columns(pl.col("customers").fill_null(0), pl.col("revenue").fill_null(0.0))
        # the segment of each cell by the one rule (codes.segment_of), cells in the same r-major order
        .with_columns(pl.Series("segment", codes.RF_SEGMENTS, dtype=pl.String))
    )


def _summary(rfm: pl.DataFrame, column: str, codes: tuple[str, ...]) -> pl.DataFrame:
    total_customers = rfm.height
    total_revenue = float(rfm["monetary"].sum()) if rfm.height else 0.0
    sums = rfm.group_by(column).agg(
        pl.len().cast(pl.Int64).alias("customers"), pl.col("monetary").sum().alias("revenue")
    )
    frame = pl.DataFrame({column: list(codes)}).join(sums, on=column, how="left", maintain_order="left")
    return frame.with_columns(pl.col("customers").fill_null(0), pl.col("revenue").fill_null(0.0)).with_columns(
        (pl.col("customers") / total_customers if total_customers else pl.lit(None, pl.Float64)).alias(
            "customer_share"
        ),
        # Revenue can sum to 0 or less with refunds: no share then (a ratio with a zero denominator is null).
        (pl.col("revenue") / total_revenue if total_revenue > 0 else pl.lit(None, pl.Float64)).alias("revenue_share"),
    )


def segment_summary(rfm: pl.DataFrame) -> pl.DataFrame:
    """Per segment (all six, in rule order): `segment`, `customers`, `revenue`, `customer_share`, `revenue_share`."""
    return _summary(rfm, "segment", SEGMENTS)


def tier_summary(rfm: pl.DataFrame) -> pl.DataFrame:
    """Per value tier (high, mid, low): `tier`, `customers`, `revenue`, `customer_share`, `revenue_share`."""
    return _summary(rfm, "tier", TIERS)


def period_before(day: dt.date, period: str) -> dt.date:
    """The same day one period earlier (a week, a month, a quarter; month ends clamp: 31 May -> 30 Apr)."""
    return periods.same_day_before(day, period)


def filter_table(rfm: pl.DataFrame, segments: list[str], tiers: list[str]) -> pl.DataFrame:
    """Rows whose segment is one of `segments` and tier one of `tiers` (an empty choice keeps all)."""
    out = rfm
    if segments:
        out = out.filter(pl.col("segment").is_in(segments))
    if tiers:
        out = out.filter(pl.col("tier").is_in(tiers))
    return out


def default_dates(as_of: dt.date, period: str, first_day: dt.date) -> tuple[dt.date, dt.date]:
    """The page's default migration dates: one period before T (not before the first order day), and T."""
    return max(first_day, period_before(as_of, period)), as_of


def with_labels(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Code columns replaced by their display names ({column: code kind}, e.g. {"segment": "segment"})."""
    from retention import i18n

    return frame.with_columns(
        pl.col(col).replace({c: i18n.label(kind, c) for c in frame[col].unique().drop_nulls().to_list()})
        for col, kind in columns.items()
    )


def table_shown(rfm: pl.DataFrame, n: int) -> pl.DataFrame:
    """The customer table as the page draws it: the `n` highest spenders (then by id), codes as labels."""
    top = rfm.sort("monetary", "customer_id", descending=[True, False]).head(n)
    return with_labels(top, {"segment": "segment", "tier": "tier"})


def tiers_sentence(tiers: pl.DataFrame, with_profit: bool) -> str:
    """The 80/20 sentence under the tier chart: the high tier's share of customers and of revenue (and of
    profit); reads the first row of `tiers` (columns `customer_share, revenue_share[, profit_share]`)."""
    from retention import i18n
    from retention.i18n import t

    high = tiers.row(0, named=True)
    share = {k: i18n.fmt_pct(high[f"{k}_share"], 0) for k in ("customer", "revenue")}
    profit_line = t("winback.tiers_profit", profit=i18n.fmt_pct(high["profit_share"], 0)) if with_profit else ""
    return t("rfm.tiers_sentence", customers=share["customer"], revenue=share["revenue"]) + profit_line
