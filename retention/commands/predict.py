"""CLI `predict`, `predict-fit` and `predict-check` (METRICS.md "Predictions")."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _positive_int
from retention.db import Dataset
from retention.params import Params

# retention.queries.predict brings scipy when a report fits (1 s to import): imported by these reports only.


def _predict_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--horizon", type=_positive_int, metavar="DAYS",
        help="days ahead the predictions look (default: RETENTION_HORIZON, 365)",
    )  # fmt: skip
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="print only the first N customers")


def _predict(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    from retention.queries.predict import PREDICT_COLUMNS, predictions

    if args.horizon is not None:
        p = p.with_(horizon=args.horizon)
    frame = predictions(ds, p).select(PREDICT_COLUMNS)
    return frame.head(args.limit) if args.limit else frame


def _fit(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    from retention.queries.predict import FIT_COLUMNS, fit_table

    return fit_table(ds, p).select(FIT_COLUMNS)


def _check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--holdout-days", dest="holdout_days", type=_positive_int, required=True, metavar="H",
        help="days after the as-of date whose purchases are compared with the prediction (required)",
    )  # fmt: skip


def _check(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    from retention.queries.predict import CHECK_COLUMNS, holdout_check

    return holdout_check(ds, p, args.holdout_days).select(CHECK_COLUMNS)


def register(add) -> None:
    add(
        "predict",
        Report("per customer: P(alive), expected purchases, spend and predicted value over the horizon",
               _predict, _predict_options),
    )  # fmt: skip
    add("predict-fit", Report("the fitted BG/NBD and Gamma-Gamma parameters and log-likelihoods", _fit))
    add(
        "predict-check",
        Report("holdout check: mean predicted vs actual purchase days after the as-of date, by x",
               _check, _check_options),
    )  # fmt: skip
