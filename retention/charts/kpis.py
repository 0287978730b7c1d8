"""Executive KPI figures: the metric tiles (HTML), the waterfall of active customers, retention and churn trends."""

from __future__ import annotations

import html
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import BAD, FONT, GOOD, NEUTRAL, PALETTE, memo, style
from retention.i18n import t

TONE_COLORS = {"good": GOOD, "bad": BAD, "neutral": NEUTRAL}


@dataclass(frozen=True)
class Tile:
    """One metric tile: label, value text, a hover explanation and (text, tone, against-what) deltas."""

    label: str
    value: str
    help: str
    deltas: tuple[tuple[str, str, str], ...]


def tiles_html(tiles: list[Tile], columns: int = 6) -> str:
    """A compact grid of metric tiles; each delta is green or red by whether its change is good or bad."""
    cells = []
    for tile in tiles:
        lines = "".join(
            f'<div style="font-size:0.74rem;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis">'
            f'<span style="color:{TONE_COLORS[tone]};font-weight:600">{html.escape(text)}</span> '
            f'<span style="color:#64748b">{html.escape(against)}</span></div>'
            for text, tone, against in tile.deltas
        )
        cells.append(
            f'<div title="{html.escape(tile.help)}" style="border:1px solid #e2e8f0;border-radius:8px;padding:6px 10px;'
            f'min-width:0;cursor:help">'
            f'<div style="font-size:0.78rem;color:#475569;white-space:nowrap;overflow:hidden;text-overflow:ellipsis">'
            f"{html.escape(tile.label)}</div>"
            f'<div style="font-size:1.35rem;font-weight:650;line-height:1.3;color:#0f172a">{html.escape(tile.value)}</div>'
            f"{lines}</div>"
        )
    return (
        f'<div style="display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));gap:8px;font-family:{FONT}">'
        + "".join(cells)
        + "</div>"
    )


@memo
def waterfall(steps: list[tuple[str, int]], period_label: str) -> go.Figure:
    """Active customers at the start, + new, + reactivated, - lapsed, = active at the end.
    Reads `steps`: (name, customers) pairs from metrics.kpis.waterfall_steps."""
    names = [t(f"kpis.step_{name}") for name, _ in steps]
    measures = ["absolute", "relative", "relative", "relative", "total"]
    values = [v for _, v in steps]
    text = [
        i18n.fmt_int(v) if m != "relative" else ("+" if v > 0 else "−" if v < 0 else "±") + i18n.fmt_int(abs(v))
        for m, v in zip(measures, values, strict=True)
    ]
    hover = [
        f"{n}: {tx} {t('kpis.customers')}<br>{t(f'kpis.step_{k}_help')}"
        for n, tx, (k, _) in zip(names, text, steps, strict=True)
    ]
    fig = go.Figure(
        go.Waterfall(
            x=names, y=values, measure=measures, text=text, textposition="outside", customdata=hover,
            hovertemplate="%{customdata}<extra></extra>", connector={"line": {"color": "#cbd5e1"}},
            increasing={"marker": {"color": GOOD}}, decreasing={"marker": {"color": BAD}},
            totals={"marker": {"color": PALETTE[0]}}, cliponaxis=False,
        )
    )  # fmt: skip
    # Start the axis near the smaller of start and end, so the flows are visible next to large totals.
    levels = [values[0], values[0] + values[1], values[0] + values[1] + values[2], values[-1]]
    low, high = min(levels), max(levels)
    fig.update_yaxes(
        title=t("kpis.active_customers"),
        tickformat=",",
        range=[max(0, low - 0.25 * (high - low) - 0.05 * high), high * 1.08 + 1],
    )
    fig.update_layout(showlegend=False)
    return style(fig, title=t("kpis.waterfall_title", period=period_label), height=300)


@memo
def trends(kpis: pl.DataFrame, period: str) -> go.Figure:
    """Retention and churn rate per period on one axis; an unfinished last period is drawn as a hollow marker.
    Reads `kpis`: period, retention_rate, churn_rate, complete."""
    fig = go.Figure()
    labels = [i18n.fmt_period(p, period) for p in kpis["period"]]
    for column, color in (("retention_rate", GOOD), ("churn_rate", BAD)):
        name = t(f"kpis.tile_{column}")
        fig.add_trace(
            go.Scatter(
                x=kpis["period"].to_list(), y=kpis[column].to_list(), name=name, mode="lines+markers",
                line={"color": color, "width": 2}, customdata=labels,
                marker={"symbol": ["circle" if c else "circle-open" for c in kpis["complete"]], "size": 6},
                hovertemplate=f"%{{customdata}} · {name}: %{{y:.1%}}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_xaxes(tickformat=i18n.plotly_date_format(period), tickangle=0, nticks=4)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.02])
    fig = style(fig, title=t("kpis.trend_title"), height=300)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0})
    return fig


def _value_text(value: float | None, kind: str, currency: str) -> str:
    if kind == "count":
        return i18n.fmt_int(value)
    if kind == "rate":
        return i18n.fmt_pct(value)
    return i18n.fmt_money(value, currency, 2 if value is not None and abs(value) < 100 else 0)


def _delta_text(change: float | None, kind: str) -> str:
    if change is None:
        return "–"
    arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
    if kind == "rate":
        return f"{arrow} {abs(100 * change):.1f}{t('kpis.pp')}"
    return f"{arrow} {abs(100 * change):.1f}%"


def kpi_tiles(head, period: str, currency: str, extra: tuple = ()) -> list[Tile]:
    """Tiles for metrics.kpis.TILES (then `extra` tiles of the same form, such as profit) of the headline period,
    with deltas against the period before and the same period a year earlier."""
    from retention.metrics.kpis import TILES, delta, tone

    out = []
    for column, kind, direction in (*TILES, *extra):
        value = head.current[column]
        deltas = []
        for ref, key in ((head.previous, "kpis.vs_previous"), (head.year_ago, "kpis.vs_year_ago")):
            change = delta(value, ref[column] if ref else None, kind)
            against = t(key, period=i18n.fmt_period(ref["period"], period)) if ref else t(key + "_none")
            deltas.append(
                (_delta_text(change, "rate" if kind == "rate" else "relative"), tone(change, direction), against)
            )
        out.append(
            Tile(
                label=t(f"kpis.tile_{column}"),
                value=_value_text(value, kind, currency),
                help=t(f"kpis.help_{column}"),
                deltas=tuple(deltas),
            )
        )
    return out
