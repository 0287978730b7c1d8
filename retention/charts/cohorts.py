"""Cohort charts: the retention heatmap, cohort curves with the weighted average, cohort sizes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import PALETTE, memo, money_prefix, style
from retention.i18n import t
from retention.metrics.cohorts import COHORT_METRICS
from retention.safe import hover_text


def _value_text(value: float | None, is_rate: bool, currency: str) -> str:
    if value is None:
        return ""
    return i18n.fmt_pct(value, 0) if is_rate else i18n.fmt_money(value, currency, 0)


# Above this many cells the values are not written in the cells (hover shows them): measuring and drawing a
# thousand text labels takes the browser most of a second, and at 10 px they are hard to read anyway.
MAX_TEXT_CELLS = 300


@memo
def heatmap(cohorts: pl.DataFrame, metric: str, period: str, currency: str) -> go.Figure:
    """Cohort x k heatmap of the metric; hover shows count and cohort size; incomplete cells are ringed.

    The cells go to plotly as numpy arrays (nested lists cost it a validation pass per cell).
    Reads `cohorts`: cohort, k, cohort_size, complete and the metric's value (and count) columns of COHORT_METRICS."""
    value_col, count_col, is_rate = COHORT_METRICS[metric]
    labels = {c: i18n.fmt_period(c, period) for c in cohorts["cohort"].unique().to_list()}
    cohorts_sorted = sorted(labels)
    row_of = {c: i for i, c in enumerate(cohorts_sorted)}
    ks = list(range(int(cohorts["k"].max()) + 1)) if not cohorts.is_empty() else []
    z = np.full((len(cohorts_sorted), len(ks)), np.nan)
    text = np.full(z.shape, "", dtype=object)
    hover = np.full(z.shape, "", dtype=object)
    with_text = z.size <= MAX_TEXT_CELLS
    k_label, metric_label = t("cohorts.k_label", k="{k}"), t("cohorts.metric_" + metric)
    customers, size_label, incomplete = t("cohorts.customers"), t("cohorts.cohort_size"), t("cohorts.incomplete")
    columns = ["cohort", "k", value_col, "cohort_size", "complete", *([count_col] if count_col else [])]
    for r in cohorts.select(columns).iter_rows(named=True):
        i, k, v = row_of[r["cohort"]], r["k"], r[value_col]
        value = _value_text(v, is_rate, currency)
        z[i, k] = np.nan if v is None else v
        if with_text:
            text[i, k] = value
        parts = [f"<b>{labels[r['cohort']]}</b> · {k_label.format(k=k)}", f"{metric_label}: {value}"]
        if count_col:
            parts.append(f"{customers}: {i18n.fmt_int(r[count_col])} / {i18n.fmt_int(r['cohort_size'])}")
        else:
            parts.append(f"{size_label}: {i18n.fmt_int(r['cohort_size'])}")
        if not r["complete"]:
            parts.append(f"<i>{incomplete}</i>")
        hover[i, k] = "<br>".join(parts)
    y = [labels[c] for c in cohorts_sorted]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=ks, y=y, text=text if with_text else None, texttemplate="%{text}" if with_text else None,
            textfont={"size": 10},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues", zmin=0, zmax=1 if is_rate else None, xgap=1, ygap=1,
            colorbar={"title": {"text": t("cohorts.metric_" + metric)}, "tickformat": ".0%" if is_rate else ",.0f",
                      "tickprefix": "" if is_rate else money_prefix(currency)},
        )
    )  # fmt: skip
    inc = cohorts.filter(~pl.col("complete"))
    if not inc.is_empty():
        fig.add_trace(
            go.Scatter(
                x=inc["k"].to_list(), y=[labels[c] for c in inc["cohort"].to_list()], mode="markers",
                marker={"symbol": "circle-open", "size": 14, "color": "#f97316", "line": {"width": 2}},
                name=t("cohorts.incomplete_legend"), hoverinfo="skip", showlegend=True,
            )
        )  # fmt: skip
    fig.update_xaxes(title=t("cohorts.k_axis", period=t("sidebar.period_" + period)), dtick=1, side="top")
    fig.update_yaxes(title=t("cohorts.cohort_axis"), autorange="reversed", type="category")
    return style(fig, height=max(360, 22 * len(y) + 140))


