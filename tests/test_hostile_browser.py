"""Hostile data on screen: ids and attribute values holding HTML, scripts, markdown links, right-to-left
overrides and 10,000 characters render as text on every page, run no script and raise nothing.

One server over a small sample whose every customer id (and several attribute values, reasons and
campaign names) is hostile; every page of ui.PAGES is opened in Chromium."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import polars as pl
import pytest

from retention.ui import PAGES, ROOT
from tests.conftest import ARTIFACTS, start_server, stop_server

PWN = "window.__pwned=1"
HOSTILE = (
    f"<script>{PWN}</script>",
    f'<img src=x onerror="{PWN}">',
    f"[click](javascript:{PWN})",
    f'<a href="javascript:{PWN}">a</a>',
    "**bold** :red[red] $x^2$ <b>",
    "\u202eevil",
    '=HYPERLINK("http://x","y")',
)
LONG = "L" * 10_000


def hostile_id(i: int, original: str) -> str:
    return (LONG if i % 40 == 0 else HOSTILE[i % len(HOSTILE)]) + original


def write_hostile(folder: Path) -> dict[str, str]:
    """A 400-customer sample with hostile ids, regions, channels, reasons, comments and campaign names."""
    from retention.sample import write_sample

    write_sample(folder, customers=400, seed=3)
    customers = pl.read_parquet(folder / "customers.parquet")
    ids = customers["customer_id"].to_list()
    mapping = {c: hostile_id(i, c) for i, c in enumerate(ids)}
    region = {
        "North": f'<img src=x onerror="{PWN}">North', "South": f"[South](javascript:{PWN})",
        "West": "\u202eWest", "East": "E" * 10_000,
    }  # fmt: skip
    customers.with_columns(
        pl.col("customer_id").replace_strict(mapping),
        pl.col("region").replace(region),
        pl.col("business_type").replace(
            {"cafe": f"<b onmouseover={PWN}>cafe</b>", "salon": f"[salon](javascript:{PWN})"}
        ),
        (pl.lit(f"<script>{PWN}</script>") + pl.col("channel")).alias("channel"),
    ).write_parquet(folder / "customers.parquet")
    orders = pl.read_parquet(folder / "orders.parquet")
    orders.with_columns(pl.col("customer_id").replace_strict(mapping)).write_parquet(folder / "orders.parquet")
    reasons = pl.read_parquet(folder / "churn_reasons.parquet")
    reasons.with_columns(
        pl.col("customer_id").replace_strict(mapping),
        pl.col("reason").replace({"price": f"<b onmouseover={PWN}>price</b>", "quality": f"[q](javascript:{PWN})"}),
        pl.lit(f"<script>{PWN}</script>" + "C" * 3000).alias("comment"),
    ).write_parquet(folder / "churn_reasons.parquet")
    contacts = pl.read_parquet(folder / "contacts.parquet")
    contacts.with_columns(
        pl.col("customer_id").replace_strict(mapping),
        (pl.lit(f'<img src=x onerror="{PWN}">') + pl.col("campaign")).alias("campaign"),
        (pl.lit(f"[ch](javascript:{PWN})") + pl.col("channel")).alias("channel"),
    ).write_parquet(folder / "contacts.parquet")
    return mapping


def url_path(page_path: str) -> str:
    return "/" if page_path == "app.py" else "/" + Path(page_path).stem.split("_", 1)[1]


def settle(page) -> None:
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=120_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))""",
        timeout=60_000,
    )
    page.wait_for_timeout(500)


# Tags that plotly would draw as markup (bold, links) if a data value reached its text unescaped.
PLOTLY_TAGS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd => {
    const text = JSON.stringify([gd.data, gd.layout]);
    return ['<script', '<img', '<b onmouseover', '<a href'].filter(tag => text.includes(tag)); })"""

# Tabs whose charts show data values (hidden tabs do not run until opened).
TABS = {"cohorts": ["By segment"], "alerts": ["Who is overdue"], "reasons": ["By segment and cohort"],
        "campaigns": ["After the contact", "By channel and group"]}  # fmt: skip


def check(page, key: str) -> str:
    page.screenshot(path=str(ARTIFACTS / f"hostile_{key}.png"), full_page=True)
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, (key, exceptions.first.inner_text()[:500])
    assert "Traceback" not in page.content(), key
    assert page.evaluate("typeof window.__pwned") == "undefined", key
    assert page.locator('a[href^="javascript"]').count() == 0, key
    assert page.evaluate(PLOTLY_TAGS) == [], key
    # no page gets wider than the window from a 10,000-character value
    width = page.evaluate('document.querySelector("[data-testid=stMain]").scrollWidth')
    assert width <= 1440, (key, width)
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.browser
def test_hostile_ids_on_every_page(browser, tmp_path):
    data = tmp_path / "hostile"
    mapping = write_hostile(data)
    proc, url = start_server(data)
    context = browser.new_context(viewport={"width": 1440, "height": 1600})
    page = context.new_page()
    shown: dict[str, str] = {}
    try:
        # a customer with purchases whose id is a script tag
        script_id = next(v for v in mapping.values() if v.startswith("<script>"))
        long_id = next(v for v in mapping.values() if v.startswith(LONG))
        visits = [(p.key, url_path(p.path)) for p in PAGES if (ROOT / p.path).exists()]
        visits.append(("profile_long", "/Customer_profile?customer=" + urllib.parse.quote(long_id)))
        visits = [(k, u + ("?customer=" + urllib.parse.quote(script_id) if k == "profile" else "")) for k, u in visits]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for key, path in visits:
            page.goto(url + path, wait_until="domcontentloaded")
            settle(page)
            shown[key] = check(page, key)
            for tab in TABS.get(key, []):
                page.get_by_role("tab", name=tab).click()
                settle(page)
                check(page, f"{key}_{tab.split()[-1].lower()}")
        # the profile shows the hostile attribute values as literal text
        assert f"<script>{PWN}</script>" in shown["profile"]  # the channel attribute, as literal text
    finally:
        context.close()
        stop_server(proc)
