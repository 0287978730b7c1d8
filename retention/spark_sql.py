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
from sqlglot.errors import ErrorLevel

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
# Base tables every report reads and their column types (CONTRIBUTING.md "Base tables"): the type
# annotation that decides, e.g., whether `a - b` subtracts dates.
BASE_SCHEMA: dict[str, dict[str, str]] = {
    "ids": {"cid": "int", "customer_id": "varchar"},
    "attrs": {"cid": "int", "attribute": "varchar", "value": "varchar"},
    "days": {
        "cid": "int",
        "order_date": "date",
        "n_rows": "int",
        "n_act": "int",
        "amount": "double",
        "cost_sum": "double",
        "amount_costed": "double",
        "amount_uncosted": "double",
    },
    "pdays": {
        "cid": "int",
        "day": "date",
        "prev_day": "date",
        "next_day": "date",
        "n": "int",
        "first_day": "date",
        "n_act": "int",
        "amount": "double",
        "gap_median": "double",
    },
    "reasons": {
        "cid": "int",
        "churned_at": "date",
        "reason": "varchar",
        "category": "varchar",
        "source": "varchar",
        "comment": "varchar",
    },
    "cohort_days": {
        "first_day": "date",
        "day": "date",
        "opens_week": "int",
        "opens_month": "int",
        "opens_quarter": "int",
        "firsts": "int",
    },
    "customers_k": {"cid": "int", "signed_up_date": "date"},
    "contacts": {
        "contact_row": "int",
        "cid": "int",
        "contacted_at": "date",
        "campaign": "varchar",
        "channel": "varchar",
        "cost": "double",
        "contact_group": "varchar",
    },
}

# The type of each $param (retention/params.py Params.sql() and the query modules). Spark binds a Python
# value by its own type (None has none), so every marker is cast to the type DuckDB gives it.
PARAM_TYPES: dict[str, str] = {
    **dict.fromkeys(("as_of", "date_from", "date_to", "cohort", "period_start", "target", "old", "new"), "date"),
    **dict.fromkeys(
        (
            "window",
            "max_days",
            "new_days",
            "attribution_days",
            "loyal_min_orders",
            "recent_contact_days",
            "n_filters",
            "r",
            "f",
            "holdout_days",
            "max_rows",
            "max_values",
        ),
        "int",
    ),
    **dict.fromkeys(("alert_factor", "drop_share", "margin", "acquisition_cost", "return_threshold"), "double"),
    **dict.fromkeys(
        (
            "by",
            "by_attribute",
            "campaign",
            "event",
            "level",
            "measure",
            "period",
            "period_step",
            "reason",
            "segment",
            "tier",
            "window_by",
            "prefix",
            "customer_id",
            "attribute",
            "status",
            "from_status",
            "to_status",
        ),
        "varchar",
    ),
    **dict.fromkeys(
        ("status_codes", "statuses", "rf_segments", "filter_pairs", "wmap_values", "cat_reasons", "cat_values"),
        "varchar[]",
    ),
    **dict.fromkeys(("wmap_days", "windows"), "int[]"),
}

_GENERATORS = (exp.Explode, exp.Unnest, exp.Posexplode)


class _Unsupported(Exception):
    def __init__(self, node: exp.Expression, what: str):
        super().__init__(what)
        self.node = node
        self.what = what


