"""The Spark engine: the same named SQL files as retention/engine.py's DuckDB `Engine`, translated to Spark SQL
(retention/spark_sql.py `to_spark`) and run by Apache Spark, local or on a cluster (README "Running on Spark").

- One SparkSession per process (`session()`: `builder.master(...)` or `.remote(url)` for Spark Connect, the
  settings' conf); each dataset gets a child session (`newSession`: the same SparkContext, its own temp views
  and its own `spark.sql.session.timeZone`, the dataset's zone, so dates are cut in that zone as on DuckDB).
- Values travel as named parameters (`spark.sql(text, args=...)`; the translator turns DuckDB's `$name` into
  Spark's `:name`), names only from the same allow-lists.
- Results come back through Arrow into polars with DuckDB's column types (`_like_duckdb`).
- The base tables (retention/base.py builds them through `execute`) are written as Parquet under the cache
  location, a folder per data version, zone and base fingerprint (written aside, then renamed), with
  `meta.json` beside them; the next process reads them instead of the orders.

Data and cache locations are strings: a local folder, or any URL Spark reads (`hdfs://`, `s3a://`), never
resolved as a local path.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import threading
import uuid
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import polars as pl

from retention import base
from retention.errors import InputError
from retention.sqlfiles import load_sql, params_used
from retention.sqltext import fill, first_line, params_of
from retention.tables import TABLES, Dataset, TableInfo, data_version

_SESSION_LOCK = threading.Lock()
_session: Any = None
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# DuckDB's `describe` of a table, as retention/queries/predict.py asks for a base table's columns.
_DESCRIBE = re.compile(r"^\s*select\s+column_name\s+from\s+\(\s*describe\s+([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$", re.I)
_CREATE = re.compile(
    r"^\s*create\s+or\s+replace\s+(?P<kind>table|view)\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*"
    r"(?:\((?P<columns>[^()]*)\)\s*$|as\b)",
    re.I | re.S,
)
_HEAD = re.compile(r"create\s+or\s+replace\s+(?:table|view)\s+[A-Za-z_][A-Za-z0-9_]*\s+as\b", re.I)
_COMMENT_LINE = re.compile(r"^\s*--[^\n]*$", re.M)


# -- locations ------------------------------------------------------------------------------------


def is_remote(location: str | os.PathLike) -> bool:
    """A URL other than file:// (hdfs://, s3a://, abfss://, ...): read by Spark only, never by this process."""
    text = str(location)
    return bool(_URL.match(text)) and not text.startswith("file://")


def local_path(location: str | os.PathLike) -> Path | None:
    """The local folder of a location, or None for a remote one."""
    if is_remote(location):
        return None
    text = str(location)
    return Path(text[len("file://") :] if text.startswith("file://") else text)


def join(location: str, *parts: str) -> str:
    return "/".join([location.rstrip("/"), *parts])


# -- the session ----------------------------------------------------------------------------------


