"""The import command: CSV or Parquet in, a checked Parquet table out, swapped in atomically with history."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from retention import db, importer
from retention.errors import DataError, InputError

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2024, 6, 30)
BOM = b"\xef\xbb\xbf"


def cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "retention", *args],
        cwd=ROOT,
        env=_env(env_extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETENTION_")}
    env["RETENTION_TIMEZONE"] = "UTC"
    env.update(extra or {})
    return env


def schema(path: Path) -> dict[str, str]:
    return {row[0]: row[1] for row in duckdb.sql(f"describe select * from read_parquet('{path}')").fetchall()}


def rows(path: Path) -> list[tuple]:
    return duckdb.sql(f"select * from read_parquet('{path}')").fetchall()


def write_csv(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    path.write_bytes((BOM if bom else b"") + text.encode(encoding))
    return path


def seed_orders(data: Path) -> bytes:
    """A valid orders table in use; returns its bytes."""
    data.mkdir(exist_ok=True)
    path = data / "orders.parquet"
    pl.DataFrame(
        {"customer_id": ["a", "b"], "ordered_at": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)], "amount": [1.0, 2.0]}
    ).write_parquet(path)
    return path.read_bytes()


def leftovers(data: Path) -> list[str]:
    return sorted(p.name for p in data.iterdir() if p.name.startswith(".import-") or ".tmp" in p.name)


# -- good files -------------------------------------------------------------------------------------


def test_semicolon_csv_with_bom_becomes_a_parquet_table(tmp_path):
    src = write_csv(
        tmp_path / "export.csv",
        "customer_id;ordered_at;amount;shop\r\n1001;2024-03-01;12.50;Köln\r\n1002;2024-03-02;-3;Bonn\r\n1001;2024-03-05;;Köln\r\n",
        bom=True,
    )
    data = tmp_path / "data"
    message = importer.import_file(src, "orders", data, {}, "UTC")
    target = data / "orders.parquet"
    assert message == f"orders: 3 rows from {src} written to {target}"
    assert schema(target) == {"customer_id": "VARCHAR", "ordered_at": "DATE", "amount": "DOUBLE", "shop": "VARCHAR"}
    assert sorted(rows(target)) == [
        ("1001", dt.date(2024, 3, 1), 12.5, "Köln"),
        ("1001", dt.date(2024, 3, 5), None, "Köln"),
        ("1002", dt.date(2024, 3, 2), -3.0, "Bonn"),
    ]
    ds = db.open_dataset(data, "UTC", today=TODAY)
    assert db.engine(ds).meta["order_rows"] == 3
    assert leftovers(data) == []


@pytest.mark.parametrize(
    ("values", "duck_type", "first"),
    [
        (["2024-03-01", "2024-03-02"], "DATE", dt.date(2024, 3, 1)),
        (["2024-03-01 10:00", "2024-03-02"], "TIMESTAMP", dt.datetime(2024, 3, 1, 10, 0)),
        (["2024-03-01T10:00:00+02:00", "2024-03-02 09:00"], "TIMESTAMP WITH TIME ZONE", dt.datetime(2024, 3, 1, 8, 0)),
    ],
)
def test_dates_are_written_as_date_timestamp_or_timestamptz(tmp_path, values, duck_type, first):
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\n" + "".join(f"a,{v}\n" for v in values))
    importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    target = tmp_path / "data" / "orders.parquet"
    assert schema(target)["ordered_at"] == duck_type
    got = duckdb.sql(f"select min(ordered_at) from read_parquet('{target}')").fetchall()[0][0]
    if isinstance(got, dt.datetime) and got.tzinfo:
        got = got.astimezone(dt.UTC).replace(tzinfo=None)
    assert got == first


def test_naive_times_next_to_offsets_are_taken_in_the_configured_zone(tmp_path):
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\na,2024-03-01 23:30\nb,2024-03-01T12:00:00Z\n")
    importer.import_file(src, "orders", tmp_path / "data", {}, "Asia/Tokyo")
    target = tmp_path / "data" / "orders.parquet"
    got = dict(duckdb.sql(f"select customer_id, epoch(ordered_at) from read_parquet('{target}')").fetchall())
    assert got["a"] == dt.datetime(2024, 3, 1, 14, 30, tzinfo=dt.UTC).timestamp()  # 23:30 in Tokyo


def test_cp1252_tab_separated_customers_with_renamed_column(tmp_path):
    src = write_csv(
        tmp_path / "kunden.txt",
        "Kundennummer\tRegion\tAnmeldung\n7\tSüd €\t2024-01-02\n8\tNord\t\n",
        encoding="cp1252",
    )
    data = tmp_path / "data"
    importer.import_file(src, "customers", data, {"customer_id": "Kundennummer", "signed_up_at": "Anmeldung"}, "UTC")
    target = data / "customers.parquet"
    assert schema(target) == {"customer_id": "VARCHAR", "Region": "VARCHAR", "signed_up_at": "DATE"}
    assert sorted(rows(target)) == [("7", "Süd €", dt.date(2024, 1, 2)), ("8", "Nord", None)]


def test_latin1_bytes_that_are_not_cp1252_still_import(tmp_path):
    src = tmp_path / "c.csv"
    src.write_bytes(b"customer_id,note\n1,a\x81b\n")
    importer.import_file(src, "customers", tmp_path / "data", {}, "UTC")
    assert rows(tmp_path / "data" / "customers.parquet") == [("1", "a\x81b")]


def test_pipe_csv_through_the_cli_with_column_mapping(tmp_path):
    src = write_csv(
        tmp_path / "c.csv",
        "Kunde|Datum|Aktion|Kanal|Kosten|Gruppe\n1|2024-05-01|spring|email|0.25|Control\n2|2024-05-01|spring|sms||\n",
    )
    data = tmp_path / "data"
    run = cli(
        "import",
        str(src),
        "--table",
        "contacts",
        "--data",
        str(data),
        "--column",
        "customer_id=Kunde",
        "--column",
        "contacted_at=Datum,campaign=Aktion,cost=Kosten,group=Gruppe",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"contacts: 2 rows from {src} written to {data / 'contacts.parquet'}"
    target = data / "contacts.parquet"
    assert schema(target) == {
        "customer_id": "VARCHAR",
        "contacted_at": "DATE",
        "campaign": "VARCHAR",
        "Kanal": "VARCHAR",
        "cost": "DOUBLE",
        "group": "VARCHAR",
    }


def test_contract_names_are_matched_regardless_of_case_and_spaces(tmp_path):
    src = write_csv(tmp_path / "o.csv", " Customer_ID , Ordered_At ,AMOUNT\na,2024-01-01,1\n")
    importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    assert list(schema(tmp_path / "data" / "orders.parquet")) == ["customer_id", "ordered_at", "amount"]


def test_quoted_fields_and_hash_signs_are_read_as_written(tmp_path):
    src = write_csv(
        tmp_path / "o.csv", 'customer_id,ordered_at,note\n#1,2024-01-01,"a, b"\n2,2024-01-02,"say ""hi"""\n'
    )
    importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    assert sorted(rows(tmp_path / "data" / "orders.parquet")) == [
        ("#1", dt.date(2024, 1, 1), "a, b"),
        ("2", dt.date(2024, 1, 2), 'say "hi"'),
    ]


