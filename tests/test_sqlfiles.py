"""Loading SQL files: includes declare what they need and define, and a mistake is an error naming the file
and line when the file loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retention import sqlfiles
from retention.sqlfiles import SQL_DIR, SQLFileError, load, load_sql, params_used


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / f"{name}.sql").write_text(text)
    return folder


SCOPE = (
    "-- needs:\n-- defines: scope, pd\nscope as (select 1 as cid),\npd as (select cid from scope where $as_of > 0),\n"
)


def test_an_include_is_replaced_by_its_ctes(tmp_path):
    d = _write(tmp_path, {
        "_scope": SCOPE,
        "_scope_all": SCOPE.replace("$as_of > 0", "true"),
        "_tail": "-- needs: pd\n-- defines: tail\ntail as (select * from pd where $window > 0),\n",
        "q": "with\n-- include: _scope.sql\n-- include: _tail.sql\nfinal as (select * from tail)\nselect * from final\n",
    })  # fmt: skip
    text = load("q", "_scope", d)
    assert "include:" not in text and "tail as (" in text and "scope as (" in text
    assert params_used("q", d) == {"as_of", "window"}  # the $params of either scope


def test_a_missing_cte_names_the_file_and_line(tmp_path):
    d = _write(tmp_path, {
        "_tail": "-- needs: pd, periods\n-- defines: tail\ntail as (select * from pd),\n",
        "q": "with\npd as (select 1 as cid),\n-- include: _tail.sql\nfinal as (select * from tail)\nselect * from final\n",
    })  # fmt: skip
    with pytest.raises(SQLFileError, match=re.escape(f"{d / 'q.sql'}:3: _tail.sql needs the CTE(s) periods")):
        load("q", "_scope", d)


def test_a_cte_defined_after_the_include_does_not_count(tmp_path):
    d = _write(tmp_path, {
        "_tail": "-- needs: pd\n-- defines: tail\ntail as (select * from pd),\n",
        "q": "with\n-- include: _tail.sql\npd as (select 1 as cid),\nfinal as (select * from tail)\nselect * from final\n",
    })  # fmt: skip
    with pytest.raises(SQLFileError, match=re.escape(f"{d / 'q.sql'}:2: _tail.sql needs the CTE(s) pd")):
        load("q", "_scope", d)


def test_an_include_that_does_not_define_what_it_declares(tmp_path):
    d = _write(tmp_path, {
        "_tail": "-- needs:\n-- defines: tail, extra\ntail as (select 1 as x),\n",
        "q": "with\n-- include: _tail.sql\nfinal as (select * from tail)\nselect * from final\n",
    })  # fmt: skip
    with pytest.raises(SQLFileError, match=re.escape(f"{d / '_tail.sql'}:1: declares `-- defines: extra`")):
        load("q", "_scope", d)


def test_an_include_without_a_header(tmp_path):
    d = _write(tmp_path, {
        "_tail": "tail as (select 1 as x),\n",
        "q": "with\n-- include: _tail.sql\nfinal as (select * from tail)\nselect * from final\n",
    })  # fmt: skip
    with pytest.raises(SQLFileError, match=re.escape(f"{d / '_tail.sql'}:1: an include starts with")):
        load("q", "_scope", d)


def test_an_unknown_include(tmp_path):
    d = _write(tmp_path, {"q": "with\n\n-- include: _nowhere.sql\nfinal as (select 1)\nselect * from final\n"})
    with pytest.raises(SQLFileError, match=re.escape(f"{d / 'q.sql'}:3: unknown include _nowhere.sql")):
        load("q", "_scope", d)


def test_an_include_cycle(tmp_path):
    d = _write(tmp_path, {
        "_a": "-- needs:\n-- defines: a\na as (select 1 as x),\n-- include: _b.sql\n",
        "_b": "-- needs:\n-- defines: b\nb as (select 1 as x),\n-- include: _a.sql\n",
        "q": "with\n-- include: _a.sql\nfinal as (select 1)\nselect * from final\n",
    })  # fmt: skip
    with pytest.raises(SQLFileError, match=re.escape(f"{d / '_b.sql'}:4: include cycle q -> _a -> _b -> _a")):
        load("q", "_scope", d)


def test_a_file_including_itself(tmp_path):
    d = _write(tmp_path, {"_a": "-- needs:\n-- defines: a\na as (select 1 as x),\n-- include: _a.sql\n"})
    with pytest.raises(SQLFileError, match=re.escape(f"{d / '_a.sql'}:4: include cycle _a -> _a")):
        load("_a", "_scope", d)


@pytest.mark.parametrize("path", sorted(SQL_DIR.glob("*.sql")), ids=lambda p: p.name)
def test_every_real_file_loads_cleanly(path):
    if path.name.startswith("_"):
        sqlfiles.header(path)  # every include declares what it needs and defines
        if path.stem not in sqlfiles.SCOPES:
            return  # an include is checked where it is included
    for scope in sqlfiles.SCOPES:
        assert "-- include:" not in load_sql(path.stem, scope)


def test_every_include_is_used_and_both_scopes_define_the_same():
    used = set()
    for path in SQL_DIR.glob("*.sql"):
        used |= {m[:-4] for m in re.findall(r"^--\s*include:\s*(\S+\.sql)", path.read_text(), re.M)}
    includes = {p.stem for p in SQL_DIR.glob("_*.sql")}
    assert includes - used - {"_scope_all"} == set()
    assert sqlfiles.header(SQL_DIR / "_scope.sql") == sqlfiles.header(SQL_DIR / "_scope_all.sql")
