"""Plotly figure builders: frame in, figure out (no streamlit)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

# plotly imports pandas lazily from inside its validators; a second script thread could then find the
# module half-initialised (seen under load: "partially initialized module 'pandas'"). So it is imported with
# the figure builders, before any page thread can draw; not in retention.ui, where it cost the first page
# (the Overview, no chart) 0.6 s.
import pandas  # noqa: F401
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

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


# -- figures reused across reruns --------------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., go.Figure])
MEMO_ENTRIES = 16  # figures kept per builder (each page run asks for one per chart)


class _Uncacheable(Exception):
    """An argument whose equality the fingerprint cannot vouch for: the figure is built, not reused."""


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime)


def _fingerprint(value: object) -> object:
    """A hashable digest of a builder's argument: frames by schema and the hashes of their rows, in order;
    plain values by type and repr; containers element by element. Anything else is _Uncacheable."""
    if isinstance(value, _PLAIN):
        return (type(value).__name__, repr(value))
    if isinstance(value, pl.DataFrame):
        digest = hashlib.blake2b(value.hash_rows(seed=0).to_numpy().tobytes(), digest_size=16).hexdigest()
        return ("frame", tuple((n, str(t)) for n, t in value.schema.items()), value.height, digest)
    if isinstance(value, pl.Series):
        return ("series", value.name, _fingerprint(value.to_frame()))
    if isinstance(value, dict):
        return ("dict", tuple((_fingerprint(k), _fingerprint(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_fingerprint(v) for v in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, _fingerprint(dataclasses.astuple(value)))
    raise _Uncacheable(type(value).__name__)


def memo(builder: F) -> F:
    """Reuse the figure built from equal arguments in the same language (a rerun that shows a view seen
    before costs no plotly work: building a figure costs plotly 10-100 ms of validation). Bounded LRU,
    shared by sessions; the figure is never changed after it is built (st.plotly_chart only reads it)."""
    cache: OrderedDict[object, go.Figure] = OrderedDict()
    lock = threading.Lock()

    @functools.wraps(builder)
    def wrapper(*args, **kwargs):
        try:
            key = (_fingerprint(args), _fingerprint(sorted(kwargs.items())), i18n.language())
        except (_Uncacheable, pl.exceptions.PolarsError):
            return builder(*args, **kwargs)
        with lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
        fig = builder(*args, **kwargs)
        with lock:
            cache[key] = fig
            while len(cache) > MEMO_ENTRIES:
                cache.popitem(last=False)
        return fig

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def heat_cells(rows: list, cols: list, cell: Callable[[object, object], tuple]) -> tuple[list, list, list]:
    """A heatmap's z, text and hover, one list per row: `cell(row, col)` gives one cell's (z, text, hover)."""
    z, text, hover = [], [], []
    for r in rows:
        zr, tr, hr = zip(*(cell(r, c) for c in cols), strict=True) if cols else ((), (), ())
        z.append(list(zr)), text.append(list(tr)), hover.append(list(hr))
    return z, text, hover
