"""Cohort tables: literal expected tables for tiny data, and a naive reference on random data."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention import db
from retention.params import make_params
from retention.queries.cohorts import active_table, cohort_table
from retention.settings import Settings
from tests.conftest import d, run_cli, write_tables


def table(folder, **kw) -> list[tuple]:
    ds = db.open_dataset(folder, today=dt.date(2030, 1, 1))
    p = make_params(ds, Settings(), **kw)
    return [tuple(r) for r in cohort_table(ds, p).rows()]


@pytest.fixture
def tiny(make_data):
    # a: two rows on one day (one a refund), back in March; b: a null amount; c: refunds only (no cohort).
    return make_data(
        orders={
            "customer_id": ["a", "a", "a", "b", "b", "c"],
            "ordered_at": [d("2024-01-05"), d("2024-01-05"), d("2024-03-01"), d("2024-02-10"), d("2024-02-11"), d("2024-01-20")],
            "amount": [10.0, -5.0, 20.0, None, 7.0, -3.0],
        }
    )  # fmt: skip


def test_monthly_table_with_refunds_same_day_nulls_and_incomplete_period(tiny):
    # T = 2024-03-01 (latest order date), W = 30: March holds T, so its end is T and it is incomplete.
    assert table(tiny, window=30) == [
        # cohort, k, size, active, alive, revenue, rev/cust, cumulative, complete
        (d("2024-01-01"), 0, 1, 1, 1, 5.0, 5.0, 5.0, True),  # Jan 31 - Jan 5 = 26 <= 30
        (d("2024-01-01"), 1, 1, 0, 0, 0.0, 0.0, 5.0, True),  # Feb 29 - Jan 5 = 55 > 30
        (d("2024-01-01"), 2, 1, 1, 1, 20.0, 20.0, 25.0, False),
        (d("2024-02-01"), 0, 1, 1, 1, 7.0, 7.0, 7.0, True),  # null amount is activity, adds nothing
        (d("2024-02-01"), 1, 1, 0, 1, 0.0, 0.0, 7.0, False),  # T - Feb 11 = 19 <= 30
    ]


def test_as_of_in_mid_period_cuts_everything_after_it(tiny):
    # T = Feb 10: a's March order and b's Feb 11 order do not exist yet.
    assert table(tiny, window=30, as_of=d("2024-02-10")) == [
        (d("2024-01-01"), 0, 1, 1, 1, 5.0, 5.0, 5.0, True),
        (d("2024-01-01"), 1, 1, 0, 0, 0.0, 0.0, 5.0, False),  # Feb 10 - Jan 5 = 36 > 30
        (d("2024-02-01"), 0, 1, 1, 1, 0.0, 0.0, 0.0, False),
    ]


def test_recency_exactly_w_is_alive(make_data):
    folder = make_data(
        orders={"customer_id": ["x", "x"], "ordered_at": [d("2024-01-01"), d("2024-02-15")], "amount": [1.0, 1.0]}
    )
    # Jan 31 - Jan 1 = 30 days.
    alive_30 = [r[4] for r in table(folder, window=30)]
    alive_29 = [r[4] for r in table(folder, window=29)]
    assert alive_30 == [1, 1]
    assert alive_29 == [0, 1]


def test_week_boundaries_are_iso_mondays(make_data):
    # 2024-01-07 is a Sunday, 2024-01-08 a Monday.
    folder = make_data(
        orders={
            "customer_id": ["a", "a", "b"],
            "ordered_at": [d("2024-01-07"), d("2024-01-08"), d("2024-01-08")],
            "amount": [1.0, 2.0, 4.0],
        }
    )
    assert table(folder, window=7, period="week") == [
        (d("2024-01-01"), 0, 1, 1, 1, 1.0, 1.0, 1.0, True),
        (d("2024-01-01"), 1, 1, 1, 1, 2.0, 2.0, 3.0, False),
        (d("2024-01-08"), 0, 1, 1, 1, 4.0, 4.0, 4.0, False),
    ]


def test_quarter_boundaries(make_data):
    folder = make_data(
        orders={
            "customer_id": ["a", "a", "b"],
            "ordered_at": [d("2024-03-31"), d("2024-04-01"), d("2024-05-15")],
            "amount": [1.0, 2.0, 4.0],
        }
    )
    # Q1 ends Mar 31: a bought that day -> alive; Q2 holds T = May 15.
    assert table(folder, window=30, period="quarter") == [
        (d("2024-01-01"), 0, 1, 1, 1, 1.0, 1.0, 1.0, True),
        (d("2024-01-01"), 1, 1, 1, 0, 2.0, 2.0, 3.0, False),  # T - Apr 1 = 44 > 30
        (d("2024-04-01"), 0, 1, 1, 1, 4.0, 4.0, 4.0, False),
    ]


def test_timestamps_with_zone_use_the_configured_zone(make_data, monkeypatch):
    ts = pl.Series([dt.datetime(2024, 1, 31, 20, 0)]).dt.replace_time_zone("UTC")
    folder = make_data(orders=pl.DataFrame({"customer_id": ["a"], "ordered_at": ts, "amount": [1.0]}))
    # 20:00 UTC on Jan 31 is Feb 1 in Shanghai.
    ds = db.open_dataset(folder, "Asia/Shanghai", today=dt.date(2030, 1, 1))
    assert cohort_table(ds, make_params(ds, Settings()))["cohort"].to_list() == [d("2024-02-01")]
    ds_utc = db.open_dataset(folder, "UTC", today=dt.date(2030, 1, 1))
    assert cohort_table(ds_utc, make_params(ds_utc, Settings()))["cohort"].to_list() == [d("2024-01-01")]


def test_segment_filter_restricts_customers_but_keeps_default_t(make_data):
    folder = make_data(
        orders={
            "customer_id": ["a", "b", "b"],
            "ordered_at": [d("2024-01-05"), d("2024-01-06"), d("2024-03-20")],
            "amount": [1.0, 2.0, 3.0],
        },
        customers={"customer_id": ["a", "b"], "region": ["North", "South"]},
    )
    rows = table(folder, window=30, filters={"region": ["North"]})
    # Only a; T stays Mar 20 (latest of the whole data), so the grid still runs to March.
    assert [(r[1], r[2], r[3]) for r in rows] == [(0, 1, 1), (1, 1, 0), (2, 1, 0)]


def test_per_segment_window_changes_only_that_segment(make_data):
    folder = make_data(
        orders={"customer_id": ["a", "b"], "ordered_at": [d("2024-01-01"), d("2024-01-01")], "amount": [1.0, 1.0]},
        customers={"customer_id": ["a", "b"], "kind": ["cafe", "dental"], "ts": ["x", "y"]},
    )
    rows = table(folder, window=30, window_by="kind", window_map={"dental": 180}, as_of=d("2024-03-15"))
    # Cohort Jan (2 customers): at Feb 29, a (30 days) is lost, b (dental, 180) still active.
    assert [(r[1], r[4]) for r in rows] == [(0, 2), (1, 1), (2, 1)]


# -- the CLI shape -------------------------------------------------------------------------------


def test_cli_csv_and_json_shape(tiny):
    res = run_cli("cohorts", "--data", tiny, "--window", "30")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert (
        lines[0]
        == "cohort,k,cohort_size,active,alive,revenue,revenue_per_customer,cumulative_revenue_per_customer,complete"
    )
    assert lines[1] == "2024-01-01,0,1,1,1,5.0,5.0,5.0,true"
    res = run_cli("cohorts", "--data", tiny, "--window", "30", "--metric", "alive", "--format", "json")
    records = json.loads(res.stdout)
    assert list(records[0]) == ["cohort", "k", "cohort_size", "alive", "complete"]
    assert records[-1] == {"cohort": "2024-02-01", "k": 1, "cohort_size": 1, "alive": 1, "complete": False}


def test_cli_out_file(tiny, tmp_path):
    out = tmp_path / "c.csv"
    res = run_cli("cohorts", "--data", tiny, "--out", out, "--metric", "revenue")
    assert res.returncode == 0 and res.stdout == ""
    assert out.read_text().startswith(
        "cohort,k,cohort_size,revenue,revenue_per_customer,cumulative_revenue_per_customer,complete"
    )


def test_cli_empty_result_prints_header_only(make_data):
    folder = make_data(orders={"customer_id": ["a"], "ordered_at": [d("2024-01-05")], "amount": [-1.0]})
    res = run_cli("cohorts", "--data", folder)
    assert res.returncode == 0, res.stderr
    assert (
        res.stdout.strip()
        == "cohort,k,cohort_size,active,alive,revenue,revenue_per_customer,cumulative_revenue_per_customer,complete"
    )
    assert json.loads(run_cli("cohorts", "--data", folder, "--format", "json").stdout) == []


@pytest.mark.parametrize(
    "args, words",
    [
        (["--window", "0"], "--window"),
        (["--window", "abc"], "whole number"),
        (["--period", "year"], "--period"),
        (["--as-of", "31/02/2024"], "YYYY-MM-DD"),
        (["--filter", "region"], "ATTRIBUTE=VALUE"),
        (["--filter", "nosuch=1"], "nosuch"),
        (["--window-by", "nosuch", "--window-map", "a=1"], "nosuch"),
        (["--window-map", "a=x"], "whole number"),
        (["--metric", "nope"], "--metric"),
    ],
)
def test_cli_bad_arguments_exit_2_without_traceback(tiny, args, words):
    res = run_cli("cohorts", "--data", tiny, *args)
    assert res.returncode == 2
    assert words in res.stderr
    assert "Traceback" not in res.stderr


# -- a naive reference on random data -------------------------------------------------------------


def naive(orders: list[tuple[str, dt.date, float | None]], window: int, t: dt.date) -> dict:
    """METRICS.md read literally, month periods, one loop per day: {(cohort, k): (size, active, alive, revenue)}."""
    rows = [(c, day, amt) for c, day, amt in orders if day <= t]
    pdays: dict[str, set] = {}
    for c, day, amt in rows:
        if amt is None or amt >= 0:
            pdays.setdefault(c, set()).add(day)
    month = lambda x: dt.date(x.year, x.month, 1)  # noqa: E731
    idx = lambda x: x.year * 12 + x.month  # noqa: E731
    cohort = {c: month(min(days)) for c, days in pdays.items()}
    out = {}
    for c0 in set(cohort.values()):
        members = [c for c in cohort if cohort[c] == c0]
        for k in range(idx(t) - idx(c0) + 1):
            y, m = divmod(idx(c0) + k - 1, 12)
            start = dt.date(y, m + 1, 1)
            end = dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)
            end_eff = min(end, t)
            active = sum(1 for c in members if any(month(x) == start for x in pdays[c]))
            alive = 0
            for c in members:
                before = [x for x in pdays[c] if x <= end_eff]
                if before and (end_eff - max(before)).days <= window:
                    alive += 1
            revenue = sum(a or 0 for c, day, a in rows if c in members and month(day) == start)
            out[(c0, k)] = (len(members), active, alive, round(revenue, 6))
    return out


order_rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e"]),
        st.dates(min_value=dt.date(2023, 11, 1), max_value=dt.date(2024, 6, 30)),
        st.one_of(st.none(), st.floats(min_value=-20, max_value=50).map(lambda x: round(x, 2))),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=order_rows, window=st.integers(min_value=1, max_value=120))
def test_matches_naive_reference(tmp_path_factory, rows, window):
    folder = write_tables(
        tmp_path_factory.mktemp("rand"),
        orders=pl.DataFrame(
            {"customer_id": [r[0] for r in rows], "ordered_at": [r[1] for r in rows], "amount": [r[2] for r in rows]},
            schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
        ),
    )
    ds = db.open_dataset(folder, today=dt.date(2030, 1, 1))
    p = make_params(ds, Settings(), window=window)
    got = {
        (r["cohort"], r["k"]): (r["cohort_size"], r["active"], r["alive"], round(r["revenue"], 6))
        for r in cohort_table(ds, p).iter_rows(named=True)
    }
    assert got == naive(rows, window, p.as_of)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=order_rows,
    period=st.sampled_from(["week", "month", "quarter"]),
    as_of=st.dates(min_value=dt.date(2023, 11, 1), max_value=dt.date(2024, 7, 31)),
    segment=st.booleans(),
)
def test_active_query_matches_the_full_table(tmp_path_factory, rows, period, as_of, segment):
    # `cohorts --metric active` has its own one-pass query; it must give the full table's columns exactly,
    # for every period, any T and with a segment filter (the filter takes the joined scope).
    folder = write_tables(
        tmp_path_factory.mktemp("rand"),
        orders=pl.DataFrame(
            {"customer_id": [r[0] for r in rows], "ordered_at": [r[1] for r in rows], "amount": [r[2] for r in rows]},
            schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
        ),
        customers=pl.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "region": ["N", "S", "N", "S", "N"]}),
    )
    ds = db.open_dataset(folder, today=dt.date(2030, 1, 1))
    filters = {"region": ["N"]} if segment else None
    p = make_params(ds, Settings(), period=period, as_of=as_of, filters=filters)
    cols = ["cohort", "k", "cohort_size", "active", "complete"]
    assert active_table(ds, p).select(cols).rows() == cohort_table(ds, p).select(cols).rows()
