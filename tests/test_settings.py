"""Settings: defaults from METRICS.md, env parsing, clear errors naming the variable."""

from __future__ import annotations

import pytest

from retention.errors import InputError
from retention.settings import DEFAULT_REASON_CATEGORIES, load_settings
from tests.conftest import run_cli


def test_defaults_follow_metrics_md(monkeypatch):
    for key in list(__import__("os").environ):
        if key.startswith("RETENTION_"):
            monkeypatch.delenv(key)
    s = load_settings(_env_file=None)
    assert (s.window, s.period, s.new_days, s.loyal_min_orders) == (90, "month", 30, 3)
    assert (s.alert_factor, s.attribution_days, s.return_threshold) == (1.5, 30, 0.10)
    # METRICS.md's default map, written out here so a change to the code's map fails this test.
    assert (
        s.reason_categories
        == DEFAULT_REASON_CATEGORIES
        == {
            **dict.fromkeys(
                ["quality", "service", "price", "habit_change", "staff_left", "broken_promise", "channel"],
                "controllable",
            ),
            **dict.fromkeys(["competitor", "no_longer_needed"], "uncontrollable"),
        }
    )
    assert s.timezone == "UTC" and str(s.data_dir) == "data/sample"


def test_maps_from_env(monkeypatch):
    monkeypatch.setenv("RETENTION_WINDOW_BY", "business_type")
    monkeypatch.setenv("RETENTION_WINDOW_MAP", "cafe=30, dental=180")
    monkeypatch.setenv("RETENTION_REASON_CATEGORIES", "Price=controllable,competitor=uncontrollable")
    s = load_settings(_env_file=None)
    assert s.window_map == {"cafe": 30, "dental": 180}
    assert s.reason_categories == {"price": "controllable", "competitor": "uncontrollable"}


@pytest.mark.parametrize(
    "var, value, words",
    [
        ("RETENTION_WINDOW", "abc", "RETENTION_WINDOW"),
        ("RETENTION_WINDOW_MAP", "cafe", "RETENTION_WINDOW_MAP"),
        ("RETENTION_WINDOW_MAP", "cafe=soon", "whole number"),
        ("RETENTION_TIMEZONE", "Mars/Olympus", "time zone"),
        ("RETENTION_PERIOD", "year", "RETENTION_PERIOD"),
        ("RETENTION_REASON_CATEGORIES", "price=maybe", "controllable"),
        ("RETENTION_CURRENCY", "dollars", "currency"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, var, value, words):
    monkeypatch.setenv(var, value)
    with pytest.raises(InputError) as exc:
        load_settings(_env_file=None)
    assert var in str(exc.value) and words in str(exc.value)


def test_cli_bad_setting_exits_2(tmp_path):
    res = run_cli("cohorts", "--data", tmp_path, env={"RETENTION_WINDOW": "-3"})
    assert res.returncode == 2 and "RETENTION_WINDOW" in res.stderr and "Traceback" not in res.stderr


def _clean_env(monkeypatch):
    for key in list(__import__("os").environ):
        if key.startswith("RETENTION_"):
            monkeypatch.delenv(key)


def test_engine_settings(monkeypatch):
    _clean_env(monkeypatch)
    s = load_settings(_env_file=None)
    assert (s.engine, s.spark_master, s.spark_remote, s.spark_conf) == ("duckdb", "local[*]", None, {})
    monkeypatch.setenv("RETENTION_ENGINE", "spark")
    monkeypatch.setenv("RETENTION_SPARK_CONF", "spark.executor.memory=4g, spark.sql.shuffle.partitions=64")
    s = load_settings(_env_file=None)
    assert s.engine == "spark"
    assert s.spark_conf == {"spark.executor.memory": "4g", "spark.sql.shuffle.partitions": "64"}
    monkeypatch.setenv("RETENTION_SPARK_REMOTE", "sc://spark.example.com:15002")
    assert load_settings(_env_file=None).spark_remote == "sc://spark.example.com:15002"


@pytest.mark.parametrize(
    "env, words",
    [
        ({"RETENTION_ENGINE": "oracle"}, ["RETENTION_ENGINE", "duckdb", "spark"]),
        ({"RETENTION_SPARK_CONF": "spark.executor.memory=4g,oops"}, ["RETENTION_SPARK_CONF", "'oops'", "key=value"]),
        ({"RETENTION_SPARK_CONF": "=4g"}, ["RETENTION_SPARK_CONF", "'=4g'"]),
        ({"RETENTION_SPARK_REMOTE": "spark.example.com"}, ["RETENTION_SPARK_REMOTE", "sc://"]),
        # a Connect URL and an explicit master are two places to run: refused, naming both
        (
            {"RETENTION_SPARK_REMOTE": "sc://h:15002", "RETENTION_SPARK_MASTER": "local[2]"},
            ["RETENTION_SPARK_REMOTE", "RETENTION_SPARK_MASTER", "only one"],
        ),
    ],
)
def test_bad_engine_settings_are_named(monkeypatch, env, words):
    _clean_env(monkeypatch)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(InputError) as exc:
        load_settings(_env_file=None)
    assert all(w in str(exc.value) for w in words), str(exc.value)


def test_cli_engine_option(tmp_path):
    res = run_cli("status", "--data", tmp_path, "--engine", "oracle")
    assert res.returncode == 2 and "--engine" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("status", "--data", tmp_path, env={"RETENTION_SPARK_CONF": "nonsense"})
    assert res.returncode == 2 and "RETENTION_SPARK_CONF" in res.stderr and "Traceback" not in res.stderr


def test_remote_locations_stay_urls(monkeypatch):
    """A URL Spark reads keeps its `//` (a Path would fold it); a local folder is a Path as before."""
    from pathlib import Path

    _clean_env(monkeypatch)
    monkeypatch.setenv("RETENTION_DATA_DIR", "hdfs:///shop/data")
    monkeypatch.setenv("RETENTION_CACHE_DIR", "s3a://bucket/cache")
    s = load_settings(_env_file=None)
    assert (s.data_dir, s.cache_dir) == ("hdfs:///shop/data", "s3a://bucket/cache")
    monkeypatch.setenv("RETENTION_DATA_DIR", "data/shop")
    monkeypatch.delenv("RETENTION_CACHE_DIR")
    s = load_settings(_env_file=None)
    assert s.data_dir == Path("data/shop") and isinstance(s.data_dir, Path) and s.cache_dir is None


def test_duckdb_refuses_a_url_clearly():
    res = run_cli("status", "--data", "s3a://bucket/shop", "--engine", "duckdb")
    assert res.returncode == 2 and "s3a://bucket/shop" in res.stderr and "spark" in res.stderr
    assert "Traceback" not in res.stderr
