"""RFM scores, segments, value tiers and segment migrations (METRICS.md "RFM and value tiers")."""

from __future__ import annotations

import datetime as dt

import polars as pl

from retention import codes
from retention.db import Dataset, engine
from retention.errors import InputError
from retention.params import Params, check_range
from retention.queries.cached import query

# Rule order of METRICS.md; charts, tables and the migration report follow it.
SEGMENTS = codes.SEGMENTS
TIERS = codes.TIERS
NOT_YET = codes.NOT_YET
LEVELS = ("segment", "tier")

RFM_COLUMNS = ["customer_id", "recency", "frequency", "monetary", "r", "f", "m", "segment", "tier"]
MIGRATION_COLUMNS = ["from_segment", "to_segment", "customers"]


@query("rfm", maxsize=32)
def rfm_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """One row per customer with a purchase day on or before T, sorted by customer_id (text):
    `customer_id`, `recency` (days), `frequency` (purchase days), `monetary` (all rows, refunds included),
    `r`, `f`, `m` (scores 1..5), `segment` (one of SEGMENTS), `tier` (one of TIERS)."""
    return engine(ds).run("rfm", p.sql()).select(RFM_COLUMNS)


def level_order(level: str) -> tuple[str, ...]:
    """The codes of a migration level, `not_yet` first."""
    return (NOT_YET, *(SEGMENTS if level == "segment" else TIERS))


@query("segment_migrations", maxsize=32)
def segment_migrations(ds: Dataset, p: Params, date_from: dt.date, date_to: dt.date, level: str) -> pl.DataFrame:
    """Cells (`from_segment`, `to_segment`, `customers`) with customers > 0, between T1 = date_from and
    T2 = date_to (both on or before T, T1 <= T2), by RFM segment or value tier; rows in the order of
    level_order (from, then to)."""
    if level not in LEVELS:
        raise InputError(f"Level '{level}' is not one of: {', '.join(LEVELS)}.")
    check_range(p, date_from, date_to)
    frame = engine(ds).run("segment_migrations", p.sql() | {"date_from": date_from, "date_to": date_to, "level": level})
    rank = {code: i for i, code in enumerate(level_order(level))}
    return (
        frame.with_columns(
            pl.col("from_segment").replace_strict(rank, return_dtype=pl.Int32).alias("_a"),
            pl.col("to_segment").replace_strict(rank, return_dtype=pl.Int32).alias("_b"),
        )
        .sort("_a", "_b")
        .select(MIGRATION_COLUMNS)
    )
