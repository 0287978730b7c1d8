"""Refreshing the base tables when order files are appended (retention/refresh.py): the refreshed base equals a
full rebuild table by table, and so do the reports; any other change rebuilds everything; a broken appended
file is the load's clear error and leaves the old base as it was."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention import db, refresh
from retention.errors import DataError
from retention.params import Params
from retention.queries import cohorts, kpis, lifecycle, rfm, winback

START = dt.datetime(2024, 1, 1, 6)
IDS = ["a", "b", "c", "d", "e", "k9", "m", "x", "zz", "0new"]
# Amounts whose sums are exact in binary floating point: a refresh adds the appended rows' sums to the old
# ones, a full build sums every row in whatever order its threads meet them.
AMOUNTS = [None, -5.0, -0.5, 0.0, 2.5, 10.0, 7.25, 120.0]


def rows_until(last_day: int):
    return st.tuples(
        st.sampled_from(IDS),
        st.integers(0, last_day),  # day
        st.integers(0, 23),  # hour (a zone other than UTC moves some rows to the next or the previous day)
        st.sampled_from(AMOUNTS),
        st.sampled_from([None, 0.0, 1.5, 4.0]),  # cost
    )


row = rows_until(120)


def orders_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [START + dt.timedelta(days=r[1], hours=r[2]) for r in rows],
            "amount": [r[3] for r in rows],
            "cost": [r[4] for r in rows],
        },
        schema={
            "customer_id": pl.String,
            "ordered_at": pl.Datetime("us", "UTC"),
            "amount": pl.Float64,
            "cost": pl.Float64,
        },
    )


def write_folder(folder: Path, base_rows: list[tuple]) -> Path:
    (folder / "orders").mkdir(parents=True)
    orders_frame(base_rows).write_parquet(folder / "orders" / "p0.parquet")
    pl.DataFrame(
        {
            "customer_id": ["a", "c", "m", "prospect", "x"],
            "signed_up_at": [START.date() - dt.timedelta(days=i) for i in range(5)],
            "region": ["North", "South", None, "North", "East"],
        }
    ).write_parquet(folder / "customers.parquet")
    pl.DataFrame(
        {
            "customer_id": ["b", "gone"],
            "churned_at": [dt.date(2024, 3, 1), dt.date(2024, 2, 1)],
            "reason": ["Price ", "moved"],
        }
    ).write_parquet(folder / "churn_reasons.parquet")
    pl.DataFrame(
        {
            "customer_id": ["a", "b", "zz"],
            "contacted_at": [dt.date(2024, 2, 1), dt.date(2024, 2, 10), dt.date(2024, 3, 1)],
            "campaign": ["spring", "spring", "late"],
        }
    ).write_parquet(folder / "contacts.parquet")
    return folder


def append(folder: Path, name: str, rows: list[tuple]) -> Path:
    time.sleep(0.002)  # a newer mtime than every older file (ties fall back to the name, also in order)
    path = folder / "orders" / f"{name}.parquet"
    orders_frame(rows).write_parquet(path)
    return path


def tables_of(ds) -> dict[str, pl.DataFrame]:
    eng = db.engine(ds)
    return {t: eng.sql(f"select * from {t}").sort(pl.all(), nulls_last=True) for t in db.BASE_TABLES}


def reports_of(ds) -> dict[str, pl.DataFrame]:
    p = Params(as_of=db.engine(ds).meta["default_as_of"], window=30)
    return {
        "cohorts": cohorts.cohort_table(ds, p),
        "cohorts_active": cohorts.active_table(ds, p),
        "kpis": kpis.kpi_table(ds, p),
        "lifecycle": lifecycle.customer_statuses(ds, p).sort("customer_id"),
        "rfm": rfm.rfm_table(ds, p).sort("customer_id"),
        "winback": winback.winback_facts(ds, p),
    }


def full_rebuild(folder: Path, tmp: Path, timezone: str):
    """The same files in another folder (mtimes kept), opened without any cache."""
    copy = tmp / f"full-{folder.name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".retention-cache"))
    return db.open_dataset(copy, timezone=timezone, use_cache=False)


KINDS_SEEN: set[str] = set()  # the property test meets both kinds of touched customer (test below)

# Appended rows reach later days too (base rows end at day 120): the daily case, where only new days follow.
later_row = rows_until(150)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base_rows=st.lists(row, min_size=1, max_size=25),
    appended=st.lists(st.lists(later_row, min_size=0, max_size=12), min_size=1, max_size=3),
    timezone=st.sampled_from(["UTC", "Asia/Shanghai"]),
)
def test_refresh_equals_a_full_rebuild(tmp_path_factory, base_rows, appended, timezone):
    tmp = tmp_path_factory.mktemp("refresh")
    folder = write_folder(tmp / "data", base_rows)
    db.open_dataset(folder, timezone=timezone)
    for i, rows in enumerate(appended, start=1):
        append(folder, f"p{i}", rows)
        refresh.last_timings.clear()
        ds = db.open_dataset(folder, timezone=timezone)
        assert refresh.last_timings, "the append was not refreshed"
        KINDS_SEEN.update(k for k, v in refresh.last_counts.items() if v and k.endswith("customers"))
        assert db.engine(ds).loaded_from is not None
    assert_same_as_full(ds, folder, tmp, timezone)


def assert_same_as_full(ds, folder: Path, tmp: Path, timezone: str = "UTC") -> None:
    full = full_rebuild(folder, tmp, timezone)
    got, want = tables_of(ds), tables_of(full)
    for name in db.BASE_TABLES:
        assert got[name].equals(want[name]), f"{name} differs:\n{got[name]}\n{want[name]}"
    meta_got, meta_want = db.engine(ds).meta, db.engine(full).meta
    assert {k: v for k, v in meta_got.items()} == {k: v for k, v in meta_want.items()}
    reports_got, reports_want = reports_of(ds), reports_of(full)
    for name, frame in reports_want.items():
        assert reports_got[name].equals(frame), f"report {name} differs:\n{reports_got[name]}\n{frame}"


def test_the_property_test_met_both_kinds():
    if not KINDS_SEEN:
        pytest.skip("runs after the property test")
    assert KINDS_SEEN == {"tail customers", "redo customers"}


ROWS = [("a", 1, 8, 10.0, None), ("b", 3, 9, 5.0, 1.0), ("a", 20, 10, 7.25, None), ("c", 40, 11, -5.0, None)]


def test_changed_file_rebuilds_everything(tmp_path, monkeypatch):
    folder = write_folder(tmp_path / "data", ROWS)
    db.open_dataset(folder)
    append(folder, "p1", ROWS[:1])
    db.open_dataset(folder)
    time.sleep(0.002)
    # p0 rewritten (every cache holds it), p2 appended. (p1 rewritten alone would refresh from the cache
    # of p0 only, which the first open left: p1 and p2 are both new to it.)
    orders_frame(ROWS[:2]).write_parquet(folder / "orders" / "p0.parquet")
    append(folder, "p2", ROWS[2:])
    monkeypatch.setattr(refresh, "_apply", _refuse)
    ds = db.open_dataset(folder)
    assert db.engine(ds).meta["order_rows"] == 2 + 1 + 2


def test_removed_file_rebuilds_everything(tmp_path, monkeypatch):
    folder = write_folder(tmp_path / "data", ROWS)
    db.open_dataset(folder)
    append(folder, "p1", ROWS)
    db.open_dataset(folder)
    (folder / "orders" / "p0.parquet").unlink()
    append(folder, "p2", ROWS[:1])
    monkeypatch.setattr(refresh, "_apply", _refuse)
    ds = db.open_dataset(folder)
    assert db.engine(ds).meta["order_rows"] == len(ROWS) + 1


def test_other_changes_rebuild_everything(tmp_path, monkeypatch):
    folder = write_folder(tmp_path / "data", ROWS)
    db.open_dataset(folder)
    monkeypatch.setattr(refresh, "_apply", _refuse)
    # another table changed besides the append
    append(folder, "p1", ROWS[:1])
    time.sleep(0.002)
    (folder / "churn_reasons.parquet").write_bytes((folder / "churn_reasons.parquet").read_bytes())
    db.open_dataset(folder)
    # a new column
    time.sleep(0.002)
    orders_frame(ROWS[:1]).with_columns(pl.lit("web").alias("store")).write_parquet(folder / "orders" / "p2.parquet")
    db.open_dataset(folder)
    # an appended file older than the others (its keys would not come last)
    path = append(folder, "p3", ROWS[:1])
    old = (folder / "orders" / "p0.parquet").stat().st_mtime_ns
    import os

    os.utime(path, ns=(old, old - 1))
    ds = db.open_dataset(folder)
    assert db.engine(ds).meta["order_rows"] == len(ROWS) + 3


def _refuse(*args, **kwargs):
    raise AssertionError("refreshed although only a full rebuild fits")


def test_bad_appended_file_is_an_error_and_the_old_base_stays(tmp_path):
    folder = write_folder(tmp_path / "data", ROWS)
    ds = db.open_dataset(folder)
    cache = db.engine(ds).loaded_from or next((folder / ".retention-cache").glob("base-*.duckdb"))
    before = (cache.stat().st_size, cache.stat().st_mtime_ns)
    caches = sorted((folder / ".retention-cache").iterdir())
    time.sleep(0.002)
    bad = folder / "orders" / "p1.parquet"
    pl.DataFrame(
        {"customer_id": ["a", None], "ordered_at": [START, START], "amount": [1.0, 2.0], "cost": [None, None]},
        schema={
            "customer_id": pl.String,
            "ordered_at": pl.Datetime("us", "UTC"),
            "amount": pl.Float64,
            "cost": pl.Float64,
        },
    ).write_parquet(bad)
    with pytest.raises(DataError) as err:
        db.open_dataset(folder)
    message = str(err.value)
    assert str(bad) in message and "customer_id" in message and "1 row" in message
    assert sorted((folder / ".retention-cache").iterdir()) == caches  # no new cache, no temporary file left
    assert (cache.stat().st_size, cache.stat().st_mtime_ns) == before
    # Fixed: the refresh runs from the untouched old base.
    time.sleep(0.002)
    orders_frame(ROWS[:1]).write_parquet(bad)
    refresh.last_timings.clear()
    ds = db.open_dataset(folder)
    assert refresh.last_timings
    assert db.engine(ds).meta["order_rows"] == len(ROWS) + 1


def test_a_pair_that_loses_its_last_purchase_day_loses_its_row(tmp_path):
    """(Jan 1, Jan 3) holds purchase days that open nothing (all counts 0): when a's first day moves earlier it
    leaves, and the pair keeps its row only while b's day is still in it."""
    days = [0, 1, 2]  # 2024-01-01 is a Monday: Jan 2 and Jan 3 open no week, month or quarter
    for with_b in (True, False):
        rows = [("a", day, 8, 10.0, None) for day in days] + [("b", day, 8, 5.0, None) for day in days if with_b]
        folder = write_folder(tmp_path / f"data{with_b}", rows)
        db.open_dataset(folder)
        append(folder, "p1", [("a", -1, 8, 3.0, None)])
        refresh.last_timings.clear()
        ds = db.open_dataset(folder)
        assert refresh.last_timings
        pairs = db.engine(ds).sql(
            "select * from cohort_days where first_day = date '2024-01-01' and day = date '2024-01-03'"
        )
        assert pairs.height == (1 if with_b else 0)
        assert_same_as_full(ds, folder, tmp_path)


def test_the_first_append_turns_orders_parquet_into_a_folder_and_refreshes(tmp_path):
    """`import --append` on a single orders.parquet moves it into orders/ as the first part (a link: same size
    and mtime) and adds the new rows as the second: the base of the single file still serves."""
    import os

    folder = write_folder(tmp_path / "data", ROWS)
    first = folder / "orders" / "p0.parquet"
    os.replace(first, folder / "orders.parquet")
    (folder / "orders").rmdir()
    db.open_dataset(folder)
    (folder / "orders").mkdir()
    os.link(folder / "orders.parquet", folder / "orders" / "part-000001.parquet")
    append(folder, "part-000002", [("a", 60, 8, 4.0, None), ("new", 61, 9, 2.5, 1.0)])
    (folder / "orders.parquet").unlink()
    refresh.last_timings.clear()
    ds = db.open_dataset(folder)
    assert refresh.last_timings
    assert_same_as_full(ds, folder, tmp_path)
