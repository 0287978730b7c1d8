"""AppTest of the Import page: works with broken data, shows preview, mapping, history."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def test_import_page_renders_even_when_data_is_broken(monkeypatch, tmp_path):
    from retention.settings import get_settings

    (tmp_path / "orders.parquet").write_text("not parquet")
    monkeypatch.setenv("RETENTION_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert at.error  # the overview explains the broken file
    at.switch_page("pages/10_Import.py")
    at.run()
    assert not at.exception
    assert at.title[0].value == "Import data"
    assert at.selectbox(key="import_table").value == "orders"
    get_settings.cache_clear()


def test_history_lists_kept_versions(monkeypatch, tmp_path, sample_dir):
    from retention.importer import import_file
    from retention.settings import get_settings

    data = tmp_path / "data"
    shutil.copytree(sample_dir, data)
    csv = tmp_path / "c.csv"
    csv.write_text("customer_id,region\nC000001,North\nC000002,South\n")
    import_file(csv, "customers", data, {}, "UTC")
    monkeypatch.setenv("RETENTION_DATA_DIR", str(data))
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/10_Import.py")
    at.run()
    at.selectbox(key="import_table").set_value("customers").run()
    assert not at.exception
    assert any(b.key and b.key.startswith("restore_customers_") for b in at.button)
    get_settings.cache_clear()
