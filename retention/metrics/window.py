"""Pure polars shaping for the return window page: recommended windows from return curves, and the
figures the page's sentences read."""

from __future__ import annotations

import polars as pl

from retention.codes import DEFAULT_WINDOWS


def recommend_from_curves(curves: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Per segment of a return-curve frame (in its order, '*' first): `segment`, `recommended_window` (the
    smallest `days` with `return_share <= threshold`, null when none), `silences` (closed gaps and open
    silences of the segment)."""
    if curves.is_empty():
        return pl.DataFrame(schema={"segment": pl.String, "recommended_window": pl.Int32, "silences": pl.Int64})
    order = curves.select("segment").unique(maintain_order=True).with_row_index("_order")
    out = (
        curves.group_by("segment")
        .agg(
            pl.col("days").filter(pl.col("return_share") <= threshold).min().alias("recommended_window"),
            pl.col("silences").first(),
        )
        .join(order, on="segment")
        .sort("_order")
        .drop("_order")
    )
    return out.with_columns(pl.col("recommended_window").cast(pl.Int32), pl.col("silences").cast(pl.Int64))


def share_at(curve: pl.DataFrame, days: int) -> float | None:
    """return_share of the overall curve at d = days (None when beyond the curve or undefined)."""
    row = (
        curve.filter((pl.col("segment") == "*") & (pl.col("days") == days))
        if "segment" in curve.columns
        else (curve.filter(pl.col("days") == days))
    )
    return None if row.is_empty() else row["return_share"][0]


def recommended_map(recs: pl.DataFrame) -> dict[str, int]:
    """{segment value: recommended window} for the segments that have one (the '*' row excluded)."""
    rows = recs.filter((pl.col("segment") != "*") & pl.col("recommended_window").is_not_null())
    return {s: int(w) for s, w in rows.select("segment", "recommended_window").iter_rows()}


def whatif_at(whatif: pl.DataFrame, window: int) -> dict | None:
    """The what-if row of one window, as a dict (None when the grid does not hold it)."""
    row = whatif.filter(pl.col("window") == window)
    return None if row.is_empty() else row.row(0, named=True)


def page_whatif_grid(window: int, max_window: int = 730) -> tuple[int, ...]:
    """The page's what-if grid: every week up to max_window, the CLI's default windows and the current W."""
    return tuple(sorted({*range(7, max_window + 1, 7), *DEFAULT_WINDOWS, int(window)}))


def with_windows_in_use(
    recs: pl.DataFrame, window: int, window_by: str | None, window_map: dict[str, int], by: str | None
) -> pl.DataFrame:
    """Add `window_in_use`: the window the other pages use for each segment row now. With a map by another
    attribute a segment (and '*') mixes windows, so the cell is null; '*' is null whenever a map is active."""
    active = bool(window_by and window_map)
    if not active:
        return recs.with_columns(pl.lit(window, dtype=pl.Int32).alias("window_in_use"))
    if window_by != by:
        return recs.with_columns(pl.lit(None, dtype=pl.Int32).alias("window_in_use"))
    return recs.with_columns(
        pl.when(pl.col("segment") == "*")
        .then(pl.lit(None, dtype=pl.Int32))
        .otherwise(pl.col("segment").replace_strict(window_map, default=window, return_dtype=pl.Int32))
        .alias("window_in_use")
    )


def for_display(table: pl.DataFrame, everyone: str, no_window: str) -> pl.DataFrame:
    """The recommendations table as shown: '*' named for people, a missing window as a word, not 'None'."""
    return table.with_columns(
        pl.when(pl.col("segment") == "*").then(pl.lit(everyone)).otherwise(pl.col("segment")).alias("segment"),
        pl.col("recommended_window").cast(pl.String).fill_null(no_window),
    )


def drawn_segments(curves: pl.DataFrame, recs: pl.DataFrame, max_lines: int) -> list[str]:
    """The segments of `curves` (columns `segment`) drawn as lines, in their order: all of them, or '*' and
    the `max_lines` largest by `silences` of `recs` (columns `segment, silences`) when there are more."""
    segments = curves["segment"].unique(maintain_order=True).to_list()
    if len(segments) > max_lines + 1 and "silences" in recs.columns:
        largest = set(recs.filter(pl.col("segment") != "*").top_k(max_lines, by="silences")["segment"].to_list())
        segments = [s for s in segments if s == "*" or s in largest]
    return segments


def whatif_reading(grid: pl.DataFrame, curves: pl.DataFrame, window: int, period: str) -> tuple[str, str, str]:
    """The what-if's reading at the current W: the lost / returned sentence, the churn sentence of the last
    complete period, and that period's label."""
    from retention import i18n
    from retention.i18n import t

    now = whatif_at(grid, window)
    returned = i18n.fmt_pct(share_at(curves, window), 0)
    reading = t("window.reading", window=window, lost=i18n.fmt_pct(now["lost_share"], 0), returned=returned)
    label = i18n.fmt_period(now["period_start"], period)
    if now["churn_rate"] is None:
        return reading, t("window.reading_no_churn"), label
    return reading, t("window.reading_churn", period=label, churn=i18n.fmt_pct(now["churn_rate"], 1)), label
