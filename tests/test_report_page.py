"""The KPI page's "Download report" button: present (AppTest), and in Chromium the click makes the report
(the page's language, the page's numbers) and the file arrives."""

from __future__ import annotations

from pathlib import Path

import pytest

from retention.ui import ROOT
from tests.conftest import ARTIFACTS


def test_kpi_page_has_the_report_button(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/1_KPIs.py")
    at.run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.proto.label == "Download report"]
    assert len(buttons) == 1


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_download_report_in_chromium(server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/KPIs?lang=zh", wait_until="domcontentloaded")
        button = page.locator(".st-key-kpi_report_download").get_by_role("button", name="下载报告")
        button.wait_for(timeout=300_000)
        page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=300_000)
        with page.expect_download(timeout=600_000) as info:
            button.click()
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / "kpis_report_generating.png"))
        body = Path(info.value.path()).read_text(encoding="utf-8")
        assert info.value.suggested_filename.endswith("_zh.html")
        assert body.startswith("<!doctype html>") and "管理层报告" in body and body.count("<svg") >= 5
        tile = page.locator('[data-testid="stHtml"]').first.inner_text()
        active = tile.split("\n")[1]  # the first tile's value, as the page shows it
        assert active in body
        page.screenshot(path=str(ARTIFACTS / "kpis_report_button.png"))
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
