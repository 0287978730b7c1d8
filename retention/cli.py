"""`python -m retention`: every report of CLI.md printed as CSV or JSON, plus the data commands."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from retention import db
from retention.errors import InputError
from retention.params import PERIODS, Params, check_range, make_params
from retention.settings import load_settings, location, parse_pairs, parse_window_map


class ArgumentParser(argparse.ArgumentParser):
    """argparse that raises InputError (exit 2, one paragraph) instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message}. Run `{self.prog} --help` for the options.")


@dataclass(frozen=True)
class Report:
    """A CLI report: its options, and a function from (dataset, params, args) to the printed frame."""

    help: str
    run: Callable[[db.Dataset, Params, argparse.Namespace], pl.DataFrame | None]
    options: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date of the form YYYY-MM-DD") from None


def _checked(text: str, kind: Callable[[str], float], not_a: str, ok: Callable[[float], bool], must: str):
    """`text` read by `kind` (int or float): an ArgumentTypeError "'TEXT' NOT_A" when it cannot be read,
    "'TEXT' MUST" when the value breaks `ok` (a NaN breaks every range)."""
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' {not_a}") from None
    if not ok(value):
        raise argparse.ArgumentTypeError(f"'{text}' {must}")
    return value


def _positive_int(text: str) -> int:
    return _checked(text, int, "is not a whole number", lambda v: v >= 1, "must be at least 1")


def _fraction(text: str) -> float:
    return _checked(text, float, "is not a number", lambda v: 0 <= v <= 1, "must be between 0 and 1")


def _margin(text: str) -> float:
    must = "must be above 0 and at most 1 (a share of revenue, such as 0.6)"
    return _checked(text, float, "is not a number", lambda v: 0 < v <= 1, must)


def _money(text: str) -> float:
    not_a = "is not a number (an amount such as 25 or 12.50)"
    return _checked(text, float, not_a, lambda v: 0 <= v < float("inf"), "must be a finite amount of 0 or more")


def _int_list(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of whole numbers") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' needs whole numbers of at least 1 day")
    return values


def _filter(text: str) -> tuple[str, list[str]]:
    attr, sep, values = text.partition("=")
    vals = [v.strip() for v in values.split(",") if v.strip()]
    if not sep or not attr.strip() or not vals:
        raise argparse.ArgumentTypeError(f"'{text}' is not of the form ATTRIBUTE=VALUE,VALUE")
    return attr.strip(), vals


def date_range(args: argparse.Namespace, p: Params, required: bool = False) -> tuple[dt.date | None, dt.date | None]:
    """--from/--to, inclusive; a date after T is an error."""
    start, end = getattr(args, "date_from", None), getattr(args, "date_to", None)
    if required and (start is None or end is None):
        raise InputError("This report needs both --from DATE and --to DATE (YYYY-MM-DD).")
    check_range(p, start, end)
    return start, end


def add_range(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="date_from", type=_date, metavar="DATE", help="first day, inclusive (YYYY-MM-DD)"
    )
    parser.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="last day, inclusive (YYYY-MM-DD)")


REPORTS: dict[str, Report] = {}
PRESET_NAMES = ("shopify", "square", "stripe", "woocommerce")
IMPORT_EXAMPLES = """examples:
  # a Shopify orders export (recognised from its header), added to the orders already imported
  python -m retention import orders_export_1.csv --table orders --data data/shop --append

  # a till's Excel sheet with day-first dates and decimal commas, its columns named
  python -m retention import kasse.xlsx --table orders --sheet Umsatz --date-format %d.%m.%Y --decimal-comma \\
      --column customer_id=Kunde --column ordered_at=Datum --column amount=Betrag
"""


def register(name: str, report: Report) -> None:
    REPORTS[name] = report


