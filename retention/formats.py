"""Dates and amounts as exports write them, rewritten to the forms the input rules read (polars expressions).

Dates. Every unambiguous form is read without being told and rewritten as ISO-8601 text, which the
import then writes as DATE, TIMESTAMP or TIMESTAMPTZ (a timestamp with a zone is converted to the
configured zone when the date is taken, METRICS.md "Inputs"):

- ISO dates and timestamps with `T` or a space, fractional seconds, `Z`, `UTC`/`GMT` or an offset with or
  without a colon, with or without a space before it (`2024-01-05 10:23:11 -0500`), `YYYY/MM/DD` and
  `YYYY.MM.DD`, one-digit months and days, 12-hour times with AM/PM;
- day/month/year and month/day/year (`/`, `.` or `-` between, four-digit year): the column decides. When
  every such value of the column is a real date read day-first and also read month-first, and some of
  them differ between the two readings (`03/04/2024`), the form is ambiguous and the import is refused
  with both readings and the `--date-format` that settles it. When only one reading gives a real date
  for every value (a day above 12 shows which number is the day), that reading is used and the summary
  says so. A preset whose vendor writes month-first dates (Square, WooCommerce) says so itself.
- `--date-format` takes a strftime pattern (`%d/%m/%Y`, `%m/%d/%Y %H:%M`, `%d.%m.%Y`) for the column.

Values that fit no form are left as written, so the input rules refuse them with their own message.

Amounts. A currency sign or code before or after the number (`$1,234.50`, `USD 12.00`, `12.00 EUR`),
thousands separators (comma, space, apostrophe) and accounting negatives (`(5.00)` is -5.00) are read.
A comma followed by one or two digits (`12,50`) is a decimal comma: refused unless `--decimal-comma` is
given, which reads `1.234,50` and `12,50` (a dot then groups thousands). Money has two decimals, so a comma
followed by exactly three digits (`1,234`) groups thousands.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

_TIME = r"(?:(?:[T ]|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*([AaPp]\.?[Mm]\.?)?)?"
_ZONE = r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?"
YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + _ZONE + r"$")
XYY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})[-/.](\d{4})" + _TIME + _ZONE + r"$")
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%T", "%R", "%c", "%X", "%p")

CURRENCY_SIGNS = "$€£¥₹₩₽₺₪฿₫₴₦¢"
_SIGN = r"[-−+]"
_CUR = rf"(?:[A-Z]{{3}}|[A-Z]{{1,2}}\$|[{CURRENCY_SIGNS}])"
AMOUNT = re.compile(
    rf"^({_SIGN})?\s*{_CUR}?\s*({_SIGN})?\s*([0-9][0-9.,' \u00a0\u202f]*|[.,][0-9]+)\s*{_CUR}?({_SIGN})?$"
)
_SEP = "' \u00a0\u202f"
DOT_NUMBER = re.compile(rf"^(?:(?:\d+|\d{{1,3}}(?:[,{_SEP}]\d{{3}})+)(?:\.\d*)?|\.\d+)$")
COMMA_NUMBER = re.compile(rf"^(?:(?:\d+|\d{{1,3}}(?:[.{_SEP}]\d{{3}})+)(?:,\d*)?|,\d+)$")
DECIMAL_COMMA_HINT = re.compile(r"\d,\d{1,2}\)?\s*\S*$")


@dataclass(frozen=True)
class DateReading:
    """How a date column is read: the rewrite expression and what the summary says about it."""

    expr: pl.Expr
    note: tuple[str, dict[str, str]] | None  # what the summary says: ("day_first", {"example": .., "month": ..})
    changes: bool  # whether any value is rewritten at all


class AmbiguousDates(Exception):
    """Both day-first and month-first read every value; `example` differs between them."""

    def __init__(self, example: str, rows: int, separator: str, has_time: bool, seconds: bool, ampm: bool):
        self.example, self.rows = example, rows
        time = (" %I:%M" if ampm else " %H:%M") + (":%S" if seconds else "") + (" %p" if ampm else "")
        time = time if has_time else ""
        self.day_first = f"%d{separator}%m{separator}%Y{time}"
        self.month_first = f"%m{separator}%d{separator}%Y{time}"
        super().__init__(example)

    def dates(self) -> tuple[dt.date, dt.date]:
        """The example read day-first and month-first."""
        m = XYY.match(self.example)
        assert m
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        return dt.date(y, b, a), dt.date(y, a, b)

    def readings(self) -> tuple[str, str]:
        m = XYY.match(self.example)
        assert m
        a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
        return _spoken(y, b, a), _spoken(y, a, b)

    def expected(self) -> str:
        day, month = self.readings()
        return (
            f"dates whose day order is clear: '{self.example}' is {day} read day-first and {month} read "
            f"month-first, and every date of the column can be read both ways; say which with --date-format "
            f"'{self.day_first}' (day first) or --date-format '{self.month_first}' (month first)"
        )


_MONTHS = ("January February March April May June July August September October November December").split()


def _spoken(year: int, month: int, day: int) -> str:
    return f"{day} {_MONTHS[month - 1]} {year}"


def _pad(e: pl.Expr) -> pl.Expr:
    return e.str.zfill(2)


def _time_and_zone(g: pl.Expr, first: int) -> pl.Expr:
    """' HH:MM:SS[.f][zone]' from the capture groups of _TIME and _ZONE starting at group `first`, or ''."""
    hour, minute, second, frac, ampm, zone = (g.struct.field(str(first + i)) for i in range(6))
    h = hour.cast(pl.Int32, strict=False)
    pm = ampm.str.to_lowercase().str.starts_with("p").fill_null(False)
    am = ampm.str.to_lowercase().str.starts_with("a").fill_null(False)
    h = pl.when(pm & (h < 12)).then(h + 12).when(am & (h == 12)).then(0).otherwise(h)
    zone_text = (
        pl.when(zone.is_in(["Z", "UTC", "GMT"]))
        .then(pl.lit("Z"))
        .when(zone.str.len_chars() == 3)
        .then(zone + ":00")
        .when(zone.str.len_chars() == 5)
        .then(zone.str.slice(0, 3) + ":" + zone.str.slice(3, 2))
        .otherwise(zone)
        .fill_null("")
    )
    time = pl.format("{}:{}:{}{}", _pad(h.cast(pl.Utf8)), minute, second.fill_null("00"), frac.fill_null(""))
    return pl.when(hour.is_null()).then(pl.lit("")).otherwise(pl.lit(" ") + time + zone_text)


def _struct(value: pl.Expr, pattern: re.Pattern) -> pl.Expr:
    return value.str.extract_groups(pattern.pattern).struct.rename_fields([str(i + 1) for i in range(pattern.groups)])


def _valid_day(text: pl.Expr) -> pl.Expr:
    return text.str.to_date("%Y-%m-%d", strict=False).is_not_null()


def read_dates(
    lf: pl.LazyFrame, column: str, date_format: str | None = None, order: str | None = None, example_file: str = ""
) -> DateReading:
    """The expression rewriting text column `column` of `lf` as ISO-8601 text (values of no known form kept).

    `order` is "dmy" or "mdy" when the export is known to write one (a preset); `date_format` a strftime
    pattern given by the user. Raises AmbiguousDates when day and month order cannot be told.
    """
    value = pl.col(column).str.strip_chars()
    if date_format:
        return _with_format(column, value, date_format)
    ymd, xyy = _struct(value, YMD), _struct(value, XYY)
    ymd_date = pl.format("{}-{}-{}", ymd.struct.field("1"), _pad(ymd.struct.field("2")), _pad(ymd.struct.field("3")))
    a, b, year = xyy.struct.field("1"), xyy.struct.field("3"), xyy.struct.field("4")
    day_first = pl.format("{}-{}-{}", year, _pad(b), _pad(a))
    month_first = pl.format("{}-{}-{}", year, _pad(a), _pad(b))
    iso = value.str.contains(
        r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z| UTC|[+-]\d{2}(?::?\d{2})?)?)?$"
    )
    if lf.select((iso | value.is_null() | (value == "")).all()).collect().item():
        return DateReading(pl.col(column), None, False)  # already ISO-8601: the common case, one cheap pass
    stats = (
        lf.select(
            n_ymd=(ymd.struct.field("1").is_not_null() & ~iso.fill_null(True)).sum(),
            n_xyy=xyy.struct.field("1").is_not_null().sum(),
            n_day=(xyy.struct.field("1").is_not_null() & _valid_day(day_first)).sum(),
            n_month=(xyy.struct.field("1").is_not_null() & _valid_day(month_first)).sum(),
            n_same=(xyy.struct.field("1").is_not_null() & (a.cast(pl.Int32) == b.cast(pl.Int32))).sum(),
            first_differs=pl.when(
                xyy.struct.field("1").is_not_null()
                & (a.cast(pl.Int32) != b.cast(pl.Int32))
                & _valid_day(day_first)
                & _valid_day(month_first)
            )
            .then(value)
            .drop_nulls()
            .first(),
            first_day_only=pl.when(_valid_day(day_first) & ~_valid_day(month_first)).then(value).drop_nulls().first(),
            first_month_only=pl.when(_valid_day(month_first) & ~_valid_day(day_first)).then(value).drop_nulls().first(),
            sep=xyy.struct.field("2").drop_nulls().first(),
            has_time=xyy.struct.field("5").is_not_null().any(),
            seconds=xyy.struct.field("7").is_not_null().any(),
            ampm=xyy.struct.field("9").is_not_null().any(),
        )
        .collect()
        .row(0, named=True)
    )
    n_xyy = stats["n_xyy"]
    note = None
    pick = None
    if n_xyy:
        if order in ("dmy", "mdy"):
            pick = order
            note = ("export_" + order, {})
        elif stats["n_day"] == n_xyy and stats["n_month"] == n_xyy and stats["n_same"] < n_xyy:
            raise AmbiguousDates(
                stats["first_differs"], n_xyy - stats["n_same"], stats["sep"] or "/", bool(stats["has_time"]),
                bool(stats["seconds"]), bool(stats["ampm"]),
            )  # fmt: skip
        elif stats["n_day"] == stats["n_month"] == stats["n_same"] == n_xyy:
            pick, note = "dmy", None  # every value reads the same both ways (05/05/2024)
        elif stats["n_day"] > stats["n_month"]:
            pick = "dmy"
            note = ("day_first", {"example": stats["first_day_only"], "month": _first(stats["first_day_only"])})
        elif stats["n_month"] > stats["n_day"]:
            pick = "mdy"
            note = ("month_first", {"example": stats["first_month_only"], "month": _second(stats["first_month_only"])})
        elif stats["n_day"]:
            raise AmbiguousDates(
                stats["first_differs"] or stats["first_day_only"], n_xyy, stats["sep"] or "/",
                bool(stats["has_time"]), bool(stats["seconds"]), bool(stats["ampm"]),
            )  # fmt: skip
    xyy_date = day_first if pick != "mdy" else month_first
    expr = (
        pl.when(iso.fill_null(False))
        .then(value)
        .when(ymd.struct.field("1").is_not_null() & _valid_day(ymd_date))
        .then(ymd_date + _time_and_zone(ymd, 4))
        .when(xyy.struct.field("1").is_not_null() & _valid_day(xyy_date) & pl.lit(pick is not None))
        .then(xyy_date + _time_and_zone(xyy, 5))
        .otherwise(pl.col(column))
        .alias(column)
    )
    return DateReading(expr, note, bool(stats["n_ymd"] or (n_xyy and pick)))


def _first(text: str | None) -> str:
    m = XYY.match(text or "")
    return str(int(m.group(1))) if m else "?"


def _second(text: str | None) -> str:
    m = XYY.match(text or "")
    return str(int(m.group(3))) if m else "?"


def _with_format(column: str, value: pl.Expr, date_format: str) -> DateReading:
    has_time = any(d in date_format for d in _TIME_DIRECTIVES)
    zoned = "%z" in date_format or "%Z" in date_format
    parsed = value.str.strptime(pl.Datetime("us"), date_format, strict=False)
    if zoned:
        parsed = value.str.strptime(pl.Datetime("us", "UTC"), date_format, strict=False)
        text = parsed.dt.strftime("%Y-%m-%d %H:%M:%S%.f") + "Z"
    elif has_time:
        text = parsed.dt.strftime("%Y-%m-%d %H:%M:%S%.f")
    else:
        text = parsed.dt.strftime("%Y-%m-%d")
    expr = pl.when(parsed.is_not_null()).then(text).otherwise(pl.col(column)).alias(column)
    return DateReading(expr, ("format", {"format": date_format}), True)


def check_date_format(date_format: str) -> None:
    """A ValueError when `date_format` is not a strftime pattern with a day, a month and a year."""
    if not all(d in date_format for d in ("%d", "%m")) or not ("%Y" in date_format or "%y" in date_format):
        if not ("%d" in date_format and ("%b" in date_format or "%B" in date_format)):
            raise ValueError(
                f"--date-format '{date_format}' is not a date pattern; expected a strftime pattern with the day, "
                "the month and the year, such as %d/%m/%Y, %m/%d/%Y %H:%M or %d.%m.%Y"
            )


# -- amounts ----------------------------------------------------------------------------------------


def amount_expr(column: str, decimal_comma: bool = False) -> pl.Expr:
    """Text column `column` rewritten as a plain number ('-1234.50'); values of no known form kept as written."""
    value = pl.col(column).str.strip_chars()
    paren = value.str.contains(r"^\(.*\)$")
    inner = pl.when(paren).then(value.str.slice(1, value.str.len_chars() - 2).str.strip_chars()).otherwise(value)
    g = inner.str.extract_groups(AMOUNT.pattern).struct.rename_fields(["s1", "s2", "num", "s3"])
    number = g.struct.field("num").str.strip_chars()
    negative = (
        paren
        | g.struct.field("s1").is_in(["-", "−"]).fill_null(False)
        | g.struct.field("s2").is_in(["-", "−"]).fill_null(False)
        | g.struct.field("s3").is_in(["-", "−"]).fill_null(False)
    )
    if decimal_comma:
        ok = number.str.contains(COMMA_NUMBER.pattern)
        plain = number.str.replace_all(r"[.' \u00a0\u202f]", "").str.replace(",", ".")
    else:
        ok = number.str.contains(DOT_NUMBER.pattern)
        plain = number.str.replace_all(r"[,' \u00a0\u202f]", "")
    plain = pl.when(plain.str.starts_with(".")).then("0" + plain).otherwise(plain)
    text = pl.when(negative).then("-" + plain).otherwise(plain)
    return pl.when(ok.fill_null(False)).then(text).otherwise(pl.col(column)).alias(column)


def parse_amount(column: str, decimal_comma: bool = False) -> pl.Expr:
    """The amount as a Float64 (null when empty or unreadable)."""
    return amount_expr(column, decimal_comma).str.strip_chars().cast(pl.Float64, strict=False).alias(column)
