"""CLI `rfm` and `segment-migrations`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report, add_range, date_range
from retention.db import Dataset
from retention.params import Params
from retention.queries.rfm import LEVELS, rfm_table, segment_migrations


def _rfm(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return rfm_table(ds, p)


def _migration_options(parser: argparse.ArgumentParser) -> None:
    add_range(parser)
    parser.add_argument(
        "--level", choices=LEVELS, default="segment", help="compare segments or tiers (default: segment)"
    )


def _migrations(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    start, end = date_range(args, p, required=True)
    return segment_migrations(ds, p, start, end, args.level)


def register(add) -> None:
    add("rfm", Report("RFM scores, segment and value tier of each customer", _rfm))
    add(
        "segment-migrations",
        Report("customers moving between RFM segments (or value tiers) from --from to --to", _migrations,
               _migration_options),
    )  # fmt: skip
