"""Churn reasons (METRICS.md "Churn reasons"): literal tables for hand-made rows, an independent
reference on random data, and the CLI's shape and errors."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention import db
from retention.errors import InputError
from retention.params import make_params
from retention.queries import reasons as q
from retention.settings import load_settings
from tests.conftest import d, run_cli, write_tables

NULL = None

# T = 2024-12-31 (z's order); W = 30 in every test below unless said otherwise.
ORDERS = {
    "customer_id": ["a", "a", "a", "b", "c", "d", "d", "d", "e", "g", "g", "g", "h", "z"],
    "ordered_at": [
        d("2024-01-10"), d("2024-03-01"), d("2024-03-05"),  # a: the 03-05 row is a refund, not a purchase day
        d("2024-05-01"),
        d("2024-02-01"),
        d("2023-06-01"), d("2023-06-02"), d("2024-06-10"),
        d("2024-12-10"),
        d("2024-08-01"), d("2024-08-10"), d("2024-08-25"),
        d("2024-11-01"),
        d("2024-12-31"),
    ],
    "amount": [100.0, 40.0, -10.0, 20.0, 50.0, 200.0, 7.0, 10.0, 5.0, 15.0, NULL, 5.0, 30.0, 1.0],
}  # fmt: skip
REASONS = {
    "customer_id": ["a", "b", "c", "d", "e", "f", "g", "h", "i"],
    "churned_at": [
        d("2024-04-01"),  # a: the day of a's lapse of 04-01 (explained), 51 days after the one of 02-10
        d("2024-07-01"),  # b: exactly W = 30 days after b's lapse of 06-01: explained
        d("2024-04-03"),  # c: 31 days after c's lapse of 03-03: not explained
        d("2024-05-31"),  # d: 365 days after d's order of 2023-06-01, which is outside the lost-revenue window
        d("2025-01-05"),  # e: after T: does not exist
        d("2024-02-15"),  # f: no orders at all
        d("2024-08-20"),  # g: 36 days before g's lapse of 09-25
        d("2025-01-01"),  # h: 30 days after h's lapse of 12-02, but after T: explains nothing
        d("2024-09-01"),  # i: a code outside the map
    ],
    "reason": [" Price ", "price", "", "competitor", "service", "Moved_Away", "channel", "quality", "  Vacation "],
    "category": [NULL, "Uncontrollable", NULL, NULL, NULL, " ", "controllable", NULL, NULL],
    "source": ["survey", "staff", "email", "survey", "staff", "email", "survey", "staff", "email"],
    "comment": ["prices went up", NULL, NULL, NULL, NULL, "moved house", NULL, NULL, NULL],
}
CUSTOMERS = {
    "customer_id": ["a", "b", "c", "d", "g", "h"],
    "region": ["South", "South", "North", "South", "South", "South"],
}

REASON_SCHEMA = {"reason": pl.String, "count": pl.Int64, "share": pl.Float64, "cumulative_share": pl.Float64,
                 "lost_revenue": pl.Float64}  # fmt: skip


def expected_reasons(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=REASON_SCHEMA, orient="row")


@pytest.fixture
def data(make_data):
    return make_data(orders=ORDERS, churn_reasons=REASONS, customers=CUSTOMERS)


def open_params(folder: Path, **overrides):
    settings = load_settings(data_dir=folder, **overrides.pop("settings", {}))
    ds = db.open_dataset(folder, settings.timezone)
    return ds, make_params(ds, settings, window=overrides.pop("window", 30), **overrides)


def table(folder, date_from=None, date_to=None, **kw) -> pl.DataFrame:
    ds, p = open_params(folder, **kw)
    return q.reason_table(ds, p, date_from, date_to).select(q.REASON_COLUMNS)


def summary(folder, date_from=None, date_to=None, **kw) -> dict:
    ds, p = open_params(folder, **kw)
    return q.reason_summary(ds, p, date_from, date_to)


# -- literal tables ----------------------------------------------------------------------------------


def test_reason_table_all_rows(data):
    # price: a 100 + 40 - 10 (refund included) and b 20; d: only the 2023-06-02 order (2023-06-01 is 365 days
    # before churned_at, outside); g: 15 + null, the 08-25 order is after churned_at; e and h are after T.
    assert_frame_equal(
        table(data),
        expected_reasons([
            ("price", 2, 2 / 7, 2 / 7, 150.0),
            ("channel", 1, 1 / 7, 3 / 7, 15.0),
            ("competitor", 1, 1 / 7, 4 / 7, 7.0),
            ("moved_away", 1, 1 / 7, 5 / 7, 0.0),
            ("unknown", 1, 1 / 7, 6 / 7, 50.0),
            ("vacation", 1, 1 / 7, 7 / 7, 0.0),
        ]),
    )  # fmt: skip


def test_category_columns_row_wins_over_map(data):
    ds, p = open_params(data)
    cats = q.reason_table(ds, p).select("reason", "controllable", "uncontrollable", "uncategorised")
    # b's price row says uncontrollable (the row wins over the map's controllable); channel comes from the row;
    # moved_away and vacation have no default category; an empty reason is 'unknown' without a category.
    assert cats.rows() == [
        ("price", 1, 1, 0),
        ("channel", 1, 0, 0),
        ("competitor", 0, 1, 0),
        ("moved_away", 0, 0, 1),
        ("unknown", 0, 0, 1),
        ("vacation", 0, 0, 1),
    ]


def test_summary_all_rows(data):
    # Lapses (W = 30): a 02-10 (no row within 30 days) and 04-01 (a's row the same day), b 06-01 (b's row exactly
    # 30 days later), c 03-03 (c's row 31 days later), d 2023-07-03 and 2024-07-11, g 09-25, h 12-02 (h's row
    # is after T). e and z lapse after T. Controllable: a (map) and g (row) of 7 rows.
    assert summary(data) == {"rows": 7, "controllable_share": 2 / 7, "unexplained_lapses": 6, "lapses": 8}


def test_range_bounds_are_inclusive(data):
    # rows of a (04-01), c, d and b (07-01); lapses of a (04-01) and b (06-01), both explained
    assert_frame_equal(
        table(data, d("2024-04-01"), d("2024-07-01")),
        expected_reasons([("price", 2, 0.5, 0.5, 150.0), ("competitor", 1, 0.25, 0.75, 7.0),
                          ("unknown", 1, 0.25, 1.0, 50.0)]),
    )  # fmt: skip
    assert summary(data, d("2024-04-01"), d("2024-07-01")) == {
        "rows": 4, "controllable_share": 0.25, "unexplained_lapses": 0, "lapses": 2,
    }  # fmt: skip


def test_row_outside_the_range_explains_a_lapse_inside(data):
    # b's lapse of 06-01 is in the range; b's row of 07-01 is not, but still explains it. No rows: share null.
    assert table(data, d("2024-06-01"), d("2024-06-30")).is_empty()
    assert summary(data, d("2024-06-01"), d("2024-06-30")) == {
        "rows": 0, "controllable_share": None, "unexplained_lapses": 0, "lapses": 1,
    }  # fmt: skip


def test_open_ended_range(data):
    assert table(data, d("2024-09-01")).rows() == [("vacation", 1, 1.0, 1.0, 0.0)]
    assert summary(data, d("2024-09-01")) == {
        "rows": 1,
        "controllable_share": 0.0,
        "unexplained_lapses": 2,
        "lapses": 2,
    }
    assert summary(data, None, d("2024-02-29"))["unexplained_lapses"] == 2  # d 2023-07-03, a 2024-02-10


def test_everything_cut_at_as_of(data):
    # At T = 2024-06-30 b's row (07-01) does not exist yet, so b's lapse of 06-01 is unexplained.
    assert_frame_equal(
        table(data, as_of=d("2024-06-30")),
        expected_reasons([("competitor", 1, 0.25, 0.25, 7.0), ("moved_away", 1, 0.25, 0.5, 0.0),
                          ("price", 1, 0.25, 0.75, 130.0), ("unknown", 1, 0.25, 1.0, 50.0)]),
    )  # fmt: skip
    assert summary(data, as_of=d("2024-06-30")) == {
        "rows": 4, "controllable_share": 0.25, "unexplained_lapses": 4, "lapses": 5,
    }  # fmt: skip


def test_per_segment_window(data):
    # c (North) gets W = 40: it lapses on 03-13 and its row of 04-03 is 21 days later, so it is explained.
    s = summary(data, window_by="region", window_map={"North": 40})
    assert s == {"rows": 7, "controllable_share": 2 / 7, "unexplained_lapses": 5, "lapses": 8}


def test_segment_filter(data):
    assert table(data, filters={"region": ["North"]}).rows() == [("unknown", 1, 1.0, 1.0, 50.0)]
    assert summary(data, filters={"region": ["North"]}) == {
        "rows": 1, "controllable_share": 0.0, "unexplained_lapses": 1, "lapses": 1,
    }  # fmt: skip


def test_category_map_is_a_setting(data):
    # Only this map: price has no category any more (a), competitor and vacation are controllable, and the
    # rows' own categories still win (b uncontrollable, g controllable).
    s = summary(data, settings={"reason_categories": "competitor=controllable,vacation=controllable"})
    assert s["controllable_share"] == 3 / 7


def test_without_reasons_table_every_lapse_is_unexplained(make_data):
    folder = make_data(orders=ORDERS)
    assert table(folder).is_empty()
    assert summary(folder) == {"rows": 0, "controllable_share": None, "unexplained_lapses": 8, "lapses": 8}
    ds, p = open_params(folder)
    assert not q.has_reasons_table(ds)


def test_breakdowns(data):
    ds, p = open_params(data)
    by_period = q.reason_breakdown(ds, p, "period")
    assert by_period.rows() == [
        (d("2024-02-01"), "moved_away", "uncategorised", 1),
        (d("2024-04-01"), "price", "controllable", 1),
        (d("2024-04-01"), "unknown", "uncategorised", 1),
        (d("2024-05-01"), "competitor", "uncontrollable", 1),
        (d("2024-07-01"), "price", "uncontrollable", 1),
        (d("2024-08-01"), "channel", "controllable", 1),
        (d("2024-09-01"), "vacation", "uncategorised", 1),
    ]
    assert q.reason_breakdown(ds, p, "cohort").rows() == [
        (d("2023-06-01"), "competitor", "uncontrollable", 1),
        (d("2024-01-01"), "price", "controllable", 1),
        (d("2024-02-01"), "unknown", "uncategorised", 1),
        (d("2024-05-01"), "price", "uncontrollable", 1),
        (d("2024-08-01"), "channel", "controllable", 1),
        (None, "moved_away", "uncategorised", 1),
        (None, "vacation", "uncategorised", 1),
    ]
    assert q.reason_breakdown(ds, p, "attribute", "region").rows() == [
        ("North", "unknown", "uncategorised", 1),
        ("South", "channel", "controllable", 1),
        ("South", "competitor", "uncontrollable", 1),
        ("South", "price", "controllable", 1),
        ("South", "price", "uncontrollable", 1),
        (None, "moved_away", "uncategorised", 1),
        (None, "vacation", "uncategorised", 1),
    ]
    with pytest.raises(InputError):
        q.reason_breakdown(ds, p, "weekday")


def test_lapses_by_period(data):
    ds, p = open_params(data)
    assert q.lapses_by_period(ds, p).rows() == [
        (d("2023-07-01"), 1, 1),
        (d("2024-02-01"), 1, 1),
        (d("2024-03-01"), 1, 1),
        (d("2024-04-01"), 1, 0),
        (d("2024-06-01"), 1, 0),
        (d("2024-07-01"), 1, 1),
        (d("2024-09-01"), 1, 1),
        (d("2024-12-01"), 1, 1),
    ]


def test_rows_table(data):
    ds, p = open_params(data)
    assert q.reason_rows(ds, p).rows() == [
        ("f", d("2024-02-15"), "moved_away", None, "email", "moved house"),
        ("a", d("2024-04-01"), "price", "controllable", "survey", "prices went up"),
        ("c", d("2024-04-03"), "unknown", None, "email", None),
        ("d", d("2024-05-31"), "competitor", "uncontrollable", "survey", None),
        ("b", d("2024-07-01"), "price", "uncontrollable", "staff", None),
        ("g", d("2024-08-20"), "channel", "controllable", "survey", None),
        ("i", d("2024-09-01"), "vacation", None, "email", None),
    ]
    assert q.reason_span(ds, p) == (d("2024-02-15"), d("2024-09-01"))


def test_range_checks(data):
    ds, p = open_params(data)
    with pytest.raises(InputError):
        q.reason_table(ds, p, d("2025-01-01"), None)
    with pytest.raises(InputError):
        q.reason_summary(ds, p, d("2024-05-01"), d("2024-04-01"))


# -- an independent reference on random data -------------------------------------------------------------

T0 = dt.date(2024, 1, 1)


def reference(orders: list[tuple], rows: list[tuple], window: int, cat_map: dict, lo, hi):
    """Plain-Python METRICS.md: orders (cid, day offset, amount), rows (cid, day offset, reason, category)."""
    day = lambda k: T0 + dt.timedelta(days=k)  # noqa: E731
    t = max(day(o[1]) for o in orders)
    lo = lo or dt.date.min
    hi = hi or t
    all_rows = [(c, day(k), r, cat) for c, k, r, cat in rows if day(k) <= t]
    in_range = [r for r in all_rows if lo <= r[1] <= hi]
    counts: dict[str, int] = {}
    lost: dict[str, float] = {}
    controllable = 0
    for c, when, reason, cat in in_range:
        counts[reason] = counts.get(reason, 0) + 1
        lost[reason] = lost.get(reason, 0.0) + sum(
            a or 0.0 for oc, k, a in orders if oc == c and when - dt.timedelta(days=365) < day(k) <= when
        )
        controllable += (cat or cat_map.get(reason)) == "controllable"
    ordered = sorted(counts, key=lambda r: (-counts[r], r))
    n = len(in_range)
    running, table_rows = 0, []
    for r in ordered:
        running += counts[r]
        table_rows.append((r, counts[r], counts[r] / n, running / n, lost[r]))
    lapses = unexplained = 0
    for c in {o[0] for o in orders}:
        pdays = sorted({day(k) for oc, k, a in orders if oc == c and (a is None or a >= 0)})
        for i, p in enumerate(pdays):
            nxt = pdays[i + 1] if i + 1 < len(pdays) else None
            lapse = p + dt.timedelta(days=window + 1)
            if (nxt is None or nxt > p + dt.timedelta(days=window)) and lapse <= t and lo <= lapse <= hi:
                lapses += 1
                unexplained += not any(rc == c and abs((w - lapse).days) <= window for rc, w, _, _ in all_rows)
    return table_rows, {"rows": n, "controllable_share": controllable / n if n else None,
                        "unexplained_lapses": unexplained, "lapses": lapses}  # fmt: skip


customers_st = st.sampled_from(["c1", "c2", "c3", "c4"])
orders_st = st.lists(
    st.tuples(customers_st, st.integers(0, 400), st.one_of(st.none(), st.sampled_from([-5.0, 0.0, 3.0, 10.0, 25.5]))),
    min_size=1,
    max_size=25,
)
rows_st = st.lists(
    st.tuples(
        customers_st,
        st.integers(-30, 450),
        st.sampled_from(["price", "competitor", "moved_away", "unknown", "service"]),
        st.sampled_from([None, "controllable", "uncontrollable"]),
    ),
    max_size=10,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    orders=orders_st,
    rows=rows_st,
    window=st.sampled_from([5, 30, 60]),
    bounds=st.tuples(st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(0, 400))),
)
def test_matches_reference(orders, rows, window, bounds):
    t = T0 + dt.timedelta(days=max(o[1] for o in orders))
    lo, hi = (None if b is None else min(T0 + dt.timedelta(days=b), t) for b in bounds)
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    tables = {
        "orders": pl.DataFrame(
            {"customer_id": [o[0] for o in orders], "ordered_at": [T0 + dt.timedelta(days=o[1]) for o in orders],
             "amount": [o[2] for o in orders]},
            schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
        ),
    }  # fmt: skip
    if rows:
        tables["churn_reasons"] = pl.DataFrame(
            {"customer_id": [r[0] for r in rows], "churned_at": [T0 + dt.timedelta(days=r[1]) for r in rows],
             "reason": [r[2] for r in rows], "category": [r[3] for r in rows]},
            schema={"customer_id": pl.String, "churned_at": pl.Date, "reason": pl.String, "category": pl.String},
        )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp) / "data", **tables)
        ds, p = open_params(folder, window=window)
        got_table = q.reason_table(ds, p, lo, hi).select(q.REASON_COLUMNS).rows()
        got_summary = q.reason_summary(ds, p, lo, hi)
    cat_map = dict(load_settings().reason_categories)
    want_table, want_summary = reference(orders, rows, window, cat_map, lo, hi)
    assert [r[:2] for r in got_table] == [r[:2] for r in want_table]
    for got, want in zip(got_table, want_table, strict=True):
        assert got[2:] == pytest.approx(want[2:])
    assert got_summary == pytest.approx(want_summary)
    # identities: shares add up, the last cumulative share is 1, unexplained lapses are a part of all lapses
    if got_table:
        assert sum(r[1] for r in got_table) == got_summary["rows"]
        assert got_table[-1][3] == pytest.approx(1.0)
    assert got_summary["unexplained_lapses"] <= got_summary["lapses"]


# -- CLI --------------------------------------------------------------------------------------------


def test_cli_csv_and_json(data):
    out = run_cli("reasons", "--data", data, "--window", "30", "--from", "2024-04-01", "--to", "2024-07-01")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "reason,count,share,cumulative_share,lost_revenue",
        "price,2,0.5,0.5,150.0",
        "competitor,1,0.25,0.75,7.0",
        "unknown,1,0.25,1.0,50.0",
    ]
    out = run_cli("reasons-summary", "--data", data, "--window", "30", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [{"rows": 7, "controllable_share": 2 / 7, "unexplained_lapses": 6}]
    out = run_cli("reasons-summary", "--data", data, "--window", "30", "--from", "2024-06-01", "--to", "2024-06-30")
    assert out.stdout.splitlines() == ["rows,controllable_share,unexplained_lapses", "0,,0"]


def test_cli_empty_report(data):
    out = run_cli("reasons", "--data", data, "--from", "2024-06-01", "--to", "2024-06-30")
    assert (out.returncode, out.stdout) == (0, "reason,count,share,cumulative_share,lost_revenue\n")
    out = run_cli("reasons", "--data", data, "--from", "2024-06-01", "--to", "2024-06-30", "--format", "json")
    assert (out.returncode, json.loads(out.stdout)) == (0, [])


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "2025-01-01"),  # after T
        ("--to", "2025-06-30"),
        ("--from", "2024-05-01", "--to", "2024-04-01"),
        ("--from", "01/04/2024"),
    ],
)
def test_cli_bad_range_exits_2(data, args):
    for report in ("reasons", "reasons-summary"):
        out = run_cli(report, "--data", data, *args)
        assert out.returncode == 2, out.stdout
        assert "Traceback" not in out.stderr and out.stderr.startswith("error:")
