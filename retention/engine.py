"""The engine: one DuckDB database per data version, with a cursor per thread, running the named SQL files of
retention/sql with $named parameters into polars frames. `SqlEngine` is the interface every engine offers
(a second engine, Spark say, implements the same four things); `Engine` is the DuckDB one.

Each thread gets its own cursor, since a DuckDB connection holding an unfinished result refuses the next query.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import duckdb

from retention import base
from retention.errors import InputError
from retention.sqlfiles import load_sql, params_used
from retention.sqltext import fill, first_line, params_of
from retention.tables import TABLES, Dataset, TableInfo, file_manifest, find_table, table_files, type_kind

if TYPE_CHECKING:  # polars is imported where a frame is made (sql), not on a stored first page's path
    import polars as pl


@runtime_checkable
class SqlEngine(Protocol):
    """What reports need of an engine: run a named query, build the base tables, say which data it holds."""

    ds: Dataset
    meta: dict[str, object]  # default_as_of, first_order_date, attributes, optional, has_cost, dropped

    @property
    def version(self) -> str:
        """The data version (retention.tables.data_version) the engine holds."""
        ...

    def run(self, name: str, params: dict | None = None, **fragments: str) -> pl.DataFrame:
        """retention/sql/NAME.sql with the $params it uses (and allow-listed {{fragments}}) as a polars frame."""
        ...

    def build_base(self) -> None:
        """Materialise the base tables (ids, days, pdays, ...: CONTRIBUTING.md) and fill `meta`."""
        ...


class Engine:
    """One in-memory DuckDB database per dataset version, with a cursor per thread."""

    def __init__(
        self,
        ds: Dataset,
        memory_limit: str = "8GB",
        threads: int | None = None,
        temp_dir: Path | None = None,
        database: Path | None = None,
    ):
        self.ds = ds
        self.data_dir = Path(ds.data_dir)
        config = {"memory_limit": memory_limit, "preserve_insertion_order": "false"}
        if threads:
            config["threads"] = str(threads)
        if temp_dir:
            config["temp_directory"] = str(temp_dir)
        # A cached base is opened read-only: many processes may read it at once.
        self.con = duckdb.connect(
            str(database) if database else ":memory:", read_only=database is not None, config=config
        )
        # Global so every cursor (one per thread) parses and converts dates in the configured zone.
        self.con.execute("set global TimeZone = $tz", {"tz": ds.timezone})
        self._local = threading.local()
        self._lock = threading.Lock()
        self.tables: dict[str, TableInfo] = {}
        self.meta: dict[str, object] = {}
        # Optional tables left out because they are broken: table -> the message (open_dataset, lenient).
        self.dropped: dict[str, str] = {}
        # The cache file the base was read from (retention/base.py load_cache); None when built here.
        self.loaded_from: Path | None = None
        # The cache file this process wrote the base to (db.open_dataset), and the store of query results
        # beside the base's cache file (retention/results.py); None without a cache.
        self.saved_to: Path | None = None
        self.results_dir: Path | None = None

    # -- running SQL -------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cur = cur
        return cur

    def sql(self, query: str, params: dict | None = None) -> pl.DataFrame:
        """Run SQL text with $named parameters (only those the text uses are passed) into polars."""
        used = params_of(query)
        given = {k: v for k, v in (params or {}).items() if k in used}
        missing = used - given.keys()
        if missing:
            raise ValueError(f"SQL parameters not given: {sorted(missing)}")
        import polars as pl  # here, not on import: opening a cached base reads its meta without polars

        # Through the Arrow C stream: the same frame as `.pl()` without importing pyarrow (0.15 s a process).
        return pl.DataFrame(self.cursor().sql(query, params=given or None))

    def run(self, name: str, params: dict | None = None, **fragments: str) -> pl.DataFrame:
        """Run retention/sql/NAME.sql; `fragments` fill {{placeholders}} with allow-listed SQL only.

        Without segment filters and window map the scope steps need no joins: the same CTEs come from
        _scope_all.sql (a mechanism for every report, so no report special-cases it); a window map counts only
        for a query whose steps read W.
        """
        text = load_sql(name)
        p = params or {}
        if p.get("n_filters", 1) == 0 and (not p.get("wmap_values", [None]) or "wmap_values" not in params_used(name)):
            text = load_sql(name, scope="_scope_all")
        return self.sql(fill(text, fragments), params)

    def execute(self, query: str, params: dict | None = None) -> None:
        used = params_of(query)
        self.cursor().execute(query, {k: v for k, v in (params or {}).items() if k in used} or None)

    # -- loading -------------------------------------------------------------------------------

    def attach_sources(self, lenient: bool = False) -> None:
        """Register each present table as a view `src_NAME` and read its schema.

        `lenient`: an optional table that cannot be read is left out, its error kept in `self.dropped`.
        """
        for name in TABLES:
            path = find_table(self.data_dir, name)
            if path is None:
                continue
            files = [str(f) for f in table_files(path)]
            if not files:
                continue
            try:
                try:
                    rel = self.con.read_parquet(files, hive_partitioning=path.is_dir(), union_by_name=True)
                    rel.create_view(f"src_{name}", replace=True)
                    described = self.con.sql(f"describe select * from src_{name}").fetchall()
                except duckdb.Error as exc:
                    raise InputError(
                        f"{path}: cannot be read as Parquet ({first_line(exc)}). Expected a Parquet file, or a "
                        f"folder of Parquet files, for table '{name}'. Convert CSV files with "
                        "`python -m retention import`."
                    ) from None
                if len(files) > 1:
                    self._check_file_types(name, path, files)
            except InputError as exc:
                if not lenient or name == "orders":
                    raise
                self.con.execute(f"drop view if exists src_{name}")
                self.dropped[name] = str(exc)
                continue
            self.tables[name] = TableInfo(name, path, {row[0]: row[1] for row in described})

    def _check_file_types(self, name: str, path: Path, files: list[str]) -> None:
        """The files of one table folder must agree on each column's kind (customer_id excepted: ids of
        mixed types are read as text). A union would turn a number column holding text in one file into
        text everywhere, so it is refused, naming the column and two files that disagree."""
        family = {"integer": "number", "decimal": "number", "float": "number", "null": None}
        seen: dict[str, tuple[str, str, str]] = {}  # column -> (family, type, file)
        for f in files:
            try:
                rel = self.con.read_parquet(f)
            except duckdb.Error as exc:
                raise InputError(f"{f}: cannot be read as Parquet ({first_line(exc)}) in table '{name}'.") from None
            for column, duck_type in zip(rel.columns, rel.types, strict=True):
                if column == "customer_id":
                    continue
                kind = family.get(type_kind(str(duck_type)), type_kind(str(duck_type)))
                if kind is None:
                    continue
                if column not in seen:
                    seen[column] = (kind, str(duck_type), f)
                elif seen[column][0] != kind:
                    first_kind, first_type, first_file = seen[column]
                    raise InputError(
                        f"{path}, column '{column}': the files of the folder disagree on its type ({first_type} in "
                        f"{first_file}, {duck_type} in {f}); expected one type in every file (rewrite or re-import "
                        "the file that differs with `python -m retention import`)."
                    )

    def build_base(self) -> None:
        """Materialise the base tables every report reads (once per dataset version): retention/base.py; the
        meta keeps the file manifest a later refresh compares with (retention/refresh.py)."""
        self.meta["manifest"] = file_manifest(self.data_dir)
        base.build_base(self)

    def order_files(self, path: Path) -> tuple[str, dict]:
        """base_ids.sql's {{order_files}} (the order rows with their file's place, oldest file first) and its
        $params: DuckDB's file_index over the files in tables.ranked_files order."""
        return base.ORDER_FILES_SQL, base.order_file_params(path)

    @property
    def version(self) -> str:
        return self.ds.version
