"""Win-back campaigns (METRICS.md "Win-back campaigns"): literal figures for hand-made contacts, an independent
reference implementation on random data, the CLI's shape, the metrics helpers and the chart builders."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import statistics
from collections import defaultdict

import polars as pl
import pytest

from retention import db
from retention.params import Params
from retention.queries import campaigns as q
from tests.conftest import d, run_cli

# -- hand-made data ------------------------------------------------------------------------------------
# T = 2024-06-20 (the latest order, customer z). Campaign spring, contacted 2024-03-01:
#   a treatment: bought on the contact day only (does not count)            -> not won, revenue 0
#   b treatment: bought on day 30 (2024-03-31, counts) 50, refund -10 same day -> won, revenue 40 (10-day: not won)
#   c treatment: bought on day 31 (2024-04-01, too late)                    -> not won
#   d treatment: cost 2, bought on day 4 (20) and day 9 (30)                -> won, revenue 50
#   e control:   bought on day 14 (15)                                      -> won (10-day: not won)
#   f control:   never again                                                -> not won
# Campaign summer, 2024-06-01: g treatment (group and cost missing), bought on day 1 (10): won, cost 0;
# its 30-day window ends 2024-07-01, after T: still open. h's contact (2024-07-01) is after T: ignored.
ORDERS = [
    ("a", "2024-01-10", 5.0), ("a", "2024-03-01", 5.0),
    ("b", "2024-01-10", 5.0), ("b", "2024-03-31", 50.0), ("b", "2024-03-31", -10.0),
    ("c", "2024-01-10", 5.0), ("c", "2024-04-01", 5.0),
    ("d", "2024-01-10", 5.0), ("d", "2024-03-05", 20.0), ("d", "2024-03-10", 30.0),
    ("e", "2024-01-10", 5.0), ("e", "2024-03-15", 15.0),
    ("f", "2024-01-10", 5.0),
    ("g", "2024-01-10", 5.0), ("g", "2024-06-02", 10.0),
    ("h", "2024-01-10", 5.0),
    ("z", "2024-06-20", 1.0),
]  # fmt: skip
CONTACTS = [
    ("a", "2024-03-01", "spring", "email", 1.0, "treatment"),
    ("b", "2024-03-01", "spring", "sms", 1.0, "treatment"),
    ("c", "2024-03-01", "spring", "email", 1.0, "treatment"),
    ("d", "2024-03-01", "spring", "sms", 2.0, "treatment"),
    ("e", "2024-03-01", "spring", "email", 0.0, "control"),
    ("f", "2024-03-01", "spring", "sms", 0.0, "control"),
    ("g", "2024-06-01", "summer", None, None, None),
    ("h", "2024-07-01", "spring", "email", 1.0, "treatment"),
]


def _frames(orders, contacts):
    o = pl.DataFrame(
        {"customer_id": [r[0] for r in orders], "ordered_at": [d(r[1]) for r in orders],
         "amount": [r[2] for r in orders]},
        schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
    )  # fmt: skip
    c = pl.DataFrame(
        [(r[0], d(r[1]), *r[2:]) for r in contacts],
        schema={"customer_id": pl.String, "contacted_at": pl.Date, "campaign": pl.String, "channel": pl.String,
                "cost": pl.Float64, "group": pl.String},
        orient="row",
    )  # fmt: skip
    return o, c


@pytest.fixture
def hand_made(make_data):
    orders, contacts = _frames(ORDERS, CONTACTS)
    customers = pl.DataFrame({"customer_id": list("abcdefgh"), "region": ["N", "N", "S", "S", "N", "S", "N", "N"]})
    folder = make_data(orders=orders, contacts=contacts, customers=customers)
    return folder, db.open_dataset(folder)


def _params(ds, **kw) -> Params:
    return Params(as_of=kw.pop("as_of", db.engine(ds).meta["default_as_of"]), **kw)


def _rows(frame: pl.DataFrame, columns: list[str]) -> list[tuple]:
    return [
        tuple(None if isinstance(v, float) and math.isnan(v) else v for v in r) for r in frame.select(columns).rows()
    ]


def test_campaigns_literal_30_days(hand_made):
    _, ds = hand_made
    got = q.cli_table(ds, _params(ds))
    assert got.columns == q.CAMPAIGN_COLUMNS
    assert _rows(got, q.CAMPAIGN_COLUMNS) == [
        # campaign, contacts, won_back, rate, revenue_won, cost, cost_per_win, roi, control_size, control_rate, uplift
        ("spring", 4, 2, 0.5, 90.0, 5.0, 2.5, 17.0, 2, 0.5, 0.0),
        ("summer", 1, 1, 1.0, 10.0, 0.0, 0.0, None, 0, None, None),
    ]
    extra = q.campaign_figures(ds, _params(ds))
    assert extra["open_contacts"].to_list() == [0, 1]
    se = math.sqrt(0.5 * 0.5 / 4 + 0.5 * 0.5 / 2)
    assert extra["uplift_low"][0] == pytest.approx(-1.96 * se)
    assert extra["uplift_high"][0] == pytest.approx(1.96 * se)
    assert extra["uplift_low"][1] is None


def test_campaigns_literal_10_days(hand_made):
    _, ds = hand_made
    got = q.cli_table(ds, _params(ds, attribution_days=10))
    assert _rows(got, q.CAMPAIGN_COLUMNS) == [
        ("spring", 4, 1, 0.25, 50.0, 5.0, 5.0, 9.0, 2, 0.0, 0.25),
        ("summer", 1, 1, 1.0, 10.0, 0.0, 0.0, None, 0, None, None),
    ]
    # summer's 10-day window ends 2024-06-11, before T: nothing open
    assert q.campaign_figures(ds, _params(ds, attribution_days=10))["open_contacts"].to_list() == [0, 0]
    # the interval of a control group with rate 0: only the treatment side varies
    low = q.campaign_figures(ds, _params(ds, attribution_days=10))["uplift_low"][0]
    assert low == pytest.approx(0.25 - 1.96 * math.sqrt(0.25 * 0.75 / 4))


def test_split_by_channel_and_group(hand_made):
    _, ds = hand_made
    p = _params(ds)
    by_channel = q.campaign_figures(ds, p, "channel")
    cols = ["channel", *q.CAMPAIGN_COLUMNS[1:]]
    assert _rows(by_channel, cols) == [
        ("email", 2, 0, 0.0, 0.0, 2.0, None, -1.0, 1, 1.0, -1.0),
        ("sms", 2, 2, 1.0, 90.0, 3.0, 1.5, 29.0, 1, 0.0, 1.0),
        (None, 1, 1, 1.0, 10.0, 0.0, 0.0, None, 0, None, None),
    ]
    by_group = q.campaign_figures(ds, p, "group")
    cols = ["group", "contacts", "won_back", "win_back_rate", "revenue_won", "cost", "roi", "control_size", "uplift"]
    assert _rows(by_group, cols) == [
        ("control", 2, 1, 0.5, 15.0, 0.0, None, None, None),
        ("treatment", 5, 3, 0.6, 100.0, 5.0, 19.0, None, None),
    ]
    assert by_group["cost_per_win"][1] == pytest.approx(5 / 3)


def test_as_of_cuts_contacts_and_purchases(hand_made):
    _, ds = hand_made
    # T = 2024-03-10: d's purchases on days 4 and 9 count, b's day-30 purchase and e's are after T; summer not yet
    got = q.cli_table(ds, _params(ds, as_of=d("2024-03-10")))
    assert _rows(got, q.CAMPAIGN_COLUMNS) == [("spring", 4, 1, 0.25, 50.0, 5.0, 5.0, 9.0, 2, 0.0, 0.25)]
    assert q.campaign_figures(ds, _params(ds, as_of=d("2024-03-10")))["open_contacts"].to_list() == [4]
    # before any contact: no records
    assert q.cli_table(ds, _params(ds, as_of=d("2024-02-01"))).is_empty()


def test_segment_filter_restricts_contacts(hand_made):
    _, ds = hand_made
    got = q.cli_table(ds, _params(ds, filters=(("region", ("S",)),)))
    # region S: c, d (treatment), f (control)
    assert _rows(got, q.CAMPAIGN_COLUMNS) == [("spring", 2, 1, 0.5, 50.0, 3.0, 3.0, 47 / 3, 1, 0.0, 0.5)]


def test_wins_by_day_ends_at_the_rates(hand_made):
    _, ds = hand_made
    curve = q.wins_by_day(ds, _params(ds, attribution_days=30), "spring")
    treat = curve.filter(pl.col("contact_group") == "treatment")
    assert treat["day"].to_list() == list(range(1, 31))
    # d comes back on day 4, b on day 30
    assert treat.filter(pl.col("day").is_in([3, 4, 29, 30]))["won_back"].to_list() == [0, 1, 1, 2]
    assert treat["won_back_share"][-1] == 0.5
    control = curve.filter(pl.col("contact_group") == "control")
    assert control.filter(pl.col("day").is_in([13, 14]))["won_back"].to_list() == [0, 1]
    every = q.wins_by_day(ds, _params(ds, attribution_days=30), None)
    assert every.filter((pl.col("contact_group") == "treatment") & (pl.col("day") == 30))["won_back"].item() == 3


def test_status_before_and_after(make_data):
    # T = 2024-12-31 (z). W = 90, new_days = 30, loyal 3, alert 1.5. Contacts on 2024-06-01, 30-day window.
    orders = [
        # p: lost before (last 2024-01-01, 151 days), back on 06-10 -> reactivated at 07-01
        ("p", "2023-12-01", 5.0), ("p", "2024-01-01", 5.0), ("p", "2024-06-10", 5.0),
        # q: bought 2024-02-10, 2024-02-20, 2024-03-02 (gaps 10, 11: median 10.5); at 05-31 silent 90 days (not lost,
        #    > 1.5 * 10.5: alert); at 07-01 silent 121: lost
        ("q", "2024-02-10", 5.0), ("q", "2024-02-20", 5.0), ("q", "2024-03-02", 5.0),
        # r: every 10 days from 04-10 to 06-29: loyal at 05-31 (51 days since the first) and at 07-01
        *[("r", (d("2024-04-10") + dt.timedelta(days=10 * i)).isoformat(), 5.0) for i in range(9)],
        # s: first purchase 2024-05-15 -> new at 05-31 (16 days), one purchase, silent 47 > 45 at 07-01: alert
        ("s", "2024-05-15", 5.0),
        # v: two purchases 05-01, 05-20 (gap 19): at 05-31 silent 11 (not > 28.5), 30 days since first: at_risk;
        #    contacted on 06-01 bought 06-02 (gap 13; median 16): at 07-01 silent 29 > 24: alert
        ("v", "2024-05-01", 5.0), ("v", "2024-05-20", 5.0), ("v", "2024-06-02", 5.0),
        # u: only a refund: no purchase day
        ("u", "2024-05-01", -5.0),
        ("z", "2024-12-31", 1.0),
    ]  # fmt: skip
    contacts = [(c, "2024-06-01", "x", "sms", 1.0, "treatment") for c in "pqrsvuwk"]
    contacts.append(("t", "2024-12-15", "late", "sms", 1.0, "treatment"))
    o, c = _frames(orders, contacts)
    # w: prospect signed up 2024-01-01; k: signs up after the window (2024-08-01): not yet; u: no customers row
    customers = pl.DataFrame(
        {"customer_id": ["p", "q", "w", "k"], "signed_up_at": [None, None, d("2024-01-01"), d("2024-08-01")]},
        schema={"customer_id": pl.String, "signed_up_at": pl.Date},
    )
    folder = make_data(orders=o, contacts=c, customers=customers)
    ds = db.open_dataset(folder)
    flow = q.status_flow(ds, _params(ds))
    got = sorted(flow.select("campaign", "status_before", "status_after", "contacts").rows())
    assert got == sorted(
        [
            ("x", "lost", "reactivated", 1),  # p
            ("x", "alert", "lost", 1),  # q
            ("x", "loyal", "loyal", 1),  # r
            ("x", "new", "alert", 1),  # s
            ("x", "at_risk", "alert", 1),  # v
            ("x", "not_yet", "not_yet", 2),  # u, k
            ("x", "prospect", "prospect", 1),  # w
            ("late", "not_yet", "not_yet", 1),  # t: contact known only, window open (after = T)
        ]
    )


# -- an independent reference on random data -----------------------------------------------------------


def _random_data(seed: int):
    rng = random.Random(seed)
    start = dt.date(2024, 1, 1)
    customers = [f"c{i:02d}" for i in range(30)]
    orders = []
    for cid in customers[:26]:
        for _ in range(rng.randint(1, 12)):
            day = start + dt.timedelta(days=rng.randint(0, 240))
            amount = rng.choice([None, 12.5, 20.0, 7.25, -3.0, 40.0, 0.0])
            orders.append((cid, day.isoformat(), amount))
    contacts = []
    for _ in range(45):
        cid = rng.choice(customers)
        day = start + dt.timedelta(days=rng.randint(30, 250))
        contacts.append(
            (
                cid,
                day.isoformat(),
                rng.choice(["alpha", "beta", "gamma"]),
                rng.choice(["email", "sms", None]),
                rng.choice([None, 0.0, 1.5, 4.0]),
                rng.choice(["treatment", "treatment", "control", None]),
            )
        )
    signups = {c: rng.choice([None, (start + dt.timedelta(days=rng.randint(-30, 260))).isoformat()]) for c in customers}
    return orders, contacts, signups


def _reference(orders, contacts, signups, T: dt.date, A: int, W=90, new_days=30, loyal=3, alert=1.5):
    """METRICS.md read literally, one contact at a time."""
    rows = defaultdict(list)
    for cid, day, amount in orders:
        if d(day) <= T:
            rows[cid].append((d(day), amount))
    pdays = {c: sorted({day for day, a in r if a is None or a >= 0}) for c, r in rows.items()}

    def status(c, at):
        days = [x for x in pdays.get(c, []) if x <= at]
        if not days:
            signed = signups.get(c, "missing")
            return "prospect" if signed != "missing" and (signed is None or d(signed) <= at) else "not_yet"
        recency = (at - days[-1]).days
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        reacts = [b for a, b in zip(days, days[1:], strict=False) if (b - a).days > W]
        if recency > W:
            return "lost"
        if reacts and (at - reacts[-1]).days <= W:
            return "reactivated"
        if (at - days[0]).days < new_days:
            return "new"
        if len(days) >= 2 and recency > alert * statistics.median(gaps):
            return "alert"
        if len(days) == 1 and recency > W / 2:
            return "alert"
        return "loyal" if len(days) >= loyal else "at_risk"

    per = []
    for cid, day, campaign, channel, cost, group in contacts:
        at = d(day)
        if at > T:
            continue
        end = at + dt.timedelta(days=A)
        won = any(at < x <= end for x in pdays.get(cid, []))
        revenue = sum(a for x, a in rows.get(cid, []) if at < x <= end and a is not None)
        after = status(cid, min(end, T))
        per.append(
            dict(campaign=campaign, channel=channel, cost=cost or 0.0, group=group or "treatment", won=won,
                 revenue=revenue, before=status(cid, at - dt.timedelta(days=1)), after=after)
        )  # fmt: skip
    table = []
    for campaign in sorted({r["campaign"] for r in per}):
        t = [r for r in per if r["campaign"] == campaign and r["group"] == "treatment"]
        c = [r for r in per if r["campaign"] == campaign and r["group"] == "control"]
        n, won = len(t), sum(r["won"] for r in t)
        revenue, cost = sum(r["revenue"] for r in t), sum(r["cost"] for r in t)
        rate = won / n if n else None
        control_rate = sum(r["won"] for r in c) / len(c) if c else None
        table.append(
            (campaign, n, won, rate, revenue, cost, cost / won if won else None,
             (revenue - cost) / cost if cost else None, len(c), control_rate,
             rate - control_rate if rate is not None and control_rate is not None else None)
        )  # fmt: skip
    flow = defaultdict(int)
    for r in per:
        flow[(r["campaign"], r["group"], r["before"], r["after"])] += 1
    return table, dict(flow)


def _assert_rows_equal(got: list[tuple], want: list[tuple]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        for a, b in zip(g, w, strict=True):
            if isinstance(b, float):
                assert a == pytest.approx(b, abs=1e-9), (g, w)
            else:
                assert a == b, (g, w)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_matches_reference_on_random_data(make_data, seed):
    orders, contacts, signups = _random_data(seed)
    o, c = _frames(orders, contacts)
    customers = pl.DataFrame(
        {"customer_id": list(signups), "signed_up_at": [d(v) if v else None for v in signups.values()]},
        schema={"customer_id": pl.String, "signed_up_at": pl.Date},
    )
    folder = make_data(orders=o, contacts=c, customers=customers)
    ds = db.open_dataset(folder)
    latest = db.engine(ds).meta["default_as_of"]
    for T in (latest, latest - dt.timedelta(days=40)):
        for A in (7, 30):
            p = _params(ds, as_of=T, attribution_days=A)
            table, flow = _reference(orders, contacts, signups, T, A)
            _assert_rows_equal(_rows(q.cli_table(ds, p), q.CAMPAIGN_COLUMNS), table)
            got_flow = {
                (r["campaign"], r["contact_group"], r["status_before"], r["status_after"]): r["contacts"]
                for r in q.status_flow(ds, p).iter_rows(named=True)
            }
            assert got_flow == flow


# -- identities ------------------------------------------------------------------------------------------


def test_splits_add_up_on_sample(sample_dir):
    ds = db.open_dataset(sample_dir)
    for A in (7, 30, 90):
        p = _params(ds, attribution_days=A)
        by_campaign = q.campaign_figures(ds, p, "campaign")
        by_channel = q.campaign_figures(ds, p, "channel")
        by_group = q.campaign_figures(ds, p, "group").to_dicts()
        groups = {r["group"]: r for r in by_group}
        for col in ("contacts", "won_back", "open_contacts"):
            assert by_campaign[col].sum() == by_channel[col].sum() == groups["treatment"][col]
        assert by_campaign["control_size"].sum() == groups["control"]["contacts"]
        assert by_campaign["revenue_won"].sum() == pytest.approx(groups["treatment"]["revenue_won"])
        curve = q.wins_by_day(ds, p, None)
        last = curve.filter(pl.col("day") == A)
        assert dict(last.select("contact_group", "won_back").rows()) == {
            "treatment": groups["treatment"]["won_back"],
            "control": groups["control"]["won_back"],
        }
        flow = q.status_flow(ds, p)
        assert flow.filter(pl.col("contact_group") == "treatment")["contacts"].sum() == groups["treatment"]["contacts"]
        # with A <= W a won-back contact bought within W of its window's end, so it cannot be lost there
        lost_after = flow.filter((pl.col("contact_group") == "treatment") & (pl.col("status_after") == "lost"))
        assert lost_after["contacts"].sum() <= groups["treatment"]["contacts"] - groups["treatment"]["won_back"]


# -- CLI -------------------------------------------------------------------------------------------------


def test_cli_csv_and_json(hand_made):
    folder, _ = hand_made
    out = run_cli("campaigns", "--data", folder)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == ",".join(q.REPORT_COLUMNS)  # CLI.md: campaigns gains the profit columns
    # margin 1 and no cost column: profit_won = revenue_won; no acquisition cost: the last column is empty
    assert lines[1:] == [
        "spring,4,2,0.5,90.0,5.0,2.5,17.0,2,0.5,0.0,90.0,17.0,",
        "summer,1,1,1.0,10.0,0.0,0.0,,0,,,10.0,,",
    ]
    out = run_cli("campaigns", "--data", folder, "--attribution-days", "10", "--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["won_back"] for r in rows] == [1, 1]
    assert list(rows[0]) == q.REPORT_COLUMNS
    assert rows[1]["roi"] is None and rows[1]["uplift"] is None


def test_cli_default_window_from_settings(hand_made):
    folder, _ = hand_made
    out = run_cli("campaigns", "--data", folder, env={"RETENTION_ATTRIBUTION_DAYS": "10"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1].startswith("spring,4,1,0.25,")


@pytest.mark.parametrize("value", ["0", "-3", "ten"])
def test_cli_bad_attribution_days(hand_made, value):
    folder, _ = hand_made
    out = run_cli("campaigns", "--data", folder, "--attribution-days", value)
    assert out.returncode == 2
    assert "--attribution-days" in out.stderr and "Traceback" not in out.stderr


def test_cli_without_contacts_prints_header_only(make_data):
    orders, _ = _frames(ORDERS, [])
    folder = make_data(orders=orders)
    out = run_cli("campaigns", "--data", folder)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ",".join(q.REPORT_COLUMNS) + "\n"
    out = run_cli("campaigns", "--data", folder, "--format", "json")
    assert out.stdout.strip() == "[]"
