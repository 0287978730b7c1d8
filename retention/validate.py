"""Input rules of METRICS.md ("Inputs") checked on the raw tables before any report runs or any import is kept.

Each table is checked in one aggregate pass (plus one grouped pass for duplicate customers): per rule, the
rows breaking it and the smallest breaking value. The rule conditions are SQL fragments built here from
the table's schema; column names come only from the allow-lists in tables.py and values travel as $params.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from retention.engine import Engine
from retention.errors import DataError, Problem
from retention.sqltext import CONTRACT_COLUMNS, date_expr, ident, number_expr
from retention.tables import DATE_COLUMNS, REQUIRED, TABLES, TableInfo, folder_dataset, type_kind

__all__ = ["check", "check_table", "number_expr", "rules_for", "summarize", "today_in", "type_kind"]

# ISO-8601 date, optionally with a time and an offset (or a trailing " UTC", as some databases export).
# DuckDB's parse alone would also take '2024-3-1', ' 2024-03-01', 'epoch', 'infinity' or an offset of +99:00;
# the shape check refuses those, the parse (the one db.date_expr uses) refuses impossible dates.
ISO_PATTERN = (
    r"\d{4}-\d{2}-\d{2}"
    r"([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z| UTC|[+-](0\d|1[0-4])(:?[0-5]\d)?)?)?"
)
# A plain number with a dot as decimal separator: no thousands separators, no decimal comma, no exponent.
NUMBER_PATTERN = r"[+-]?(\d+(\.\d*)?|\.\d+)"
CATEGORIES = ("controllable", "uncontrollable")
GROUPS = ("treatment", "control")

EXPECT_DATE = (
    "an ISO-8601 date such as 2024-03-31 or a timestamp such as 2024-03-31T14:05:00+02:00 (day-first dates "
    "like 31/03/2024 and impossible dates like 2024-02-31 are refused, not guessed)"
)
EXPECT_COST = (
    "a cost of 0 or more (what the order cost the business, such as 4.20; empty when unknown, then the margin "
    "setting applies)"
)
EXPECT_NUMBER = "a number with a dot as decimal separator, such as 12.50 (no thousands separators; empty when unknown)"

_EXAMPLE_WIDTH = 60


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class Rule:
    """One input rule on one column: `bad` is true on a row that breaks it, `value` is what the example shows."""

    column: str | None
    bad: str
    value: str
    expected: str


# -- the rules per column kind ------------------------------------------------------------------


def _wrong_type(column: str, duck_type: str, expected: str, required: bool = False) -> Rule:
    """A column whose type cannot hold the values: every value breaks it (and every row, when required)."""
    q = ident(column, CONTRACT_COLUMNS)
    return Rule(column, "true" if required else f"{q} is not null", q, f"{expected} (the column has type {duck_type})")


def _id_rules(columns: dict[str, str]) -> list[Rule]:
    duck_type = columns["customer_id"]
    kind = type_kind(duck_type)
    q = ident("customer_id", CONTRACT_COLUMNS)
    expected = "a customer_id in every row (text or a whole number)"
    if kind == "text":
        return [Rule("customer_id", f"{q} is null or trim({q}) = ''", q, expected)]
    if kind in ("integer", "id", "null"):
        return [Rule("customer_id", f"{q} is null", q, expected)]
    return [_wrong_type("customer_id", duck_type, "customer ids as text or whole numbers", required=True)]


def _date_rules(column: str, duck_type: str, required: bool) -> list[Rule]:
    kind = type_kind(duck_type)
    q = ident(column, CONTRACT_COLUMNS)
    rules: list[Rule] = []
    if kind in ("temporal", "null"):
        if required:
            rules.append(Rule(column, f"{q} is null", q, "a date in every row, such as 2024-03-31"))
    elif kind == "text":
        if required:
            rules.append(Rule(column, f"{q} is null or trim({q}) = ''", q, "a date in every row, such as 2024-03-31"))
        # Only values of the right shape are parsed (empty text is the null rule's, or allowed). A date-only
        # value is valid exactly when it is a calendar date, and the date parse is several times cheaper.
        unreadable = (
            f"case when {q} is null then false "
            f"when not regexp_full_match({q}, $iso_pattern) then trim({q}) <> '' "
            f"when length({q}) = 10 then try_cast({q} as date) is null "
            f"else try_cast({q} as timestamptz) is null end"
        )
        rules.append(Rule(column, unreadable, q, EXPECT_DATE))
    else:
        rules.append(
            _wrong_type(column, duck_type, "a date, a timestamp or ISO-8601 text such as 2024-03-31", required)
        )
    return rules


def _future_rule(column: str, duck_type: str, today: dt.date, timezone: str) -> list[Rule]:
    if type_kind(duck_type) not in ("temporal", "text"):
        return []
    q = ident(column, CONTRACT_COLUMNS)
    future = f"{date_expr(column, duck_type, timezone)} > $today"
    if type_kind(duck_type) == "text":
        # Parsing text in the zone is the slow part; an ISO value earlier than $future_cutoff (two days before
        # today, the most an offset plus the zone can shift a date) cannot be in the future.
        # Values of the wrong shape are the unreadable rule's, so each is reported once.
        future = (
            f"case when {q} < $future_cutoff then false when not regexp_full_match({q}, $iso_pattern) then false "
            f"else {future} end"
        )
    return [Rule(column, future, q, f"a date on or before today ({today.isoformat()} in {timezone})")]


def _number_rules(column: str, duck_type: str) -> list[Rule]:
    kind = type_kind(duck_type)
    q = ident(column, CONTRACT_COLUMNS)
    if kind == "text":
        return [
            Rule(column, f"trim({q}) <> '' and not regexp_full_match(trim({q}), $number_pattern)", q, EXPECT_NUMBER)
        ]
    if kind == "float":
        return [Rule(column, f"isnan({q}) or isinf({q})", q, f"a finite number ({EXPECT_NUMBER})")]
    if kind in ("integer", "decimal", "null"):
        return []
    return [_wrong_type(column, duck_type, EXPECT_NUMBER)]


def _not_negative_rule(column: str, duck_type: str, expected: str) -> list[Rule]:
    """A number column that may not be below 0 (values the number rules refuse are theirs, reported once)."""
    kind = type_kind(duck_type)
    q = ident(column, CONTRACT_COLUMNS)
    if kind == "text":
        value = number_expr(column, duck_type)
        bad = f"regexp_full_match(trim({q}), $number_pattern) and {value} < 0"
        return [Rule(column, bad, q, expected)]
    if kind in ("integer", "decimal", "float"):
        return [Rule(column, f"{q} < 0", q, expected)]
    return []


def _choice_rule(column: str, param: str, expected: str) -> Rule:
    q = ident(column, CONTRACT_COLUMNS)
    text = f"trim(cast({q} as varchar))"
    return Rule(column, f"{text} <> '' and not list_contains(${param}, lower({text}))", q, expected)


def rules_for(name: str, columns: dict[str, str], today: dt.date, timezone: str) -> list[Rule]:
    """The row rules of table `name` for the columns it has (missing required columns are reported apart)."""
    rules: list[Rule] = []
    if "customer_id" in columns:
        rules += _id_rules(columns)
    date_column = DATE_COLUMNS[name]
    if date_column in columns:
        required = date_column in REQUIRED[name]
        rules += _date_rules(date_column, columns[date_column], required)
        if name == "orders":
            rules += _future_rule(date_column, columns[date_column], today, timezone)
    if name == "orders" and "amount" in columns:
        rules += _number_rules("amount", columns["amount"])
    if name == "orders" and "cost" in columns:
        rules += _number_rules("cost", columns["cost"])
        rules += _not_negative_rule("cost", columns["cost"], EXPECT_COST)
    if name == "churn_reasons" and "category" in columns:
        rules.append(_choice_rule("category", "categories", "controllable or uncontrollable (or empty)"))
    if name == "contacts":
        if "group" in columns:
            rules.append(_choice_rule("group", "groups", "treatment or control (or empty, which means treatment)"))
        if "cost" in columns:
            rules += _number_rules("cost", columns["cost"])
    return rules


# -- running the checks -------------------------------------------------------------------------


def _params(today: dt.date) -> dict[str, object]:
    return {
        "today": today,
        "future_cutoff": (today - dt.timedelta(days=2)).isoformat(),
        "iso_pattern": ISO_PATTERN,
        "number_pattern": NUMBER_PATTERN,
        "categories": list(CATEGORIES),
        "groups": list(GROUPS),
    }


def _example(value: object) -> str:
    if value is None:
        return "null"
    text = str(value)
    if len(text) > _EXAMPLE_WIDTH:
        text = text[: _EXAMPLE_WIDTH - 3] + "..."
    return f"'{text}'"


def check_table(engine: Engine, info: TableInfo, today: dt.date) -> list[Problem]:
    """Problems of one raw table registered as view src_NAME (one aggregate pass, two for customers)."""
    name, columns, file = info.name, info.columns, str(info.path)
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}")
    timezone = engine.ds.timezone
    rules = rules_for(name, columns, today, timezone)
    aggregates = "".join(
        f",\n        count(*) filter (where {r.bad}) as r{i}_rows,"
        f"\n        cast(min({r.value}) filter (where {r.bad}) as varchar) as r{i}_example"
        for i, r in enumerate(rules)
    )
    counts = engine.run("validate_rules", _params(today), source=f"src_{name}", rule_aggregates=aggregates).row(
        0, named=True
    )
    n_rows = counts["n_rows"]

    problems: list[Problem] = []
    missing = [c for c in REQUIRED[name] if c not in columns]
    for column in missing:
        has = ", ".join(columns) or "none"
        problems.append(
            Problem(
                file,
                column,
                n_rows,
                None,
                f"a column named '{column}' (the table has columns: {has}; when importing, name the source "
                f"column with --column {column}=SOURCE)",
            )
        )
    if name == "orders" and n_rows == 0:
        problems.append(Problem(file, None, 0, None, "at least one order row (the orders table is empty)"))
    for i, rule in enumerate(rules):
        broken = counts[f"r{i}_rows"]
        if broken:
            problems.append(Problem(file, rule.column, broken, _example(counts[f"r{i}_example"]), rule.expected))
    if name == "customers" and "customer_id" in columns:
        dup = engine.run("validate_duplicates").row(0, named=True)
        if dup["n_rows"]:
            ids = dup["n_ids"]
            problems.append(
                Problem(
                    file,
                    "customer_id",
                    dup["n_rows"],
                    _example(dup["example"]),
                    f"each customer_id at most once ({ids:,} {'ids appear' if ids != 1 else 'id appears'} more than once)",
                )
            )
    return problems


def check(engine: Engine, today: dt.date, require_orders: bool = True) -> list[Problem]:
    """Every broken input rule of the tables attached to `engine` (views src_NAME), all tables at once.

    `require_orders=False` checks whatever tables are attached on their own (the importer stages one).
    """
    problems: list[Problem] = []
    if require_orders and "orders" not in engine.tables:
        problems.append(
            Problem(
                str(engine.data_dir / "orders"),
                None,
                0,
                None,
                "an orders table: orders.parquet, or a folder orders/ holding at least one Parquet file",
            )
        )
    for name in TABLES:
        info = engine.tables.get(name)
        if info is not None:
            problems += check_table(engine, info, today)
    return problems


# -- the validate command -----------------------------------------------------------------------


def summarize(data_dir: Path, timezone: str) -> str:
    """`python -m retention validate`: check every table of the data folder (the files, never a cache); a short
    overview when it is valid.

    Raises DataError (listing every problem) or InputError when the folder cannot be used.
    """
    eng = Engine(folder_dataset(data_dir, timezone))
    eng.attach_sources()
    problems = check(eng, today_in(timezone))
    if problems:
        raise DataError(problems)
    lines = [f"{data_dir}: all input rules hold (dates in {timezone})."]
    for name in TABLES:
        info = eng.tables.get(name)
        if info is None:
            lines.append(f"  {name}: not present (optional)")
            continue
        n_rows = eng.run("validate_count", source=f"src_{name}")["n_rows"][0]
        line = f"  {name}: {n_rows:,} rows, {len(info.columns)} columns ({', '.join(info.columns)}) in {info.path}"
        if name == "orders":
            s = eng.run(
                "validate_summary_orders",
                order_date=date_expr("ordered_at", info.columns["ordered_at"], eng.ds.timezone),
                amount=number_expr("amount", info.columns.get("amount")),
            ).row(0, named=True)
            refunds = s["refund_rows"]
            line += (
                f"; order dates {s['first_order_date']} to {s['last_order_date']}, {s['customers']:,} customers, "
                f"{refunds:,} refund row{'s' if refunds != 1 else ''}"
            )
        lines.append(line)
    return "\n".join(lines)
