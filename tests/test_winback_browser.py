"""Chromium screenshots of the pages this issue changed, on the sample with a margin and an acquisition cost:
KPIs (profit tile, replacement sentence, retention value), Win back, Early warning's slowing tab, Campaigns'
split by the customer before the contact."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, start_server, stop_server
from tests.test_browser import wait_rendered

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def profit_server(sample_dir):
    proc, url = start_server(sample_dir, {"RETENTION_MARGIN": "0.6", "RETENTION_ACQUISITION_COST": "25"})
    yield url
    stop_server(proc)


def _settle(page) -> None:
    wait_rendered(page)  # with tests.conftest.wait_painted: no skeleton left, charts and grids drawn


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert "Traceback" not in page.content()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_profit_pages(profit_server, browser, lang):
    context = browser.new_context(viewport={"width": 1440, "height": 1800}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{profit_server}/KPIs?lang={lang}", wait_until="domcontentloaded")
        _settle(page)
        _shot(page, f"profit_kpis_{lang}")
        assert page.get_by_text("Profit" if lang == "en" else "利润", exact=True).count() >= 1

        page.goto(f"{profit_server}/Win_back?lang={lang}", wait_until="domcontentloaded")
        _settle(page)
        _shot(page, f"profit_winback_{lang}")

        page.goto(f"{profit_server}/Early_warning?lang={lang}", wait_until="domcontentloaded")
        _settle(page)
        page.get_by_role("tab", name="Slowing down" if lang == "en" else "消费放缓").click()
        _settle(page)
        _shot(page, f"profit_slowing_{lang}")

        page.goto(f"{profit_server}/Campaigns?lang={lang}", wait_until="domcontentloaded")
        _settle(page)
        page.get_by_role("tab", name="By customer before" if lang == "en" else "按联系前的客户").click()
        _settle(page)
        _shot(page, f"profit_campaigns_split_{lang}")
    finally:
        context.close()
