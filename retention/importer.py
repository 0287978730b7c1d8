"""Bring a CSV or Parquet file into a data folder as TABLE.parquet: read it as written, validate, convert, swap.

The steps, each in a hidden staging folder inside the data folder (same file system, so the final rename is
atomic): read the file (CSV values as text, so a decimal comma is refused rather than misread), rename its
columns to the contract, check it with the same rules as `validate` (retention.validate.check on that table
alone: the folder may not hold the others yet), write it with proper types, check the written file again,
then swap it in with os.replace. The table in use is never written to: until the swap it is the old file,
byte for byte; the old version is kept under _history/TABLE/ (the last five).
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

from retention import db, validate
from retention.errors import DataError, InputError, Problem

DELIMITERS = (",", ";", "\t", "|")
HISTORY_DIR = "_history"
HISTORY_KEEP = 5
NUMBER_COLUMNS = {"orders": ("amount",), "contacts": ("cost",)}
# Tests set this to a step name ("staged", "written", "history", "replaced") to stop the import there, so
# they can kill it at a known point and check that the table in use is untouched.
PAUSE_ENV = "RETENTION_IMPORT_PAUSE_AT"

_STAGE_PREFIX = ".import-"
_LOCK_NAME = ".import.lock"
_CHUNK = 1 << 20
_SNIFF_BYTES = 1 << 16
_PARQUET_MAGIC = b"PAR1"
_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
_STAMP = re.compile(r"^(\d{8}T\d{12}Z)(\.parquet)?$")
# A validated ISO text date carries a zone when its time is followed by Z, UTC or an offset.
_ZONE_PATTERN = r"[T ].*(Z|UTC|[+-]\d{2}(:?\d{2})?)$"
_CSV_READER = (
    "read_csv($path, header = true, delim = $delim, quote = '\"', escape = '\"', comment = '', skip = 0, "
    "all_varchar = true, strict_mode = true)"
)
_PARQUET_READER = "read_parquet($paths, union_by_name = true, hive_partitioning = $hive)"


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


# -- public API -----------------------------------------------------------------------------------


def import_file(file: Path, table: str, data_dir: Path, mapping: dict[str, str], timezone: str) -> str:
    """Validate FILE (CSV or Parquet) as TABLE and write it to DATA_DIR/TABLE.parquet; one line on success.

    `mapping` maps contract column NAME -> SOURCE column of the file. Raises InputError (DataError listing
    every broken rule) and leaves the table in use untouched on any problem.
    """
    file, data_dir = Path(file), Path(data_dir)
    _check_table(table)
    kind = _detect_format(file)
    with _locked(data_dir) as stage:
        source = _csv_source(file, stage) if kind == "csv" else _Source(file, "parquet", (file,))
        rows, target, kept = _bring_in(source, table, data_dir, stage, mapping, timezone)
    previous = f"; the previous version is kept as {kept}" if kept else ""
    return f"{table}: {rows:,} rows from {file} written to {target}{previous}"


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
        rows, target, _ = _bring_in(source, table, data_dir, stage, {}, timezone)
    return f"{table}: restored {version_name} ({rows:,} rows) to {target}"


def contract_columns(table: str) -> tuple[str, ...]:
    """The columns with a meaning in TABLE (required first), for mapping a file's columns to them."""
    _check_table(table)
    return db.KNOWN[table]


