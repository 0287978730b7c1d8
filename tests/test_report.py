"""The executive report: the PDF's text holds the KPI figures the CLI prints (en and zh, Chinese labels, fonts
embedded), the HTML opens with no network request, data is HTML-escaped, bad options exit 2."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import polars as pl
import pytest

from retention import db
from retention.params import Params
from retention.report import KPI_KINDS, build, fmt_kpi, kpi_columns, language, render_html
from tests.conftest import ARTIFACTS, run_cli

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def made(sample_dir, tmp_path_factory):
    """The report of the sample, by the CLI: PDF in English and Chinese, HTML in English."""
    out = tmp_path_factory.mktemp("report")
    files = {}
    for name, extra in (("en.pdf", ()), ("zh.pdf", ("--lang", "zh")), ("en.html", ())):
        path = out / f"report_{name}"
        res = run_cli("report", "--data", sample_dir, "--out", path, *extra)
        assert res.returncode == 0, res.stderr
        assert "Traceback" not in res.stderr
        files[name] = path
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in files.items():
        (ARTIFACTS / f"report_{name}").write_bytes(path.read_bytes())
    return files


def cli_kpis(sample_dir) -> dict:
    """The CLI's kpis row of the last complete period."""
    res = run_cli("kpis", "--data", sample_dir)
    assert res.returncode == 0, res.stderr
    table = pl.read_csv(io.StringIO(res.stdout), try_parse_dates=True)
    return table.filter(pl.col("complete")).row(-1, named=True)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_holds_the_cli_kpis(made, sample_dir, lang):
    pdf = made[f"{lang}.pdf"]
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    row = cli_kpis(sample_dir)
    with language(lang):
        for column in [*KPI_KINDS, "profit"]:  # the sample's orders carry a cost column, so profit is shown
            expected = fmt_kpi(column, row[column], "USD")
            assert expected in text, (column, expected)
    period = row["period"]
    if lang == "zh":
        for label in (
            "管理层报告",
            "关键指标",
            "活跃客户",
            "流失率",
            "同期群",
            "预警",
            f"{period.year}年{period.month}月",
        ):
            assert label in text, label
    else:
        for label in ("Executive report", "Key figures", "Active customers", "Churn rate", "Early warning"):
            assert label in text, label
        assert period.strftime("%b %Y") in text
    # every font is embedded (the CJK glyphs included)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts


def test_pdf_pages_as_png(made):
    """The pages as PNG, to look at (tests/artifacts/report_page_LANG-N.png)."""
    for lang in ("en", "zh"):
        prefix = ARTIFACTS / f"report_page_{lang}"
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(made[f"{lang}.pdf"]), str(prefix)], check=True)
        assert list(ARTIFACTS.glob(f"report_page_{lang}-*.png"))


def test_html_opens_with_no_network_request(made, browser):
    # The session's Chromium (conftest): a second sync_playwright in this thread would find the first one's loop.
    html = made["en.html"]
    source = html.read_text(encoding="utf-8")
    assert "<script" not in source and "@import" not in source and "<link" not in source
    assert source.count("<svg") >= 5  # waterfall, trends, cohorts, reasons, campaigns
    url = html.resolve().as_uri()
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 900, "height": 1200})
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url, wait_until="networkidle")
        page.screenshot(path=str(ARTIFACTS / "report_html.png"), full_page=True)
        drawn = page.evaluate(
            "() => [...document.querySelectorAll('.chart svg')].map(s => s.getBoundingClientRect().height)"
        )
    finally:
        page.close()
    assert requests and all(r == url or r.startswith("data:") for r in requests), requests
    assert len(drawn) >= 5 and min(drawn) > 100


def test_data_is_escaped(make_data):
    """A customer id or attribute value with markup is shown as text (Jinja autoescape), never as markup."""
    evil = "<script>alert(1)</script>"
    t = dt.date(2024, 6, 30)
    folder = make_data(
        orders={
            "customer_id": [evil, "b", "b"],  # the evil id is on the call list: one purchase, silent 60 days
            "ordered_at": [t - dt.timedelta(days=60), t - dt.timedelta(days=40), t],
            "amount": [10.0, 5.0, 5.0],
        },
        customers={"customer_id": [evil, "b"], "region": ["<b>North</b>", "South"]},
    )
    ds = db.open_dataset(folder)
    p = Params(as_of=t, window=91, filters=(("region", ("<b>North</b>", "South")),))
    html = render_html(build(ds, p, "USD", "en"), {})
    assert evil not in html and "<b>North</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;North&lt;/b&gt;" in html


