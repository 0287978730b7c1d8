"""Bring a CSV or Parquet file into a data folder as TABLE.parquet: read it as written, validate, convert, swap.

The steps, each in a hidden staging folder inside the data folder (same file system, so the final rename is
atomic): read the file (CSV values as text, so a decimal comma is refused rather than misread), rename its
columns to the contract, check it with the same rules as `validate` (retention.validate.check on that table
alone: the folder may not hold the others yet), write it with proper types, check the written file again,
then swap it in with os.replace. The table in use is never written to: until the swap it is the old file,
byte for byte; the old version is kept under _history/TABLE/ (the last five).

`--append` writes only the new rows, as one more file of the folder orders/ (`_append`, `_publish_part`): the
files in use are never rewritten, and a single orders.parquet becomes that folder on the first append.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import io
import os
import re
import secrets
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from retention import db, formats, presets, validate
from retention.errors import DataError, InputError, Problem
from retention.sqltext import ident

DELIMITERS = (",", ";", "\t", "|")
HISTORY_DIR = "_history"
HISTORY_KEEP = 5
NUMBER_COLUMNS = {"orders": ("amount",), "contacts": ("cost",)}
# Tests set this to a step name ("staged", "written", "history", "replaced") to stop the import there, so
# they can kill it at a known point and check that the table in use is untouched.
PAUSE_ENV = "RETENTION_IMPORT_PAUSE_AT"

_DAY_NAMES = {"ordered_at": "order_date", "signed_up_at": "signed_up_date", "churned_at": "churned_date",
              "contacted_at": "contacted_date"}  # fmt: skip
_STAGE_PREFIX = ".import-"
_LOCK_NAME = ".import.lock"
_CHUNK = 1 << 20
_SNIFF_BYTES = 1 << 16
_PARQUET_MAGIC = b"PAR1"
_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF in an OLE container)
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_STAMP = re.compile(r"^(\d{8}T\d{12}Z)(\.parquet)?$")
# A validated ISO text date carries a zone when its time is followed by Z, UTC or an offset.
_ZONE_PATTERN = r"[T ].*(Z|UTC|[+-]\d{2}(:?\d{2})?)$"
_CSV_READER = (
    "read_csv($path, header = true, delim = $delim, quote = '\"', escape = '\"', comment = '', skip = 0, "
    "all_varchar = true, strict_mode = true)"
)
_PARQUET_READER = "read_parquet($paths, union_by_name = true, hive_partitioning = $hive)"


class AmbiguousDateError(DataError):
    """The date column reads both day-first and month-first: the page offers the two readings."""

    def __init__(self, problem: Problem, ambiguity: formats.AmbiguousDates):
        super().__init__([problem])
        self.example = ambiguity.example
        # --date-format pattern -> the example read that way
        self.readings = dict(zip((ambiguity.day_first, ambiguity.month_first), ambiguity.dates(), strict=True))


# Column names a file may give a contract column, for the Import page's first guess (compared without case).
GUESSES = {
    "customer_id": ("customer_id", "customer id", "customer", "email", "e-mail", "customer email", "billing email",
                    "client", "client id", "member", "kunde", "kundennummer", "phone"),
    "ordered_at": ("ordered_at", "order date", "date", "created at", "created", "datum", "timestamp", "paid at"),
    "amount": ("amount", "total", "order total", "total collected", "betrag", "revenue", "sales", "price", "value"),
    "order_id": ("order_id", "order id", "order number", "transaction id", "receipt", "invoice", "id", "name"),
    "cost": ("cost", "cogs", "kosten"),
    "signed_up_at": ("signed_up_at", "signed up", "signup date", "created at", "joined", "registered"),
    "churned_at": ("churned_at", "churned", "date", "cancelled at"),
    "reason": ("reason", "grund"),
    "category": ("category",),
    "source": ("source",),
    "comment": ("comment", "note"),
    "contacted_at": ("contacted_at", "contacted", "date", "sent at"),
    "campaign": ("campaign", "aktion"),
    "channel": ("channel", "kanal"),
    "group": ("group", "gruppe"),
}  # fmt: skip


def guess_columns(table: str, columns: list[str]) -> dict[str, str | None]:
    """A first guess of the file column for each contract column of TABLE (None: not found), each column once."""
    taken: set[str] = set()
    out: dict[str, str | None] = {}
    norm = {c: " ".join(c.replace("_", " ").split()).lower() for c in columns}
    for name in contract_columns(table):
        found = None
        for alias in GUESSES.get(name, (name,)):
            a = alias.replace("_", " ")
            found = next((c for c in columns if c not in taken and norm[c] == a), None)
            if found:
                break
        out[name] = found
        if found:
            taken.add(found)
    return out


@dataclass(frozen=True)
class Version:
    """A previous version of a table kept under DIR/_history/TABLE/ (a Parquet file or a folder of them)."""

    name: str
    path: Path
    saved_at: dt.datetime
    size_bytes: int


@dataclass(frozen=True)
class _Source:
    """What to read: a CSV (already UTF-8) with its delimiter, or Parquet files."""

    label: Path  # the user's file, named in every message
    kind: str  # "csv" or "parquet"
    paths: tuple[Path, ...]
    delimiter: str = ","
    hive: bool = False
    encoding: str | None = None  # the CSV's encoding as read
    sheet: str | None = None  # the Excel sheet read


@dataclass(frozen=True)
class Options:
    """How to read an export (CLI.md "Importing the files people have")."""

    preset: str | None = None  # shopify, square, stripe, woocommerce; None: recognised from the header
    date_format: str | None = None  # a strftime pattern for the date column
    decimal_comma: bool = False
    sheet: str | None = None  # Excel: the sheet to read (default the first)
    append: bool = False  # add the rows whose order_id the table does not have yet, instead of replacing it
    recognise: bool = True  # without --preset: use the preset whose header the file has


@dataclass
class Summary:
    """What an import read and wrote: printed after every import, shown on the Import page."""

    file: str
    table: str
    rows_read: int = 0
    rows_written: int = 0  # rows this import adds (after append skipped the known ones)
    orders: int = 0  # activity rows written (orders only)
    refunds: int = 0
    left_out: dict[str, int] = dataclasses.field(default_factory=dict)
    guests: int = 0
    line_items: int = 0
    skipped_existing: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    preset: str | None = None
    preset_recognised: bool = False
    attributes: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    date_reading: tuple[str, dict[str, str]] | None = None  # formats.DateReading.note
    sources: dict[str, str] = dataclasses.field(default_factory=dict)  # contract column -> file column
    appended: bool = False

    def items(self) -> list[tuple[str, dict[str, str]]]:
        """The summary as (key, values): the CLI prints SUMMARY_TEXT[key], the Import page t("import.s_" + key)."""
        out: list[tuple[str, dict[str, str]]] = []
        n = f"{self.rows_read:,}"
        if self.encoding:
            delimiter = {",": "','", ";": "';'", "\t": "TAB", "|": "'|'"}[self.delimiter or ","]
            out.append(("read_csv", {"n": n, "encoding": self.encoding, "delimiter": delimiter}))
        elif self.sheet:
            out.append(("read_sheet", {"n": n, "sheet": self.sheet}))
        else:
            out.append(("read", {"n": n}))
        if self.preset:
            key = "preset" if self.preset_recognised else "preset_given"
            out.append((key, {"preset": self.preset, "label": presets.PRESETS[self.preset].label}))
        if self.sources:
            out.append(("columns", {"pairs": ", ".join(f"{k} <- {v}" for k, v in self.sources.items())}))
        if self.table == "orders":
            out.append(("orders", {"orders": f"{self.orders:,}", "refunds": f"{self.refunds:,}"}))
        else:
            out.append(("rows", {"n": f"{self.rows_written:,}"}))
        if self.line_items:
            out.append(("line_items", {"n": f"{self.line_items:,}"}))
        if self.left_out:
            reasons = ", ".join(f"{k:,} ({why})" for why, k in self.left_out.items())
            out.append(("left_out", {"reasons": reasons}))
        else:
            out.append(("left_out_none", {}))
        if self.table == "orders":
            out.append(("guests", {"n": f"{self.guests:,}"}))
        if self.appended:
            out.append(("skipped", {"n": f"{self.skipped_existing:,}"}))
        if self.first_date is not None:
            out.append(("dates", {"first": self.first_date.isoformat(), "last": self.last_date.isoformat()}))
        if self.date_reading:
            out.append(("date_" + self.date_reading[0], self.date_reading[1]))
        if self.attributes:
            out.append(("attributes", {"names": ", ".join(self.attributes)}))
        else:
            out.append(("attributes_none", {}))
        return out

    def lines(self) -> list[str]:
        return [SUMMARY_TEXT[key].format(**values) for key, values in self.items()]


SUMMARY_TEXT = {
    "read": "rows read: {n}",
    "read_csv": "rows read: {n} ({encoding}, fields separated by {delimiter})",
    "read_sheet": "rows read: {n} (sheet '{sheet}')",
    "preset": "preset: {preset} ({label}, recognised from the header)",
    "preset_given": "preset: {preset} ({label}, --preset)",
    "columns": "columns: {pairs}",
    "orders": "orders written: {orders}; refund rows: {refunds}",
    "rows": "rows written: {n}",
    "line_items": "line items folded into their order: {n}",
    "left_out": "rows left out: {reasons}",
    "left_out_none": "rows left out: none",
    "guests": "guest rows skipped (no customer): {n}",
    "skipped": "already in the table (same order_id), skipped: {n}",
    "dates": "dates: {first} to {last}",
    "date_export_dmy": "dates read day-first (as this export writes them)",
    "date_export_mdy": "dates read month-first (as this export writes them)",
    "date_day_first": "dates read day-first ('{example}' has no month {month})",
    "date_month_first": "dates read month-first ('{example}' has no month {month})",
    "date_format": "dates read with --date-format '{format}'",
    "attributes": "kept as attributes: {names}",
    "attributes_none": "kept as attributes: none",
}


@dataclass
class Result:
    """An import's one-line message, its summary and (dry runs) the first rows as they will be written."""

    message: str
    summary: Summary
    preview: object = None  # a polars frame


