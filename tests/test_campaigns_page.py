"""Campaigns page: metrics helpers and chart builders without a browser, AppTest with and without contacts,
and Chromium against `streamlit run` with and without a contacts table."""

from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from retention import i18n
from retention.charts import campaigns as charts
from retention.metrics import campaigns as metrics
from tests.conftest import ARTIFACTS, ROOT, d, start_server

PAGE = "pages/9_Campaigns.py"


def _figures() -> pl.DataFrame:
    """Three campaigns: a clear uplift, one whose interval includes zero, one without control."""
    return pl.DataFrame(
        {
            "campaign": ["clear", "unsure", "solo"],
            "contacts": [400, 20, 10],
            "won_back": [100, 4, 3],
            "win_back_rate": [0.25, 0.2, 0.3],
            "revenue_won": [5000.0, 80.0, 30.0],
            "cost": [400.0, 20.0, 0.0],
            "cost_per_win": [4.0, 5.0, 0.0],
            "roi": [11.5, 3.0, None],
            "control_size": [100, 10, 0],
            "control_rate": [0.05, 0.1, None],
            "uplift": [0.2, 0.1, None],
            "open_contacts": [0, 5, 10],
            "control_won_back": [5, 1, 0],
            "control_open": [0, 2, 0],
            "uplift_low": [0.15, -0.17, None],
            "uplift_high": [0.25, 0.37, None],
        }
    )


def test_verdicts_and_lines():
    rows = _figures().to_dicts()
    assert [metrics.uplift_verdict(r) for r in rows] == ["better", "unclear", "no_control"]
    worse = rows[0] | {"uplift": -0.2, "uplift_low": -0.25, "uplift_high": -0.15}
    assert metrics.uplift_verdict(worse) == "worse"
    assert metrics.uplift_verdict(rows[0] | {"win_back_rate": None}) == "no_contacts"
    i18n.set_language("en")
    assert "too few customers to tell" in metrics.uplift_line(rows[1])
    assert "+20.0 pts" in metrics.uplift_line(rows[0]) and "+15.0 pts" in metrics.uplift_line(rows[0])
    assert "control group of 100" in metrics.uplift_line(rows[0])
    assert "no control group" in metrics.uplift_line(rows[2])


def test_open_counts_and_display_table():
    figures = _figures()
    assert metrics.open_counts(figures) == (17, 430 + 110)
    i18n.set_language("en")
    table = metrics.display_table(figures, "campaign", lambda x, digits=0: i18n.fmt_money(x, "USD", digits))
    row = table.row(0, named=True)
    assert row["Win-back rate"] == "25.0%" and row["Revenue won"] == "$5,000" and row["Cost per win"] == "$4.00"
    assert row["ROI"] == "1150%" and row["Uplift"] == "+20.0 pts" and row["95% interval (pts)"] == "+15.0 … +25.0"
    assert table.row(2, named=True)["ROI"] == "–" and table.row(2, named=True)["Uplift"] == "–"
    groups = figures.rename({"campaign": "group"}).with_columns(pl.Series("group", ["treatment", "control", None]))
    shown = metrics.display_table(groups, "group", lambda x, digits=0: str(x))
    assert "Control rate" not in shown.columns
    assert shown["Group"].to_list() == ["Contacted", "Control", "(none)"]


def test_flow_counts_sums_campaigns():
    flow = pl.DataFrame(
        {
            "campaign": ["a", "a", "b", "b"],
            "contact_group": ["treatment", "control", "treatment", "treatment"],
            "status_before": ["lost", "lost", "lost", "alert"],
            "status_after": ["reactivated", "lost", "reactivated", "lost"],
            "contacts": [3, 2, 4, 1],
        }
    )
    assert metrics.flow_counts(flow).rows() == [("lost", "reactivated", 7), ("alert", "lost", 1)]
    assert metrics.flow_counts(flow, "a", "control").rows() == [("lost", "lost", 2)]


def test_rates_uplift_chart():
    fig = charts.rates_uplift(_figures())
    bars = [t for t in fig.data if t.type == "bar"]
    assert [b.name for b in bars] == ["Contacted", "Control"]
    assert list(bars[0].y) == [0.25, 0.2, 0.3]
    assert list(bars[1].y)[:2] == [0.05, 0.1] and bars[1].y[2] is None
    (points,) = [t for t in fig.data if t.type == "scatter"]
    assert list(points.x) == ["clear", "unsure"]  # no point without a control group
    assert list(points.error_y.array) == pytest.approx([0.05, 0.27])
    assert list(points.error_y.arrayminus) == pytest.approx([0.05, 0.27])
    assert all(t.hovertemplate for t in fig.data)


