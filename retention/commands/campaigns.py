"""CLI `campaigns`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, _positive_int
from retention.db import Dataset
from retention.params import Params
from retention.queries.campaigns import report_table


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--attribution-days", dest="attribution_days", type=_positive_int, metavar="N",
        help="days after a contact in which a purchase counts as won back (default: RETENTION_ATTRIBUTION_DAYS, 30)",
    )  # fmt: skip
    parser.add_argument(
        "--by", metavar="KEY",
        help="split each campaign by status_before (status the day before the contact), tier_before (value tier "
        "that day) or a customer attribute; the key's value is the second column, by_value",
    )  # fmt: skip


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    if args.attribution_days is not None:
        p = p.with_(attribution_days=args.attribution_days)
    return report_table(ds, p, args.by)


def register(add) -> None:
    add(
        "campaigns",
        Report("win-back campaigns: won back, rates, revenue, cost, ROI and uplift over control", _run, _options),
    )
