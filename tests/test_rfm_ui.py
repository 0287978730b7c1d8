"""Customer value page: shaping, chart builders without a browser, and an AppTest smoke test."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retention.charts import rfm as charts
from retention.metrics import rfm as shape
from tests.conftest import ROOT, d

RFM = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        "recency": [1, 5, 50, 90],
        "frequency": [5, 3, 1, 1],
        "monetary": [80.0, 15.0, 5.0, 0.0],
        "r": [5, 4, 2, 1],
        "f": [5, 4, 1, 1],
        "m": [5, 4, 2, 1],
        "segment": ["champions", "champions", "hibernating", "hibernating"],
        "tier": ["high", "mid", "low", "low"],
    },
    schema_overrides={"r": pl.Int32, "f": pl.Int32, "m": pl.Int32},
)


def test_grid_has_all_25_cells_with_segment_names():
    grid = shape.rf_grid(RFM)
    assert grid.height == 25
    assert grid["customers"].sum() == 4
    cell = grid.filter((pl.col("r") == 5) & (pl.col("f") == 5)).row(0, named=True)
    assert (cell["customers"], cell["revenue"], cell["segment"]) == (1, 80.0, "champions")
    # segment rule on empty cells: the boundaries of METRICS.md
    by_cell = {(r, f): s for r, f, s in grid.select("r", "f", "segment").iter_rows()}
    assert by_cell[(4, 4)] == "champions" and by_cell[(3, 3)] == "loyal" and by_cell[(4, 3)] == "loyal"
    assert by_cell[(4, 2)] == "promising" and by_cell[(3, 2)] == "needs_attention"
    assert by_cell[(2, 3)] == "at_risk" and by_cell[(2, 2)] == "hibernating" and by_cell[(1, 5)] == "at_risk"


def test_summaries_shares():
    tiers = shape.tier_summary(RFM)
    assert tiers.rows() == [("high", 1, 80.0, 0.25, 0.8), ("mid", 1, 15.0, 0.25, 0.15), ("low", 2, 5.0, 0.5, 0.05)]
    segments = shape.segment_summary(RFM)
    assert segments["segment"].to_list()[:2] == ["champions", "loyal"]
    assert segments.filter(pl.col("segment") == "loyal").row(0) == ("loyal", 0, 0.0, 0.0, 0.0)
    # total revenue 0 or less: no revenue share
    broke = shape.tier_summary(RFM.with_columns(pl.lit(0.0).alias("monetary")))
    assert broke["revenue_share"].null_count() == 3


@pytest.mark.parametrize(
    ("day", "period", "expected"),
    [
        ("2024-03-31", "month", "2024-02-29"),
        ("2024-05-31", "quarter", "2024-02-29"),
        ("2024-01-15", "month", "2023-12-15"),
        ("2024-03-06", "week", "2024-02-28"),
    ],
)
def test_period_before(day, period, expected):
    assert shape.period_before(d(day), period) == d(expected)


def test_default_dates_not_before_the_data():
    assert shape.default_dates(d("2024-03-31"), "quarter", d("2024-02-01")) == (d("2024-02-01"), d("2024-03-31"))


def test_filter_table():
    assert shape.filter_table(RFM, ["hibernating"], ["low"])["customer_id"].to_list() == ["c", "d"]
    assert shape.filter_table(RFM, [], ["mid"])["customer_id"].to_list() == ["b"]
    assert shape.filter_table(RFM, [], []).height == 4


def test_chart_builders():
    heat = charts.rf_heatmap(shape.rf_grid(RFM), "USD")
    assert heat.data[0].type == "heatmap"
    assert heat.data[0].y[0] == "5"  # R 5 at the top
    assert "$80" in heat.data[0].customdata[0][4]  # R 5, F 5: hover shows the revenue
    tiers = charts.tier_shares(shape.tier_summary(RFM), "USD")
    assert [tr.name for tr in tiers.data] == ["High value", "Mid value", "Low value"]
    assert list(tiers.data[0].x) == [0.25, 0.8]
    bars = charts.segment_bars(shape.segment_summary(RFM), "USD")
    assert len(bars.data) == 2 and all(tr.hovertemplate for tr in bars.data)
    moves = pl.DataFrame(
        {"from_segment": ["not_yet", "champions", "champions"], "to_segment": ["champions", "champions", "at_risk"],
         "customers": [3, 5, 2]}
    )  # fmt: skip
    matrix = charts.migration_heatmap(moves, "segment", "On 1 Jan", "On 1 Feb")
    assert list(matrix.data[0].y) == ["Not yet a customer", "Champions"]
    assert list(matrix.data[0].x) == ["Champions", "At risk"]
    assert list(matrix.data[0].z[1]) == [5, 2]
    sankey = charts.migration_sankey(moves, "segment", "On 1 Jan", "On 1 Feb")
    link = sankey.data[0].link
    assert list(link.value) == [3, 5, 2]
    labels = list(sankey.data[0].node.label)
    assert [labels[s] for s in link.source] == ["Not yet a customer", "Champions", "Champions"]
    assert [labels[x] for x in link.target] == ["Champions", "Champions", "At risk"]


def test_page_renders(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/6_Customer_value.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Customer value"
    assert len(at.get("plotly_chart")) == 3 and not at.dataframe  # grid, tiers, segments; other tabs not drawn
    at.session_state["value_tab"] = "Customers"
    at.run()
    assert not at.get("plotly_chart") and len(at.dataframe) == 1
    at.multiselect(key="value_segment").set_value(["champions"]).run()
    assert not at.exception
    assert "Champions" in set(at.dataframe[0].value["segment"].to_list())
    at.session_state["value_tab"] = "Movements"
    at.run()
    assert len(at.get("plotly_chart")) == 2  # matrix, sankey
    at.segmented_control(key="value_level").set_value("tier").run()
    assert not at.exception
    # the first date after the second: a message, no traceback
    second = at.date_input(key="value_to").value
    at.date_input(key="value_to").set_value(second - dt.timedelta(days=40)).run()
    at.date_input(key="value_from").set_value(second - dt.timedelta(days=10)).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The first date is after the second: pick a first date on or before the second."
    ]