# -- public API -----------------------------------------------------------------------------------


def import_file(
    file: Path, table: str, data_dir: Path, mapping: dict[str, str], timezone: str, options: Options | None = None
) -> str:
    """Validate FILE (CSV, Excel or Parquet) as TABLE and write it to DATA_DIR/TABLE.parquet; one line on success.

    `mapping` maps contract column NAME -> SOURCE column of the file. Raises InputError (DataError listing
    every broken rule) and leaves the table in use untouched on any problem.
    """
    return run_import(file, table, data_dir, mapping, timezone, options).message


def run_import(
    file: Path, table: str, data_dir: Path, mapping: dict[str, str], timezone: str, options: Options | None = None
) -> Result:
    """import_file with its Summary."""
    file, data_dir = Path(file), Path(data_dir)
    options = options or Options()
    _check_options(table, options)
    with _locked(data_dir) as stage:
        source = _open_source(file, stage, options)
        rows, target, kept, summary = _bring_in(source, table, data_dir, stage, mapping, timezone, options)
    previous = f"; the previous version is kept as {kept}" if kept else ""
    verb = "added to" if options.append else "written to"
    return Result(f"{table}: {rows:,} rows from {file} {verb} {target}{previous}", summary)


def dry_run(
    file: Path,
    table: str,
    data_dir: Path,
    mapping: dict[str, str],
    timezone: str,
    options: Options | None = None,
    rows: int = 20,
) -> Result:
    """Everything an import does short of swapping the table in: its Summary and the first rows as written
    (dates and amounts parsed, a `refund` column marking refund rows). Raises what the import would."""
    import tempfile

    file, data_dir = Path(file), Path(data_dir)
    options = options or Options()
    _check_options(table, options)
    with tempfile.TemporaryDirectory(prefix="retention-dry-run-") as tmp:
        stage = Path(tmp)
        source = _open_source(file, stage, options)
        n, _, _, summary = _bring_in(source, table, data_dir, stage, mapping, timezone, options, publish=False)
        head = pl.read_parquet(stage / "new" / f"{table}.parquet", n_rows=rows)
        date_column = db.DATE_COLUMNS[table]
        at = head[date_column] if date_column in head.columns else None
        if at is not None and isinstance(at.dtype, pl.Datetime):
            # The calendar day each row counts on (a zoned timestamp converted to the configured zone).
            day = at.dt.convert_time_zone(timezone).dt.date() if at.dtype.time_zone else at.dt.date()
            head = head.insert_column(head.columns.index(date_column) + 1, day.alias(_DAY_NAMES[date_column]))
        if table == "orders" and "amount" in head.columns:
            head = head.with_columns((pl.col("amount") < 0).fill_null(False).alias("refund"))
        # Days as YYYY-MM-DD (a table widget would show a date as midnight).
        head = head.with_columns(pl.col(pl.Date).dt.strftime("%Y-%m-%d"))
    return Result(f"{table}: {n:,} rows from {file} would be written", summary, head)


def sheets(file: Path) -> list[str]:
    """The sheet names of an Excel workbook (empty for any other file)."""
    file = Path(file)
    if _detect_format(file) != "excel":
        return []
    import fastexcel

    try:
        return list(fastexcel.read_excel(str(file)).sheet_names)
    except Exception as exc:  # noqa: BLE001 (fastexcel raises its own error classes)
        raise InputError(
            f"{file}: cannot be read as an Excel workbook ({str(exc)[:200]}). Expected .xlsx or .xls."
        ) from None


