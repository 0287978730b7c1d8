"""Return window charts: return curves with the threshold and the recommended windows, and the what-if."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import BAD, NEUTRAL, PALETTE, memo, style
from retention.i18n import t
from retention.metrics.window import drawn_segments
from retention.safe import hover_text

OVERALL_COLOR = "#111827"
MAX_LINES = 10  # segment lines drawn besides the overall one (the largest segments)


def segment_label(segment: str) -> str:
    return t("window.everyone") if segment == "*" else hover_text(segment)


@memo
def return_curves(
    curves: pl.DataFrame, recs: pl.DataFrame, threshold: float, window: int, max_lines: int = MAX_LINES
) -> go.Figure:
    """One line per segment of `curves` ('*' thick and dark), the threshold as a horizontal line, each
    segment's recommended window as a marker on its line, the current window as a dotted vertical line.
    Reads `curves`: segment, days, return_share, returned, still_silent; `recs`: segment, recommended_window
    (and silences, to pick the largest segments)."""
    fig = go.Figure()
    segments = drawn_segments(curves, recs, max_lines)
    rec_of = dict(recs.select("segment", "recommended_window").iter_rows()) if not recs.is_empty() else {}
    for i, seg in enumerate(segments):
        rows = curves.filter(pl.col("segment") == seg)
        color = OVERALL_COLOR if seg == "*" else PALETTE[(i - 1) % len(PALETTE)]
        label = segment_label(seg)
        fig.add_trace(
            go.Scatter(
                x=rows["days"].to_numpy(), y=rows["return_share"].to_numpy(), mode="lines", name=label,
                legendgroup=f"segment{i}", line={"color": color, "width": 3 if seg == "*" else 1.6},
                customdata=rows.select("returned", "still_silent").to_numpy(),
                hovertemplate=f"<b>{label}</b> · " + t("window.hover_days") + ": %{y:.1%}<br>"
                + t("window.hover_counts") + "<extra></extra>",
            )
        )  # fmt: skip
        rec = rec_of.get(seg)
        if rec is not None:
            share = rows.filter(pl.col("days") == rec)["return_share"]
            fig.add_trace(
                go.Scatter(
                    x=[rec], y=[share[0] if len(share) else threshold], mode="markers", legendgroup=f"segment{i}",
                    showlegend=False, marker={"color": color, "size": 11, "symbol": "diamond",
                                              "line": {"color": "white", "width": 1}},
                    hovertemplate=f"<b>{label}</b><br>" + t("window.hover_recommended", days=rec)
                    + "<extra></extra>",
                )
            )  # fmt: skip
    fig.add_hline(
        y=threshold, line={"color": BAD, "dash": "dash", "width": 1.5},
        annotation_text=t("window.threshold_line", share=i18n.fmt_pct(threshold, 0)),
        annotation_position="top left", annotation_font_color=BAD,
    )  # fmt: skip
    _current_window_line(fig, window, "top left")
    fig.update_xaxes(title=t("window.days_axis"), rangemode="tozero")
    fig.update_yaxes(title=t("window.share_axis"), tickformat=".0%", range=[0, 1.02])
    return style(fig, height=460)


@memo
def whatif(frame: pl.DataFrame, window: int) -> go.Figure:
    """Lost share and churn rate of the last complete period against one window W for everyone; the
    current W marked with a vertical line and markers on both curves.
    Reads `frame`: window, lost_share, churn_rate, lost, customers, lapsed, active_start."""
    fig = go.Figure()
    x = frame["window"].to_numpy()
    series = (
        ("lost_share", t("window.lost_share"), PALETTE[0], frame.select("lost", "customers").to_numpy()),
        ("churn_rate", t("window.churn_rate"), PALETTE[1],
         frame.select("lapsed", "active_start").to_numpy()),
    )  # fmt: skip
    for col, name, color, custom in series:
        fig.add_trace(
            go.Scatter(
                x=x, y=frame[col].to_numpy(), mode="lines", name=name, line={"color": color, "width": 2.5},
                customdata=custom,
                hovertemplate=f"<b>{name}</b> · W = %{{x}}: %{{y:.1%}}<br>%{{customdata[0]:,}} / %{{customdata[1]:,}}"
                "<extra></extra>",
            )
        )  # fmt: skip
        at = frame.filter(pl.col("window") == window)
        if not at.is_empty() and at[col][0] is not None:
            fig.add_trace(
                go.Scatter(
                    x=[window], y=[at[col][0]], mode="markers", showlegend=False, hoverinfo="skip",
                    marker={"color": color, "size": 11, "line": {"color": "white", "width": 1}},
                )
            )  # fmt: skip
    _current_window_line(fig, window, "top right")
    fig.update_xaxes(title=t("window.window_axis"), rangemode="tozero")
    fig.update_yaxes(title=t("window.rate_axis"), tickformat=".0%", rangemode="tozero")
    return style(fig, height=420)


def _current_window_line(fig: go.Figure, window: int, position: str) -> None:
    """The current window W as a dotted vertical line, labelled at `position`."""
    fig.add_vline(
        x=window, line={"color": NEUTRAL, "dash": "dot", "width": 1.5},
        annotation_text=t("window.current_line", days=window), annotation_position=position,
        annotation_font_color=NEUTRAL,
    )  # fmt: skip
