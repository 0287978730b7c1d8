"""Downloads safe to open in a spreadsheet: formula-like text cells get a leading apostrophe, numbers do not.

The app's CSVs always; the CLI only with --excel-safe (exact values otherwise)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from retention import ui
from retention.safe import excel_safe, hover_text, md_text, short
from tests.conftest import ROOT, d, run_cli


def cli_bytes(*args: object) -> bytes:
    """The report's standard output as bytes (text mode would turn the carriage return into a newline)."""
    out = subprocess.run(
        [sys.executable, "-m", "retention", *map(str, args)], cwd=ROOT, capture_output=True, timeout=600
    )
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout


IDS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "plain", "a=b"]


def test_cli_exact_by_default_and_neutralised_with_excel_safe(make_data):
    folder = make_data(orders={"customer_id": IDS, "ordered_at": [d("2024-01-01")] * 8, "amount": [10.0] * 8})
    assert cli_bytes("status", "--by-customer", "--data", folder) == (
        b'customer_id,status\n\tTAB,new\n"\rCR",new\n+1,new\n-2,new\n'
        b'"=HYPERLINK(""http://x"",""y"")",new\n@SUM(A1),new\na=b,new\nplain,new\n'
    )
    assert cli_bytes("status", "--by-customer", "--excel-safe", "--data", folder) == (
        b"customer_id,status\n'\tTAB,new\n\"'\rCR\",new\n'+1,new\n'-2,new\n"
        b'"\'=HYPERLINK(""http://x"",""y"")",new\n\'@SUM(A1),new\na=b,new\nplain,new\n'
    )
    # the summary table (numbers only) is the same either way
    plain = run_cli("status", "--data", folder).stdout
    assert run_cli("status", "--excel-safe", "--data", folder).stdout == plain


def test_excel_safe_in_help():
    out = run_cli("rfm", "--help")
    assert "--excel-safe" in out.stdout and "formulas" in out.stdout


def test_app_csv_is_neutralised_with_bom():
    frame = pl.DataFrame(
        {
            "customer_id": ["=1+2", "-3", None, "ok", "@x"],
            "amount": [-5.0, 1.5, None, 0.0, -0.25],
            "n": [-1, 2, 3, None, 5],
            "day": [dt.date(2024, 1, 2)] * 5,
        }
    )
    body = ui.csv_bytes(frame)
    assert body == (
        b"\xef\xbb\xbfcustomer_id,amount,n,day\n"
        b"'=1+2,-5.0,-1,2024-01-02\n"
        b"'-3,1.5,2,2024-01-02\n"
        b",,3,2024-01-02\n"
        b"ok,0.0,,2024-01-02\n"
        b"'@x,-0.25,5,2024-01-02\n"
    )


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30))
def test_excel_safe_only_prefixes_formula_cells(values):
    frame = pl.DataFrame({"v": values, "x": list(range(len(values)))}, schema={"v": pl.String, "x": pl.Int64})
    out = excel_safe(frame)
    assert out["x"].to_list() == frame["x"].to_list()
    for before, after in zip(values, out["v"].to_list(), strict=True):
        if before is not None and before[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert after == "'" + before
        else:
            assert after == before


def test_display_helpers():
    long = "x" * 10_000
    assert len(short(long)) == 80 and short(long).endswith("…")
    assert short("ab\u202ecd") == "ab\ufffdcd"
    assert md_text("[click](http://evil) **b** <b>") == "\\[click\\](http&#58;//evil) \\*\\*b\\*\\* &lt;b&gt;"
    assert md_text("business_type _x_ 1. a") == "business_type \\_x\\_ 1. a"
    assert md_text("- item") == "\\- item" and md_text("12. x") == "12\\. x" and md_text("a&lt;") == "a\\&lt;"
    assert hover_text("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
