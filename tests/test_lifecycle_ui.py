"""Lifecycle page: shaping helpers, chart builders without a browser, an AppTest run and a Chromium check."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retention.charts import lifecycle as charts
from retention.metrics.lifecycle import migration_matrix, mix_wide, one_period_before, with_shares
from retention.queries.lifecycle import NOT_YET, STATUSES
from retention.ui import ROOT
from tests.conftest import d

RULES = {"window": 90, "new_days": 30, "alert_factor": "1.5", "loyal_min_orders": 3}
COUNTS = pl.DataFrame({"status": list(STATUSES), "customers": [5, 20, 3, 7, 4, 10, 1]})
CELLS = pl.DataFrame(
    {
        "from_status": [NOT_YET, "prospect", "lost", "new", "new"],
        "to_status": ["new", "prospect", "reactivated", "loyal", "lost"],
        "customers": [4, 2, 1, 3, 1],
    }
)


def test_shares_and_empty_counts():
    shares = with_shares(COUNTS)["share"].to_list()
    assert shares[1] == 20 / 50 and abs(sum(shares) - 1) < 1e-12
    zero = with_shares(COUNTS.with_columns(pl.lit(0).alias("customers")))
    assert zero["share"].to_list() == [None] * 7


def test_migration_matrix_is_full_with_row_shares():
    m = migration_matrix(CELLS)
    assert m.height == 8 * 7
    assert m["customers"].sum() == 11
    new_row = m.filter(pl.col("from_status") == "new")
    assert dict(new_row.select("to_status", "row_share").iter_rows())["loyal"] == 0.75
    assert m.filter(pl.col("from_status") == "alert")["row_share"].to_list() == [None] * 7
    assert m["from_status"].unique(maintain_order=True).to_list() == [NOT_YET, *STATUSES]


EARLY = d("2000-01-01")


@pytest.mark.parametrize(
    ("as_of", "period", "earliest", "expected"),
    [
        (d("2024-03-31"), "month", EARLY, d("2024-02-29")),  # no Feb 31: the month's last day
        (d("2024-01-15"), "month", EARLY, d("2023-12-15")),
        (d("2024-05-31"), "quarter", EARLY, d("2024-02-29")),
        (d("2024-03-10"), "week", EARLY, d("2024-03-03")),
        (d("2024-03-10"), "month", d("2024-03-01"), d("2024-03-01")),  # not before the earliest order
    ],
)
def test_one_period_before(as_of, period, earliest, expected):
    assert one_period_before(as_of, period, earliest) == expected


def test_mix_wide():
    mix = pl.DataFrame(
        {
            "period": [d("2024-01-01")] * 7,
            "period_end": [d("2024-01-31")] * 7,
            "complete": [True] * 7,
            "status": list(STATUSES),
            "customers": list(range(7)),
        }
    )
    assert mix_wide(mix).row(0) == (d("2024-01-01"), d("2024-01-31"), *range(7))
    assert mix_wide(mix.clear()).columns == ["period", "period_end", *STATUSES]


def test_status_bar_has_counts_shares_and_one_line_explanations():
    fig = charts.status_bar(with_shares(COUNTS), RULES)
    bar = fig.data[0]
    assert list(bar.x) == COUNTS["customers"].to_list()
    assert bar.text[1] == "20 · 40.0%"
    assert "more than 90 days" in bar.customdata[1]
    assert all(h.count("<br>") == 1 for h in bar.customdata)


def test_mix_area_stacks_every_status():
    mix = pl.DataFrame(
        {
            "period": [d("2024-01-01")] * 7 + [d("2024-02-01")] * 7,
            "period_end": [d("2024-01-31")] * 7 + [d("2024-02-15")] * 7,
            "complete": [True] * 7 + [False] * 7,
            "status": list(STATUSES) * 2,
            "customers": list(range(14)),
        }
    )
    fig = charts.status_mix_area(mix, "month", RULES)
    assert [tr.stackgroup for tr in fig.data] == ["statuses"] * 7
    assert list(fig.data[1].y) == [1, 8]
    assert list(fig.data[0].x) == [d("2024-01-31"), d("2024-02-15")]
    assert all(tr.hovertemplate for tr in fig.data)


def test_heatmap_and_sankey():
    date_from, date_to = d("2024-01-31"), d("2024-02-29")
    heat = charts.migration_heatmap(migration_matrix(CELLS), date_from, date_to).data[0]
    assert len(heat.z) == 8 and len(heat.z[0]) == 7
    assert heat.text[0][STATUSES.index("new")] == "4"
    sankey = charts.migration_sankey(CELLS, date_from, date_to).data[0]
    assert sum(sankey.link.value) == 11
    assert list(sankey.node.label[:4]) == ["Not yet a customer", "Prospect", "Lost", "New"]
    assert all(0 < y < 1 for y in sankey.node.y)
    assert "4 customers" in sankey.link.customdata[0]


def test_app_page_runs_and_reacts(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/3_Lifecycle.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Customer lifecycle"
    assert len(at.get("plotly_chart")) == 2  # status bar, mix (the other tabs are not drawn)
    at.session_state["lc_tab"] = "Movements"
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 2  # heatmap, sankey
    keys = [w.key for w in at.date_input]
    from_key = next(k for k in keys if k.startswith("lc_from_"))
    to_key = next(k for k in keys if k.startswith("lc_to_"))
    at.date_input(key=from_key).set_value(at.date_input(key=to_key).value).run()
    at.date_input(key=to_key).set_value(at.date_input(key=to_key).value - dt.timedelta(days=1)).run()
    assert not at.exception
    assert any("on or before the second" in e.value for e in at.error)
    at.session_state["lc_tab"] = "Customers"
    at.run()
    assert not at.get("plotly_chart")
    status = at.selectbox(key="lc_list_status")
    assert status.value == "alert"
    status.set_value("lost").run()
    assert not at.exception
    assert "Lost" in " ".join(c.value for c in at.caption)


@pytest.mark.browser
def test_browser_lifecycle_draws_its_charts_per_tab(server, browser):
    from tests.test_browser import wait_rendered

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server}/Lifecycle?period=week", wait_until="domcontentloaded")
        wait_rendered(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator(".js-plotly-plot").count() == 2
        page.get_by_role("tab", name="Movements").click()
        page.wait_for_timeout(300)
        wait_rendered(page)
        assert page.locator(".js-plotly-plot").count() == 2
        page.locator(".js-plotly-plot").nth(1).scroll_into_view_if_needed()
        page.wait_for_selector(".sankey-node", timeout=30_000)
        assert page.locator(".sankey-node").count() >= 8  # both sides of the flows
        assert page.get_by_text("Lost", exact=True).count() >= 1
    finally:
        context.close()


def test_app_profile_picker_offers_the_first_customers_of_the_list(app_data, monkeypatch):
    """Every option of a select box goes to the browser on every rerun: the picker offers the first
    PICKER_OPTIONS customers of the list, in its order, and says where the others are."""
    from streamlit.testing.v1 import AppTest

    from retention import ui

    at = AppTest.from_file(str(ROOT / "pages/3_Lifecycle.py"), default_timeout=120)
    at.session_state["lc_tab"] = "Customers"
    at.run()
    full = at.selectbox(key="lc_profile_alert")
    assert len(full.options) > 3 and not full.help
    listed = at.dataframe[0].value["customer_id"].to_list()
    assert full.options == listed
    monkeypatch.setattr(ui, "PICKER_OPTIONS", 3)
    at.run()
    capped = at.selectbox(key="lc_profile_alert")
    assert capped.options == listed[:3]
    assert "first 3 customers" in capped.help and "Customer profile" in capped.help


@pytest.fixture(scope="module")
def larger_sample(tmp_path_factory):
    """The sample with 4,000 customers: over 1,000 of them are loyal, more than the grid's first page."""
    from retention.sample import write_sample
    from tests.conftest import start_server, stop_server

    folder = tmp_path_factory.mktemp("sample4000")
    write_sample(folder, customers=4000, seed=7)
    proc, url = start_server(folder)
    yield folder, url
    stop_server(proc)


