"""`import --append` writes the new rows as one more file of an orders/ folder (issue 23): the files already
there stay byte for byte, a single orders.parquet becomes that folder once, and a kill at any step leaves the
table in use whole."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from retention import db, importer
from tests.test_import import ROOT, _env, import_killed_at, seed_orders
from tests.test_presets import orders_of

D = dt.date
APPEND = importer.Options(append=True)


def csv(tmp_path: Path, name: str, rows: list[tuple]) -> Path:
    path = tmp_path / name
    path.write_text("customer_id,ordered_at,amount,order_id\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def first_table(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    importer.import_file(csv(tmp_path, "day1.csv", [("a", "2024-01-01", 5, "O1"), ("b", "2024-01-02", 7, "O2")]),
                         "orders", data, {}, "UTC")  # fmt: skip
    return data


def parts(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "orders").iterdir())


def total_rows(data: Path) -> int:
    ds = db.open_dataset(data, "UTC", use_cache=False)
    return int(db.engine(ds).meta["order_rows"])


def test_the_first_append_turns_the_file_into_a_folder_with_the_old_file_as_part_one(tmp_path):
    data = first_table(tmp_path)
    old = (data / "orders.parquet").read_bytes()
    old_inode = (data / "orders.parquet").stat().st_ino
    version = db.data_version(data)
    src = csv(tmp_path, "day2.csv", [("a", "2024-01-03", 9, "O3"), ("b", "2024-01-02", 7, "O2")])
    result = importer.run_import(src, "orders", data, {}, "UTC", APPEND)

    assert not (data / "orders.parquet").exists()
    first, second = parts(data)
    assert first.startswith("part-000001-") and second.startswith("part-000002-")
    assert (data / "orders" / first).read_bytes() == old  # moved in, not rewritten
    assert (data / "orders" / first).stat().st_ino == old_inode
    assert pl.read_parquet(data / "orders" / second)["order_id"].to_list() == ["O3"]  # only the new row
    assert result.message.startswith(f"orders: 1 rows from {src} added to {data / 'orders' / second}")
    assert f"the previous version is kept as {data / '_history' / 'orders'}" in result.message
    s = result.summary
    assert (s.rows_written, s.skipped_existing, s.orders, s.refunds) == (1, 1, 1, 0)
    assert importer.history("orders", data)[0].path.read_bytes() == old
    assert orders_of(data) == [("a", D(2024, 1, 1), 5.0, "O1"), ("a", D(2024, 1, 3), 9.0, "O3"),
                               ("b", D(2024, 1, 2), 7.0, "O2")]  # fmt: skip
    assert db.data_version(data) != version and total_rows(data) == 3
    assert not [p for p in data.iterdir() if p.name.startswith(".import-")]


def test_a_later_append_only_adds_a_file(tmp_path):
    data = first_table(tmp_path)
    importer.import_file(csv(tmp_path, "day2.csv", [("a", "2024-01-03", 9, "O3")]), "orders", data, {}, "UTC", APPEND)
    before = {name: (data / "orders" / name).stat() for name in parts(data)}
    bytes_before = {name: (data / "orders" / name).read_bytes() for name in parts(data)}
    src = csv(tmp_path, "day3.csv", [("c", "2024-01-04", -2, "O4-refund"), ("c", "2024-01-04", 11, "O4"),
                                     ("a", "2024-01-03", 9, "O3")])  # fmt: skip
    result = importer.run_import(src, "orders", data, {}, "UTC", APPEND)

    names = parts(data)
    assert names[:2] == list(before) and names[2].startswith("part-000003-")
    for name, st in before.items():  # the files in use are not touched: same bytes, same mtime
        now = (data / "orders" / name).stat()
        assert (now.st_mtime_ns, now.st_size, now.st_ino) == (st.st_mtime_ns, st.st_size, st.st_ino)
        assert (data / "orders" / name).read_bytes() == bytes_before[name]
    assert sorted(pl.read_parquet(data / "orders" / names[2])["order_id"].to_list()) == ["O4", "O4-refund"]
    s = result.summary
    assert (s.rows_written, s.skipped_existing, s.orders, s.refunds) == (2, 1, 1, 1)
    assert "already in the table (same order_id), skipped: 1" in s.lines()
    assert total_rows(data) == 5

    # The previous version is kept as links; restoring it undoes the append.
    kept = importer.history("orders", data)[0]
    assert kept.path.is_dir() and sorted(p.name for p in kept.path.iterdir()) == list(before)
    importer.restore("orders", data, kept.name, "UTC")
    assert [r[3] for r in orders_of(data)] == ["O1", "O3", "O2"]


def test_ids_the_folder_holds_as_numbers_and_the_export_as_text_are_merged_into_one_file(tmp_path):
    """Files of one folder must agree on a column's kind (the engine refuses them otherwise): such an append
    writes the whole table as one file, as before."""
    data = tmp_path / "data"
    (data / "orders").mkdir(parents=True)
    pl.DataFrame({"customer_id": ["a"], "ordered_at": [D(2024, 1, 1)], "amount": [1.0], "order_id": [1]}).write_parquet(
        data / "orders" / "2024.parquet"
    )
    importer.import_file(csv(tmp_path, "o.csv", [("b", "2024-02-01", 2, "#2")]), "orders", data, {}, "UTC", APPEND)
    assert (data / "orders.parquet").is_file() and not (data / "orders").exists()
    assert orders_of(data) == [("a", D(2024, 1, 1), 1.0, "1"), ("b", D(2024, 2, 1), 2.0, "#2")]


@pytest.mark.parametrize(("ids", "as_part"), [(["3", "4"], True), (["5", "0042"], False), (["6", "-7"], True)])
def test_integer_ids_in_a_csv_join_a_table_of_integer_ids_as_a_part(tmp_path, ids, as_part):
    """A CSV's ids are text; when each is an integer written as such they are written as the table's integers
    (the sample's ids are numbers), else the table is merged into one file with text ids."""
    data = tmp_path / "data"
    data.mkdir()
    pl.DataFrame({"customer_id": ["a"], "ordered_at": [D(2024, 1, 1)], "amount": [1.0], "order_id": [1]}).write_parquet(
        data / "orders.parquet"
    )
    rows = [("b", "2024-02-01", 2, ids[0]), ("c", "2024-02-02", 3, ids[1]), ("a", "2024-01-01", 1, "1")]
    result = importer.run_import(csv(tmp_path, "o.csv", rows), "orders", data, {}, "UTC", APPEND)
    assert result.summary.skipped_existing == 1
    if as_part:
        assert len(parts(data)) == 2
        assert pl.read_parquet(data / "orders" / parts(data)[1])["order_id"].to_list() == [int(i) for i in ids]
    else:
        assert (data / "orders.parquet").is_file() and not (data / "orders").exists()
    assert sorted(r[3] for r in orders_of(data)) == sorted(["1", *(str(int(i)) if as_part else i for i in ids)])
    assert total_rows(data) == 3


def test_a_hive_partitioned_folder_is_merged_into_one_file(tmp_path):
    data = tmp_path / "data"
    (data / "orders" / "year=2024").mkdir(parents=True)
    pl.DataFrame(
        {"customer_id": ["a"], "ordered_at": [D(2024, 1, 1)], "amount": [1.0], "order_id": ["X"]}
    ).write_parquet(data / "orders" / "year=2024" / "p.parquet")
    importer.import_file(csv(tmp_path, "o.csv", [("b", "2024-02-01", 2, "Y")]), "orders", data, {}, "UTC", APPEND)
    assert (data / "orders.parquet").is_file()
    assert [r[3] for r in orders_of(data)] == ["X", "Y"]


def test_dates_of_other_types_in_the_parts_are_read_as_one_table(tmp_path):
    data = tmp_path / "data"
    seed_orders(data)  # DATE dates, no order_id
    src = tmp_path / "o.csv"
    src.write_text("customer_id,ordered_at,amount,order_id\nc,2024-03-01 23:00:00-05:00,5,X1\n")
    importer.import_file(src, "orders", data, {}, "UTC", APPEND)
    assert len(parts(data)) == 2
    ds = db.open_dataset(data, "UTC", use_cache=False)
    meta = db.engine(ds).meta
    assert (meta["order_rows"], meta["first_order_date"], meta["default_as_of"]) == (3, D(2024, 1, 1), D(2024, 3, 2))


def test_a_dry_run_of_an_append_leaves_the_folder_as_it_is(tmp_path):
    data = first_table(tmp_path)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in data.iterdir())
    result = importer.dry_run(csv(tmp_path, "d.csv", [("a", "2024-01-05", 1, "O9")]), "orders", data, {}, "UTC", APPEND)
    assert result.summary.rows_written == 1
    assert sorted((p.name, p.stat().st_mtime_ns) for p in data.iterdir()) == before