# The order of CLI.md; a report module not listed here comes after these.
ORDER = (
    "cohorts", "kpis", "status", "migrations", "return-curve", "recommend", "whatif", "reasons",
    "reasons-summary", "rfm", "segment-migrations", "campaigns", "alerts",
    "predict", "predict-fit", "predict-check",
    "winback", "slowing", "retention-value",
)  # fmt: skip


def _register_all() -> None:
    """Import every module of retention.commands and let it add its reports."""
    import importlib
    import pkgutil

    from retention import commands

    found: dict[str, Report] = {}
    for mod in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"retention.commands.{mod.name}").register(found.__setitem__)
    for name in sorted(found, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        register(name, found[name])


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(prog="python -m retention", description="Retention reports over Parquet order data.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    for name, report in REPORTS.items():
        p = sub.add_parser(name, help=report.help)
        p.add_argument(
            "--data", type=location, help="data folder (a URL such as hdfs://... or s3a://... on Spark; "
            "default: RETENTION_DATA_DIR)",
        )  # fmt: skip
        p.add_argument(
            "--as-of", dest="as_of", type=_date, metavar="YYYY-MM-DD",
            help="the day the analysis stands on, T (default: the latest order date)",
        )  # fmt: skip
        p.add_argument(
            "--window", type=_positive_int, metavar="DAYS",
            help="expected return window in days: silent longer = lapsed (default: RETENTION_WINDOW)",
        )  # fmt: skip
        p.add_argument(
            "--window-by", dest="window_by", metavar="ATTRIBUTE",
            help="customer attribute whose values --window-map gives their own window",
        )  # fmt: skip
        p.add_argument(
            "--window-map", dest="window_map", metavar="VALUE=DAYS,...",
            help="a window per value of --window-by, such as cafe=30,dental=180",
        )  # fmt: skip
        p.add_argument(
            "--filter", dest="filters", type=_filter, action="append", default=[], metavar="ATTR=V,V",
            help="only customers whose attribute ATTR is one of the values (repeatable; all must hold)",
        )  # fmt: skip
        p.add_argument("--period", choices=PERIODS, help="period length of the report (default: RETENTION_PERIOD)")
        p.add_argument(
            "--margin", type=_margin, metavar="X",
            help="share of revenue kept as gross profit, 0 < X <= 1, for rows without a cost (default: RETENTION_MARGIN, 1)",
        )  # fmt: skip
        p.add_argument(
            "--acquisition-cost", dest="acquisition_cost", type=_money, metavar="MONEY",
            help="what winning one new customer costs; figures that use it are empty without it "
            "(default: RETENTION_ACQUISITION_COST, none)",
        )  # fmt: skip
        p.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default: csv)")
        p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
        p.add_argument(
            "--excel-safe", dest="excel_safe", action="store_true",
            help="put an apostrophe before text cells starting with = + - @ tab or CR, which a spreadsheet "
            "would run as formulas (default: exact values)",
        )  # fmt: skip
        p.add_argument(
            "--engine", choices=("duckdb", "spark"),
            help="the SQL engine: DuckDB here, or Apache Spark (RETENTION_SPARK_MASTER or RETENTION_SPARK_REMOTE; "
            "README \"Running on Spark\") (default: RETENTION_ENGINE, duckdb)",
        )  # fmt: skip
        report.options(p)
        p.set_defaults(handler=_run_report, report=report)

    s = sub.add_parser("sample", help="write the sample data set (all four tables)")
    s.add_argument("--out", type=Path, required=True, help="folder to write the four tables into")
    s.add_argument("--customers", type=_positive_int, default=5000, help="how many customers (default: 5000)")
    s.add_argument("--seed", type=int, default=42, help="random seed: the same seed writes the same data (default: 42)")
    s.set_defaults(handler=_sample)

    v = sub.add_parser("validate", help="check every table against the input rules")
    v.add_argument("--data", type=Path, help="data folder to check (default: RETENTION_DATA_DIR)")
    v.set_defaults(handler=_validate)

    w = sub.add_parser(
        "prepare",
        help="build (or refresh) the base tables and compute every page's default view ahead",
        description=(
            "Open the data folder as the dashboard does (building the base tables, or refreshing them after "
            "appended orders) and compute every page's default view, kept beside the base cache: the "
            "dashboard's first visit of each page then reads it. Run it after the daily import."
        ),
    )
    w.add_argument("--data", type=Path, help="data folder (default: RETENTION_DATA_DIR)")
    w.set_defaults(handler=_prepare)

    sub.add_parser(
        "serve",
        help="the dashboard (streamlit run app.py), with the library loaded before a browser asks",
        description=(
            "Start the dashboard: Streamlit's `streamlit run app.py` in this process, after importing what its "
            "pages import, so that the first page a browser asks for does not wait for them. Every option after "
            "`serve` goes to `streamlit run`, e.g. `python -m retention serve --server.port 8502`."
        ),
    ).set_defaults(handler=_serve_elsewhere)

    i = sub.add_parser(
        "import",
        help="validate a CSV, Excel or Parquet file (or a shop's export) and write it into DIR as Parquet",
        description=(
            "Validate a CSV (any delimiter; UTF-8, UTF-16, GBK or Latin-1), Excel or Parquet file as TABLE and "
            "write it into the data folder as Parquet. The table in use is replaced only when the new one is "
            "complete and valid; the previous version is kept under _history/. Exports of Shopify, Square, "
            "Stripe and WooCommerce are recognised from their header."
        ),
        epilog=IMPORT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("file", type=Path, help="the file to import: .csv/.txt, .xlsx/.xls or .parquet")
    i.add_argument("--table", required=True, choices=db.TABLES, help="which table the file holds")
    i.add_argument("--data", type=Path, help="data folder to write into (default: RETENTION_DATA_DIR)")
    i.add_argument(
        "--column", dest="columns", action="append", default=[], metavar="NAME=SOURCE",
        help="take the table's column NAME from the file's column SOURCE (repeatable, or NAME=SOURCE,NAME=SOURCE)",
    )  # fmt: skip
    i.add_argument(
        "--preset", choices=PRESET_NAMES,
        help="read the file as this shop's orders export (default: recognised from the header)",
    )  # fmt: skip
    i.add_argument(
        "--date-format", dest="date_format", metavar="FORMAT",
        help="how the file writes dates, as a strftime pattern: %%d/%%m/%%Y, %%m/%%d/%%Y %%H:%%M, %%d.%%m.%%Y "
        "(needed only when the day order is ambiguous)",
    )  # fmt: skip
    i.add_argument(
        "--decimal-comma", dest="decimal_comma", action="store_true",
        help="amounts use a decimal comma: 12,50 and 1.234,50",
    )  # fmt: skip
    i.add_argument("--sheet", metavar="NAME", help="Excel: the sheet to read (default: the first)")
    i.add_argument(
        "--append", action="store_true",
        help="add the file's orders to the table instead of replacing it (order_ids already there are skipped)",
    )  # fmt: skip
    i.set_defaults(handler=_import)
    return parser


def _serve_elsewhere(args: argparse.Namespace) -> int:
    # `python -m retention serve` is taken by retention/__main__.py (its options are Streamlit's); this
    # parser only documents it in --help
    raise InputError("serve starts the dashboard from the command line: python -m retention serve [STREAMLIT OPTIONS]")


def _prepare(args: argparse.Namespace) -> int:
    from retention import results, warm

    started = time.perf_counter()
    settings, ds = open_from_args(args)
    if getattr(db.engine(ds), "results_dir", None) is None:
        raise InputError(
            f"{ds.data_dir}: there is no base cache to keep the pages' results beside (on Spark, or no writable "
            "cache folder: set RETENTION_CACHE_DIR to a folder this user can write)."
        )
    print(f"base tables: {time.perf_counter() - started:.1f} s")
    results.enable()
    for page, seconds, why in warm.warm(ds, settings):
        print(f"{page}: {seconds:.1f} s" + (f" (the page shows: {why})" if why else ""))
    print(f"stored in {db.engine(ds).results_dir}")
    return 0


def open_from_args(args: argparse.Namespace):
    settings = load_settings()
    data_dir = args.data or settings.data_dir
    ds = db.open_dataset(
        data_dir,
        settings.timezone,
        memory_limit=settings.memory_limit,
        threads=settings.threads,
        temp_dir=settings.temp_dir,
        cache_dir=settings.cache_dir,
        engine_name=getattr(args, "engine", None) or settings.engine,
    )
    return settings, ds


def _run_report(args: argparse.Namespace) -> int:
    settings, ds = open_from_args(args)
    for warning in db.warnings(ds):
        print(f"warning: {warning}", file=sys.stderr)
    frame = report_frame(ds, settings, args)
    if frame is not None:  # a report that writes its own file (`report`) returns None
        write(frame, args.format, args.out, excel_safe=args.excel_safe)
    return 0


def report_frame(ds: db.Dataset, settings, args: argparse.Namespace) -> pl.DataFrame | None:
    """The frame a report prints for parsed arguments on an open dataset (any engine: tests/test_spark.py)."""
    window_map = None
    if args.window_map is not None:
        try:
            window_map = parse_window_map(args.window_map)
        except ValueError as exc:
            raise InputError(f"--window-map: {exc}.") from None
    if window_map and not (args.window_by or settings.window_by):
        raise InputError("--window-map needs --window-by ATTRIBUTE (which customer attribute the map's values are of).")
    filters: dict[str, list[str]] = {}
    for attr, values in args.filters:
        filters.setdefault(attr, []).extend(values)
    params = make_params(
        ds,
        settings,
        as_of=args.as_of,
        window=args.window,
        window_by=args.window_by,
        window_map=window_map,
        filters=filters,
        period=args.period,
        **{k: v for k in ("margin", "acquisition_cost") if (v := getattr(args, k, None)) is not None},
    )
    return args.report.run(ds, params, args)


def format_csv(frame: pl.DataFrame) -> str:
    return frame.write_csv(date_format="%Y-%m-%d", null_value="")


def format_json(frame: pl.DataFrame) -> str:
    def default(value: object) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(type(value))

    return json.dumps(frame.to_dicts(), default=default, ensure_ascii=False) + "\n"


def write(frame: pl.DataFrame, fmt: str, out: Path | None, excel_safe: bool = False) -> None:
    if excel_safe:
        from retention.safe import excel_safe as neutralise

        frame = neutralise(frame)
    text = format_csv(frame) if fmt == "csv" else format_json(frame)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _sample(args: argparse.Namespace) -> int:
    from retention.sample import write_sample

    counts = write_sample(args.out, customers=args.customers, seed=args.seed)
    print(", ".join(f"{name}: {n:,} rows" for name, n in counts.items()) + f" written to {args.out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    settings = load_settings()
    data_dir = args.data or settings.data_dir
    from retention.validate import summarize

    print(summarize(Path(data_dir), settings.timezone))
    return 0


def _import(args: argparse.Namespace) -> int:
    from retention.importer import Options, run_import

    settings = load_settings()
    mapping: dict[str, str] = {}
    for item in args.columns:
        try:
            mapping.update(parse_pairs(item, "--column"))
        except ValueError as exc:
            raise InputError(f"{exc}.") from None
    options = Options(**{k: getattr(args, k) for k in ("preset", "date_format", "decimal_comma", "sheet", "append")})
    result = run_import(
        args.file, args.table, Path(args.data or settings.data_dir), mapping, settings.timezone, options
    )
    print(result.message)
    if args.table == "orders":
        for line in result.summary.lines():
            print(f"  {line}")
    return 0


def main(argv: list[str] | None = None) -> int:
    _register_all()
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
