"""SQL text built in Python, in one place: quoting names, filling {{placeholders}}, the $params a text uses,
and the expressions reading an allow-listed column (a date in the session's zone, a number as DOUBLE).

Values never go into SQL text (they travel as $named parameters); names only from allow-lists or a table's
own schema, quoted by `ident` / `lit`.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from retention.tables import DATE_COLUMNS, KNOWN, type_kind

PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
CONTRACT_COLUMNS = frozenset(c for cols in KNOWN.values() for c in cols)
NUMBER_COLUMNS = ("amount", "cost")


def ident(name: str, allowed: Collection[str] | None = None) -> str:
    """A column or table name as a quoted SQL identifier; with `allowed`, a name outside it is refused."""
    if allowed is not None and name not in allowed:
        raise ValueError(f"not a contract column: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def lit(name: str) -> str:
    """A name (from the table's own schema) or a path as an SQL string literal."""
    return "'" + name.replace("'", "''") + "'"


_LINE_COMMENT = re.compile(r"--[^\n]*")


def params_of(text: str) -> set[str]:
    """The $named parameters an SQL text uses (a `$name` in a `--` comment is no use)."""
    return set(PARAM.findall(_LINE_COMMENT.sub("", text)))


def fill(text: str, fragments: dict[str, str]) -> str:
    for key, value in fragments.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled SQL placeholder in: {text[text.index('{{') :][:40]}")
    return text


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200]


def date_expr(column: str, duck_type: str, timezone: str | None = None) -> str:
    """SQL turning an allow-listed date column into the calendar date in the session's time zone.

    A timestamp with a zone is converted to the configured zone (the session TimeZone); one without a
    zone is taken as already in it; ISO-8601 text is parsed the same way (with an offset: converted).
    In UTC a zoned timestamp's day is plain arithmetic on its epoch, five times faster than the
    calendar conversion (it matters at ten million orders).
    """
    if column not in DATE_COLUMNS.values():
        raise ValueError(f"not a date column: {column!r}")
    q = f'"{column}"'
    t = duck_type.upper()
    if t == "DATE":
        return q
    if t.startswith("TIMESTAMP WITH TIME ZONE"):
        if timezone == "UTC":
            return f"(date '1970-01-01' + cast(floor(epoch_us({q}) / 86400000000.0) as integer))"
        return f"cast({q} as date)"
    if t.startswith("TIMESTAMP"):
        return f"cast({q} as date)"
    if t == "VARCHAR":
        return f"cast(try_cast({q} as timestamptz) as date)"
    return "cast(null as date)"


def number_expr(column: str, duck_type: str | None) -> str:
    """The amount expression: an allow-listed number column (amount, cost) as DOUBLE; text is trimmed and
    '' is null; null when the table has no such column."""
    if column not in NUMBER_COLUMNS:
        raise ValueError(f"not a number column: {column!r}")
    if duck_type is None:
        return "cast(null as double)"
    q = ident(column)
    if type_kind(duck_type) == "text":
        return f"try_cast(nullif(trim({q}), '') as double)"
    return f"cast({q} as double)"


def text_or_null(column: str, columns: dict[str, str]) -> str:
    """An optional text column trimmed, '' as null; null when the table has no such column."""
    if column not in columns:
        return "cast(null as varchar)"
    return f"nullif(trim(cast({ident(column)} as varchar)), '')"
