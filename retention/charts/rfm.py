"""Customer value charts: the R x F grid, segments, value tiers (the 80/20 picture), segment migrations."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from retention import codes, i18n
from retention.charts import PALETTE, heat_cells, memo, style
from retention.i18n import t
from retention.metrics.flows import flow_totals
from retention.metrics.rfm import SCORES
from retention.queries.rfm import level_order

SEGMENT_COLORS = codes.SEGMENT.colours
TIER_COLORS = codes.TIER.colours


def level_color(level: str, code: str) -> str:
    return (SEGMENT_COLORS if level == "segment" else TIER_COLORS).get(code, PALETTE[-2])


@memo
def rf_heatmap(grid: pl.DataFrame, currency: str) -> go.Figure:
    """R (rows, 5 at the top) x F (columns) heatmap of customer counts; hover: segment, customers, revenue.
    Reads `grid` (metrics.rfm.rf_grid): r, f, customers, revenue, segment."""
    cells = {(row["r"], row["f"]): row for row in grid.iter_rows(named=True)}
    rs = list(reversed(SCORES))

    def cell(r: int, f: int) -> tuple:
        c = cells[(r, f)]
        hover = (
            f"<b>R {r} · F {f}</b> · {i18n.label('segment', c['segment'])}<br>"
            f"{t('rfm.customers')}: {i18n.fmt_int(c['customers'])}<br>"
            f"{t('rfm.revenue')}: {i18n.fmt_money(c['revenue'], currency)}"
        )
        return c["customers"], i18n.fmt_int(c["customers"]), hover

    z, text, hover = heat_cells(rs, list(SCORES), cell)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[str(f) for f in SCORES], y=[str(r) for r in rs], text=text, texttemplate="%{text}",
            customdata=hover, hovertemplate="%{customdata}<extra></extra>", colorscale="Blues", zmin=0,
            xgap=2, ygap=2, colorbar={"title": {"text": t("rfm.customers")}, "tickformat": ",d"},
        )
    )  # fmt: skip
    fig.update_xaxes(title=t("rfm.f_axis"), type="category", side="bottom")
    fig.update_yaxes(title=t("rfm.r_axis"), type="category", autorange="reversed")  # R 5 on top
    return style(fig, height=400)


@memo
def segment_bars(summary: pl.DataFrame, currency: str) -> go.Figure:
    """Per segment, share of customers beside share of revenue; hover gives the counts and money.
    Reads `summary`: segment, customers, revenue, customer_share, revenue_share."""
    labels = [i18n.label("segment", s) for s in summary["segment"].to_list()]
    fig = go.Figure()
    for col, name, color, amounts in (
        ("customer_share", t("rfm.share_customers"), PALETTE[0], [i18n.fmt_int(v) for v in summary["customers"]]),
        (
            "revenue_share",
            t("rfm.share_revenue"),
            PALETTE[1],
            [i18n.fmt_money(v, currency) for v in summary["revenue"]],
        ),
    ):
        fig.add_trace(
            go.Bar(
                x=labels, y=summary[col].to_list(), name=name, marker_color=color, customdata=amounts,
                text=[i18n.fmt_pct(v, 0) for v in summary[col].to_list()], textposition="outside",
                hovertemplate=f"%{{x}} · {name}: %{{y:.1%}} (%{{customdata}})<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(type="category")
    return style(fig, height=380)


@memo
def tier_shares(summary: pl.DataFrame, currency: str) -> go.Figure:
    """Two 100% bars, customers and revenue, split by value tier: the 80/20 picture.
    Reads `summary`: tier, customers, revenue, customer_share, revenue_share."""
    bars = [t("rfm.share_customers"), t("rfm.share_revenue")]
    fig = go.Figure()
    for row in summary.iter_rows(named=True):
        name = i18n.label("tier", row["tier"])
        amounts = [i18n.fmt_int(row["customers"]), i18n.fmt_money(row["revenue"], currency)]
        shares = [row["customer_share"], row["revenue_share"]]
        fig.add_trace(
            go.Bar(
                x=shares, y=bars, orientation="h", name=name, marker_color=TIER_COLORS[row["tier"]],
                text=[i18n.fmt_pct(s, 0) for s in shares], textposition="inside", textangle=0,
                insidetextanchor="middle", customdata=amounts,
                hovertemplate=f"{name} · %{{y}}: %{{x:.1%}} (%{{customdata}})<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(barmode="stack", legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig.update_yaxes(type="category", autorange="reversed")
    return style(fig, height=260)


@memo
def migration_heatmap(migrations: pl.DataFrame, level: str, from_label: str, to_label: str) -> go.Figure:
    """From (rows) x to (columns) heatmap of customers; hover: the move and its share of the row.
    Reads `migrations`: from_segment, to_segment, customers (in that order)."""
    codes = level_order(level)
    counts = {(a, b): n for a, b, n in migrations.iter_rows()}
    rows = [c for c in codes if any(a == c for a, _ in counts)]
    cols = [c for c in codes[1:] if any(b == c for _, b in counts)]
    row_totals, _ = flow_totals(migrations, "from_segment", "to_segment")

    def cell(a: str, b: str) -> tuple:
        n, row_total = counts.get((a, b), 0), row_totals.get(a)
        hover = (
            f"{from_label}: <b>{i18n.label(level, a)}</b><br>{to_label}: <b>{i18n.label(level, b)}</b><br>"
            f"{t('rfm.customers')}: {i18n.fmt_int(n)} ({i18n.fmt_pct(n / row_total if row_total else None)})"
        )
        return n, i18n.fmt_int(n) if n else "", hover

    z, text, hover = heat_cells(rows, cols, cell)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[i18n.label(level, b) for b in cols], y=[i18n.label(level, a) for a in rows], text=text,
            texttemplate="%{text}", customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues", zmin=0, xgap=2, ygap=2,
            colorbar={"title": {"text": t("rfm.customers")}, "tickformat": ",d"},
        )
    )  # fmt: skip
    fig.update_xaxes(title=to_label, type="category", side="top")
    fig.update_yaxes(title=from_label, type="category", autorange="reversed")
    return style(fig, height=max(320, 48 * len(rows) + 140))


@memo
def migration_sankey(migrations: pl.DataFrame, level: str, from_label: str, to_label: str) -> go.Figure:
    """The same cells as flows from the first date's level (left) to the second's (right).
    Reads `migrations`: from_segment, to_segment, customers."""
    codes = level_order(level)
    lefts = [c for c in codes if c in set(migrations["from_segment"].to_list())]
    rights = [c for c in codes if c in set(migrations["to_segment"].to_list())]
    index = {("L", c): i for i, c in enumerate(lefts)} | {("R", c): len(lefts) + i for i, c in enumerate(rights)}
    node_labels = [i18n.label(level, c) for c in lefts] + [i18n.label(level, c) for c in rights]
    left_totals, right_totals = flow_totals(migrations, "from_segment", "to_segment")
    node_y = _stack([left_totals[c] for c in lefts]) + _stack([right_totals[c] for c in rights])
    node_hover = [f"{from_label}: {i18n.label(level, c)}" for c in lefts] + [
        f"{to_label}: {i18n.label(level, c)}" for c in rights
    ]
    a_codes, b_codes, values = (
        migrations["from_segment"].to_list(),
        migrations["to_segment"].to_list(),
        migrations["customers"].to_list(),
    )
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": node_labels, "pad": 14, "thickness": 16,
                "x": [0.001] * len(lefts) + [0.999] * len(rights), "y": node_y,
                "color": [level_color(level, c) for c in lefts] + [level_color(level, c) for c in rights],
                "customdata": node_hover,
                "hovertemplate": f"%{{customdata}}<br>{t('rfm.customers')}: %{{value:,}}<extra></extra>",
            },
            link={
                "source": [index[("L", a)] for a in a_codes],
                "target": [index[("R", b)] for b in b_codes],
                "value": values,
                "color": [_fade(level_color(level, a)) for a in a_codes],
                "customdata": [f"{i18n.label(level, a)} → {i18n.label(level, b)}" for a, b in zip(a_codes, b_codes, strict=True)],
                "hovertemplate": f"%{{customdata}}<br>{t('rfm.customers')}: %{{value:,}}<extra></extra>",
            },
        )
    )  # fmt: skip
    fig.add_annotation(
        x=0, y=1.06, xref="paper", yref="paper", text=f"<b>{from_label}</b>", showarrow=False, xanchor="left"
    )
    fig.add_annotation(
        x=1, y=1.06, xref="paper", yref="paper", text=f"<b>{to_label}</b>", showarrow=False, xanchor="right"
    )
    fig = style(fig, height=460)
    fig.update_layout(margin={"t": 40})
    return fig


def _stack(values: list[int]) -> list[float]:
    """Node centres from top to bottom in the order given, each as tall as its share (plotly's 0..1 scale)."""
    total = sum(values) or 1
    out, top = [], 0.0
    for v in values:
        out.append(min(0.999, max(0.001, top + v / total / 2)))
        top += v / total
    return out


def _fade(hex_color: str, alpha: float = 0.35) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
