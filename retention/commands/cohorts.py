"""CLI `cohorts`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report
from retention.db import Dataset
from retention.params import Params
from retention.queries.cohorts import active_table, cohort_columns, cohort_table


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--metric", choices=("active", "alive", "revenue", "all"), default="all", help="which metric (default: all)"
    )


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    if args.metric == "active":
        return active_table(ds, p).select(cohort_columns("active"))
    return cohort_table(ds, p).select(cohort_columns(args.metric))


def register(add) -> None:
    add("cohorts", Report("cohort tables: active, alive and revenue per cohort and k", _run, _options))
