"""Return window: return curve, recommended windows, what-if, per-segment windows, CLI, charts and the page."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention import db
from retention.charts import window as charts
from retention.metrics.window import recommended_map, share_at, with_windows_in_use
from retention.params import make_params
from retention.queries.cohorts import cohort_table
from retention.queries.common import overview
from retention.queries.window import recommend, return_curve, return_curves, whatif
from retention.settings import load_settings
from tests.conftest import ROOT, d, run_cli


def params(data_dir, **kw):
    ds = db.open_dataset(data_dir, "UTC", today=dt.date(2030, 1, 1))
    return ds, make_params(ds, load_settings(), **kw)


def orders(rows: list[tuple[str, str, float | None]]) -> dict:
    return {
        "customer_id": [r[0] for r in rows],
        "ordered_at": [d(r[1]) for r in rows],
        "amount": [r[2] for r in rows],
    }


# Purchase days on or before T = 2024-01-30:
#   a: 01-01, 01-04, 01-09 (two orders that day; a refund on 01-20 is no activity) -> gaps 3, 5; open 21
#   b: 01-30 -> open 0;  c: 01-20, 01-30 (01-31 is after T) -> gap 10; open 0;  d: 01-27 -> open 3
#   e: only a refund -> no silence at all
CURVE_ORDERS = orders([
    ("a", "2024-01-01", 10.0), ("a", "2024-01-04", 10.0), ("a", "2024-01-09", 10.0), ("a", "2024-01-09", None),
    ("a", "2024-01-20", -5.0), ("b", "2024-01-30", 3.0), ("c", "2024-01-20", 1.0), ("c", "2024-01-30", 1.0),
    ("c", "2024-01-31", 1.0), ("d", "2024-01-27", 2.0), ("e", "2024-01-15", -1.0),
])  # fmt: skip
CURVE_CUSTOMERS = {"customer_id": ["a", "b", "c", "e"], "kind": ["x", "x", "y", "x"]}  # d has no customers row
T_CURVE = d("2024-01-30")


@pytest.fixture
def curve_data(make_data):
    return make_data(orders=CURVE_ORDERS, customers=CURVE_CUSTOMERS)


def test_return_curve_literal(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE)
    got = return_curve(ds, p, max_days=23)
    # closed gaps 3, 5, 10; open silences 21, 0, 0, 3
    expected = (
        [(1, 3, 2, 3 / 5), (2, 3, 2, 3 / 5), (3, 2, 2, 2 / 4), (4, 2, 1, 2 / 3)]
        + [(k, 1, 1, 1 / 2) for k in range(5, 10)]
        + [(k, 0, 1, 0.0) for k in range(10, 22)]
        + [(22, 0, 0, None), (23, 0, 0, None)]
    )
    assert got.select("days", "returned", "still_silent", "return_share").rows() == expected


def test_return_curves_per_segment(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE)
    got = return_curves(ds, p, "kind", max_days=12)
    assert got["segment"].unique(maintain_order=True).to_list() == ["*", "x", "y"]
    x = got.filter(pl.col("segment") == "x")["return_share"].to_list()
    # x = a and b: closed 3, 5; open 21, 0
    assert x == [2 / 3, 2 / 3, 1 / 2, 1 / 2] + [0.0] * 8
    y = got.filter(pl.col("segment") == "y")["return_share"].to_list()
    # y = c: closed 10; open 0 -> every silence of 1..9 days ended in a return, then nobody is left
    assert y == [1.0] * 9 + [None] * 3


def test_recommend_boundary_and_null_segment(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE)
    # return_share(3) is exactly 0.5: it qualifies at 0.5, not at 0.49 (then d = 10, share 0)
    assert recommend(ds, p, "kind", 0.5, 23).select("segment", "recommended_window").rows() == [
        ("*", 3), ("x", 3), ("y", None),
    ]  # fmt: skip
    assert recommend(ds, p, "kind", 0.49, 23).select("segment", "recommended_window").rows() == [
        ("*", 10), ("x", 5), ("y", None),
    ]  # fmt: skip
    assert recommend(ds, p, None, 0.6, 23).select("segment", "recommended_window").rows() == [("*", 1)]
    # max_days cuts the search: d = 10 is beyond 9 days
    assert recommend(ds, p, None, 0.49, 9)["recommended_window"].to_list() == [None]
    recs = recommend(ds, p, "kind", 0.5, 23)
    assert recs["silences"].to_list() == [7, 4, 2]
    assert recommended_map(recs) == {"x": 3}


def test_curve_ignores_window_and_map(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE)
    _, p2 = params(curve_data, as_of=T_CURVE, window=5, window_by="kind", window_map={"x": 2})
    assert return_curves(ds, p, "kind", 30).equals(return_curves(ds, p2, "kind", 30))


def test_curve_follows_segment_filter(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE, filters={"kind": ["x"]})
    assert return_curve(ds, p, 5)["return_share"].to_list() == [2 / 3, 2 / 3, 1 / 2, 1 / 2, 0.0]


# What-if, T = 2024-03-15, last complete month February [02-01, 02-29], active_start counted on 01-31:
#   a: 01-25, 02-10       -> active from W >= 6; lapses in Feb for W < 19 (02-10 + W + 1 <= 02-29)
#   b: 01-01, 03-01       -> active from W >= 30; lapses in Feb for W < 59 (next purchase 60 days later)
#   c: 02-05              -> not active at the start
#   d: 01-31, 02-01, 02-02 -> active for every W; lapses in Feb for W < 27
# Open silences at T: a 34, b 14, c 39, d 42.
WHATIF_ORDERS = orders([
    ("a", "2024-01-25", 1.0), ("a", "2024-02-10", 1.0), ("b", "2024-01-01", 1.0), ("b", "2024-03-01", 1.0),
    ("c", "2024-02-05", 1.0), ("d", "2024-01-31", 1.0), ("d", "2024-02-01", 1.0), ("d", "2024-02-02", 1.0),
])  # fmt: skip
GRID = (7, 14, 18, 19, 30, 45, 58, 59, 60)


def test_whatif_literal(make_data):
    ds, p = params(make_data(orders=WHATIF_ORDERS), as_of=d("2024-03-15"))
    got = whatif(ds, p, GRID)
    assert got.select("window", "lost_share", "churn_rate", "active_start", "lapsed").rows() == [
        (7, 1.0, 1.0, 2, 2),
        (14, 0.75, 1.0, 2, 2),
        (18, 0.75, 1.0, 2, 2),
        (19, 0.75, 0.5, 2, 1),
        (30, 0.75, 1 / 3, 3, 1),
        (45, 0.0, 1 / 3, 3, 1),
        (58, 0.0, 1 / 3, 3, 1),
        (59, 0.0, 0.0, 3, 0),
        (60, 0.0, 0.0, 3, 0),
    ]
    assert set(got["period_start"]) == {d("2024-02-01")} and set(got["period_end"]) == {d("2024-02-29")}


def test_whatif_period_ending_on_t_and_no_complete_period(make_data):
    folder = make_data(orders=WHATIF_ORDERS)
    # T on the last day of February: February itself is the last complete period
    ds, p = params(folder, as_of=d("2024-02-29"))
    got = whatif(ds, p, GRID)
    assert got["churn_rate"].to_list() == [1.0, 1.0, 1.0, 0.5, 1 / 3, 1 / 3, 1 / 3, 0.0, 0.0]
    # open silences at 02-29: a 19, b 59, c 24, d 27
    assert got["lost_share"].to_list() == [1.0, 1.0, 1.0, 0.75, 0.25, 0.25, 0.25, 0.0, 0.0]
    # T inside the first month of data: no earlier period has active customers -> null churn rate
    ds, p = params(folder, as_of=d("2024-01-28"))
    got = whatif(ds, p, (7, 90))
    assert got["churn_rate"].to_list() == [None, None]
    assert got["lost_share"].to_list() == [0.5, 0.0]  # b silent 27 days, a 3 days


def test_whatif_ignores_the_window_map(make_data):
    folder = make_data(orders=WHATIF_ORDERS, customers={"customer_id": ["a", "b"], "kind": ["x", "y"]})
    ds, p = params(folder, as_of=d("2024-03-15"))
    _, mapped = params(folder, as_of=d("2024-03-15"), window_by="kind", window_map={"x": 1, "y": 400})
    assert whatif(ds, p, GRID).equals(whatif(ds, mapped, GRID))


# -- the definitions, straight from METRICS.md, against the SQL on random data ----------------------------


def naive(days_by_cust: dict[str, list[dt.date]], T: dt.date, max_days: int, windows, period: str = "month"):
    gaps, opens = [], []
    for ds in days_by_cust.values():
        gaps += [(b - a).days for a, b in zip(ds, ds[1:], strict=False)]
        opens.append((T - ds[-1]).days)
    curve = []
    for k in range(1, max_days + 1):
        c, o = sum(g > k for g in gaps), sum(s >= k for s in opens)
        curve.append(c / (c + o) if c + o else None)
    start_t = T.replace(day=1)
    end_t = (start_t + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    if end_t == T:
        s, e = start_t, T
    else:
        e = start_t - dt.timedelta(days=1)
        s = e.replace(day=1)
    rows = []
    for w in windows:
        lost = sum(x > w for x in opens)
        active = lapsed = 0
        for ds in days_by_cust.values():
            before = [x for x in ds if x < s]
            if not before or (s - dt.timedelta(days=1) - before[-1]).days > w:
                continue
            active += 1
            nexts = ds[1:] + [None]
            lapse_days = [
                q + dt.timedelta(days=w + 1) for q, n in zip(ds, nexts, strict=True) if n is None or (n - q).days > w
            ]
            lapsed += any(s <= x <= e for x in lapse_days)
        rows.append((w, lost / len(opens) if opens else None, lapsed / active if active else None))
    return curve, rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 120), st.sampled_from([1.0, -1.0, None])), min_size=1, max_size=40
    ),
    st.integers(60, 130),
)
def test_curve_and_whatif_match_definitions(make_data, rows, t_offset):
    start = d("2024-01-01")
    T = start + dt.timedelta(days=t_offset)
    frame = orders([(f"c{c}", (start + dt.timedelta(days=o)).isoformat(), a) for c, o, a in rows])
    folder = make_data(orders=frame)
    days_by_cust: dict[str, set] = defaultdict(set)
    for c, o, a in rows:
        day = start + dt.timedelta(days=o)
        if (a is None or a >= 0) and day <= T:
            days_by_cust[f"c{c}"].add(day)
    days_sorted = {c: sorted(v) for c, v in days_by_cust.items()}
    windows = (1, 3, 7, 15, 30, 45, 90)
    exp_curve, exp_whatif = naive(days_sorted, T, 40, windows)
    ds, p = params(folder, as_of=T)
    got_curve = return_curve(ds, p, 40)
    if days_sorted:
        assert got_curve["return_share"].to_list() == pytest.approx(exp_curve, nan_ok=True)
    else:
        assert got_curve.is_empty()
    got = whatif(ds, p, windows).select("window", "lost_share", "churn_rate").rows()
    assert got == [tuple(pytest.approx(v) if isinstance(v, float) else v for v in r) for r in exp_whatif]


def test_segment_curves_equal_filtered_curves(sample_dir):
    """Each segment's curve is the curve of the data filtered to that value; '*' is the unfiltered one."""
    ds, p = params(sample_dir)
    curves = return_curves(ds, p, "region", 400)
    assert curves.filter(pl.col("segment") == "*").drop("segment").equals(return_curve(ds, p, 400))
    values = curves["segment"].unique(maintain_order=True).to_list()[1:]
    assert values == ["East", "North", "South", "West"]
    for value in values:
        filtered = return_curve(ds, p.with_(filters=(("region", (value,)),)), 400)
        assert curves.filter(pl.col("segment") == value).drop("segment").equals(filtered), value
    recs = recommend(ds, p, "region", 0.15, 400)
    for value in values:
        alone = recommend(ds, p.with_(filters=(("region", (value,)),)), None, 0.15, 400)
        assert (
            recs.filter(pl.col("segment") == value)["recommended_window"].to_list()
            == alone["recommended_window"].to_list()
        )


