"""A corpus of broken (and valid-but-odd) data sets: each builder writes one data folder.

`CASES` lists them with what every report and page must do with them: refuse with exit 2 and a message
naming the file (and the column where there is one), or work (exit 0). Cases in `OPTIONAL_CASES` break
only an optional table: `validate` refuses them, reports and pages that do not read that table run with a
warning naming the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

D = dt.date.fromisoformat

# Hostile-looking ids: they are data, never SQL or markup.
HOSTILE_IDS = (
    "'; drop table days; --",
    'C" OR 1=1',
    "x" * 10_000,
    "顾客-甲",
    "émile 🙂",
    "<script>alert(1)</script>",
    "a,b;c",
    " padded ",
)


def good_orders(ids: tuple[str, ...] = ("a", "b", "c")) -> pl.DataFrame:
    """Orders of a few customers over 2023-2024 (enough for every report), ids as text, dates as dates."""
    rows: list[tuple[str, dt.date, float]] = []
    days = ("2023-01-10", "2023-03-05", "2023-06-20", "2023-11-02", "2024-02-14", "2024-05-30")
    for i, cid in enumerate(ids):
        for j, day in enumerate(days[i % 3 :: 1 + i % 2]):
            rows.append((cid, D(day), 10.0 + i + j))
    return pl.DataFrame(
        rows, schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64}, orient="row"
    )


def _write(folder: Path, name: str, frame: pl.DataFrame | dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(frame, dict):
        frame = pl.DataFrame(frame)
    frame.write_parquet(folder / f"{name}.parquet")


def _text_dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("ordered_at").cast(pl.String))


# -- builders: each writes one data folder ------------------------------------------------------


def missing_customer_id(folder: Path) -> None:
    _write(folder, "orders", good_orders().drop("customer_id"))


def missing_ordered_at(folder: Path) -> None:
    _write(folder, "orders", good_orders().drop("ordered_at"))


def unparseable_date(folder: Path) -> None:
    frame = _text_dates(good_orders())
    _write(
        folder,
        "orders",
        frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("31/02/2024")).otherwise("ordered_at").alias("ordered_at")
        ),
    )


def impossible_date(folder: Path) -> None:
    frame = _text_dates(good_orders())
    _write(
        folder,
        "orders",
        frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("2024-02-31")).otherwise("ordered_at").alias("ordered_at")
        ),
    )


def decimal_comma(folder: Path) -> None:
    frame = good_orders().with_columns(pl.col("amount").cast(pl.String))
    _write(
        folder,
        "orders",
        frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("12,50")).otherwise("amount").alias("amount")
        ),
    )


def null_customer_id(folder: Path) -> None:
    frame = good_orders()
    _write(
        folder,
        "orders",
        frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise("customer_id").alias("customer_id")
        ),
    )


def empty_customer_id(folder: Path) -> None:
    frame = good_orders()
    _write(
        folder,
        "orders",
        frame.with_columns(
            pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("  ")).otherwise("customer_id").alias("customer_id")
        ),
    )


def empty_orders(folder: Path) -> None:
    _write(folder, "orders", good_orders().clear())


def not_parquet(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders.parquet").write_text("customer_id,ordered_at,amount\na,2024-01-01,12.50\n", encoding="utf-8")


def future_orders(folder: Path) -> None:
    future = pl.DataFrame({"customer_id": ["a"], "ordered_at": [D("2999-01-01")], "amount": [5.0]})
    _write(folder, "orders", pl.concat([good_orders(), future]))


def bad_category(folder: Path) -> None:
    _write(folder, "orders", good_orders())
    _write(
        folder,
        "churn_reasons",
        {
            "customer_id": ["a", "b"],
            "churned_at": [D("2024-03-01")] * 2,
            "reason": ["price", "moved"],
            "category": ["controllable", "maybe"],
        },
    )


def bad_group(folder: Path) -> None:
    _write(folder, "orders", good_orders())
    _write(
        folder,
        "contacts",
        {
            "customer_id": ["a", "b"],
            "contacted_at": [D("2024-01-01")] * 2,
            "campaign": ["spring"] * 2,
            "group": ["treatment", "test"],
        },
    )


def duplicate_customer(folder: Path) -> None:
    _write(folder, "orders", good_orders())
    _write(folder, "customers", {"customer_id": ["a", "b", "b", "c"], "plan": ["x", "y", "z", "x"]})


def mixed_id_types(folder: Path) -> None:
    """orders/ with customer_id int64 in one file and text in the other: valid, ids are read as text."""
    sub = folder / "orders"
    frame = good_orders(("101", "102", "c"))
    _write(sub, "part-0", frame.filter(pl.col("customer_id") != "c").with_columns(pl.col("customer_id").cast(pl.Int64)))
    _write(sub, "part-1", frame.filter(pl.col("customer_id") == "c"))


def mixed_amount_types(folder: Path) -> None:
    """orders/ with amount a double in one file and text in the other: refused."""
    sub = folder / "orders"
    frame = good_orders()
    _write(sub, "part-0", frame.filter(pl.col("customer_id") != "c"))
    _write(sub, "part-1", frame.filter(pl.col("customer_id") == "c").with_columns(pl.col("amount").cast(pl.String)))


def hostile_ids(folder: Path) -> None:
    frame = good_orders(HOSTILE_IDS)
    _write(folder, "orders", frame)
    _write(
        folder,
        "customers",
        {"customer_id": list(HOSTILE_IDS), "plan": ["x' or '1'='1", *["y"] * (len(HOSTILE_IDS) - 1)]},
    )


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path], None]
    exit: int  # of a report that does not read a broken optional table
    file: str | None = None  # the file (relative to the data folder) the message names
    column: str | None = None  # the column the message names
    optional: bool = False  # only an optional table is broken: `validate` exits 2, other reports warn

    def write(self, root: Path) -> Path:
        folder = root / self.name
        self.build(folder)
        return folder


CASES = (
    Case("missing_customer_id", missing_customer_id, 2, "orders.parquet", "customer_id"),
    Case("missing_ordered_at", missing_ordered_at, 2, "orders.parquet", "ordered_at"),
    Case("unparseable_date", unparseable_date, 2, "orders.parquet", "ordered_at"),
    Case("impossible_date", impossible_date, 2, "orders.parquet", "ordered_at"),
    Case("decimal_comma", decimal_comma, 2, "orders.parquet", "amount"),
    Case("null_customer_id", null_customer_id, 2, "orders.parquet", "customer_id"),
    Case("empty_customer_id", empty_customer_id, 2, "orders.parquet", "customer_id"),
    Case("empty_orders", empty_orders, 2, "orders.parquet"),
    Case("not_parquet", not_parquet, 2, "orders.parquet"),
    Case("future_orders", future_orders, 2, "orders.parquet", "ordered_at"),
    Case("bad_category", bad_category, 0, "churn_reasons.parquet", "category", optional=True),
    Case("bad_group", bad_group, 0, "contacts.parquet", "group", optional=True),
    Case("duplicate_customer", duplicate_customer, 0, "customers.parquet", "customer_id", optional=True),
    Case("mixed_id_types", mixed_id_types, 0),
    Case("mixed_amount_types", mixed_amount_types, 2, "orders", "amount"),
    Case("hostile_ids", hostile_ids, 0),
)
CASE_BY_NAME = {c.name: c for c in CASES}