def preview(file: Path, rows: int = 20):
    """The first rows of FILE as read for an import (CSV values as text), for the Import page's preview.

    Returns a polars frame whose columns are the file's own column names; InputError when unreadable.
    """
    import tempfile

    file = Path(file)
    kind = _detect_format(file)
    with tempfile.TemporaryDirectory(prefix="retention-preview-") as tmp:
        stage = Path(tmp)
        source = _csv_source(file, stage) if kind == "csv" else _Source(file, "parquet", (file,))
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
    source: _Source, table: str, data_dir: Path, stage: Path, mapping: dict[str, str], timezone: str
) -> tuple[int, Path, Path | None]:
    """Stage, check, convert, check again and publish; returns (rows, target, kept previous version)."""
    checked_dir, final_dir = stage / "checked", stage / "final"
    checked_dir.mkdir()
    final_dir.mkdir()
    today = validate.today_in(timezone)
    staging = _engine(checked_dir, timezone, stage)
    try:
        renames = _stage(staging, source, table, mapping, checked_dir / f"{table}.parquet")
        _pause("staged")
        staging.attach_sources()
        info = staging.tables[table]
        info.path = source.label  # messages name the user's file
        problems = validate.check(staging, today, require_orders=False)
        if problems:
            raise DataError([_name_source_column(p, renames) for p in problems])
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

    # The written file is checked like any table before it replaces the one in use.
    final = final_dir / f"{table}.parquet"
    written = _engine(final_dir, timezone, stage)
    try:
        written.attach_sources()
        written.tables[table].path = source.label
        problems = validate.check(written, today, require_orders=False)
        written_rows = _count(written, table)
    finally:
        _close(written)
    if problems:
        raise DataError(problems)
    if written_rows != rows:
        raise InputError(f"{source.label}: {rows:,} rows were read but {written_rows:,} written; nothing was replaced.")
    _fsync(final)
    _pause("written")
    target, kept = _publish(final, table, data_dir)
    return rows, target, kept


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


def _stage(engine: db.Engine, source: _Source, table: str, mapping: dict[str, str], out: Path) -> dict[str, str]:
    """Write the source, columns renamed (CSV: date and number text trimmed), as Parquet; returns the renames."""
    reader, params = _reader(source)
    columns = engine.sql(db.fill(db.load_sql("validate_import_columns"), {"reader": reader}), params).columns
    renames = _renames(source.label, table, columns, mapping)
    trimmed = {db.DATE_COLUMNS[table], *NUMBER_COLUMNS.get(table, ())} if source.kind == "csv" else set()
    # Identifiers here come from the file's own header or the user's --column, always quoted; values are $params.
    select = ",\n            ".join(
        f"{'trim(' + _ident(src) + ')' if dst in trimmed else _ident(src)} as {_ident(dst)}"
        for src, dst in renames.items()
    )
    engine.execute(
        db.fill(db.load_sql("validate_import_stage"), {"reader": reader, "columns": select}),
        {**params, "out": str(out)},
    )
    return renames


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


def _name_source_column(problem: Problem, renames: dict[str, str]) -> Problem:
    """Say which column of the user's file a contract column came from, when it was renamed."""
    sources = {dst: src for src, dst in renames.items() if src.strip() != dst}
    if problem.column in sources:
        return dataclasses.replace(problem, column=f"{problem.column} (file column {sources[problem.column]})")
    return problem


def _converted_columns(engine: db.Engine, table: str, columns: dict[str, str]) -> str:
    """The select list writing contract types: text dates as DATE / TIMESTAMP / TIMESTAMPTZ, numbers as DOUBLE."""
    date_column = db.DATE_COLUMNS[table]
    out = []
    for column, duck_type in columns.items():
        q = _ident(column)
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


def _prune(history_dir: Path) -> None:
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
    expected = "Expected a CSV file with a header row, or a Parquet file."
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
    if head.startswith(b"PK\x03\x04"):
        raise InputError(
            f"{file} is a zip archive or an Excel workbook, not a CSV file. Save the sheet as CSV (UTF-8) and import "
            "that file."
        )
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in head:
        raise InputError(f"{file} is a binary file, not CSV or Parquet. {expected}")
    return "csv"


def _csv_source(file: Path, stage: Path) -> _Source:
    path = _utf8_copy(file, stage)
    delimiter, header = _sniff(path, file)
    names = [h.strip() for h in header]
    for i, name in enumerate(names):
        if name and name in names[:i]:
            raise InputError(f"{file}: the header names the column '{name}' twice; expected each column name once.")
    return _Source(file, "csv", (path,), delimiter)


def _utf8_copy(file: Path, stage: Path) -> Path:
    """The CSV as UTF-8 for DuckDB: the file itself when it is UTF-8 (with or without BOM), else a transcoded
    copy (UTF-16 with BOM, else Windows-1252, else Latin-1, which decodes any byte)."""
    with open(file, "rb") as f:
        head = f.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif _decodes(file, "utf-8"):
        return file
    elif _decodes(file, "cp1252"):
        encoding = "cp1252"
    else:
        encoding = "latin-1"
    out = stage / "source-utf8.csv"
    with open(file, encoding=encoding, newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
    return out


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


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
