"""Real-browser walk: every page in Chromium against `streamlit run`, in both languages, with screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from retention.ui import PAGES, ROOT
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def url_path(page_path: str) -> str:
    if page_path == "app.py":
        return "/"
    stem = Path(page_path).stem
    return "/" + stem.split("_", 1)[1]


def wait_rendered(page) -> None:
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
    page.wait_for_timeout(1500)  # let plotly finish drawing before the screenshot
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)


EXISTING = [p for p in PAGES if (ROOT / p.path).exists()]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page_def", EXISTING, ids=[p.key for p in EXISTING])
def test_page_renders(server, browser, page_def, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{server}{url_path(page_def.path)}?lang={lang}", wait_until="domcontentloaded")
        wait_rendered(page)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{page_def.key}_{lang}.png"), full_page=True)
        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert page.locator("h1").count() >= 1
        assert "Traceback" not in page.content()
    finally:
        context.close()
