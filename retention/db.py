"""The only module that runs SQL: DuckDB over the Parquet tables of a data folder, results as polars.

A data folder is opened once per data version (file sizes and mtimes) and time zone: the raw tables
become views, the input rules are checked, and the per-customer base tables (ids, purchase days with
their neighbours, attributes, reasons, contacts) are materialised once and shared by every report,
page and session. Each thread gets its own cursor, since a DuckDB connection holding an unfinished
result refuses the next query.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from retention.errors import InputError

SQL_DIR = Path(__file__).parent / "sql"
TABLES = ("orders", "customers", "churn_reasons", "contacts")
REQUIRED = {
    "orders": ("customer_id", "ordered_at"),
    "customers": ("customer_id",),
    "churn_reasons": ("customer_id", "churned_at"),
    "contacts": ("customer_id", "contacted_at", "campaign"),
}
# Columns with a fixed meaning; every other customers column is a segment attribute.
KNOWN = {
    "orders": ("customer_id", "ordered_at", "amount", "order_id", "cost"),
    "customers": ("customer_id", "signed_up_at"),
    "churn_reasons": ("customer_id", "churned_at", "reason", "category", "source", "comment"),
    "contacts": ("customer_id", "contacted_at", "campaign", "channel", "cost", "group"),
}
DATE_COLUMNS = {
    "orders": "ordered_at",
    "customers": "signed_up_at",
    "churn_reasons": "churned_at",
    "contacts": "contacted_at",
}
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_INCLUDE = re.compile(r"^--\s*include:\s*(\S+\.sql)\s*$", re.M)


def find_table(data_dir: Path, name: str) -> Path | None:
    """A table is NAME.parquet or a folder NAME/ of Parquet files (hive partitions allowed)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}")
    file = data_dir / f"{name}.parquet"
    if file.is_file():
        return file
    folder = data_dir / name
    if folder.is_dir():
        return folder
    return None


def table_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))


