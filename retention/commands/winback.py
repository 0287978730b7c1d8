"""CLI `winback`, `slowing` and `retention-value`: who to win back, who is slowing down, what retention is worth."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _positive_int
from retention.db import Dataset
from retention.params import Params
from retention.queries.profit import retention_value
from retention.queries.winback import slowing_list, winback_list


def _points(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of numbers, such as 1,5,10") from None
    if not values or min(values) <= 0 or max(values) > 100:
        raise argparse.ArgumentTypeError(f"'{text}' needs points above 0 and at most 100, such as 1,5,10")
    return values


def _winback_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exclude-recent", dest="exclude_recent", action="store_true",
        help="leave out the customers contacted in the last RETENTION_RECENT_CONTACT_DAYS days (30) before T",
    )  # fmt: skip
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="print the first N customers only")


def _slowing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="print the first N customers only")


def _value_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--points", type=_points, default=[5], metavar="X,Y",
        help="points of retention (churn that many points lower) to value, comma-separated (default: 5)",
    )  # fmt: skip


def _winback(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return winback_list(ds, p, exclude_recent=args.exclude_recent, limit=args.limit)


def _slowing(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return slowing_list(ds, p, limit=args.limit)


def _value(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    points = tuple(int(x) if float(x).is_integer() else x for x in args.points)
    return retention_value(ds, p, points)


def register(add) -> None:
    add("winback", Report("lost customers worth a call, by what they spent in their last year with us", _winback, _winback_options))
    add("slowing", Report("regulars whose visits or spending fell below their own baseline", _slowing, _slowing_options))
    add("retention-value", Report("what points of retention are worth in customers, revenue and profit", _value, _value_options))
