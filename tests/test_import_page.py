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


def _import_page(monkeypatch, data):
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_DATA_DIR", str(data))
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/10_Import.py")
    at.run()
    return at


def test_a_shopify_upload_is_recognised_previewed_and_imported(monkeypatch, tmp_path):
    from retention.settings import get_settings
    from tests.test_presets import SHOPIFY, orders_of

    data = tmp_path / "data"
    at = _import_page(monkeypatch, data)
    at.get("file_uploader")[0].set_value(("orders_export_1.csv", SHOPIFY.encode(), "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="import_preset_shopify").value == "shopify"
    assert any("Shopify Orders export" in s.value for s in at.success)
    preview = at.dataframe[0].value
    assert list(preview["refund"]) == [False, False, True]
    assert preview["order_date"].astype(str).tolist() == ["2024-01-05", "2024-02-02", "2024-02-02"]
    assert [m.value for m in at.metric] == ["6", "2", "1", "1", "1"]
    assert "preset: shopify" in at.code[0].value
    assert not (data / "orders.parquet").exists()  # the preview writes nothing
    at.button(key="import_run").click().run()
    assert not at.exception
    assert any("3 rows from" in s.value for s in at.success)
    assert [r[3] for r in orders_of(data)] == ["#1001", "#1004-refund", "#1004"]
    get_settings.cache_clear()


def test_an_ambiguous_upload_offers_both_readings(monkeypatch, tmp_path):
    from retention.settings import get_settings

    at = _import_page(monkeypatch, tmp_path / "data")
    text = "customer_id,ordered_at,amount\na,03/04/2024,1\nb,11/12/2023,2\n"
    at.get("file_uploader")[0].set_value(("till.csv", text.encode(), "text/csv"))
    at.run()
    assert not at.exception
    assert "03/04/2024" in at.warning[0].value
    radio = at.radio[0]
    assert radio.options == ["3 Apr 2024 (%d/%m/%Y)", "4 Mar 2024 (%m/%d/%Y)"]
    radio.set_value("%m/%d/%Y").run()
    assert not at.exception and not at.warning
    assert at.dataframe[0].value["ordered_at"].astype(str).tolist() == ["2024-03-04", "2023-11-12"]
    get_settings.cache_clear()


def test_a_refused_upload_names_file_column_and_example(monkeypatch, tmp_path):
    from retention.settings import get_settings

    at = _import_page(monkeypatch, tmp_path / "data")
    at.get("file_uploader")[0].set_value(
        ("bad.csv", b"customer_id,ordered_at,amount\na,2024-01-05,12,50\n", "text/csv")
    )
    at.run()
    assert not at.exception
    assert "bad.csv, line 2: 4 fields" in at.error[0].value
    text = b"customer_id;ordered_at;amount\na;2024-01-05;12,50\n"
    at.get("file_uploader")[0].set_value(("bad.csv", text, "text/csv"))
    at.run()
    message = at.error[0].value
    assert "bad.csv, column 'amount': 1 row; example: '12,50'; expected a number with a dot" in message
    assert "--decimal-comma" in message
    at.toggle(key="import_decimal_comma").set_value(True).run()
    assert not at.error and at.dataframe[0].value["amount"].tolist() == [12.5]
    get_settings.cache_clear()


def test_own_columns_instead_of_the_detected_preset(monkeypatch, tmp_path):
    from retention.settings import get_settings
    from tests.test_presets import SHOPIFY

    at = _import_page(monkeypatch, tmp_path / "data")
    at.get("file_uploader")[0].set_value(("orders_export_1.csv", SHOPIFY.encode(), "text/csv"))
    at.run()
    at.selectbox(key="import_preset_shopify").set_value("").run()
    assert not at.exception
    guesses = {
        name: at.selectbox(key=f"import_map_orders_{name}").value
        for name in ("customer_id", "ordered_at", "amount", "order_id")
    }
    assert guesses == {"customer_id": "Email", "ordered_at": "Created at", "amount": "Total", "order_id": "Id"}
    # Read row by row, the guest checkout has no customer: refused, naming the file's column.
    assert "column 'customer_id (file column Email)': 1 row" in at.error[0].value
    get_settings.cache_clear()
