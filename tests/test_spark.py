"""Differential tests: every report of ../shared/CLI.md (and the customers behind its numbers) on local Spark
equals DuckDB, on the sample data and on hand-made edge data (refunds, same-day orders, zoned timestamps in
a zone with DST, segment filters, a window map, empty results): the same columns and types, the same rows,
floats within 1e-9 relative.

Both engines run the frames the CLI prints (retention.cli.report_frame over the parsed arguments). One Spark
session (local[2], 4 shuffle partitions, no UI) serves the module; each data set's base is built once per
engine and every report reads it. Select with `-m spark`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import shutil
from pathlib import Path

import polars as pl
import pytest

from retention import cli, db, spark_engine
from retention.settings import load_settings
from tests.conftest import ROOT, write_tables

pytestmark = pytest.mark.spark

SAMPLE = ROOT / "data" / "sample"
EDGE_ZONE = "America/New_York"
RTOL = 1e-9


# -- the data ------------------------------------------------------------------------------------


def edge_tables() -> dict[str, pl.DataFrame]:
    """About 150 customers over two years in New York time, plus the edge cases by name:
    refund rows (alone on a day, beside an order, larger than the day's orders), several orders on one day,
    orders a few hours after midnight UTC (the day before in New York) and across the DST change, an order
    without an amount, rows with and without a cost, customers of two business types (the window map) and
    two regions (filters), reasons, contacts with a control group."""
    rng = random.Random(22)
    utc = dt.UTC
    rows: list[tuple[str, dt.datetime, float | None, float | None]] = []
    start = dt.datetime(2023, 1, 2, 15, tzinfo=utc)
    customers = []
    for i in range(150):
        cid = f"c{i:03d}"
        kind = "cafe" if i % 3 else "dental"
        customers.append((cid, start + dt.timedelta(days=rng.randrange(0, 200)), kind, "north" if i % 2 else "south"))
        day = start + dt.timedelta(days=rng.randrange(0, 300), hours=rng.randrange(0, 9))
        gap = 12 if kind == "cafe" else 70
        for _ in range(rng.randrange(1, 14)):
            if day > dt.datetime(2024, 12, 20, tzinfo=utc):
                break
            amount = round(rng.uniform(5, 120), 2)
            cost = round(amount * 0.4, 2) if rng.random() < 0.5 else None
            rows.append((cid, day, amount, cost))
            day += dt.timedelta(days=max(1, int(rng.expovariate(1 / gap))), hours=rng.randrange(-3, 4))
    edge = [
        # refunds: beside an order, alone on a later day, larger than the day's orders
        ("r1", "2024-03-01T15:00:00Z", 50.0, 20.0), ("r1", "2024-03-01T18:00:00Z", -20.0, None),
        ("r1", "2024-04-10T12:00:00Z", -30.0, None), ("r1", "2024-06-01T12:00:00Z", 10.0, None),
        ("r1", "2024-06-01T13:00:00Z", -25.0, None), ("r1", "2024-11-30T13:00:00Z", 40.0, 10.0),
        # same-day orders
        ("s1", "2024-05-05T10:00:00Z", 10.0, None), ("s1", "2024-05-05T11:00:00Z", 12.5, 5.0),
        ("s1", "2024-05-05T20:00:00Z", 7.25, None), ("s1", "2024-07-01T10:00:00Z", 9.0, None),
        ("s1", "2024-07-01T10:00:00Z", 9.0, None), ("s1", "2024-12-01T10:00:00Z", 19.0, None),
        # zoned: 02:30 UTC is the evening before in New York; around the DST changes of 2024
        ("z1", "2024-01-01T02:30:00Z", 30.0, None), ("z1", "2024-03-10T06:30:00Z", 31.0, None),
        ("z1", "2024-03-10T07:30:00Z", 32.0, None), ("z1", "2024-11-03T05:30:00Z", 33.0, None),
        ("z1", "2024-11-03T06:30:00Z", 34.0, None), ("z1", "2024-12-01T04:59:59Z", 35.0, None),
        # no amount; one order only, long ago
        ("n1", "2024-02-02T12:00:00Z", None, None), ("n1", "2024-09-09T12:00:00Z", 15.0, None),
        ("o1", "2023-01-03T12:00:00Z", 99.0, None),
        # the latest day (T) in New York: 2024-12-31 23:30 there
        ("s1", "2025-01-01T04:30:00Z", 11.0, None),
    ]  # fmt: skip
    for cid, at, amount, cost in edge:
        rows.append((cid, dt.datetime.fromisoformat(at.replace("Z", "+00:00")), amount, cost))
    for cid, kind in (("r1", "cafe"), ("s1", "cafe"), ("z1", "dental"), ("n1", "dental"), ("o1", "cafe")):
        customers.append((cid, dt.datetime(2023, 1, 1, tzinfo=utc), kind, "north"))
    orders = pl.DataFrame(
        {
            "order_id": list(range(1, len(rows) + 1)),
            "customer_id": [r[0] for r in rows],
            "ordered_at": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
            "cost": [r[3] for r in rows],
        },
        schema={"order_id": pl.Int64, "customer_id": pl.String, "ordered_at": pl.Datetime("us", "UTC"),
                "amount": pl.Float64, "cost": pl.Float64},
    )  # fmt: skip
    custs = pl.DataFrame(
        {
            "customer_id": [c[0] for c in customers],
            "signed_up_at": [c[1] for c in customers],
            "business_type": [c[2] for c in customers],
            "region": [c[3] for c in customers],
        },
        schema={"customer_id": pl.String, "signed_up_at": pl.Datetime("us", "UTC"), "business_type": pl.String,
                "region": pl.String},
    )  # fmt: skip
    lapsed = sorted({r[0] for r in rows})[::4]
    reasons = pl.DataFrame(
        {
            "customer_id": lapsed,
            "churned_at": [dt.date(2024, 6, 1) + dt.timedelta(days=7 * i) for i in range(len(lapsed))],
            "reason": [("price", "competitor", "Quality ", "", "moved")[i % 5] for i in range(len(lapsed))],
            "category": [None if i % 5 != 4 else "uncontrollable" for i in range(len(lapsed))],
        }
    )
    contacted = sorted({r[0] for r in rows})[1::3]
    contacts = pl.DataFrame(
        {
            "customer_id": contacted,
            "contacted_at": [dt.date(2024, 9, 1) + dt.timedelta(days=3 * i) for i in range(len(contacted))],
            "campaign": [("autumn", "coffee")[i % 2] for i in range(len(contacted))],
            "cost": [2.5] * len(contacted),
            "group": [("treatment", "control", "treatment")[i % 3] for i in range(len(contacted))],
        }
    )
    return {"orders": orders, "customers": custs, "churn_reasons": reasons, "contacts": contacts}


# -- one session, one base per engine and data set ------------------------------------------------------


@pytest.fixture(scope="session")
def event_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("spark-events")


@pytest.fixture(scope="session")
def remote_root(tmp_path_factory) -> Path:
    """The local folder behind viewfs:///retention-remote: a Hadoop file system other than file://, so the
    reports read a data folder at a URL the way they read hdfs:// or s3a:// (test_data_at_a_url_equals_duckdb)."""
    return tmp_path_factory.mktemp("spark-remote")


@pytest.fixture(scope="session")
def spark(event_dir, remote_root):
    """The suite's one session; its event log goes to event_dir (test_event_log_shows_the_sql_ran)."""
    conf = {
        "spark.hadoop.fs.viewfs.mounttable.default.link./retention-remote": remote_root.as_uri(),
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.driver.memory": "1g",
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": event_dir.as_uri(),
        "spark.eventLog.compress": "false",  # plain JSON lines (Spark 4 writes zstd by default)
    }
    yield spark_engine.session("local[2]", None, conf)


class Pair:
    """One data set opened on both engines."""

    def __init__(self, data_dir: Path, zone: str, cache: Path):
        self.folder = data_dir
        self.settings = load_settings(_env_file=None, timezone=zone, data_dir=data_dir)
        self.duck = db.open_dataset(data_dir, zone, cache_dir=cache / "duckdb", engine_name="duckdb")
        self.spark = db.open_dataset(str(data_dir), zone, cache_dir=cache / "spark", engine_name="spark")
        self.parser = _parser()

    def frames(self, argv: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
        args = self.parser.parse_args([*argv, "--data", "unused"])
        return cli.report_frame(self.duck, self.settings, args), cli.report_frame(self.spark, self.settings, args)


def _parser():
    if not cli.REPORTS:
        cli._register_all()
    return cli.build_parser()


@pytest.fixture(scope="session")
def registry():
    """Room in db's registry of open engines for both data sets on both engines (it keeps two)."""
    before = db._MAX_ENGINES
    db._MAX_ENGINES = 8
    yield
    db._MAX_ENGINES = before


@pytest.fixture(scope="session")
def sample_pair(spark, registry, tmp_path_factory):
    return Pair(SAMPLE, "UTC", tmp_path_factory.mktemp("spark-sample-cache"))


@pytest.fixture(scope="session")
def edge_pair(spark, registry, tmp_path_factory):
    folder = write_tables(tmp_path_factory.mktemp("spark-edge") / "data", **edge_tables())
    return Pair(folder, EDGE_ZONE, tmp_path_factory.mktemp("spark-edge-cache"))


# -- comparing frames -------------------------------------------------------------------------------


def _is_float(dtype: pl.DataType) -> bool:
    return dtype in (pl.Float32, pl.Float64)


def assert_same(duck: pl.DataFrame, spark: pl.DataFrame, label: str) -> None:
    """The same columns with the same types and the same rows (in any order); floats within RTOL."""
    assert duck.columns == spark.columns, f"{label}: columns {duck.columns} vs {spark.columns}"
    assert duck.schema == spark.schema, f"{label}: types {dict(duck.schema)} vs {dict(spark.schema)}"
    assert duck.height == spark.height, f"{label}: {duck.height} rows on DuckDB, {spark.height} on Spark"
    keys = [c for c, t in duck.schema.items() if not _is_float(t) and not isinstance(t, (pl.List, pl.Struct))]
    floats = [c for c, t in duck.schema.items() if _is_float(t)]
    order = keys + floats
    a = duck.sort(order, nulls_last=True) if order else duck
    b = spark.sort(order, nulls_last=True) if order else spark
    for c in duck.columns:
        if c in floats:
            for i, (x, y) in enumerate(zip(a[c].to_list(), b[c].to_list(), strict=True)):
                same = (x is None and y is None) or (
                    x is not None
                    and y is not None
                    and ((math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=RTOL, abs_tol=1e-12))
                )
                assert same, f"{label}: column {c}, row {i} ({a.row(i, named=True)}): DuckDB {x}, Spark {y}"
        else:
            diff = [i for i, (x, y) in enumerate(zip(a[c].to_list(), b[c].to_list(), strict=True)) if x != y]
            assert not diff, (
                f"{label}: column {c} differs in {len(diff)} rows, first {a.row(diff[0], named=True)} on DuckDB, "
                f"{b.row(diff[0], named=True)} on Spark"
            )


# -- the reports ------------------------------------------------------------------------------------

# (id, argv): every report of CLI.md with its options, on both data sets (FROM/TO/HOLDOUT filled per data set).
REPORTS = [
    ("cohorts", ["cohorts"]),
    ("kpis", ["kpis", "--margin", "0.6", "--acquisition-cost", "40"]),
    ("status", ["status"]),
    ("status-by-customer", ["status", "--by-customer"]),
    ("migrations", ["migrations", "--from", "FROM", "--to", "TO"]),
    ("return-curve", ["return-curve"]),
    ("recommend", ["recommend", "--by", "business_type"]),
    ("whatif", ["whatif"]),
    ("reasons", ["reasons"]),
    ("reasons-summary", ["reasons-summary"]),
    ("rfm", ["rfm"]),
    ("segment-migrations", ["segment-migrations", "--from", "FROM", "--to", "TO"]),
    ("campaigns", ["campaigns"]),
    ("alerts", ["alerts", "--include-at-risk"]),
    ("predict", ["predict"]),
    ("predict-fit", ["predict-fit"]),
    ("predict-check", ["predict-check", "--holdout-days", "90", "--as-of", "HOLDOUT"]),
    ("winback", ["winback"]),
    ("slowing", ["slowing"]),
    ("retention-value", ["retention-value", "--points", "1,5,10", "--margin", "0.5"]),
]
# Options, periods, segment filters, a window map and empty results: on the edge data (small, so quick).
VARIANTS = [
    ("cohorts-active-week", ["cohorts", "--metric", "active", "--period", "week"]),
    ("cohorts-revenue-quarter", ["cohorts", "--metric", "revenue", "--period", "quarter"]),
    ("kpis-week", ["kpis", "--period", "week"]),
    ("reasons-range", ["reasons", "--from", "FROM", "--to", "TO"]),
    ("segment-migrations-tier", ["segment-migrations", "--from", "FROM", "--to", "TO", "--level", "tier"]),
    ("campaigns-by-status", ["campaigns", "--by", "status_before"]),
    ("campaigns-by-attribute", ["campaigns", "--by", "business_type", "--attribution-days", "60"]),
    ("alerts-new-since", ["alerts", "--new-since", "FROM"]),
    ("winback-exclude-recent", ["winback", "--exclude-recent"]),
    ("status-filtered", ["status", "--filter", "business_type=cafe", "--filter", "region=north"]),
    ("kpis-window-map", ["kpis", "--window-by", "business_type", "--window-map", "cafe=30,dental=120"]),
    ("rfm-window-map", ["rfm", "--window-by", "business_type", "--window-map", "cafe=30,dental=120"]),
    (
        "cohorts-filtered-map",
        ["cohorts", "--filter", "region=north", "--window-by", "business_type", "--window-map", "cafe=30,dental=120"],
    ),  # fmt: skip
    ("alerts-filtered", ["alerts", "--filter", "business_type=dental", "--window", "45"]),
    ("winback-map", ["winback", "--window-by", "business_type", "--window-map", "cafe=20,dental=200"]),
    ("status-empty", ["status", "--filter", "business_type=nobody"]),
    ("rfm-empty", ["rfm", "--filter", "business_type=nobody"]),
    ("alerts-empty", ["alerts", "--filter", "business_type=nobody"]),
    ("reasons-empty", ["reasons", "--filter", "business_type=nobody"]),
]


def _argv(argv: list[str], pair: Pair) -> list[str]:
    as_of = db.engine(pair.duck).meta["default_as_of"]
    start, end = (as_of - dt.timedelta(days=180)).isoformat(), (as_of - dt.timedelta(days=30)).isoformat()
    holdout = (as_of - dt.timedelta(days=100)).isoformat()
    return [{"FROM": start, "TO": end, "HOLDOUT": holdout}.get(a, a) for a in argv]


@pytest.fixture(scope="session", params=["sample", "edge"])
def pair(request):
    return request.getfixturevalue(f"{request.param}_pair")


@pytest.mark.parametrize("argv", [a for _, a in REPORTS], ids=[i for i, _ in REPORTS])
def test_report_equals_duckdb(pair, argv):
    argv = _argv(argv, pair)
    duck, spark = pair.frames(argv)
    assert_same(duck, spark, " ".join(argv))


@pytest.mark.parametrize("argv", [a for _, a in VARIANTS], ids=[i for i, _ in VARIANTS])
def test_variant_equals_duckdb(edge_pair, argv):
    argv = _argv(argv, edge_pair)
    duck, spark = edge_pair.frames(argv)
    assert_same(duck, spark, " ".join(argv))
    if "nobody" in argv:
        assert duck.height == 0 or argv[0] == "status"  # status lists every status with 0 customers


def _members_sets(pair: Pair) -> list[list[str]]:
    """One `members --of` of each kind, its values read from the reports on DuckDB."""
    frames = {name: pair.frames(argv)[0] for name, argv in
              (("cohorts", ["cohorts"]), ("kpis", ["kpis"]), ("rfm", ["rfm"]), ("reasons", ["reasons"]),
               ("campaigns", ["campaigns"]))}  # fmt: skip
    cohort = frames["cohorts"].filter(pl.col("k") == 1).row(0, named=True)
    period = frames["kpis"].filter(pl.col("new") > 0).row(-1, named=True)
    rfm = frames["rfm"].row(0, named=True)
    start, end = _argv(["FROM", "TO"], pair)
    return [
        ["members", "--of", f"cohort:{cohort['cohort']}:1:active"],
        ["members", "--of", f"cohort:{cohort['cohort']}:1:alive"],
        ["members", "--of", "status:lost"],
        ["members", "--of", "status:alert", "--filter", "region=north"],
        ["members", "--of", "migration:loyal:lost", "--from", start, "--to", end],
        ["members", "--of", f"kpi:{period['period']}:new"],
        ["members", "--of", f"kpi:{period['period']}:lapses"],
        ["members", "--of", f"reason:{frames['reasons']['reason'][0]}"],
        ["members", "--of", f"rfm:{rfm['r']}:{rfm['f']}"],
        ["members", "--of", f"segment:{rfm['segment']}"],
        ["members", "--of", f"tier:{rfm['tier']}"],
        ["members", "--of", f"campaign:{frames['campaigns']['campaign'][0]}:won_back"],
        ["members", "--of", "status:lost", "--filter", "business_type=nobody"],
    ]


def test_members_equal_duckdb(pair):
    """The customers behind the numbers, one set of each kind (the members SQL files)."""
    for argv in _members_sets(pair):
        duck, spark = pair.frames(argv)
        assert_same(duck, spark, " ".join(argv))


def test_predict_summary_equals_duckdb(pair):
    """The per-customer summary the predictions are fitted on (predict_summary.sql), on both engines."""
    from retention.params import make_params

    p = make_params(pair.duck, pair.settings)
    duck = db.engine(pair.duck).run("predict_summary", p.sql())
    spark = db.engine(pair.spark).run("predict_summary", p.sql())
    assert duck.height > 10
    assert_same(duck, spark, "predict_summary")


def test_customer_search_equals_duckdb(pair):
    """The profile page's search (customer_search.sql: ids and attribute values by prefix), on both engines;
    on Spark 4.3 a window over a union failed to plan (PLAN_VALIDATION_FAILED_RULE_IN_BATCH)."""
    from retention.queries.profile import search

    found = 0
    for text in ("c0", "C00", "c1", "caf", "NORTH", "Dent", "zz", "x' or '1'='1"):
        duck, spark = search(pair.duck, text), search(pair.spark, text)
        assert_same(duck, spark, f"search {text!r}")
        found += duck.height
    assert found > 20


def test_customer_profiles_equal_duckdb(pair):
    """The profile page's figures for a few customers (profile_days, profile_attrs, profile_contacts and the
    per-customer rows of status, RFM and reasons), on both engines."""
    from retention.params import make_params
    from retention.queries.profile import profile

    p = make_params(pair.duck, pair.settings)
    ids = db.engine(pair.duck).sql("select customer_id from ids order by cid")["customer_id"].to_list()
    shown = 0
    for cid in [*ids[:: max(1, len(ids) // 5)][:6], "nobody-has-this-id"]:
        duck, spark = profile(pair.duck, p, cid), profile(pair.spark, p, cid)
        assert (duck.exists, duck.signed_up, duck.attributes) == (spark.exists, spark.signed_up, spark.attributes), cid
        for part in ("status", "rfm"):  # one row each, or None
            a, b = getattr(duck, part), getattr(spark, part)
            assert (a is None) == (b is None), f"{cid} {part}"
            if a is not None:
                assert_same(pl.DataFrame([a]), pl.DataFrame([b]), f"profile {cid} {part}")
        for part in ("days", "reasons", "contacts"):
            a, b = getattr(duck, part), getattr(spark, part)
            assert (a is None) == (b is None), f"{cid} {part}"
            if a is not None:
                assert_same(a, b, f"profile {cid} {part}")
        shown += duck.status is not None
    assert shown >= 3


def test_data_at_a_url_equals_duckdb(edge_pair, remote_root, monkeypatch):
    """Data and cache at a URL only Spark reads (viewfs:// over a local folder, as hdfs:// or s3a:// would be):
    the folder is listed by Spark (no DuckDB validation), the base is written as Parquet through Hadoop's file
    system at the cache URL and read back by the next open; the reports equal DuckDB's on the same files."""
    shutil.copytree(edge_pair.folder, remote_root / "data", ignore=shutil.ignore_patterns(".retention-cache"))
    url, cache = "viewfs:///retention-remote/data", "viewfs:///retention-remote/cache"
    ds = db.open_dataset(url, EDGE_ZONE, cache_dir=cache, engine_name="spark")
    assert ds.data_dir == url and spark_engine.is_remote(ds.data_dir)
    bases = [p for p in (remote_root / "cache").iterdir() if p.name.startswith("spark-base-")]
    assert len(bases) == 1 and (bases[0] / "meta.json").is_file() and list(bases[0].rglob("*.parquet"))
    for argv in (["kpis"], ["status"], ["rfm"], ["cohorts", "--metric", "all"], ["alerts"]):
        args = edge_pair.parser.parse_args([*argv, "--data", "unused"])
        duck = cli.report_frame(edge_pair.duck, edge_pair.settings, args)
        assert_same(duck, cli.report_frame(ds, edge_pair.settings, args), " ".join(argv) + " at a URL")
    rows = db.engine(ds).meta["order_rows"]
    db._engines.pop(ds)  # as a new process: the base is read from the cache URL, not built again
    with monkeypatch.context() as m:
        m.setattr(spark_engine.SparkEngine, "build_base", lambda *a, **k: pytest.fail("the base was built again"))
        again = db.open_dataset(url, EDGE_ZONE, cache_dir=cache, engine_name="spark")
    try:
        assert again.version == ds.version and db.engine(again).meta["order_rows"] == rows
    finally:
        db._engines.pop(again, None)  # the registry keeps its room for the pairs the other tests share
    assert [p.name for p in (remote_root / "cache").iterdir() if p.name.startswith("spark-base-")] == [bases[0].name]


# -- the base on Spark ------------------------------------------------------------------------------


def test_base_is_parquet_under_the_cache_and_reused(edge_pair, tmp_path):
    """The Spark base is a Parquet folder per data version under the cache location with meta.json beside
    it; a second open (as by the next process: a fresh registry) reads it instead of the orders."""
    eng = db.engine(edge_pair.spark)
    folder = Path(eng.loaded_from)
    assert folder.name.startswith(f"spark-base-{edge_pair.spark.version}-")
    assert {p.name for p in folder.iterdir()} >= {*db.BASE_TABLES, "meta.json"}
    assert any(folder.joinpath("days").glob("*.parquet"))
    meta = json.loads(folder.joinpath("meta.json").read_text())
    assert meta["default_as_of"] == "2024-12-31"  # 04:30 UTC on 1 January is New Year's Eve in New York
    saved = dict(db._engines)
    try:
        db._engines.pop(edge_pair.spark)
        ds = db.open_dataset(edge_pair.spark.data_dir, EDGE_ZONE, cache_dir=folder.parent, engine_name="spark")
        again = db.engine(ds)
        assert again is not eng and again.loaded_from == str(folder) and not again.tables
        assert again.meta["default_as_of"] == dt.date(2024, 12, 31)
        assert_same(eng.run("base_meta"), again.run("base_meta"), "base_meta from the cache")
    finally:
        db._engines.clear()
        db._engines.update(saved)


def test_changed_data_builds_a_new_base(spark, tmp_path):
    """A rewritten orders file is a new data version: a new base folder, the new numbers."""
    data = write_tables(tmp_path / "data", orders={"customer_id": ["a", "b"], "ordered_at": [dt.date(2024, 1, 1)] * 2,
                                                   "amount": [1.0, 2.0]})  # fmt: skip
    first = db.open_dataset(str(data), "UTC", cache_dir=tmp_path / "cache", engine_name="spark")
    assert db.engine(first).run("base_meta")["order_rows"][0] == 2
    write_tables(data, orders={"customer_id": ["a", "b", "c"], "ordered_at": [dt.date(2024, 1, 2)] * 3,
                               "amount": [1.0, 2.0, 3.0]})  # fmt: skip
    second = db.open_dataset(str(data), "UTC", cache_dir=tmp_path / "cache", engine_name="spark")
    assert second.version != first.version
    assert db.engine(second).run("base_meta")["order_rows"][0] == 3
    assert len(list((tmp_path / "cache").glob("spark-base-*"))) == 2


def test_bad_data_is_refused_before_spark_runs(spark, tmp_path):
    """Validation stays on DuckDB over the same local files: the same message as on DuckDB."""
    from retention.errors import DataError

    data = write_tables(tmp_path / "bad", orders={"customer_id": ["a", None], "ordered_at": ["2024-01-01", "soon"],
                                                  "amount": [1.0, 2.0]})  # fmt: skip
    with pytest.raises(DataError) as exc:
        db.open_dataset(str(data), "UTC", cache_dir=tmp_path / "cache", engine_name="spark")
    assert "ordered_at" in str(exc.value) and "soon" in str(exc.value)


# -- Spark's event log ------------------------------------------------------------------------------


def _event(line: str) -> dict | None:
    try:
        return json.loads(line)
    except ValueError:  # the last line of a log still being written
        return None


def test_event_log_shows_the_sql_ran(sample_pair, event_dir):
    """Spark's own record (spark.eventLog.enabled): a report run now shows as SQL executions on Spark,
    named by its SQL file, scanning the base tables' Parquet under the cache."""
    duck, spark = sample_pair.frames(["status", "--window", "77"])  # a window no other test asks for
    assert_same(duck, spark, "status --window 77")
    # Spark 4's event log v2: a folder eventlog_v2_APP/ of events_N_APP files, one JSON event a line
    logs = [f for f in event_dir.rglob("events_*") if f.is_file()]
    assert logs, f"no event log under {event_dir}: {sorted(p.name for p in event_dir.rglob('*'))}"
    events = [_event(line) for f in logs for line in f.read_text().splitlines() if line.strip()]
    events = [e for e in events if e]
    starts = [e for e in events if e["Event"].endswith("SparkListenerSQLExecutionStart")]
    assert any(e["Event"] == "SparkListenerApplicationStart" for e in events)
    ours = [e for e in starts if "retention lifecycle_status_counts" in e.get("description", "")]
    assert ours, sorted({e.get("description", "")[:60] for e in starts})
    plan = ours[-1]["physicalPlanDescription"]
    assert "Scan parquet" in plan and "spark-base-" in plan, plan[:2000]
    ends = {e["executionId"] for e in events if e["Event"].endswith("SparkListenerSQLExecutionEnd")}
    assert ours[-1]["executionId"] in ends


def test_spark_engine_is_an_sql_engine(sample_pair):
    from retention.engine import SqlEngine

    eng = db.engine(sample_pair.spark)
    assert isinstance(eng, SqlEngine) and eng.version == sample_pair.duck.version
    assert eng.meta["default_as_of"] == db.engine(sample_pair.duck).meta["default_as_of"]
    # "manifest": the DuckDB engine's list of local files, which only its refresh reads (retention/refresh.py).
    skip = {"dropped", "manifest"}
    assert {k: v for k, v in eng.meta.items() if k not in skip} == {
        k: v for k, v in db.engine(sample_pair.duck).meta.items() if k not in skip
    }
