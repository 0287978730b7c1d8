"""CLI `status` (counts, or one row per customer) and `migrations`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, add_range, date_range
from retention.db import Dataset
from retention.params import Params
from retention.queries.lifecycle import customer_statuses, migrations, status_counts


def _status_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--by-customer", dest="by_customer", action="store_true", help="one row per customer")


def _status(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    if args.by_customer:
        return customer_statuses(ds, p).select("customer_id", "status")
    return status_counts(ds, p)


def _migrations(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    date_from, date_to = date_range(args, p, required=True)
    return migrations(ds, p, date_from, date_to)


def register(add) -> None:
    add("status", Report("customers per lifecycle status at T (or each customer's status)", _status, _status_options))
    add("migrations", Report("customers per (status at --from, status at --to)", _migrations, add_range))
