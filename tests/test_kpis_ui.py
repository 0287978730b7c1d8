"""Executive KPI page: headline periods and deltas, tiles, waterfall and trends without a browser, an AppTest
run, and a Chromium check that everything fits a laptop screen."""

from __future__ import annotations

import polars as pl
import pytest

from retention.charts import kpis as charts
from retention.metrics.kpis import TILES, breakdown, delta, headline, tone, waterfall_steps, year_earlier
from retention.queries.kpis import KPI_COLUMNS
from retention.ui import ROOT
from tests.conftest import d


def kpi_frame(starts: list, complete: list[bool], **columns) -> pl.DataFrame:
    n = len(starts)
    base = {c: [0] * n for c in KPI_COLUMNS if c not in ("period", "complete")}
    base |= {c: [None] * n for c in KPI_COLUMNS if c.endswith(("_rate", "_share")) or c == "aov"}
    base |= columns
    floats = {c: pl.Float64 for c in KPI_COLUMNS if c.endswith(("_rate", "_share")) or c in ("aov", "revenue")}
    return pl.DataFrame({"period": starts, "complete": complete, **base}).select(KPI_COLUMNS).cast(floats)


MONTHS = [d("2023-09-01"), d("2023-10-01"), d("2024-08-01"), d("2024-09-01"), d("2024-10-01")]


def test_headline_is_the_last_complete_period_with_previous_and_year_ago():
    kpis = kpi_frame(MONTHS, [True, True, True, True, False], active_end=[1, 2, 3, 4, 5])
    head = headline(kpis, "month")
    assert head.current["period"] == d("2024-09-01")
    assert head.previous["period"] == d("2024-08-01")
    assert head.year_ago["period"] == d("2023-09-01")
    only_current = headline(kpis.tail(1), "month")
    assert only_current.current["period"] == d("2024-10-01") and only_current.previous is None
    assert only_current.year_ago is None
    assert headline(kpis.clear(), "month") is None


def test_year_earlier():
    assert year_earlier(d("2024-10-01"), "quarter") == d("2023-10-01")
    assert year_earlier(d("2024-03-04"), "week") == d("2023-03-06")  # 52 weeks: still a Monday


def test_delta_and_tone():
    assert delta(0.10, 0.08, "rate") == pytest.approx(0.02)  # points for rates
    assert delta(120, 100, "count") == pytest.approx(0.2)  # relative for counts and money
    assert delta(5, 0, "count") is None and delta(None, 1, "money") is None and delta(1, None, "rate") is None
    assert tone(0.1, 1) == "good" and tone(0.1, -1) == "bad" and tone(-0.1, -1) == "good"
    assert tone(0.1, 0) == "neutral" and tone(None, 1) == "neutral" and tone(0, 1) == "neutral"


def test_tiles_colour_churn_up_red_and_active_up_green():
    kpis = kpi_frame(
        MONTHS[:4], [True] * 4,
        active_end=[100, 100, 90, 110], churn_rate=[0.05, 0.05, 0.04, 0.06], retention_rate=[0.95, 0.95, 0.96, 0.94],
        revenue=[1000.0, 1000.0, 1000.0, 1500.0],
    )  # fmt: skip
    head = headline(kpis, "month")
    tiles = {tile.label: tile for tile in charts.kpi_tiles(head, "month", "USD")}
    assert len(tiles) == len(TILES) == 11
    active, churn = tiles["Active customers"], tiles["Churn rate"]
    assert active.value == "110"
    assert active.deltas[0] == ("▲ 22.2%", "good", "vs Aug 2024")
    assert active.deltas[1] == ("▲ 10.0%", "good", "vs Sep 2023")
    assert churn.deltas[0] == ("▲ 2.0 pts", "bad", "vs Aug 2024")
    assert tiles["Revenue"].value == "$1,500"
    assert tiles["New customers"].deltas[0][0] == "–"  # 0 -> 0: no relative change
    html = charts.tiles_html(list(tiles.values()))
    assert html.count('title="') == 11 and charts.GOOD in html and charts.BAD in html


def test_waterfall_steps_and_figure():
    row = {"active_start": 100, "new": 20, "reactivations": 5, "lapses": 15, "active_end": 110}
    steps = waterfall_steps(row)
    assert steps == [("start", 100), ("new", 20), ("reactivations", 5), ("lapses", -15), ("end", 110)]
    fig = charts.waterfall(steps, "Sep 2024")
    w = fig.data[0]
    assert list(w.measure) == ["absolute", "relative", "relative", "relative", "total"]
    assert list(w.text) == ["100", "+20", "+5", "−15", "110"]
    assert all(w.customdata)
    low, high = fig.layout.yaxis.range
    assert low <= 100 and high >= 125


def test_trends_two_lines_with_hollow_incomplete_period():
    kpis = kpi_frame(MONTHS[3:], [True, False], churn_rate=[0.1, 0.2], retention_rate=[0.9, 0.8])
    fig = charts.trends(kpis, "month")
    assert [list(tr.y) for tr in fig.data] == [[0.9, 0.8], [0.1, 0.2]]
    assert list(fig.data[0].marker.symbol) == ["circle", "circle-open"]


def test_breakdown_fills_segments_without_a_row():
    by = pl.concat(
        [
            kpi_frame(MONTHS[3:], [True, False], active_end=[5, 6]).select(pl.lit("a").alias("segment"), pl.all()),
            kpi_frame(MONTHS[4:], [False], active_end=[1]).select(pl.lit("b").alias("segment"), pl.all()),
        ]
    )
    table = breakdown(by, d("2024-09-01"))
    assert table["segment"].to_list() == ["a", "b"]
    assert table.filter(pl.col("segment") == "b").row(0, named=True)["active_end"] == 0


def test_app_page_runs(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/1_KPIs.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Executive KPIs"
    assert len(at.get("plotly_chart")) == 2
    assert "Data as of" in at.caption[0].value
    at.session_state["kpi_tab"] = "By segment"
    at.run()
    assert len(at.get("plotly_chart")) == 1 and at.dataframe[0].value.shape[0] >= 2  # waterfall, breakdown
    attribute = at.selectbox(key="kpi_breakdown_attribute")
    attribute.set_value(attribute.options[-1]).run()
    assert not at.exception


@pytest.mark.browser
def test_browser_kpis_fit_a_laptop_screen(server, browser):
    from tests.test_browser import wait_rendered

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/KPIs", wait_until="domcontentloaded")
        wait_rendered(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("Data as of", exact=False).count() >= 1
        charts_drawn = page.locator(".js-plotly-plot")
        charts_drawn.nth(1).wait_for(timeout=60_000)
        assert charts_drawn.count() == 2
        bottoms = [charts_drawn.nth(i).bounding_box() for i in range(2)]
        page.get_by_role("tab", name="By segment").click()
        page.wait_for_timeout(300)
        wait_rendered(page)
        page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=60_000)
        bottoms.append(page.locator('[data-testid="stDataFrame"]').first.bounding_box())
        page.screenshot(path="tests/artifacts/kpis_by_segment.png")
        assert all(box is not None and box["y"] + box["height"] <= 900 for box in bottoms), bottoms
    finally:
        context.close()