@lru_cache(maxsize=1024)
def to_spark(text: str, name: str) -> str:
    """DuckDB SQL text of retention/sql/NAME.sql (includes and fragments filled) as Spark SQL text
    (statements joined by `;` and a newline); a SparkSqlError names the file and line of a construct
    without a translation. Cached: a report's text is translated once per process."""
    try:
        stmts = [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        line = int(err.get("line") or 1)
        raise SparkSqlError(f"{_where_text(text, name, line)}: cannot parse: {err.get('description', exc)}") from None
    out = []
    for tree in stmts:
        try:
            out.append(_translate(tree).sql(dialect="spark", comments=False, unsupported_level=ErrorLevel.RAISE))
        except _Unsupported as exc:
            line = _line_of(exc.node, text)
            raise SparkSqlError(
                f"{_where_text(text, name, line)}: {exc.what} has no Spark translation "
                f"(`{exc.node.sql('duckdb')[:80]}`); write it portably (retention/spark_sql.py lists the rewrites)"
            ) from None
        except sqlglot.errors.UnsupportedError as exc:
            what = str(exc).strip().splitlines()[0]
            line = _line_of_word(text, what.split()[0] if what else "")
            raise SparkSqlError(f"{_where_text(text, name, line)}: {what} in Spark SQL") from None
    return ";\n".join(out)


def _line_of_word(text: str, word: str) -> int:
    """The first line of the text holding a word (case-insensitive), else 1."""
    pattern = re.compile(rf"\b{re.escape(word)}\b", re.I) if word else None
    for i, line in enumerate(text.split("\n"), 1):
        if pattern is not None and pattern.search(line.split("--", 1)[0]):
            return i
    return 1


def _line_of(node: exp.Expression, text: str) -> int:
    """The line of the DuckDB text where a node starts (noted before the rewrites), else 1."""
    for n in node.walk():
        if "src_line" in n.meta:
            return text.count("\n", 0, int(n.meta["src_line"])) + 1
    return 1


def _translate(tree: exp.Expression) -> exp.Expression:
    tree = _mark_duckdb_functions(tree)
    tree = tree.transform(_typed_params, copy=False)
    tree = _annotate(tree)
    tree = tree.transform(_node_rewrites, copy=False)
    for rewrite in TREE_REWRITES:
        tree = rewrite(tree)
    _check_supported(tree)
    return tree


def _annotate(tree: exp.Expression) -> exp.Expression:
    """Qualify names (stars expanded from the base schema) and annotate every expression's type."""
    from sqlglot.optimizer.annotate_types import annotate_types
    from sqlglot.optimizer.qualify import qualify

    try:
        tree = qualify(
            tree,
            schema=BASE_SCHEMA,
            dialect="duckdb",
            validate_qualify_columns=False,
            identify=False,
            quote_identifiers=False,
        )
    except sqlglot.errors.SqlglotError:
        pass
    return annotate_types(tree, schema=BASE_SCHEMA, dialect="duckdb")


def _is(node: exp.Expression, *types: exp.DataType.Type) -> bool:
    return node.type is not None and node.type.this in types


DATE = exp.DataType.Type.DATE


# -- the rewrites: each names the DuckDB semantics it keeps and the Spark construct it uses ------------


def _typed_params(node: exp.Expression) -> exp.Expression:
    """typed_params: DuckDB types a `$param` from the bound value; Spark's `:param` marker is typed by the
    Python value too, but None has no type there (and a date compared to an untyped null fails). Each
    marker of PARAM_TYPES becomes `CAST(:param AS T)` (T the DuckDB type); others are left alone."""
    if isinstance(node, exp.Placeholder) and node.name in PARAM_TYPES:
        parent = node.parent
        t = exp.DataType.build(PARAM_TYPES[node.name], dialect="duckdb")
        if isinstance(parent, exp.Cast) and parent.to == t:
            return node
        return exp.Cast(this=node.copy(), to=t)
    return node


def date_minus_date(node: exp.Expression) -> exp.Expression:
    """date - date: an integer (days) in DuckDB, an interval in Spark -> `datediff(a, b)` (days, integer)."""
    if isinstance(node, exp.Sub) and _is(node.left, DATE) and _is(node.right, DATE):
        return exp.Anonymous(this="datediff", expressions=[node.left, node.right])
    return node


def generator_in_cast(node: exp.Expression) -> exp.Expression:
    """cast(unnest(xs) as T): DuckDB casts each element; Spark allows no generator inside an expression
    -> `explode(cast(xs as ARRAY<T>))` (same rows, same type)."""
    if isinstance(node, exp.Cast) and isinstance(node.this, _GENERATORS):
        gen = node.this
        inner = gen.this if isinstance(gen, exp.Explode) else gen.expressions[0]
        arr = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[node.to], nested=True)
        return exp.Explode(this=exp.Cast(this=inner, to=arr))
    if isinstance(node, exp.Cast) and _subscripts(node.this) is not None:
        return node.this
    return node