def test_a_kill_between_moving_the_folder_in_and_removing_the_file_leaves_the_old_table(tmp_path):
    data = first_table(tmp_path)
    old = (data / "orders.parquet").read_bytes()
    src = csv(tmp_path, "day2.csv", [("c", "2024-01-03", 3, "O3")])
    import_killed_at("converted", src, data, "--append")
    # Both are there; the file wins (db.find_table), so the table in use is the old one, whole.
    assert (data / "orders.parquet").read_bytes() == old and (data / "orders").is_dir()
    assert db.find_table(data, "orders") == data / "orders.parquet" and total_rows(data) == 2
    # The next append puts the unfinished folder aside and converts again: the row is added once.
    importer.import_file(src, "orders", data, {}, "UTC", APPEND)
    assert not (data / "orders.parquet").exists() and len(parts(data)) == 2
    assert [r[3] for r in orders_of(data)] == ["O1", "O2", "O3"]


@pytest.mark.parametrize("step", ["merged", "written", "history"])
def test_a_kill_during_an_append_to_a_folder_leaves_its_files(tmp_path, step):
    data = first_table(tmp_path)
    importer.import_file(csv(tmp_path, "day2.csv", [("a", "2024-01-03", 9, "O3")]), "orders", data, {}, "UTC", APPEND)
    before = {name: (data / "orders" / name).read_bytes() for name in parts(data)}
    src = csv(tmp_path, "day3.csv", [("c", "2024-01-04", 4, "O4")])
    import_killed_at(step, src, data, "--append")
    assert {name: (data / "orders" / name).read_bytes() for name in parts(data)} == before
    importer.import_file(src, "orders", data, {}, "UTC", APPEND)
    assert [r[3] for r in orders_of(data)] == ["O1", "O3", "O2", "O4"]
    assert not [p for p in (data / "_history" / "orders").iterdir() if p.name.endswith(".tmp")]


def test_the_cli_append_prints_the_new_file(tmp_path):
    data = first_table(tmp_path)
    src = csv(tmp_path, "day2.csv", [("a", "2024-01-03", 9, "O3")])
    run = subprocess.run(
        [sys.executable, "-m", "retention", "import", str(src), "--table", "orders", "--data", str(data), "--append"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert f"added to {data / 'orders' / 'part-000002-'}" in run.stdout
    assert os.path.isdir(data / "orders")
