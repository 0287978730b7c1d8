"""Lifecycle charts: status counts, the status mix over time, the migration heatmap and Sankey diagram."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from retention import codes, i18n
from retention.charts import heat_cells, memo, style
from retention.i18n import t
from retention.metrics.flows import flow_totals
from retention.queries.lifecycle import NOT_YET, STATUSES

STATUS_COLORS = codes.STATUS.colours


def explain(status: str, rules: dict) -> str:
    """One line saying what puts a customer in this status (rules: window, new_days, alert_factor, loyal_min_orders)."""
    return t(f"lifecycle.explain_{status}", **rules)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


@memo
def status_bar(counts: pl.DataFrame, rules: dict) -> go.Figure:
    """Horizontal bars of customers per status (rule order, top to bottom) with count and share as text;
    the hover says in one line what the status means.
    Reads `counts`: status, customers, share."""
    labels = [i18n.label("status", s) for s in counts["status"]]
    text = [
        f"{i18n.fmt_int(n)} · {i18n.fmt_pct(sh)}" for n, sh in zip(counts["customers"], counts["share"], strict=True)
    ]
    hover = [
        f"<b>{lab}</b>: {i18n.fmt_int(n)} {t('lifecycle.customers')} ({i18n.fmt_pct(sh)})<br>{explain(s, rules)}"
        for s, lab, n, sh in zip(counts["status"], labels, counts["customers"], counts["share"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=labels, x=counts["customers"].to_list(), orientation="h", text=text, textposition="auto",
            marker_color=[STATUS_COLORS[s] for s in counts["status"]], customdata=hover,
            hovertemplate="%{customdata}<extra></extra>", cliponaxis=False,
        )
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=t("lifecycle.customers_axis"), tickformat=",")
    return style(fig, height=340)


@memo
def status_mix_area(mix: pl.DataFrame, period: str, rules: dict) -> go.Figure:
    """Stacked areas of customers per status at each period end (prospects at the bottom, then rule order).
    Reads `mix`: period, period_end, status, customers."""
    fig = go.Figure()
    ends = mix.filter(pl.col("status") == STATUSES[0])
    x = ends["period_end"].to_list()
    for status in STATUSES:
        rows = mix.filter(pl.col("status") == status)
        label = i18n.label("status", status)
        fig.add_trace(
            go.Scatter(
                x=x, y=rows["customers"].to_list(), name=label, mode="lines", stackgroup="statuses",
                line={"width": 0.5, "color": STATUS_COLORS[status]}, fillcolor=_rgba(STATUS_COLORS[status], 0.75),
                customdata=[i18n.fmt_period(p, period) for p in rows["period"]],
                hovertemplate=f"%{{customdata}} · {label}: %{{y:,}}<br>{explain(status, rules)}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_xaxes(tickformat=i18n.plotly_date_format(period), title=t("lifecycle.mix_axis"))
    fig.update_yaxes(title=t("lifecycle.customers_axis"), tickformat=",")
    fig.update_layout(hovermode="x unified")
    return style(fig, height=340)


@memo
def migration_heatmap(matrix: pl.DataFrame, date_from: dt.date, date_to: dt.date) -> go.Figure:
    """Rows: status at date_from (`not_yet` first); columns: status at date_to; colour: share of the row;
    text: customers.
    Reads `matrix` (metrics.lifecycle.migration_matrix): from_status, to_status, customers, row_share."""
    froms = [NOT_YET, *STATUSES]
    cells = {(r["from_status"], r["to_status"]): r for r in matrix.iter_rows(named=True)}

    def cell(f: str, s: str) -> tuple:
        r = cells[(f, s)]
        hover = t(
            "lifecycle.migration_hover",
            source=i18n.label("status", f), target=i18n.label("status", s),
            customers=i18n.fmt_int(r["customers"]), share=i18n.fmt_pct(r["row_share"]),
            date_from=i18n.fmt_date(date_from), date_to=i18n.fmt_date(date_to),
        )  # fmt: skip
        return r["row_share"], i18n.fmt_int(r["customers"]) if r["customers"] else "", hover

    z, text, hover = heat_cells(froms, list(STATUSES), cell)
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[i18n.label("status", s) for s in STATUSES], y=[i18n.label("status", f) for f in froms],
            text=text, texttemplate="%{text}", customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues", zmin=0, zmax=1, xgap=1, ygap=1, showscale=False,
        )
    )  # fmt: skip
    fig.update_xaxes(
        title=t("lifecycle.status_at", date=i18n.fmt_date(date_to)), side="top", type="category", tickangle=-30
    )
    fig.update_yaxes(
        title=t("lifecycle.status_at", date=i18n.fmt_date(date_from)), autorange="reversed", type="category"
    )
    return style(fig, height=400)


def _stack_positions(sizes: list[int], pad: float = 0.02) -> list[float]:
    """Centres (0 = top) of nodes stacked top-down in the given order, heights proportional to their sizes."""
    total = sum(sizes) or 1
    scale = (1 - pad * (len(sizes) - 1)) / total
    out, top = [], 0.0
    for size in sizes:
        out.append(min(0.999, max(0.001, top + size * scale / 2)))
        top += size * scale + pad
    return out


@memo
def migration_sankey(cells: pl.DataFrame, date_from: dt.date, date_to: dt.date) -> go.Figure:
    """Flows from the status at date_from (left) to the status at date_to (right), widths = customers.
    Reads `cells`: from_status, to_status, customers."""
    froms = [s for s in [NOT_YET, *STATUSES] if s in set(cells["from_status"])]
    tos = [s for s in STATUSES if s in set(cells["to_status"])]
    index = {("from", s): i for i, s in enumerate(froms)} | {("to", s): len(froms) + i for i, s in enumerate(tos)}
    totals_from, totals_by_to = flow_totals(cells, "from_status", "to_status")
    node_labels = [i18n.label("status", s) for s in froms] + [i18n.label("status", s) for s in tos]
    node_hover = [
        t("lifecycle.node_hover", status=lab, customers=i18n.fmt_int(n), date=i18n.fmt_date(d))
        for lab, n, d in [
            *[(i18n.label("status", s), totals_from[s], date_from) for s in froms],
            *[(i18n.label("status", s), totals_by_to[s], date_to) for s in tos],
        ]
    ]
    link_hover = [
        t(
            "lifecycle.migration_hover",
            source=i18n.label("status", f),
            target=i18n.label("status", s),
            customers=i18n.fmt_int(n),
            share=i18n.fmt_pct(n / totals_from[f]),
            date_from=i18n.fmt_date(date_from),
            date_to=i18n.fmt_date(date_to),
        )  # fmt: skip
        for f, s, n in cells.rows()
    ]
    totals_to = [totals_by_to[s] for s in tos]
    ys = _stack_positions([totals_from[s] for s in froms]) + _stack_positions(totals_to)
    xs = [0.001] * len(froms) + [0.999] * len(tos)
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": node_labels, "pad": 12, "thickness": 14, "customdata": node_hover, "x": xs, "y": ys,
                "hovertemplate": "%{customdata}<extra></extra>",
                "color": [STATUS_COLORS[s] for s in froms] + [STATUS_COLORS[s] for s in tos],
            },
            link={
                "source": [index[("from", f)] for f in cells["from_status"]],
                "target": [index[("to", s)] for s in cells["to_status"]],
                "value": cells["customers"].to_list(),
                "color": [_rgba(STATUS_COLORS[s], 0.35) for s in cells["to_status"]],
                "customdata": link_hover, "hovertemplate": "%{customdata}<extra></extra>",
            },
        )
    )  # fmt: skip
    return style(fig, height=400)