def data_version(data_dir: Path) -> str:
    """A fingerprint of the data folder: changes whenever a table file is added, removed or rewritten. File
    names count relative to the folder, so the same folder named by a relative or an absolute path (the CLI
    and the app) shares one base cache."""
    h = hashlib.sha1()
    for name in TABLES:
        path = find_table(data_dir, name)
        if path is None:
            continue
        for f in table_files(path):
            st = f.stat()
            h.update(f"{f.relative_to(data_dir)}|{st.st_size}|{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=256)
def load_sql(name: str, scope: str = "_scope") -> str:
    """Read retention/sql/NAME.sql, replacing `-- include: _x.sql` lines by that file's CTEs
    (`_scope.sql` by the file named by `scope`)."""
    text = (SQL_DIR / f"{name}.sql").read_text()

    def include(m: re.Match) -> str:
        inc = m.group(1)[:-4]
        return load_sql(scope if inc == "_scope" else inc, scope).strip()

    return _INCLUDE.sub(include, text)


def date_expr(column: str, duck_type: str, timezone: str | None = None) -> str:
    """SQL turning an allow-listed date column into the calendar date in the session's time zone.

    A timestamp with a zone is converted to the configured zone (the session TimeZone); one without a
    zone is taken as already in it; ISO-8601 text is parsed the same way (with an offset: converted).
    In UTC a zoned timestamp's day is plain arithmetic on its epoch, five times faster than the
    calendar conversion (it matters at ten million orders).
    """
    if column not in DATE_COLUMNS.values():
        raise ValueError(f"not a date column: {column!r}")
    q = f'"{column}"'
    t = duck_type.upper()
    if t == "DATE":
        return q
    if t.startswith("TIMESTAMP WITH TIME ZONE"):
        if timezone == "UTC":
            return f"(date '1970-01-01' + cast(floor(epoch_us({q}) / 86400000000.0) as integer))"
        return f"cast({q} as date)"
    if t.startswith("TIMESTAMP"):
        return f"cast({q} as date)"
    if t == "VARCHAR":
        return f"cast(try_cast({q} as timestamptz) as date)"
    return "cast(null as date)"


@dataclass
class TableInfo:
    name: str
    path: Path
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def attributes(self) -> list[str]:
        return [c for c in self.columns if c not in KNOWN[self.name]]


@dataclass(frozen=True)
class Dataset:
    """A handle on one version of a data folder: hashable, so cached report functions key on it."""

    data_dir: str
    version: str
    timezone: str


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

    # -- running SQL -------------------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cur = cur
        return cur

    def sql(self, query: str, params: dict | None = None) -> pl.DataFrame:
        """Run SQL text with $named parameters (only those the text uses are passed) into polars."""
        used = set(_PARAM.findall(query))
        given = {k: v for k, v in (params or {}).items() if k in used}
        missing = used - given.keys()
        if missing:
            raise ValueError(f"SQL parameters not given: {sorted(missing)}")
        # Through the Arrow C stream: the same frame as `.pl()` without importing pyarrow (0.15 s a process).
        return pl.DataFrame(self.cursor().sql(query, params=given or None))

    def run(self, name: str, params: dict | None = None, **fragments: str) -> pl.DataFrame:
        """Run retention/sql/NAME.sql; `fragments` fill {{placeholders}} with allow-listed SQL only.

        Without segment filters and window map the scope steps need no joins: the same CTEs come from
        _scope_all.sql (a mechanism for every report, so no report special-cases it).
        """
        text = load_sql(name)
        p = params or {}
        if p.get("n_filters", 1) == 0 and not p.get("wmap_values", [None]):
            text = load_sql(name, scope="_scope_all")
        return self.sql(fill(text, fragments), params)

    def execute(self, query: str, params: dict | None = None) -> None:
        used = set(_PARAM.findall(query))
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
                        f"{path}: cannot be read as Parquet ({_first_line(exc)}). Expected a Parquet file, or a "
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
        from retention.validate import type_kind  # late: validate uses this module

        family = {"integer": "number", "decimal": "number", "float": "number", "null": None}
        seen: dict[str, tuple[str, str, str]] = {}  # column -> (family, type, file)
        for f in files:
            try:
                rel = self.con.read_parquet(f)
            except duckdb.Error as exc:
                raise InputError(f"{f}: cannot be read as Parquet ({_first_line(exc)}) in table '{name}'.") from None
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
        """Materialise the base tables every report reads (once per dataset version)."""
        orders = self.tables["orders"]
        frag = {
            "order_date": date_expr("ordered_at", orders.columns["ordered_at"], self.ds.timezone),
            "amount": _amount_expr(orders.columns.get("amount")),
            "cost": _amount_expr(orders.columns.get("cost"), "cost"),
        }
        customers = self.tables.get("customers")
        reasons = self.tables.get("churn_reasons")
        contacts = self.tables.get("contacts")
        frag["customer_ids"] = "union all select cast(customer_id as varchar) from src_customers" if customers else ""
        frag["reason_ids"] = "union all select cast(customer_id as varchar) from src_churn_reasons" if reasons else ""
        frag["contact_ids"] = "union all select cast(customer_id as varchar) from src_contacts" if contacts else ""
        self.execute(fill(load_sql("base_ids"), frag))
        self.execute(fill(load_sql("base_days"), frag))
        self.execute(fill(load_sql("base_pdays"), frag))
        self.execute(load_sql("base_cohort_days"))
        if customers:
            cols = customers.columns
            signed = (
                date_expr("signed_up_at", cols["signed_up_at"], self.ds.timezone)
                if "signed_up_at" in cols
                else "cast(null as date)"
            )
            self.execute(fill(load_sql("base_customers"), {"signed_up_date": signed}))
            attrs = customers.attributes
            if attrs:
                unions = " union all ".join(
                    f"select cid, {_lit(a)} as attribute, cast({_q(a)} as varchar) as value from src_customers_k"
                    for a in attrs
                )
                self.execute(fill(load_sql("base_attrs"), {"unions": unions}))
            else:
                self.execute(load_sql("base_attrs_empty"))
        else:
            self.execute(load_sql("base_customers_empty"))
            self.execute(load_sql("base_attrs_empty"))
        if reasons:
            cols = reasons.columns
            self.execute(
                fill(
                    load_sql("base_reasons"),
                    {
                        "churned_date": date_expr("churned_at", cols["churned_at"], self.ds.timezone),
                        "reason": _text_or_null("reason", cols),
                        "category": _text_or_null("category", cols),
                        "source": _text_or_null("source", cols),
                        "comment": _text_or_null("comment", cols),
                    },
                )
            )
        else:
            self.execute(load_sql("base_reasons_empty"))
        if contacts:
            cols = contacts.columns
            self.execute(
                fill(
                    load_sql("base_contacts"),
                    {
                        "contacted_date": date_expr("contacted_at", cols["contacted_at"], self.ds.timezone),
                        "channel": _text_or_null("channel", cols),
                        "cost": "coalesce(try_cast(cost as double), 0)" if "cost" in cols else "cast(0 as double)",
                        "group": "coalesce(nullif(lower(trim(cast(\"group\" as varchar))), ''), 'treatment')"
                        if "group" in cols
                        else "'treatment'",
                    },
                )
            )
        else:
            self.execute(load_sql("base_contacts_empty"))
        meta = self.sql(load_sql("base_meta")).row(0, named=True)
        self.meta.update(meta)
        self.meta["attributes"] = customers.attributes if customers else []
        self.meta["optional"] = {n: n in self.tables for n in TABLES}
        # Profit uses the orders' own cost where there is one (METRICS.md "Inputs", Profit).
        self.meta["has_cost"] = "cost" in orders.columns


def fill(text: str, fragments: dict[str, str]) -> str:
    for key, value in fragments.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled SQL placeholder in: {text[text.index('{{') :][:40]}")
    return text


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _lit(name: str) -> str:
    """A column name (from the table's own schema) as an SQL string literal."""
    return "'" + name.replace("'", "''") + "'"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


def _amount_expr(duck_type: str | None, column: str = "amount") -> str:
    """An allow-listed number column of orders (amount, cost) as DOUBLE; null when the table has none."""
    if column not in ("amount", "cost"):
        raise ValueError(f"not a number column of orders: {column!r}")
    if duck_type is None:
        return "cast(null as double)"
    if duck_type.upper() == "VARCHAR":
        return f"try_cast(nullif(trim({column}), '') as double)"
    return f"cast({column} as double)"


def _text_or_null(column: str, columns: dict[str, str]) -> str:
    if column not in columns:
        return "cast(null as varchar)"
    return f"nullif(trim(cast({_q(column)} as varchar)), '')"


# -- the registry of open datasets --------------------------------------------------------------

_engines: OrderedDict[Dataset, Engine] = OrderedDict()
_engines_lock = threading.Lock()
_MAX_ENGINES = 2


BASE_TABLES = ("ids", "days", "pdays", "cohort_days", "customers_k", "attrs", "reasons", "contacts")
_KEEP_CACHES = 2


@lru_cache(maxsize=1)
def _base_fingerprint() -> str:
    """A hash of how the base is built, so a changed base SQL never reads an old cache."""
    h = hashlib.sha1()
    for f in sorted(SQL_DIR.glob("base_*.sql")):
        h.update(f.read_bytes())
    return h.hexdigest()[:8]


def cache_dirs(data_dir: Path, cache_dir: Path | None) -> list[Path]:
    """Where the base cache may live: the configured folder, else beside the data, else the user's cache."""
    if cache_dir is not None:
        return [Path(cache_dir)]
    key = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:12]
    return [data_dir / ".retention-cache", Path.home() / ".cache" / "retention" / key]


