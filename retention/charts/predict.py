"""Prediction charts: the holdout check, the P(alive) distribution, predicted value by segment, and one
customer's P(alive) over their history."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import NEUTRAL, PALETTE, memo, style
from retention.charts.profile import mark_as_of, shade_windows
from retention.i18n import t


@memo
def holdout_bars(check: pl.DataFrame, holdout_days: int) -> go.Figure:
    """Mean predicted (grey) and actual (blue) purchase days in the holdout per x group, customers in the hover.
    Reads `check`: x, predicted, actual, customers."""
    fig = go.Figure()
    for column, color in (("predicted", NEUTRAL), ("actual", PALETTE[0])):
        hover = [
            f"<b>{t('predict.x_group', x=x)}</b><br>{t('predict.' + column)}: {i18n.fmt_num(v, 2)}"
            f"<br>{t('predict.customers')}: {i18n.fmt_int(n)}"
            for x, v, n in check.select("x", column, "customers").iter_rows()
        ]
        fig.add_trace(
            go.Bar(
                x=check["x"].to_list(), y=check[column].to_list(), name=t("predict." + column), marker_color=color,
                customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="group")
    fig.update_xaxes(title=t("predict.x_axis"), type="category")
    fig.update_yaxes(title=t("predict.purchases_axis", days=holdout_days), rangemode="tozero")
    return style(fig, height=360)


@memo
def p_alive_histogram(distribution: pl.DataFrame) -> go.Figure:
    """Customers per P(alive) band.
    Reads `distribution`: low, high, customers."""
    labels = [
        f"{i18n.fmt_pct(lo, 0)}–{i18n.fmt_pct(hi, 0)}" for lo, hi in distribution.select("low", "high").iter_rows()
    ]
    hover = [
        f"<b>{t('predict.p_alive')} {lab}</b><br>{t('predict.customers')}: {i18n.fmt_int(n)}"
        for lab, n in zip(labels, distribution["customers"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=labels, y=distribution["customers"].to_list(), marker_color=PALETTE[0], customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title=t("predict.p_alive_axis"), type="category")
    fig.update_yaxes(title=t("predict.customers"), rangemode="tozero")
    return style(fig, height=340)


@memo
def segment_value_bars(segments: pl.DataFrame, currency: str) -> go.Figure:
    """Predicted value per RFM segment (bars), with customers, value per customer and mean P(alive) in the hover.
    Reads `segments`: segment, predicted_value, value_share, customers, value_per_customer, mean_p_alive."""
    names = [i18n.label("segment", s) for s in segments["segment"]]
    hover = [
        f"<b>{n}</b><br>{t('predict.predicted_value')}: {i18n.fmt_money(v, currency)} ({i18n.fmt_pct(sh, 0)})"
        f"<br>{t('predict.customers')}: {i18n.fmt_int(c)} · {t('predict.value_per_customer')}: {i18n.fmt_money(vc, currency)}"
        f"<br>{t('predict.mean_p_alive')}: {i18n.fmt_pct(pa, 0)}"
        for n, v, sh, c, vc, pa in zip(
            names, segments["predicted_value"], segments["value_share"], segments["customers"],
            segments["value_per_customer"], segments["mean_p_alive"], strict=True,
        )
    ]  # fmt: skip
    fig = go.Figure(
        go.Bar(
            x=names, y=segments["predicted_value"].to_list(), marker_color=PALETTE[2], customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_yaxes(title=t("predict.value_axis", symbol=i18n.currency_symbol(currency)), rangemode="tozero")
    return style(fig, height=360)


@memo
def p_alive_curve(curve: pl.DataFrame, windows: pl.DataFrame, as_of: dt.date) -> go.Figure:
    """One customer's P(alive) on each day up to T (a step up at each purchase, a fall through each silence),
    each purchase day's return window shaded as on the timeline, and T (today) as a dashed line.
    Reads `curve`: day, p_alive; `windows`: order_date, window_end, outcome."""
    fig = go.Figure()
    shade_windows(fig, windows, as_of)
    hover = [f"<b>{i18n.fmt_date(d)}</b><br>{t('predict.p_alive')}: {i18n.fmt_pct(v, 0)}" for d, v in curve.iter_rows()]
    fig.add_trace(
        go.Scatter(
            x=curve["day"].to_list(), y=curve["p_alive"].to_numpy(), mode="lines", line={"color": PALETTE[0], "width": 2},
            name=t("predict.p_alive"), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    mark_as_of(fig, as_of, t("predict.today", date=i18n.fmt_date(as_of)))
    fig.update_yaxes(title=t("predict.p_alive"), range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(title=None)
    return style(fig, height=300)
