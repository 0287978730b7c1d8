"""Plotly figure builders: frame in, figure out (no streamlit)."""

from __future__ import annotations

import plotly.graph_objects as go

from retention import i18n

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"]
GOOD, BAD, NEUTRAL = "#16a34a", "#dc2626", "#64748b"
FONT = "Inter, 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"


def style(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """The house look: white background, readable fonts (CJK included), compact margins, hover labels."""
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}} if title else None,
        template="plotly_white",
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        separators=".,",
    )
    return fig


def money_prefix(currency: str) -> str:
    return i18n.currency_symbol(currency)