def recognised_preset(file: Path, options: Options | None = None) -> str | None:
    """The preset an orders import of FILE would use without --preset (None when the header matches none)."""
    import tempfile

    options = options or Options()
    with tempfile.TemporaryDirectory(prefix="retention-header-") as tmp:
        source = _open_source(Path(file), Path(tmp), options)
        engine = _engine(Path(tmp), "UTC", Path(tmp))
        try:
            reader, params = _reader(source)
            columns = engine.sql(db.fill(db.load_sql("validate_import_columns"), {"reader": reader}), params).columns
        except duckdb.Error as exc:
            raise InputError(_read_error(source, exc)) from None
        finally:
            _close(engine)
    found = presets.recognise(columns)
    return found.name if found else None


def _check_options(table: str, options: Options) -> None:
    _check_table(table)
    if options.preset is not None:
        presets.get(options.preset)
        if table != "orders":
            raise InputError(f"--preset {options.preset} maps an export onto orders; expected --table orders.")
    if options.append and table != "orders":
        raise InputError(f"--append adds orders by their order_id; expected --table orders (not {table}).")
    if options.date_format:
        try:
            formats.check_date_format(options.date_format)
        except ValueError as exc:
            raise InputError(f"{exc}.") from None


def _open_source(file: Path, stage: Path, options: Options) -> _Source:
    kind = _detect_format(file)
    if kind == "csv":
        return _csv_source(file, stage)
    if kind == "excel":
        return _excel_source(file, stage, options.sheet)
    if options.sheet:
        raise InputError(
            f"--sheet {options.sheet}: {file} is not an Excel workbook; expected --sheet only with .xlsx/.xls."
        )
    return _Source(file, "parquet", (file,))


def history(table: str, data_dir: Path) -> list[Version]:
    """The kept previous versions of TABLE, newest first."""
    _check_table(table)
    folder = Path(data_dir) / HISTORY_DIR / table
    if not folder.is_dir():
        return []
    versions = []
    for path in folder.iterdir():
        m = _STAMP.match(path.name)
        if not m or (path.is_dir() == bool(m.group(2))):
            continue
        saved_at = dt.datetime.strptime(m.group(1), _STAMP_FORMAT).replace(tzinfo=dt.UTC)
        size = sum(f.stat().st_size for f in db.table_files(path))
        versions.append(Version(path.name, path, saved_at, size))
    return sorted(versions, key=lambda v: v.name, reverse=True)


def restore(table: str, data_dir: Path, version_name: str, timezone: str = "UTC") -> str:
    """Make a kept version the table in use again (checked like an import; the current one is kept in turn)."""
    data_dir = Path(data_dir)
    with _locked(data_dir) as stage:
        versions = {v.name: v for v in history(table, data_dir)}
        version = versions.get(version_name)
        if version is None:
            names = ", ".join(versions) or "none"
            raise InputError(f"{table} has no kept version named '{version_name}'; expected one of: {names}.")
        files = tuple(db.table_files(version.path))
        if not files:
            raise InputError(f"{version.path} holds no Parquet files; expected another kept version of {table}.")
        source = _Source(version.path, "parquet", files, hive=version.path.is_dir())
        rows, target, _, _ = _bring_in(source, table, data_dir, stage, {}, timezone, Options())
    return f"{table}: restored {version_name} ({rows:,} rows) to {target}"


def contract_columns(table: str) -> tuple[str, ...]:
    """The columns with a meaning in TABLE (required first), for mapping a file's columns to them."""
    _check_table(table)
    return db.KNOWN[table]


def preview(file: Path, rows: int = 20, sheet: str | None = None):
    """The first rows of FILE as read for an import (CSV values as text), for the Import page's preview.

    Returns a polars frame whose columns are the file's own column names; InputError when unreadable.
    """
    import tempfile

    file = Path(file)
    with tempfile.TemporaryDirectory(prefix="retention-preview-") as tmp:
        stage = Path(tmp)
        source = _open_source(file, stage, Options(sheet=sheet))
        engine = _engine(stage, "UTC", stage)
        try:
            reader, params = _reader(source)
            return engine.sql(f"select * from {reader} limit $rows", {**params, "rows": rows})
        except duckdb.Error as exc:
            raise InputError(_read_error(source, exc)) from None
        finally:
            _close(engine)


# -- the import steps -----------------------------------------------------------------------------


def _bring_in(
    source: _Source,
    table: str,
    data_dir: Path,
    stage: Path,
    mapping: dict[str, str],
    timezone: str,
    options: Options,
    publish: bool = True,
) -> tuple[int, Path, Path | None, Summary]:
    """Stage, read the export's forms, check, convert, (append), check again and publish; returns
    (rows written, target, kept previous version, summary)."""
    checked_dir, final_dir = stage / "checked", stage / "new"
    checked_dir.mkdir()
    final_dir.mkdir()
    today = validate.today_in(timezone)
    summary = Summary(str(source.label), table, encoding=source.encoding, sheet=source.sheet)
    if source.kind == "csv":
        summary.delimiter = source.delimiter
    staging = _engine(checked_dir, timezone, stage)
    staged = checked_dir / f"{table}.parquet"
    try:
        renames, preset = _stage(staging, source, table, mapping, staged, options)
        _pause("staged")
        sources = _prepare(staged, table, source, preset, mapping, renames, options, summary)
        staging.attach_sources()
        info = staging.tables[table]
        info.path = source.label  # messages name the user's file
        problems = validate.check(staging, today, require_orders=False)
        if problems:
            raise DataError([_import_problem(p, sources, table, options) for p in problems])
        rows = _count(staging, table)
        staging.execute(
            db.fill(
                db.load_sql("validate_import_convert"),
                {"columns": _converted_columns(staging, table, info.columns), "source": f"src_{table}"},
            ),
            {"out": str(final_dir / f"{table}.parquet")},
        )
    except duckdb.Error as exc:
        raise InputError(_read_error(source, exc)) from None
    finally:
        _close(staging)

    final = final_dir / f"{table}.parquet"
    summary.rows_written = rows
    if table == "orders":
        _summarise_orders(final, timezone, stage, summary)
    expected_rows = rows
    part: Path | None = None
    if options.append:
        final, expected_rows, part = _append(final, table, data_dir, stage, summary)
        rows = summary.rows_written
        _pause("merged")

    # The written file (with an append: the whole new table, the folder the new part joins or the merged
    # file) is checked like any table before it replaces the one in use.
    written = _engine(final.parent, timezone, stage)
    try:
        written.attach_sources()
        written.tables[table].path = source.label
        problems = validate.check(written, today, require_orders=False)
        written_rows = _count(written, table)
    finally:
        _close(written)
    if problems:
        raise DataError(problems)
    if written_rows != expected_rows:
        raise InputError(
            f"{source.label}: {expected_rows:,} rows were expected but {written_rows:,} written; nothing was replaced."
        )
    if not publish:
        return rows, data_dir / f"{table}.parquet", None, summary
    if part is not None:
        target, kept = _publish_part(part, table, data_dir)
        return rows, target, kept, summary
    _fsync(final)
    _pause("written")
    target, kept = _publish(final, table, data_dir)
    return rows, target, kept, summary


