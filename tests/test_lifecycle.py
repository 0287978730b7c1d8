"""Lifecycle statuses and migrations: literal statuses for hand-made customers (every precedence rule and
boundary), a naive reference on random data, migration cells, the status mix, the CLI shape."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention import db
from retention.errors import InputError
from retention.params import make_params
from retention.queries.lifecycle import STATUSES, customer_statuses, migrations, status_counts, status_mix
from retention.settings import Settings
from tests.conftest import d, run_cli, write_tables

TODAY = dt.date(2030, 1, 1)
T = d("2024-06-30")


def days_before(n: int) -> dt.date:
    return T - dt.timedelta(days=n)


def open_params(folder, **kw):
    ds = db.open_dataset(folder, today=TODAY)
    return ds, make_params(ds, Settings(), **kw)


# -- literal statuses --------------------------------------------------------------------------------------

# customer -> purchase days as "days before T" (W = 30 unless the customer's kind maps it; new_days 30,
# loyal_min_orders 3, alert_factor 1.5), and the status the rules give at T.
HAND_MADE = {
    "lost_31": ([31], "lost"),  # recency 31 > W
    "recency_w": ([30], "alert"),  # recency exactly W is not lost; not new (T - first = 30); 30 > W/2
    "new_29": ([29], "new"),  # T - first = 29 < new_days (and new wins over alert: 29 > W/2)
    "react_w": ([80, 30, 25], "reactivated"),  # gap 50 > W; reactivated exactly W days ago
    "react_w1": ([80, 31, 25], "loyal"),  # reactivated W + 1 days ago: the rule no longer applies
    "gap_w": ([60, 30], "at_risk"),  # a gap of exactly W is not a reactivation; 30 <= 1.5 * 30
    "fast_react_new": ([12, 3], "reactivated"),  # kind fast (W = 5): gap 9 > 5, 3 days ago; beats new
    "median_even_10": ([46, 44, 40, 30, 10], "loyal"),  # gaps 2, 4, 10, 20: median 7; 10 <= 10.5
    "median_even_11": ([47, 45, 41, 31, 11], "alert"),  # 11 > 1.5 * 7 (lower middle 4 or upper 10 would differ)
    "alert_eq": ([35, 25, 15], "loyal"),  # gaps 10, 10: recency 15 = 1.5 * 10 is not beyond it
    "alert_gt": ([36, 26, 16], "alert"),  # recency 16 > 15
    "slow_half_eq": ([45], "at_risk"),  # kind slow (W = 91): one purchase day, 45 <= 45.5
    "slow_half_gt": ([46], "alert"),  # 46 > 45.5 (real division)
    "two_days": ([30, 5], "at_risk"),  # not new (T - first = 30), 5 <= 37.5, two purchase days < 3
    "new_many": ([20, 10, 5], "new"),  # new wins over loyal
}


@pytest.fixture
def hand_made(make_data):
    cids, dates, amounts = [], [], []
    for cid, (offsets, _) in HAND_MADE.items():
        for n in offsets:
            cids.append(cid), dates.append(days_before(n)), amounts.append(10.0)
    extra = [
        ("same_day", days_before(40), 5.0),  # several rows on one day are one purchase day ...
        ("same_day", days_before(40), None),  # ... a null amount is activity
        ("same_day", days_before(20), 5.0),  # gap 20: not new (40), 5 ... recency 20 <= 30 -> at_risk
        ("refund_late", days_before(50), 10.0),  # lost: the refund 5 days ago is no purchase day
        ("refund_late", days_before(5), -10.0),
        ("refund_only", days_before(3), -4.0),  # no purchase day, no customers row: no status
        ("after_t", days_before(40), 10.0),  # lost at T; its purchase after T does not exist yet
        ("after_t", T + dt.timedelta(days=1), 10.0),
        ("late_signup", days_before(10), 10.0),  # signed up after T but bought before it: new
    ]
    for cid, day, amount in extra:
        cids.append(cid), dates.append(day), amounts.append(amount)
    customers = {
        "customer_id": ["fast_react_new", "slow_half_eq", "slow_half_gt", "prospect_null", "prospect_t",
                        "signup_after_t", "late_signup"],
        "signed_up_at": [None, None, None, None, T, T + dt.timedelta(days=1), T + dt.timedelta(days=3)],
        "kind": ["fast", "slow", "slow", None, "fast", "slow", None],
    }  # fmt: skip
    return make_data(
        orders={"customer_id": cids, "ordered_at": dates, "amount": amounts},
        customers=pl.DataFrame(
            customers, schema={"customer_id": pl.String, "signed_up_at": pl.Date, "kind": pl.String}
        ),
    )


EXPECTED = {cid: status for cid, (_, status) in HAND_MADE.items()} | {
    "same_day": "at_risk",
    "refund_late": "lost",
    "after_t": "lost",
    "late_signup": "new",
    "prospect_null": "prospect",
    "prospect_t": "prospect",
}


def hand_params(folder, **kw):
    return open_params(folder, as_of=T, window=30, window_by="kind", window_map={"fast": 5, "slow": 91}, **kw)


def test_every_precedence_rule_and_boundary(hand_made):
    ds, p = hand_params(hand_made)
    frame = customer_statuses(ds, p)
    assert dict(frame.select("customer_id", "status").iter_rows()) == EXPECTED


def test_customer_facts(hand_made):
    ds, p = hand_params(hand_made)
    rows = {r["customer_id"]: r for r in customer_statuses(ds, p).iter_rows(named=True)}
    assert rows["median_even_11"] == {
        "customer_id": "median_even_11", "status": "alert", "recency": 11, "frequency": 5, "expected_gap": 7.0,
        "first_day": days_before(47), "last_day": days_before(11), "last_reactivation": None, "window_days": 30,
    }  # fmt: skip
    assert rows["fast_react_new"]["last_reactivation"] == days_before(3)
    assert rows["fast_react_new"]["window_days"] == 5
    assert rows["same_day"]["frequency"] == 2
    assert rows["recency_w"]["expected_gap"] is None
    assert rows["prospect_null"]["frequency"] == 0 and rows["prospect_null"]["recency"] is None


def test_counts_in_rule_order_with_zeros(hand_made):
    ds, p = hand_params(hand_made)
    counts = status_counts(ds, p)
    expected = {s: sum(1 for v in EXPECTED.values() if v == s) for s in STATUSES}
    assert counts.rows() == list(expected.items())
    # a filter that keeps only the fast customers (one of them a prospect): zeros stay in the table
    ds, p = hand_params(hand_made, filters={"kind": ["fast"]})
    assert status_counts(ds, p).rows() == [("prospect", 1), ("lost", 0), ("reactivated", 1), ("new", 0),
                                           ("alert", 0), ("loyal", 0), ("at_risk", 0)]  # fmt: skip


def test_migrations_literal(make_data):
    folder = make_data(
        orders={
            "customer_id": ["a", "a", "b", "c", "c"],
            "ordered_at": [d("2024-01-01"), d("2024-03-20"), d("2024-03-01"), d("2024-01-10"), d("2024-01-20")],
            "amount": [1.0, 1.0, 1.0, 1.0, -1.0],
        },
        customers={"customer_id": ["p", "q"], "signed_up_at": [d("2024-01-15"), d("2024-03-25")]},
    )
    ds, p = open_params(folder, window=30)  # T = 2024-03-20
    # at Feb 1: a lost? no (31 days: lost), c new? no (22 days: new); p prospect, b and q not yet known
    # at Mar 20: a reactivated, b new (19 days), c lost, p prospect, q still unknown (signs up Mar 25)
    assert migrations(ds, p, d("2024-02-01"), d("2024-03-20")).rows() == [
        ("not_yet", "new", 1),
        ("prospect", "prospect", 1),
        ("lost", "reactivated", 1),
        ("new", "lost", 1),
    ]
    with pytest.raises(InputError):
        migrations(ds, p, d("2024-03-01"), d("2024-04-01"))
    with pytest.raises(InputError):
        migrations(ds, p, d("2024-03-02"), d("2024-03-01"))


# -- a naive reference on random data ------------------------------------------------------------------------

BASE = d("2024-01-01")


@dataclass
class Data:
    """Random input: orders (customer, date, amount) and customers (id, signed_up_at, seg)."""

    orders: list[tuple[str, dt.date, float | None]]
    customers: list[tuple[str, dt.date | None, str | None]] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        tables = {
            "orders": pl.DataFrame(
                {
                    "customer_id": [o[0] for o in self.orders],
                    "ordered_at": [o[1] for o in self.orders],
                    "amount": [o[2] for o in self.orders],
                },
                schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
            )
        }
        if self.customers:
            tables["customers"] = pl.DataFrame(
                {
                    "customer_id": [c[0] for c in self.customers],
                    "signed_up_at": [c[1] for c in self.customers],
                    "seg": [c[2] for c in self.customers],
                },
                schema={"customer_id": pl.String, "signed_up_at": pl.Date, "seg": pl.String},
            )
        return write_tables(folder, **tables)

    @property
    def latest(self) -> dt.date:
        return max(o[1] for o in self.orders)

    def seg(self) -> dict[str, str | None]:
        return {c[0]: c[2] for c in self.customers}

    def scope(self, seg_filter: tuple[str, ...] | None) -> set[str]:
        ids = {o[0] for o in self.orders} | {c[0] for c in self.customers}
        if seg_filter is None:
            return ids
        return {c[0] for c in self.customers if c[2] in seg_filter}

    def window_of(self, window: int, wmap: dict[str, int]) -> dict[str, int]:
        seg = self.seg()
        return {cid: wmap.get(seg.get(cid), window) for cid in self.scope(None)}

    def purchase_days(self, t: dt.date, scope: set[str]) -> dict[str, list[dt.date]]:
        out: dict[str, set[dt.date]] = {}
        for cid, day, amount in self.orders:
            if cid in scope and day <= t and (amount is None or amount >= 0):
                out.setdefault(cid, set()).add(day)
        return {cid: sorted(days) for cid, days in out.items()}


def ref_statuses(data: Data, t: dt.date, window: int, wmap: dict[str, int], seg_filter=None) -> dict[str, str]:
    """METRICS.md "Status as of T", one customer at a time (new_days 30, loyal 3, alert factor 1.5)."""
    scope = data.scope(seg_filter)
    w_of = data.window_of(window, wmap)
    pdays = data.purchase_days(t, scope)
    out = {}
    for cid, signed, _ in data.customers:
        if cid in scope and cid not in pdays and (signed is None or signed <= t):
            out[cid] = "prospect"
    for cid, days in pdays.items():
        w = w_of[cid]
        recency = (t - days[-1]).days
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        reactivations = [b for a, b in zip(days, days[1:], strict=False) if (b - a).days > w]
        if recency > w:
            out[cid] = "lost"
        elif reactivations and (t - reactivations[-1]).days <= w:
            out[cid] = "reactivated"
        elif (t - days[0]).days < 30:
            out[cid] = "new"
        elif (len(days) >= 2 and recency > 1.5 * statistics.median(gaps)) or (len(days) == 1 and recency > w / 2):
            out[cid] = "alert"
        elif len(days) >= 3:
            out[cid] = "loyal"
        else:
            out[cid] = "at_risk"
    return out


AMOUNTS = st.sampled_from([None, -5.0, 0.0, 3.0, 10.0, 7.5])
WINDOWS = st.sampled_from([1, 2, 3, 5, 7, 10, 14]) | st.integers(1, 60)


def OFFSETS(span: int):  # noqa: N802 - a strategy
    # days clustered in a few weeks (short gaps that equal small windows) or spread over the whole span
    return st.integers(0, 30) | st.integers(0, span)


@st.composite
def random_data(draw, span: int = 240) -> Data:
    ids = [f"c{i}" for i in range(draw(st.integers(1, 7)))]
    orders = draw(
        st.lists(
            st.tuples(st.sampled_from(ids), OFFSETS(span).map(lambda n: BASE + dt.timedelta(days=n)), AMOUNTS),
            min_size=1,
            max_size=40,
        )
    )
    with_customers = draw(st.sampled_from([[], ids + ["p0", "p1"]]))
    customers = [
        (
            cid,
            draw(st.none() | st.integers(0, span + 20).map(lambda n: BASE + dt.timedelta(days=n))),
            draw(st.sampled_from([None, "a", "b"])),
        )
        for cid in with_customers
        if draw(st.booleans())
    ]
    return Data(orders, customers)


@st.composite
def random_params(draw, data: Data) -> dict:
    kw: dict = {"window": draw(WINDOWS), "period": draw(st.sampled_from(["week", "month", "quarter"]))}
    if data.customers and draw(st.booleans()):
        kw["window_by"] = "seg"
        kw["window_map"] = draw(st.dictionaries(st.sampled_from(["a", "b"]), WINDOWS, min_size=1))
    if data.customers and draw(st.booleans()):
        kw["filters"] = {"seg": draw(st.sampled_from([["a"], ["a", "b"]]))}
    if draw(st.booleans()):
        kw["as_of"] = data.latest - dt.timedelta(days=draw(st.integers(0, 60)))
    return kw


def reference_args(data: Data, kw: dict, t: dt.date) -> tuple:
    wmap = kw.get("window_map", {}) if kw.get("window_by") else {}
    seg_filter = tuple(kw["filters"]["seg"]) if "filters" in kw else None
    return t, kw["window"], wmap, seg_filter


def open_random(data: Data, kw: dict):
    folder = data.write(Path(tempfile.mkdtemp(prefix="lifecycle_")))
    return open_params(folder, **kw)


RANDOM = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM
@given(st.data())
def test_statuses_equal_the_reference_on_random_data(draw):
    data = draw.draw(random_data())
    kw = draw.draw(random_params(data))
    ds, p = open_random(data, kw)
    t, window, wmap, seg_filter = reference_args(data, kw, p.as_of)
    expected = ref_statuses(data, t, window, wmap, seg_filter)
    got = dict(customer_statuses(ds, p).select("customer_id", "status").iter_rows())
    assert got == expected
    counts = dict(status_counts(ds, p).iter_rows())
    assert list(counts) == list(STATUSES)
    assert counts == {s: sum(1 for v in expected.values() if v == s) for s in STATUSES}


@RANDOM
@given(st.data())
def test_migrations_equal_the_reference_and_sum_to_the_customers_known_at_t2(draw):
    data = draw.draw(random_data())
    kw = draw.draw(random_params(data))
    ds, p = open_random(data, kw)
    t, window, wmap, seg_filter = reference_args(data, kw, p.as_of)
    t2 = t - dt.timedelta(days=draw.draw(st.integers(0, 30)))
    t1 = t2 - dt.timedelta(days=draw.draw(st.integers(0, 120)))
    at1 = ref_statuses(data, t1, window, wmap, seg_filter)
    at2 = ref_statuses(data, t2, window, wmap, seg_filter)
    expected: dict[tuple[str, str], int] = {}
    for cid, status in at2.items():
        key = (at1.get(cid, "not_yet"), status)
        expected[key] = expected.get(key, 0) + 1
    frame = migrations(ds, p, t1, t2)
    assert {(f, s): n for f, s, n in frame.rows()} == expected
    assert frame["customers"].sum() == len(at2)
    assert frame["customers"].min() is None or frame["customers"].min() > 0
    order = ["not_yet", *STATUSES]
    keys = [(order.index(f), order.index(s)) for f, s, _ in frame.rows()]
    assert keys == sorted(keys)


@RANDOM
@given(st.data())
def test_status_mix_equals_the_status_at_every_period_end(draw):
    data = draw.draw(random_data())
    kw = draw.draw(random_params(data))
    ds, p = open_random(data, kw)
    t, window, wmap, seg_filter = reference_args(data, kw, p.as_of)
    mix = status_mix(ds, p)
    assert mix.height % len(STATUSES) == 0
    for (period_end,), rows in mix.group_by(["period_end"], maintain_order=True):
        expected = ref_statuses(data, period_end, window, wmap, seg_filter)
        assert rows["status"].to_list() == list(STATUSES)
        assert dict(rows.select("status", "customers").iter_rows()) == {
            s: sum(1 for v in expected.values() if v == s) for s in STATUSES
        }
    if not mix.is_empty():
        assert mix["period_end"].max() == t
        last = mix.filter(pl.col("period_end") == t).select("status", "customers")
        assert last.rows() == status_counts(ds, p).rows()


def test_mix_periods_start_at_the_earliest_order_and_end_at_t(hand_made):
    ds, p = hand_params(hand_made, period="month")
    mix = status_mix(ds, p)
    periods = mix["period"].unique(maintain_order=True).to_list()
    assert periods[0] == d("2024-04-01")  # the earliest order: 80 days before T, 2024-04-11
    assert periods[-1] == d("2024-06-01")
    assert mix.filter(pl.col("period") == d("2024-06-01"))["period_end"].unique().to_list() == [T]


# -- CLI ------------------------------------------------------------------------------------------------------


def test_cli_status_csv_json_and_by_customer(hand_made):
    common = ["--data", hand_made, "--as-of", "2024-06-30", "--window", "30",
              "--window-by", "kind", "--window-map", "fast=5,slow=91"]  # fmt: skip
    out = run_cli("status", *common)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "status,customers"
    assert [line.split(",")[0] for line in lines[1:]] == list(STATUSES)
    js = run_cli("status", *common, "--format", "json")
    assert json.loads(js.stdout) == [
        {"status": s, "customers": sum(1 for v in EXPECTED.values() if v == s)} for s in STATUSES
    ]
    by = run_cli("status", *common, "--by-customer")
    assert by.returncode == 0, by.stderr
    rows = [line.split(",") for line in by.stdout.splitlines()]
    assert rows[0] == ["customer_id", "status"]
    assert dict(rows[1:]) == EXPECTED
    assert [r[0] for r in rows[1:]] == sorted(EXPECTED)


def test_cli_migrations_shape_and_bad_arguments(hand_made):
    base = ["--data", hand_made, "--as-of", "2024-06-30"]
    out = run_cli("migrations", *base, "--from", "2024-05-31", "--to", "2024-06-30")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "from_status,to_status,customers"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == len(EXPECTED)
    for bad in (
        ["--from", "2024-05-31"],  # --to missing
        ["--from", "2024-05-31", "--to", "2024-07-01"],  # after T
        ["--from", "2024-06-30", "--to", "2024-05-31"],  # from after to
        ["--from", "31/05/2024", "--to", "2024-06-30"],  # not a date
    ):
        res = run_cli("migrations", *base, *bad)
        assert res.returncode == 2, (bad, res.stdout)
        assert res.stderr.startswith("error:") and "Traceback" not in res.stderr


def test_cli_empty_filter_prints_seven_zero_rows(hand_made):
    out = run_cli("status", "--data", hand_made, "--filter", "kind=nobody", "--as-of", "2024-06-30")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[1:] == [f"{s},0" for s in STATUSES]
