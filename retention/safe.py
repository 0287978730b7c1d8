"""Data values made safe for where they go: CSV cells for spreadsheets, markdown, plotly hover text, labels.

Customer ids, attribute values, campaign names and comments come from the user's files and may hold
anything: formulas, HTML, markdown links, right-to-left overrides, 10,000 characters.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_START = r"^[=+\-@\t\r]"

# Characters that reorder the text around them (right-to-left overrides and isolates).
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"), "\ufffd")

LABEL_CHARS = 80


def excel_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that start with = + - @ tab or carriage return get a leading apostrophe; every other
    cell (numbers, dates, other text, nulls) is kept as it is."""
    import polars as pl

    columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not columns:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in columns
    )


def short(text: object, limit: int = LABEL_CHARS) -> str:
    """A value for a title, label or option: direction controls neutralised, cut to `limit` characters."""
    value = str(text).translate(BIDI_CONTROLS).replace("\n", " ").replace("\r", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


# Characters that start markdown (emphasis, links, images, code, math, strike, tables, headings, HTML) or a
# Streamlit directive (:red[...], :material/icon:) wherever they stand; `_` only at a word's edge.
_MD_ESCAPE = {c: "\\" + c for c in "\\`*[]$~|#&"}
_MD_ESCAPE.update({"<": "&lt;", ">": "&gt;", ":": "&#58;"})
_MD_TABLE = str.maketrans(_MD_ESCAPE)
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINE_START = re.compile(r"^([-+=.!()]|\d+[.)])")


def md_text(text: object, limit: int = LABEL_CHARS) -> str:
    """A data value to put inside st.markdown / st.caption / a widget label: shown as the literal text
    (no link, emphasis, colour, math, HTML, list), shortened to `limit` characters."""
    value = _EDGE_UNDERSCORE.sub(r"\\_", short(text, limit).translate(_MD_TABLE))
    return _LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], value)


def hover_text(text: object, limit: int = LABEL_CHARS) -> str:
    """A data value for plotly hover or axis text (plotly reads a few HTML tags there): tags shown as text."""
    # "%{" would start a template variable where the text is put inside a hovertemplate
    return html.escape(short(text, limit), quote=False).replace("%{", "%\u200b{")


def file_stem(name: str, limit: int = 80) -> str:
    """A download's file name from text that may hold a customer id: letters, digits, - _ . only."""
    stem = re.sub(r"[^\w.-]+", "_", short(name, limit), flags=re.ASCII).strip("._")
    return stem or "download"