def _prepare(
    staged: Path,
    table: str,
    source: _Source,
    preset: presets.Preset | None,
    mapping: dict[str, str],
    renames: dict[str, str],
    options: Options,
    summary: Summary,
) -> dict[str, str]:
    """Rewrite the staged file in the contract's forms: a preset's rows as orders, dates and amounts as the
    export writes them read (formats.py), e-mail customer ids trimmed and lower-cased. Returns contract
    column -> the file's column, for messages."""
    label = str(source.label)
    sources = {dst: src for src, dst in renames.items() if src.strip() != dst}
    lf = pl.scan_parquet(staged)
    rewrite = False
    if preset is not None:
        frame, applied = presets.apply(lf.collect(), preset, label, mapping, options.decimal_comma)
        summary.preset = preset.name
        summary.preset_recognised = options.preset is None
        summary.rows_read = applied.rows_read
        summary.left_out, summary.guests, summary.line_items = applied.left_out, applied.guests, applied.line_items
        summary.attributes = applied.attributes
        sources = dict(applied.sources)
        summary.sources = dict(sources)
        lf = frame.lazy()
        rewrite = True
    else:
        summary.rows_read = lf.select(pl.len()).collect().item()
        summary.sources = dict(sources)
        known = set(db.KNOWN[table])
        summary.attributes = tuple(c for c in lf.collect_schema().names() if c not in known)
    schema = lf.collect_schema()
    exprs = []
    date_column = db.DATE_COLUMNS[table]
    if schema.get(date_column) == pl.Utf8:
        try:
            reading = formats.read_dates(lf, date_column, options.date_format, preset.date_order if preset else None)
        except formats.AmbiguousDates as amb:
            problem = Problem(label, _column_label(date_column, sources), amb.rows, f"'{amb.example}'", amb.expected())
            raise AmbiguousDateError(problem, amb) from None
        summary.date_reading = reading.note
        if reading.changes:
            exprs.append(reading.expr)
    for column in NUMBER_COLUMNS.get(table, ()):
        if schema.get(column) == pl.Utf8:
            plain = pl.col(column).str.strip_chars().str.contains(f"^(?:{validate.NUMBER_PATTERN})?$")
            if options.decimal_comma or not lf.select(plain.fill_null(True).all()).collect().item():
                exprs.append(formats.amount_expr(column, options.decimal_comma))
    if schema.get("customer_id") == pl.Utf8:
        cid = pl.col("customer_id")
        email = cid.str.contains("@")
        if lf.select((email & (cid != cid.str.strip_chars().str.to_lowercase())).any()).collect().item():
            exprs.append(
                pl.when(email).then(cid.str.strip_chars().str.to_lowercase()).otherwise(cid).alias("customer_id")
            )
    if source.sheet and schema.get(date_column) == pl.Utf8:
        # Excel date cells come as 'YYYY-MM-DD 00:00:00': a column of whole days is written as dates.
        midnight = pl.col(date_column).str.ends_with(" 00:00:00")
        if lf.select((midnight | pl.col(date_column).is_null()).all()).collect().item():
            exprs.append(pl.col(date_column).str.strip_suffix(" 00:00:00"))
    if exprs or rewrite:
        out = staged.with_name("prepared.parquet")
        for e in exprs:
            lf = lf.with_columns(e)
        lf.sink_parquet(out, compression="zstd")
        os.replace(out, staged)
    return sources


def _column_label(column: str, sources: dict[str, str]) -> str:
    return f"{column} (file column {sources[column]})" if column in sources else column


def _import_problem(problem: Problem, sources: dict[str, str], table: str, options: Options) -> Problem:
    """A validation problem in the words of an import: the file's column, the forms an import reads."""
    expected = problem.expected
    if problem.column == db.DATE_COLUMNS[table] and expected == validate.EXPECT_DATE:
        expected = IMPORT_EXPECT_DATE
        if options.date_format:
            expected = f"a date written as --date-format '{options.date_format}' says, or {IMPORT_EXPECT_DATE}"
    elif problem.column in NUMBER_COLUMNS.get(table, ()) and expected == validate.EXPECT_NUMBER:
        expected = presets.expected_amount(options.decimal_comma)
    if problem.column in sources:
        return dataclasses.replace(problem, column=_column_label(problem.column, sources), expected=expected)
    return dataclasses.replace(problem, expected=expected)


IMPORT_EXPECT_DATE = (
    "an ISO-8601 date such as 2024-03-31 or a timestamp such as 2024-03-31T14:05:00+02:00 or "
    "2024-03-31 14:05:00 -0500, YYYY/MM/DD, or day/month/year where the column shows which number is the day "
    "(impossible dates like 2024-02-31 are refused; --date-format tells how the file writes dates, such as "
    "--date-format %d/%m/%Y)"
)


def _summarise_orders(final: Path, timezone: str, stage: Path, summary: Summary) -> None:
    engine = _engine(final.parent, timezone, stage)
    try:
        engine.attach_sources()
        info = engine.tables["orders"]
        s = engine.run(
            "import_summary",
            order_date=db.date_expr("ordered_at", info.columns["ordered_at"], timezone),
            amount=validate.number_expr("amount", info.columns.get("amount")),
        ).row(0, named=True)
    finally:
        _close(engine)
    summary.orders, summary.refunds = int(s["orders"]), int(s["refunds"])
    summary.first_date, summary.last_date = s["first_date"], s["last_date"]