def test_revenue_wins_and_flow_charts():
    fig = charts.revenue_cost(_figures(), "EUR")
    assert [list(t.y) for t in fig.data] == [[5000.0, 80.0, 30.0], [400.0, 20.0, 0.0]]
    assert "€5,000" in fig.data[0].customdata[0] and "1150%" in fig.data[0].customdata[0]
    curve = pl.DataFrame(
        {
            "contact_group": ["treatment"] * 3 + ["control"] * 3,
            "day": [1, 2, 3] * 2,
            "contacts": [10] * 3 + [5] * 3,
            "won_back": [1, 2, 4, 0, 0, 1],
            "won_back_share": [0.1, 0.2, 0.4, 0.0, 0.0, 0.2],
        }
    )
    fig = charts.wins_curve(curve)
    assert [t.name for t in fig.data] == ["Contacted", "Control"]
    assert list(fig.data[0].y) == [0.1, 0.2, 0.4] and "4 of 10" in fig.data[0].customdata[2]
    flow = pl.DataFrame(
        {
            "status_before": ["lost", "lost", "alert"],
            "status_after": ["reactivated", "lost", "lost"],
            "contacts": [3, 5, 1],
        }
    )
    fig = charts.status_flow(flow)
    (sankey,) = fig.data
    assert list(sankey.node.label) == ["Alert", "Lost", "Lost", "Reactivated"]
    assert list(sankey.link.source) == [1, 1, 0] and list(sankey.link.target) == [3, 2, 2]
    assert list(sankey.link.value) == [3, 5, 1]


# -- AppTest ---------------------------------------------------------------------------------------------


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def test_page_on_sample(app_data):
    at = _page()
    assert not at.exception
    assert at.slider(key="campaign_attribution_days").value == 30
    assert len(at.get("plotly_chart")) == 2  # rates and uplift, revenue against cost (the open tab only)
    lines = " ".join(m.value for m in at.markdown)
    assert "winback_2026_autumn" in lines and "uplift" in lines
    assert any("none is still open" in c.value for c in at.caption)
    at.slider(key="campaign_attribution_days").set_value(60).run()
    assert not at.exception
    assert any("60-day window" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 1
    at.session_state["campaign_tab"] = "After the contact"
    at.run()
    assert len(at.get("plotly_chart")) == 2  # wins by day, statuses before and after
    at.selectbox(key="campaign_chosen").set_value("winback_2026_spring").run()
    assert not at.exception
    at.session_state["campaign_tab"] = "By channel and group"
    at.run()
    assert not at.exception and not at.get("plotly_chart")
    assert len(at.get("download_button")) == 2


def test_page_without_contacts(monkeypatch, make_data):
    from retention.settings import get_settings

    orders = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "ordered_at": [d("2024-01-01"), d("2024-02-01"), d("2024-02-03")],
            "amount": [1.0, 2.0, 3.0],
        }
    )
    monkeypatch.setenv("RETENTION_DATA_DIR", str(make_data(orders=orders)))
    get_settings.cache_clear()
    try:
        at = _page()
        assert not at.exception
        text = " ".join(i.value for i in at.info)
        assert "`contacted_at`" in text and "--table contacts" in text
        assert not at.get("plotly_chart")
    finally:
        get_settings.cache_clear()


def test_page_with_contacts_after_the_as_of_date(monkeypatch, make_data):
    from retention.settings import get_settings

    orders = pl.DataFrame(
        {"customer_id": ["a", "b"], "ordered_at": [d("2024-01-01"), d("2024-02-03")], "amount": [1.0, 3.0]}
    )
    contacts = pl.DataFrame({"customer_id": ["a"], "contacted_at": [d("2024-05-01")], "campaign": ["later"]})
    monkeypatch.setenv("RETENTION_DATA_DIR", str(make_data(orders=orders, contacts=contacts)))
    get_settings.cache_clear()
    try:
        at = _page()
        assert not at.exception
        assert any("No contact dated on or before" in i.value for i in at.info)
    finally:
        get_settings.cache_clear()


# -- Chromium --------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_with_and_without_contacts(browser, sample_dir, make_data):
    from tests.test_browser import wait_rendered

    orders = pl.DataFrame(
        {"customer_id": ["a", "b"], "ordered_at": [d("2024-01-01"), d("2024-02-03")], "amount": [1.0, 3.0]}
    )
    for name, folder in (("campaigns_sample", sample_dir), ("campaigns_empty", make_data(orders=orders))):
        proc, url = start_server(folder)
        context = browser.new_context(viewport={"width": 1440, "height": 4000})
        try:
            page = context.new_page()
            page.goto(f"{url}/Campaigns?lang=en", wait_until="domcontentloaded")
            wait_rendered(page)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
            assert page.locator('[data-testid="stException"]').count() == 0
            body = page.locator("body").inner_text()
            if folder == sample_dir:
                assert "winback_2026_autumn" in body and "control group of" in body
                assert page.locator(".js-plotly-plot").count() == 2
                page.get_by_role("tab", name="After the contact").click()
                page.wait_for_timeout(300)
                wait_rendered(page)
                assert page.locator('[data-testid="stException"]').count() == 0
                assert page.locator(".js-plotly-plot").count() == 2
                page.screenshot(path=str(ARTIFACTS / f"{name}_after.png"))
            else:
                assert "--table contacts" in body
                assert page.locator(".js-plotly-plot").count() == 0
        finally:
            context.close()
            proc.terminate()
            proc.wait(timeout=10)