def _subscripts(node: exp.Expression) -> exp.Expression | None:
    """The array of `generate_subscripts(xs, 1)`, else None."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "generate_subscripts":
        args = node.expressions
        if len(args) == 2 and args[1].sql() == "1":
            return args[0]
    return None


def zip_generators(tree: exp.Expression) -> exp.Expression:
    """Several unnest(...) (and generate_subscripts(xs, 1)) in one SELECT: DuckDB walks the lists side by
    side (the shorter padded with NULL); Spark allows one generator per SELECT -> one
    `inline(arrays_zip(xs, ys, ...)) AS (a, b, ...)` (arrays_zip pads with NULL too), generate_subscripts(xs, 1)
    becoming the list of 1-based positions `transform(xs, (x, i) -> i + 1)`."""
    for select in list(tree.find_all(exp.Select)):
        gens = []
        for i, proj in enumerate(select.expressions):
            inner = proj.this if isinstance(proj, exp.Alias) else proj
            if isinstance(inner, exp.Explode) and not isinstance(inner, exp.Posexplode):
                gens.append((i, proj.alias_or_name, inner.this))
            elif isinstance(inner, exp.Unnest):
                gens.append((i, proj.alias_or_name, inner.expressions[0]))
            elif (arr := _subscripts(inner)) is not None:
                positions = sqlglot.parse_one("transform(x, (x_, i_) -> i_ + 1)", read="spark")
                positions.set("this", arr.copy())
                gens.append((i, proj.alias_or_name, positions))
        if len(gens) < 2 and not any(
            _subscripts(e.this if isinstance(e, exp.Alias) else e) for e in select.expressions
        ):
            continue
        idx = [i for i, *_ in gens]
        if idx != list(range(idx[0], idx[0] + len(idx))) or any(not a for _, a, _ in gens):
            raise _Unsupported(select, "several unnest() in one SELECT that are not adjacent and named")
        zipped = exp.Anonymous(this="arrays_zip", expressions=[arr for *_, arr in gens])
        inline = exp.Aliases(
            this=exp.Anonymous(this="inline", expressions=[zipped]),
            expressions=[exp.to_identifier(a) for _, a, _ in gens],
        )
        projs = select.expressions
        select.set("expressions", [*projs[: idx[0]], inline, *projs[idx[-1] + 1 :]])
    return tree


def array_index(node: exp.Expression) -> exp.Expression:
    """xs[i]: 1-based in DuckDB (NULL out of range); Spark's xs[i] is 0-based (an error out of range) ->
    `try_element_at(xs, i)` (1-based, NULL out of range). sqlglot's parser already made a literal index
    0-based (xs[2] is held as index 1), and leaves any other index as written."""
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        t = node.this.type
        index = node.expressions[0]
        if index.is_string or (t is not None and t.this not in (exp.DataType.Type.ARRAY, exp.DataType.Type.UNKNOWN)):
            return node
        if isinstance(index, exp.Literal) and index.is_int:
            index = exp.Literal.number(int(index.this) + 1)
        return exp.Anonymous(this="try_element_at", expressions=[node.this, index])
    return node


def windowed_quantile(node: exp.Expression) -> exp.Expression:
    """quantile_cont(x, p) OVER (...): DuckDB interpolates linearly between the values at ranks
    floor((n-1)p) and ceil((n-1)p) of the frame; Spark's `percentile(x, p) OVER (...)` is the same exact
    interpolated percentile over the frame (PERCENTILE_CONT, sqlglot's rendering, is no window function
    in Spark). A double either way."""
    if isinstance(node, (exp.PercentileCont, exp.Quantile)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in ("quantile_cont", "quantile")
    ):
        args = [node.this, node.expression] if not isinstance(node, exp.Anonymous) else node.expressions
        if len(args) == 2 and all(a is not None for a in args):
            return exp.Anonymous(this="percentile", expressions=[args[0], args[1]])
    if isinstance(node, exp.Median):
        return exp.Anonymous(this="percentile", expressions=[node.this, exp.Literal.number("0.5")])
    return node


def ordered_list(node: exp.Expression) -> exp.Expression:
    """list(x ORDER BY y): DuckDB keeps the order; Spark's collect_list has none (sqlglot drops the ORDER BY)
    -> `transform(array_sort(collect_list(named_struct('k0', y, 'v', x))), s -> s.v)` (structs sort by
    their fields in order; the struct is never NULL, so a NULL x is kept as DuckDB keeps it)."""
    if isinstance(node, (exp.ArrayAgg, exp.List)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in ("list", "array_agg")
    ):
        arg = node.this if not isinstance(node, exp.Anonymous) else (node.expressions or [None])[0]
        if isinstance(arg, exp.Order):
            keys = arg.expressions
            if any(k.args.get("desc") for k in keys):
                raise _Unsupported(node, "list(x ORDER BY y DESC)")
            fields: list[exp.Expression] = []
            for i, k in enumerate(keys):
                fields += [exp.Literal.string(f"k{i}"), k.this]
            fields += [exp.Literal.string("v"), arg.this]
            structs = exp.Anonymous(
                this="collect_list", expressions=[exp.Anonymous(this="named_struct", expressions=fields)]
            )
            out = sqlglot.parse_one("transform(a_, s_ -> s_.v)", read="spark")
            out.find(exp.Column).replace(exp.Anonymous(this="array_sort", expressions=[structs]))
            return out
    return node


def decimal_literals(node: exp.Expression) -> exp.Expression:
    """A literal like 2.0: DECIMAL in both, but DuckDB turns DECIMAL / DECIMAL into DOUBLE and mixes with
    DOUBLE as DOUBLE, where Spark keeps DECIMAL and rounds quotients to 6 places -> a DOUBLE literal
    (`2.0D`), so the arithmetic is floating point as in DuckDB (within 1e-15 of its exact decimals)."""
    if isinstance(node, exp.Literal) and node.is_number and any(c in node.this for c in ".eE"):
        return exp.Cast(this=node, to=exp.DataType.build("double"))
    return node


def range_table(tree: exp.Expression) -> exp.Expression:
    """`range(a, b) r(x)` as a table: DuckDB's rows a..b-1 named x; sqlglot renders it as an explode inside
    the join, which Spark refuses -> Spark's table function `(SELECT id AS x FROM range(a, b)) AS r` (the
    same half-open range, a BIGINT as in DuckDB)."""
    for tbl in list(tree.find_all(exp.Table)):
        fn = tbl.this
        if not isinstance(fn, exp.GenerateSeries):
            continue
        if not fn.args.get("is_end_exclusive") or fn.args.get("step") is not None:
            raise _Unsupported(tbl, "generate_series(...) as a table")
        alias = tbl.args.get("alias")
        cols = [c.name for c in alias.columns] if alias else []
        tname = alias.name if alias and alias.name else "range_"
        col = cols[0] if cols else "range"
        start, end = fn.args["start"].sql("spark"), fn.args["end"].sql("spark")
        sub = sqlglot.parse_one(
            f"SELECT * FROM (SELECT id AS {col} FROM range({start}, {end})) AS {tname}", read="spark"
        )
        tbl.replace(sub.find(exp.Subquery))
    return tree


# DuckDB functions whose Spark twin has another name and the same arguments and meaning.
RENAMED = {
    "epoch_us": "unix_micros",  # microseconds since 1970-01-01 00:00 UTC of a timestamp with time zone
}


def renamed_functions(node: exp.Expression) -> exp.Expression:
    """renamed_functions: the functions of RENAMED, called by their Spark name."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in RENAMED:
        return exp.Anonymous(this=RENAMED[node.name.lower()], expressions=node.expressions)
    if isinstance(node, exp.Func) and not isinstance(node, exp.Anonymous):
        sql_name = node.sql_name().lower() if hasattr(node, "sql_name") else ""
        if sql_name in RENAMED:
            return exp.Anonymous(
                this=RENAMED[sql_name], expressions=[a for a in node.args.values() if isinstance(a, exp.Expression)]
            )
    return node


