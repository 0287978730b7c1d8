"""Customer profile chart: the purchase timeline with the expected return window after each purchase day."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import memo, style
from retention.i18n import t

OUTCOME_COLORS = {"returned": "#16a34a", "lapsed": "#dc2626", "open": "#2563eb"}
PURCHASE, REFUND = "#2563eb", "#dc2626"


@memo
def timeline(days: pl.DataFrame, windows: pl.DataFrame, as_of: dt.date, currency: str) -> go.Figure:
    """Order days as markers (y and size by the day's amount; days with only refunds as red crosses), after each
    purchase day a shaded band of its return window (green: came back within it, red: lapsed, blue: still
    open at T) with a hover mark at the window's end, and T as a dashed line.
    Reads `days`: order_date, amount, n_rows, n_act, is_purchase; `windows`: order_date, window_end, outcome, gap."""
    fig = go.Figure()
    top = float(days["amount"].abs().max() or 0) if days.height else 0.0
    shade_windows(fig, windows, as_of)
    if windows.height:
        hover = [
            f"<b>{t('profile.window_of', day=i18n.fmt_date(d))}</b><br>{t('profile.window_end')}: {i18n.fmt_date(e)}"
            f"<br>{t('profile.outcome_' + o)}" + (f" · {t('profile.gap_days', days=i18n.fmt_int(g))}" if g is not None else "")
            for d, e, o, g in windows.select("order_date", "window_end", "outcome", "gap").iter_rows()
        ]  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=windows["window_end"].to_list(), y=[0] * windows.height, mode="markers", name=t("profile.window_ends"),
                marker={"symbol": "line-ns-open", "size": 14, "color": [OUTCOME_COLORS[o] for o in windows["outcome"]]},
                customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    for kind, rows, color, symbol in (
        ("purchase", days.filter(pl.col("is_purchase")), PURCHASE, "circle"),
        ("refund", days.filter(~pl.col("is_purchase")), REFUND, "x"),
    ):
        if rows.is_empty():
            continue
        hover = [
            f"<b>{i18n.fmt_date(d)}</b><br>{t('profile.amount')}: {i18n.fmt_money(a, currency, 2)}"
            f"<br>{t('profile.rows', rows=i18n.fmt_int(n), activity=i18n.fmt_int(k))}"
            for d, a, n, k in rows.select("order_date", "amount", "n_rows", "n_act").iter_rows()
        ]
        sizes = [8 + 22 * (abs(a) / top) ** 0.5 if top > 0 else 10 for a in rows["amount"]]
        fig.add_trace(
            go.Scatter(
                x=rows["order_date"].to_list(), y=rows["amount"].to_list(), mode="markers", name=t("profile." + kind),
                marker={"color": color, "size": sizes, "symbol": symbol, "opacity": 0.8, "line": {"width": 0}},
                customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    mark_as_of(fig, as_of, t("profile.as_of", date=i18n.fmt_date(as_of)))
    fig.update_yaxes(title=t("profile.amount_axis", symbol=i18n.currency_symbol(currency)), zeroline=True)
    fig.update_xaxes(title=None)
    return style(fig, height=380)


def shade_windows(fig: go.Figure, windows: pl.DataFrame, as_of: dt.date) -> None:
    """Each purchase day's return window (columns `order_date, window_end, outcome`) as a band coloured by
    its outcome, cut the day after T."""
    for row in windows.iter_rows(named=True):
        fig.add_vrect(
            x0=row["order_date"], x1=min(row["window_end"], as_of + dt.timedelta(days=1)), layer="below",
            fillcolor=OUTCOME_COLORS[row["outcome"]], opacity=0.08, line_width=0,
        )  # fmt: skip


def mark_as_of(fig: go.Figure, as_of: dt.date, text: str) -> None:
    """T as a dashed vertical line, labelled with `text` at the top."""
    fig.add_vline(x=as_of, line={"color": "#111827", "dash": "dash", "width": 1})
    fig.add_annotation(
        x=as_of, y=1, yref="paper", text=text, showarrow=False, xanchor="right", yanchor="bottom", font={"size": 11}
    )
