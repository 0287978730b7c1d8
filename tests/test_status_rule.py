"""One status rule (retention/sql/_status_rule.sql) for the lifecycle reports and the campaign flow: the
campaign statuses before and after a contact are the lifecycle statuses at those dates, and the expected
gap is METRICS.md's median of the gaps on or before d (the mean of the middle two for an even count)."""

from __future__ import annotations

import polars as pl

from retention import codes, db
from retention.params import Params
from retention.queries import campaigns as qc
from retention.queries import lifecycle as ql
from tests.conftest import d

# T = 2024-06-20. Contact on 2024-06-08, so "before" is d = 2024-06-07; the windows (30 days) are open: "after" is T.
#   x: purchase days 01-01, 01-11, 01-31, 03-01, 04-30 (gaps 10, 20, 30, 60: median 25, mean 30), then 06-20.
#      At d: recency 38 > 1.5 * 25 = 37.5 -> alert (a mean gap would give 45 -> loyal). At T: loyal.
#   y: one purchase day 04-20: at d recency 48 > 90 / 2 -> alert; at T 61 -> alert.
#   p: a customers row since 01-01, no purchase: prospect at both dates.
#   q: signed up 06-10 (after d), no purchase: not_yet before, prospect at T.
ORDERS = {
    "customer_id": ["x"] * 6 + ["y"],
    "ordered_at": [d(s) for s in ("2024-01-01", "2024-01-11", "2024-01-31", "2024-03-01", "2024-04-30", "2024-06-20")]
    + [d("2024-04-20")],
    "amount": [10.0] * 7,
}
CUSTOMERS = {
    "customer_id": ["x", "y", "p", "q"],
    "signed_up_at": [d("2024-01-01"), d("2024-01-01"), d("2024-01-01"), d("2024-06-10")],
}
CONTACTS = pl.DataFrame(
    {
        "customer_id": ["x", "y", "p", "q"],
        "contacted_at": [d("2024-06-08")] * 4,
        "campaign": ["june"] * 4,
        "channel": ["email"] * 4,
        "cost": [1.0] * 4,
        "group": ["treatment"] * 4,
    }
)
BEFORE = {"x": "alert", "y": "alert", "p": "prospect", "q": codes.NOT_YET}
AFTER = {"x": "loyal", "y": "alert", "p": "prospect", "q": "prospect"}


def _ds(make_data):
    return db.open_dataset(make_data(orders=ORDERS, customers=CUSTOMERS, contacts=CONTACTS))


def test_expected_gap_is_the_median_of_the_gaps_so_far(make_data):
    ds = _ds(make_data)
    at_d = ql.customer_statuses(ds, Params(as_of=d("2024-06-07")))
    x = at_d.filter(pl.col("customer_id") == "x").row(0, named=True)
    assert x["expected_gap"] == 25.0 and x["recency"] == 38 and x["status"] == "alert"
    at_t = ql.customer_statuses(ds, Params(as_of=d("2024-06-20")))
    assert at_t.filter(pl.col("customer_id") == "x")["expected_gap"].to_list() == [30.0]  # gaps 10, 20, 30, 51, 60


def test_campaign_statuses_are_the_lifecycle_statuses(make_data):
    ds = _ds(make_data)
    p = Params(as_of=d("2024-06-20"))
    lifecycle = {
        moment: dict(ql.customer_statuses(ds, p.with_(as_of=day)).select("customer_id", "status").iter_rows())
        for moment, day in (("before", d("2024-06-07")), ("after", d("2024-06-20")))
    }
    assert {c: lifecycle["before"].get(c, codes.NOT_YET) for c in BEFORE} == BEFORE
    assert {c: lifecycle["after"][c] for c in AFTER} == AFTER
    flow = qc.status_flow(ds, p)
    expected: dict[tuple[str, str], int] = {}
    for c in BEFORE:
        expected[(BEFORE[c], AFTER[c])] = expected.get((BEFORE[c], AFTER[c]), 0) + 1
    got = {(r["status_before"], r["status_after"]): r["contacts"] for r in flow.iter_rows(named=True)}
    assert got == expected
