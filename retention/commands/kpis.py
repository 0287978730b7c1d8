"""CLI `kpis`."""

from __future__ import annotations

import argparse

import polars as pl

from retention.cli import Report
from retention.db import Dataset
from retention.params import Params
from retention.queries.profit import kpi_report


def _run(ds: Dataset, p: Params, args: argparse.Namespace) -> pl.DataFrame:
    return kpi_report(ds, p)


def register(add) -> None:
    add("kpis", Report("KPIs per period: active customers, new, reactivations, lapses, rates, revenue", _run))
