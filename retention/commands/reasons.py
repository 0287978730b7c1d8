"""CLI `reasons` and `reasons-summary`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, add_range, date_range
from retention.db import Dataset
from retention.params import Params
from retention.queries.reasons import REASON_COLUMNS, SUMMARY_COLUMNS, reason_summary, reason_table


def _reasons(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return reason_table(ds, p, *date_range(args, p)).select(REASON_COLUMNS)


def _summary(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    row = reason_summary(ds, p, *date_range(args, p))
    return pl.DataFrame(
        [{k: row[k] for k in SUMMARY_COLUMNS}],
        schema={"rows": pl.Int64, "controllable_share": pl.Float64, "unexplained_lapses": pl.Int64},
    )


def register(add) -> None:
    add(
        "reasons", Report("churn reasons: count, share, cumulative share, lost revenue per reason", _reasons, add_range)
    )
    add("reasons-summary", Report("churn reasons: rows, controllable share, unexplained lapses", _summary, add_range))
