"""Loading retention/sql/NAME.sql with its includes, checked when the file loads.

A line `-- include: _x.sql` is replaced by the CTEs of `_x.sql`. Every include starts with two header lines
saying what it needs from the steps before it and which CTEs it defines:

    -- needs: pd, status_dates
    -- defines: facts_at

(names separated by commas; `-- needs:` may be empty). Loading a file is an SQLFileError naming the file
and line when an include is unknown, includes itself (directly or not), needs a CTE that no step before it
defined, or does not define a CTE it declares. `params_used(name)` are the $params a file and its includes
use: the cache key of a query (retention/queries/cached.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from retention.sqltext import params_of

SQL_DIR = Path(__file__).parent / "sql"
SCOPES = ("_scope", "_scope_all")  # `-- include: _scope.sql` loads one of these (Engine.run picks)
_INCLUDE = re.compile(r"^--\s*include:\s*(\S+\.sql)\s*$", re.M)
_HEADER = re.compile(r"^--\s*(needs|defines):(.*)$", re.M)
_CTE = re.compile(
    r"^\s*(?:with\s+)?,?\s*([A-Za-z_][A-Za-z0-9_]*)\s+as\s+(?:not\s+)?(?:materialized\s+)?\(", re.M | re.I
)
_COMMENT = re.compile(r"--[^\n]*")


class SQLFileError(ValueError):
    """A file under retention/sql whose includes do not fit together."""


def load_sql(name: str, scope: str = "_scope") -> str:
    """Read retention/sql/NAME.sql, replacing `-- include: _x.sql` lines by that file's CTEs
    (`_scope.sql` by the file named by `scope`), checking every include's header."""
    return load(name, scope, SQL_DIR)


@lru_cache(maxsize=512)
def load(name: str, scope: str = "_scope", sql_dir: Path = SQL_DIR) -> str:
    """load_sql over any folder of SQL files (tests use tiny temporary ones)."""
    return _expand(sql_dir, name, scope, (), set())


@lru_cache(maxsize=512)
def params_used(name: str, sql_dir: Path = SQL_DIR) -> frozenset[str]:
    """The $params NAME.sql and its includes use, with either scope: those of the steps the final select
    reaches (a shared step no one reads, such as `pd` in a report on order days only, adds none)."""
    return frozenset(p for scope in SCOPES for p in reached_params(load(name, scope, sql_dir)))


def reached_params(text: str) -> set[str]:
    """The $params of the text outside CTEs plus those of every CTE the final select reaches."""
    code = _COMMENT.sub("", text)
    starts = [(m.start(), m.group(1)) for m in _CTE.finditer(code)]
    if not starts:
        return params_of(code)
    bodies = {name: code[a:b] for (a, name), (b, _) in zip(starts, [*starts[1:], (len(code), "")], strict=True)}
    last = starts[-1][1]
    words = {name: set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", body)) for name, body in bodies.items()}
    reached, todo = set(), [last]
    while todo:
        cte = todo.pop()
        if cte in reached:
            continue
        reached.add(cte)
        todo += [w for w in words[cte] if w in bodies and w != cte]
    out = params_of(code[: starts[0][0]])
    for cte in reached:
        out |= params_of(bodies[cte])
    return out


def header(path: Path) -> tuple[set[str], set[str]]:
    """(needs, defines) of an include file; an include without a `-- defines:` line is an error."""
    found: dict[str, set[str]] = {}
    for key, names in _HEADER.findall(path.read_text()):
        found[key] = {n for n in re.split(r"[,\s]+", names.strip()) if n}
    if "defines" not in found:
        raise SQLFileError(f"{path}:1: an include starts with `-- needs: ...` and `-- defines: ...` lines")
    return found.get("needs", set()), found["defines"]


def defined_ctes(text: str) -> set[str]:
    """The CTE names a text of SQL defines (`name as (` at the start of a line; comments skipped)."""
    return set(_CTE.findall(_COMMENT.sub("", text)))


def _expand(sql_dir: Path, name: str, scope: str, stack: tuple[str, ...], defined: set[str]) -> str:
    path = sql_dir / f"{name}.sql"
    text = path.read_text()
    pos = 0

    def include(m: re.Match) -> str:
        nonlocal pos
        defined.update(defined_ctes(text[pos : m.start()]))
        pos = m.end()
        where = f"{path}:{text.count(chr(10), 0, m.start()) + 1}"
        inc = m.group(1)[:-4]
        target = scope if inc == "_scope" else inc
        inc_path = sql_dir / f"{target}.sql"
        if not inc_path.is_file():
            raise SQLFileError(f"{where}: unknown include {m.group(1)} (no file {inc_path})")
        if target in stack or target == name:
            chain = " -> ".join((*stack, name, target))
            raise SQLFileError(f"{where}: include cycle {chain}")
        needs, defines = header(inc_path)
        missing = needs - defined
        if missing:
            raise SQLFileError(
                f"{where}: {m.group(1)} needs the CTE(s) {', '.join(sorted(missing))}, which no step before it defines"
            )
        body = _expand(sql_dir, target, scope, (*stack, name), defined)
        absent = defines - defined_ctes(body)
        if absent:
            raise SQLFileError(
                f"{inc_path}:1: declares `-- defines: {', '.join(sorted(absent))}` but does not define it"
            )
        defined.update(defined_ctes(body))
        return body.strip()

    return _INCLUDE.sub(include, text)
