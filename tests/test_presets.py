"""Presets: a small export in each vendor's own layout -> the literal orders table it stands for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from retention import importer, presets
from retention.errors import InputError
from tests.test_import import cli

D = dt.date


def orders_of(data: Path, timezone: str = "UTC", extra: tuple[str, ...] = ()) -> list[tuple]:
    """(customer_id, order_date in the zone, amount, order_id, *extra) of every row, sorted: of orders.parquet,
    or of every file of an orders/ folder (an append adds one), each file read with its own types."""
    from retention.db import find_table, table_files

    rows = []
    for file in table_files(find_table(data, "orders")):
        frame = pl.read_parquet(file)
        at = frame["ordered_at"]
        if isinstance(at.dtype, pl.Datetime) and at.dtype.time_zone:
            day = at.dt.convert_time_zone(timezone).dt.date()
        else:
            day = at.cast(pl.Date)
        frame = frame.with_columns(day.alias("order_date"))
        for column, kind in (("order_id", pl.Utf8), ("amount", pl.Float64)):
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, kind).alias(column))
        frame = frame.with_columns(pl.col("order_id").cast(pl.Utf8), pl.col("amount").cast(pl.Float64))
        rows += frame.select("customer_id", "order_date", "amount", "order_id", *extra).iter_rows()
    return sorted(rows)


SHOPIFY = """Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Created at,Lineitem quantity,Lineitem name,Lineitem price,Refunded Amount,Source,Cancelled at,Id,Location
#1001, Ann@Example.com ,paid,2024-01-05 10:23:11 -0500,fulfilled,USD,20.00,5.00,0.00,25.00,,2024-01-05 10:23:11 -0500,1,Mug,20.00,0.00,web,,5001,Main St
#1001, Ann@Example.com ,,,,,,,,,,2024-01-05 10:23:11 -0500,2,Lid,0.00,,,,,
#1002,,paid,2024-01-06 09:00:00 -0500,fulfilled,USD,9.00,0.00,0.00,9.00,,2024-01-06 09:00:00 -0500,1,Mug,9.00,0.00,web,,5002,Main St
#1003,BOB@example.com,voided,,,USD,15.00,0.00,0.00,15.00,,2024-01-07 12:00:00 -0500,1,Mug,15.00,0.00,pos,2024-01-07 13:00:00 -0500,5003,Mall
#1004,bob@example.com,partially_refunded,2024-02-01 23:30:00 -0500,fulfilled,USD,"1,200.00",0.00,0.00,"1,200.00",,2024-02-01 23:30:00 -0500,3,Chair,400.00,10.00,pos,,5004,Mall
#1004,bob@example.com,,,,,,,,,,2024-02-01 23:30:00 -0500,1,Cushion,0.00,,,,,
"""


def test_shopify_export_becomes_orders(tmp_path):
    src = tmp_path / "orders_export_1.csv"
    src.write_text(SHOPIFY)
    data = tmp_path / "data"
    result = importer.run_import(src, "orders", data, {}, "UTC")
    assert orders_of(data, extra=("source", "location")) == [
        ("ann@example.com", D(2024, 1, 5), 25.0, "#1001", "web", "Main St"),
        ("bob@example.com", D(2024, 2, 2), -10.0, "#1004-refund", "pos", "Mall"),  # 23:30 -0500 is Feb 2 in UTC
        ("bob@example.com", D(2024, 2, 2), 1200.0, "#1004", "pos", "Mall"),
    ]
    s = result.summary
    assert (s.preset, s.preset_recognised, s.rows_read, s.line_items) == ("shopify", True, 6, 2)
    assert (s.orders, s.refunds, s.guests, s.left_out) == (2, 1, 1, {"Financial Status voided": 1})
    assert (s.first_date, s.last_date, s.attributes) == (D(2024, 1, 5), D(2024, 2, 2), ("source", "location"))
    lines = "\n".join(s.lines())
    assert "preset: shopify (Shopify Orders export, recognised from the header)" in lines
    assert "rows left out: 1 (Financial Status voided)" in lines
    assert "guest rows skipped (no customer): 1" in lines
    assert "kept as attributes: source, location" in lines


def test_shopify_through_the_cli_prints_the_summary(tmp_path):
    src = tmp_path / "orders_export_1.csv"
    src.write_text(SHOPIFY)
    run = cli("import", str(src), "--table", "orders", "--data", str(tmp_path / "data"))
    assert run.returncode == 0, run.stderr
    out = run.stdout.splitlines()
    assert out[0].startswith(f"orders: 3 rows from {src} written to ")
    assert "  rows read: 6 (UTF-8, fields separated by ',')" in out
    assert "  preset: shopify (Shopify Orders export, recognised from the header)" in out
    assert "  orders written: 2; refund rows: 1" in out
    assert "  dates: 2024-01-05 to 2024-02-02" in out


SQUARE = """Date,Time,Time Zone,Gross Sales,Discounts,Net Sales,Tax,Tip,Total Collected,Source,Transaction ID,Payment ID,Customer ID,Customer Name,Event Type,Location,Channel
01/05/2024,10:23:11,Eastern Time (US & Canada),$12.00,$0.00,$12.00,$0.00,$0.00,$12.00,Point of Sale,T1,P1,CUST1,Ann,Payment,Downtown,Point of Sale
01/13/2024,16:05:00,Eastern Time (US & Canada),"$1,234.50",$0.00,"$1,234.50",$0.00,$0.00,"$1,234.50",Online Store,T2,P2,CUST2,Bob,Payment,Online,Online Store
02/01/2024,09:00:00,Eastern Time (US & Canada),-$5.00,$0.00,-$5.00,$0.00,$0.00,-$5.00,Point of Sale,T1,R1,CUST1,Ann,Refund,Downtown,Point of Sale
02/03/2024,11:00:00,Eastern Time (US & Canada),$4.00,$0.00,$4.00,$0.00,$0.00,$4.00,Point of Sale,T3,P3,,,Payment,Downtown,Point of Sale
"""


def test_square_export_becomes_orders(tmp_path):
    src = tmp_path / "transactions.csv"
    src.write_text(SQUARE)
    data = tmp_path / "data"
    s = importer.run_import(src, "orders", data, {}, "UTC").summary
    assert orders_of(data, extra=("location", "channel")) == [
        ("CUST1", D(2024, 1, 5), 12.0, "T1", "Downtown", "Point of Sale"),
        ("CUST1", D(2024, 2, 1), -5.0, "T1-refund", "Downtown", "Point of Sale"),
        ("CUST2", D(2024, 1, 13), 1234.5, "T2", "Online", "Online Store"),
    ]
    assert (s.preset, s.rows_read, s.orders, s.refunds, s.guests) == ("square", 4, 2, 1, 1)
    assert "dates read month-first (as this export writes them)" in s.lines()


STRIPE = """id,Description,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Converted Amount,Fee,Status,Customer ID,Customer Email
ch_1,Coffee beans,2024-01-05 23:30:00,12.00,0.00,usd,true,12.00,0.65,Paid,cus_1,ANN@example.com
ch_2,Grinder,2024-01-06 10:00:00,30.00,30.00,usd,true,30.00,1.17,Refunded,cus_2,
ch_3,Coffee beans,2024-01-07 10:00:00,12.00,0.00,usd,false,12.00,0.00,Failed,cus_1,ann@example.com
ch_4,Mug,2024-01-08 10:00:00,8.00,0.00,usd,true,8.00,0.53,Paid,,
ch_5,Mug,2024-01-09 10:00:00,8.00,2.00,usd,true,8.00,0.53,Paid,cus_1, ann@example.com
"""


def test_stripe_export_becomes_orders_in_the_configured_zone(tmp_path):
    src = tmp_path / "unified_payments.csv"
    src.write_text(STRIPE)
    data = tmp_path / "data"
    s = importer.run_import(src, "orders", data, {}, "Asia/Tokyo").summary
    # Created date (UTC) 2024-01-05 23:30 is 2024-01-06 08:30 in Tokyo
    assert orders_of(data, "Asia/Tokyo") == [
        ("ann@example.com", D(2024, 1, 6), 12.0, "ch_1"),
        ("ann@example.com", D(2024, 1, 9), -2.0, "ch_5-refund"),
        ("ann@example.com", D(2024, 1, 9), 8.0, "ch_5"),
        ("cus_2", D(2024, 1, 6), -30.0, "ch_2-refund"),
        ("cus_2", D(2024, 1, 6), 30.0, "ch_2"),
    ]
    assert (s.preset, s.orders, s.refunds, s.guests, s.left_out) == ("stripe", 3, 2, 1, {"Status failed": 1})


WOOCOMMERCE = """Order ID,Order Number,Order Date,Order Status,Order Total,Billing Email,Billing First Name,Item Name,Quantity
101,101,01/05/2024 10:00,completed,25.00,Ann@Example.com,Ann,Mug,1
101,101,01/05/2024 10:00,completed,25.00,Ann@Example.com,Ann,Lid,1
102,102,01/06/2024 11:00,cancelled,9.00,bob@example.com,Bob,Mug,1
103,103,01/20/2024 12:00,refunded,40.00,BOB@EXAMPLE.COM,Bob,Chair,1
104,104,01/21/2024 12:00,processing,7.50,,,Mug,1
105,105,02/02/2024 08:00,failed,7.50,ann@example.com,Ann,Mug,1
"""


def test_woocommerce_export_becomes_orders(tmp_path):
    src = tmp_path / "orders-2024.csv"
    src.write_text(WOOCOMMERCE)
    data = tmp_path / "data"
    s = importer.run_import(src, "orders", data, {}, "UTC").summary
    assert orders_of(data) == [
        ("ann@example.com", D(2024, 1, 5), 25.0, "101"),
        ("bob@example.com", D(2024, 1, 20), -40.0, "103-refund"),
        ("bob@example.com", D(2024, 1, 20), 40.0, "103"),
    ]
    assert (s.preset, s.line_items, s.guests) == ("woocommerce", 1, 1)
    assert s.left_out == {"Order Status cancelled": 1, "Order Status failed": 1}


def test_woocommerce_plugin_names_and_an_explicit_preset(tmp_path):
    src = tmp_path / "export.csv"
    src.write_text(
        "order_id,order_date,status,order_total,customer_email\n7,2024-03-01 10:00:00,wc-completed,5,A@B.CO\n"
    )
    importer.run_import(src, "orders", tmp_path / "data", {}, "UTC", importer.Options(preset="woocommerce"))
    assert orders_of(tmp_path / "data") == [("a@b.co", D(2024, 3, 1), 5.0, "7")]


@pytest.mark.parametrize(
    ("text", "name"),
    [(SHOPIFY, "shopify"), (SQUARE, "square"), (STRIPE, "stripe"), (WOOCOMMERCE, "woocommerce")],
)
def test_each_export_is_recognised_from_its_header(tmp_path, text, name):
    src = tmp_path / "x.csv"
    src.write_text(text)
    assert importer.recognised_preset(src) == name
    columns = text.splitlines()[0].split(",")
    assert presets.recognise(columns).name == name


def test_a_plain_orders_file_is_no_preset(tmp_path):
    assert presets.recognise(["customer_id", "ordered_at", "amount"]) is None
    assert presets.recognise(["Name", "Email", "Total", "Created at"]) is None  # too little to tell


def test_a_preset_without_its_columns_says_which(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text("Name,Email,Total\n#1,a@b.c,1\n")
    with pytest.raises(InputError, match=r"the Shopify Orders export needs a column 'Created at' for ordered_at"):
        importer.run_import(src, "orders", tmp_path / "data", {}, "UTC", importer.Options(preset="shopify"))


def test_a_bad_amount_in_a_preset_names_the_column(tmp_path):
    src = tmp_path / "x.csv"
    src.write_text(SHOPIFY.replace('"1,200.00",,2024-02-01', '"1.200,00",,2024-02-01'))
    run = cli("import", str(src), "--table", "orders", "--data", str(tmp_path / "data"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "column 'Total': 1 row; example: '1.200,00'; expected a number with a dot" in run.stderr
    assert "--decimal-comma" in run.stderr


CLEAN = {
    # The clean orders each export stands for (order_date in UTC, refunds as negative rows).
    "shopify": "customer_id,ordered_at,amount\nann@example.com,2024-01-05,25\nbob@example.com,2024-02-02,1200\n"
    "bob@example.com,2024-02-02,-10\n",
    "square": "customer_id,ordered_at,amount\nCUST1,2024-01-05,12\nCUST2,2024-01-13,1234.5\nCUST1,2024-02-01,-5\n",
    "stripe": "customer_id,ordered_at,amount\nann@example.com,2024-01-05,12\ncus_2,2024-01-06,30\ncus_2,2024-01-06,-30\n"
    "ann@example.com,2024-01-09,8\nann@example.com,2024-01-09,-2\n",
    "woocommerce": "customer_id,ordered_at,amount\nann@example.com,2024-01-05,25\nbob@example.com,2024-01-20,40\n"
    "bob@example.com,2024-01-20,-40\n",
}


@pytest.mark.parametrize(
    ("name", "text"), [("shopify", SHOPIFY), ("square", SQUARE), ("stripe", STRIPE), ("woocommerce", WOOCOMMERCE)]
)
def test_an_export_gives_the_cohorts_and_kpis_of_its_clean_orders(tmp_path, name, text):
    export, clean = tmp_path / "export.csv", tmp_path / "clean.csv"
    export.write_text(text)
    clean.write_text(CLEAN[name])
    for src, folder in ((export, "a"), (clean, "b")):
        run = cli("import", str(src), "--table", "orders", "--data", str(tmp_path / folder))
        assert run.returncode == 0, run.stderr
    for report in ("kpis", "cohorts"):
        a, b = (cli(report, "--data", str(tmp_path / f), "--period", "week") for f in "ab")
        assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
        assert a.stdout == b.stdout and a.stdout.count("\n") > 1


def test_the_issue_command_with_column_pairs_uses_the_recognised_preset(tmp_path):
    src = tmp_path / "orders_export_1.csv"
    src.write_text(SHOPIFY)
    run = cli(
        "import", str(src), "--table", "orders", "--data", str(tmp_path / "data"),
        "--column", "customer_id=Email", "--column", "ordered_at=Created at", "--column", "amount=Total",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "  preset: shopify (Shopify Orders export, recognised from the header)" in run.stdout
    assert [r[3] for r in orders_of(tmp_path / "data")] == ["#1001", "#1004-refund", "#1004"]


def test_a_shopify_export_saved_as_excel(tmp_path):
    frame = pl.read_csv(SHOPIFY.encode(), infer_schema=False)
    book = tmp_path / "orders_export_1.xlsx"
    frame.write_excel(book, worksheet="orders_export_1")
    s = importer.run_import(book, "orders", tmp_path / "data", {}, "UTC").summary
    assert (s.preset, s.sheet, s.orders, s.refunds, s.guests) == ("shopify", "orders_export_1", 2, 1, 1)
    assert [r[2] for r in orders_of(tmp_path / "data")] == [25.0, -10.0, 1200.0]
