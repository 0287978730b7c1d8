"""Plotly figure builders: frame in, figure out (no streamlit)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from retention import i18n

PALETTE = ["#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"]
GOOD, BAD, NEUTRAL = "#16a34a", "#dc2626", "#64748b"
FONT = "Inter, 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"


# The house look as one template, merged once and made plotly's default: setting the template or these
# layout values per figure costs plotly 40-90 ms of validation each time, and a page draws five figures.
pio.templates["retention"] = pio.templates.merge_templates(
    pio.templates["plotly_white"],
    go.layout.Template(
        layout={
            "font": {"family": FONT, "size": 13},
            "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
            "hoverlabel": {"font": {"family": FONT}},
            "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
            "separators": ".,",
        }
    ),
)
pio.templates.default = "retention"


def style(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    """The house look (the "retention" template: white background, readable fonts with CJK, compact
    margins, legend on top), a height, and an optional title."""
    fig.layout.height = height
    if title:
        fig.update_layout(title={"text": title, "x": 0, "font": {"size": 16}}, margin={"t": 50})
    return fig


def money_prefix(currency: str) -> str:
    return i18n.currency_symbol(currency)
