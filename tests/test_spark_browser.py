"""The app on Spark (issue 22, part 5): `streamlit run app.py` with RETENTION_ENGINE=spark on local Spark, driven
by Chromium. The first page builds the base tables on Spark under a spinner that says so; the second page is
opened by two sessions at once (English and Chinese) on the server's one SparkSession. Each page shows no
exception and no error, and its headline numbers equal the DuckDB library's figures for the same query on the
same data. Screenshots: tests/artifacts/spark_*.png. Select with `-m spark` (or `-m browser`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retention import db, i18n
from retention.metrics import kpis as kpi_shape
from retention.params import make_params
from retention.queries.common import overview
from retention.queries.profit import kpi_report
from retention.settings import load_settings
from tests.conftest import ARTIFACTS, ROOT, start_server, stop_server, wait_painted

pytestmark = [pytest.mark.spark, pytest.mark.browser]

SAMPLE = ROOT / "data" / "sample"
TIMEZONE = "UTC"
RENDER_MS = 600_000  # a page on Spark: the JVM start and the base build on the first one, seconds per query after


@pytest.fixture(scope="module")
def spark_app(tmp_path_factory, request):
    """A copy of the sample, a server on Spark over it (its own cache folder), and DuckDB's figures for it."""
    tmp = tmp_path_factory.mktemp("spark-app")
    source = SAMPLE if (SAMPLE / "orders.parquet").exists() else request.getfixturevalue("sample_dir")
    data = tmp / "data"
    shutil.copytree(source, data)
    env = {
        "RETENTION_ENGINE": "spark", "RETENTION_SPARK_MASTER": "local[2]", "RETENTION_CACHE_DIR": str(tmp / "cache"),
        "RETENTION_TIMEZONE": TIMEZONE, "RETENTION_LANGUAGE": "en",
        # As tests/test_spark.py's session: a few shuffle partitions for small data, no Spark UI.
        "RETENTION_SPARK_CONF": "spark.sql.shuffle.partitions=4,spark.ui.enabled=false",
    }  # fmt: skip
    proc, url = start_server(data, extra_env=env)
    try:
        yield url, data, tmp / "cache"
    finally:
        stop_server(proc)


def duckdb_params(data: Path, cache: Path):
    """The DuckDB dataset of the same folder and the parameters a first visit uses (the settings' defaults)."""
    settings = load_settings(_env_file=None, data_dir=data, timezone=TIMEZONE, engine="duckdb")
    ds = db.open_dataset(data, TIMEZONE, cache_dir=cache / "duckdb", engine_name="duckdb")
    return ds, make_params(ds, settings)


def rendered(page, shot: str) -> None:
    """Wait until the script has run (Spark is slow), screenshot, and fail on an exception or an error box."""
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=RENDER_MS)
    page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=RENDER_MS)
    wait_painted(page)  # plotly and the data grids paint after their elements exist
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    for selector in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        found = page.locator(selector)
        assert found.count() == 0, f"{shot}: {found.first.inner_text()}"
    assert "Traceback" not in page.content()
    assert page.locator("h1").count() >= 1


def metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(has=page.get_by_text(label, exact=True))
    return box.locator('[data-testid="stMetricValue"]').inner_text().strip()


def tile_value(page, label: str) -> str:
    """The value line of a KPI tile (charts/kpis.tiles_html: label, value, deltas)."""
    label_div = page.locator('[data-testid="stHtml"] div').get_by_text(label, exact=True).first
    return label_div.locator("xpath=following-sibling::div[1]").inner_text().strip()


def test_two_pages_on_spark(spark_app, browser):
    url, data, cache = spark_app
    duck, params = duckdb_params(data, cache)
    facts = overview(duck, params)
    head = kpi_shape.headline(kpi_report(duck, params), params.period)
    assert facts["customers"] > 0 and head is not None  # the sample has data: the comparisons below mean something

    # The first page: Spark starts and builds the base tables, under a spinner saying it runs on Spark.
    i18n.set_language("en")
    context = browser.new_context(viewport={"width": 1440, "height": 1600}, locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{url}/?lang=en", wait_until="domcontentloaded")
        page.get_by_text(i18n.t("common.loading_data_spark")).wait_for(timeout=RENDER_MS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "spark_loading_en.png"))
        rendered(page, "spark_overview_en")
        assert page.get_by_text(i18n.t("common.engine_spark")).count() == 1
        assert metric_value(page, i18n.t("overview.customers")) == i18n.fmt_int(facts["customers"])
        assert metric_value(page, i18n.t("overview.active")) == i18n.fmt_int(facts["active"])
        assert metric_value(page, i18n.t("overview.orders")) == i18n.fmt_int(facts["order_rows"])
        assert metric_value(page, i18n.t("overview.revenue")) == i18n.fmt_money(facts["revenue"], "USD")
    finally:
        context.close()

    # The second page, by two sessions at once (two script threads on the server's one SparkSession).
    contexts = {lang: browser.new_context(viewport={"width": 1440, "height": 1600}) for lang in ("en", "zh")}
    try:
        pages = {lang: ctx.new_page() for lang, ctx in contexts.items()}
        for lang, page in pages.items():
            page.goto(f"{url}/KPIs?lang={lang}", wait_until="commit")
        for lang, page in pages.items():
            rendered(page, f"spark_kpis_{lang}")
            i18n.set_language(lang)
            assert page.get_by_text(i18n.t("common.engine_spark")).count() == 1
            assert tile_value(page, i18n.t("kpis.tile_active_end")) == i18n.fmt_int(head.current["active_end"])
            assert tile_value(page, i18n.t("kpis.tile_new")) == i18n.fmt_int(head.current["new"])
    finally:
        i18n.set_language("en")
        for ctx in contexts.values():
            ctx.close()
    # One base on Spark for the server: built by the first page, read by every later session.
    assert len(list(cache.glob("spark-base-*"))) == 1
