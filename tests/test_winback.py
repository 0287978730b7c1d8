"""The win-back list, slowing customers and campaigns split by a key (METRICS.md "Win-back list and slowing
customers", "Win-back campaigns"): literal tables for hand-made data, ties, the drop_share boundary, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from retention import db
from retention.params import Params
from retention.queries import campaigns as q
from retention.queries.winback import SLOWING_COLUMNS, WINBACK_COLUMNS, slowing_list, winback_list
from tests.conftest import d, run_cli

TODAY = dt.date(2025, 6, 1)


def _params(ds, **kw) -> Params:
    return Params(as_of=kw.pop("as_of", db.engine(ds).meta["default_as_of"]), **kw)


def _orders(rows):
    return pl.DataFrame(
        {"customer_id": [r[0] for r in rows], "ordered_at": [d(r[1]) for r in rows], "amount": [r[2] for r in rows]},
        schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
    )


# -- win-back list ------------------------------------------------------------------------------------------
# W = 30, T = 2024-06-30 (d's order: d is active, not on the list).
#   a: 500 on 2023-01-10 (before its last year), 100 on 2024-01-10, 50 on 2024-03-01 -> last year 150, loyal.
#      Treatment contacts on 2024-06-20 of campaigns zeta and alpha (alpha first by name), a control row on
#      2024-06-25 (not contacted). T - Jun 20 = 10 <= 30: recently contacted.
#      Reasons: price 2024-03-15, quality and competitor 2024-04-01 (competitor first by code).
#   b: 150 on 2024-02-01 -> ties with a at 150 (a first by id). Contacted 2024-05-01 (60 days: not recent).
#      An empty reason: unknown.
#   c: 400 and a refund -100 on 2024-04-01 -> 300, first. Only a control row: never contacted. No reason.
#   e: 10 on 2024-05-01 (recency 60).
WINBACK_ORDERS = [
    ("a", "2023-01-10", 500.0), ("a", "2024-01-10", 100.0), ("a", "2024-03-01", 50.0),
    ("b", "2024-02-01", 150.0),
    ("c", "2024-04-01", 400.0), ("c", "2024-04-01", -100.0),
    ("d", "2024-06-30", 5.0),
    ("e", "2024-05-01", 10.0),
]  # fmt: skip


@pytest.fixture
def lost_customers(make_data):
    contacts = pl.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "contacted_at": [d("2024-06-20"), d("2024-06-20"), d("2024-06-25"), d("2024-05-01"), d("2024-06-01")],
            "campaign": ["zeta", "alpha", "beta", "spring", "beta"],
            "group": ["treatment", "treatment", "control", "treatment", "control"],
        }
    )
    reasons = pl.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b"],
            "churned_at": [d("2024-03-15"), d("2024-04-01"), d("2024-04-01"), d("2024-03-01")],
            "reason": ["price", "quality", "competitor", ""],
        }
    )
    customers = pl.DataFrame({"customer_id": ["a", "b", "d"], "region": ["N", "S", "N"]})
    folder = make_data(orders=_orders(WINBACK_ORDERS), contacts=contacts, churn_reasons=reasons, customers=customers)
    return folder, db.open_dataset(folder, today=TODAY)


def test_winback_literal_table(lost_customers):
    _, ds = lost_customers
    got = winback_list(ds, _params(ds, window=30))
    assert got.columns == [*WINBACK_COLUMNS, "region"]
    assert got.rows() == [
        # id, silent, last purchase, freq, lifetime, last year, loyal, p_alive, contacted, campaign, recent, reason
        ("c", 90, d("2024-04-01"), 1, 300.0, 300.0, False, None, None, None, False, None, None),
        ("a", 121, d("2024-03-01"), 3, 650.0, 150.0, True, None, d("2024-06-20"), "alpha", True, "competitor", "N"),
        ("b", 150, d("2024-02-01"), 1, 150.0, 150.0, False, None, d("2024-05-01"), "spring", False, "unknown", "S"),
        ("e", 60, d("2024-05-01"), 1, 10.0, 10.0, False, None, None, None, False, None, None),
    ]


def test_winback_options(lost_customers):
    _, ds = lost_customers
    p = _params(ds, window=30)
    assert winback_list(ds, p, exclude_recent=True)["customer_id"].to_list() == ["c", "b", "e"]
    assert winback_list(ds, p, limit=2)["customer_id"].to_list() == ["c", "a"]
    # recent_contact_days 9: a's contact 10 days before T is no longer recent
    assert winback_list(ds, p.with_(recent_contact_days=9), exclude_recent=True)["customer_id"].to_list() == [
        "c", "a", "b", "e",
    ]  # fmt: skip
    # loyal_min_orders 4: a was not loyal
    assert winback_list(ds, p.with_(loyal_min_orders=4))["was_loyal"].to_list() == [False] * 4
    # T = 2024-06-19: a's contacts are after T; e (recency 49) and the rest still lost
    early = winback_list(ds, p.with_(as_of=d("2024-06-19")))
    assert early.filter(pl.col("customer_id") == "a").select("last_contacted_at", "last_campaign").rows() == [
        (None, None)
    ]


def test_winback_cli(lost_customers):
    folder, _ = lost_customers
    out = run_cli("winback", "--data", folder, "--window", "30", "--exclude-recent", "--limit", "2")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        ",".join([*WINBACK_COLUMNS, "region"]),
        "c,90,2024-04-01,1,300.0,300.0,false,,,,false,,",
        "b,150,2024-02-01,1,150.0,150.0,false,,2024-05-01,spring,false,unknown,S",
    ]
    js = json.loads(run_cli("winback", "--data", folder, "--window", "30", "--format", "json").stdout)
    assert js[1]["was_loyal"] is True and js[1]["last_contacted_at"] == "2024-06-20"
    empty = run_cli("winback", "--data", folder, "--window", "400")
    assert empty.returncode == 0 and empty.stdout.splitlines() == [",".join([*WINBACK_COLUMNS, "region"])]


# -- slowing --------------------------------------------------------------------------------------------------
# W = 73 (w / 365 = 1/5), T = 2024-12-31, T - w = 2024-10-19: baseline (2023-10-20, 2024-10-19], recent after.
# drop_share 0.5: listed when recent_days < baseline_days / 10 or recent_spend < baseline_spend / 10.
#   at:    10 baseline days of 100 (the 1st, Jan..Oct), recent Dec 1 100: exactly at both limits -> not listed
#   freq:  20 baseline days of 50 (every 14 days from Jan 5), recent Dec 1 150: 1 < 2 days -> frequency
#   spend: 10 baseline days of 110, recent Nov 15 109: 1 day is not < 1; 109 < 110 -> spend
#   both:  10 baseline days of 100 (the 19th, Jan..Oct: Oct 19 is T - w), none since: 0 < 1, 0 < 100 -> both
#   few:   2 baseline days (fewer than loyal_min_orders 3), nothing recent
#   young: first purchase after T - w
#   gone:  10 baseline days of 100 up to Oct 1: lost at T (recency 91 > 73)
def _slowing_orders():
    rows = []
    for m in range(1, 11):
        rows += [("at", f"2024-{m:02d}-01", 100.0), ("spend", f"2024-{m:02d}-01", 110.0)]
        rows += [("both", f"2024-{m:02d}-19", 100.0), ("gone", f"2024-{m:02d}-01", 100.0)]
    rows += [("at", "2024-12-01", 100.0), ("spend", "2024-11-15", 109.0)]
    start = dt.date(2024, 1, 5)
    rows += [("freq", (start + dt.timedelta(days=14 * i)).isoformat(), 50.0) for i in range(20)]
    rows += [("freq", "2024-12-01", 150.0)]
    rows += [("few", "2024-05-01", 500.0), ("few", "2024-10-01", 500.0), ("few", "2024-12-30", 1.0)]
    rows += [("young", "2024-11-01", 900.0), ("young", "2024-12-01", 1.0), ("young", "2024-12-31", 1.0)]
    return _orders(rows)


@pytest.fixture
def slowing_data(make_data):
    customers = pl.DataFrame({"customer_id": ["both", "spend"], "kind": ["x", "y"]})
    folder = make_data(orders=_slowing_orders(), customers=customers)
    return folder, db.open_dataset(folder, today=TODAY)


def test_slowing_literal_table(slowing_data):
    _, ds = slowing_data
    got = slowing_list(ds, _params(ds, window=73))
    assert got.columns == [*SLOWING_COLUMNS, "kind"]
    assert got.rows() == [
        # id, status, baseline days, recent days, expected days, baseline spend, recent spend, expected spend
        ("spend", "loyal", 10, 1, 2.0, 1100.0, 109.0, 220.0, "spend", "y"),
        ("both", "alert", 10, 0, 2.0, 1000.0, 0.0, 200.0, "both", "x"),
        ("freq", "alert", 20, 1, 4.0, 1000.0, 150.0, 200.0, "frequency", None),
    ]


def test_slowing_share_and_limit(slowing_data):
    folder, ds = slowing_data
    p = _params(ds, window=73)
    # drop_share 0.55: `at` (1 day < 1.1, 100 < 110) is listed too, `spend` (1 < 1.1) by both
    wider = slowing_list(ds, p.with_(drop_share=0.55))
    assert wider.select("customer_id", "trigger").rows() == [
        ("spend", "both"), ("at", "both"), ("both", "both"), ("freq", "frequency"),
    ]  # fmt: skip
    assert slowing_list(ds, p, limit=1)["customer_id"].to_list() == ["spend"]
    # loyal_min_orders 11: only freq has enough baseline days
    assert slowing_list(ds, p.with_(loyal_min_orders=11))["customer_id"].to_list() == ["freq"]
    out = run_cli("slowing", "--data", folder, "--window", "73", "--limit", "1")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [",".join([*SLOWING_COLUMNS, "kind"]), "spend,loyal,10,1,2.0,1100.0,109.0,220.0,spend,y"]
    env = run_cli("slowing", "--data", folder, "--window", "73", env={"RETENTION_DROP_SHARE": "0.55"})
    assert [line.split(",")[0] for line in env.stdout.splitlines()[1:]] == ["spend", "at", "both", "freq"]


# -- campaigns split by a key ---------------------------------------------------------------------------------
# W = 30, T = 2024-03-31. Campaign spring on 2024-03-01; status and tier on Feb 29:
#   a treatment: 10 on Jan 1 -> lost; buys Mar 5 (20): won             tier low (10, tied with h)
#   b treatment: 20 on Feb 20 -> new; never back                         tier mid
#   c treatment: customers row signed up Jan 1, no purchase -> prospect; buys Mar 10 (30): won    tier none
#   e control: nothing before -> not_yet; buys Mar 3: won                tier none
#   f control: 30 on Jan 1 -> lost; never back                           tier high
#   g treatment: first purchase on the contact day (does not count) -> not_yet, not won        tier none
#   h control: Jan 15 and Feb 1 (5 each; gap 17): silent 28 > 1.5 * 17 -> alert; not won     tier low
SPLIT_ORDERS = [
    ("a", "2024-01-01", 10.0), ("a", "2024-03-05", 20.0),
    ("b", "2024-02-20", 20.0),
    ("c", "2024-03-10", 30.0),
    ("e", "2024-03-03", 7.0),
    ("f", "2024-01-01", 30.0),
    ("g", "2024-03-01", 9.0),
    ("h", "2024-01-15", 5.0), ("h", "2024-02-01", 5.0),
    ("z", "2024-03-31", 1.0),
]  # fmt: skip


@pytest.fixture
def split_data(make_data):
    groups = {"a": "treatment", "b": "treatment", "c": "treatment", "e": "control", "f": "control",
              "g": "treatment", "h": "control"}  # fmt: skip
    contacts = pl.DataFrame(
        {
            "customer_id": list(groups),
            "contacted_at": [d("2024-03-01")] * len(groups),
            "campaign": ["spring"] * len(groups),
            "cost": [1.0] * len(groups),
            "group": list(groups.values()),
        }
    )
    customers = pl.DataFrame(
        {"customer_id": ["a", "b", "c"], "signed_up_at": [None, None, d("2024-01-01")], "region": ["N", "S", "N"]},
        schema={"customer_id": pl.String, "signed_up_at": pl.Date, "region": pl.String},
    )
    folder = make_data(orders=_orders(SPLIT_ORDERS), contacts=contacts, customers=customers)
    return folder, db.open_dataset(folder, today=TODAY)


SPLIT_COLUMNS = ["campaign", "by_value", "contacts", "won_back", "win_back_rate", "revenue_won", "control_size",
                 "control_rate", "uplift"]  # fmt: skip


def test_split_by_status_before(split_data):
    _, ds = split_data
    got = q.report_table(ds, _params(ds, window=30), "status_before")
    assert got.columns == ["campaign", "by_value", *q.REPORT_COLUMNS[1:]]
    assert got.select(SPLIT_COLUMNS).rows() == [
        ("spring", "alert", 0, 0, None, 0.0, 1, 0.0, None),  # control rows only: still a row, 0 contacts
        ("spring", "lost", 1, 1, 1.0, 20.0, 1, 0.0, 1.0),
        ("spring", "new", 1, 0, 0.0, 0.0, 0, None, None),
        ("spring", "not_yet", 1, 0, 0.0, 0.0, 1, 1.0, -1.0),
        ("spring", "prospect", 1, 1, 1.0, 30.0, 0, None, None),
    ]


def test_split_by_tier_before_and_attribute(split_data):
    _, ds = split_data
    p = _params(ds, window=30)
    assert q.report_table(ds, p, "tier_before").select(SPLIT_COLUMNS).rows() == [
        ("spring", "high", 0, 0, None, 0.0, 1, 0.0, None),
        ("spring", "low", 1, 1, 1.0, 20.0, 1, 0.0, 1.0),
        ("spring", "mid", 1, 0, 0.0, 0.0, 0, None, None),
        ("spring", "none", 2, 1, 0.5, 30.0, 1, 1.0, -0.5),
    ]
    assert q.report_table(ds, p, "region").select(SPLIT_COLUMNS).rows() == [
        ("spring", "N", 2, 2, 1.0, 50.0, 0, None, None),
        ("spring", "S", 1, 0, 0.0, 0.0, 0, None, None),
        ("spring", "none", 1, 0, 0.0, 0.0, 3, 1 / 3, -1 / 3),
    ]


def test_split_sums_to_the_campaign(split_data):
    _, ds = split_data
    p = _params(ds, window=30)
    whole = q.report_table(ds, p).row(0, named=True)
    for by in ("status_before", "tier_before", "region"):
        split = q.report_table(ds, p, by)
        for col in ("contacts", "won_back", "revenue_won", "cost", "control_size", "profit_won"):
            assert split[col].sum() == whole[col], (by, col)


def test_split_cli(split_data):
    folder, _ = split_data
    out = run_cli("campaigns", "--data", folder, "--window", "30", "--by", "status_before")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("campaign,by_value,contacts,won_back,")
    assert [line.split(",")[1] for line in lines[1:]] == ["alert", "lost", "new", "not_yet", "prospect"]
    bad = run_cli("campaigns", "--data", folder, "--by", "planet")
    assert bad.returncode == 2 and "status_before, tier_before, region" in bad.stderr and "Traceback" not in bad.stderr


def test_p_alive_is_the_predictions(sample_dir):
    from retention.queries.predict import p_alive_table

    ds = db.open_dataset(sample_dir)
    p = _params(ds)
    listed = winback_list(ds, p)
    assert listed.height > 0 and listed["p_alive"].null_count() == 0
    expected = p_alive_table(ds, p).select("customer_id", pl.col("p_alive").alias("model"))
    joined = listed.select("customer_id", "p_alive").join(expected, on="customer_id")
    assert joined.height == listed.height and (joined["p_alive"] == joined["model"]).all()


def test_p_alive_is_null_without_a_model(lost_customers):
    _, ds = lost_customers  # five customers: too few for the model
    assert winback_list(ds, _params(ds, window=30))["p_alive"].null_count() == 4