def test_the_numbers_are_the_library_s(sample_dir):
    """The KPI table of the report is the KPI report's row of the last complete period, formatted."""
    from retention.queries.profit import kpi_report

    ds = db.open_dataset(sample_dir)
    p = Params(as_of=db.engine(ds).meta["default_as_of"])
    report = build(ds, p, "EUR", "en")
    row = kpi_report(ds, p).filter(pl.col("complete")).row(-1, named=True)
    columns = kpi_columns(ds, p)
    assert columns == [*KPI_KINDS, "profit"]  # the sample's orders carry a cost column; no acquisition cost set
    assert [r["current"] for r in report.context["kpi_rows"]] == [fmt_kpi(c, row[c], "EUR") for c in columns]
    assert report.summary[0].startswith(f"Active customers: {row['active_end']:,} (")
    # the call list and who is new on it since the end of the previous period, as the CLI prints them
    since = (row["period"] - dt.timedelta(days=1)).isoformat()
    res = run_cli("alerts", "--data", sample_dir, "--new-since", since)
    assert report.context["alerts"]["n_new"] == len(res.stdout.splitlines()) - 1
    assert report.context["alerts"]["since_iso"] == since


def test_bad_options_exit_2(sample_dir, tmp_path):
    res = run_cli("report", "--data", sample_dir, "--out", tmp_path / "r.docx")
    assert res.returncode == 2 and "FILE.html or FILE.pdf" in res.stderr
    res = run_cli("report", "--data", sample_dir)
    assert res.returncode == 2 and "--out" in res.stderr
    res = run_cli("report", "--data", sample_dir, "--out", tmp_path / "r.pdf", "--email", "not-an-address")
    assert res.returncode == 2 and "not an e-mail address" in res.stderr
    assert "Traceback" not in res.stderr


def test_profit_replacement_cost_and_winback_as_the_cli(sample_dir):
    """With a margin and an acquisition cost the report adds profit and the replacement cost (the CLI's
    `kpis --margin --acquisition-cost`); the win-back list is the CLI's `winback`."""
    ds = db.open_dataset(sample_dir)
    p = Params(as_of=db.engine(ds).meta["default_as_of"], margin=0.4, acquisition_cost=25.0)
    report = build(ds, p, "USD", "en")
    res = run_cli("kpis", "--data", sample_dir, "--margin", "0.4", "--acquisition-cost", "25")
    row = pl.read_csv(io.StringIO(res.stdout), try_parse_dates=True).filter(pl.col("complete")).row(-1, named=True)
    shown = {r["label"]: r["current"] for r in report.context["kpi_rows"]}
    assert shown["Profit"] == fmt_kpi("profit", row["profit"], "USD")
    assert shown["Cost of replacing the lapsed"] == fmt_kpi("replacement_cost", row["replacement_cost"], "USD")
    assert any(s.startswith("Profit: ") for s in report.summary)

    winback = run_cli("winback", "--data", sample_dir, "--margin", "0.4", "--acquisition-cost", "25")
    lines = winback.stdout.splitlines()
    section = report.context["winback"]
    assert section["count"] == f"{len(lines) - 1:,}"
    assert [r["customer_id"] for r in section["rows"]] == [line.split(",")[0] for line in lines[1:11]]


def test_nothing_to_report_and_other_periods(sample_dir):
    """A filter nobody matches gives a report that says so; weeks and quarters build like months."""
    ds = db.open_dataset(sample_dir)
    as_of = db.engine(ds).meta["default_as_of"]
    empty = build(ds, Params(as_of=as_of, filters=(("region", ("Nowhere",)),)), "USD", "en")
    html = render_html(empty, {})
    assert empty.context["empty"] and "nothing to report" in html
    for period in ("week", "quarter"):
        report = build(ds, Params(as_of=as_of, period=period), "USD", "zh")
        assert not report.context["empty"] and {"waterfall", "trends", "cohorts"} <= set(report.figures)
        assert "管理层报告" in render_html(report, {})