# -- per-segment windows flow into other reports -----------------------------------------------------------


def test_window_map_changes_alive_of_that_segment_only(make_data):
    # x (segment fast) and y (segment slow) both buy once on 2024-01-05; z has no segment value
    folder = make_data(
        orders=orders([("x", "2024-01-05", 1.0), ("y", "2024-01-05", 1.0), ("z", "2024-01-05", 1.0)]),
        customers={"customer_id": ["x", "y"], "speed": ["fast", "slow"]},
    )
    ds, p = params(folder, as_of=d("2024-03-31"))
    assert cohort_table(ds, p)["alive"].to_list() == [3, 3, 3]  # silent 26, 55, 86 days <= 90
    _, mapped = params(folder, as_of=d("2024-03-31"), window_by="speed", window_map={"fast": 30})
    assert cohort_table(ds, mapped)["alive"].to_list() == [3, 2, 2]  # x is lost after 30 days
    assert (overview(ds, p)["active"], overview(ds, mapped)["active"]) == (3, 2)
    for value, unchanged in (("slow", True), ("fast", False)):
        before = cohort_table(ds, p.with_(filters=(("speed", (value,)),)))["alive"].to_list()
        after = cohort_table(ds, mapped.with_(filters=(("speed", (value,)),)))["alive"].to_list()
        assert (before == after) is unchanged, value