def cache_file(folder: Path, ds: Dataset) -> Path:
    zone = hashlib.sha1(ds.timezone.encode()).hexdigest()[:6]
    return folder / f"base-{ds.version}-{zone}-{_base_fingerprint()}.duckdb"


def _save_cache(engine: Engine, folders: list[Path]) -> Path | None:
    """Write the base tables and meta to a DuckDB file (aside, then renamed); None when no folder is writable."""
    import json
    import os

    for folder in folders:
        target = cache_file(folder, engine.ds)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cur = engine.cursor()
            # A path is no SQL value that ATTACH takes as a parameter; it is quoted as a literal here.
            cur.execute(f"attach {_lit(str(tmp))} as base_cache")
            try:
                for name in BASE_TABLES:
                    cur.execute(f"create table base_cache.{name} as select * from main.{name}")
                meta = json.dumps(engine.meta, default=str)
                cur.execute("create table base_cache.meta as select $meta as meta", {"meta": meta})
            finally:
                cur.execute("detach base_cache")
            os.replace(tmp, target)
        except (OSError, duckdb.Error):
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            continue
        for old in sorted(folder.glob("base-*.duckdb"), key=lambda f: f.stat().st_mtime, reverse=True)[_KEEP_CACHES:]:
            old.unlink(missing_ok=True)
        return target
    return None


