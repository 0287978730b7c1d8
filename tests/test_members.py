"""`members`: literal member lists for hand-made customers, and on the sample data the number of members of
every set equals the count its report prints (cohort cells, statuses, migration cells, KPI events, reasons,
RFM cells, segments, tiers, won-back contacts)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retention import db
from retention.errors import InputError
from retention.params import make_params
from retention.queries import members as m
from retention.queries.campaigns import cli_table
from retention.queries.cohorts import cohort_table
from retention.queries.kpis import kpi_table
from retention.queries.lifecycle import STATUSES, migrations, status_counts
from retention.queries.reasons import reason_table
from retention.queries.rfm import SEGMENTS, TIERS, rfm_table
from retention.settings import Settings
from tests.conftest import d, run_cli

TODAY = dt.date(2030, 1, 1)
T = d("2024-03-31")

ORDERS = [
    ("a", "2024-01-05", 10.0), ("a", "2024-01-20", 20.0), ("a", "2024-03-10", 30.0),
    ("b", "2024-01-15", 5.0),
    ("c", "2024-02-10", 8.0), ("c", "2024-02-25", 8.0),
]  # fmt: skip


@pytest.fixture
def hand_made(make_data):
    orders = pl.DataFrame(
        [(c, d(day), a) for c, day, a in ORDERS],
        schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64},
        orient="row",
    )
    customers = pl.DataFrame(
        {"customer_id": ["a", "b", "c", "d"], "signed_up_at": [d("2024-01-01"), d("2024-01-01"), d("2024-02-05"),
         d("2024-01-01")], "region": ["North", "South", "North", None]},
    )  # fmt: skip
    reasons = pl.DataFrame(
        {"customer_id": ["b", "c", "c"], "churned_at": [d("2024-02-20"), d("2024-03-28"), d("2024-03-29")],
         "reason": ["Price", "price", "service"]},
    )  # fmt: skip
    contacts = pl.DataFrame(
        {"customer_id": ["a", "b", "c"], "contacted_at": [d("2024-03-01")] * 3, "campaign": ["spring"] * 3,
         "channel": ["email"] * 3, "cost": [1.0] * 3, "group": ["treatment", "treatment", "control"]},
    )  # fmt: skip
    folder = make_data(orders=orders, customers=customers, churn_reasons=reasons, contacts=contacts)
    ds = db.open_dataset(folder, today=TODAY)
    return ds, make_params(ds, Settings(), as_of=T, window=30, period="month")


def ids(ds, p, of, *dates) -> list[str]:
    return m.members(ds, p, of, *dates)["customer_id"].to_list()


def test_literal_sets(hand_made):
    ds, p = hand_made
    expected = {
        "cohort:2024-01-01:0:active": ["a", "b"],
        "cohort:2024-01-01:0:alive": ["a", "b"],
        "cohort:2024-01-01:1:active": [],
        "cohort:2024-01-01:1:alive": [],
        "cohort:2024-01-01:2:active": ["a"],
        "cohort:2024-01-01:2:alive": ["a"],
        "cohort:2024-02-01:0:alive": ["c"],
        "cohort:2024-02-01:1:alive": [],
        "status:reactivated": ["a"],
        "status:lost": ["b", "c"],
        "status:prospect": ["d"],
        "status:loyal": [],
        "kpi:2024-01-01:new": ["a", "b"],
        "kpi:2024-02-01:new": ["c"],
        "kpi:2024-03-01:reactivations": ["a"],
        "kpi:2024-02-01:lapses": ["a", "b"],
        "kpi:2024-03-01:lapses": ["c"],
        "reason:price": ["b", "c"],
        "reason:Service": ["c"],
        "rfm:5:5": ["a"],
        "rfm:3:3": ["c"],
        "rfm:1:1": ["b"],
        "segment:champions": ["a"],
        "segment:loyal": ["c"],
        "segment:hibernating": ["b"],
        "campaign:spring:won_back": ["a"],
    }
    got = {of: ids(ds, p, of) for of in expected}
    assert got == expected


def test_literal_migration_and_reason_range(hand_made):
    ds, p = hand_made
    span = (d("2024-02-01"), d("2024-03-31"))
    assert ids(ds, p, "migration:new:reactivated", *span) == ["a"]
    assert ids(ds, p, "migration:new:lost", *span) == ["b"]
    assert ids(ds, p, "migration:not_yet:lost", *span) == ["c"]
    assert ids(ds, p, "migration:prospect:prospect", *span) == ["d"]
    assert ids(ds, p, "reason:price", d("2024-03-01"), None) == ["c"]
    assert ids(ds, p, "reason:price", None, d("2024-02-29")) == ["b"]


def test_columns_status_and_attributes(hand_made):
    ds, p = hand_made
    frame = m.members(ds, p, "status:lost")
    expected = pl.DataFrame({"customer_id": ["b", "c"], "status": ["lost", "lost"], "region": ["South", "North"]})
    assert frame.equals(expected)
    # a filter narrows the set as it narrows the report
    north = make_params(ds, Settings(), as_of=T, window=30, filters={"region": ["North"]})
    assert m.members(ds, north, "status:lost")["customer_id"].to_list() == ["c"]
    # a prospect has no attribute value: the column is null
    assert m.members(ds, p, "status:prospect").row(0) == ("d", "prospect", None)


@pytest.mark.parametrize(
    "of",
    [
        "bogus:1", "status:sleeping", "status:", "cohort:2024-01-15:0:active", "cohort:2024-01-01:9:active",
        "cohort:2024-01-01:x:active", "cohort:2024-01-01:0:dead", "kpi:2024-03-01:churned", "kpi:2025-01-01:new",
        "reason:weather", "rfm:6:1", "rfm:1", "segment:whales", "tier:gold", "campaign:autumn:won_back",
        "campaign:spring:contacted", "migration:new:lost",
    ],
)  # fmt: skip
def test_unknown_kind_or_value_is_an_input_error(hand_made, of):
    ds, p = hand_made
    with pytest.raises(InputError):
        m.members(ds, p, of)


def test_cli_shape_and_errors(hand_made):
    ds, _ = hand_made
    done = run_cli("members", "--data", ds.data_dir, "--as-of", "2024-03-31", "--window", "30", "--of", "status:lost")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "customer_id,status,region\nb,lost,South\nc,lost,North\n"
    done = run_cli(
        "members", "--data", ds.data_dir, "--as-of", "2024-03-31", "--window", "30",
        "--of", "migration:new:lost", "--from", "2024-02-01", "--to", "2024-03-31",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["b,lost,South"]
    bad = run_cli("members", "--data", ds.data_dir, "--of", "tier:gold")
    assert bad.returncode == 2
    assert "unknown tier 'gold'" in bad.stderr and "Traceback" not in bad.stderr


# -- on the sample: every count of every report ------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(sample_dir):
    ds = db.open_dataset(sample_dir)
    return ds, make_params(ds, Settings(), period="quarter")


def count(ds, p, of, *dates) -> int:
    return m.members(ds, p, of, *dates).height


def assert_cells_listed(ds, p, table: pl.DataFrame) -> None:
    """Each cohort cell (active and alive) lists as many customers as it counts; a table with no cell fails."""
    assert table.height > 0
    for row in table.iter_rows(named=True):
        for measure in ("active", "alive"):
            assert count(ds, p, f"cohort:{row['cohort']}:{row['k']}:{measure}") == row[measure], (row, measure)


def test_sample_every_cohort_cell(sample):
    ds, p = sample
    table = cohort_table(ds, p)
    assert_cells_listed(ds, p, table)


def test_sample_monthly_cohorts_with_a_filter(sample):
    ds, p = sample
    p = p.with_(period="month", filters=(("region", ("North",)),))
    table = cohort_table(ds, p).filter(pl.col("cohort") >= pl.col("cohort").max() - dt.timedelta(days=120))
    assert_cells_listed(ds, p, table)


def test_sample_statuses_and_migrations(sample):
    ds, p = sample
    counts = dict(status_counts(ds, p).iter_rows())
    assert {s: count(ds, p, f"status:{s}") for s in STATUSES} == counts
    span = (p.as_of - dt.timedelta(days=120), p.as_of - dt.timedelta(days=10))
    for a, b, n in migrations(ds, p, *span).iter_rows():
        assert count(ds, p, f"migration:{a}:{b}", *span) == n, (a, b)


def test_sample_kpi_events(sample):
    ds, p = sample
    kpis = kpi_table(ds, p)
    assert kpis.height > 0
    for row in kpis.iter_rows(named=True):
        for event in m.KPI_EVENTS:
            # distinct customers; the count when nobody has two events of the kind in the period
            got = count(ds, p, f"kpi:{row['period']}:{event}")
            assert got <= row[event] and (got > 0) == (row[event] > 0), (row["period"], event)
            if event == "new":
                assert got == row[event]
    # month periods are short enough that nobody has two lapses in one
    monthly = p.with_(period="month")
    for row in kpi_table(ds, monthly).tail(6).iter_rows(named=True):
        for event in m.KPI_EVENTS:
            assert count(ds, monthly, f"kpi:{row['period']}:{event}") == row[event], (row["period"], event)


def test_sample_reasons(sample):
    ds, p = sample
    rows = m.known_values(ds)["reason"]
    table = reason_table(ds, p)
    assert sorted(rows) == sorted(table["reason"].to_list())
    from retention.queries.reasons import reason_rows

    per_customer = reason_rows(ds, p).group_by("reason").agg(pl.col("customer_id").n_unique())
    for reason, n in per_customer.iter_rows():
        assert count(ds, p, f"reason:{reason}") == n
    for reason, n in table.select("reason", "count").iter_rows():
        assert count(ds, p, f"reason:{reason}") <= n


def test_sample_rfm_cells_segments_tiers(sample):
    ds, p = sample
    rfm = rfm_table(ds, p)
    cells = {(r, f): n for r, f, n in rfm.group_by("r", "f").len().iter_rows()}
    for r in range(1, 6):
        for f in range(1, 6):
            assert count(ds, p, f"rfm:{r}:{f}") == cells.get((r, f), 0)
    for seg in SEGMENTS:
        assert count(ds, p, f"segment:{seg}") == rfm.filter(segment=seg).height
    for tier in TIERS:
        assert count(ds, p, f"tier:{tier}") == rfm.filter(tier=tier).height


def test_sample_campaign_won_back(sample):
    ds, p = sample
    table = cli_table(ds, p)
    assert table.height > 0
    for name, won in table.select("campaign", "won_back").iter_rows():
        got = count(ds, p, f"campaign:{name}:won_back")
        assert 0 < got <= won
