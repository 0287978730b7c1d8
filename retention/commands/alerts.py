"""CLI `alerts`: the early-warning list."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _positive_int
from retention.db import Dataset
from retention.params import Params
from retention.queries.alerts import alert_list


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-at-risk", dest="include_at_risk", action="store_true", help="list at-risk customers too"
    )
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="at most N customers (default: all)")


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return alert_list(ds, p, include_at_risk=args.include_at_risk, limit=args.limit)


def register(add) -> None:
    add("alerts", Report("customers silent for longer than usual, by revenue of the last 365 days", _run, _options))
