"""The expected return window (METRICS.md "Return curve and the recommended window"): return curves,
recommended windows per segment, and the what-if sweep of one window for everyone."""

from __future__ import annotations

import polars as pl

from retention.codes import DEFAULT_WINDOWS
from retention.db import Dataset, engine
from retention.errors import InputError
from retention.metrics.window import recommend_from_curves
from retention.params import Params, attributes
from retention.queries.cached import query

CURVE_COLUMNS = ["days", "return_share"]
RECOMMEND_COLUMNS = ["segment", "recommended_window"]
WHATIF_COLUMNS = ["window", "lost_share", "churn_rate"]
MAX_DAYS_LIMIT = 36_500
PAGE_MAX_DAYS = 730  # the page's curves: the CLI's recommend default; the sidebar window goes up to 730 too


def curve_params(p: Params) -> Params:
    """The return curve depends on T and the segment filters only (not on W, the map or the threshold):
    keep just those, so one cache entry serves every window and threshold."""
    return Params(as_of=p.as_of, filters=p.filters)


def whatif_params(p: Params) -> Params:
    """The what-if sweeps its own windows (the map is ignored): T, the filters and the period matter."""
    return Params(as_of=p.as_of, filters=p.filters, period=p.period)


def check_attribute(ds: Dataset, by: str | None) -> str:
    """'' for none, else an attribute of the customers table (the allow-list), or an InputError."""
    if not by:
        return ""
    allowed = attributes(ds)
    if by not in allowed:
        raise InputError(
            f"--by '{by}': the customers table has no such attribute; expected one of: "
            f"{', '.join(allowed) or '(none: add a customers table with attribute columns)'}."
        )
    return by


def check_max_days(max_days: int) -> int:
    if not 1 <= max_days <= MAX_DAYS_LIMIT:
        raise InputError(f"--max-days {max_days}: expected a whole number of days from 1 to {MAX_DAYS_LIMIT}.")
    return int(max_days)


def return_curves(ds: Dataset, p: Params, by: str | None = None, max_days: int = 365) -> pl.DataFrame:
    """Return curve overall (`segment` '*', first) and per value of attribute `by` (customers without a
    value only in '*'): `segment`, `days` (1..max_days), `returned` (closed gaps longer than d),
    `still_silent` (open silences of at least d days), `return_share` (null when both are 0), `silences`
    (all closed gaps and open silences of the segment)."""
    return _curves(ds, curve_params(p), check_attribute(ds, by), check_max_days(max_days))


@query("window_curve", maxsize=32)
def _curves(ds: Dataset, p: Params, by: str, max_days: int) -> pl.DataFrame:
    """`segment`, `days`, `returned`, `still_silent`, `return_share`, `silences` (return_curves)."""
    frame = engine(ds).run("window_curve", p.sql() | {"by": by, "max_days": max_days})
    return frame.select("segment", "days", "returned", "still_silent", "return_share", "silences")


def return_curve(ds: Dataset, p: Params, max_days: int = 365) -> pl.DataFrame:
    """The overall return curve: `days`, `return_share`, `returned`, `still_silent` (CLI `return-curve`)."""
    return return_curves(ds, p, None, max_days).drop("segment")


def recommend(
    ds: Dataset, p: Params, by: str | None = None, threshold: float | None = None, max_days: int = 730
) -> pl.DataFrame:
    """Recommended window: `segment` ('*' first, then the values of `by`), `recommended_window` (smallest d
    in 1..max_days with return_share(d) <= threshold, null when none), `silences` (closed gaps plus open
    silences of the segment). Recomputes only the cheap polars step when just the threshold changes."""
    threshold = p.return_threshold if threshold is None else float(threshold)
    if not 0 <= threshold <= 1:
        raise InputError(f"--threshold {threshold}: expected a share between 0 and 1 (example: 0.1).")
    return recommend_from_curves(return_curves(ds, p, by, max_days), threshold)


def parse_windows(windows: object) -> tuple[int, ...]:
    values = tuple(sorted({int(w) for w in windows}))  # type: ignore[union-attr]
    if not values or values[0] < 1:
        raise InputError("--windows: expected whole numbers of at least 1 day (example: 30,60,90).")
    return values


def whatif(ds: Dataset, p: Params, windows: tuple[int, ...] = DEFAULT_WINDOWS) -> pl.DataFrame:
    """One window W for everyone (the map is ignored), per W of the grid (ascending, distinct): `window`,
    `lost_share`, `churn_rate` (last complete period), `lost`, `customers`, `active_start`, `lapsed`,
    `period_start`, `period_end` (the last complete period)."""
    return _whatif(ds, whatif_params(p), parse_windows(windows))


@query("window_whatif", maxsize=32)
def _whatif(ds: Dataset, p: Params, windows: tuple[int, ...]) -> pl.DataFrame:
    """`window`, `lost_share`, `churn_rate`, `lost`, `customers`, `active_start`, `lapsed`, `period_start`,
    `period_end` (whatif)."""
    return engine(ds).run("window_whatif", p.sql() | {"windows": list(windows)})
