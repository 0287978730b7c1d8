"""The Reasons page (AppTest) and its chart builders (no browser)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from retention import i18n
from retention.charts import reasons as charts
from retention.metrics.reasons import NO_REASON, recorded_vs_unexplained, shares_within, unexplained_share
from retention.ui import ROOT
from tests.test_reasons import ORDERS

TABLE = pl.DataFrame(
    {
        "reason": ["price", "competitor", "mystery"],
        "count": [5, 3, 2],
        "share": [0.5, 0.3, 0.2],
        "cumulative_share": [0.5, 0.8, 1.0],
        "lost_revenue": [100.0, 250.0, 0.0],
        "controllable": [4, 0, 0],
        "uncontrollable": [1, 3, 0],
        "uncategorised": [0, 0, 2],
    }
)


# -- metrics and charts ------------------------------------------------------------------------------


def test_recorded_vs_unexplained():
    frame = recorded_vs_unexplained(TABLE, 7)
    assert frame.rows() == [("controllable", 4), ("uncontrollable", 4), ("uncategorised", 2), (NO_REASON, 7)]
    assert recorded_vs_unexplained(TABLE.clear(), 0)["count"].to_list() == [0, 0, 0, 0]
    assert unexplained_share({"unexplained_lapses": 3, "lapses": 4}) == 0.75
    assert unexplained_share({"unexplained_lapses": 0, "lapses": 0}) is None


def test_shares_within():
    breakdown = pl.DataFrame(
        {"key": ["East", "East", "East", "West", None], "reason": ["price", "price", "competitor", "price", "price"],
         "category": ["controllable", "uncontrollable", "uncontrollable", "controllable", "controllable"],
         "count": [2, 1, 1, 5, 1]}
    )  # fmt: skip
    shares = shares_within(breakdown)
    assert shares.rows() == [
        ("East", "competitor", 1, 0.25, 4),
        ("East", "price", 3, 0.75, 4),
        ("West", "price", 5, 1.0, 5),
        (None, "price", 1, 1.0, 1),
    ]


def test_pareto_chart():
    i18n.set_language("en")
    fig = charts.pareto(TABLE)
    bars = [tr for tr in fig.data if tr.type == "bar"]
    line = [tr for tr in fig.data if tr.type == "scatter"]
    assert [b.name for b in bars] == ["Controllable", "Uncontrollable", "Uncategorised"]
    # the stacked bars add up to each reason's count; labels come from codes.toml, unknown codes stay as they are
    assert [sum(v) for v in zip(*(b.y for b in bars), strict=True)] == [5, 3, 2]
    assert list(bars[0].x) == ["Price", "Competitor", "mystery"]
    assert len(line) == 1 and line[0].yaxis == "y2" and list(line[0].y) == [0.5, 0.8, 1.0]
    assert fig.layout.barmode == "stack"
    assert all(tr.hovertemplate for tr in fig.data)


def test_comparison_and_lost_revenue_charts():
    i18n.set_language("zh")
    try:
        fig = charts.recorded_vs_unexplained(recorded_vs_unexplained(TABLE, 7))
        assert list(fig.data[0].y) == ["可控", "不可控", "未分类", "未记录原因"]
        assert list(fig.data[0].x) == [4, 4, 2, 7]
        fig = charts.lost_revenue(TABLE, "USD")
        assert list(fig.data[0].y) == ["竞争对手", "价格", "mystery"]  # largest lost revenue first
        assert fig.data[0].hovertemplate
    finally:
        i18n.set_language("en")


def test_over_time_and_composition_charts():
    i18n.set_language("en")
    by_period = pl.DataFrame(
        {"key": [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "reason": ["price"] * 3,
         "category": ["controllable", "uncontrollable", "controllable"], "count": [2, 1, 4]}
    )  # fmt: skip
    lapses = pl.DataFrame({"period": [dt.date(2024, 1, 1)], "lapses": [5], "unexplained": [3]})
    fig = charts.over_time(by_period, lapses, ["price", "competitor"], "month")
    assert [tr.name for tr in fig.data] == ["Price", "Competitor", "No reason recorded"]
    assert list(fig.data[0].y) == [3, 4] and list(fig.data[2].y) == [3]
    shares = shares_within(by_period.with_columns(pl.col("key").cast(pl.String)))
    labels = charts.group_labels(["2024-01-01", "2024-02-01", None], "value", "month")
    fig = charts.composition(shares, ["price"], labels, "region")
    assert list(fig.data[0].x) == [1.0, 1.0, 0.0]
    assert fig.data[0].y[2] == "no value (n=0)"


# -- the page ------------------------------------------------------------------------------------------


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/5_Reasons.py")
    at.run()
    return at


def test_page_on_sample(app_data):
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "Why customers leave"
    labels = [m.label for m in at.metric]
    assert labels == ["Recorded reasons", "Controllable", "No reason recorded", "Lost revenue"]
    assert int(at.metric[2].value.replace(",", "")) > 0  # part of the lapses have no recorded reason
    # one tab's content per run: the hidden tabs are not drawn
    assert len(at.get("plotly_chart")) == 3 and len(at.dataframe) == 0
    drawn = {}
    for label in ["Over time", "By segment and cohort", "Tables"]:
        at.session_state["reasons_tab"] = label
        at.run()
        assert not at.exception
        drawn[label] = (len(at.get("plotly_chart")), len(at.dataframe))
    assert drawn == {"Over time": (1, 0), "By segment and cohort": (2, 0), "Tables": (0, 2)}
    at.session_state["reasons_tab"] = "Why they leave"
    # a range: the tiles follow; a start after the end is a message, not a traceback
    at.date_input(key="reasons_from").set_value(dt.date(2025, 9, 1)).run()
    at.date_input(key="reasons_to").set_value(dt.date(2025, 10, 31)).run()
    assert not at.exception and not at.error
    at.date_input(key="reasons_to").set_value(dt.date(2025, 8, 1)).run()
    assert not at.exception and len(at.error) == 1


def test_page_without_reasons_table(make_data, monkeypatch):
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_DATA_DIR", str(make_data(orders=ORDERS)))
    get_settings.cache_clear()
    try:
        at = open_page()
    finally:
        get_settings.cache_clear()
    assert not at.exception
    assert any("churn_reasons" in info.value and "customer_id" in info.value for info in at.info)
    assert at.metric[2].value == "6"  # every lapse (W = 90) has no reason recorded
    assert len(at.get("plotly_chart")) == 0
    at.session_state["reasons_tab"] = "Over time"
    at.run()
    assert len(at.get("plotly_chart")) == 1  # the lapses over time


@pytest.mark.parametrize("lang", ["zh"])
def test_page_in_chinese(app_data, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/5_Reasons.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "客户为何流失"