def test_parquet_file_is_imported_with_number_text_converted(tmp_path):
    src = tmp_path / "in.parquet"
    pl.DataFrame({"cid": [1, 2], "ordered_at": ["2024-01-01", "2024-01-02"], "amount": ["1.5", None]}).write_parquet(
        src
    )
    importer.import_file(src, "orders", tmp_path / "data", {"customer_id": "cid"}, "UTC")
    target = tmp_path / "data" / "orders.parquet"
    assert schema(target) == {"customer_id": "BIGINT", "ordered_at": "DATE", "amount": "DOUBLE"}
    db.open_dataset(tmp_path / "data", "UTC", today=TODAY)


def test_a_table_other_than_orders_is_checked_alone(tmp_path):
    src = write_csv(tmp_path / "r.csv", "customer_id,churned_at,reason,category\na,2024-01-01,price,Controllable\n")
    data = tmp_path / "data"
    importer.import_file(src, "churn_reasons", data, {}, "UTC")  # no orders table yet: fine
    assert (data / "churn_reasons.parquet").is_file() and not (data / "orders.parquet").exists()


# -- bad files: nothing changes ---------------------------------------------------------------------


def test_broken_csv_exits_2_and_leaves_the_old_table_byte_identical(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id;ordered_at;amount\n1;2024-03-01;12,50\n2;31/02/2024;3\n")
    run = cli("import", str(src), "--table", "orders", "--data", str(data))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{src}, column 'amount': 1 row; example: '12,50'; expected a number with a dot" in run.stderr
    assert f"{src}, column 'ordered_at': 1 row; example: '31/02/2024'; expected an ISO-8601 date" in run.stderr
    assert (data / "orders.parquet").read_bytes() == old
    assert not (data / "_history").exists()
    assert leftovers(data) == []


def test_future_orders_are_refused(tmp_path):
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\na,2999-01-01\n")
    with pytest.raises(DataError) as err:
        importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    assert "column 'ordered_at': 1 row; example: '2999-01-01'; expected a date on or before today" in str(err.value)


def test_renamed_column_is_named_in_the_message(tmp_path):
    src = write_csv(tmp_path / "o.csv", "Kunde,ordered_at\n,2024-01-01\n")
    with pytest.raises(DataError) as err:
        importer.import_file(src, "orders", tmp_path / "data", {"customer_id": "Kunde"}, "UTC")
    assert "column 'customer_id (file column Kunde)': 1 row" in str(err.value)


def test_missing_required_column_suggests_the_mapping(tmp_path):
    src = write_csv(tmp_path / "o.csv", "Kunde,ordered_at\n1,2024-01-01\n")
    with pytest.raises(DataError) as err:
        importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    assert "column 'customer_id': 1 row; expected a column named 'customer_id'" in str(err.value)
    assert "--column customer_id=SOURCE" in str(err.value)


def test_ragged_csv_names_the_line(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at,amount\na,2024-01-01,1\nb,2024-01-02,1,5\n")
    with pytest.raises(InputError) as err:
        importer.import_file(src, "orders", data, {}, "UTC")
    assert str(err.value).startswith(f"{src}, line 3: 4 fields; example: 'b,2024-01-02,1,5'; expected 3 fields")
    assert (data / "orders.parquet").read_bytes() == old


def test_text_file_named_parquet_gives_a_clear_message(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    fake = tmp_path / "orders.parquet"
    fake.write_text("customer_id,ordered_at\na,2024-01-01\n")
    run = cli("import", str(fake), "--table", "orders", "--data", str(data))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{fake} is named like a Parquet file but is not one" in run.stderr
    assert (data / "orders.parquet").read_bytes() == old


def test_truncated_parquet_gives_a_clear_message(tmp_path):
    src = tmp_path / "cut.parquet"
    pl.DataFrame({"customer_id": ["a"] * 100, "ordered_at": [dt.date(2024, 1, 1)] * 100}).write_parquet(src)
    src.write_bytes(src.read_bytes()[:-20])
    with pytest.raises(InputError, match="has no Parquet footer"):
        importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p / "missing.csv", "does not exist"),
        (lambda p: (p / "folder").mkdir() or p / "folder", "is a folder"),
        (lambda p: (p / "book.xlsx").write_bytes(b"PK\x03\x04rest") and p / "book.xlsx", "Excel workbook"),
        (lambda p: (p / "blob.bin").write_bytes(b"\x00\x01\x02abc") and p / "blob.bin", "binary file"),
        (lambda p: (p / "empty.csv").write_bytes(b"") or p / "empty.csv", "is empty"),
    ],
)
def test_files_that_are_neither_csv_nor_parquet(tmp_path, make, expected):
    path = make(tmp_path)
    run = cli("import", str(path), "--table", "orders", "--data", str(tmp_path / "data"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert expected in run.stderr and str(path) in run.stderr


def test_mapping_errors(tmp_path):
    src = write_csv(tmp_path / "o.csv", "Kunde,customer_id,ordered_at\n1,2,2024-01-01\n")
    with pytest.raises(InputError, match="has no column 'Kd'; its columns are: Kunde, customer_id, ordered_at"):
        importer.import_file(src, "orders", tmp_path / "data", {"customer_id": "Kd"}, "UTC")
    with pytest.raises(InputError, match="the columns 'Kunde' and 'customer_id' would both be named 'customer_id'"):
        importer.import_file(src, "orders", tmp_path / "data", {"customer_id": "Kunde"}, "UTC")


def test_duplicate_header_is_refused(tmp_path):
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at,amount,amount\na,2024-01-01,1,2\n")
    with pytest.raises(InputError, match="names the column 'amount' twice"):
        importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")


def test_duplicate_customers_are_refused(tmp_path):
    src = write_csv(tmp_path / "c.csv", "customer_id,plan\na,x\na,y\n")
    with pytest.raises(DataError, match=r"column 'customer_id': 2 rows; example: 'a'; expected each customer_id"):
        importer.import_file(src, "customers", tmp_path / "data", {}, "UTC")


# -- history and restore ----------------------------------------------------------------------------


def test_history_keeps_the_previous_version_byte_identical(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\nz,2024-05-01\n")
    message = importer.import_file(src, "orders", data, {}, "UTC")
    versions = importer.history("orders", data)
    assert len(versions) == 1
    assert versions[0].path.read_bytes() == old
    assert versions[0].path.parent == data / "_history" / "orders"
    assert message.endswith(f"; the previous version is kept as {versions[0].path}")
    assert rows(data / "orders.parquet") == [("z", dt.date(2024, 5, 1))]


def test_history_keeps_the_last_five(tmp_path):
    data = tmp_path / "data"
    for i in range(8):
        src = write_csv(tmp_path / f"o{i}.csv", f"customer_id,ordered_at\nc{i},2024-05-0{i + 1}\n")
        importer.import_file(src, "orders", data, {}, "UTC")
    versions = importer.history("orders", data)
    assert len(versions) == importer.HISTORY_KEEP == 5
    assert [rows(v.path)[0][0] for v in versions] == ["c6", "c5", "c4", "c3", "c2"]  # newest first
    assert versions[0].saved_at >= versions[-1].saved_at
    assert all(v.size_bytes > 0 for v in versions)


def test_restore_brings_back_a_kept_version(tmp_path):
    data = tmp_path / "data"
    seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\nz,2024-05-01\n")
    importer.import_file(src, "orders", data, {}, "UTC")
    first = importer.history("orders", data)[0].name
    message = importer.restore("orders", data, first, "UTC")
    assert message.startswith(f"orders: restored {first} (2 rows)")
    assert sorted(r[0] for r in rows(data / "orders.parquet")) == ["a", "b"]
    assert len(importer.history("orders", data)) == 2  # the replaced one is kept in turn
    with pytest.raises(InputError, match="no kept version named 'nope'"):
        importer.restore("orders", data, "nope", "UTC")


def test_a_table_folder_is_replaced_by_the_file_and_kept(tmp_path):
    data = tmp_path / "data"
    part = data / "orders" / "year=2024"
    part.mkdir(parents=True)
    pl.DataFrame({"customer_id": ["a"], "ordered_at": [dt.date(2024, 1, 1)]}).write_parquet(part / "p0.parquet")
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\nz,2024-05-01\n")
    importer.import_file(src, "orders", data, {}, "UTC")
    assert (data / "orders.parquet").is_file() and not (data / "orders").exists()
    versions = importer.history("orders", data)
    assert len(versions) == 1 and versions[0].path.is_dir()
    assert (versions[0].path / "year=2024" / "p0.parquet").is_file()
    db.open_dataset(data, "UTC", today=TODAY)
    importer.restore("orders", data, versions[0].name, "UTC")  # a folder version comes back as one file
    assert sorted(r[0] for r in rows(data / "orders.parquet")) == ["a"]


# -- kill safety ------------------------------------------------------------------------------------


def start_import(src: Path, data: Path, env_extra: dict | None = None, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "retention", "import", str(src), "--table", "orders", "--data", str(data), *options],
        cwd=ROOT,
        env=_env(env_extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def import_killed_at(step: str, src: Path, data: Path, *options: str) -> None:
    """`import SRC --table orders --data DATA [options]` in a process killed (SIGKILL) where it pauses at step
    (importer.PAUSE_ENV)."""
    proc = start_import(src, data, {importer.PAUSE_ENV: step}, *options)
    try:
        assert proc.stderr.readline().strip() == f"import paused at {step}"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()


def assert_old_table_intact(data: Path, old: bytes) -> None:
    assert (data / "orders.parquet").read_bytes() == old
    ds = db.open_dataset(data, "UTC", today=TODAY)
    assert db.engine(ds).meta["order_rows"] == 2


@pytest.mark.parametrize("step", ["staged", "written", "history"])
def test_killed_import_leaves_the_old_table(tmp_path, step):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\nz,2024-05-01\n")
    import_killed_at(step, src, data)
    assert_old_table_intact(data, old)
    # The next import cleans what the killed one left and goes through.
    importer.import_file(src, "orders", data, {}, "UTC")
    assert rows(data / "orders.parquet") == [("z", dt.date(2024, 5, 1))]
    assert leftovers(data) == []
    assert any(v.path.read_bytes() == old for v in importer.history("orders", data))


def test_killed_right_after_the_swap_leaves_the_new_complete_table(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = write_csv(tmp_path / "o.csv", "customer_id,ordered_at\nz,2024-05-01\n")
    import_killed_at("replaced", src, data)
    assert rows(data / "orders.parquet") == [("z", dt.date(2024, 5, 1))]
    assert importer.history("orders", data)[0].path.read_bytes() == old


def test_killed_while_writing_a_large_file(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = tmp_path / "big.csv"
    with open(src, "w") as f:
        f.write("customer_id,ordered_at,amount\n")
        day = dt.date(2020, 1, 1)
        lines = [f"c{i % 5000},{day + dt.timedelta(days=i % 1500)},{i % 100}.25\n" for i in range(20000)]
        f.writelines(lines * 40)  # 800,000 rows
    whole = tmp_path / "whole"  # what the import writes when nobody stops it
    importer.import_file(src, "orders", whole, {}, "UTC")
    killed = 0
    for delay in (0.4, 1.0, 2.0):
        proc = start_import(src, data)
        time.sleep(delay)
        if proc.poll() is not None:  # finished before the kill: nothing to test at this delay
            assert proc.returncode == 0, proc.stderr.read()
            break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        killed += 1
        # Killed before the swap: the old table, byte for byte; after it (a slow machine): the new one, whole.
        if (data / "orders.parquet").read_bytes() != old:
            assert sorted(rows(data / "orders.parquet")) == sorted(rows(whole / "orders.parquet"))
            break
        assert_old_table_intact(data, old)
    assert killed >= 1
