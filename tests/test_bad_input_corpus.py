"""The corpus of broken data sets (tests/bad_data.py) run against the CLI reports, `validate` and every page.

A broken required table: exit 2, one message naming the file and the column, no traceback. A valid-but-odd
data set (ids of mixed types, hostile ids): every report works. A broken optional table: `validate` exits 2,
the reports and pages that do not read it run and warn.
"""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest

from tests.bad_data import CASE_BY_NAME, CASES, HOSTILE_IDS, Case
from tests.conftest import ROOT, run_cli

RANGE = ("--from", "2024-01-01", "--to", "2024-05-01")
REPORTS = {
    "cohorts": (),
    "kpis": (),
    "status": (),
    "migrations": RANGE,
    "return-curve": (),
    "recommend": (),
    "whatif": (),
    "reasons": (),
    "reasons-summary": (),
    "rfm": (),
    "segment-migrations": RANGE,
    "campaigns": (),
    "alerts": (),
}
# The reports reading each optional table (with it broken they refuse or say it is left out).
READS = {"churn_reasons": {"reasons", "reasons-summary"}, "contacts": {"campaigns"}, "customers": set()}


def cli(folder: Path, *args: str):
    return run_cli(*args, "--data", str(folder), env={"RETENTION_CACHE_DIR": str(folder.parent / "cache")})


def assert_names_problem(case: Case, folder: Path, text: str) -> None:
    assert case.file is not None
    assert str(folder / case.file) in text, text
    if case.column:
        assert f"'{case.column}'" in text, text


def assert_outcome(case: Case, folder: Path, report: str, proc) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    optional_table = case.file.removesuffix(".parquet") if case.optional else None
    expected = case.exit
    if report == "validate" and case.optional:
        expected = 2
    if optional_table and report in READS[optional_table]:
        expected = proc.returncode  # either refuses or runs as if the table were absent; the warning is checked
    assert proc.returncode == expected, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    if case.file is not None:
        assert_names_problem(case, folder, proc.stderr)
    if proc.returncode == 2:
        assert proc.stderr.startswith("error: "), proc.stderr
        assert proc.stdout == ""
    elif report != "validate":
        assert proc.stdout.strip(), "a report that succeeds prints its table"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_validate_and_one_report(case, tmp_path):
    folder = case.write(tmp_path)
    for report in ("validate", "status"):
        args = (report,) if report == "validate" else (report, *REPORTS[report])
        assert_outcome(case, folder, report, cli(folder, *args))


@pytest.mark.parametrize("name", ["missing_customer_id", "mixed_amount_types", "hostile_ids", "bad_category"])
@pytest.mark.parametrize("report", list(REPORTS))
def test_every_report(name, report, tmp_path):
    case = CASE_BY_NAME[name]
    folder = case.write(tmp_path)
    assert_outcome(case, folder, report, cli(folder, report, *REPORTS[report]))


