"""The DuckDB -> Spark SQL translation (retention/spark_sql.py): every SQL file translates, each rewrite
gives on local Spark what DuckDB gives on the same literal query, and a construct without a translation is
an error naming its file and line (through the includes)."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest

from retention import spark_sql
from retention.spark_sql import SparkSqlError, check_all, to_spark
from retention.sqlfiles import load

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    """One local session for the run (another module's session is reused: getOrCreate)."""
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _args(params: dict) -> dict:
    from pyspark.sql import functions as F

    out = {}
    for key, value in params.items():
        if isinstance(value, list):
            out[key] = F.array(*[F.lit(v) for v in value])
        else:
            out[key] = F.lit(value)
    return out


def duck(sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    return [tuple(r) for r in con.execute(sql, params or None).fetchall()]


def on_spark(spark, sql: str, params: dict | None = None) -> list[tuple]:
    text = to_spark(sql, "test")
    return [tuple(r) for r in spark.sql(text, args=_args(params or {}) or None).collect()]


def same(a: list[tuple], b: list[tuple]) -> bool:
    def eq(x, y):
        if isinstance(x, float) or isinstance(y, float):
            return x is not None and y is not None and math.isclose(float(x), float(y), rel_tol=1e-9)
        if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
            return len(x) == len(y) and all(eq(p, q) for p, q in zip(x, y, strict=True))
        return x == y

    return len(a) == len(b) and all(eq(list(r), list(s)) for r, s in zip(a, b, strict=True))


def test_every_sql_file_translates():
    assert check_all() == []


def test_params_become_named_markers():
    text = to_spark("select cast($as_of as date) as t, $x as x", "test")
    assert ":as_of" in text and ":x" in text and "$" not in text


# Each rewrite: a literal query, run on DuckDB and (translated) on Spark. Ordered output unless noted.
CASES = {
    "date_minus_date": (
        "select date '2024-03-01' - date '2024-02-01' as days, cast($as_of as date) - date '2024-01-01' as since",
        {"as_of": dt.date(2024, 12, 31)},
    ),
    "date_plus_integer": ("select date '2024-02-28' + 2 as d, date '2024-03-01' - 1 as e", {}),
    "running_median": (
        "select k, quantile_cont(x, 0.5) over (order by k rows between unbounded preceding and current row) as m "
        "from (values (1, 10), (2, 1), (3, 4), (4, null), (5, 7), (6, 100)) t(k, x) order by k",
        {},
    ),
    "ordered_list": (
        "select g, list(v order by k) as vs from (values (1, 3, 'c'), (1, 1, 'a'), (1, 2, null), (2, 5, 'z')) "
        "t(g, k, v) group by g order by g",
        {},
    ),
    "two_generators": (
        "select unnest(cast($names as varchar[])) as name, unnest(cast($days as integer[])) as w",
        {"names": ["cafe", "dental", "gym"], "days": [30, 180]},
    ),
    "generator_positions": (
        "select unnest(cast($codes as varchar[])) as code, "
        "cast(generate_subscripts(cast($codes as varchar[]), 1) as integer) as pos",
        {"codes": ["prospect", "new", "lost"]},
    ),
    "generator_in_cast": (
        "select cast(unnest(generate_series(cast(date_trunc('month', date '2024-01-31') as timestamp), "
        "cast(date '2024-05-01' as timestamp), cast($step as interval))) as date) as d",
        {"step": "1 month"},
    ),
    "quoted_name_order": (
        'select "window", n from (select 30 as "window", 1 as n union all select 7, 2 union all select 90, 3) '
        'order by "window"',
        {},
    ),
    "list_index_one_based": (
        "select cast($xs as varchar[])[2] as second, cast($xs as varchar[])[4] as beyond",
        {"xs": ["a", "b", "c"]},
    ),
    "integer_division": ("select 7 // 2 as q, (5 * 3) // 4 as r, 1 / 4 as ratio", {}),
    "decimal_literal": ("select 1 / 3.0 as third, 7 / 2.0 as half, 0.1 * 3 as tenths", {}),
    "range_table": ("select r.x from range(0, $n + 2) r(x) order by r.x", {"n": 3}),
    "unnest_in_subquery": (
        "select s from (values ('a'), ('b'), ('c')) t(s) where s in (select unnest(cast($keep as varchar[]))) "
        "order by s",
        {"keep": ["c", "a"]},
    ),
    "typed_null_param": (
        "select coalesce(cast($date_from as date), date '2024-01-01') as d, $date_from is null as none",
        {"date_from": None},
    ),
    "filter_and_qualify": (
        "select g, count(*) filter (where x > 1) as n from (values (1, 1), (1, 2), (2, 3)) t(g, x) "
        "group by g qualify row_number() over (order by g desc) = 1",
        {},
    ),
    "nulls_last": ("select x from (values (2), (null), (1)) t(x) order by x", {}),
    "arg_max_any_value": (
        "select g, arg_max(v, k) as last_v, any_value(g) as gg from (values (1, 1, 'a'), (1, 3, 'c'), (1, 2, 'b')) "
        "t(g, k, v) group by g",
        {},
    ),
    "epoch_us_day": (
        "select (date '1970-01-01' + cast(floor(epoch_us(ts) / 86400000000.0) as integer)) as d from "
        "(select cast('2024-03-10 23:30:00+00' as timestamptz) as ts)",
        {},
    ),
    "date_trunc_periods": (
        "select cast(date_trunc('week', d) as date) as w, cast(date_trunc('quarter', d) as date) as q "
        "from (values (date '2024-03-10'), (date '2024-12-31')) t(d) order by d",
        {},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rewrite_gives_duckdb_result(spark, case):
    sql, params = CASES[case]
    expected = duck(sql, params)
    got = on_spark(spark, sql, params)
    assert same(expected, got), f"{case}: DuckDB {expected} != Spark {got}\n{to_spark(sql, 'test')}"


def test_each_report_translates_to_spark_sql_spark_parses(spark):
    """Spark's own parser accepts every translated file (no run: the engine's differential tests run them)."""
    problems = []
    for name in spark_sql.sql_names():
        text = spark_sql.sample_filled(name)
        try:
            for statement in to_spark(text, name).split(";\n"):
                spark._jsparkSession.sessionState().sqlParser().parsePlan(statement)
        except Exception as exc:  # noqa: BLE001 - a parse error of any kind is the finding
            problems.append(f"{name}: {str(exc).splitlines()[0][:200]}")
    assert problems == []


def test_unsupported_function_names_file_and_line_through_includes():
    # _status_rule.sql line 13 holds generate_subscripts(..., 1); with dimension 2 it has no translation.
    text = load("lifecycle_status").replace(
        "cast(generate_subscripts(cast($status_codes as varchar[]), 1) as integer)",
        "generate_subscripts(cast($status_codes as varchar[]), 2)",
    )
    with pytest.raises(SparkSqlError, match=r"retention/sql/_status_rule\.sql:13: .*generate_subscripts"):
        to_spark(text, "lifecycle_status")


def test_unsupported_in_the_file_itself_names_its_line():
    lines = (spark_sql.SQL_DIR / "overview.sql").read_text().split("\n")
    line = next(i for i, s in enumerate(lines, 1) if "count(*) as buyers" in s)
    text = load("overview").replace("count(*) as buyers", "list_position([1], 1) as buyers")
    with pytest.raises(SparkSqlError, match=rf"retention/sql/overview\.sql:{line}: .*list_position"):
        to_spark(text, "overview")


def test_descending_ordered_list_is_refused():
    text = load("members_rfm").replace("list(a.value order by a.attribute)", "list(a.value order by a.attribute desc)")
    with pytest.raises(SparkSqlError, match=r"retention/sql/_attr_lists\.sql:6: list\(x ORDER BY y DESC\)"):
        to_spark(text, "members_rfm")


def test_month_series_from_any_day_is_refused():
    # DuckDB steps Jan 31 -> Feb 29 -> Mar 29, Spark's sequence Jan 31 -> Feb 29 -> Mar 31: only a series from
    # a date_trunc (a period's first day, as _periods.sql has) is translated.
    sql = (
        "select cast(unnest(generate_series(cast(date '2024-01-31' as timestamp), "
        "cast(date '2024-05-01' as timestamp), cast($step as interval))) as date) as d"
    )
    with pytest.raises(SparkSqlError, match=r"generate_series\(start, stop, step\)"):
        to_spark(sql, "test")


def test_sqlglot_unsupported_warning_is_an_error_with_its_line():
    lines = (spark_sql.SQL_DIR / "overview.sql").read_text().split("\n")
    line = next(i for i, s in enumerate(lines, 1) if "count(*) as buyers" in s)
    text = load("overview").replace("count(*) as buyers", "(select count(*) from read_parquet($a, $b)) as buyers")
    with pytest.raises(SparkSqlError, match=rf"retention/sql/overview\.sql:{line}: READ_PARQUET"):
        to_spark(text, "overview")


def test_duckdb_only_files_are_left_out_of_the_check():
    names = spark_sql.sql_names()
    assert "import_append" not in names and "validate_import_stage" not in names
    assert spark_sql.duckdb_only("refresh_days") and not spark_sql.duckdb_only("kpis")
    assert {"kpis", "cohorts", "base_pdays", "predict_summary"} <= set(names)


def test_parse_error_is_a_spark_sql_error():
    with pytest.raises(SparkSqlError, match=r"retention/sql/overview\.sql:\d+: cannot parse"):
        to_spark(load("overview").replace("select count(*)", "select count(*) from from"), "overview")