# Rewrites of one node, applied in one top-down pass over the type-annotated tree, in this order.
NODE_REWRITES = (
    date_minus_date,
    generator_in_cast,
    array_index,
    windowed_quantile,
    ordered_list,
    decimal_literals,
    renamed_functions,
)
# Rewrites of a SELECT or FROM, after the node rewrites.
TREE_REWRITES = (zip_generators, range_table)


def _node_rewrites(node: exp.Expression) -> exp.Expression:
    for rewrite in NODE_REWRITES:
        node = rewrite(node)
    return node


# Functions sqlglot does not know (it passes them through by name) that Spark has with DuckDB's meaning.
SAME_IN_SPARK = frozenset({"chr", "nullif", "least", "greatest", "md5", "sha1", "sha2", "crc32", "hash"})


def _mark_duckdb_functions(tree: exp.Expression) -> exp.Expression:
    """Before any rewrite: note each node's line in the DuckDB text (`src_line`, the first line under it) and
    mark the functions sqlglot does not know: one left after the rewrites (unless in SAME_IN_SPARK) is an
    error naming its file and line."""
    for node in reversed(list(tree.walk())):  # children before their parents
        if "start" in node.meta:  # a character offset (sqlglot's own line count drifts after comments)
            node.meta["src_line"] = node.meta["start"]
        else:
            lines = [c.meta["src_line"] for c in node.iter_expressions() if "src_line" in c.meta]
            if lines:
                node.meta["src_line"] = min(lines)  # the first offset under it
        if isinstance(node, exp.Anonymous):
            node.meta["duckdb_function"] = True
    return tree