@memo
def curves(
    cohorts: pl.DataFrame, chosen: list, average: pl.DataFrame, metric: str, period: str, currency: str
) -> go.Figure:
    """Curves of the chosen cohorts over k, plus the size-weighted average (thick dashed line).
    Reads `cohorts`: cohort, k and the metric's value column; `average`: k, value, cohorts."""
    value_col, _, is_rate = COHORT_METRICS[metric]
    fig = go.Figure()
    for i, c in enumerate(chosen):
        rows = cohorts.filter(pl.col("cohort") == c).sort("k")
        fig.add_trace(
            go.Scatter(
                x=rows["k"].to_list(), y=rows[value_col].to_list(), mode="lines+markers",
                name=i18n.fmt_period(c, period), line={"color": PALETTE[i % len(PALETTE)], "width": 1.5},
                hovertemplate=f"{i18n.fmt_period(c, period)} · k=%{{x}}: %{{y:{'.1%' if is_rate else ',.2f'}}}<extra></extra>",
            )
        )  # fmt: skip
    if not average.is_empty():
        fig.add_trace(
            go.Scatter(
                x=average["k"].to_list(), y=average["value"].to_list(), mode="lines", name=t("cohorts.weighted_average"),
                line={"color": "#111827", "width": 3, "dash": "dash"}, customdata=average["cohorts"].to_list(),
                hovertemplate=f"{t('cohorts.weighted_average')} · k=%{{x}}: %{{y:{'.1%' if is_rate else ',.2f'}}}"
                f" ({t('cohorts.over_n_cohorts')} %{{customdata}})<extra></extra>",
            )
        )  # fmt: skip
    _axes(fig, metric, period, currency, is_rate)
    return style(fig)


@memo
def segment_curves(
    curves_by_value: dict[str, pl.DataFrame], attribute: str, metric: str, period: str, currency: str
) -> go.Figure:
    """One size-weighted average curve per value of a segment attribute.
    Reads each frame of `curves_by_value`: k, value."""
    _, _, is_rate = COHORT_METRICS[metric]
    fig = go.Figure()
    attribute = hover_text(attribute).replace("%{", "% {")  # data text: never a template variable
    for i, (value, avg) in enumerate(curves_by_value.items()):
        fig.add_trace(
            go.Scatter(
                x=avg["k"].to_list(), y=avg["value"].to_list(), mode="lines+markers", name=hover_text(value),
                line={"color": PALETTE[i % len(PALETTE)], "width": 2},
                hovertemplate=f"{attribute} = %{{fullData.name}} · k=%{{x}}: %{{y:{'.1%' if is_rate else ',.2f'}}}<extra></extra>",
            )
        )  # fmt: skip
    _axes(fig, metric, period, currency, is_rate)
    return style(fig)


@memo
def sizes(cohorts: pl.DataFrame, period: str) -> go.Figure:
    """Cohort sizes (new customers per cohort) as bars.
    Reads `cohorts`: cohort, k, cohort_size."""
    sized = cohorts.filter(pl.col("k") == 0).sort("cohort")
    labels = [i18n.fmt_period(c, period) for c in sized["cohort"].to_list()]
    fig = go.Figure(
        go.Bar(
            x=labels, y=sized["cohort_size"].to_list(), marker_color=PALETTE[0],
            hovertemplate=f"%{{x}}: %{{y:,}} {t('cohorts.new_customers')}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=t("cohorts.new_customers"), tickformat=",")
    return style(fig, height=300)


def _axes(fig: go.Figure, metric: str, period: str, currency: str, is_rate: bool) -> None:
    fig.update_xaxes(
        title=t("cohorts.k_axis", period=t("sidebar.period_" + period)), dtick=1 if period != "week" else 4
    )
    fig.update_yaxes(
        title=t("cohorts.metric_" + metric),
        tickformat=".0%" if is_rate else ",.0f",
        tickprefix="" if is_rate else money_prefix(currency),
        rangemode="tozero",
    )
