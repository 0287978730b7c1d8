"""Campaign charts: treatment against control rates with the uplift interval, revenue won against cost,
wins by day since the contact, and the status flow of the contacted customers."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from retention import codes, i18n
from retention.charts import BAD, GOOD, NEUTRAL, PALETTE, memo, money_prefix, style
from retention.i18n import t
from retention.metrics.campaigns import key_label as _key_label
from retention.queries.campaigns import STATUS_ORDER
from retention.safe import hover_text

TREATMENT, CONTROL = PALETTE[0], "#94a3b8"
STATUS_COLORS = codes.STATUS.colours  # the Lifecycle page's colours


def key_label(by: str, value: object) -> str:
    """A campaign, channel or group for plotly text: tags shown as text, long names cut."""
    return hover_text(_key_label(by, value))


def _names(figures: pl.DataFrame, by: str) -> list[str]:
    return [key_label(by, v) for v in figures[by].to_list()]


def _bar(names: list[str], values: pl.Series, name: str, color: str, hover: list[str], text: list[str]) -> go.Bar:
    """One bar per campaign (or channel, group): hover text per bar, the value written above it."""
    return go.Bar(
        x=names, y=values.to_list(), name=name, marker_color=color, customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", text=text, textposition="outside",
    )  # fmt: skip


def _pts(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:+.1f} {t('campaigns.pts')}"


@memo
def rates_uplift(figures: pl.DataFrame, by: str = "campaign") -> go.Figure:
    """Left: treatment and control win-back rates side by side per campaign. Right: the uplift with its 95%
    interval as error bars, against a zero line (an interval crossing it means too few customers to tell).
    Reads `figures`: the `by` column, win_back_rate, won_back, contacts, control_rate, control_won_back,
    control_size, uplift, uplift_low, uplift_high."""
    names = _names(figures, by)
    rows = figures.to_dicts()
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
        subplot_titles=(t("campaigns.rates_title"), t("campaigns.uplift_title")),
    )  # fmt: skip
    for group, color, rate, won, n in (
        ("treatment", TREATMENT, "win_back_rate", "won_back", "contacts"),
        ("control", CONTROL, "control_rate", "control_won_back", "control_size"),
    ):
        hover = [
            f"<b>{name}</b> · {t('campaigns.group_' + group)}<br>{t('campaigns.col_win_back_rate')}: "
            f"{i18n.fmt_pct(r[rate])} ({t('campaigns.n_of_m', k=i18n.fmt_int(r[won]), n=i18n.fmt_int(r[n]))})"
            for name, r in zip(names, rows, strict=True)
        ]
        text = [i18n.fmt_pct(v, 1) for v in figures[rate].to_list()]
        fig.add_trace(_bar(names, figures[rate], t("campaigns.group_" + group), color, hover, text), row=1, col=1)
    has = [r for r in rows if r["uplift"] is not None]
    hover = [
        f"<b>{key_label(by, r[by])}</b><br>{t('campaigns.col_uplift')}: {_pts(r['uplift'])}<br>"
        f"{t('campaigns.col_interval')}: {_pts(r['uplift_low'])} … {_pts(r['uplift_high'])}<br>"
        f"{t('campaigns.col_control_size')}: {i18n.fmt_int(r['control_size'])}"
        for r in has
    ]
    colors = [NEUTRAL if r["uplift_low"] <= 0 <= r["uplift_high"] else (GOOD if r["uplift"] > 0 else BAD) for r in has]
    fig.add_trace(
        go.Scatter(
            x=[key_label(by, r[by]) for r in has], y=[r["uplift"] for r in has], mode="markers",
            name=t("campaigns.col_uplift"), marker={"size": 12, "color": colors},
            error_y={"type": "data", "symmetric": False, "array": [r["uplift_high"] - r["uplift"] for r in has],
                     "arrayminus": [r["uplift"] - r["uplift_low"] for r in has], "thickness": 2, "width": 8},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>", showlegend=False,
        ),
        row=1, col=2,
    )  # fmt: skip
    fig.add_hline(y=0, line={"color": "#111827", "width": 1, "dash": "dot"}, row=1, col=2)
    fig.update_xaxes(type="category", categoryarray=names, categoryorder="array")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title=t("campaigns.col_win_back_rate"), row=1, col=1)
    fig.update_yaxes(tickformat="+.0%", title=t("campaigns.uplift_axis"), row=1, col=2)
    fig.update_layout(barmode="group")
    style(fig, height=460)
    # subplot titles sit where the legend usually goes: lift the legend above them
    fig.update_layout(legend={"y": 1.12}, margin={"t": 80})
    return fig


@memo
def revenue_cost(figures: pl.DataFrame, currency: str, by: str = "campaign") -> go.Figure:
    """Revenue won against cost per campaign (treatment rows), ROI on hover.
    Reads `figures`: the `by` column, revenue_won, cost, roi, cost_per_win."""
    names = _names(figures, by)
    rows = figures.to_dicts()
    fig = go.Figure()
    for col, color in (("revenue_won", GOOD), ("cost", BAD)):
        hover = [
            f"<b>{name}</b><br>{t('campaigns.col_' + col)}: {i18n.fmt_money(r[col], currency, 0)}<br>"
            f"{t('campaigns.col_roi')}: {i18n.fmt_pct(r['roi'], 0)} · {t('campaigns.col_cost_per_win')}: "
            f"{i18n.fmt_money(r['cost_per_win'], currency, 2)}"
            for name, r in zip(names, rows, strict=True)
        ]
        text = [i18n.fmt_money(v, currency, 0) for v in figures[col].to_list()]
        fig.add_trace(_bar(names, figures[col], t("campaigns.col_" + col), color, hover, text))
    fig.update_xaxes(type="category")
    fig.update_yaxes(
        tickprefix=money_prefix(currency), tickformat=",.0f", rangemode="tozero", title=t("campaigns.money_axis")
    )
    fig.update_layout(barmode="group")
    return style(fig, height=380)


@memo
def wins_curve(curve: pl.DataFrame) -> go.Figure:
    """Cumulative share of treatment and control contacts won back by day 1 .. attribution_days.
    Reads `curve`: contact_group, day, won_back_share, won_back, contacts."""
    fig = go.Figure()
    for group, color in (("treatment", TREATMENT), ("control", CONTROL)):
        rows = curve.filter(pl.col("contact_group") == group).sort("day")
        if rows.is_empty():
            continue
        label = t("campaigns.group_" + group)
        hover = [
            f"<b>{label}</b> · {t('campaigns.day_n', day=r['day'])}<br>"
            f"{i18n.fmt_pct(r['won_back_share'])} ({t('campaigns.n_of_m', k=i18n.fmt_int(r['won_back']), n=i18n.fmt_int(r['contacts']))})"
            for r in rows.iter_rows(named=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=rows["day"].to_list(), y=rows["won_back_share"].to_list(), mode="lines", name=label,
                line={"color": color, "width": 3 if group == "treatment" else 2, "shape": "hv"},
                customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_xaxes(title=t("campaigns.days_axis"), rangemode="tozero")
    fig.update_yaxes(title=t("campaigns.share_axis"), tickformat=".0%", rangemode="tozero")
    return style(fig, height=360)


@memo
def status_flow(flow: pl.DataFrame) -> go.Figure:
    """Sankey from the status the day before the contact (left) to the status at the window's end (right).
    Reads `flow`: status_before, status_after, contacts."""
    before = [s for s in STATUS_ORDER if s in set(flow["status_before"].to_list())]
    after = [s for s in STATUS_ORDER if s in set(flow["status_after"].to_list())]
    labels = [i18n.label("status", s) for s in before] + [i18n.label("status", s) for s in after]
    node_hover = [t("campaigns.flow_before", status=i18n.label("status", s)) for s in before] + [
        t("campaigns.flow_after", status=i18n.label("status", s)) for s in after
    ]
    src, dst, val, hover = [], [], [], []
    for r in flow.iter_rows(named=True):
        src.append(before.index(r["status_before"]))
        dst.append(len(before) + after.index(r["status_after"]))
        val.append(r["contacts"])
        hover.append(
            f"{i18n.label('status', r['status_before'])} → {i18n.label('status', r['status_after'])}: "
            f"{i18n.fmt_int(r['contacts'])} {t('campaigns.contacts_word')}"
        )
    colors = [STATUS_COLORS.get(s, NEUTRAL) for s in before + after]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": colors, "pad": 18, "thickness": 18, "customdata": node_hover,
                  "hovertemplate": "%{customdata}: %{value:,}<extra></extra>"},
            link={"source": src, "target": dst, "value": val, "customdata": hover,
                  "color": [_fade(STATUS_COLORS.get(flow["status_after"][i], NEUTRAL)) for i in range(flow.height)],
                  "hovertemplate": "%{customdata}<extra></extra>"},
        )
    )  # fmt: skip
    fig.add_annotation(
        x=0, y=1.08, xref="paper", yref="paper", text=t("campaigns.flow_left"), showarrow=False, xanchor="left"
    )
    fig.add_annotation(
        x=1, y=1.08, xref="paper", yref="paper", text=t("campaigns.flow_right"), showarrow=False, xanchor="right"
    )
    style(fig, height=400)
    fig.update_layout(margin={"t": 50})
    return fig


def _fade(hex_color: str, alpha: float = 0.35) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