def _append(final: Path, table: str, data_dir: Path, stage: Path, summary: Summary) -> tuple[Path, int, Path | None]:
    """The rows of `final` whose order_id the table in use does not have: (what to check, its rows, the new part).

    Usually they become one more file of the orders folder (written here in the stage; `_publish_part` moves
    it in), so an append writes only the new rows and the files already there stay as they are, byte for
    byte; what is checked is then a folder of the files in use (links) and the new part. When the files of a
    folder could not agree on a column's kind (say order_id numbers in the table, text in the export) or the
    folder has sub-folders (hive partitions), the table in use and the new rows are merged into one file that
    replaces it, as an import does (the new part is None)."""
    summary.appended = True
    old = db.find_table(data_dir, table)
    if old is None:
        return final, summary.rows_written, None
    con = duckdb.connect()
    try:
        new_types = _types(con, [final], False)
        if "order_id" not in new_types:
            raise InputError(
                f"{summary.file}: --append needs an order_id column to tell the orders the table has from new ones; "
                "expected the export's order id (a preset keeps it) or --column order_id=SOURCE."
            )
        old_files = db.table_files(old)
        files = [str(f) for f in old_files]
        hive = old.is_dir()
        old_types = _types(con, files, hive)
        params = {"old": files, "hive": hive, "new": str(final)}
        old_id = "cast(order_id as varchar)" if "order_id" in old_types else "cast(null as varchar)"
        counts = con.execute(db.fill(db.load_sql("import_append_counts"), {"old_id": old_id}), params).fetchone()
        old_rows, new_rows, skipped = (int(v) for v in counts)
        fresh = "true"
        if "order_id" in old_types:
            fresh = "order_id is null or order_id not in (select order_id from old where order_id is not null)"
        part_columns = _part_columns(old_types, new_types, _ids_fit(con, final, old_types, new_types))
        flat = all(f.parent == old for f in old_files) if old.is_dir() else True
        if part_columns is not None and flat:
            candidate = stage / "candidate" / table
            candidate.mkdir(parents=True)
            for f in old_files:  # the files in use, as links: checked together with the new part
                _link(f, candidate / f.name, symlink=True)
            part = candidate / _PART_NEW
            if "order_id" in old_types:  # the part keeps the export's id type: compared as text
                fresh = "order_id is null or cast(order_id as varchar) not in (select order_id from old where order_id is not null)"
            con.execute(
                db.fill(
                    db.load_sql("import_append_part"), {"old_id": old_id, "new_columns": part_columns, "fresh": fresh}
                ),
                {**params, "out": str(part)},
            )
            merged = None
        else:
            part = None
            old_cols, new_cols = _aligned(old_types, new_types, table)
            merged = final.parent.parent / "merged" / f"{table}.parquet"
            merged.parent.mkdir()
            con.execute(
                db.fill(
                    db.load_sql("import_append"), {"old_columns": old_cols, "new_columns": new_cols, "fresh": fresh}
                ),
                {**params, "out": str(merged)},
            )
    except duckdb.Error as exc:
        raise InputError(
            f"{summary.file}: its rows cannot be appended to {old} ({str(exc).splitlines()[0][:200]}); expected the "
            "same kinds of columns as the table in use. Nothing was replaced."
        ) from None
    finally:
        con.close()
    summary.skipped_existing = skipped
    summary.rows_written = new_rows - skipped
    if part is not None:
        if skipped:
            _recount_fresh(part, 0, summary)
        return part.parent, old_rows + new_rows - skipped, part
    if skipped:
        _recount_fresh(merged, old_rows, summary)
    return merged, old_rows + new_rows - skipped, None


# The new part's name while it is staged; `_publish_part` names it in the folder.
_PART_NEW = "part-new.parquet"
_PART = re.compile(r"^part-(\d{6})-")
_ID_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
_KIND_FAMILY = {"integer": "number", "decimal": "number", "float": "number", "null": None}


def _ids_fit(con: duckdb.DuckDBPyConnection, final: Path, old: dict[str, str], new: dict[str, str]) -> bool:
    """Whether the export's order ids (text, as a CSV is read) are all the integers the table in use holds
    them as, each written as the integer is (so `0042` is not one): then the new part writes them as integers."""
    if "order_id" not in old or validate.type_kind(old["order_id"]) != "integer":
        return False
    if validate.type_kind(new["order_id"]) != "text":
        return False
    duck_type = old["order_id"]
    if duck_type.upper() not in _ID_TYPES:
        return False
    misfits = con.execute(
        db.fill(db.load_sql("import_append_id_misfits"), {"id_type": duck_type}), {"new": str(final)}
    ).fetchone()[0]
    return int(misfits) == 0


def _part_columns(old: dict[str, str], new: dict[str, str], ids_fit: bool = False) -> str | None:
    """The select list of the new part: its own columns, cast to text where the table in use holds a column as
    text (and order ids to its integer type when `ids_fit`); None when a column's kind differs otherwise, so the
    files of one folder would disagree (the engine refuses such a folder: Engine._check_file_types)."""

    def kind(duck_type: str) -> str | None:
        k = validate.type_kind(duck_type)
        return _KIND_FAMILY.get(k, k)

    out = []
    for column, duck_type in new.items():
        q = ident(column)
        if column == "customer_id" or column not in old:
            out.append(q)
            continue
        mine, theirs = kind(duck_type), kind(old[column])
        if mine is None or theirs is None or mine == theirs:
            out.append(q)
        elif theirs == "text":
            out.append(f"cast({q} as varchar) as {q}")
        elif column == "order_id" and ids_fit:
            out.append(f"cast({q} as {old[column].upper()}) as {q}")
        else:
            return None
    return ", ".join(out)


def _recount_fresh(merged: Path, old_rows: int, summary: Summary) -> None:
    """Orders and refunds of the rows an append actually adds (the last rows of the merged file)."""
    tail = pl.scan_parquet(merged).slice(old_rows).select(pl.col("amount").cast(pl.Float64)).collect()["amount"]
    summary.refunds = int((tail < 0).sum())
    summary.orders = tail.len() - summary.refunds


def _types(con: duckdb.DuckDBPyConnection, files: list, hive: bool) -> dict[str, str]:
    rel = con.execute(
        "describe select * from read_parquet($p, union_by_name = true, hive_partitioning = $h)",
        {"p": [str(f) for f in files], "h": hive},
    ).fetchall()
    return {row[0]: row[1] for row in rel}


def _aligned(old: dict[str, str], new: dict[str, str], table: str) -> tuple[str, str]:
    """Select lists giving both sides one type per shared column: ids and mixed columns as text, dates as
    the wider of DATE < TIMESTAMP < TIMESTAMPTZ (the session zone is the configured one)."""
    date_column = db.DATE_COLUMNS[table]
    rank = {"DATE": 0, "TIMESTAMP": 1, "TIMESTAMP WITH TIME ZONE": 2}

    def target(column: str, mine: dict[str, str], other: dict[str, str]) -> str | None:
        if column == "order_id":
            return "VARCHAR"
        if column not in other or other[column] == mine[column]:
            return None
        if column == date_column and mine[column] in rank and other[column] in rank:
            return max(mine[column], other[column], key=rank.get)
        if {validate.type_kind(mine[column]), validate.type_kind(other[column])} <= {"integer", "decimal", "float"}:
            return "DOUBLE"
        return "VARCHAR"

    def select(mine: dict[str, str], other: dict[str, str]) -> str:
        out = []
        for column in mine:
            q, t = ident(column), target(column, mine, other)
            out.append(f"cast({q} as {t}) as {q}" if t else q)
        return ", ".join(out)

    return select(old, new), select(new, old)


