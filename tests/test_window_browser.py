"""The Return window page in Chromium: both charts drawn, screenshots in both languages, applying the map."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def open_page(browser, server, lang: str):
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="en-US")
    page = context.new_page()
    page.goto(f"{server}/Return_window?lang={lang}", wait_until="domcontentloaded")
    for key in ("window_curve", "window_whatif"):
        page.wait_for_selector(f".st-key-{key} .js-plotly-plot .main-svg", timeout=180_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
    page.wait_for_timeout(1000)
    return context, page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_return_window_page_in_chromium(server, browser, lang):
    context, page = open_page(browser, server, lang)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"return_window_page_{lang}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "Traceback" not in page.content()
        # the threshold line and the recommended-window markers are drawn on the curve chart
        curve = page.locator(".st-key-window_curve")
        assert curve.locator(".annotation-text").filter(has_text="10%").count() == 1
        assert curve.locator(".scatterlayer .trace").count() >= 2
    finally:
        context.close()


def test_apply_button_sets_the_map_in_the_sidebar(server, browser):
    context, page = open_page(browser, server, "en")
    try:
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text("Per-segment windows").count() == 0
        page.locator(".st-key-window_apply button").first.click()
        sidebar.get_by_text("Per-segment windows").wait_for(timeout=120_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
        assert "wmap=" in page.url and "wby=" in page.url
        page.locator(".st-key-_reset_map button").first.click()
        sidebar.get_by_text("Per-segment windows").wait_for(state="detached", timeout=120_000)
    finally:
        context.close()