def _series_from_period_start(series: exp.GenerateSeries) -> bool:
    """A date series DuckDB and Spark agree on: DuckDB's generate_series adds the step to the previous
    value, Spark's sequence adds k steps to the start; with a month step from the 31st they part
    (Mar 29 against Mar 31), so a step other than days or integers must start at a date_trunc."""
    step = series.args.get("step")
    if step is None or (step.is_int if isinstance(step, exp.Literal) else False):
        return True
    if isinstance(step, exp.Interval) and step.text("unit").lower().rstrip("s") in ("day", "week"):
        return True
    start = series.args.get("start")
    while isinstance(start, (exp.Cast, exp.Paren)):
        start = start.this
    return isinstance(start, (exp.DateTrunc, exp.TimestampTrunc, exp.DatetimeTrunc))


def _check_supported(tree: exp.Expression) -> None:
    """Constructs left that Spark cannot run (the load-time check names their file and line)."""
    for node in tree.walk():
        if isinstance(node, exp.GenerateSeries) and not _series_from_period_start(node):
            raise _Unsupported(node, "generate_series(start, stop, step) with a step of months from any day")
        if isinstance(node, exp.Star) and node.args.get("except"):
            raise _Unsupported(node, "`* exclude (...)` over a table of unknown columns")
        if isinstance(node, exp.Star) and node.args.get("replace"):
            raise _Unsupported(node, "`* replace (...)` over a table of unknown columns")
        if (
            isinstance(node, exp.Anonymous)
            and node.meta.get("duckdb_function")
            and node.name.lower() not in SAME_IN_SPARK
        ):
            raise _Unsupported(node, f"the DuckDB function {node.name}()")


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


# Files that only ever run on DuckDB, left out of check_all (an engine never runs them on Spark):
DUCKDB_ONLY = frozenset(
    {
        # the importer: it reads and writes local files with DuckDB's readers (read_csv, read_parquet with
        # options, COPY ... TO) before any engine holds the data
        "import_append",
        "import_append_counts",
        "import_summary",
        "validate_import_columns",
        "validate_import_convert",
        "validate_import_date_shape",
        "validate_import_stage",
    }
)
# ... and every file named with one of these prefixes: refresh_* updates a DuckDB base file in place
# (read_parquet($files), insert / delete on the cached DuckDB tables).
DUCKDB_ONLY_PREFIXES = ("refresh_",)


def duckdb_only(name: str) -> bool:
    return name in DUCKDB_ONLY or name.startswith(DUCKDB_ONLY_PREFIXES)


def sql_names(sql_dir: Path = SQL_DIR) -> list[str]:
    """The SQL files an engine runs (includes `_x.sql` are part of them; DUCKDB_ONLY left out)."""
    return sorted(p.stem for p in sql_dir.glob("*.sql") if not p.stem.startswith("_") and not duckdb_only(p.stem))


def sample_filled(name: str, scope: str = "_scope") -> str:
    """The loaded text of NAME with each {{fragment}} filled by a stand-in of the same shape."""
    return _PLACEHOLDER.sub(lambda m: _SAMPLE_FRAGMENTS.get(m.group(1), "null"), load(name, scope))


def check_all() -> list[str]:
    """Translate every SQL file an engine runs (sql_names) with both scopes, {{fragments}} filled by
    stand-ins; the problems found, as `retention/sql/FILE.sql:LINE: message` strings (empty: all translate)."""
    problems: list[str] = []
    for name in sql_names():
        for scope in SCOPES:
            try:
                to_spark(sample_filled(name, scope), name)
            except SparkSqlError as exc:
                problems.append(str(exc))
    return sorted(set(problems))


# Fragment values standing in for the allow-listed SQL that code fills in (only the shape matters).
_SAMPLE_FRAGMENTS = {
    "rows_of": "src_x",
    "order_files": "src_x",
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