def _engine(folder: Path, timezone: str, stage: Path) -> db.Engine:
    # DuckDB spills to the staging folder, so a large file needs no more memory than the reports do.
    return db.Engine(db.Dataset(str(folder), "import", timezone), temp_dir=stage / "spill")


def _close(engine: db.Engine) -> None:
    with contextlib.suppress(duckdb.Error):
        engine.cursor().close()
        engine.con.close()


def _count(engine: db.Engine, table: str) -> int:
    return int(engine.run("validate_count", source=f"src_{table}")["n_rows"][0])


def _reader(source: _Source) -> tuple[str, dict[str, object]]:
    if source.kind == "csv":
        return _CSV_READER, {"path": str(source.paths[0]), "delim": source.delimiter}
    return _PARQUET_READER, {"paths": [str(p) for p in source.paths], "hive": source.hive}


def _stage(
    engine: db.Engine, source: _Source, table: str, mapping: dict[str, str], out: Path, options: Options
) -> tuple[dict[str, str], presets.Preset | None]:
    """Write the source, columns renamed (CSV: date and number text trimmed), as Parquet; returns the renames
    and the preset that maps it (given, or recognised from the header of an orders file). A preset's file is
    staged with its own column names: the preset maps them, --column pairs overriding its choice of column
    for customer_id, ordered_at, amount or order_id."""
    reader, params = _reader(source)
    columns = engine.sql(db.fill(db.load_sql("validate_import_columns"), {"reader": reader}), params).columns
    preset = presets.get(options.preset) if options.preset else None
    if preset is None and options.recognise and table == "orders":
        if "customer_id" not in [c.strip().lower() for c in columns]:
            preset = presets.recognise(columns)
    renames = {c: c for c in columns} if preset else _renames(source.label, table, columns, mapping)
    trimmed = {db.DATE_COLUMNS[table], *NUMBER_COLUMNS.get(table, ())} if source.kind == "csv" and not preset else set()
    # Identifiers here come from the file's own header or the user's --column, always quoted; values are $params.
    select = ",\n            ".join(
        f"{'trim(' + ident(src) + ')' if dst in trimmed else ident(src)} as {ident(dst)}"
        for src, dst in renames.items()
    )
    engine.execute(
        db.fill(db.load_sql("validate_import_stage"), {"reader": reader, "columns": select}),
        {**params, "out": str(out)},
    )
    return renames, preset


