"""Every code list of the product in one place: its codes in order, each code's colour and its i18n key.

SQL reads the orders through `Params.sql()` (`$status_codes`, `$rf_segments`), metrics and charts import
them from here, pages label codes with `i18n.label(kind, code)` (key `codes.KIND.CODE`). Change a colour,
an order or the RFM segment rule here and every report, table and chart follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


@dataclass(frozen=True)
class CodeList:
    """The codes of one kind in their order, with a colour each (`colour(code)`) and an i18n key each."""

    kind: str
    codes: tuple[str, ...]
    colours: dict[str, str]

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def rank(self, code: str) -> int:
        """1-based position of a code in the order."""
        return self.codes.index(code) + 1

    def colour(self, code: str, default: str | None = None) -> str | None:
        return self.colours.get(code, default)

    def key(self, code: str) -> str:
        """The i18n key of a code's display name (`i18n.label(kind, code)` reads it)."""
        return f"codes.{self.kind}.{code}"


# The origin of a migration or a campaign flow: a customer with no status / segment / tier yet.
NOT_YET = "not_yet"
NOT_YET_COLOUR = "#cbd5e1"

# Statuses of METRICS.md "Status as of T", in rule order (first matching rule wins, `prospect` first). SQL:
# `status_order` of _status_rule.sql is built from $status_codes in this order.
STATUS = CodeList(
    "status",
    ("prospect", "lost", "reactivated", "new", "alert", "loyal", "at_risk"),
    {
        "prospect": "#94a3b8",
        "lost": "#991b1b",
        "reactivated": "#9333ea",
        "new": "#2563eb",
        "alert": "#f97316",
        "loyal": "#16a34a",
        "at_risk": "#eab308",
        NOT_YET: NOT_YET_COLOUR,
    },
)
STATUSES = STATUS.codes
# The order of a customer's journey (the campaign flow reads left to right, top to bottom in it).
STATUS_JOURNEY = (NOT_YET, "prospect", "new", "at_risk", "alert", "loyal", "lost", "reactivated")


def segment_of(r: int, f: int) -> str:
    """The RFM segment rule of METRICS.md from the R and F scores (1..5): the one place it is written."""
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 3 and f >= 3:
        return "loyal"
    if r >= 4:
        return "promising"
    if r == 3:
        return "needs_attention"
    if f >= 3:
        return "at_risk"
    return "hibernating"


SCORES = (1, 2, 3, 4, 5)
# The segment of each (r, f) cell, r-major: SQL looks a customer's segment up as
# `$rf_segments[(r - 1) * 5 + f]` (_rfm.sql), the grid of the Customer value page reads the same list.
RF_SEGMENTS = tuple(segment_of(r, f) for r in SCORES for f in SCORES)

SEGMENT = CodeList(
    "segment",
    ("champions", "loyal", "promising", "needs_attention", "at_risk", "hibernating"),
    {
        "champions": "#16a34a",
        "loyal": "#2563eb",
        "promising": "#0891b2",
        "needs_attention": "#ca8a04",
        "at_risk": "#dc2626",
        "hibernating": "#64748b",
        NOT_YET: NOT_YET_COLOUR,
    },
)
# Value tiers (by monetary percent_rank: high >= 0.8, mid >= 0.5, else low; the cut-offs live in _rfm.sql).
TIER = CodeList(
    "tier", ("high", "mid", "low"), {"high": "#1d4ed8", "mid": "#60a5fa", "low": "#cbd5e1", NOT_YET: "#e5e7eb"}
)
SEGMENTS = SEGMENT.codes
TIERS = TIER.codes

# Churn reason categories (METRICS.md "Churn reasons"), `uncategorised` for a code without one.
CATEGORY = CodeList(
    "category",
    ("controllable", "uncontrollable", "uncategorised"),
    {"controllable": "#2563eb", "uncontrollable": "#f97316", "uncategorised": "#94a3b8"},
)

# Period lengths (METRICS.md "Parameters"); i18n keys `sidebar.period_NAME`.
PERIODS = ("week", "month", "quarter")


def in_order(frame: pl.DataFrame, column: str, order: Sequence[str]) -> pl.DataFrame:
    """The rows of `frame` sorted by the position of their `column` code in `order` (every code must be in it)."""
    import polars as pl

    rank = {code: i for i, code in enumerate(order)}
    return frame.sort(pl.col(column).replace_strict(rank, return_dtype=pl.Int32))


# The what-if grid of `whatif` (CLI default of --windows) and of the Return window page (days of silence).
DEFAULT_WINDOWS = (7, 14, 30, 45, 60, 90, 120, 180, 270, 365)
