"""CLI `alerts`: the early-warning list."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _date, _positive_int
from retention.db import Dataset
from retention.errors import InputError
from retention.params import Params
from retention.queries.alerts import alert_list, new_alert_list


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--include-at-risk", dest="include_at_risk", action="store_true", help="list at-risk customers too"
    )
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="at most N customers (default: all)")
    parser.add_argument(
        "--new-since", dest="new_since", type=_date, metavar="DATE",
        help="only the customers who were not on the same list as of DATE (YYYY-MM-DD, on or before T); "
        "--limit applies after",
    )  # fmt: skip


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    since = getattr(args, "new_since", None)
    if since is None:
        return alert_list(ds, p, include_at_risk=args.include_at_risk, limit=args.limit)
    if since > p.as_of:
        raise InputError(f"--new-since {since} is after the as-of date {p.as_of}; expected a date on or before it.")
    return new_alert_list(ds, p, since, include_at_risk=args.include_at_risk, limit=args.limit)


def register(add) -> None:
    add("alerts", Report("customers silent for longer than usual, by revenue of the last 365 days", _run, _options))