def _renames(file: Path, table: str, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Source column -> contract name for every column: --column pairs first, then contract names matched
    regardless of case and surrounding spaces; every other column keeps its (trimmed) name."""
    listed = ", ".join(columns)
    targets: dict[str, str] = {}
    for name, wanted in mapping.items():
        name, wanted = name.strip(), wanted.strip()
        matches = [c for c in columns if c == wanted] or [c for c in columns if c.strip() == wanted]
        if not name or not matches:
            raise InputError(
                f"--column {name}={wanted}: {file} has no column '{wanted}'; its columns are: {listed}. "
                "Expected --column CONTRACT_NAME=COLUMN_IN_FILE, for example --column customer_id=Kundennummer."
            )
        if matches[0] in targets:
            raise InputError(f"--column: the file column '{wanted}' is given twice; expected it once.")
        targets[matches[0]] = name
    for known in db.KNOWN[table]:
        if known in targets.values() or known in columns:
            continue
        candidates = [c for c in columns if c not in targets and c.strip().lower() == known]
        if len(candidates) == 1:
            targets[candidates[0]] = known
    renames = {c: targets.get(c, c.strip()) for c in columns}
    seen: dict[str, str] = {}
    for src, dst in renames.items():
        if dst in seen:
            raise InputError(
                f"{file}: the columns '{seen[dst]}' and '{src}' would both be named '{dst}'; expected each column "
                "name once (rename one with --column NAME=SOURCE, or remove it from the file)."
            )
        seen[dst] = src
    return renames


def _converted_columns(engine: db.Engine, table: str, columns: dict[str, str]) -> str:
    """The select list writing contract types: text dates as DATE / TIMESTAMP / TIMESTAMPTZ, numbers as DOUBLE."""
    date_column = db.DATE_COLUMNS[table]
    out = []
    for column, duck_type in columns.items():
        q = ident(column)
        if column == date_column and validate.type_kind(duck_type) == "text":
            expr = f"cast(nullif(trim({q}), '') as {_date_type(engine, table)})"
        elif column in NUMBER_COLUMNS.get(table, ()):
            expr = validate.number_expr(column, duck_type)
        else:
            expr = q
        out.append(f"{expr} as {q}")
    return ",\n            ".join(out)


def _date_type(engine: db.Engine, table: str) -> str:
    """DATE when no value has a time of day; TIMESTAMPTZ when any has an offset (values without one are taken
    in the configured zone, as db.date_expr reads them); else a plain TIMESTAMP."""
    column = db.DATE_COLUMNS[table]
    shape = engine.run(
        "validate_import_date_shape", {"zone_pattern": _ZONE_PATTERN}, source=f"src_{table}", date_column=f'"{column}"'
    ).row(0, named=True)
    if shape["with_zone"]:
        return "timestamptz"
    if shape["with_time"]:
        return "timestamp"
    return "date"


def _read_error(source: _Source, exc: duckdb.Error) -> str:
    if source.kind == "csv":
        ragged = _first_ragged_row(source)
        if ragged:
            return ragged
        what = f"CSV with a header row and fields separated by {_delimiter_name(source.delimiter)}"
    else:
        what = "Parquet"
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    detail = "; ".join(lines[:2])[:300]
    return f"{source.label}: cannot be read as {what} ({detail}). Expected a {what} file."


def _first_ragged_row(source: _Source) -> str | None:
    """The first line whose field count differs from the header's, in words (DuckDB's own report is long)."""
    with open(source.paths[0], encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=source.delimiter, quotechar='"')
        try:
            header = next(reader)
            for row in reader:
                if row and len(row) != len(header):
                    example = source.delimiter.join(row)[:80]
                    return (
                        f"{source.label}, line {reader.line_num}: {len(row)} fields; example: '{example}'; expected "
                        f"{len(header)} fields separated by {_delimiter_name(source.delimiter)}, like the header row "
                        "(a field holding the separator must be in double quotes)."
                    )
        except (csv.Error, StopIteration):
            return None
    return None


# -- publishing and history -----------------------------------------------------------------------


def _publish(final: Path, table: str, data_dir: Path) -> tuple[Path, Path | None]:
    """Swap the complete, checked file in as DATA_DIR/TABLE.parquet, keeping the previous version."""
    target = data_dir / f"{table}.parquet"
    folder = data_dir / table
    history_dir = data_dir / HISTORY_DIR / table
    if target.is_file() or folder.is_dir():
        history_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime(_STAMP_FORMAT)
    kept: Path | None = None
    if target.is_file():
        # A hard link keeps the old bytes under _history without touching the file in use.
        kept = history_dir / f"{stamp}.parquet"
        try:
            os.link(target, kept)
        except OSError:
            shutil.copy2(target, kept)
            _fsync(kept)
        _fsync(history_dir)
    _pause("history")
    os.replace(final, target)
    _fsync(data_dir)
    _pause("replaced")
    if folder.is_dir():
        # TABLE.parquet already wins over the folder (db.find_table), so readers never saw a missing table.
        kept = history_dir / stamp
        os.replace(folder, kept)
        _fsync(data_dir)
    if kept is not None:
        _prune(history_dir)
    return target, kept


def _publish_part(part: Path, table: str, data_dir: Path) -> tuple[Path, Path | None]:
    """Add the checked new rows as one more file of DATA_DIR/TABLE/ (written aside in the stage, then renamed
    in, so a reader sees the whole file or none); a single TABLE.parquet becomes that folder first, the file
    moved in as its first part. The previous version is kept under _history as links (no bytes copied)."""
    file, folder = data_dir / f"{table}.parquet", data_dir / table
    history_dir = data_dir / HISTORY_DIR / table
    history_dir.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime(_STAMP_FORMAT)
    _fsync(part)
    _pause("written")
    if file.is_file() and folder.exists():
        # Left by a conversion that was stopped before it removed TABLE.parquet (below): the file is the table
        # in use (db.find_table), the folder never was; it is kept under _history like a replaced table.
        os.replace(folder, history_dir / stamp)
        stamp = (now + dt.timedelta(microseconds=1)).strftime(_STAMP_FORMAT)
    if file.is_file():
        kept = history_dir / f"{stamp}.parquet"
        _link(file, kept)
        _fsync(history_dir)
        _pause("history")
        # Convert once. The folder is built in the stage (the old file linked in as part 1, the new rows as
        # part 2) and renamed into the data folder whole, next to TABLE.parquet, which still wins
        # (db.find_table), so readers see the old table; removing the file then switches them to the folder
        # in one step. A crash before the rename leaves only the stage (removed by the next import); a crash
        # between the rename and the removal leaves both, the old table still in use, and the next append
        # puts the folder aside (above) and converts again: the new rows are never half in.
        staged = part.parent.parent / "folder" / table
        staged.mkdir(parents=True)
        mtime = dt.datetime.fromtimestamp(file.stat().st_mtime, dt.UTC)
        _link(file, staged / _part_name(1, mtime))
        target = staged / _part_name(2, now)
        os.replace(part, target)
        _fsync(staged)
        os.replace(staged, folder)
        _fsync(data_dir)
        _pause("converted")
        file.unlink()
        _fsync(data_dir)
        target = folder / target.name
    else:
        kept = _keep_links(folder, history_dir, stamp)
        _pause("history")
        taken = [int(m.group(1)) for f in folder.iterdir() if (m := _PART.match(f.name))]
        target = folder / _part_name(max(taken, default=len(list(folder.iterdir()))) + 1, now)
        os.replace(part, target)
        _fsync(folder)
    _pause("replaced")
    if kept is not None:
        _prune(history_dir)
    return target, kept


def _part_name(seq: int, at: dt.datetime) -> str:
    """part-000002-20261202T061500Z.parquet: the sequence number orders the parts, the time (UTC) says when."""
    return f"part-{seq:06d}-{at.strftime('%Y%m%dT%H%M%SZ')}.parquet"


def _keep_links(folder: Path, history_dir: Path, stamp: str) -> Path | None:
    """The folder's files as links under _history/TABLE/STAMP/ (built aside, then renamed, so a kept version is
    whole); None where the file system has no hard links (copying a large table on every append would cost
    what appending as a new file saves)."""
    aside = history_dir / f".{stamp}.tmp"
    aside.mkdir()
    try:
        for f in db.table_files(folder):
            os.link(f, aside / f.name)
    except OSError:
        shutil.rmtree(aside, ignore_errors=True)
        return None
    _fsync(aside)
    kept = history_dir / stamp
    os.replace(aside, kept)
    _fsync(history_dir)
    return kept


def _link(source: Path, target: Path, symlink: bool = False) -> None:
    """target as a hard link of source (the same bytes, nothing copied), else a symbolic link (`symlink`: for
    a check in the stage) or a copy."""
    try:
        os.link(source, target)
        return
    except OSError:
        pass
    if symlink:
        try:
            os.symlink(source.resolve(), target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)
    _fsync(target)


def _prune(history_dir: Path) -> None:
    for stale in history_dir.glob(".*.tmp"):  # a kept version left half built by a crash
        shutil.rmtree(stale, ignore_errors=True)
    entries = sorted((p for p in history_dir.iterdir() if _STAMP.match(p.name)), key=lambda p: p.name, reverse=True)
    for old in entries[HISTORY_KEEP:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's entries') bytes to disk, so a power cut cannot leave a half-written table."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on folders; the rename is still atomic
    finally:
        os.close(fd)


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[Path]:
    """One import at a time per data folder; yields a fresh staging folder inside it, removed afterwards."""
    if data_dir.exists() and not data_dir.is_dir():
        raise InputError(f"{data_dir} is a file; expected a data folder to write the table into.")
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / _LOCK_NAME, "a+b") as lock:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; imports there must not overlap
            fcntl = None
        if fcntl is not None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    f"Another import into {data_dir} is running; try again when it has finished."
                ) from None
        # Holding the lock, any staging folder left is from an import that was killed.
        for stale in data_dir.glob(_STAGE_PREFIX + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = data_dir / f"{_STAGE_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        stage.mkdir()
        try:
            yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _pause(step: str) -> None:
    if os.environ.get(PAUSE_ENV) == step:
        print(f"import paused at {step}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get("RETENTION_IMPORT_PAUSE_SECONDS", "60")))


# -- reading the file -----------------------------------------------------------------------------


def _check_table(table: str) -> None:
    if table not in db.TABLES:
        raise InputError(f"'{table}' is not a table; expected one of: {', '.join(db.TABLES)}.")


def _detect_format(file: Path) -> str:
    """'parquet' or 'csv' from the file's bytes (not only its name); a clear InputError for anything else."""
    expected = "Expected a CSV file with a header row, an Excel workbook (.xlsx, .xls) or a Parquet file."
    if not file.exists():
        raise InputError(f"{file} does not exist. {expected}")
    if file.is_dir():
        raise InputError(f"{file} is a folder. {expected}")
    size = file.stat().st_size
    with open(file, "rb") as f:
        head = f.read(8192)
        f.seek(max(size - 4, 0))
        tail = f.read(4)
    if head.startswith(_PARQUET_MAGIC):
        if size < 12 or tail != _PARQUET_MAGIC:
            raise InputError(
                f"{file} starts like a Parquet file but has no Parquet footer: it is incomplete (cut off while "
                "being copied or written?). Expected a complete Parquet file."
            )
        return "parquet"
    if file.suffix.lower() in _PARQUET_SUFFIXES:
        raise InputError(
            f"{file} is named like a Parquet file but is not one (it does not start with the Parquet marker PAR1). "
            f"{expected}"
        )
    if size == 0:
        raise InputError(f"{file} is empty. {expected}")
    if head.startswith(_OLE_MAGIC) or (head.startswith(b"PK\x03\x04") and (
        file.suffix.lower() in _EXCEL_SUFFIXES or b"xl/" in head or b"[Content_Types].xml" in head
    )):  # fmt: skip
        return "excel"
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{file} is a zip archive, not a CSV file or an Excel workbook. Expected a CSV, Excel (.xlsx, .xls) or "
            "Parquet file."
        )
    if _utf16_without_bom(head):
        return "csv"
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        raise InputError(f"{file} is a binary file, not CSV or Parquet. {expected}")
    return "csv"


