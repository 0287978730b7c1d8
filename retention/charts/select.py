"""Grids whose cells can be selected: Streamlit reports no click on a heatmap cell, so a copy of the heatmap
gets a layer of invisible square markers, one per cell with a value, that supports point selection. Each
marker carries the hover text of its cell and `customdata` "row:column" (indices into z) of the heatmap's z."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
import plotly.graph_objects as go

_CACHE: OrderedDict[int, tuple[go.Figure, go.Figure]] = OrderedDict()
_LOCK = threading.Lock()
ENTRIES = 16
HIGHLIGHT = "#f97316"


def pickable(fig: go.Figure, marker_size: int = 40) -> go.Figure:
    """A copy of `fig` (its first trace a heatmap) with a selectable marker over every cell with a value; the
    heatmap's own hover is moved onto the markers. Copies are kept per figure object: the builders reuse a
    figure for equal arguments (charts.memo), so the copy is reused too, and `fig` itself is never changed."""
    with _LOCK:
        hit = _CACHE.get(id(fig))
        if hit is not None and hit[0] is fig:
            _CACHE.move_to_end(id(fig))
            return hit[1]
    out = _build(fig, marker_size)
    with _LOCK:
        _CACHE[id(fig)] = (fig, out)
        while len(_CACHE) > ENTRIES:
            _CACHE.popitem(last=False)
    return out


def _build(fig: go.Figure, marker_size: int) -> go.Figure:
    heat = fig.data[0]
    z = np.asarray(heat.z, dtype=float)
    xs, ys = list(heat.x), list(heat.y)
    hover = np.asarray(heat.customdata, dtype=object) if heat.customdata is not None else None
    rows, cols = np.nonzero(~np.isnan(z))
    out = go.Figure(fig)
    # the hover moves onto the markers: the heatmap keeps none (and does not send its hover texts twice)
    out.data[0].update(hoverinfo="skip", hovertemplate=None, customdata=None)
    out.add_trace(
        go.Scatter(
            x=[xs[j] for j in cols], y=[ys[i] for i in rows], mode="markers",
            marker={"symbol": "square", "size": marker_size, "color": HIGHLIGHT, "opacity": 0},
            selected={"marker": {"opacity": 0.45, "size": 14}}, unselected={"marker": {"opacity": 0}},
            customdata=[f"{i}:{j}" for i, j in zip(rows, cols, strict=True)],
            text=[hover[i, j] for i, j in zip(rows, cols, strict=True)] if hover is not None else None,
            hovertemplate="%{text}<extra></extra>" if hover is not None else None,
            showlegend=False, name="",
        )
    )  # fmt: skip
    return out


def picked_cell(event: object, fig: go.Figure) -> tuple[int, int] | None:
    """(row index, column index) of the heatmap cell selected in a `st.plotly_chart(pickable(fig), ...)`
    event, or None."""
    layer = len(fig.data) - 1
    for point in _points(event):
        if point.get("curve_number") == layer and point.get("customdata") is not None:
            row, _, col = str(point["customdata"]).partition(":")
            return int(row), int(col)
    return None


def picked_index(event: object, curve: int | None = 0) -> int | None:
    """The point index of the first selected point of trace `curve` (a bar, a waterfall step; any trace when
    None, for bars stacked by category over the same x), or None."""
    for point in _points(event):
        if curve in (None, point.get("curve_number", 0)) and point.get("point_index") is not None:
            return int(point["point_index"])
    return None


def _points(event: object) -> list[dict]:
    try:
        return list(event["selection"]["points"])  # type: ignore[index]
    except (KeyError, TypeError):
        return []
