"""Sign-in in Chromium: a page outside the role stays closed when opened by its URL with query parameters,
and a misconfigured secrets file serves no page at all."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tests.conftest import ARTIFACTS, start_server, stop_server
from tests.test_hostile_browser import settle

pytestmark = pytest.mark.browser


def test_executive_opening_cohorts_by_url_stays_closed(browser, sample_dir, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f'[auth]\nenabled = true\n[auth.users.eve]\nrole = "executive"\npassword_hash = "{PasswordHasher().hash("s3cret!")}"\n'
    )
    proc, url = start_server(sample_dir, args=("--secrets.files", str(secrets)))
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    page = context.new_page()
    try:
        page.goto(f"{url}/Cohorts?window=30&role=admin&user=eve", wait_until="domcontentloaded")
        page.get_by_role("heading", name="Sign in").wait_for(timeout=90_000)
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
        page.get_by_label("User name").fill("eve")
        page.get_by_role("textbox", name="Password").fill("s3cret!")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("may not open this page").wait_for(timeout=90_000)
        settle(page)
        page.screenshot(path=str(ARTIFACTS / "auth_executive_cohorts_by_url.png"))
        assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text("Cohorts").count() == 0 and sidebar.get_by_text("Executive KPIs").count() == 1
        # the menu's own link to an allowed page works within the session
        sidebar.get_by_text("Executive KPIs").click()
        page.get_by_text("may not open this page").wait_for(state="detached", timeout=90_000)
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        stop_server(proc)


def test_misconfigured_secrets_serve_no_page(browser, sample_dir, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nenabled = true\n[auth.users.bob]\nrole = "Marketing"\npassword_hash = "hunter2"\n')
    proc, url = start_server(sample_dir, args=("--secrets.files", str(secrets)))
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        for path in ("/", "/Import", "/Cohorts?window=30"):
            page.goto(url + path, wait_until="domcontentloaded")
            page.get_by_role("heading", name="Sign-in is misconfigured").wait_for(timeout=90_000)
            page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=90_000)
            assert page.locator('[data-testid="stSidebar"]').count() == 0
            main = page.locator('[data-testid="stAppViewContainer"]').inner_text()
            assert "hunter2" not in main and "Marketing" not in main
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
            assert page.locator('[data-testid="stPageLink"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "auth_misconfigured.png"))
    finally:
        context.close()
        stop_server(proc)
    log = proc.stdout.read().decode(errors="replace")
    assert f"sign-in is misconfigured in {secrets}" in log and "user 'bob': role 'Marketing'" in log
    assert "hunter2" not in log
