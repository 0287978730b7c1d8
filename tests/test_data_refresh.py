"""New data while the app runs (issue 23): a new Parquet file in the orders folder reaches the next rerun of a
page without a restart, with a note saying when the data was refreshed and how many orders were added."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from retention import ui
from retention.ui import ROOT


def folder_copy(sample_dir: Path, tmp_path: Path) -> Path:
    """A copy of the sample whose orders are a folder orders/ holding the sample's one file."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    (data / "orders").mkdir()
    os.replace(data / "orders.parquet", data / "orders" / "part-000001.parquet")
    return data


def add_orders(data: Path, n: int) -> dt.date:
    """Write n new orders of existing customers, the day after the last one, as a second file of the folder;
    returns that day."""
    old = pl.read_parquet(data / "orders" / "part-000001.parquet")
    last = old["ordered_at"].max()
    new = old.head(n).with_columns(
        pl.lit(last + dt.timedelta(days=1), old.schema["ordered_at"]).alias("ordered_at"),
        (pl.int_range(1, n + 1, dtype=old.schema["order_id"]) + old["order_id"].max()).alias("order_id"),
    )
    part = data / "orders" / "part-000002.parquet"
    new.write_parquet(data / "orders" / ".part-000002.tmp")  # hidden while written, then renamed
    os.replace(data / "orders" / ".part-000002.tmp", part)
    return (last + dt.timedelta(days=1)).date()


@pytest.fixture
def folder_data(monkeypatch, sample_dir, tmp_path):
    from retention.settings import get_settings

    data = folder_copy(sample_dir, tmp_path)
    monkeypatch.setenv("RETENTION_DATA_DIR", str(data))
    monkeypatch.setattr(ui, "VERSION_CHECK_SECONDS", 0)  # every rerun looks at the files
    get_settings.cache_clear()
    yield data
    get_settings.cache_clear()


def en_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"  # i18n.fmt_date in English


def as_of_caption(at) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Data as of"))


def test_a_new_orders_file_reaches_the_next_rerun(folder_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/1_KPIs.py")
    at.run()
    assert not at.exception
    latest = at.session_state["_as_of"]
    assert as_of_caption(at) == f"Data as of {en_date(latest)}"
    assert len(at.toast) == 0 and not [c for c in at.caption if "refreshed" in c.value]
    at.session_state["as_of"] = latest  # the user picked the last day (or a link named it)
    at.run()

    day = add_orders(folder_data, 3)
    assert day > latest
    at.run()
    assert not at.exception
    assert as_of_caption(at) == f"Data as of {en_date(day)}"  # the new version's last day
    assert at.session_state["_as_of"] == day  # the as-of date at the old last day moved on with the data
    assert at.session_state["as_of"] is None
    [toast] = at.toast
    assert "3 orders added" in toast.value and toast.value.startswith("Data refreshed at ")
    notes = [c.value for c in at.sidebar.caption if c.value.startswith("Data refreshed at ")]
    assert notes == [toast.value]
    stamp = next(c.value for c in at.main.caption if "as-of date" in c.value)
    assert f"Data as of {en_date(day)}" in stamp  # the KPI page's own stamp reads the new version too

    at.run()  # the toast is said once; the note stays
    assert len(at.toast) == 0
    assert [c.value for c in at.sidebar.caption if c.value.startswith("Data refreshed at ")] == notes


def test_the_note_in_chinese(folder_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    add_orders(folder_data, 2)
    at.run()
    assert not at.exception
    [toast] = at.toast
    assert toast.value.startswith("数据已于 ") and "新增 2 笔订单" in toast.value


def test_a_session_looks_at_the_files_at_most_every_few_seconds(folder_data, monkeypatch):
    """Within VERSION_CHECK_SECONDS a rerun keeps the version it saw (a stat of every file is cheap, but not free
    on a folder of thousands); the Import page forgets the check after it writes (ui.data_changed)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(ui, "VERSION_CHECK_SECONDS", 3600)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    before = as_of_caption(at)
    day = add_orders(folder_data, 1)
    at.run()
    assert as_of_caption(at) == before and len(at.toast) == 0
    at.session_state["_data_check"] = None  # what ui.data_changed() does
    at.run()
    assert as_of_caption(at) == f"Data as of {en_date(day)}" and len(at.toast) == 1
