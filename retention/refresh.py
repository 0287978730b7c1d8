"""Refreshing the base tables when order files are appended (issue 23, part 1): only the customers with new rows
are computed again, and the roll-ups adjusted; the result is the full build's (tests/test_refresh.py).

`open_dataset` (retention/db.py) calls `refresh_base` when no cache holds the current data version. It takes
the newest cache of the same time zone and base SQL whose file manifest (name, size, mtime_ns of every file
of every table, kept in the cache meta) shows that the only change is new files in the orders folder:

- every old file unchanged, no file removed, the other tables' files unchanged;
- each new file newer than every old one (modification time, then name: the order the customer keys follow,
  sql/_base_ids_numbered.sql), so new customers get keys after every existing one and no key changes;
- each new file with no column the orders did not have, the same type for each column, and every order
  column (customer_id, ordered_at, amount, cost) the orders have, so every expression reads as before.

Anything else (a changed or removed file, another table changed, a new column, another time zone, a changed
base SQL) returns None and the caller builds everything. The new rows are checked by the input rules of a
full load (retention/validate.py), file by file: a broken file is the same DataError naming it, and the old
cache stays untouched, since the refresh works on a copy of the cache file written aside and renamed.

The steps (retention/sql/refresh_*.sql, sharing each rule with the full build through its include):
ids (new customers appended), new_days / touched (the appended rows by customer and day), days (merged:
counts and sums add up), pdays (the touched customers' purchase days from all their days), cohort_days (the
(first day, day) pairs the touched customers' old or new rows fall in, counted again), meta (base_meta.sql).
customers_k, attrs, reasons and contacts do not change: their files did not, and no key moved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb

from retention import base
from retention.engine import Engine
from retention.errors import DataError
from retention.sqlfiles import load_sql
from retention.sqltext import date_expr, fill, lit, number_expr
from retention.tables import KNOWN, Dataset, TableInfo, file_manifest, find_table
from retention.validate import check_table

_STEPS = (
    "refresh_ids", "refresh_new_days", "refresh_days", "refresh_pdays", "refresh_pdays_apply",
    "refresh_cohort_days", "refresh_cohort_present", "refresh_cohort_apply",
)  # fmt: skip
# Per statement (file:index, seconds) of the last refresh in this process, for bench/refresh.py.
last_timings: list[tuple[str, float]] = []
last_counts: dict[str, int] = {}  # the touched customers of each kind (tail, redo) and the appended rows


def _candidates(ds: Dataset, folders: list[Path]) -> list[Path]:
    """The cache files of the same zone and base SQL, newest first (the current version's is not there)."""
    current = base.cache_file(Path("."), ds).name
    suffix = current[current.index("-", len("base-")) :]  # "-ZONE-FINGERPRINT.duckdb"
    found = [f for folder in folders if folder.is_dir() for f in folder.glob(f"base-*{suffix}")]
    return sorted(found, key=lambda f: f.stat().st_mtime_ns, reverse=True)


def _read_meta(path: Path) -> dict | None:
    # Attached to an in-memory database: this process may hold the file open already (with other settings).
    try:
        with duckdb.connect() as con:
            con.execute(f"attach {lit(str(path))} as old_base (read_only)")
            return json.loads(con.execute("select meta from old_base.meta").fetchone()[0])
    except (duckdb.Error, ValueError, TypeError, OSError):
        return None


def appended_files(old: dict[str, list], new: dict[str, list]) -> list[str] | None:
    """The order files (relative names) added since manifest `old`, oldest first, when they are the only
    change and rank after every old file; None otherwise."""
    if set(old) != set(new) or any(old[t] != new[t] for t in new if t != "orders"):
        return None
    before = {row[0]: row for row in old.get("orders", [])}
    after = {row[0]: row for row in new.get("orders", [])}
    single = str(Path("orders.parquet"))
    if list(before) == [single] and single not in after:
        # The first append of `import --append` makes orders.parquet the folder's first file (a link or a
        # rename: same size and mtime), then adds the new one.
        moved = [name for name, row in after.items() if row[1:] == before[single][1:]]
        if len(moved) == 1:
            before = {moved[0]: [moved[0], *before[single][1:]]}
    if any(after.get(name) != row for name, row in before.items()):
        return None  # a file changed or was removed
    added = [row for name, row in after.items() if name not in before]
    if not added or not before:
        return None
    key = lambda row: (row[2], row[0])  # noqa: E731 - (mtime_ns, name): tables.ranked_files' order
    if min(map(key, added)) <= max(map(key, before.values())):
        return None
    return [row[0] for row in sorted(added, key=key)]


def _file_columns(con: duckdb.DuckDBPyConnection, file: str, hive: bool) -> dict[str, str] | None:
    try:
        rel = con.read_parquet([file], hive_partitioning=hive)
        return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    except duckdb.Error:
        return None


def _columns_fit(cols: dict[str, str] | None, old: dict[str, str]) -> bool:
    """A new file reads like the old ones: no new column, the same types, every order column the table has."""
    if cols is None:
        return False
    return all(old.get(c) == t for c, t in cols.items()) and all(c in cols for c in KNOWN["orders"] if c in old)


def refresh_base(
    ds: Dataset,
    folders: list[Path],
    today: dt.date,
    open_file: Callable[[Path], Any],
    strict: bool = False,
    **engine_opts: Any,
) -> Any | None:
    """An engine over a base refreshed from the newest usable cache, or None (then build everything).
    Raises DataError when an appended file breaks an input rule (the old cache stays as it was)."""
    data_dir = Path(ds.data_dir)
    orders_path = find_table(data_dir, "orders")
    if orders_path is None or not orders_path.is_dir():
        return None
    manifest = file_manifest(data_dir)
    for old_path in _candidates(ds, folders):
        meta = _read_meta(old_path)
        if not meta or "manifest" not in meta or "order_columns" not in meta:
            continue
        if strict and meta.get("dropped"):
            return None
        added = appended_files(meta["manifest"], manifest)
        if added is None:
            continue
        return _refresh_from(ds, old_path, meta, manifest, added, today, open_file, engine_opts)
    return None


def _refresh_from(
    ds: Dataset,
    old_path: Path,
    meta: dict,
    manifest: dict,
    added: list[str],
    today: dt.date,
    open_file: Callable[[Path], Any],
    engine_opts: dict,
) -> Any | None:
    data_dir = Path(ds.data_dir)
    hive = True  # the orders are a folder (refresh_base)
    new_files = [str(data_dir / name) for name in added]
    old_columns: dict[str, str] = meta["order_columns"]
    started = time.perf_counter()
    timings: list[tuple[str, float]] = []

    # 1. The new files read like the old ones and keep every input rule (each file checked on its own, so a
    #    problem names its file).
    checker = Engine(ds, **engine_opts)
    problems = []
    for file in new_files:
        cols = _file_columns(checker.con, file, hive)
        if not _columns_fit(cols, old_columns):
            return None
        checker.con.read_parquet([file], hive_partitioning=hive).create_view("src_orders", replace=True)
        found = check_table(checker, TableInfo("orders", Path(file), cols), today)
        problems += [p for p in found if not (p.column is None and p.rows == 0)]  # an empty file adds nothing
    checker.con.close()
    timings.append(("check new files (from the start)", time.perf_counter() - started))
    if problems:
        raise DataError(problems)

    # 2. A copy of the old cache, brought up to date, then renamed into place.
    target = base.cache_file(old_path.parent, ds)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        t0 = time.perf_counter()
        shutil.copyfile(old_path, tmp)
        timings.append(("copy cache file", time.perf_counter() - t0))
        _apply(tmp, ds, meta, manifest, new_files, old_columns, engine_opts, timings)
        os.replace(tmp, target)
    except (OSError, duckdb.Error):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return None
    base.prune_caches(target.parent)
    t0 = time.perf_counter()
    engine = base.load_cache(ds, [target.parent], open_file)
    timings.append(("open the new cache", time.perf_counter() - t0))
    timings.append(("total", time.perf_counter() - started))
    last_timings[:] = timings
    return engine


def _apply(
    path: Path,
    ds: Dataset,
    meta: dict,
    manifest: dict,
    new_files: list[str],
    old_columns: dict[str, str],
    engine_opts: dict,
    timings: list[tuple[str, float]],
) -> None:
    config = {"memory_limit": engine_opts.get("memory_limit", "8GB"), "preserve_insertion_order": "false"}
    if engine_opts.get("threads"):
        config["threads"] = str(engine_opts["threads"])
    if engine_opts.get("temp_dir"):
        config["temp_directory"] = str(engine_opts["temp_dir"])
    con = duckdb.connect(str(path), config=config)
    try:
        con.execute("set TimeZone = $tz", {"tz": ds.timezone})
        con.read_parquet(new_files, hive_partitioning=True, union_by_name=True).create_view(
            "src_orders_new", replace=True
        )
        tz = ds.timezone
        frag = {
            "order_date": date_expr("ordered_at", old_columns["ordered_at"], tz),
            "amount": number_expr("amount", old_columns.get("amount")),
            "cost": number_expr("cost", old_columns.get("cost")),
            "orders_source": "src_orders_new",
        }
        n_old = len(meta["manifest"]["orders"])
        offset = con.execute("select coalesce(max(cid), 0) from ids").fetchone()[0]
        params = {"new_files": new_files, "old_files": n_old, "order_hive": True, "cid_offset": offset}
        con.execute("begin transaction")
        for name in _STEPS:
            if name == "refresh_cohort_present" and not con.execute("select count(*) from cohort_check").fetchone()[0]:
                # No pair to look for (the usual case): no scan of pdays.
                con.execute("create or replace temp table cohort_present as select first_day, day from cohort_check")
                continue
            for i, statement in enumerate(fill(load_sql(name), frag).split(";\n\n")):
                used = {k: v for k, v in params.items() if f"${k}" in statement}
                t0 = time.perf_counter()
                con.execute(statement, used or None)
                timings.append((f"{name}:{i + 1}", time.perf_counter() - t0))
        kinds = dict(con.execute("select kind, count(*) from kinds group by kind").fetchall())
        last_counts.clear()
        last_counts.update({f"{k} customers": v for k, v in kinds.items()})
        last_counts["new rows"] = con.execute("select coalesce(sum(n_rows), 0) from new_days").fetchone()[0]
        t0 = time.perf_counter()
        facts = _meta_row(con)
        new_meta = meta | facts | {"manifest": manifest}
        con.execute("delete from meta")
        con.execute("insert into meta select $meta", {"meta": json.dumps(new_meta, default=str)})
        timings.append(("meta", time.perf_counter() - t0))
        t0 = time.perf_counter()
        con.execute("commit")
        timings.append(("commit", time.perf_counter() - t0))
        t0 = time.perf_counter()
        con.execute("checkpoint")
        timings.append(("checkpoint", time.perf_counter() - t0))
    finally:
        con.close()


def _meta_row(con: duckdb.DuckDBPyConnection) -> dict:
    cur = con.execute(load_sql("base_meta"))
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


__all__ = ["appended_files", "last_counts", "last_timings", "refresh_base"]