def _csv_source(file: Path, stage: Path) -> _Source:
    path, encoding = _utf8_copy(file, stage)
    delimiter, header = _sniff(path, file)
    names = [h.strip() for h in header]
    for i, name in enumerate(names):
        if name and name in names[:i]:
            raise InputError(f"{file}: the header names the column '{name}' twice; expected each column name once.")
    return _Source(file, "csv", (path,), delimiter, encoding=encoding)


def _excel_source(file: Path, stage: Path, sheet: str | None) -> _Source:
    """The sheet (the first unless named) as Parquet, every cell as text: date cells as ISO text
    ('2024-01-05 00:00:00'), numbers as written, so ids keep their form and dates are read like CSV ones."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(file))
        names = list(reader.sheet_names)
    except Exception as exc:  # noqa: BLE001 (fastexcel raises its own error classes)
        raise InputError(
            f"{file}: cannot be read as an Excel workbook ({str(exc).splitlines()[0][:200]}). Expected a complete "
            ".xlsx or .xls file (or save the sheet as CSV)."
        ) from None
    if not names:
        raise InputError(f"{file}: the workbook has no sheets; expected one holding the table.")
    if sheet is not None and sheet not in names:
        raise InputError(f"--sheet {sheet}: {file} has no sheet named '{sheet}'; its sheets are: {', '.join(names)}.")
    name = sheet if sheet is not None else names[0]
    try:
        frame = reader.load_sheet(name, dtypes="string").to_polars()
    except Exception as exc:  # noqa: BLE001
        raise InputError(
            f"{file}, sheet '{name}': cannot be read ({str(exc).splitlines()[0][:200]}); expected a header row "
            "naming the columns, then one row per record."
        ) from None
    if not frame.columns:
        raise InputError(f"{file}, sheet '{name}' is empty; expected a header row naming the columns.")
    frame = frame.select(pl.all().cast(pl.Utf8))
    out = stage / "source-sheet.parquet"
    frame.write_parquet(out)
    return _Source(Path(f"{file}, sheet '{name}'"), "parquet", (out,), sheet=name)


def _utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text without a byte-order mark: every other byte of an ASCII-heavy header is zero."""
    sample = head[:512] if len(head) % 2 == 0 else head[:511]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    if even.count(0) < 0.05 * len(even) and odd.count(0) > 0.7 * len(odd):
        return True  # little-endian
    return odd.count(0) < 0.05 * len(odd) and even.count(0) > 0.7 * len(even)


def _utf8_copy(file: Path, stage: Path) -> tuple[Path, str]:
    """The CSV as UTF-8 for DuckDB, and the encoding it was read in: the file itself when it is UTF-8 (with or
    without BOM), else a transcoded copy: UTF-16 (byte-order mark, or zero bytes every other byte), GBK when
    it decodes and its non-ASCII text is Chinese, Windows-1252, else Latin-1 (which decodes any byte)."""
    with open(file, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _utf16_without_bom(head[:4096]):
        encoding = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    elif _decodes(file, "utf-8"):
        return file, "UTF-8"
    elif _looks_gbk(head) and _decodes(file, "gbk"):
        encoding = "gbk"
    elif _decodes(file, "cp1252"):
        encoding = "cp1252"
    else:
        encoding = "latin-1"
    out = stage / "source-utf8.csv"
    with open(file, encoding=encoding, newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    names = {"utf-16": "UTF-16", "utf-16-le": "UTF-16LE", "utf-16-be": "UTF-16BE", "gbk": "GBK",
             "cp1252": "Windows-1252", "latin-1": "Latin-1"}  # fmt: skip
    return out, names[encoding]


def _looks_gbk(head: bytes) -> bool:
    """Bytes above 0x7F come in pairs that decode to Chinese characters (Latin text has them alone)."""
    pairs = high_trail = 0
    i = 0
    while i < len(head) - 1:
        if head[i] > 0x80:
            pairs += 1
            high_trail += head[i + 1] >= 0x80
            i += 2
        else:
            i += 1
    if not pairs or high_trail < 0.8 * pairs:
        return False  # Latin text: an accented letter followed by ASCII
    text = head.decode("gbk", errors="ignore")
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return False
    chinese = sum(1 for ch in wide if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return chinese >= 0.8 * len(wide)


def _decodes(file: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(file, "rb") as f:
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _sniff(path: Path, label: Path) -> tuple[str, list[str]]:
    """The delimiter among , ; TAB | that splits the first lines into the most columns, the same number on
    every line; and the header row it gives."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = f.read(_SNIFF_BYTES)
        if f.read(1) and "\n" in sample:
            sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    best: tuple[tuple[bool, bool, int], str, list[str]] | None = None
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter, quotechar='"') if r][:200]
        except csv.Error:
            continue
        if not rows:
            continue
        header = rows[0]
        consistent = all(len(r) == len(header) for r in rows[1:])
        score = (len(header) > 1, consistent, len(header))
        if best is None or score > best[0]:
            best = (score, delimiter, header)
    if best is None or not any(h.strip() for h in best[2]):
        raise InputError(f"{label} has no header row. Expected a CSV file whose first line names the columns.")
    return best[1], best[2]


def _delimiter_name(delimiter: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs", "|": "'|'"}[delimiter]
