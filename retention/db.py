"""The SQL layer's front door: open a data folder (`open_dataset`) and get its engine (`engine(ds)`).

A data folder is opened once per data version (file sizes and mtimes) and time zone: the raw tables
become views, the input rules are checked (retention/validate.py), and the per-customer base tables are
built (retention/base.py) or read from their cache file, then kept in a small registry shared by every
report, page and session. The jobs live apart, and this module re-exports their public names:

    retention/tables.py    the four tables, allow-lists, files, data version, Dataset, TableInfo
    retention/sqltext.py   quoting, {{fragments}}, $params, date and amount expressions
    retention/sqlfiles.py  loading sql/NAME.sql with its checked includes (load_sql, params_used)
    retention/engine.py    SqlEngine (the interface), Engine (DuckDB: connection, cursors, run)
    retention/base.py      the base tables and their cache files
    retention/refresh.py   the base brought up to date when order files are only appended
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from pathlib import Path

from retention import refresh, results, validate
from retention.base import BASE_TABLES, cache_dirs, cache_file, load_cache, save_cache
from retention.engine import Engine, SqlEngine
from retention.errors import DataError, InputError
from retention.sqlfiles import SQL_DIR, load_sql, params_used
from retention.sqltext import PARAM as _PARAM
from retention.sqltext import date_expr, fill, ident, lit, number_expr
from retention.tables import (
    DATE_COLUMNS,
    KNOWN,
    REQUIRED,
    TABLES,
    Dataset,
    TableInfo,
    data_version,
    find_table,
    folder_dataset,
    table_files,
)

__all__ = [
    "BASE_TABLES", "DATE_COLUMNS", "KNOWN", "REQUIRED", "SQL_DIR", "TABLES", "Dataset", "Engine", "SqlEngine",
    "TableInfo", "cache_dirs", "cache_file", "data_version", "date_expr", "engine", "fill", "find_table", "ident",
    "lit", "load_sql", "number_expr", "open_dataset", "params_used", "table_files", "warnings",
    "_PARAM",
]  # fmt: skip

# -- the registry of open datasets --------------------------------------------------------------

_engines: OrderedDict[Dataset, SqlEngine] = OrderedDict()
_engines_lock = threading.Lock()
_MAX_ENGINES = 2


def open_dataset(
    data_dir: Path | str,
    timezone: str = "UTC",
    today: dt.date | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    strict: bool = False,
    engine_name: str | None = None,
    **engine_opts,
) -> Dataset:
    """Open (or reuse) the engine for the current version of data_dir; raise InputError on bad data.

    The base tables are built once per data version and time zone and kept in a DuckDB file (beside the
    data, or in RETENTION_CACHE_DIR), so the next process or server start reads them instead of the orders.

    A broken optional table (customers, churn_reasons, contacts) does not stop the reports that do not use it:
    it is left out (treated as absent) and its problems are kept in meta["dropped"] (table -> message), which
    `warnings(ds)` lists. `strict` refuses any broken table instead (validate.summarize checks the files itself).

    `engine_name` (default: the setting RETENTION_ENGINE) "spark" opens it on Spark instead (_open_spark).
    """
    if (engine_name or _configured_engine()) == "spark":
        return _open_spark(str(data_dir), timezone, today, cache_dir, use_cache, strict)
    if isinstance(data_dir, str) and "://" in data_dir and not data_dir.startswith("file://"):
        raise InputError(
            f"{data_dir} is a URL; DuckDB reads local folders only. Set RETENTION_ENGINE=spark (or --engine spark) "
            "to read it with Spark, or copy the data to a local folder."
        )
    data_dir = Path(data_dir)
    ds = folder_dataset(data_dir, timezone)
    with _engines_lock:
        if _reuse(ds, use_cache, strict):
            return ds
        folders = cache_dirs(data_dir, cache_dir) if use_cache else []
        engine = load_cache(ds, folders, lambda path: Engine(ds, database=path, **engine_opts))
        if engine is None and folders:
            # Only order files appended since a cached base: compute the customers with new rows (refresh.py).
            engine = refresh.refresh_base(
                ds, folders, today or validate.today_in(timezone),
                lambda path: Engine(ds, database=path, **engine_opts), strict=strict, **engine_opts,
            )  # fmt: skip
        if engine is None:
            engine = Engine(ds, **engine_opts)
            engine.attach_sources(lenient=not strict)
            problems = validate.check(engine, today or validate.today_in(timezone))
            if problems:
                _drop_broken_optional(engine, problems, strict)
            engine.build_base()
            engine.meta["dropped"] = dict(engine.dropped)
            if folders:
                engine.saved_to = save_cache(engine, folders)
        cache_path = engine.loaded_from or engine.saved_to
        # The stored query results of this base (retention/results.py), beside its cache file.
        engine.results_dir = results.folder_for(cache_path) if cache_path is not None else None
        _register(ds, engine)
    return ds


def _reuse(ds: Dataset, use_cache: bool, strict: bool) -> bool:
    """Whether the open engine of ds (if any) serves this call (marked most recently used); under the lock.
    Without the cache the caller wants the raw tables checked (validate): an engine read from a cache has none."""
    engine = _engines.get(ds)
    if engine is not None and (use_cache or engine.tables) and not (strict and engine.meta.get("dropped")):
        _engines.move_to_end(ds)
        return True
    return False


def _register(ds: Dataset, engine: SqlEngine) -> None:
    """Keep the engine of ds, dropping the least recently used beyond _MAX_ENGINES; under the lock."""
    _engines[ds] = engine
    while len(_engines) > _MAX_ENGINES:
        _engines.popitem(last=False)


def _configured_engine() -> str:
    from retention.settings import get_settings

    return get_settings().engine


def _open_spark(
    data_dir: str, timezone: str, today: dt.date | None, cache_dir: object, use_cache: bool, strict: bool
) -> Dataset:
    """Open (or reuse) a data folder on Spark (retention/spark_engine.py): the base tables as Parquet under the
    cache location (RETENTION_CACHE_DIR, else beside the data), read by the next process.

    The input rules are checked by DuckDB over the same files when the folder is local (the same messages
    and the same optional tables left out as on DuckDB). A remote folder (hdfs://, s3a://) is not validated
    here: Spark reads it as it is, a table it cannot read stops (orders) or is left out (the others); check
    a copy with `python -m retention validate` before pointing the dashboard at it.
    """
    from retention import spark_engine

    ds = spark_engine.dataset(data_dir, timezone)
    with _engines_lock:
        if _reuse(ds, use_cache, strict):
            return ds
        cache = str(cache_dir) if cache_dir is not None else spark_engine.default_cache_dir(data_dir)
        eng = spark_engine.load_cache(ds, cache, data_dir) if use_cache else None
        if eng is None:
            eng = spark_engine.SparkEngine(ds, data_dir)
            keep = None
            local = spark_engine.local_path(data_dir)
            if local is not None:
                checker = Engine(folder_dataset(local, timezone))
                checker.attach_sources(lenient=not strict)
                problems = validate.check(checker, today or validate.today_in(timezone))
                if problems:
                    _drop_broken_optional(checker, problems, strict)
                keep, eng.dropped = set(checker.tables), dict(checker.dropped)
                checker.con.close()
            eng.attach_sources(only=keep)
            eng.build_base(cache if use_cache else None)
            eng.meta["dropped"] = dict(eng.dropped)
        _register(ds, eng)
    return ds


def _drop_broken_optional(engine: Engine, problems: list, strict: bool) -> None:
    """Leave out the optional tables that break input rules, or raise DataError when a required table does
    (or when `strict`)."""
    table_of = {str(info.path): name for name, info in engine.tables.items()}
    by_table: dict[str, list] = {}
    for p in problems:
        by_table.setdefault(table_of.get(p.file, "orders"), []).append(p)
    if strict or "orders" in by_table:
        raise DataError(problems)
    for name, table_problems in by_table.items():
        engine.con.execute(f"drop view if exists src_{name}")
        del engine.tables[name]
        engine.dropped[name] = DataError(table_problems).problems_text()


def warnings(ds: Dataset) -> list[str]:
    """One message per optional table left out of this dataset because it is broken."""
    dropped = engine(ds).meta.get("dropped") or {}
    return [
        f"The {name} table is left out (reports treat it as absent) because it cannot be used: {message} "
        f"Fix or re-import it; `python -m retention validate` lists every problem."
        for name, message in dropped.items()
    ]


def engine(ds: Dataset) -> Engine:  # or a SparkEngine: the same SqlEngine interface
    try:
        return _engines[ds]
    except KeyError:
        raise InputError(f"The data in {ds.data_dir} changed or was closed; reload the page.") from None
