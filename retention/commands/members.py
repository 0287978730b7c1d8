"""CLI `members`: the customers behind a count of a report (METRICS.md "Who is behind a number")."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _date
from retention.db import Dataset
from retention.params import Params
from retention.queries.members import KINDS, members


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--of", dest="of", required=True, metavar="KIND:...",
        help="the set: " + ", ".join(KINDS.values()),
    )  # fmt: skip
    parser.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE",
        help="first date: the migration's T1 (required there), or the start of a reason's range (optional)",
    )  # fmt: skip
    parser.add_argument(
        "--to", dest="date_to", type=_date, metavar="DATE",
        help="second date: the migration's T2 (required there), or the end of a reason's range (optional)",
    )  # fmt: skip


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return members(ds, p, args.of, args.date_from, args.date_to)


def register(add) -> None:
    add(
        "members",
        Report("the customers behind a count: one row per customer with status and attributes", _run, _options),
    )
