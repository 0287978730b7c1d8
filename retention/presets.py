"""Known exports (Shopify, Square, Stripe, WooCommerce) as data, and the one routine that maps them onto `orders`.

A preset is a record: which columns (with the names each vendor's help pages give them) hold the order id,
the customer, the date (and a separate time), the amount; whether the rows sharing an order id are one
order's line items (order-level fields on the first row); which status values leave a row out; how a
refund shows (a refunded amount, a refunded status, or a row that is itself a refund); which extra columns
are kept as order attributes; and which columns recognise the export from its header. `apply` reads any
preset the same way (CLI.md "Importing the files people have"). The records are in presets.toml beside
this module: a new export is a new table there.

Where a vendor's column names differ between its export versions or plugins (Stripe's `Created (UTC)`,
WooCommerce's `order_total`), each accepted name is listed. Square's `Time Zone` column names a zone in
words ("Eastern Time (US & Canada)"): it is not read, so Square times are taken in the configured zone;
Stripe's `Created date (UTC)` is UTC, as its name says. A refund row is dated on its order's day.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from retention import formats
from retention.errors import DataError, InputError, Problem

Aliases = tuple[str, ...]


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    order_id: Aliases
    customer: tuple[Aliases, ...]  # in order of preference: the first non-empty one of a row is its customer
    ordered_at: Aliases
    amount: Aliases
    time: Aliases = ()  # a separate time-of-day column joined to the date
    lines_per_order: bool = False  # rows sharing the order id are its line items; order fields from the first
    status: Aliases = ()
    left_out: tuple[str, ...] = ()  # status values (lower case) whose orders are left out
    refund_amount: Aliases = ()  # a refunded amount > 0 adds a refund row of minus it on the order's day
    refund_statuses: tuple[str, ...] = ()  # a status that adds a refund row of minus the order's amount
    refund_kind: Aliases = ()  # a column whose value in refund_values makes the row itself a refund
    refund_values: tuple[str, ...] = ()
    attributes: tuple[tuple[str, Aliases], ...] = ()  # (kept name, columns) kept as order attributes
    recognise: tuple[Aliases, ...] = ()  # columns that, with the required ones, identify the export
    date_order: str | None = None  # "mdy" when the vendor writes month-first dates
    times_in_utc: bool = False  # timestamps without a zone are UTC (the column says so)


def _tuples(value: object) -> object:
    """TOML lists as the tuples a Preset holds (nested: a customer's alias lists, an attribute's pair)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _load_presets() -> dict[str, Preset]:
    with (Path(__file__).parent / "presets.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return {name: Preset(name=name, **{k: _tuples(v) for k, v in fields.items()}) for name, fields in data.items()}


PRESETS: dict[str, Preset] = _load_presets()  # the known exports, as data: retention/presets.toml

NAMES = tuple(PRESETS)
_KEY = "_order_key"


@dataclass
class Applied:
    """What a preset did to a file: the summary's preset lines."""

    preset: str
    rows_read: int
    line_items: int = 0  # rows folded into their order's first row
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> rows
    guests: int = 0
    refunds: int = 0
    attributes: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)  # contract column -> file column(s)


def _norm(name: str) -> str:
    return " ".join(name.split()).lower()


def _find(columns: list[str], aliases: Aliases) -> str | None:
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    for alias in aliases:
        if alias in columns:
            return alias
        if _norm(alias) in by_norm:
            return by_norm[_norm(alias)]
    return None


def recognise(columns: list[str]) -> Preset | None:
    """The preset whose required and recognising columns the header has (the first such, in NAMES order)."""
    for preset in PRESETS.values():
        needed = (preset.order_id, preset.ordered_at, preset.amount, preset.customer[0], *preset.recognise)
        if all(_find(columns, aliases) for aliases in needed):
            return preset
    return None


def get(name: str) -> Preset:
    if name not in PRESETS:
        raise InputError(f"--preset {name}: not a known export; expected one of: {', '.join(NAMES)}.")
    return PRESETS[name]


