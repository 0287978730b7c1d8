"""From -> to frames (status or segment migrations, contact flows): the totals per side their charts draw."""

from __future__ import annotations

import polars as pl


def flow_totals(cells: pl.DataFrame, source: str, target: str, value: str = "customers") -> tuple[dict, dict]:
    """The sum of `value` per `source` code and per `target` code (columns `source, target, value`)."""

    def per(column: str) -> dict:
        return dict(cells.group_by(column).agg(pl.col(value).sum()).iter_rows())

    return per(source), per(target)