def _load_cache(ds: Dataset, folders: list[Path], **engine_opts) -> Engine | None:
    """An engine over a cached base (read-only), or None when there is no usable cache."""
    import json

    for folder in folders:
        path = cache_file(folder, ds)
        if not path.is_file():
            continue
        try:
            eng = Engine(ds, database=path, **engine_opts)
            meta = json.loads(eng.sql("select meta from meta")["meta"][0])
        except (duckdb.Error, ValueError, KeyError):
            continue
        for key in ("default_as_of", "first_order_date"):
            meta[key] = dt.date.fromisoformat(meta[key]) if meta.get(key) else None
        eng.meta.update(meta)
        return eng
    return None


def open_dataset(
    data_dir: Path | str,
    timezone: str = "UTC",
    today: dt.date | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    strict: bool = False,
    **engine_opts,
) -> Dataset:
    """Open (or reuse) the engine for the current version of data_dir; raise InputError on bad data.

    The base tables are built once per data version and time zone and kept in a DuckDB file (beside the
    data, or in RETENTION_CACHE_DIR), so the next process or server start reads them instead of the orders.

    A broken optional table (customers, churn_reasons, contacts) does not stop the reports that do not use it:
    it is left out (treated as absent) and its problems are kept in meta["dropped"] (table -> message), which
    `warnings(ds)` lists. `strict` (the validate command) refuses any broken table instead.
    """
    from retention import validate  # late: validate uses this module

    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError(
            f"The data folder {data_dir} does not exist. Point RETENTION_DATA_DIR or --data at a folder holding "
            "orders.parquet (or an orders/ folder of Parquet files), or create the sample with "
            "`python -m retention sample --out data/sample`."
        )
    if find_table(data_dir, "orders") is None:
        raise InputError(
            f"{data_dir} has no orders table: expected {data_dir / 'orders.parquet'} or a folder {data_dir / 'orders'}/ "
            "of Parquet files with columns customer_id, ordered_at, amount. Import a CSV with "
            "`python -m retention import FILE --table orders --data DIR`."
        )
    ds = Dataset(str(data_dir.resolve()), data_version(data_dir), timezone)
    with _engines_lock:
        engine = _engines.get(ds)
        # Without the cache the caller wants the raw tables checked (validate): an engine read from a cache has none.
        if engine is not None and (use_cache or engine.tables) and not (strict and engine.meta.get("dropped")):
            _engines.move_to_end(ds)
            return ds
        folders = cache_dirs(data_dir, cache_dir) if use_cache else []
        engine = _load_cache(ds, folders, **engine_opts)
        if engine is None:
            engine = Engine(ds, **engine_opts)
            engine.attach_sources(lenient=not strict)
            problems = validate.check(engine, today or validate.today_in(timezone))
            if problems:
                _drop_broken_optional(engine, problems, strict)
            engine.build_base()
            engine.meta["dropped"] = dict(engine.dropped)
            if folders:
                _save_cache(engine, folders)
        _engines[ds] = engine
        while len(_engines) > _MAX_ENGINES:
            _engines.popitem(last=False)
    return ds


def _drop_broken_optional(engine: Engine, problems: list, strict: bool) -> None:
    """Leave out the optional tables that break input rules, or raise DataError when a required table does
    (or when `strict`)."""
    from retention.errors import DataError

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


def engine(ds: Dataset) -> Engine:
    try:
        return _engines[ds]
    except KeyError:
        raise InputError(f"The data in {ds.data_dir} changed or was closed; reload the page.") from None