def test_window_map_on_sample_changes_only_mapped_segment(sample_dir):
    ds, p = params(sample_dir)
    _, mapped = params(sample_dir, window_by="business_type", window_map={"cafe": 14})

    def alive(params_, value=None):
        q = params_ if value is None else params_.with_(filters=(("business_type", (value,)),))
        return cohort_table(ds, q).select("cohort", "k", "alive")

    for value in ("clinic", "salon"):
        assert alive(p, value).equals(alive(mapped, value))
    # cafe customers under the map are exactly cafe customers under W = 14 for everyone
    assert alive(mapped, "cafe").equals(alive(p.with_(window=14), "cafe"))
    assert not alive(mapped, "cafe").equals(alive(p, "cafe"))
    # everyone = the mapped cafe customers + the others at the global window (+ customers without a value)
    total_mapped = alive(mapped)["alive"].sum() - alive(p)["alive"].sum()
    assert total_mapped == alive(mapped, "cafe")["alive"].sum() - alive(p, "cafe")["alive"].sum() < 0


# -- CLI -------------------------------------------------------------------------------------------------


def test_cli_shapes(curve_data):
    base = ("--data", curve_data, "--as-of", "2024-01-30")
    r = run_cli("return-curve", *base, "--max-days", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "days,return_share\n1,0.6\n2,0.6\n3,0.5\n"
    r = run_cli("recommend", *base, "--by", "kind", "--threshold", "0.5", "--max-days", "23")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "segment,recommended_window\n*,3\nx,3\ny,\n"
    r = run_cli("whatif", *base, "--windows", "20,2", "--format", "json", "--window-by", "kind", "--window-map", "x=3")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [list(row) for row in rows] == [["window", "lost_share", "churn_rate"]] * 2
    assert [(row["window"], row["lost_share"], row["churn_rate"]) for row in rows] == [(2, 0.5, None), (20, 0.25, None)]
    r = run_cli("recommend", *base, "--filter", "kind=nobody")
    assert (r.returncode, r.stdout) == (0, "segment,recommended_window\n")
    r = run_cli("whatif", *base)
    got = pl.read_csv(io.StringIO(r.stdout))
    assert got["window"].to_list() == [7, 14, 30, 45, 60, 90, 120, 180, 270, 365]


@pytest.mark.parametrize(
    "args",
    [
        ("recommend", "--by", "nope"),
        ("recommend", "--threshold", "1.5"),
        ("recommend", "--max-days", "0"),
        ("return-curve", "--max-days", "abc"),
        ("return-curve", "--max-days", "99999"),
        ("whatif", "--windows", "0,30"),
        ("whatif", "--windows", "a,b"),
        ("whatif", "--window-by", "nope", "--window-map", "x=3"),
        ("whatif", "--window-map", "x=3"),
    ],
)
def test_cli_bad_arguments_exit_2(curve_data, args):
    r = run_cli(*args, "--data", curve_data)
    assert r.returncode == 2
    assert r.stderr.startswith("error:") and "Traceback" not in r.stderr


# -- charts and metrics ----------------------------------------------------------------------------------


def test_charts_and_table_helpers(curve_data):
    ds, p = params(curve_data, as_of=T_CURVE)
    curves = return_curves(ds, p, "kind", 23)
    recs = recommend(ds, p, "kind", 0.5, 23)
    fig = charts.return_curves(curves, recs, 0.5, 7)
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    marks = [tr for tr in fig.data if tr.mode == "markers"]
    assert [tr.name for tr in lines] == ["Everyone", "x", "y"]
    assert [(tr.x[0], tr.y[0]) for tr in marks] == [(3, 0.5), (3, 0.5)]  # y has no recommended window
    assert all(tr.hovertemplate for tr in fig.data)
    assert {sh.y0 for sh in fig.layout.shapes if sh.type == "line" and sh.y0 == sh.y1} == {0.5}
    assert {sh.x0 for sh in fig.layout.shapes if sh.x0 == sh.x1} == {7}
    assert share_at(curves, 3) == 0.5 and share_at(curves, 99) is None
    assert with_windows_in_use(recs, 90, None, {}, "kind")["window_in_use"].to_list() == [90, 90, 90]
    assert with_windows_in_use(recs, 90, "kind", {"x": 3}, "kind")["window_in_use"].to_list() == [None, 3, 90]
    assert with_windows_in_use(recs, 90, "other", {"a": 3}, "kind")["window_in_use"].to_list() == [None] * 3

    wf = whatif(ds, p, (2, 7, 20))
    fig = charts.whatif(wf, 7)
    assert [tr.name for tr in fig.data if tr.mode == "lines"] == [
        "Lost share (today)",
        "Churn rate (last complete period)",
    ]
    assert [tr.x[0] for tr in fig.data if tr.mode == "markers"] == [7]  # churn rate is null: one marker
    assert {sh.x0 for sh in fig.layout.shapes} == {7}


def test_chart_keeps_the_largest_segments():
    curves = pl.DataFrame(
        {
            "segment": ["*", "a", "b", "c"],
            "days": [1, 1, 1, 1],
            "returned": [1, 1, 1, 1],
            "still_silent": [0, 0, 0, 0],
            "silences": [1, 1, 1, 1],
            "return_share": [1.0] * 4,
        }
    )
    recs = pl.DataFrame({"segment": ["*", "a", "b", "c"], "recommended_window": [None] * 4, "silences": [9, 1, 5, 3]})
    fig = charts.return_curves(curves, recs.cast({"recommended_window": pl.Int32}), 0.1, 90, max_lines=2)
    assert [tr.name for tr in fig.data] == ["Everyone", "b", "c"]


# -- the page --------------------------------------------------------------------------------------------


def _apptest():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/4_Return_window.py")
    at.run()
    return at


def test_page_smoke(app_data):
    at = _apptest()
    assert not at.exception
    assert at.title[0].value.startswith("How long")
    assert any("of customers count as lost" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 2
    at.slider(key="window_threshold").set_value(30).run()
    assert not at.exception


def test_page_applies_recommended_map_to_other_pages(app_data):
    at = _apptest()
    at.switch_page("pages/2_Cohorts.py").run()
    at.session_state["cohort_tab"] = "Sizes and table"  # the tab with the table
    at.run()
    before = at.dataframe[0].value["alive"].tolist()
    assert not at.sidebar.info
    at.switch_page("pages/4_Return_window.py").run()
    at.selectbox(key="window_attribute").set_value("business_type").run()
    at.slider(key="window_threshold").set_value(20).run()
    at.button(key="window_apply").click().run()
    assert not at.exception
    assert at.session_state["window_by"] == "business_type"
    applied = at.session_state["window_map"]
    assert set(applied) == {"cafe", "clinic", "salon"} and all(v >= 1 for v in applied.values())
    assert at.success  # the page says the map is in use
    at.switch_page("pages/2_Cohorts.py").run()
    at.session_state["cohort_tab"] = "Sizes and table"
    at.run()
    assert not at.exception
    assert "business_type" in at.sidebar.info[0].value
    assert at.dataframe[0].value["alive"].tolist() != before
    # the sidebar reset brings one window for everyone back
    at.sidebar.button(key="_reset_map").click().run()
    assert not at.sidebar.info and at.dataframe[0].value["alive"].tolist() == before


def test_overview_literal(make_data):
    """The Overview's figures on hand-made data, at T = 2024-03-31 with W = 30, then filtered and mapped.

    a: 01-05, 03-20 (and a refund on 03-25)   -> buyer, active (silent 11 days)
    b: 02-01                                   -> buyer, not active (silent 59 > 30)
    c: 03-31, and 04-02 after T                -> buyer, active (silent 0); the April order is not counted
    d: signed up 03-01, never bought           -> prospect
    e: signed up 04-15 (after T)               -> not yet a customer
    f: only a refund on 03-10                  -> neither buyer nor prospect (no customers row)
    """
    folder = make_data(
        orders=orders(
            [
                ("a", "2024-01-05", 10.0),
                ("a", "2024-03-20", 5.0),
                ("a", "2024-03-25", -5.0),
                ("b", "2024-02-01", 7.5),
                ("c", "2024-03-31", 2.0),
                ("c", "2024-04-02", 100.0),
                ("f", "2024-03-10", -3.0),
            ]
        ),  # fmt: skip
        customers={
            "customer_id": ["a", "b", "c", "d", "e"],
            "signed_up_at": [d("2024-01-01"), d("2024-01-01"), d("2024-01-01"), d("2024-03-01"), d("2024-04-15")],
            "region": ["East", "West", "East", "East", "West"],
        },
    )
    ds, p = params(folder, as_of=d("2024-03-31"), window=30)
    facts = overview(ds, p)
    assert {k: facts[k] for k in ("buyers", "prospects", "customers", "active")} == {
        "buyers": 3, "prospects": 1, "customers": 4, "active": 2
    }  # fmt: skip
    assert (facts["order_rows"], facts["activity_rows"], facts["refund_rows"]) == (6, 4, 2)
    assert facts["revenue"] == pytest.approx(16.5)  # 10 + 5 - 5 + 7.5 + 2 - 3
    assert (facts["first_order_date"], facts["last_order_date"]) == (d("2024-01-05"), d("2024-03-31"))
    east = overview(ds, p.with_(filters=(("region", ("East",)),)))
    assert (east["buyers"], east["prospects"], east["active"], east["order_rows"]) == (2, 1, 2, 4)
    _, mapped = params(folder, as_of=d("2024-03-31"), window=30, window_by="region", window_map={"West": 60})
    assert overview(ds, mapped)["active"] == 3  # b's 59 days of silence are within West's 60