def session(master: str | None = None, remote: str | None = None, conf: dict[str, str] | None = None):
    """The process's one SparkSession (created on first use from the arguments, else from the settings)."""
    global _session
    with _SESSION_LOCK:
        if _session is not None:
            return _session
        if master is None and remote is None and conf is None:
            from retention.settings import get_settings

            s = get_settings()
            master, remote, conf = (None if s.spark_remote else s.spark_master), s.spark_remote, s.spark_conf
            if _under_spark_submit() and "spark_master" not in s.model_fields_set:
                master = None  # spark-submit --master decides
        # pyspark warns on every start that it does not fully support pandas 3; nothing here goes through pandas
        # (results come back as Arrow), so the CLI's stderr is spared it.
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("retention")
        if remote:
            _check_reachable(remote)
            builder = builder.remote(remote)
        elif master is not None or not _under_spark_submit():
            builder = builder.master(master or "local[*]")
        # A session started here: no progress bars, errors only in the log. A Spark Connect server keeps its
        # own (it refuses the change: CANNOT_MODIFY_CONFIG).
        quiet = {} if remote else {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR"}
        conf = {**quiet, **(conf or {})}
        if not remote and (master or ("" if _under_spark_submit() else "local")).startswith("local"):
            # One machine: a few shuffle partitions instead of 200 (adaptive execution coalesces them further).
            conf.setdefault("spark.sql.shuffle.partitions", str(max(4, 2 * (os.cpu_count() or 2))))
        for key, value in conf.items():
            builder = builder.config(key, value)
        try:
            _session = builder.getOrCreate()
        except Exception as exc:  # no Java, a broken SPARK_HOME, a refused conf: a clear message, not a trace
            where = f"the Spark Connect server at {remote}" if remote else f"Spark (master {master or 'local[*]'})"
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            raise InputError(
                f"{where} could not start a session: {type(exc).__name__}: {first}. A local Spark needs Java 17 "
                "(`make java`) and the pyspark of requirements.txt (SPARK_HOME unset or pointing at the same "
                "Spark); check RETENTION_SPARK_CONF."
            ) from None
        if remote:
            # A Spark Connect client left to the garbage collector at exit hangs there (grpc's channel close
            # waits on its threads, which interpreter shutdown has stopped): close it while Python still runs.
            atexit.register(stop_session)
        return _session


CONNECT_TIMEOUT = 10.0  # seconds to reach a Spark Connect server before saying it cannot be reached


def _check_reachable(url: str) -> None:
    """An InputError naming the URL when nothing answers at its host and port (the Connect client would retry
    for minutes, saying nothing)."""
    import socket

    try:
        parts = urlsplit(url.split(";", 1)[0])
        host, port = parts.hostname, parts.port or 15002
    except ValueError as exc:
        raise InputError(
            f"RETENTION_SPARK_REMOTE={url} is no Spark Connect URL ({exc}); expected sc://HOST:PORT."
        ) from None
    if parts.scheme != "sc" or not host:
        raise InputError(f"RETENTION_SPARK_REMOTE={url} is no Spark Connect URL; expected sc://HOST:PORT.")
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        raise InputError(
            f"The Spark Connect server at {url} cannot be reached ({host}:{port}: {exc.strerror or exc}). Start it "
            "(sbin/start-connect-server.sh on the cluster), check RETENTION_SPARK_REMOTE, or unset it to start "
            "Spark here (RETENTION_SPARK_MASTER)."
        ) from None


def _is_connect(spark) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


def _under_spark_submit() -> bool:
    """Started by spark-submit (which launched the JVM and passes its gateway): its --master and --conf hold."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


_REMOTE_CHILDREN: list = []  # the child sessions of a Spark Connect session, each a client of its own


def stop_session() -> None:
    """Stop the process's session (tests, bench); the next `session()` starts a new one. On Spark Connect the
    child sessions are clients of their own and are closed too (on a classic session a child's stop would
    stop the shared SparkContext: the root's stop does that)."""
    global _session
    with _SESSION_LOCK:
        while _REMOTE_CHILDREN:
            try:
                _REMOTE_CHILDREN.pop().stop()
            except Exception:  # a server already gone: nothing left to release
                pass
        if _session is not None:
            _session.stop()
        _session = None


def _child_session(tz: str):
    """A session for one dataset: its own temp views and time zone over the process's SparkContext."""
    root = session()
    try:
        child = root.newSession()
    except Exception:  # a Spark Connect server without newSession: one session, its zone set per dataset
        child = root
    if child is not root and _is_connect(root):
        with _SESSION_LOCK:
            _REMOTE_CHILDREN.append(child)
    child.conf.set("spark.sql.session.timeZone", tz)
    # DuckDB semantics: ANSI arithmetic and casts (overflow and a bad cast are errors, try_cast is null),
    # a/0 is null as in DuckDB (every ratio is guarded by nullif anyway).
    child.conf.set("spark.sql.ansi.enabled", "true")
    return child


# -- translation ----------------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def translate(text: str, name: str) -> str:
    """DuckDB SQL text (a file of retention/sql, filled) in Spark SQL (retention/spark_sql.py)."""
    from retention.spark_sql import to_spark

    return to_spark(text, name)


def _statements(text: str) -> list[str]:
    """The statements of a base file (`;` at a line end separates them), each led by as many blank lines as
    come before it, so a line number in one is a line number of the file."""
    out, lines_before = [], 0
    # `--` comments blanked first: a `;` ending a comment line ends no statement.
    text = re.sub(r"--[^\n]*", lambda m: " " * len(m.group()), text)
    for stmt in re.split(r";[ \t]*(?:\n|$)", text):
        if _COMMENT_LINE.sub("", stmt).strip():
            out.append("\n" * lines_before + stmt)
        lines_before += stmt.count("\n") + 1
    return out


# The base file that creates each base table (its `_empty` twin creates it without rows).
_BASE_FILE = {
    "ids": "base_ids", "days": "base_days", "pdays": "base_pdays", "cohort_days": "base_cohort_days",
    "src_customers_k": "base_customers", "customers_k": "base_customers", "attrs": "base_attrs",
    "reasons": "base_reasons", "contacts": "base_contacts",
}  # fmt: skip


@lru_cache(maxsize=1)
def _known_texts() -> dict[str, str]:
    """The loaded text of every SQL file (both scopes) -> its name, to name a text given without one."""
    from retention.sqlfiles import SCOPES, SQL_DIR

    return {load_sql(p.stem, scope): p.stem for p in sorted(SQL_DIR.glob("[!_]*.sql")) for scope in SCOPES}


# -- types ----------------------------------------------------------------------------------------


def duck_type(spark_type: Any) -> str:
    """The DuckDB name of a Spark column type, so retention/sqltext.py picks the same date and number
    expressions on both engines."""
    from pyspark.sql import types as T

    simple = {
        T.StringType: "VARCHAR", T.VarcharType: "VARCHAR", T.CharType: "VARCHAR",
        T.ByteType: "TINYINT", T.ShortType: "SMALLINT", T.IntegerType: "INTEGER", T.LongType: "BIGINT",
        T.FloatType: "FLOAT", T.DoubleType: "DOUBLE", T.BooleanType: "BOOLEAN", T.DateType: "DATE",
        T.TimestampType: "TIMESTAMP WITH TIME ZONE", T.TimestampNTZType: "TIMESTAMP", T.NullType: '"NULL"',
        T.BinaryType: "BLOB",
    }  # fmt: skip
    for cls, name in simple.items():
        if isinstance(spark_type, cls):
            return name
    if isinstance(spark_type, T.DecimalType):
        return f"DECIMAL({spark_type.precision},{spark_type.scale})"
    return spark_type.simpleString().upper()


def _like_duckdb(frame: pl.DataFrame) -> pl.DataFrame:
    """Spark's Arrow columns as DuckDB gives them. The SQL casts its outputs, and Spark's Arrow types are
    DuckDB's for them (int32 INTEGER, int64 BIGINT, double, date32 DATE, string VARCHAR); what is left:
    TINYINT/SMALLINT results widened to Int32 as DuckDB's arithmetic does, timestamps in microseconds."""
    casts = {}
    for name, dtype in frame.schema.items():
        if dtype in (pl.Int8, pl.Int16):
            casts[name] = pl.Int32
        elif isinstance(dtype, pl.Datetime) and dtype.time_unit != "us":
            casts[name] = pl.Datetime("us", dtype.time_zone)
    return frame.with_columns(pl.col(n).cast(t) for n, t in casts.items()) if casts else frame


# -- the engine -----------------------------------------------------------------------------------


class SparkEngine:
    """`retention.engine.SqlEngine` on Apache Spark (module docstring)."""

    def __init__(self, ds: Dataset, data_dir: str | None = None):
        self.ds = ds
        self.data_dir = data_dir or ds.data_dir
        self.spark = _child_session(ds.timezone)
        self.tables: dict[str, TableInfo] = {}
        self.meta: dict[str, object] = {}
        self.dropped: dict[str, str] = {}
        self.loaded_from: str | None = None
        self._build_dir: str | None = None  # where build_base writes the base tables (a folder aside)
        self._written: dict[str, str] = {}  # base table -> the folder it was written to

    @property
    def version(self) -> str:
        return self.ds.version

    # -- running SQL -------------------------------------------------------------------------

    def _args(self, text: str, params: dict | None) -> dict:
        """The parameters a DuckDB text uses, as Spark binds them: Python values (a list becomes an array
        literal, None a null); the translator casts each `:name` marker to the type DuckDB gives it."""
        used = params_of(text)
        given = {k: list(v) if isinstance(v, tuple) else v for k, v in (params or {}).items() if k in used}
        missing = used - given.keys()
        if missing:
            raise ValueError(f"SQL parameters not given: {sorted(missing)}")
        return given

    def _df(self, query: str, params: dict | None, name: str):
        """A Spark DataFrame of DuckDB SQL text."""
        args = self._args(query, params)
        return self.spark.sql(translate(query, name), args=args or None)

    def sql(self, query: str, params: dict | None = None, name: str | None = None) -> pl.DataFrame:
        """Run DuckDB SQL text with $named parameters on Spark into polars (DuckDB's column types); `name`
        (the SQL file, for messages) is found from the text when it is a file's."""
        from pyspark.errors import PySparkException

        name = name or _known_texts().get(query, "query")
        described = _DESCRIBE.match(query)
        if described:  # a table's columns: Spark's schema, no SQL (Spark has no `describe` as a subquery)
            return pl.DataFrame(
                {"column_name": self.spark.table(described.group(1)).columns}, schema={"column_name": pl.String}
            )
        df = self._df(query, params, name)
        _describe(self.spark, f"retention {name}")
        try:
            table = df.toArrow()
        except PySparkException as exc:
            raise RuntimeError(f"Spark could not run {name}: {first_line(exc)}") from exc
        return _like_duckdb(pl.from_arrow(table))

    def run(self, name: str, params: dict | None = None, **fragments: str) -> pl.DataFrame:
        """Run retention/sql/NAME.sql (the same scope choice as Engine.run)."""
        text = load_sql(name)
        p = params or {}
        if p.get("n_filters", 1) == 0 and (not p.get("wmap_values", [None]) or "wmap_values" not in params_used(name)):
            text = load_sql(name, scope="_scope_all")
        return self.sql(fill(text, fragments), params, name=name)

    def cursor(self) -> SparkEngine:
        """DuckDB's cursor-per-thread has no Spark counterpart: the session serves every thread."""
        return self

    def execute(self, query: str, params: dict | None = None) -> None:
        """Run the statements of a base file: `create or replace table NAME as SELECT` writes the select as
        Parquet into the build folder and reads it back as the temp view NAME; `create or replace table NAME
        (columns)` an empty one; `create or replace view NAME as SELECT` a temp view."""
        for stmt in _statements(query):
            m = _CREATE.match(_COMMENT_LINE.sub("", stmt))
            if m is None:
                raise ValueError("the Spark engine runs `create or replace table|view NAME ...` statements only")
            table = m.group("name")
            name = _BASE_FILE.get(table, table) + ("_empty" if m.group("columns") is not None else "")
            if m.group("columns") is not None:
                cols = [c.strip().rsplit(" ", 1) for c in m.group("columns").split(",")]
                select = "select " + ", ".join(f"cast(null as {t}) as {c}" for c, t in cols) + " where false"
            else:
                # The header becomes blank lines: the translator's line numbers stay those of the text.
                head = _HEAD.search(stmt)
                select = re.sub(r"[^\n]", " ", stmt[: head.end()]) + stmt[head.end() :]
            df = self._df(select, params, name)
            if m.group("kind").lower() == "view":
                df.createOrReplaceTempView(table)
            else:
                self._materialise(table, df)

    def _materialise(self, table: str, df) -> None:
        if self._build_dir is None:  # no cache location: kept in Spark's memory for this process
            df = df.persist()
            df.count()
            df.createOrReplaceTempView(table)
            return
        path = join(self._build_dir, table)
        _describe(self.spark, f"retention base {table}")
        df.write.mode("overwrite").parquet(path)
        self._written[table] = table
        self.spark.read.parquet(path).createOrReplaceTempView(table)

    def _point_views(self, folder: str) -> None:
        for table in base.BASE_TABLES:
            self.spark.read.parquet(join(folder, table)).createOrReplaceTempView(table)

    # -- loading -------------------------------------------------------------------------------

    def attach_sources(self, only: set[str] | None = None) -> None:
        """Read each present table (NAME.parquet or NAME/) as the temp view src_NAME; `only` keeps those named
        (the ones validation kept). Table columns get DuckDB's type names (duck_type)."""
        from pyspark.errors import PySparkException

        for name in TABLES:
            if only is not None and name not in only:
                continue
            location = find_location(self.spark, self.data_dir, name)
            if location is None:
                continue
            try:
                reader = self.spark.read
                if not location.endswith(".parquet"):  # a folder: files may add columns (DuckDB's union_by_name)
                    reader = reader.option("mergeSchema", "true")
                df = reader.parquet(location)
                schema = df.schema
            except PySparkException as exc:
                if name == "orders":
                    raise InputError(
                        f"{location}: Spark cannot read it as Parquet ({first_line(exc)}). Expected a Parquet "
                        f"file, or a folder of Parquet files, for table '{name}'."
                    ) from None
                self.dropped[name] = f"{location}: cannot be read as Parquet ({first_line(exc)})"
                continue
            df.createOrReplaceTempView(f"src_{name}")
            self.tables[name] = TableInfo(name, location, {f.name: duck_type(f.dataType) for f in schema.fields})

    def order_files(self, path: str) -> tuple[str, dict]:
        """base_ids.sql's {{order_files}}: on Spark every order row ranks alike (no refresh reads Spark's base,
        so the keys need not stay put when files are added; reports do not depend on the key order)."""
        return "(select customer_id, 0 as file_index from src_orders)", {"cid_offset": 0}

    def build_base(self, cache_dir: str | None = None) -> None:
        """The base tables (retention/base.py, through `execute`), as Parquet in the cache folder of this
        version (written aside, then renamed) when `cache_dir` is given, else held in memory; fills meta."""
        target = cache_folder(cache_dir, self.ds) if cache_dir else None
        if target is not None:
            self._build_dir = join(cache_dir, f".{target.rsplit('/', 1)[-1]}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            base.build_base(self)
        except BaseException:
            if self._build_dir:
                _remove(self.spark, self._build_dir)
            raise
        if target is None:
            return
        meta = json.dumps(self.meta | {"dropped": self.dropped}, default=str)
        _write_text(self.spark, join(self._build_dir, "meta.json"), meta)
        if _rename(self.spark, self._build_dir, target):
            self._point_views(target)
        else:  # another process finished the same folder first: read that one
            _remove(self.spark, self._build_dir)
            self._point_views(target)
        self._build_dir = None
        self.loaded_from = target


def _describe(spark, text: str) -> None:
    """Name the next jobs of this thread (the Spark UI and the event log show the SQL file that ran)."""
    try:
        spark.sparkContext.setLocalProperty("spark.job.description", text)
    except Exception:  # Spark Connect: no SparkContext on the client
        pass


# -- the base cache ---------------------------------------------------------------------------------


def cache_folder(cache_dir: str, ds: Dataset) -> str:
    zone = hashlib.sha1(ds.timezone.encode()).hexdigest()[:6]
    return join(cache_dir, f"spark-base-{ds.version}-{zone}-{base._base_fingerprint()}")


def default_cache_dir(data_dir: str) -> str:
    """Beside the data, as for DuckDB (RETENTION_CACHE_DIR overrides); a local folder that cannot be written
    falls back to the user's cache, as DuckDB's (base.cache_dirs)."""
    local = local_path(data_dir)
    if local is None:
        return join(data_dir, ".retention-cache")
    for folder in base.cache_dirs(local, None):
        existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if existing is not None and os.access(existing, os.W_OK):
            return str(folder)
    return str(base.cache_dirs(local, None)[-1])


def load_cache(ds: Dataset, cache_dir: str, data_dir: str) -> SparkEngine | None:
    """An engine over the base of `ds` kept under cache_dir, or None when there is none (or it is unreadable)."""
    from pyspark.errors import PySparkException

    eng = SparkEngine(ds, data_dir)
    folder = cache_folder(cache_dir, ds)
    text = _read_text(eng.spark, join(folder, "meta.json"))
    if text is None:
        return None
    try:
        meta = json.loads(text)
        eng._point_views(folder)
    except (ValueError, PySparkException):
        return None
    for key in ("default_as_of", "first_order_date"):
        meta[key] = dt.date.fromisoformat(meta[key]) if meta.get(key) else None
    eng.meta.update(meta)
    eng.dropped = dict(meta.get("dropped") or {})
    eng.loaded_from = folder
    return eng


def _jvm_fs(spark, location: str):
    """Hadoop's FileSystem of a location through the JVM (classic sessions), or None (Spark Connect)."""
    try:
        jvm = spark.sparkContext._jvm
        conf = spark.sparkContext._jsc.hadoopConfiguration()
    except Exception:
        return None
    path = jvm.org.apache.hadoop.fs.Path(location)
    return path.getFileSystem(conf), path, jvm


def _write_text(spark, location: str, text: str) -> None:
    local = local_path(location)
    if local is not None:
        local.write_text(text, encoding="utf-8")
        return
    fs = _jvm_fs(spark, location)
    if fs is None:
        spark.createDataFrame([(text,)], "value string").coalesce(1).write.mode("overwrite").text(location)
        return
    out = fs[0].create(fs[1], True)
    out.write(bytearray(text.encode()))
    out.close()


def _read_text(spark, location: str) -> str | None:
    local = local_path(location)
    if local is not None:
        return local.read_text(encoding="utf-8") if local.is_file() else None
    try:
        return "\n".join(r.value for r in spark.read.text(location).collect())
    except Exception:
        return None


def _rename(spark, source: str, target: str) -> bool:
    """Move the finished build folder into place; False when the target exists already."""
    local_source, local_target = local_path(source), local_path(target)
    if local_source is not None and local_target is not None:
        try:
            os.replace(local_source, local_target)
        except OSError:
            return False
        for old in sorted(local_target.parent.glob("spark-base-*"), key=lambda f: f.stat().st_mtime)[:-2]:
            shutil.rmtree(old, ignore_errors=True)
        return True
    fs = _jvm_fs(spark, source)
    if fs is None:  # Spark Connect on remote storage: no rename from here; the meta file, written last, marks it
        return False
    filesystem, path, jvm = fs
    return bool(filesystem.rename(path, jvm.org.apache.hadoop.fs.Path(target)))


def _remove(spark, location: str) -> None:
    local = local_path(location)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    fs = _jvm_fs(spark, location)
    if fs is not None:
        fs[0].delete(fs[1], True)


# -- data folders anywhere Spark reads --------------------------------------------------------------


def _listing(spark, data_dir: str) -> list[tuple[str, int, int]]:
    """(path relative to data_dir, size, mtime) of every file under a remote data folder, read by Spark."""
    from pyspark.sql import functions as F

    rows = (
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(data_dir)
        .select("path", "length", F.col("modificationTime").cast("long").alias("mtime"))
        .collect()
    )
    # Spark names each file by its qualified URL: `hdfs:///shop` comes back as hdfs://namenode:8020/shop/...,
    # `viewfs:///data` as viewfs:/data/...; so the files are placed by the path part of the URLs alone.
    prefix = unquote(urlsplit(data_dir).path).rstrip("/") + "/"
    out = []
    for r in rows:
        path = unquote(urlsplit(r.path).path)
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix) :]
        if not any(part.startswith((".", "_")) for part in rel.split("/")):
            out.append((rel, int(r.length), int(r.mtime)))
    return sorted(out)


def find_location(spark, data_dir: str, name: str) -> str | None:
    """NAME.parquet or NAME/ under a data folder (local or remote)."""
    local = local_path(data_dir)
    if local is not None:
        from retention.tables import find_table

        path = find_table(local, name)
        return str(path) if path is not None else None
    names = {rel.split("/", 1)[0] for rel, _, _ in _listing(spark, data_dir)}
    if f"{name}.parquet" in names:
        return join(data_dir, f"{name}.parquet")
    if name in names:
        return join(data_dir, name)
    return None


def dataset(data_dir: str, timezone: str) -> Dataset:
    """The Spark Dataset of a data folder's current version (local: the same version as DuckDB's)."""
    local = local_path(data_dir)
    if local is not None:
        from retention.tables import folder_dataset

        ds = folder_dataset(local, timezone)
        return Dataset(ds.data_dir, ds.version, timezone, engine="spark")
    files = [
        f
        for f in _listing(session(), data_dir)
        if f[0].split("/", 1)[0] in {*TABLES, *(f"{t}.parquet" for t in TABLES)}
    ]
    if not any(rel.split("/", 1)[0] in ("orders", "orders.parquet") for rel, _, _ in files):
        raise InputError(
            f"{data_dir} has no orders table: expected {join(data_dir, 'orders.parquet')} or a folder "
            f"{join(data_dir, 'orders')}/ of Parquet files with columns customer_id, ordered_at, amount."
        )
    h = hashlib.sha1()
    for rel, size, mtime in files:
        h.update(f"{rel}|{size}|{mtime};".encode())
    return Dataset(data_dir, h.hexdigest()[:16], timezone, engine="spark")


__all__ = ["SparkEngine", "data_version", "dataset", "is_remote", "load_cache", "session", "translate"]
