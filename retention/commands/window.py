"""CLI `return-curve`, `recommend` and `whatif` (the expected return window)."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _fraction, _int_list, _positive_int
from retention.db import Dataset
from retention.params import Params
from retention.queries.window import (
    CURVE_COLUMNS,
    DEFAULT_WINDOWS,
    RECOMMEND_COLUMNS,
    WHATIF_COLUMNS,
    recommend,
    return_curve,
    whatif,
)


def _curve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-days", dest="max_days", type=_positive_int, default=365, metavar="N", help="longest silence in days"
    )


def _curve(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return return_curve(ds, p, args.max_days).select(CURVE_COLUMNS)


def _recommend_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by", metavar="ATTRIBUTE", help="segment attribute (without it: only the '*' row)")
    parser.add_argument("--threshold", type=_fraction, metavar="X", help="default: RETENTION_RETURN_THRESHOLD")
    parser.add_argument(
        "--max-days", dest="max_days", type=_positive_int, default=730, metavar="N", help="longest silence in days"
    )


def _recommend(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return recommend(ds, p, args.by, args.threshold, args.max_days).select(RECOMMEND_COLUMNS)


def _whatif_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--windows", type=_int_list, default=list(DEFAULT_WINDOWS), metavar="30,60,90",
        help="windows to sweep, one for everyone (the window map is ignored)",
    )  # fmt: skip


def _whatif(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return whatif(ds, p, tuple(args.windows)).select(WHATIF_COLUMNS)


def register(add) -> None:
    add(
        "return-curve",
        Report("return curve: share of silences of d days that ended in a return", _curve, _curve_options),
    )
    add(
        "recommend",
        Report("recommended expected return window, overall and per segment", _recommend, _recommend_options),
    )
    add(
        "whatif", Report("lost share and churn rate for a grid of windows (one for everyone)", _whatif, _whatif_options)
    )
