"""DuckDB SQL of retention/sql -> Spark SQL (issue 22).

`to_spark(text, name)` takes the text of retention/sql/NAME.sql after its includes and {{fragments}} are
filled and returns Spark SQL text, DuckDB `$param` markers turned into Spark named markers `:param`.
A construct Spark cannot run is a SparkSqlError naming retention/sql/FILE.sql:LINE (mapped back through the
includes). `check_all()` translates every SQL file (both scopes) and returns the problems found.
"""

from __future__ import annotations

import re
import tempfile
from functools import lru_cache
from pathlib import Path

import sqlglot
from sqlglot import exp

from retention.sqlfiles import SCOPES, SQL_DIR, load

__all__ = ["SparkSqlError", "to_spark", "check_all"]


class SparkSqlError(ValueError):
    """A construct of retention/sql that the Spark translation does not support (message: file:line)."""


# -- line origins through includes -------------------------------------------------------------------
# Every code line of every file gets a trailing `-- @@file:line` tag in a temporary copy of the folder;
# loading from the copy gives the same lines as loading the real files (comment and blank lines are left
# untagged, so headers, includes and strip() behave the same), each code line naming where it came from.

_TAG = re.compile(r"-- @@(\S+):(\d+)$")


@lru_cache(maxsize=4)
def _tagged_dir(sql_dir: Path) -> Path:
    out = Path(tempfile.mkdtemp(prefix="retention-sql-lines-"))
    for path in sql_dir.glob("*.sql"):
        rel = f"retention/sql/{path.name}" if sql_dir == SQL_DIR else str(path)
        lines = path.read_text().split("\n")
        tagged = [
            line if not line.strip() or line.lstrip().startswith("--") else f"{line} -- @@{rel}:{i}"
            for i, line in enumerate(lines, 1)
        ]
        (out / path.name).write_text("\n".join(tagged))
    return out


@lru_cache(maxsize=512)
def line_origins(name: str, scope: str = "_scope", sql_dir: Path = SQL_DIR) -> tuple[str | None, ...]:
    """For each line of load(name, scope): `file:line` it came from (None for a comment or blank line)."""
    text = load(name, scope, _tagged_dir(sql_dir))
    return tuple((m.group(1) + ":" + m.group(2)) if (m := _TAG.search(line)) else None for line in text.split("\n"))


def where(name: str, line: int, scope: str = "_scope", sql_dir: Path = SQL_DIR) -> str:
    """retention/sql/FILE.sql:LINE for line LINE (1-based) of the loaded text of NAME."""
    origins = line_origins(name, scope, sql_dir)
    for i in range(min(line, len(origins)) - 1, -1, -1):  # a comment line: the code line before it
        if origins[i]:
            return origins[i]
    return f"retention/sql/{name}.sql:{line}"


# -- translation -------------------------------------------------------------------------------------


def to_spark(text: str, name: str) -> str:
    """DuckDB SQL text of retention/sql/NAME.sql (includes and fragments filled) as Spark SQL text."""
    try:
        tree = sqlglot.parse(text, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        line = int(err.get("line") or 1)
        raise SparkSqlError(f"{_where_text(text, name, line)}: cannot parse: {err.get('description', exc)}") from None
    stmts = [t for t in tree if t is not None]
    return ";\n".join(t.sql(dialect="spark") for t in stmts)


def _scope_of(text: str, name: str) -> str:
    """The scope whose loaded text the given text matches best, line by line."""
    lines = text.split("\n")

    def score(scope: str) -> int:
        return sum(x == y for x, y in zip(load(name, scope).split("\n"), lines, strict=False))

    return max(SCOPES, key=score)


def _where_text(text: str, name: str, line: int) -> str:
    try:
        return where(name, line, _scope_of(text, name))
    except (OSError, ValueError):
        return f"retention/sql/{name}.sql:{line}"


# -- every file --------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")


def sql_names(sql_dir: Path = SQL_DIR) -> list[str]:
    """The loadable SQL files (includes `_x.sql` are part of them)."""
    return sorted(p.stem for p in sql_dir.glob("*.sql") if not p.stem.startswith("_"))


def check_all() -> list[str]:
    """Translate every SQL file with both scopes; the problems found, as `file:line: message` strings."""
    problems: list[str] = []
    for name in sql_names():
        for scope in SCOPES:
            text = _PLACEHOLDER.sub(lambda m: _SAMPLE_FRAGMENTS.get(m.group(1), "null"), load(name, scope))
            try:
                to_spark(text, name)
            except SparkSqlError as exc:
                problems.append(str(exc))
    return sorted(set(problems))


# Fragment values standing in for the allow-listed SQL that code fills in (only the shape matters).
_SAMPLE_FRAGMENTS = {
    "rows_of": "src_x",
    "reader": "src_x",
    "source": "src_x",
    "unions": "select 1 as customer_id, 'a' as attribute, 'b' as value",
    "customer_ids": "",
    "reason_ids": "",
    "contact_ids": "",
    "key": "customer_id",
    "columns": "*",
    "old_columns": "*",
    "new_columns": "*",
    "fresh": "src_x",
    "old_id": "customer_id",
    "rule_aggregates": ", count(*) as n",
    "date_column": "ordered_at",
}
