"""Dates and amounts as exports write them, encodings, Excel sheets, --append, and the help of every option."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from retention import importer
from retention.errors import DataError, InputError
from tests.test_import import cli, import_killed_at, seed_orders
from tests.test_presets import SHOPIFY, orders_of

D = dt.date


def one_order(tmp_path: Path, ordered_at: str, amount: str = "1", timezone: str = "UTC", **options) -> list[tuple]:
    src = tmp_path / "o.csv"
    src.write_text(f'customer_id,ordered_at,amount\na,{ordered_at},"{amount}"\n')
    importer.import_file(src, "orders", tmp_path / "data", {}, timezone, importer.Options(**options))
    return orders_of(tmp_path / "data", timezone)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-01-05", D(2024, 1, 5)),
        ("2024-01-05T10:23:11", D(2024, 1, 5)),
        ("2024-01-05 10:23:11.123456", D(2024, 1, 5)),
        ("2024-01-05T23:23:11Z", D(2024, 1, 5)),
        ("2024-01-05 23:23:11 UTC", D(2024, 1, 5)),
        ("2024-01-05 22:23:11 -0500", D(2024, 1, 6)),  # 03:23 UTC the next day
        ("2024-01-05 22:23:11-05:00", D(2024, 1, 6)),
        ("2024-01-05T01:00:00+0530", D(2024, 1, 4)),
        ("2024-01-05 01:00 +05", D(2024, 1, 4)),
        ("2024/01/05", D(2024, 1, 5)),
        ("2024/1/5 9:05 PM", D(2024, 1, 5)),
        ("13/01/2024", D(2024, 1, 13)),  # a day above 12: day-first is the only reading
        ("01/13/2024 10:00", D(2024, 1, 13)),  # month-first is the only reading
        ("05/05/2024", D(2024, 5, 5)),  # both readings are the same day
    ],
)
def test_unambiguous_dates_are_read_without_being_told(tmp_path, value, day):
    assert one_order(tmp_path, value)[0][1] == day


def test_a_zoned_timestamp_takes_its_date_in_the_configured_zone(tmp_path):
    assert one_order(tmp_path, "2024-01-05 22:23:11 -0500", timezone="Asia/Tokyo")[0][1] == D(2024, 1, 6)
    assert one_order(tmp_path, "2024-01-05 10:23:11 -0500", timezone="America/Los_Angeles")[0][1] == D(2024, 1, 5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-02-31", "example: '2024-02-31'; expected an ISO-8601 date"),
        ("31/02/2024", "example: '31/02/2024'; expected an ISO-8601 date"),
        ("5 Jan 2024", "or day/month/year where the column shows which number is the day"),
        ("01/05/24", "--date-format tells how the file writes dates"),
    ],
)
def test_unreadable_dates_are_refused(tmp_path, value, message):
    with pytest.raises(DataError) as err:
        one_order(tmp_path, value)
    assert "column 'ordered_at': 1 row; " in str(err.value) and message in str(err.value)


def test_an_ambiguous_file_is_refused_then_read_with_date_format(tmp_path):
    src = tmp_path / "o.csv"
    src.write_text("customer_id,ordered_at,amount\na,03/04/2024,1\nb,05/05/2024,2\nc,11/12/2023,3\n")
    data = tmp_path / "data"
    run = cli("import", str(src), "--table", "orders", "--data", str(data))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert (
        f"{src}, column 'ordered_at': 2 rows; example: '03/04/2024'; expected dates whose day order is clear: "
        "'03/04/2024' is 3 April 2024 read day-first and 4 March 2024 read month-first"
    ) in run.stderr
    assert "--date-format '%d/%m/%Y' (day first) or --date-format '%m/%d/%Y' (month first)" in run.stderr
    assert not (data / "orders.parquet").exists()
    run = cli("import", str(src), "--table", "orders", "--data", str(data), "--date-format", "%d/%m/%Y")
    assert run.returncode == 0, run.stderr
    assert "  dates read with --date-format '%d/%m/%Y'" in run.stdout
    assert [r[1] for r in orders_of(data)] == [D(2024, 4, 3), D(2024, 5, 5), D(2023, 12, 11)]
    run = cli("import", str(src), "--table", "orders", "--data", str(data), "--date-format", "%m/%d/%Y")
    assert [r[1] for r in orders_of(data)] == [D(2024, 3, 4), D(2024, 5, 5), D(2023, 11, 12)]


def test_date_format_with_time_and_dots(tmp_path):
    assert one_order(tmp_path, "03.04.2024 10:00", date_format="%d.%m.%Y %H:%M")[0][1] == D(2024, 4, 3)
    with pytest.raises(DataError, match=r"example: '2024\.13\.01'; expected a date written as --date-format"):
        one_order(tmp_path, "2024.13.01", date_format="%d.%m.%Y")
    with pytest.raises(InputError, match="is not a date pattern"):
        one_order(tmp_path, "03.04.2024", date_format="%H:%M")


@pytest.mark.parametrize(
    ("amount", "value", "decimal_comma"),
    [
        ("$1,234.50", 1234.5, False),
        ("USD 12.00", 12.0, False),
        ("12.00 EUR", 12.0, False),
        ("(5.00)", -5.0, False),
        ("-$3.25", -3.25, False),
        ("€ 1 234.5", 1234.5, False),
        ("1,234", 1234.0, False),
        ("1.234,50", 1234.5, True),
        ("12,50", 12.5, True),
        ("(5,00)", -5.0, True),
        ("€ 12,50", 12.5, True),
    ],
)
def test_amounts_are_read_as_written(tmp_path, amount, value, decimal_comma):
    assert one_order(tmp_path, "2024-01-05", amount, decimal_comma=decimal_comma)[0][2] == value


@pytest.mark.parametrize(
    ("amount", "decimal_comma", "expected"),
    [
        ("12,50", False, "expected a number with a dot as decimal separator"),
        ("12,50", False, "is read with --decimal-comma"),
        ("1.234.5", False, "expected a number with a dot"),
        ("twelve", False, "expected a number with a dot"),
        ("1,2,3", True, "expected an amount with a decimal comma (--decimal-comma)"),
    ],
)
def test_unreadable_amounts_are_refused(tmp_path, amount, decimal_comma, expected):
    with pytest.raises(DataError) as err:
        one_order(tmp_path, "2024-01-05", amount, decimal_comma=decimal_comma)
    assert f"column 'amount': 1 row; example: '{amount}'; " in str(err.value) and expected in str(err.value)


def test_email_customer_ids_are_trimmed_and_lower_cased(tmp_path):
    src = tmp_path / "o.csv"
    src.write_text("customer_id,ordered_at\n Ann@Example.COM ,2024-01-05\nK-17,2024-01-06\n")
    importer.import_file(src, "orders", tmp_path / "data", {}, "UTC")
    assert [r[0] for r in orders_of(tmp_path / "data")] == ["K-17", "ann@example.com"]


# -- encodings ----------------------------------------------------------------------------------------

TEXT = "customer_id;ordered_at;amount;城市\n客户1;2024-01-05;12.50;北京\nb;2024-01-06;3;上海\n"


@pytest.mark.parametrize(
    ("encoding", "bom", "named"),
    [
        ("utf-16", b"", "UTF-16"),
        ("utf-16-le", b"", "UTF-16LE"),
        ("gbk", b"", "GBK"),
        ("utf-8", b"\xef\xbb\xbf", "UTF-8"),
    ],
)
def test_utf16_and_gbk_files(tmp_path, encoding, bom, named):
    src = tmp_path / "o.csv"
    src.write_bytes(bom + TEXT.encode(encoding))
    result = importer.run_import(src, "orders", tmp_path / "data", {}, "UTC")
    assert result.summary.encoding == named
    assert f"rows read: 2 ({named}, fields separated by ';')" in result.summary.lines()
    frame = pl.read_parquet(tmp_path / "data" / "orders.parquet")
    assert frame.columns == ["customer_id", "ordered_at", "amount", "城市"]
    assert frame.rows() == [("客户1", D(2024, 1, 5), 12.5, "北京"), ("b", D(2024, 1, 6), 3.0, "上海")]


# -- Excel ----------------------------------------------------------------------------------------------


def write_workbook(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    notes = book.add_worksheet("Read me")
    notes.write_row(0, 0, ["This sheet explains the export", "", ""])
    notes.write_row(1, 0, ["nothing", "to", "import"])
    sheet = book.add_worksheet("Orders")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Kunde", "Datum", "Betrag", "Filiale"])
    for i, (cid, when, amount, shop) in enumerate(
        [(1001, dt.datetime(2024, 1, 5), 12.5, "Köln"), ("A-7", dt.datetime(2024, 1, 13), -3, "Bonn")], start=1
    ):
        sheet.write(i, 0, cid)
        sheet.write_datetime(i, 1, when, day)
        sheet.write_number(i, 2, amount)
        sheet.write(i, 3, shop)
    book.close()
    return path


def test_excel_with_a_decoy_first_sheet(tmp_path):
    book = write_workbook(tmp_path / "kasse.xlsx")
    data = tmp_path / "data"
    mapping = {"customer_id": "Kunde", "ordered_at": "Datum", "amount": "Betrag"}
    with pytest.raises(
        DataError, match=r"kasse\.xlsx, sheet 'Read me', column 'customer_id': 1 row; expected a column named"
    ):
        importer.import_file(book, "orders", data, {}, "UTC")  # the first sheet is the decoy
    assert importer.sheets(book) == ["Read me", "Orders"]
    result = importer.run_import(book, "orders", data, mapping, "UTC", importer.Options(sheet="Orders"))
    assert result.summary.sheet == "Orders"
    frame = pl.read_parquet(data / "orders.parquet")
    assert frame.schema["ordered_at"] == pl.Date  # real date cells are dates
    assert frame.rows() == [("1001", D(2024, 1, 5), 12.5, "Köln"), ("A-7", D(2024, 1, 13), -3.0, "Bonn")]
    with pytest.raises(InputError, match=r"has no sheet named 'Umsatz'; its sheets are: Read me, Orders"):
        importer.import_file(book, "orders", data, mapping, "UTC", importer.Options(sheet="Umsatz"))


def test_excel_through_the_cli(tmp_path):
    book = write_workbook(tmp_path / "kasse.xlsx")
    run = cli(
        "import", str(book), "--table", "orders", "--data", str(tmp_path / "data"), "--sheet", "Orders",
        "--column", "customer_id=Kunde,ordered_at=Datum,amount=Betrag",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "  rows read: 2 (sheet 'Orders')" in run.stdout


# -- append ---------------------------------------------------------------------------------------------


def test_append_adds_only_new_orders(tmp_path):
    data = tmp_path / "data"
    first = tmp_path / "orders_export_1.csv"
    first.write_text(SHOPIFY)
    importer.import_file(first, "orders", data, {}, "UTC")
    old = (data / "orders.parquet").read_bytes()
    header, *rows = SHOPIFY.splitlines()
    later = (
        "\n".join(
            [
                header,
                *rows[-2:],
                "#1005,cy@example.com,paid,,,USD,8.00,0,0,8.00,,2024-02-10 10:00:00 -0500,1,Mug,8.00,0.00,web,,5005,Main St",
            ]
        )
        + "\n"
    )
    second = tmp_path / "orders_export_2.csv"
    second.write_text(later)
    result = importer.run_import(second, "orders", data, {}, "UTC", importer.Options(append=True))
    assert orders_of(data) == [
        ("ann@example.com", D(2024, 1, 5), 25.0, "#1001"),
        ("bob@example.com", D(2024, 2, 2), -10.0, "#1004-refund"),
        ("bob@example.com", D(2024, 2, 2), 1200.0, "#1004"),
        ("cy@example.com", D(2024, 2, 10), 8.0, "#1005"),
    ]
    s = result.summary
    assert (s.skipped_existing, s.rows_written, s.orders, s.refunds) == (2, 1, 1, 0)
    assert result.message.startswith(f"orders: 1 rows from {second} added to {data / 'orders' / 'part-000002-'}")
    assert "already in the table (same order_id), skipped: 2" in s.lines()
    assert importer.history("orders", data)[0].path.read_bytes() == old


def test_append_merges_dates_and_ids_of_other_types(tmp_path):
    data = tmp_path / "data"
    seed_orders(data)  # DATE dates, no order_id column
    src = tmp_path / "o.csv"
    src.write_text("customer_id,ordered_at,amount,order_id\nc,2024-03-01 10:00:00+02:00,5,X1\n")
    importer.run_import(src, "orders", data, {}, "UTC", importer.Options(append=True))
    assert orders_of(data) == [
        ("a", D(2024, 1, 1), 1.0, None), ("b", D(2024, 2, 1), 2.0, None), ("c", D(2024, 3, 1), 5.0, "X1"),
    ]  # fmt: skip


def test_append_without_order_ids_is_refused(tmp_path):
    data = tmp_path / "data"
    old = seed_orders(data)
    src = tmp_path / "o.csv"
    src.write_text("customer_id,ordered_at\nz,2024-05-01\n")
    with pytest.raises(InputError, match="--append needs an order_id column"):
        importer.import_file(src, "orders", data, {}, "UTC", importer.Options(append=True))
    assert (data / "orders.parquet").read_bytes() == old


@pytest.mark.parametrize("step", ["staged", "merged", "written", "history"])
def test_a_kill_during_an_append_leaves_the_old_table(tmp_path, step):
    data = tmp_path / "data"
    first = tmp_path / "orders_export_1.csv"
    first.write_text(SHOPIFY)
    importer.import_file(first, "orders", data, {}, "UTC")
    old = (data / "orders.parquet").read_bytes()
    second = tmp_path / "orders_export_2.csv"
    second.write_text(SHOPIFY.replace("#100", "#200"))
    import_killed_at(step, second, data, "--append")
    assert (data / "orders.parquet").read_bytes() == old
    importer.import_file(second, "orders", data, {}, "UTC", importer.Options(append=True))
    assert len(orders_of(data)) == 6


# -- help -----------------------------------------------------------------------------------------------


def test_every_option_of_every_command_has_a_help_line():
    from retention import cli as cli_module

    cli_module._register_all()
    parser = cli_module.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [
        f"{name} {'/'.join(action.option_strings) or action.dest}"
        for name, command in sub.choices.items()
        for action in command._actions
        if action.help is None and action.dest != "help"
    ]
    assert missing == []


def test_import_help_shows_two_examples():
    run = cli("import", "--help")
    assert run.returncode == 0
    examples = run.stdout.split("examples:")[1]
    assert examples.count("python -m retention import ") == 2
    assert "--append" in examples and "--date-format %d.%m.%Y --decimal-comma" in examples
