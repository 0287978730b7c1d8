"""Profit and acquisition cost (METRICS.md "Inputs" Profit, "Profit and acquisition cost"): a cost column with
nulls, refunds and a null amount; the margin; replacement cost; campaigns' profit columns; retention value
by hand; the cost column's input rules; the CLI's columns and options."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from retention import db
from retention.errors import DataError
from retention.params import Params
from retention.queries import campaigns as q
from retention.queries.profit import KPI_REPORT_COLUMNS, kpi_report, retention_value, shows_profit
from tests.conftest import d, run_cli

TODAY = dt.date(2025, 1, 1)

# W = 10, T = Feb 20 (c's order). Profit of each row (margin m):
#   a Jan 5:  100 with cost 60 -> 40;  50 without cost -> 50m      (a's only purchase day: lapses Jan 16)
#   a Feb 10: refund -20 without cost -> -20m                       (a refund: no purchase day)
#   b Jan 20: refund -10 with cost 0 -> -10; null amount, cost 5 -> 0 (the null row is activity: lapses Jan 31)
#   b Feb 15: 30 with cost 10 -> 20
#   c Feb 20: 40 without cost -> 40m
COSTED = {
    "customer_id": ["a", "a", "a", "b", "b", "b", "c"],
    "ordered_at": [d("2024-01-05"), d("2024-01-05"), d("2024-02-10"), d("2024-01-20"), d("2024-01-20"),
                   d("2024-02-15"), d("2024-02-20")],
    "amount": [100.0, 50.0, -20.0, -10.0, None, 30.0, 40.0],
    "cost": [60.0, None, None, 0.0, 5.0, 10.0, None],
}  # fmt: skip


def _params(ds, **kw) -> Params:
    return Params(as_of=kw.pop("as_of", db.engine(ds).meta["default_as_of"]), **kw)


def _report(folder, **kw) -> list[tuple]:
    ds = db.open_dataset(folder, today=TODAY)
    frame = kpi_report(ds, _params(ds, window=10, **kw))
    return frame.select("period", "lapses", "revenue", "profit", "replacement_cost").rows()


def test_profit_per_period_with_a_cost_column(make_data):
    folder = make_data(orders=COSTED)
    # Jan: 40 + 50m - 10 + 0; Feb: -20m + 20 + 40m. Revenue Jan 100 + 50 - 10 = 140, Feb -20 + 30 + 40 = 50.
    assert _report(folder, margin=0.5) == [
        (d("2024-01-01"), 2, 140.0, 55.0, None),
        (d("2024-02-01"), 0, 50.0, 30.0, None),
    ]
    assert _report(folder) == [(d("2024-01-01"), 2, 140.0, 80.0, None), (d("2024-02-01"), 0, 50.0, 40.0, None)]
    # replacement cost = lapses * acquisition cost
    assert _report(folder, margin=0.5, acquisition_cost=25.0) == [
        (d("2024-01-01"), 2, 140.0, 55.0, 50.0),
        (d("2024-02-01"), 0, 50.0, 30.0, 0.0),
    ]


def test_profit_without_a_cost_column_is_revenue_times_margin(make_data):
    folder = make_data(orders={k: v for k, v in COSTED.items() if k != "cost"})
    assert _report(folder, margin=0.5) == [
        (d("2024-01-01"), 2, 140.0, 70.0, None),
        (d("2024-02-01"), 0, 50.0, 25.0, None),
    ]
    ds = db.open_dataset(folder, today=TODAY)
    # neither margin nor cost: profit would only be revenue relabelled, so it is not shown
    assert not shows_profit(ds, _params(ds))
    assert shows_profit(ds, _params(ds, margin=0.5))
    costed = db.open_dataset(make_data(orders=COSTED), today=TODAY)
    assert shows_profit(costed, _params(costed))


def test_kpi_report_keeps_every_kpi(make_data):
    ds = db.open_dataset(make_data(orders=COSTED), today=TODAY)
    frame = kpi_report(ds, _params(ds, window=10))
    assert frame.columns == KPI_REPORT_COLUMNS
    assert frame["profit"].dtype == pl.Float64 and frame["replacement_cost"].dtype == pl.Float64


def test_a_text_cost_column_reads_like_a_number_column(make_data):
    text = dict(COSTED, cost=["60", "", None, "0", "5", "10.0", " "])
    assert _report(make_data(orders=text), margin=0.5)[0][3] == 55.0


# -- the cost column's input rules ---------------------------------------------------------------------------


def _problems(folder) -> DataError:
    with pytest.raises(DataError) as info:
        db.open_dataset(folder, today=TODAY, strict=True)
    return info.value


def test_negative_cost_is_an_input_error(make_data):
    folder = make_data(orders=dict(COSTED, cost=[60.0, None, -1.5, 0.0, -2.0, 10.0, None]))
    err = _problems(folder)
    (p,) = [p for p in err.problems if p.column == "cost"]
    assert (p.rows, p.example) == (2, "'-2.0'")
    assert "a cost of 0 or more" in p.expected
    text = str(err)
    assert "column 'cost'" in text and "2 rows" in text and str(folder / "orders.parquet") in text


def test_cost_text_that_is_not_a_number_is_an_input_error(make_data):
    folder = make_data(orders=dict(COSTED, cost=["60", "", "-3", "1,5", None, "abc", "4.20"]))
    err = _problems(folder)
    found = sorted((p.rows, p.example, p.expected[:20]) for p in err.problems if p.column == "cost")
    assert found == [(1, "'-3'", "a cost of 0 or more "), (2, "'1,5'", "a number with a dot ")]


def test_cost_nulls_and_zero_are_valid(make_data):
    ds = db.open_dataset(make_data(orders=COSTED), today=TODAY, strict=True)
    assert db.engine(ds).meta["has_cost"] is True


# -- campaigns' profit and acquisition columns ---------------------------------------------------------------


@pytest.fixture
def contacted(make_data):
    # x contacted Feb 1 (cost 2): Feb 10 buys 30 with cost 10 (profit 20) and a refund -5 without cost (-5m).
    # y contacted Feb 1 (cost 3): never back. z on Feb 28 sets T.
    orders = {
        "customer_id": ["x", "x", "x", "y", "z"],
        "ordered_at": [d("2024-01-01"), d("2024-02-10"), d("2024-02-10"), d("2024-01-01"), d("2024-02-28")],
        "amount": [10.0, 30.0, -5.0, 10.0, 1.0],
        "cost": [None, 10.0, None, None, None],
    }
    contacts = {
        "customer_id": ["x", "y"],
        "contacted_at": [d("2024-02-01")] * 2,
        "campaign": ["spring"] * 2,
        "cost": [2.0, 3.0],
    }
    return db.open_dataset(make_data(orders=orders, contacts=contacts), today=TODAY)


def test_campaign_profit_columns(contacted):
    ds = contacted
    got = q.report_table(ds, _params(ds, margin=0.5, acquisition_cost=25.0))
    assert got.columns == q.REPORT_COLUMNS
    # revenue_won 25, profit_won 20 - 2.5 = 17.5, cost 5: profit_roi (17.5 - 5) / 5, cost per win 5 -> 5 / 25
    assert got.select("campaign", "won_back", "revenue_won", "cost", "cost_per_win", *q.PROFIT_COLUMNS).rows() == [
        ("spring", 1, 25.0, 5.0, 5.0, 17.5, 2.5, 0.2)
    ]
    without = q.report_table(ds, _params(ds))
    # margin 1: profit_won 20 - 5 = 15, profit_roi (15 - 5) / 5
    assert without.select(*q.PROFIT_COLUMNS).rows() == [(15.0, 2.0, None)]


# -- retention value ---------------------------------------------------------------------------------------


@pytest.fixture
def valued(make_data):
    # W = 30, monthly, T = 2024-03-25. p: Jan 10 (100), Mar 25 (50); q: Jan 15 (40), Feb 1 (20); r: Mar 20 (10);
    # s: 2023-01-01 (1000, before T - 365). Last complete period: Feb 2024, active on Jan 31: p and q -> 2.
    # Active at T: p (recency 0), r (5); q (53) and s are lost. Their revenue in (T - 365, T]: 150 + 10 = 160,
    # 80 per active customer; every row in that range: 150 + 60 + 10 = 220.
    orders = {
        "customer_id": ["p", "p", "q", "q", "r", "s"],
        "ordered_at": [d("2024-01-10"), d("2024-03-25"), d("2024-01-15"), d("2024-02-01"), d("2024-03-20"),
                       d("2023-01-01")],
        "amount": [100.0, 50.0, 40.0, 20.0, 10.0, 1000.0],
    }  # fmt: skip
    return make_data(orders=orders)


def test_retention_value_by_hand(valued):
    ds = db.open_dataset(valued, today=TODAY)
    got = retention_value(ds, _params(ds, window=30, margin=0.5), (1, 5, 10))
    assert got.columns == [
        "points", "extra_customers", "value_per_active_customer", "extra_revenue", "extra_profit",
        "share_of_annual_revenue",
    ]  # fmt: skip
    # extra customers = 2 * X / 100; revenue = that * 80; profit = that * 40; share = revenue / 220
    expected = [(x, 2 * x / 100, 80.0, 2 * x / 100 * 80, 2 * x / 100 * 40, 2 * x / 100 * 80 / 220) for x in (1, 5, 10)]
    for row, want in zip(got.rows(), expected, strict=True):
        assert row == pytest.approx(want)


def test_retention_value_without_a_complete_period_is_null(valued):
    ds = db.open_dataset(valued, today=TODAY)
    got = retention_value(ds, _params(ds, window=30, as_of=d("2023-01-20")), (5,))
    assert got.rows() == [(5, None, None, None, None, None)]


def test_cli_retention_value(valued):
    out = run_cli("retention-value", "--data", valued, "--window", "30", "--points", "5,10", "--margin", "0.5")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "points,extra_customers,value_per_active_customer,extra_revenue,extra_profit,share_of_annual_revenue"
    assert [line.split(",")[:5] for line in lines[1:]] == [["5", "0.1", "80.0", "8.0", "4.0"], ["10", "0.2", "80.0", "16.0", "8.0"]]
    default = run_cli("retention-value", "--data", valued, "--window", "30")
    assert default.stdout.splitlines()[1].startswith("5,0.1,80.0,8.0,8.0,")
    for bad in (["--points", "0"], ["--points", "x"], ["--margin", "0"], ["--margin", "1.5"], ["--acquisition-cost", "-1"]):
        res = run_cli("retention-value", "--data", valued, *bad)
        assert res.returncode == 2 and "Traceback" not in res.stderr, (bad, res.stderr)


def test_cli_kpis_profit_and_replacement_cost(make_data):
    folder = make_data(orders=COSTED)
    out = run_cli("kpis", "--data", folder, "--window", "10", "--margin", "0.5", "--acquisition-cost", "25", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert list(rows[0]) == KPI_REPORT_COLUMNS
    assert [(r["profit"], r["replacement_cost"]) for r in rows] == [(55.0, 50.0), (30.0, 0.0)]
    out = run_cli("kpis", "--data", folder, "--window", "10")
    assert out.stdout.splitlines()[1].endswith(",80.0,")  # margin 1 and the costs; no acquisition cost: empty
    env = run_cli("kpis", "--data", folder, "--window", "10", env={"RETENTION_MARGIN": "0.5", "RETENTION_ACQUISITION_COST": "25"})
    assert env.stdout.splitlines()[1].endswith(",55.0,50.0")
    help_text = run_cli("kpis", "--help").stdout
    assert "--margin" in help_text and "--acquisition-cost" in help_text


# -- profit beside revenue in cohorts and value tiers ------------------------------------------------------


def test_cohort_profit_and_tier_profit(make_data):
    from retention.metrics.profit import with_cohort_profit, with_tier_profit
    from retention.metrics.rfm import tier_summary
    from retention.queries.cohorts import cohort_table
    from retention.queries.profit import cohort_profit, customer_profit
    from retention.queries.rfm import rfm_table

    ds = db.open_dataset(make_data(orders=COSTED), today=TODAY)
    p = _params(ds, window=10, margin=0.5)
    # cohort Jan: a and b; Jan profit 40 + 25 - 10 + 0 = 55, Feb: a's refund -10 and b's 20 -> 10.
    # cohort Feb: c, 40 * 0.5 = 20.
    assert cohort_profit(ds, p).rows() == [(d("2024-01-01"), 0, 55.0), (d("2024-01-01"), 1, 10.0), (d("2024-02-01"), 0, 20.0)]
    table = with_cohort_profit(cohort_table(ds, p), cohort_profit(ds, p))
    assert table.select("cohort", "k", "profit", "profit_per_customer", "cumulative_profit_per_customer").rows() == [
        (d("2024-01-01"), 0, 55.0, 27.5, 27.5),
        (d("2024-01-01"), 1, 10.0, 5.0, 32.5),
        (d("2024-02-01"), 0, 20.0, 20.0, 20.0),
    ]
    # customer profit: a 40 + 25 - 10 = 55, b -10 + 0 + 20 = 10, c 20
    assert customer_profit(ds, p).rows() == [("a", 55.0), ("b", 10.0), ("c", 20.0)]
    rfm = rfm_table(ds, p)  # monetary a 130, b 20, c 40: a high, c mid, b low
    tiers = with_tier_profit(tier_summary(rfm), rfm, customer_profit(ds, p))
    assert tiers.select("tier", "revenue", "profit", "profit_share").rows() == [
        ("high", 130.0, 55.0, 55 / 85), ("mid", 40.0, 20.0, 20 / 85), ("low", 20.0, 10.0, 10 / 85),
    ]  # fmt: skip
