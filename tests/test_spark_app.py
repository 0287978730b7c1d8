"""The app with its data at a URL (hdfs://, s3a://: a location only Spark reads, settings.location): DuckDB says
to use Spark; Spark that cannot list the folder says why (the missing file system connector), as an error
on the page, not an exception. The pages on Spark over a local folder: tests/test_spark_browser.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from retention.settings import get_settings
from tests.conftest import ROOT


@pytest.fixture
def url_data(monkeypatch):
    monkeypatch.setenv("RETENTION_DATA_DIR", "s3a://retention-test-bucket/data")
    monkeypatch.setenv("RETENTION_SPARK_MASTER", "local[2]")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def errors_of(engine: str, monkeypatch) -> list[str]:
    monkeypatch.setenv("RETENTION_ENGINE", engine)
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception[0].value
    return [e.value for e in at.error]


def test_data_at_a_url_on_duckdb_says_to_use_spark(url_data, monkeypatch):
    (message,) = errors_of("duckdb", monkeypatch)
    assert "s3a://retention-test-bucket/data is a URL" in message and "RETENTION_ENGINE=spark" in message


@pytest.mark.spark
def test_data_at_a_url_spark_cannot_list_says_why(url_data, monkeypatch):
    (message,) = errors_of("spark", monkeypatch)
    assert "s3a://retention-test-bucket/data: Spark cannot list this data folder" in message
    assert "S3AFileSystem not found" in message  # no hadoop-aws connector here: the cause is named


def test_import_page_with_data_at_a_url_writes_nothing(url_data, monkeypatch):
    monkeypatch.setenv("RETENTION_ENGINE", "spark")
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "pages" / "10_Import.py"), default_timeout=300)
    at.run()
    assert not at.exception and not at.error
    assert "s3a://retention-test-bucket/data" in at.info[0].value and not at.get("file_uploader")
