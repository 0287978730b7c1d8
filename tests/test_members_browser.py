"""The drill-down in Chromium: clicking a cohort heatmap cell lists that cell's customers under the chart (as
many as the cell counts), clicking a status bar lists that status's customers; screenshots in both languages."""

from __future__ import annotations

import re

import pytest

from retention import db
from retention.params import make_params
from retention.queries.cohorts import cohort_table
from retention.queries.lifecycle import status_counts
from retention.settings import Settings
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _idle(page) -> None:
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=180_000)
    page.wait_for_timeout(800)


def _click_point(page, chart_key: str, trace: str, index: int) -> None:
    """Click at the centre of one marker of a chart (plotly takes clicks from the drag layer above the
    markers, so the mouse goes to the marker's position, not to the element)."""
    point = page.locator(f".st-key-{chart_key} {trace}").nth(index)
    box = point.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _members_title(page, key: str) -> str:
    block = page.locator(f".st-key-{key}_members")
    block.wait_for(timeout=180_000)
    _idle(page)
    return block.locator("strong").first.inner_text()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_click_a_cohort_cell_lists_its_customers(server, browser, sample_dir, lang):
    ds = db.open_dataset(sample_dir)
    table = cohort_table(ds, make_params(ds, Settings(), period="quarter")).sort("cohort", "k")
    first = table["cohort"].min()
    expected = table.filter(cohort=first, k=2)["active"].item()
    context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server}/Cohorts?lang={lang}&period=quarter", wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-cohort_heatmap .js-plotly-plot .main-svg", timeout=180_000)
        _idle(page)
        # the selectable layer is the last scatter trace; its points run row by row (the first cohort has every k)
        _click_point(page, "cohort_heatmap", ".scatterlayer .trace:last-child path.point", 2)
        title = _members_title(page, "cohort_cell")
        assert re.search(rf"\b{expected:,}\b", title), title
        block = page.locator(".st-key-cohort_cell_members")
        block.locator('[data-testid="stDataFrame"]').wait_for(timeout=120_000)  # the lazy grid draws after the title
        assert page.locator(".st-key-cohort_cell_download").count() == 1
        assert page.locator(".st-key-cohort_cell_profile").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"members_cohort_cell_{lang}.png"), full_page=True)
    finally:
        context.close()


def test_click_a_status_bar_lists_its_customers(server, browser, sample_dir):
    ds = db.open_dataset(sample_dir)
    counts = status_counts(ds, make_params(ds, Settings()))
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server}/Lifecycle?lang=en", wait_until="domcontentloaded")
        page.wait_for_selector(".st-key-lc_status_bar .js-plotly-plot .main-svg", timeout=180_000)
        _idle(page)
        index = counts["status"].to_list().index("lost")
        _click_point(page, "lc_status_bar", ".barlayer .point", index)
        title = _members_title(page, "lc_status_members")
        assert "Lost" in title and f"{counts['customers'][index]:,}" in title, title
        page.screenshot(path=str(ARTIFACTS / "members_status_bar_en.png"), full_page=True)
    finally:
        context.close()
