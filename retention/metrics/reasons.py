"""Shaping churn-reason results for charts and tables (pure polars, no I/O)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention.queries.reasons import CATEGORIES

# What the comparison chart sets side by side: reason rows per category, then the lapses without a reason.
NO_REASON = "no_reason"


def reason_order(reasons: pl.DataFrame) -> list[str]:
    """Reason codes in Pareto order (the query's order: count descending, then code)."""
    return reasons["reason"].to_list()


def recorded_vs_unexplained(reasons: pl.DataFrame, unexplained_lapses: int) -> pl.DataFrame:
    """`kind` (controllable / uncontrollable / uncategorised / no_reason) and `count`: the reason rows per
    resolved category beside the lapse events that have no reason row within W days."""
    counts = [int(reasons[c].sum()) if not reasons.is_empty() else 0 for c in CATEGORIES]
    return pl.DataFrame(
        {"kind": [*CATEGORIES, NO_REASON], "count": [*counts, int(unexplained_lapses or 0)]},
        schema={"kind": pl.String, "count": pl.Int64},
    )


def shares_within(breakdown: pl.DataFrame) -> pl.DataFrame:
    """Reason counts per key (summed over categories) with `share` of the key's rows and the key's `total`."""
    if breakdown.is_empty():
        return breakdown.select("key", "reason").with_columns(
            pl.lit(0, pl.Int64).alias("count"), pl.lit(0.0).alias("share"), pl.lit(0, pl.Int64).alias("total")
        )
    per_reason = breakdown.group_by("key", "reason").agg(pl.col("count").sum().cast(pl.Int64))
    return (
        per_reason.with_columns(pl.col("count").sum().over("key").alias("total"))
        .with_columns((pl.col("count") / pl.col("total")).alias("share"))
        .select("key", "reason", "count", "share", "total")
        .sort("key", "reason", nulls_last=True)
    )


def unexplained_share(summary: dict) -> float | None:
    """Share of the range's lapse events with no reason recorded (None without lapses)."""
    lapses = summary.get("lapses") or 0
    return summary["unexplained_lapses"] / lapses if lapses else None


def reason_counts_by_key(by_period: pl.DataFrame, reason: str) -> pl.DataFrame:
    """`key, count`: the rows of one reason of a breakdown (columns `reason, key, count`) summed per key, in
    key order."""
    return by_period.filter(pl.col("reason") == reason).group_by("key").agg(pl.col("count").sum()).sort("key")


def earliest(*days: dt.date | None) -> dt.date:
    """The earliest of the days given that are known (the first reason row, the first order day)."""
    return min(d for d in days if d is not None)


def lost_total(reasons: pl.DataFrame) -> float:
    """The revenue lost over all reasons (column `lost_revenue`)."""
    return reasons["lost_revenue"].sum()


def group_keys(shares: pl.DataFrame) -> list:
    """The groups of a composition (column `key`: segment values or cohorts) in order, a missing one last."""
    return sorted(shares["key"].unique().to_list(), key=lambda k: (k is None, k))


def summary_tiles(summary: dict, reasons: pl.DataFrame, window: int, money) -> list[tuple]:
    """The page's four tiles as (label, value, help or st.metric arguments): reason rows, the controllable
    share, lapses without a reason (of all lapses), the revenue lost."""
    from retention import i18n
    from retention.i18n import t

    share = i18n.fmt_pct(unexplained_share(summary))
    unexplained = {"help": t("reasons.tile_unexplained_help", window=window), "delta_color": "off",
                   "delta": t("reasons.tile_unexplained_of", share=share, lapses=i18n.fmt_int(summary["lapses"])),
                   "delta_arrow": "off"}  # fmt: skip
    return [
        (t("reasons.tile_rows"), i18n.fmt_int(summary["rows"]), t("reasons.tile_rows_help")),
        (t("reasons.tile_controllable"), i18n.fmt_pct(summary["controllable_share"]), t("reasons.tile_controllable_help")),
        (t("reasons.no_reason"), i18n.fmt_int(summary["unexplained_lapses"]), unexplained),
        (t("reasons.lost_revenue"), money(lost_total(reasons)), t("reasons.lost_help")),
    ]  # fmt: skip