def apply(
    frame: pl.DataFrame, preset: Preset, file: str, overrides: dict[str, str] | None = None, decimal_comma: bool = False
) -> tuple[pl.DataFrame, Applied]:
    """The export's rows as orders rows: customer_id, ordered_at (text or as read), amount, order_id, attributes.

    `overrides` (from --column NAME=SOURCE) replaces the preset's column for a contract name.
    """
    columns = list(frame.columns)
    overrides = overrides or {}

    def pick(contract: str, aliases: Aliases, required: bool = True) -> str | None:
        wanted = overrides.get(contract)
        found = _find(columns, (wanted,) if wanted else aliases)
        if found is None and required:
            names = " or ".join(f"'{a}'" for a in ((wanted,) if wanted else aliases))
            raise InputError(
                f"{file}: the {preset.label} needs a column {names} for {contract}; the file's columns are: "
                f"{', '.join(columns)}. Expected the export's own header, or --column {contract}=SOURCE."
            )
        return found

    oid = pick("order_id", preset.order_id)
    if "customer_id" in overrides:
        customers = [pick("customer_id", ())]
    else:
        customers = [c for c in (_find(columns, a) for a in preset.customer) if c]
        if not customers:
            pick("customer_id", preset.customer[0])
    date = pick("ordered_at", preset.ordered_at)
    amount = pick("amount", preset.amount)
    time = _find(columns, preset.time) if preset.time else None
    status = _find(columns, preset.status) if preset.status else None
    refunded = _find(columns, preset.refund_amount) if preset.refund_amount else None
    kind = _find(columns, preset.refund_kind) if preset.refund_kind else None
    attrs = [(name, c) for name, aliases in preset.attributes if (c := _find(columns, aliases))]

    def text(column: str) -> pl.Expr:
        e = pl.col(column)
        if frame.schema[column] != pl.Utf8:
            e = e.cast(pl.Utf8)
        e = e.str.strip_chars()
        return pl.when(e == "").then(None).otherwise(e)

    df = frame.select(
        text(oid).alias("order_id"),
        *[text(c).alias(f"_customer{i}") for i, c in enumerate(customers)],
        text(date).alias("ordered_at"),
        (text(time) if time else pl.lit(None, pl.Utf8)).alias("_time"),
        text(amount).alias("amount"),
        (text(status) if status else pl.lit(None, pl.Utf8)).alias("_status"),
        (text(refunded) if refunded else pl.lit(None, pl.Utf8)).alias("_refunded"),
        (text(kind) if kind else pl.lit(None, pl.Utf8)).alias("_kind"),
        *[text(c).alias(name) for name, c in attrs],
    ).with_row_index(_KEY)
    applied = Applied(preset.name, frame.height, attributes=tuple(n for n, _ in attrs))
    applied.sources = {"order_id": oid, "customer_id": " else ".join(customers), "ordered_at": date, "amount": amount}
    if time:
        applied.sources["ordered_at"] = f"{date} + {time}"

    no_id = df["order_id"].is_null().sum()
    if no_id:
        applied.left_out[f"no {oid}"] = int(no_id)
        df = df.filter(pl.col("order_id").is_not_null())
    if preset.lines_per_order:
        others = [c for c in df.columns if c not in ("order_id", "amount", _KEY)]
        grouped = df.group_by("order_id", maintain_order=True).agg(
            pl.col(_KEY).first(), pl.col("amount").first(), *[pl.col(c).drop_nulls().first() for c in others]
        )
        applied.line_items = df.height - grouped.height
        df = grouped.select(df.columns)

    if status:
        state = pl.col("_status").str.to_lowercase().str.strip_prefix("wc-")
        df = df.with_columns(state.alias("_status"))
        gone = df.filter(pl.col("_status").is_in(list(preset.left_out)))
        for value, n in gone.group_by("_status", maintain_order=True).len().iter_rows():
            applied.left_out[f"{status} {value}"] = int(n)
        df = df.filter(~pl.col("_status").is_in(list(preset.left_out)).fill_null(False))

    cust = pl.coalesce([pl.col(f"_customer{i}") for i in range(len(customers))])
    df = df.with_columns(
        pl.when(cust.str.contains("@")).then(cust.str.to_lowercase()).otherwise(cust).alias("customer_id")
    )
    applied.guests = int(df["customer_id"].is_null().sum())
    df = df.filter(pl.col("customer_id").is_not_null())

    problems = []
    parsed = df.select(
        formats.parse_amount("amount", decimal_comma).alias("_amount"),
        formats.parse_amount("_refunded", decimal_comma).alias("_refund_value"),
        pl.col("amount"),
        pl.col("_refunded"),
    )
    for source, raw, value in ((amount, "amount", "_amount"), (refunded, "_refunded", "_refund_value")):
        bad = parsed.filter(pl.col(raw).is_not_null() & pl.col(value).is_null())
        if source and bad.height:
            problems.append(Problem(file, source, bad.height, f"'{bad[raw][0]}'", _amount_expected(decimal_comma)))
    if problems:
        raise DataError(problems)
    df = df.with_columns(parsed["_amount"].alias("amount"), parsed["_refund_value"].alias("_refund_value"))

    if preset.times_in_utc:
        has_time_no_zone = pl.col("ordered_at").str.contains(r"\d:\d{2}(:\d{2}(\.\d+)?)?$")
        df = df.with_columns(
            pl.when(has_time_no_zone).then(pl.col("ordered_at") + " UTC").otherwise(pl.col("ordered_at"))
        )
    if time:
        df = df.with_columns(
            pl.when(pl.col("_time").is_not_null())
            .then(pl.col("ordered_at") + " " + pl.col("_time"))
            .otherwise(pl.col("ordered_at"))
            .alias("ordered_at")
        )

    refund_rows = []
    if kind:
        is_refund = pl.col("_kind").str.to_lowercase().is_in(list(preset.refund_values)).fill_null(False)
        df = df.with_columns(
            pl.when(is_refund).then(-pl.col("amount").abs()).otherwise(pl.col("amount")).alias("amount"),
            pl.when(is_refund).then(pl.col("order_id") + "-refund").otherwise(pl.col("order_id")).alias("order_id"),
        )
        applied.refunds += int(df.select(is_refund.sum()).item())
    if refunded:
        refund_rows.append(
            df.filter(pl.col("_refund_value") > 0).with_columns(
                (-pl.col("_refund_value")).alias("amount"), (pl.col("order_id") + "-refund").alias("order_id")
            )
        )
    if preset.refund_statuses:
        refund_rows.append(
            df.filter(pl.col("_status").is_in(list(preset.refund_statuses)) & (pl.col("amount") > 0)).with_columns(
                (-pl.col("amount")).alias("amount"), (pl.col("order_id") + "-refund").alias("order_id")
            )
        )
    applied.refunds += sum(r.height for r in refund_rows)
    out = pl.concat([df, *refund_rows]).sort(_KEY, maintain_order=True)
    keep = ["customer_id", "ordered_at", "amount", "order_id", *[n for n, _ in attrs]]
    return out.select(keep), applied


def _amount_expected(decimal_comma: bool) -> str:
    if decimal_comma:
        return "an amount with a decimal comma (--decimal-comma), such as 12,50, 1.234,50 or -3,00"
    return (
        "a number with a dot as decimal separator, such as 12.50, $1,234.50, USD 12.00 or (5.00) (a file that "
        "writes decimal commas, such as 12,50 or 1.234,50, is read with --decimal-comma)"
    )


expected_amount = _amount_expected