@pytest.mark.browser
def test_browser_long_customer_list_loads_lazily(larger_sample, browser):
    """A list longer than the grid's first page is drawn a page at a time: the grid counts every row it
    shows (the first ui.SHOWN_ROWS, the caption says so and the download has all), the last is not drawn
    until the grid is scrolled to the end, and then it is the CLI's row at that place."""
    from retention import ui
    from tests.conftest import run_cli
    from tests.test_browser import wait_rendered

    folder, server = larger_sample
    out = run_cli("status", "--by-customer", env={"RETENTION_DATA_DIR": str(folder)})
    assert out.returncode == 0, out.stderr
    loyal = [line.split(",")[0] for line in out.stdout.splitlines()[1:] if line.endswith(",loyal")]
    assert len(loyal) > ui.SHOWN_ROWS  # more than the table shows, and more than the grid's first page
    shown = loyal[: ui.SHOWN_ROWS]
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    page = context.new_page()
    try:
        page.goto(f"{server}/Lifecycle", wait_until="domcontentloaded")
        wait_rendered(page)
        page.get_by_role("tab", name="Customers").click()
        page.wait_for_timeout(300)
        wait_rendered(page)
        page.locator(".st-key-lc_list_status").click()
        page.get_by_role("option", name="Loyal", exact=True).click()
        page.wait_for_timeout(300)
        wait_rendered(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        grid = page.locator('[data-testid="stDataFrame"]').first
        assert grid.locator("[aria-rowcount]").get_attribute("aria-rowcount") == str(len(shown) + 1)  # and the header
        capped = f"The table shows the first {ui.SHOWN_ROWS:,}; the download holds all {len(loyal):,}."
        assert page.get_by_text(capped).count() == 1
        box = grid.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        last = grid.locator(f'tr[aria-rowindex="{len(shown) + 1}"]')
        assert last.count() == 0  # not drawn before the grid is scrolled
        for _ in range(40):
            page.mouse.wheel(0, 3000)
            page.wait_for_timeout(50)
        last.wait_for(state="attached", timeout=30_000)
        assert last.inner_text().split()[0].startswith(shown[-1])
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
