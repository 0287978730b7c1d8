"""The base tables every report reads (CONTRIBUTING.md "Base tables"), built once per data version and time
zone, and their cache files: a DuckDB file per (version, zone, base SQL) beside the data or in
RETENTION_CACHE_DIR, so the next process reads the base instead of the orders.

Works on any engine with `tables`, `ds`, `meta`, `execute`, `sql` and `cursor` (retention.engine.Engine).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from retention.sqlfiles import SQL_DIR, load_sql
from retention.sqltext import date_expr, fill, ident, lit, number_expr, text_or_null
from retention.tables import TABLES, Dataset, ranked_files

BASE_TABLES = ("ids", "days", "pdays", "cohort_days", "customers_k", "attrs", "reasons", "contacts")
_KEEP_CACHES = 2


def _reasons_fragments(cols: dict[str, str], timezone: str) -> dict[str, str]:
    return {
        "churned_date": date_expr("churned_at", cols["churned_at"], timezone),
        "reason": text_or_null("reason", cols),
        "category": text_or_null("category", cols),
        "source": text_or_null("source", cols),
        "comment": text_or_null("comment", cols),
    }


def _contacts_fragments(cols: dict[str, str], timezone: str) -> dict[str, str]:
    return {
        "contacted_date": date_expr("contacted_at", cols["contacted_at"], timezone),
        "channel": text_or_null("channel", cols),
        "cost": f"coalesce({number_expr('cost', cols['cost'])}, 0)" if "cost" in cols else "cast(0 as double)",
        "group": "coalesce(nullif(lower(trim(cast(\"group\" as varchar))), ''), 'treatment')"
        if "group" in cols
        else "'treatment'",
    }


# Optional tables read row by row into a base table: (table, base SQL file, its fragments).
_ROW_TABLES = (
    ("churn_reasons", "base_reasons", _reasons_fragments),
    ("contacts", "base_contacts", _contacts_fragments),
)


def build_base(engine: Any) -> None:
    """Materialise the base tables every report reads (once per dataset version) and fill engine.meta."""
    tz = engine.ds.timezone
    orders = engine.tables["orders"]
    frag = {
        "order_date": date_expr("ordered_at", orders.columns["ordered_at"], tz),
        "amount": number_expr("amount", orders.columns.get("amount")),
        "cost": number_expr("cost", orders.columns.get("cost")),
        "orders_source": "src_orders",
    }
    customers = engine.tables.get("customers")
    for name, key in (("customers", "customer_ids"), ("churn_reasons", "reason_ids"), ("contacts", "contact_ids")):
        frag[key] = f"union all select cast(customer_id as varchar), 0 from src_{name}" if name in engine.tables else ""
    engine.meta["order_columns"] = dict(orders.columns)
    order_files, params = engine.order_files(orders.path)
    engine.execute(fill(load_sql("base_ids"), frag | {"order_files": order_files}), params)
    engine.execute(fill(load_sql("base_days"), frag))
    engine.execute(fill(load_sql("base_pdays"), frag))
    engine.execute(load_sql("base_cohort_days"))
    if customers:
        cols = customers.columns
        signed = date_expr("signed_up_at", cols["signed_up_at"], tz) if "signed_up_at" in cols else "cast(null as date)"
        engine.execute(fill(load_sql("base_customers"), {"signed_up_date": signed}))
        attrs = customers.attributes
        if attrs:
            unions = " union all ".join(
                f"select cid, {lit(a)} as attribute, cast({ident(a)} as varchar) as value from src_customers_k"
                for a in attrs
            )
            engine.execute(fill(load_sql("base_attrs"), {"unions": unions}))
        else:
            engine.execute(load_sql("base_attrs_empty"))
    else:
        engine.execute(load_sql("base_customers_empty"))
        engine.execute(load_sql("base_attrs_empty"))
    for name, sql_name, fragments in _ROW_TABLES:
        info = engine.tables.get(name)
        if info is None:
            engine.execute(load_sql(f"{sql_name}_empty"))
        else:
            engine.execute(fill(load_sql(sql_name), {"rows_of": f"src_{name}"} | fragments(info.columns, tz)))
    meta = engine.sql(load_sql("base_meta")).row(0, named=True)
    engine.meta.update(meta)
    engine.meta["attributes"] = customers.attributes if customers else []
    engine.meta["optional"] = {n: n in engine.tables for n in TABLES}
    # Profit uses the orders' own cost where there is one (METRICS.md "Inputs", Profit).
    engine.meta["has_cost"] = "cost" in orders.columns


ORDER_FILES_SQL = "read_parquet($order_files, union_by_name = true, hive_partitioning = $order_hive)"


def order_file_params(path: Path, cid_offset: int = 0) -> dict[str, object]:
    """The $params of base_ids.sql on DuckDB: the order files oldest first (their place, DuckDB's file_index,
    ranks the customer keys)."""
    return {"order_files": [str(f) for f in ranked_files(path)], "order_hive": path.is_dir(), "cid_offset": cid_offset}


# -- cache files -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _base_fingerprint() -> str:
    """A hash of how the base is built (each base file with its includes), so a changed base SQL never reads
    an old cache."""
    h = hashlib.sha1()
    for f in sorted(SQL_DIR.glob("base_*.sql")):
        h.update(load_sql(f.stem).encode())
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


def save_cache(engine: Any, folders: list[Path]) -> Path | None:
    """Write the base tables and meta to a DuckDB file (aside, then renamed); None when no folder is writable."""
    for folder in folders:
        target = cache_file(folder, engine.ds)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            cur = engine.cursor()
            # A path is no SQL value that ATTACH takes as a parameter; it is quoted as a literal here.
            cur.execute(f"attach {lit(str(tmp))} as base_cache")
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
        prune_caches(folder)
        return target
    return None


def prune_caches(folder: Path) -> None:
    """Keep the newest _KEEP_CACHES cache files of a folder (the previous one is what a refresh starts from)."""
    from retention import results

    for old in sorted(folder.glob("base-*.duckdb"), key=lambda f: f.stat().st_mtime, reverse=True)[_KEEP_CACHES:]:
        old.unlink(missing_ok=True)
    for store in folder.glob("base-*.results"):  # the stored query results go with their base file
        if not store.with_suffix(".duckdb").exists():
            results.remove_for(store.with_suffix(".duckdb"))


def load_cache(ds: Dataset, folders: list[Path], open_file: Callable[[Path], Any]) -> Any | None:
    """An engine over a cached base (`open_file(path)` opens it read-only), or None when there is no usable
    cache. The engine remembers the file it was read from (`loaded_from`)."""
    for folder in folders:
        path = cache_file(folder, ds)
        if not path.is_file():
            continue
        try:
            eng = open_file(path)
            meta = json.loads(eng.cursor().execute("select meta from meta").fetchall()[0][0])
        except (duckdb.Error, ValueError, KeyError, IndexError):
            continue
        for key in ("default_as_of", "first_order_date"):
            meta[key] = dt.date.fromisoformat(meta[key]) if meta.get(key) else None
        eng.meta.update(meta)
        eng.loaded_from = path
        return eng
    return None
