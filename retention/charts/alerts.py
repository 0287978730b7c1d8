"""Early-warning chart: how far past their usual gap the listed customers are, sized by revenue at stake."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from retention import codes, i18n
from retention.charts import memo, style
from retention.i18n import t
from retention.safe import hover_text

STATUS_COLORS = codes.STATUS.colours


@memo
def overdue_scatter(alerts: pl.DataFrame, alert_factor: float, currency: str) -> go.Figure:
    """Usual gap (x) against days silent (y), one dot per customer with 2+ purchase days, sized by revenue of
    the last 365 days; the dashed line is where silence reaches alert_factor x the usual gap.
    Reads `alerts`: customer_id, status, days_silent, expected_gap, overdue_ratio, revenue_365d."""
    fig = go.Figure()
    known = alerts.filter(pl.col("expected_gap").is_not_null())
    top = float(known["revenue_365d"].max() or 0) if known.height else 0.0
    for status in ("alert", "at_risk"):
        rows = known.filter(pl.col("status") == status)
        if rows.is_empty():
            continue
        revenue = rows["revenue_365d"].to_list()
        hover = [
            f"<b>{hover_text(c)}</b> · {i18n.label('status', status)}<br>"
            f"{t('alerts.days_silent')}: {i18n.fmt_int(s)} · {t('alerts.expected_gap')}: {i18n.fmt_num(g)}<br>"
            f"{t('alerts.overdue_ratio')}: {i18n.fmt_num(o, 2)} · {t('alerts.revenue_365d')}: {i18n.fmt_money(r, currency)}"
            for c, s, g, o, r in zip(
                rows["customer_id"], rows["days_silent"], rows["expected_gap"], rows["overdue_ratio"], revenue,
                strict=True,
            )
        ]  # fmt: skip
        size = (
            (6 + 18 * (rows["revenue_365d"].clip(lower_bound=0) / top).sqrt())
            if top > 0
            else pl.repeat(8, rows.height, eager=True)
        )
        # numpy arrays, not lists: plotly validates a list element by element (10x slower at 5,000 dots)
        fig.add_trace(
            go.Scattergl(
                x=rows["expected_gap"].to_numpy(), y=rows["days_silent"].to_numpy(), mode="markers",
                name=i18n.label("status", status), customdata=np.array(hover, dtype=object),
                hovertemplate="%{customdata}<extra></extra>",
                marker={"color": STATUS_COLORS[status], "opacity": 0.6, "line": {"width": 0}, "size": size.to_numpy()},
            )
        )  # fmt: skip
    if known.height:
        gmax = float(known["expected_gap"].max())
        fig.add_trace(
            go.Scatter(
                x=[0, gmax], y=[0, alert_factor * gmax], mode="lines", name=t("alerts.alert_line", factor=alert_factor),
                line={"color": "#111827", "dash": "dash", "width": 1}, hoverinfo="skip",
            )
        )  # fmt: skip
    fig.update_xaxes(title=t("alerts.expected_gap_axis"), rangemode="tozero")
    fig.update_yaxes(title=t("alerts.days_silent_axis"), rangemode="tozero")
    return style(fig, height=420)
