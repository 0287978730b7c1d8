"""Shaping of the KPI table for the executive page: the headline period and its comparisons, tile deltas,
the waterfall of active customers and the breakdown by segment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

# (KPI column, kind, direction): kind count / rate / money / share; direction +1 when up is good, -1 when up
# is bad, 0 when neither (a higher top-20% share means more revenue rides on fewer customers, not a win).
TILES = (
    ("active_end", "count", 1),
    ("retention_rate", "rate", 1),
    ("churn_rate", "rate", -1),
    ("new", "count", 1),
    ("reactivations", "count", 1),
    ("lapses", "count", -1),
    ("repeat_rate", "rate", 1),
    ("revenue", "money", 1),
    ("aov", "money", 1),
    ("returning_revenue_share", "rate", 1),
    ("top20_revenue_share", "rate", 0),
)
# Shown after TILES when profit differs from revenue (a margin below 1 or a cost column).
PROFIT_TILES = (("profit", "money", 1),)
# Most telling first: a narrow table shows the first columns without scrolling.
BREAKDOWN_COLUMNS = [
    "active_end", "churn_rate", "new", "lapses", "revenue", "reactivations", "active_start", "repeat_rate", "aov",
]  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """The period the page reports on and the two it is compared with (None when outside the data)."""

    current: dict
    previous: dict | None
    year_ago: dict | None


def year_earlier(start: dt.date, period: str) -> dt.date:
    """First day of the same period a year earlier: 52 weeks back for weeks (same weekday), else 12 months."""
    if period == "week":
        return start - dt.timedelta(weeks=52)
    return start.replace(year=start.year - 1)


def headline(kpis: pl.DataFrame, period: str) -> Headline | None:
    """The last complete period (the current one when none is complete yet), the one before, a year earlier."""
    if kpis.is_empty():
        return None
    complete = kpis.filter(pl.col("complete"))
    current = (complete if not complete.is_empty() else kpis).row(-1, named=True)
    by_start = {r["period"]: r for r in kpis.iter_rows(named=True)}
    earlier = [r for r in kpis.iter_rows(named=True) if r["period"] < current["period"]]
    return Headline(
        current=current,
        previous=earlier[-1] if earlier else None,
        year_ago=by_start.get(year_earlier(current["period"], period)),
    )


def delta(current: float | None, reference: float | None, kind: str) -> float | None:
    """Change against a reference: points of difference for rates, relative change for counts and money
    (None when either side is missing, or for a relative change from 0)."""
    if current is None or reference is None:
        return None
    if kind == "rate":
        return current - reference
    if reference == 0:
        return None
    return current / reference - 1


def tone(change: float | None, direction: int) -> str:
    """good / bad / neutral for a change, given whether up is good (+1), bad (-1) or neither (0)."""
    if change is None or change == 0 or direction == 0:
        return "neutral"
    return "good" if (change > 0) == (direction > 0) else "bad"


def waterfall_steps(row: dict) -> list[tuple[str, int]]:
    """(step, value) of the active-customer bridge: start, +new, +reactivated, -lapsed, = end."""
    return [
        ("start", row["active_start"]),
        ("new", row["new"]),
        ("reactivations", row["reactivations"]),
        ("lapses", -row["lapses"]),
        ("end", row["active_end"]),
    ]


def breakdown(by_segment: pl.DataFrame, period: dt.date) -> pl.DataFrame:
    """One row per segment value for one period: `segment` and BREAKDOWN_COLUMNS (zeros for a value
    with no row in that period)."""
    rows = by_segment.filter(pl.col("period") == period).select("segment", *BREAKDOWN_COLUMNS)
    missing = sorted(set(by_segment["segment"].unique().to_list()) - set(rows["segment"].to_list()))
    if missing:
        zeros = pl.DataFrame({"segment": missing}).with_columns(
            *[
                pl.lit(0, rows.schema[c]).alias(c)
                for c in ("active_start", "active_end", "new", "reactivations", "lapses")
            ],
            *[pl.lit(None, rows.schema[c]).alias(c) for c in ("churn_rate", "repeat_rate", "aov")],
            pl.lit(0, rows.schema["revenue"]).alias("revenue"),
        )
        rows = pl.concat([rows, zeros.select(rows.columns)])
    return rows.sort("active_end", "segment", descending=[True, False])


def breakdown_shown(table: pl.DataFrame) -> pl.DataFrame:
    """The segment breakdown as the page draws it: the `_rate` columns of BREAKDOWN_COLUMNS in percent."""
    return table.with_columns(pl.col([c for c in BREAKDOWN_COLUMNS if c.endswith("_rate")]) * 100)


def kpi_table_shown(kpis: pl.DataFrame, with_profit: bool, with_replacement: bool) -> pl.DataFrame:
    """The KPI table without the `profit` column (when profit is not shown) and without `replacement_cost`
    (when no acquisition cost is set)."""
    hidden = [c for c, shown in (("profit", with_profit), ("replacement_cost", with_replacement)) if not shown]
    return kpis.drop(hidden)


def headline_text(head: Headline, period: str) -> tuple[str, str]:
    """The current period's label and the headline sentence naming it, the one before and a year earlier
    (or saying the current period is not complete yet)."""
    from retention import i18n
    from retention.i18n import t

    current = i18n.fmt_period(head.current["period"], period)
    previous = i18n.fmt_period(head.previous["period"], period) if head.previous else t("kpis.no_previous")
    year_ago = i18n.fmt_period(head.year_ago["period"], period) if head.year_ago else t("kpis.no_year_ago")
    if head.current["complete"]:
        return current, t("kpis.headline", current=current, previous=previous, year_ago=year_ago)
    return current, t(
        "kpis.headline_incomplete", current=current, previous=previous, period=t("sidebar.period_" + period)
    )