def test_hostile_ids_round_trip_in_status_by_customer(tmp_path):
    folder = CASE_BY_NAME["hostile_ids"].write(tmp_path)
    proc = cli(folder, "status", "--by-customer")
    assert proc.returncode == 0, proc.stderr
    out = pl.read_csv(io.StringIO(proc.stdout), infer_schema=False)
    assert sorted(out["customer_id"]) == sorted(HOSTILE_IDS)
    proc = cli(folder, "status", "--by-customer", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert sorted(pl.read_json(io.StringIO(proc.stdout))["customer_id"]) == sorted(HOSTILE_IDS)


def test_ids_of_mixed_types_are_read_as_text(tmp_path):
    folder = CASE_BY_NAME["mixed_id_types"].write(tmp_path)
    proc = cli(folder, "status", "--by-customer")
    assert proc.returncode == 0, proc.stderr
    out = pl.read_csv(io.StringIO(proc.stdout), infer_schema=False)
    assert sorted(out["customer_id"]) == ["101", "102", "c"]


# -- pages ----------------------------------------------------------------------------------------


def _pages() -> list[str]:
    from retention.ui import PAGES

    return [p.path for p in PAGES if p.path != "app.py"]


PAGE_CASES = [
    "missing_customer_id",
    "not_parquet",
    "mixed_amount_types",
    "hostile_ids",
    "bad_category",
    "duplicate_customer",
]


@pytest.mark.parametrize("name", PAGE_CASES)
def test_every_page(name, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from retention.settings import get_settings

    case = CASE_BY_NAME[name]
    folder = case.write(tmp_path)
    monkeypatch.setenv("RETENTION_DATA_DIR", str(folder))
    monkeypatch.setenv("RETENTION_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        failures = []
        for path in ["app.py", *_pages()]:
            if path != "app.py":
                at.switch_page(path)
                at.run()
            if at.exception:
                failures.append(f"{path}: exception {[e.value for e in at.exception]}")
                continue
            errors = " ".join(e.value for e in at.error)
            warnings = " ".join(w.value for w in at.warning)
            if path == "pages/10_Import.py":
                continue  # works without valid data
            if case.exit == 2:
                if str(folder / case.file) not in errors:
                    failures.append(f"{path}: no error naming {case.file}: {errors!r}")
            elif case.optional:
                if str(folder / case.file) not in errors + warnings:
                    failures.append(f"{path}: no warning naming {case.file}: {warnings!r} {errors!r}")
            elif errors:
                failures.append(f"{path}: unexpected error {errors!r}")
        assert not failures, "\n".join(failures)
    finally:
        get_settings.cache_clear()


# -- the engine: broken optional tables are left out, validate (strict) refuses them ----------------


def _fresh(monkeypatch):
    from retention import db

    monkeypatch.setattr(db, "_engines", type(db._engines)())


@pytest.mark.parametrize("name", ["bad_category", "bad_group", "duplicate_customer"])
def test_broken_optional_table_is_left_out_with_a_warning(name, tmp_path, monkeypatch):
    from retention import db
    from retention.errors import DataError

    _fresh(monkeypatch)
    case = CASE_BY_NAME[name]
    folder = case.write(tmp_path)
    table = case.file.removesuffix(".parquet")
    ds = db.open_dataset(folder, cache_dir=tmp_path / "cache")
    assert db.engine(ds).meta["optional"][table] is False
    (warning,) = db.warnings(ds)
    assert str(folder / case.file) in warning and f"column '{case.column}'" in warning
    # validate's strict open refuses it, also with the lenient engine already open in this process
    with pytest.raises(DataError) as err:
        db.open_dataset(folder, use_cache=False, strict=True)
    assert str(folder / case.file) in str(err.value)
    # a new process reading the cached base gets the same warning
    _fresh(monkeypatch)
    assert db.warnings(db.open_dataset(folder, cache_dir=tmp_path / "cache")) == [warning]


def test_unreadable_optional_table_is_left_out_but_unreadable_orders_refused(tmp_path, monkeypatch):
    from retention import db
    from retention.errors import InputError

    _fresh(monkeypatch)
    folder = CASE_BY_NAME["hostile_ids"].write(tmp_path)
    (folder / "customers.parquet").write_text("customer_id\na\n")
    ds = db.open_dataset(folder, use_cache=False)
    assert db.engine(ds).meta["optional"]["customers"] is False
    assert str(folder / "customers.parquet") in db.warnings(ds)[0]
    with pytest.raises(InputError, match="customers.parquet: cannot be read as Parquet"):
        db.open_dataset(folder, use_cache=False, strict=True)


def test_files_of_a_folder_must_agree_on_column_kinds(tmp_path, monkeypatch):
    import datetime as dt

    from retention import db
    from retention.errors import InputError

    _fresh(monkeypatch)
    orders = tmp_path / "ok" / "orders"
    orders.mkdir(parents=True)
    day = dt.date(2024, 1, 5)
    pl.DataFrame({"customer_id": ["a"], "ordered_at": [day], "amount": [1]}).write_parquet(orders / "a.parquet")
    pl.DataFrame({"customer_id": ["b"], "ordered_at": [dt.datetime(2024, 1, 6, 12)], "amount": [2.5]}).write_parquet(
        orders / "b.parquet"
    )
    ds = db.open_dataset(orders.parent, use_cache=False, today=dt.date(2024, 6, 1))  # int/double, date/timestamp
    assert db.engine(ds).meta["first_order_date"] == day
    contacts = orders.parent / "contacts"
    contacts.mkdir()
    base = {"customer_id": ["a"], "contacted_at": [day], "campaign": ["x"]}
    pl.DataFrame({**base, "cost": [1.0]}).write_parquet(contacts / "a.parquet")
    pl.DataFrame({**base, "cost": ["2.0"]}).write_parquet(contacts / "b.parquet")
    ds = db.open_dataset(orders.parent, use_cache=False, today=dt.date(2024, 6, 1))
    assert "column 'cost': the files of the folder disagree on its type" in db.warnings(ds)[0]
    with pytest.raises(InputError, match=r"contacts, column 'cost'.*DOUBLE in .*a\.parquet, VARCHAR in .*b\.parquet"):
        db.open_dataset(orders.parent, use_cache=False, strict=True, today=dt.date(2024, 6, 1))
