"""Early-warning page: shaping, the chart builder without a browser, and an AppTest smoke test."""

from __future__ import annotations

import polars as pl

from retention.charts import alerts as charts
from retention.metrics import alerts as shape
from tests.conftest import ROOT

LIST = pl.DataFrame(
    {
        "customer_id": ["17", "11", "9", "10"],
        "status": ["alert", "alert", "alert", "at_risk"],
        "days_silent": [60, 23, 46, 45],
        "expected_gap": [None, 15.0, None, 20.0],
        "overdue_ratio": [None, 23 / 15, None, 2.25],
        "frequency": [1, 5, 1, 2],
        "revenue_365d": [77.0, 50.0, 50.0, 50.0],
        "region": ["South", None, "North", "North"],
    }
)
RFM = pl.DataFrame(
    {"customer_id": ["9", "10", "11", "17"], "segment": ["promising", "loyal", "at_risk", "hibernating"],
     "tier": ["low", "mid", "high", "high"]}
)  # fmt: skip


def test_with_value_keeps_order_and_adds_segment_and_tier():
    out = shape.with_value(LIST, RFM)
    assert out["customer_id"].to_list() == ["17", "11", "9", "10"]
    assert out["value_tier"].to_list() == ["high", "high", "low", "mid"]
    assert shape.call_list_columns(out)[-3:] == ["region", "rfm_segment", "value_tier"]


def test_filters_and_tiles():
    listed = shape.with_value(LIST, RFM)
    north = shape.filter_list(listed, "region", ["North"], [])
    assert north["customer_id"].to_list() == ["9", "10"]
    assert shape.filter_list(listed, "region", [], ["high"])["customer_id"].to_list() == ["17", "11"]
    assert shape.filter_list(listed, None, [], [], ["at_risk"])["customer_id"].to_list() == ["10"]
    facts = shape.tiles(listed)
    assert facts == {"on_alert": 3, "at_risk": 1, "revenue_at_stake": 227.0, "median_overdue": (23 / 15 + 2.25) / 2}
    empty = shape.tiles(listed.head(0))
    assert empty["on_alert"] == 0 and empty["revenue_at_stake"] == 0.0 and empty["median_overdue"] is None


def test_scatter():
    fig = charts.overdue_scatter(LIST, 1.5, "USD")
    names = [tr.name for tr in fig.data]
    assert names[:2] == ["Alert", "At risk"]
    assert list(fig.data[0].x) == [15.0]  # only customers with a usual gap
    assert "$50" in fig.data[0].customdata[0]
    assert list(fig.data[-1].y) == [0, 1.5 * 20.0]  # the alert line
    assert fig.data[-1].hoverinfo == "skip"
    assert len(charts.overdue_scatter(LIST.head(0), 1.5, "USD").data) == 0


def test_page_renders(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/7_Early_warning.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Early warning"
    assert len(at.metric) == 3
    on_alert = int(at.metric[0].value.replace(",", ""))
    assert on_alert > 0
    assert len(at.dataframe) == 1 and at.dataframe[0].value.shape[0] == on_alert
    at.toggle(key="alerts_include_at_risk").set_value(True).run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] > on_alert
    at.multiselect(key="alerts_tiers").set_value(["high"]).run()
    assert not at.exception
    assert set(at.dataframe[0].value["value_tier"].to_list()) == {"High value"}
    at.selectbox(key="alerts_attribute").set_value("region").run()
    assert not at.exception
    assert not at.get("plotly_chart")  # the chart's tab is not drawn while the list is open
    at.session_state["alerts_tab"] = "Who is overdue"
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 1 and not at.dataframe
