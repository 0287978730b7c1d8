"""Input rules of METRICS.md "Inputs": one small hand-made table per rule, and the `validate` command."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from retention import db, validate
from retention.errors import DataError, InputError, Problem

TODAY = dt.date(2024, 6, 30)
ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, table: str, columns: dict, schema: dict | None = None) -> Path:
    path = folder / f"{table}.parquet"
    pl.DataFrame(columns, schema=schema).write_parquet(path)
    return path


def good_orders(folder: Path) -> Path:
    return write(
        folder,
        "orders",
        {
            "customer_id": ["a", "b", "b"],
            "ordered_at": [dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 3, 1)],
            "amount": [10.0, 20.0, -5.0],
        },
    )


def problems_of(folder: Path, timezone: str = "UTC", today: dt.date = TODAY) -> DataError:
    with pytest.raises(DataError) as info:
        db.open_dataset(folder, timezone, today=today, strict=True)
    return info.value


def only(err: DataError, column: str | None) -> Problem:
    found = [p for p in err.problems if p.column == column]
    assert len(found) == 1, err.problems
    return found[0]


def assert_reported(err: DataError, file: Path, column: str | None, rows: int, example: str | None, expected: str):
    """The problem is in the list with these fields, and its sentence is in the one-paragraph message."""
    p = only(err, column)
    assert (p.file, p.rows, p.example) == (str(file), rows, example)
    assert expected in p.expected
    text = str(err)
    assert p.message() in text
    assert str(file) in text and f"{rows:,} row" in text
    if column:
        assert f"column '{column}'" in text
    if example is not None:
        assert f"example: {example}" in text
    assert "\n" not in text  # one paragraph


# -- the valid case -------------------------------------------------------------------------------


def test_valid_folder_with_all_tables_opens(tmp_path):
    good_orders(tmp_path)
    write(tmp_path, "customers", {"customer_id": ["a", "b"], "signed_up_at": ["2024-01-01", None], "plan": ["x", "y"]})
    write(
        tmp_path,
        "churn_reasons",
        {
            "customer_id": ["a"],
            "churned_at": ["2024-05-01T10:00:00+02:00"],
            "reason": ["price"],
            "category": [" Controllable "],
        },
    )
    write(
        tmp_path,
        "contacts",
        {
            "customer_id": ["a", "b", "b"],
            "contacted_at": [dt.date(2024, 5, 1)] * 3,
            "campaign": ["spring"] * 3,
            "group": ["Treatment", "control", None],
            "cost": ["1.50", "", None],
        },
    )
    ds = db.open_dataset(tmp_path, "UTC", today=TODAY)
    assert set(db.engine(ds).tables) == {"orders", "customers", "churn_reasons", "contacts"}


def test_text_columns_in_iso_form_and_plain_numbers_are_accepted(tmp_path):
    write(
        tmp_path,
        "orders",
        {
            "customer_id": ["1", "2", "3", "4", "5"],
            "ordered_at": [
                "2024-03-01",
                "2024-03-01 10:00",
                "2024-03-01T10:00:00Z",
                "2024-03-01T10:00:00.5+05:30",
                "2024-03-01 10:00:00 UTC",
            ],
            "amount": ["12.50", "-3", ".5", "  7.  ", None],
        },
    )
    engine = _engine(tmp_path)
    assert validate.check(engine, TODAY) == []


def test_integer_customer_ids_are_accepted(tmp_path):
    write(tmp_path, "orders", {"customer_id": [1, 2], "ordered_at": [dt.date(2024, 1, 1)] * 2, "amount": [1, 2]})
    assert validate.check(_engine(tmp_path), TODAY) == []


def _engine(folder: Path, timezone: str = "UTC") -> db.Engine:
    engine = db.Engine(db.Dataset(str(folder), "test", timezone))
    engine.attach_sources()
    return engine


# -- orders -------------------------------------------------------------------------------------


def test_missing_required_column(tmp_path):
    file = write(tmp_path, "orders", {"customer_id": ["a", "b"], "amount": [1.0, 2.0]})
    err = problems_of(tmp_path)
    assert_reported(err, file, "ordered_at", 2, None, "a column named 'ordered_at'")
    assert "customer_id, amount" in only(err, "ordered_at").expected  # says which columns there are


def test_missing_required_column_of_an_optional_table(tmp_path):
    good_orders(tmp_path)
    file = write(tmp_path, "contacts", {"customer_id": ["a"], "contacted_at": [dt.date(2024, 1, 1)]})
    assert_reported(problems_of(tmp_path), file, "campaign", 1, None, "a column named 'campaign'")


def test_empty_orders_table(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {"customer_id": [], "ordered_at": [], "amount": []},
        schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
    )
    assert_reported(problems_of(tmp_path), file, None, 0, None, "at least one order row")


def test_orders_folder_without_files(tmp_path):
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "_SUCCESS").write_text("")
    err = problems_of(tmp_path)
    assert err.problems[0].expected.startswith("an orders table")


def test_ordered_at_of_a_non_date_type(tmp_path):
    file = write(tmp_path, "orders", {"customer_id": ["a", "b"], "ordered_at": [20240301, 20240302]})
    assert_reported(problems_of(tmp_path), file, "ordered_at", 2, "'20240301'", "the column has type BIGINT")


def test_ordered_at_text_that_is_not_iso(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "ordered_at": ["2024-03-01", "31/02/2024", "2024-02-31", "2024-3-1", "infinity", "2024-03-01T25:00"],
        },
    )
    assert_reported(problems_of(tmp_path), file, "ordered_at", 5, "'2024-02-31'", "an ISO-8601 date such as 2024-03-31")


def test_impossible_calendar_dates_are_refused_leap_days_are_not(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {"customer_id": ["a", "b", "c"], "ordered_at": ["2024-02-29", "2023-02-29", "2023-04-31 10:00"]},
    )
    assert_reported(problems_of(tmp_path), file, "ordered_at", 2, "'2023-02-29'", "an ISO-8601 date")


def test_null_ordered_at(tmp_path):
    file = write(
        tmp_path, "orders", {"customer_id": ["a", "b", "c"], "ordered_at": [dt.datetime(2024, 1, 1), None, None]}
    )
    assert_reported(problems_of(tmp_path), file, "ordered_at", 2, "null", "a date in every row")


def test_empty_ordered_at_text(tmp_path):
    file = write(tmp_path, "orders", {"customer_id": ["a", "b", "c"], "ordered_at": ["2024-01-01", "", None]})
    assert_reported(problems_of(tmp_path), file, "ordered_at", 2, "''", "a date in every row")


def test_amount_with_decimal_comma_or_thousands_separator(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {
            "customer_id": ["a", "b", "c", "d", "e", "f"],
            "ordered_at": ["2024-01-01"] * 6,
            "amount": ["12.50", "12,50", "", None, "1,234.00", "1e3"],
        },
    )
    assert_reported(
        problems_of(tmp_path),
        file,
        "amount",
        3,
        "'1,234.00'",
        "a number with a dot as decimal separator, such as 12.50",
    )


def test_amount_that_is_not_a_finite_number(tmp_path):
    file = write(
        tmp_path, "orders", {"customer_id": ["a", "b"], "ordered_at": ["2024-01-01"] * 2, "amount": [1.0, float("nan")]}
    )
    assert_reported(problems_of(tmp_path), file, "amount", 1, "'nan'", "a finite number")


def test_amount_of_a_non_number_type(tmp_path):
    file = write(
        tmp_path, "orders", {"customer_id": ["a", "b"], "ordered_at": ["2024-01-01"] * 2, "amount": [True, None]}
    )
    assert_reported(problems_of(tmp_path), file, "amount", 1, "'true'", "the column has type BOOLEAN")


@pytest.mark.parametrize("table", ["orders", "customers", "churn_reasons", "contacts"])
def test_null_or_empty_customer_id(tmp_path, table):
    if table != "orders":
        good_orders(tmp_path)
    columns = {
        "orders": {"ordered_at": ["2024-01-01"] * 4},
        "customers": {},
        "churn_reasons": {"churned_at": ["2024-01-01"] * 4, "reason": ["price"] * 4},
        "contacts": {"contacted_at": ["2024-01-01"] * 4, "campaign": ["c"] * 4},
    }[table]
    file = write(tmp_path, table, {"customer_id": ["a", None, "", "  "], **columns})
    assert_reported(problems_of(tmp_path), file, "customer_id", 3, "''", "a customer_id in every row")


def test_customer_id_of_a_float_type(tmp_path):
    file = write(tmp_path, "orders", {"customer_id": [1.0, 2.5], "ordered_at": ["2024-01-01"] * 2})
    assert_reported(problems_of(tmp_path), file, "customer_id", 2, "'1.0'", "the column has type DOUBLE")


def test_orders_after_today(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {
            "customer_id": ["a", "b", "c", "d"],
            "ordered_at": [dt.date(2024, 6, 30), dt.date(2024, 7, 1), dt.date(2025, 1, 1), dt.date(2024, 1, 1)],
        },
    )
    err = problems_of(tmp_path, today=TODAY)
    assert_reported(err, file, "ordered_at", 2, "'2024-07-01'", "a date on or before today (2024-06-30 in UTC)")


def test_orders_after_today_in_the_configured_zone(tmp_path):
    # 23:30 UTC on the 30th is already the 1st of July in Tokyo.
    late = dt.datetime(2024, 6, 30, 23, 30, tzinfo=dt.UTC)
    file = write(tmp_path, "orders", {"customer_id": ["a"], "ordered_at": [late]})
    assert validate.check(_engine(tmp_path, "UTC"), TODAY) == []
    err = problems_of(tmp_path, timezone="Asia/Tokyo", today=TODAY)
    assert_reported(
        err, file, "ordered_at", 1, "'2024-07-01 08:30:00+09'", "on or before today (2024-06-30 in Asia/Tokyo)"
    )


def test_text_orders_after_today_with_an_offset(tmp_path):
    # Written as the 30th in New York, it is the 1st of July in UTC; a naive late time stays on the 30th.
    file = write(
        tmp_path,
        "orders",
        {"customer_id": ["a", "b"], "ordered_at": ["2024-06-30T22:00:00-04:00", "2024-06-30 23:59:59"]},
    )
    assert_reported(problems_of(tmp_path), file, "ordered_at", 1, "'2024-06-30T22:00:00-04:00'", "on or before today")


# -- churn_reasons, contacts, customers ---------------------------------------------------------


def test_churned_at_unreadable_and_null(tmp_path):
    good_orders(tmp_path)
    file = write(
        tmp_path,
        "churn_reasons",
        {"customer_id": ["a", "b", "c"], "churned_at": ["2024-01-01", "01.02.2024", None], "reason": ["price"] * 3},
    )
    err = problems_of(tmp_path)
    found = {(p.rows, p.example) for p in err.problems if p.column == "churned_at"}
    assert found == {(1, "'01.02.2024'"), (1, "null")}
    assert all(p.file == str(file) for p in err.problems)


def test_category_outside_the_two_values(tmp_path):
    good_orders(tmp_path)
    file = write(
        tmp_path,
        "churn_reasons",
        {
            "customer_id": ["a"] * 5,
            "churned_at": ["2024-01-01"] * 5,
            "reason": ["price"] * 5,
            "category": [" Controllable", "UNCONTROLLABLE", "", None, "kontrollierbar"],
        },
    )
    assert_reported(problems_of(tmp_path), file, "category", 1, "'kontrollierbar'", "controllable or uncontrollable")


def test_contacts_rules(tmp_path):
    good_orders(tmp_path)
    file = write(
        tmp_path,
        "contacts",
        {
            "customer_id": ["a", "b", "c", "d"],
            "contacted_at": ["2024-01-01", "2024-13-01", None, "2024-01-02"],
            "campaign": ["c"] * 4,
            "group": ["treatment", "Control", "holdout", None],
            "cost": ["1.5", "1,5", "", None],
        },
    )
    err = problems_of(tmp_path)
    assert_reported(err, file, "group", 1, "'holdout'", "treatment or control")
    assert_reported(err, file, "cost", 1, "'1,5'", "a number with a dot")
    found = {(p.rows, p.example) for p in err.problems if p.column == "contacted_at"}
    assert found == {(1, "'2024-13-01'"), (1, "null")}


NO_ID = "a customer_id in every row (text or a whole number)"
FIX = "Fix the file(s) or re-import them with `python -m retention import`."


def test_customer_listed_twice(tmp_path):
    good_orders(tmp_path)
    file = write(tmp_path, "customers", {"customer_id": ["b", "a", "c", "b", "c", "c", None], "plan": list("xyzxyzx")})
    err = problems_of(tmp_path)
    # Every problem, exactly: the null id (its own rule, not a duplicate) and the 5 rows of the 2 repeated ids.
    assert err.problems == [
        Problem(str(file), "customer_id", 1, "null", NO_ID),
        Problem(str(file), "customer_id", 5, "'b'", "each customer_id at most once (2 ids appear more than once)"),
    ]
    assert str(err) == (
        f"The data has 2 problems: {file}, column 'customer_id': 1 row; example: null; expected {NO_ID}. "
        f"{file}, column 'customer_id': 5 rows; example: 'b'; expected each customer_id at most once "
        f"(2 ids appear more than once). {FIX}"
    )


def test_one_customer_listed_twice_is_one_id(tmp_path):
    good_orders(tmp_path)
    file = write(tmp_path, "customers", {"customer_id": ["a", "b", "a"]})
    assert problems_of(tmp_path).problems == [
        Problem(str(file), "customer_id", 2, "'a'", "each customer_id at most once (1 id appears more than once)")
    ]


def test_integer_and_text_ids_count_as_the_same_customer(tmp_path):
    good_orders(tmp_path)
    file = write(tmp_path, "customers", {"customer_id": [7, 7, 8]})
    expected = "each customer_id at most once (1 id appears more than once)"
    assert problems_of(tmp_path).problems == [Problem(str(file), "customer_id", 2, "'7'", expected)]
    # A folder whose files hold the ids as a number and as text: 7 and '7' are one customer, as in every report.
    file.unlink()
    folder = tmp_path / "customers"
    folder.mkdir()
    pl.DataFrame({"customer_id": [7, 8]}).write_parquet(folder / "a.parquet")
    pl.DataFrame({"customer_id": ["7", "9"]}).write_parquet(folder / "b.parquet")
    assert problems_of(tmp_path).problems == [Problem(str(folder), "customer_id", 2, "'7'", expected)]


def test_broken_customers_table_is_left_out_of_the_reports_with_a_warning(tmp_path, monkeypatch):
    """The lenient open (the reports'): the customers table that breaks a rule is treated as absent, and the
    warning names the file, the column, the rows, the example and what was expected."""
    monkeypatch.setattr(db, "_engines", type(db._engines)())
    good_orders(tmp_path)
    file = write(tmp_path, "customers", {"customer_id": ["a", "a"], "plan": ["x", "y"]})
    ds = db.open_dataset(tmp_path, "UTC", today=TODAY, use_cache=False)
    assert db.engine(ds).meta["optional"]["customers"] is False
    assert "customers" not in db.engine(ds).tables
    assert db.warnings(ds) == [
        f"The customers table is left out (reports treat it as absent) because it cannot be used: "
        f"{file}, column 'customer_id': 2 rows; example: 'a'; expected each customer_id at most once "
        f"(1 id appears more than once). Fix or re-import it; `python -m retention validate` lists every problem."
    ]
    assert db.engine(ds).meta.get("attributes", []) == []  # its attribute 'plan' is gone with it


def test_signed_up_at_unreadable_but_null_allowed(tmp_path):
    good_orders(tmp_path)
    file = write(
        tmp_path, "customers", {"customer_id": ["a", "b", "c"], "signed_up_at": ["2024-01-01", None, "gestern"]}
    )
    assert_reported(problems_of(tmp_path), file, "signed_up_at", 1, "'gestern'", "an ISO-8601 date")


def test_all_null_optional_column_is_fine(tmp_path):
    good_orders(tmp_path)
    write(tmp_path, "customers", {"customer_id": ["a", "b"], "signed_up_at": [None, None]})
    assert validate.check(_engine(tmp_path), TODAY) == []
    ds = db.open_dataset(tmp_path, "UTC", today=TODAY, strict=True)
    assert db.engine(ds).meta["optional"]["customers"] is True  # kept, not left out


def test_every_problem_of_every_table_is_listed_at_once(tmp_path):
    write(
        tmp_path,
        "orders",
        {"customer_id": ["a", None], "ordered_at": ["2024-01-01", "2099-01-01"], "amount": ["1", "x"]},
    )
    write(tmp_path, "customers", {"customer_id": ["a", "a"]})
    err = problems_of(tmp_path)
    orders, customers = str(tmp_path / "orders.parquet"), str(tmp_path / "customers.parquet")
    assert [(p.file, p.column, p.rows, p.example) for p in err.problems] == [
        (orders, "customer_id", 1, "null"),
        (orders, "ordered_at", 1, "'2099-01-01'"),
        (orders, "amount", 1, "'x'"),
        (customers, "customer_id", 2, "'a'"),
    ]
    assert str(err).startswith("The data has 4 problems: ")


def test_a_partitioned_orders_folder_is_checked_as_one_table(tmp_path):
    folder = tmp_path / "orders"
    for month, day in (("2024-01", "2024-01-05"), ("2024-02", "2024-02-30")):
        part = folder / f"month={month}"
        part.mkdir(parents=True)
        pl.DataFrame({"customer_id": ["a"], "ordered_at": [day]}).write_parquet(part / "data.parquet")
    assert_reported(problems_of(tmp_path), folder, "ordered_at", 1, "'2024-02-30'", "an ISO-8601 date")


# -- the validate command -------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETENTION_")}
    env["RETENTION_TIMEZONE"] = "UTC"
    return subprocess.run(
        [sys.executable, "-m", "retention", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_validate_lists_the_problems_and_exits_2(tmp_path):
    file = write(
        tmp_path,
        "orders",
        {
            "customer_id": ["a", "b", "c"],
            "ordered_at": ["2024-01-01", "31/02/2024", "2024-01-02"],
            "amount": ["1", "2", "12,50"],
        },
    )
    run = cli("validate", "--data", str(tmp_path))
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    err = run.stderr
    assert err.startswith("error: The data has 2 problems: ")
    assert f"{file}, column 'ordered_at': 1 row; example: '31/02/2024'; expected an ISO-8601 date" in err
    assert f"{file}, column 'amount': 1 row; example: '12,50'; expected a number with a dot" in err


def test_cli_validate_of_a_customers_table_with_a_repeated_id_exits_2(tmp_path):
    good_orders(tmp_path)
    file = write(tmp_path, "customers", {"customer_id": ["a", "b", "a", None], "plan": list("xyzx")})
    run = cli("validate", "--data", str(tmp_path))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (
        f"error: The data has 2 problems: {file}, column 'customer_id': 1 row; example: null; expected {NO_ID}. "
        f"{file}, column 'customer_id': 2 rows; example: 'a'; expected each customer_id at most once "
        f"(1 id appears more than once). {FIX}\n"
    )


def test_cli_validate_of_a_file_that_is_not_parquet(tmp_path):
    (tmp_path / "orders.parquet").write_text("customer_id,ordered_at\na,2024-01-01\n")
    run = cli("validate", "--data", str(tmp_path))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{tmp_path / 'orders.parquet'}: cannot be read as Parquet" in run.stderr


def test_cli_validate_of_a_missing_folder(tmp_path):
    run = cli("validate", "--data", str(tmp_path / "nowhere"))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "does not exist" in run.stderr


def test_cli_validate_prints_a_summary_of_a_valid_folder(tmp_path):
    good_orders(tmp_path)
    write(tmp_path, "customers", {"customer_id": ["a", "b"], "region": ["north", "south"]})
    run = cli("validate", "--data", str(tmp_path))
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "all input rules hold" in out
    assert "orders: 3 rows, 3 columns (customer_id, ordered_at, amount)" in out
    assert "order dates 2024-01-05 to 2024-03-01, 2 customers, 1 refund row" in out
    assert "customers: 2 rows, 2 columns (customer_id, region)" in out
    assert "contacts: not present (optional)" in out


def test_summarize_raises_input_errors_for_the_cli(tmp_path):
    with pytest.raises(InputError):
        validate.summarize(tmp_path, "UTC")  # no orders table
