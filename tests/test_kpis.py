"""KPIs per period: a literal table for hand-made data, the flow identity as a property over random data,
windows and per-segment window maps, a naive reference for every column, the CLI shape."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from retention.queries.kpis import KPI_COLUMNS, kpi_table, segment_kpis
from retention.queries.profit import KPI_REPORT_COLUMNS
from tests.conftest import d, run_cli
from tests.test_lifecycle import RANDOM, Data, open_params, open_random, random_data, random_params, reference_args


@pytest.fixture
def tiny(make_data):
    # W = 10. a: Jan 5, Jan 20 (gap 15: lapse Jan 16, reactivation Jan 20), lapse Jan 31, back Mar 10.
    # b: Jan 31, Feb 11 (gap 11: lapse and reactivation the same day), lapse Feb 22.
    # c: a refund only. d: two rows on Feb 20 (one null amount), a refund on Mar 1, lapse Mar 2.
    return make_data(
        orders={
            "customer_id": ["a", "a", "a", "b", "b", "c", "d", "d", "d"],
            "ordered_at": [d("2024-01-05"), d("2024-01-20"), d("2024-03-10"), d("2024-01-31"), d("2024-02-11"),
                           d("2024-02-25"), d("2024-02-20"), d("2024-02-20"), d("2024-03-01")],
            "amount": [10.0, 20.0, 30.0, 5.0, 8.0, -5.0, 10.0, None, -3.0],
        }
    )  # fmt: skip


def rows(folder, **kw) -> list[tuple]:
    ds, p = open_params(folder, **kw)
    return [tuple(r) for r in kpi_table(ds, p).rows()]


def test_monthly_literal_table(tiny):
    # T = Mar 10 (latest order): March is incomplete and ends at T.
    assert rows(tiny, window=10) == [
        # period, complete, start, end, new, react, lapses, churn, retention, repeat, buyers, orders, revenue, aov,
        # returning share, top-20% share
        (d("2024-01-01"), True, 0, 1, 2, 1, 2, None, None, None, 2, 3, 35.0, 35 / 3, 0.0, 30 / 35),
        (d("2024-02-01"), True, 1, 1, 1, 1, 2, 1.0, 0.0, 1.0, 2, 3, 13.0, 13 / 3, 8 / 13, 10 / 13),
        (d("2024-03-01"), False, 1, 1, 0, 1, 1, 1.0, 0.0, 0.0, 1, 1, 27.0, 27.0, 1.0, 30 / 27),
    ]


def test_gap_of_exactly_w_is_neither_a_lapse_nor_a_reactivation(make_data):
    folder = make_data(
        orders={"customer_id": ["e", "e"], "ordered_at": [d("2024-01-01"), d("2024-01-11")], "amount": [1.0, 1.0]}
    )
    # W = 10: one lapse (Jan 11 + 11 = Jan 22); W = 9: the gap of 10 lapses on Jan 11 and reactivates the same
    # day, then Jan 11 lapses on Jan 21.
    assert rows(folder, window=10, as_of=d("2024-01-31"))[0][2:7] == (0, 0, 1, 0, 1)
    assert rows(folder, window=9, as_of=d("2024-01-31"))[0][2:7] == (0, 0, 1, 1, 2)
    # active at the end of the period holding T when T - Jan 11 = W exactly
    assert rows(folder, window=10, as_of=d("2024-01-21"))[0][2:7] == (0, 1, 1, 0, 0)


def test_weekly_periods_are_iso_weeks_with_empty_weeks(tiny):
    table = rows(tiny, window=10, period="week")
    periods = [r[0] for r in table]
    assert periods[0] == d("2024-01-01")  # the Monday of the week holding Jan 5
    assert periods[-1] == d("2024-03-04")  # the week holding T = Mar 10 (a Sunday): complete
    assert all((b - a).days == 7 for a, b in zip(periods, periods[1:], strict=False))
    assert table[-1][1] is True
    empty = [r for r in table if r[0] == d("2024-01-08")][0]  # nobody buys in the week of Jan 8
    assert empty[10:13] == (0, 0, 0.0) and empty[13] is None and empty[14] is None


def test_quarter_and_as_of_cut(tiny):
    # T = Feb 11: a's March order and d do not exist yet; the quarter holding T ends at T.
    assert rows(tiny, window=10, period="quarter", as_of=d("2024-02-11")) == [
        (d("2024-01-01"), False, 0, 1, 2, 2, 3, None, None, None, 2, 4, 43.0, 43 / 4, 0.0, 30 / 43),
    ]


def test_no_orders_in_scope_gives_no_rows(make_data):
    folder = make_data(
        orders={"customer_id": ["a"], "ordered_at": [d("2024-01-05")], "amount": [1.0]},
        customers={"customer_id": ["a"], "region": ["North"]},
    )
    ds, p = open_params(folder, filters={"region": ["South"]})
    assert kpi_table(ds, p).is_empty()
    assert kpi_table(ds, p).columns == KPI_COLUMNS


def test_segment_kpis_equal_filtered_tables(make_data):
    folder = make_data(
        orders={"customer_id": ["a", "b", "b"], "ordered_at": [d("2024-01-05"), d("2024-02-05"), d("2024-02-06")],
                "amount": [1.0, 2.0, 3.0]},
        customers={"customer_id": ["a", "b"], "region": ["North", "South"]},
    )  # fmt: skip
    ds, p = open_params(folder)
    by = segment_kpis(ds, p, "region")
    assert by.columns == ["segment", *KPI_COLUMNS]
    for value in ("North", "South"):
        ds, pf = open_params(folder, filters={"region": [value]})
        assert by.filter(pl.col("segment") == value).drop("segment").equals(kpi_table(ds, pf))


# -- the identity and a naive reference on random data --------------------------------------------------------


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def next_start(start: dt.date, period: str) -> dt.date:
    if period == "week":
        return start + dt.timedelta(days=7)
    months = 1 if period == "month" else 3
    m = start.month - 1 + months
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def ref_kpis(data: Data, t: dt.date, window: int, wmap: dict, seg_filter, period: str) -> list[dict]:
    """METRICS.md "KPIs per period", period by period and customer by customer."""
    scope = data.scope(seg_filter)
    w_of = data.window_of(window, wmap)
    rows = [o for o in data.orders if o[0] in scope and o[1] <= t]
    if not rows:
        return []
    pdays = data.purchase_days(t, scope)

    def active(cid: str, day: dt.date) -> bool:
        before = [p for p in pdays[cid] if p <= day]
        return bool(before) and (day - before[-1]).days <= w_of[cid]

    lapse_days = {
        cid: [
            p + dt.timedelta(days=w_of[cid] + 1)
            for i, p in enumerate(days)
            if (i + 1 == len(days) or (days[i + 1] - p).days > w_of[cid]) and p + dt.timedelta(days=w_of[cid] + 1) <= t
        ]
        for cid, days in pdays.items()
    }
    out = []
    start = period_start(min(o[1] for o in rows), period)
    while start <= t:
        end = next_start(start, period) - dt.timedelta(days=1)
        eff = min(end, t)

        def inside(day: dt.date, start=start, eff=eff) -> bool:
            return start <= day <= eff

        starters = {c for c in pdays if active(c, start - dt.timedelta(days=1))}
        churned = {c for c in starters if any(inside(x) for x in lapse_days[c])}
        repeated = {c for c in starters if any(inside(p) for p in pdays[c])}
        in_p = [o for o in rows if inside(o[1])]
        orders = sum(1 for o in in_p if o[2] is None or o[2] >= 0)
        per_customer: dict[str, float] = {}
        for cid, _, amount in in_p:
            per_customer[cid] = per_customer.get(cid, 0.0) + (amount or 0.0)
        revenue = sum(per_customer.values())
        returning = sum(v for c, v in per_customer.items() if c in pdays and pdays[c][0] < start)
        top = sorted(per_customer.values(), reverse=True)[: math.ceil(0.2 * len(per_customer))]
        n_start = len(starters)
        out.append(
            {
                "period": start,
                "complete": end <= t,
                "active_start": n_start,
                "active_end": sum(1 for c in pdays if active(c, eff)),
                "new": sum(1 for days in pdays.values() if inside(days[0])),
                "reactivations": sum(
                    1
                    for c, days in pdays.items()
                    for a, b in zip(days, days[1:], strict=False)
                    if inside(b) and (b - a).days > w_of[c]
                ),
                "lapses": sum(1 for days in lapse_days.values() for x in days if inside(x)),
                "churn_rate": len(churned) / n_start if n_start else None,
                "retention_rate": 1 - len(churned) / n_start if n_start else None,
                "repeat_rate": len(repeated) / n_start if n_start else None,
                "buyers": sum(1 for days in pdays.values() if any(inside(p) for p in days)),
                "orders": orders,
                "revenue": revenue,
                "aov": revenue / orders if orders else None,
                "returning_revenue_share": returning / revenue if revenue else None,
                "top20_revenue_share": sum(top) / revenue if revenue else None,
            }
        )
        start = next_start(start, period)
    return out


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


@RANDOM
@given(st.data())
def test_kpis_equal_the_reference_on_random_data(draw):
    data = draw.draw(random_data())
    kw = draw.draw(random_params(data))
    ds, p = open_random(data, kw)
    t, window, wmap, seg_filter = reference_args(data, kw, p.as_of)
    expected = ref_kpis(data, t, window, wmap, seg_filter, kw["period"])
    got = kpi_table(ds, p).to_dicts()
    assert [r["period"] for r in got] == [r["period"] for r in expected]
    for g, e in zip(got, expected, strict=True):
        bad = {k: (g[k], e[k]) for k in KPI_COLUMNS if not same(g[k], e[k])}
        assert not bad, (g["period"], bad)


@RANDOM
@given(st.data(), st.sampled_from(["week", "month", "quarter"]))
def test_flow_identity_holds_for_every_period_window_and_window_map(draw, period):
    data = draw.draw(random_data(span=500))
    kw = draw.draw(random_params(data)) | {"period": period}
    ds, p = open_random(data, kw)
    table = kpi_table(ds, p)
    lhs = table["active_end"]
    rhs = table["active_start"] + table["new"] + table["reactivations"] - table["lapses"]
    assert (lhs == rhs).all()
    # active_start is the previous period's active_end (0 for the first period)
    assert table["active_start"].to_list() == [0, *table["active_end"].to_list()[:-1]][: table.height]


# -- CLI ------------------------------------------------------------------------------------------------------


def test_cli_kpis_csv_and_json(tiny):
    out = run_cli("kpis", "--data", tiny, "--window", "10")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == ",".join(KPI_REPORT_COLUMNS)  # CLI.md: kpis gains profit, replacement_cost
    assert lines[1].startswith("2024-01-01,true,0,1,2,1,2,,,,2,3,35.0,")
    js = json.loads(run_cli("kpis", "--data", tiny, "--window", "10", "--format", "json").stdout)
    assert [r["period"] for r in js] == ["2024-01-01", "2024-02-01", "2024-03-01"]
    assert js[1]["churn_rate"] == 1.0 and js[0]["churn_rate"] is None


def test_cli_kpis_empty_and_bad_arguments(tiny, make_data):
    folder = make_data(
        orders={"customer_id": ["a"], "ordered_at": [d("2024-01-05")], "amount": [1.0]},
        customers={"customer_id": ["a"], "region": ["North"]},
    )
    out = run_cli("kpis", "--data", folder, "--filter", "region=South")
    assert out.returncode == 0 and out.stdout.splitlines() == [",".join(KPI_REPORT_COLUMNS)]
    assert run_cli("kpis", "--data", folder, "--filter", "region=South", "--format", "json").stdout.strip() == "[]"
    for bad in (["--period", "year"], ["--window", "0"], ["--filter", "nosuch=1"], ["--as-of", "2024-13-01"]):
        res = run_cli("kpis", "--data", tiny, *bad)
        assert res.returncode == 2, bad
        assert res.stderr.startswith("error:") and "Traceback" not in res.stderr


def test_sample_price_rise_wave_shows_as_a_lapse_spike(sample_dir):
    # The sample's price rise on 2025-09-01 makes customers stop: with W = 90 they lapse from 2025-12-01 on.
    ds, p = open_params(sample_dir, window=90, period="month")
    table = kpi_table(ds, p).filter(pl.col("complete") & (pl.col("period") >= d("2025-03-01")))
    by_lapses = table.sort("lapses", descending=True)["period"].to_list()
    by_churn = table.sort("churn_rate", descending=True)["period"].to_list()
    assert by_lapses[0] == d("2025-12-01") and by_churn[0] == d("2025-12-01")
