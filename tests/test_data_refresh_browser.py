"""In Chromium against `streamlit run`: `import --append` while the KPI page is open; the next rerun of the page
shows the new data (its "data as of" day) with the note saying it was refreshed (issue 23)."""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from tests.conftest import ARTIFACTS, run_cli, start_server, stop_server
from tests.test_browser import wait_rendered

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("base", ["built by the app", "cached by the CLI"])
def test_an_append_reaches_the_open_page(browser, sample_dir, tmp_path, base):
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    shutil.rmtree(data / ".retention-cache", ignore_errors=True)
    if base == "cached by the CLI":  # yesterday's base in the cache: the app reads it (its meta from JSON)
        assert run_cli("kpis", "--data", str(data)).returncode == 0
    old = pl.read_parquet(data / "orders.parquet")
    day = (old["ordered_at"].max() + dt.timedelta(days=1)).date()
    customers = old["customer_id"].unique().sort().head(4).to_list()
    first_id = int(old["order_id"].max()) + 1
    src = tmp_path / "yesterday.csv"
    src.write_text(
        "customer_id,ordered_at,amount,order_id\n"
        + "".join(f"{c},{day.isoformat()} 10:00:00Z,25.00,{first_id + i}\n" for i, c in enumerate(customers))
    )
    proc, url = start_server(data)
    context = browser.new_context(viewport={"width": 1440, "height": 1100}, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{url}/KPIs", wait_until="domcontentloaded")
        wait_rendered(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        last = old["ordered_at"].max().date()
        sidebar.get_by_text(f"Data as of {last.day} {last.strftime('%b')} {last.year}").wait_for()
        assert page.get_by_text("Data refreshed at").count() == 0

        run = run_cli("import", str(src), "--table", "orders", "--data", str(data), "--append")
        assert run.returncode == 0, run.stderr
        assert "4 rows from" in run.stdout and (data / "orders").is_dir()
        page.wait_for_timeout(2500)  # past ui.VERSION_CHECK_SECONDS: the session looks at the files again
        sidebar.locator("button", has_text="Week").first.click()  # any rerun of the page (the period control)
        toast = page.locator('[data-testid="stToast"]')
        exceptions = page.locator('[data-testid="stException"]')
        # The toast is said once, early in the run (it fades after a few seconds); an error instead fails here.
        page.locator('[data-testid="stToast"], [data-testid="stException"]').first.wait_for(timeout=60_000)
        assert exceptions.count() == 0, exceptions.first.inner_text()
        # the toast's icon is drawn before its text: wait for the text (well inside the toast's 4 s) to read it
        toast.filter(has_text="orders added").first.wait_for(timeout=3_000)
        assert "4 orders added" in toast.first.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"data_refreshed_toast_en_{base.split()[0]}.png"))
        wait_rendered(page)
        sidebar.get_by_text(f"Data as of {day.day} {day.strftime('%b')} {day.year}").wait_for(timeout=60_000)
        note = sidebar.get_by_text("Data refreshed at")
        assert note.count() == 1 and "4 orders added" in note.inner_text()
        note.scroll_into_view_if_needed()  # the note sits under the filters, at the foot of the sidebar
        page.screenshot(path=str(ARTIFACTS / f"data_refreshed_kpis_en_{base.split()[0]}.png"))
        assert exceptions.count() == 0, exceptions.first.inner_text()
    finally:
        context.close()
        stop_server(proc)
