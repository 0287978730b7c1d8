"""What a data folder holds: the four tables, their fixed columns (the allow-lists every SQL name comes from),
where each table's files are, the folder's data version, and the coarse kind of a DuckDB column type.

A leaf module: it runs no SQL and imports only retention.errors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from retention.errors import InputError

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

_INTEGER_TYPES = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
_FLOAT_TYPES = {"FLOAT", "DOUBLE", "REAL"}


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


def type_kind(duck_type: str) -> str:
    """Coarse kind of a DuckDB column type: text, integer, decimal, float, temporal, id, null or other."""
    t = duck_type.upper()
    if t == "VARCHAR":
        return "text"
    if t in _INTEGER_TYPES:
        return "integer"
    if t.startswith("DECIMAL"):
        return "integer" if t.replace(" ", "").endswith(",0)") else "decimal"
    if t in _FLOAT_TYPES:
        return "float"
    if t == "DATE" or t.startswith("TIMESTAMP"):
        return "temporal"
    if t == "UUID":
        return "id"
    if t.strip('"') == "NULL":
        return "null"  # a column with no values at all (for example written from an all-null frame)
    return "other"


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
    # Which engine holds it (db.open_dataset): the same folder on DuckDB and on Spark are two datasets, so
    # their engines and cached query results never mix.
    engine: str = "duckdb"


def folder_dataset(data_dir: Path, timezone: str) -> Dataset:
    """The Dataset of a data folder's current version; an InputError when there is no folder or no orders."""
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
    return Dataset(str(data_dir.resolve()), data_version(data_dir), timezone)


def file_manifest(data_dir: Path) -> dict[str, list[list]]:
    """Each present table's files as [name relative to the folder, size, mtime_ns], in table_files order: what
    retention/refresh.py compares to tell appended order files from changed ones."""
    out: dict[str, list[list]] = {}
    for name in TABLES:
        path = find_table(data_dir, name)
        if path is None:
            continue
        rows = []
        for f in table_files(path):
            st = f.stat()
            rows.append([str(f.relative_to(data_dir)), st.st_size, st.st_mtime_ns])
        out[name] = rows
    return out


def ranked_files(path: Path) -> list[Path]:
    """A table's files oldest first (modification time, then name): the order the base's customer keys follow
    (sql/_base_ids_numbered.sql), so an appended file comes last."""
    files = table_files(path)
    return sorted(files, key=lambda f: (f.stat().st_mtime_ns, str(f)))
