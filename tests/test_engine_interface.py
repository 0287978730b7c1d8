"""The engine interface: what a second engine implements, and the DuckDB engine offers."""

from __future__ import annotations

from retention import db
from retention.engine import Engine, SqlEngine


def test_the_duckdb_engine_is_an_sql_engine(sample_dir):
    ds = db.open_dataset(sample_dir)
    eng = db.engine(ds)
    assert isinstance(eng, SqlEngine) and isinstance(eng, Engine)
    assert eng.version == ds.version
    frame = eng.run("overview", {"as_of": eng.meta["default_as_of"], "window": 90, "n_filters": 0,
                                 "filter_pairs": [], "wmap_values": [], "wmap_days": [], "window_by": ""})  # fmt: skip
    assert frame.height == 1 and "buyers" in frame.columns


def test_the_facade_keeps_the_public_names():
    from retention.db import Dataset, Engine, engine, fill, load_sql, open_dataset  # noqa: F401

    for name in ("DATE_COLUMNS", "KNOWN", "REQUIRED", "TABLES", "TableInfo", "data_version", "date_expr",
                 "find_table", "table_files", "warnings", "_PARAM", "_engines"):  # fmt: skip
        assert hasattr(db, name), name
