"""Real-browser walk: every page in Chromium against `streamlit run`, in both languages, with screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from retention.ui import PAGES, ROOT
from tests.conftest import ARTIFACTS, wait_painted

pytestmark = pytest.mark.browser


def url_path(page_path: str) -> str:
    if page_path == "app.py":
        return "/"
    stem = Path(page_path).stem
    return "/" + stem.split("_", 1)[1]


def wait_rendered(page) -> None:
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
    wait_painted(page)  # chart code loads as separate scripts; plotly and the data grids paint after that


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


def test_import_upload_in_browser(browser, sample_dir, tmp_path):
    """Upload a CSV on the Import page: broken first (nothing replaced), then good (table replaced)."""
    import shutil

    from tests.conftest import start_server

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    before = (data / "customers.parquet").read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id;region\nC1;North\nC1;South\n", encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("\ufeffcustomer_id;region\nC000001;North\nC000002;Süd\n", encoding="utf-8")
    proc, url = start_server(data)
    context = browser.new_context(viewport={"width": 1440, "height": 2000})
    page = context.new_page()
    try:
        page.goto(f"{url}/Import", wait_until="domcontentloaded")
        wait_rendered(page)
        page.get_by_label("Table").click()
        page.get_by_role("option", name="Customers and their segments").click()
        wait_rendered(page)
        for csv, expected in ((bad, "Nothing was replaced"), (good, "rows from")):
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
            wait_rendered(page)
            page.get_by_role("button", name="Validate and import").click()
            wait_rendered(page)
            page.get_by_text(expected).first.wait_for(timeout=60_000)
            if csv is bad:
                assert (data / "customers.parquet").read_bytes() == before
        page.screenshot(path=str(ARTIFACTS / "import_upload_en.png"), full_page=True)
        assert (data / "customers.parquet").read_bytes() != before
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_sign_in_in_browser(browser, sample_dir, tmp_path):
    """With users in a secrets file: the sign-in form, a refused password, then a marketing user's menu."""
    from argon2 import PasswordHasher

    from tests.conftest import start_server

    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[auth]\nenabled = true\n[auth.users.mia]\nrole = "marketing"\n'
        f'password_hash = "{PasswordHasher().hash("s3cret!")}"\n'
    )
    proc, url = start_server(sample_dir, args=("--secrets.files", str(secrets)))
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    page = context.new_page()
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_role("heading", name="Sign in").wait_for(timeout=60_000)
        page.get_by_label("User name").fill("mia")
        page.get_by_role("textbox", name="Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Wrong user name or password.").wait_for(timeout=60_000)
        page.get_by_role("textbox", name="Password").fill("s3cret!")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as mia").wait_for(timeout=60_000)
        wait_rendered(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text("Cohorts").count() == 1
        assert sidebar.get_by_text("Import data").count() == 0
        page.screenshot(path=str(ARTIFACTS / "signed_in_marketing.png"))
        page.goto(f"{url}/Import", wait_until="domcontentloaded")
        page.get_by_label("User name").or_(page.get_by_text("may not open this page")).first.wait_for(timeout=60_000)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_csv_download_is_written_on_click_with_bom(server, browser, sample_dir):
    # downloads are deferred (the CSV is made when the button is clicked): the file must still arrive, in
    # UTF-8 with a BOM, with the CLI's columns and rows
    from tests.conftest import run_cli

    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/Lifecycle?lang=en", wait_until="domcontentloaded")
        wait_rendered(page)
        with page.expect_download(timeout=60_000) as info:
            page.locator(".st-key-lc_counts_download button").click()
        body = Path(info.value.path()).read_bytes()
        assert info.value.suggested_filename == "statuses.csv"
        assert body.startswith(b"\xef\xbb\xbf")
        lines = body[3:].decode("utf-8").splitlines()
        cli = run_cli("status", "--data", sample_dir).stdout.splitlines()
        assert lines[0].split(",")[:2] == cli[0].split(",")[:2] == ["status", "customers"]
        assert [line.split(",")[:2] for line in lines[1:]] == [line.split(",")[:2] for line in cli[1:]]
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_import_a_shopify_export_in_browser(browser, tmp_path):
    """Upload a Shopify export: recognised, previewed, imported; the Overview then counts its orders."""
    from tests.conftest import start_server
    from tests.test_presets import SHOPIFY

    data = tmp_path / "data"
    data.mkdir()
    export = tmp_path / "orders_export_1.csv"
    export.write_text(SHOPIFY, encoding="utf-8")
    proc, url = start_server(data)
    context = browser.new_context(viewport={"width": 1440, "height": 2200})
    page = context.new_page()
    try:
        page.goto(f"{url}/Import", wait_until="domcontentloaded")
        wait_rendered(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(export))
        wait_rendered(page)
        page.get_by_text("Recognised as a Shopify Orders export").first.wait_for(timeout=180_000)
        wait_painted(page)  # the data grid paints after its element exists
        page.screenshot(path=str(ARTIFACTS / "import_shopify_preview_en.png"), full_page=True)
        assert (
            "preset: shopify (Shopify Orders export, recognised from the header)"
            in page.locator('[data-testid="stCode"]').first.inner_text()
        )
        assert page.locator('[data-testid="stDataFrame"]').count() == 1
        page.get_by_role("button", name="Validate and import").click()
        wait_rendered(page)
        page.get_by_text("orders: 3 rows from").first.wait_for(timeout=180_000)
        page.screenshot(path=str(ARTIFACTS / "import_shopify_done_en.png"), full_page=True)
        assert (data / "orders.parquet").is_file()
        page.goto(url, wait_until="domcontentloaded")
        wait_rendered(page)
        metrics = page.locator('[data-testid="stMetric"]')
        values = {
            m.locator('[data-testid="stMetricLabel"]').inner_text().strip(): m.locator('[data-testid="stMetricValue"]')
            .inner_text()
            .strip()
            for m in metrics.all()
        }
        page.screenshot(path=str(ARTIFACTS / "import_shopify_overview_en.png"), full_page=True)
        assert values["Customers"] == "2" and values["Orders"] == "3", values
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
