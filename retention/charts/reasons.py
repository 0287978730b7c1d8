"""Churn-reason charts: Pareto, recorded vs unexplained, lost revenue, reasons over time and by group."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from retention import codes, i18n
from retention.charts import PALETTE, memo, money_prefix, style
from retention.i18n import t
from retention.metrics.reasons import NO_REASON, reason_counts_by_key
from retention.queries.reasons import CATEGORIES
from retention.safe import hover_text

CATEGORY_COLORS = codes.CATEGORY.colours
NO_REASON_COLOR = "#475569"
# Fixed colours for the usual codes, so a reason keeps its colour on every chart; other codes cycle.
KNOWN_CODES = (
    "price", "competitor", "quality", "service", "habit_change", "no_longer_needed", "moved_away",
    "staff_left", "broken_promise", "channel",
)  # fmt: skip
EXTRA_COLORS = ["#0f766e", "#a16207", "#7c3aed", "#be123c", "#15803d"]


def reason_color(code: str, index: int = 0) -> str:
    if code == "unknown":
        return "#cbd5e1"
    if code in KNOWN_CODES:
        return PALETTE[KNOWN_CODES.index(code) % len(PALETTE)]
    return EXTRA_COLORS[index % len(EXTRA_COLORS)]


def reason_label(code: str) -> str:
    return hover_text(i18n.label("reason", code))


def category_label(code: str) -> str:
    return t("reasons.no_reason") if code == NO_REASON else hover_text(i18n.label("category", code))


@memo
def pareto(reasons: pl.DataFrame) -> go.Figure:
    """Bars: rows per reason (Pareto order) split by the rows' category; line: cumulative share (right axis).
    Reads `reasons`: reason, count, share, cumulative_share and one count column per category (CATEGORIES)."""
    labels = [reason_label(r) for r in reasons["reason"].to_list()]
    fig = go.Figure()
    for cat in CATEGORIES:
        counts = reasons[cat].to_list()
        fig.add_trace(
            go.Bar(
                x=labels, y=counts, name=category_label(cat), marker_color=CATEGORY_COLORS[cat],
                customdata=[[c, i18n.fmt_int(n)] for c, n in zip(reasons["count"].to_list(), counts, strict=True)],
                hovertemplate=f"<b>%{{x}}</b><br>{category_label(cat)}: %{{customdata[1]}}"
                f" / %{{customdata[0]:,}} {t('reasons.rows_unit')}<extra></extra>",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=labels, y=reasons["cumulative_share"].to_list(), name=t("reasons.cumulative_share"), yaxis="y2",
            mode="lines+markers", line={"color": "#111827", "width": 2}, marker={"size": 7},
            customdata=[i18n.fmt_pct(s) for s in reasons["share"].to_list()],
            hovertemplate=f"<b>%{{x}}</b><br>{t('reasons.share')}: %{{customdata}}"
            f"<br>{t('reasons.cumulative_share')}: %{{y:.1%}}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        barmode="stack",
        legend_traceorder="normal",
        yaxis={"title": t("reasons.rows_axis"), "tickformat": ",d", "rangemode": "tozero"},
        yaxis2={"title": t("reasons.cumulative_share"), "overlaying": "y", "side": "right", "range": [0, 1.05],
                "tickformat": ".0%", "showgrid": False},
    )  # fmt: skip
    fig.update_xaxes(type="category", tickangle=-30)
    return style(fig, height=440)


@memo
def recorded_vs_unexplained(frame: pl.DataFrame) -> go.Figure:
    """Horizontal bars: reason rows per category beside the lapses with no reason recorded.
    Reads `frame`: kind, count."""
    kinds = frame["kind"].to_list()
    labels = [category_label(k) for k in kinds]
    colors = [NO_REASON_COLOR if k == NO_REASON else CATEGORY_COLORS[k] for k in kinds]
    units = [t("reasons.lapses_unit") if k == NO_REASON else t("reasons.rows_unit") for k in kinds]
    fig = go.Figure(
        go.Bar(
            y=labels, x=frame["count"].to_list(), orientation="h", marker_color=colors,
            marker_pattern_shape=["/" if k == NO_REASON else "" for k in kinds],
            text=[i18n.fmt_int(n) for n in frame["count"].to_list()], textposition="auto", customdata=units,
            hovertemplate="<b>%{y}</b>: %{x:,} %{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=t("reasons.count_axis"), tickformat=",d", rangemode="tozero")
    return style(fig, height=280)


@memo
def lost_revenue(reasons: pl.DataFrame, currency: str) -> go.Figure:
    """Horizontal bars: revenue of the churned customers in their last 365 days, per reason (largest on top).
    Reads `reasons`: reason, count, lost_revenue."""
    ranked = reasons.sort("lost_revenue", "reason", descending=[True, False])
    fig = go.Figure(
        go.Bar(
            y=[reason_label(r) for r in ranked["reason"].to_list()], x=ranked["lost_revenue"].to_list(),
            orientation="h", marker_color=[reason_color(r, i) for i, r in enumerate(ranked["reason"].to_list())],
            customdata=[[i18n.fmt_money(v, currency), i18n.fmt_int(n)]
                        for v, n in zip(ranked["lost_revenue"].to_list(), ranked["count"].to_list(), strict=True)],
            hovertemplate=f"<b>%{{y}}</b><br>{t('reasons.lost_revenue')}: %{{customdata[0]}}"
            f"<br>%{{customdata[1]}} {t('reasons.rows_unit')}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=t("reasons.lost_revenue"), tickformat=",.0f", tickprefix=money_prefix(currency))
    return style(fig, height=max(280, 28 * ranked.height + 80))


@memo
def over_time(by_period: pl.DataFrame, lapses: pl.DataFrame, order: list[str], period: str) -> go.Figure:
    """Stacked bars: reason rows per period and reason; line: lapses with no reason recorded per period.
    Reads `by_period`: reason, key, count; `lapses`: period, unexplained, lapses."""
    fig = go.Figure()
    for i, code in enumerate(order):
        rows = reason_counts_by_key(by_period, code)
        fig.add_trace(
            go.Bar(
                x=rows["key"].to_list(), y=rows["count"].to_list(), name=reason_label(code),
                marker_color=reason_color(code, i), customdata=[i18n.fmt_period(k, period) for k in rows["key"].to_list()],
                hovertemplate=f"%{{customdata}} · <b>{reason_label(code)}</b>: %{{y:,}} {t('reasons.rows_unit')}<extra></extra>",
            )
        )  # fmt: skip
    if not lapses.is_empty():
        fig.add_trace(
            go.Scatter(
                x=lapses["period"].to_list(), y=lapses["unexplained"].to_list(), name=t("reasons.no_reason"),
                mode="lines+markers", line={"color": NO_REASON_COLOR, "width": 2, "dash": "dot"},
                customdata=[[i18n.fmt_period(k, period), n] for k, n in zip(lapses["period"].to_list(),
                                                                           lapses["lapses"].to_list(), strict=True)],
                hovertemplate=f"%{{customdata[0]}} · <b>{t('reasons.no_reason')}</b>: %{{y:,}}"
                f" / %{{customdata[1]:,}} {t('reasons.lapses_unit')}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(tickformat=i18n.plotly_date_format(period), title=t("sidebar.period_" + period))
    fig.update_yaxes(title=t("reasons.count_axis"), tickformat=",d", rangemode="tozero")
    return style(fig, height=420)


@memo
def composition(shares: pl.DataFrame, order: list[str], key_labels: dict, axis_title: str) -> go.Figure:
    """100% stacked horizontal bars: the reason mix of each group (segment value or cohort), n in the label.
    Reads `shares` (metrics.reasons.shares_within): key, reason, count, share, total."""
    keys = list(key_labels)
    totals = dict(shares.select("key", "total").unique().iter_rows())
    y = [f"{key_labels[k]} (n={i18n.fmt_int(totals.get(k, 0))})" for k in keys]
    fig = go.Figure()
    for i, code in enumerate(order):
        cells = {
            k: (c, s) for k, c, s in shares.filter(pl.col("reason") == code).select("key", "count", "share").iter_rows()
        }
        fig.add_trace(
            go.Bar(
                y=y, x=[cells.get(k, (0, 0.0))[1] for k in keys], orientation="h", name=reason_label(code),
                marker_color=reason_color(code, i), customdata=[i18n.fmt_int(cells.get(k, (0, 0))[0]) for k in keys],
                hovertemplate=f"<b>%{{y}}</b><br>{reason_label(code)}: %{{x:.1%}} (%{{customdata}}"
                f" {t('reasons.rows_unit')})<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title=t("reasons.share_axis"), tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title=axis_title, autorange="reversed", type="category")
    return style(fig, height=max(300, 34 * len(keys) + 140))


def group_labels(keys: list, kind: str, period: str) -> dict:
    """Display names of breakdown keys: periods for cohorts, text for segment values, a word for null."""
    out = {}
    for k in keys:
        if k is None:
            out[k] = t("reasons.no_cohort" if kind == "cohort" else "reasons.no_value")
        elif isinstance(k, dt.date):
            out[k] = i18n.fmt_period(k, period)
        else:
            out[k] = hover_text(k)
    return out
