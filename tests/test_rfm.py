"""RFM scores, segments, value tiers and segment migrations: literal tables for hand-made data, a reference
implementation compared on random data, and the CLI's shape."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention import db
from retention.params import Params
from retention.queries.rfm import SEGMENTS, rfm_table, segment_migrations
from tests.conftest import d, run_cli, write_tables

T = d("2024-03-31")


def orders(rows: list[tuple[object, str | dt.date, float | None]]) -> dict:
    return {
        "customer_id": [r[0] for r in rows],
        "ordered_at": [d(r[1]) if isinstance(r[1], str) else r[1] for r in rows],
        "amount": [r[2] for r in rows],
    }


def spec_orders(spec: list[tuple[str, int, int]], t: dt.date = T, amount: float = 1.0) -> dict:
    """(customer, recency, frequency): purchase days t - recency, t - recency - 1, ... (frequency of them)."""
    rows = [(c, t - dt.timedelta(days=rec + i), amount) for c, rec, freq in spec for i in range(freq)]
    return orders(rows)


def rfm(folder: Path, as_of: dt.date = T, **kw) -> pl.DataFrame:
    ds = db.open_dataset(folder)
    return rfm_table(ds, Params(as_of=as_of, **kw))


def scores(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.select("customer_id", "r", "f", "m", "segment", "tier").iter_rows()]


def test_ties_share_the_lowest_score(make_data):
    # Frequencies 1,2,2,3,4,5: ranks 1,2,2,4,5,6 of n = 6, percent_rank 0,.2,.2,.6,.8,1 -> 1,2,2,4,5,5.
    # Everyone bought last on T: one recency shared by all, so R = 1 for all.
    folder = make_data(
        orders=spec_orders([("a", 0, 1), ("b", 0, 2), ("c", 0, 2), ("d", 0, 3), ("e", 0, 4), ("f", 0, 5)])
    )
    out = rfm(folder)
    assert out.columns == ["customer_id", "recency", "frequency", "monetary", "r", "f", "m", "segment", "tier"]
    assert scores(out) == [
        ("a", 1, 1, 1, "hibernating", "low"),
        ("b", 1, 2, 2, "hibernating", "low"),
        ("c", 1, 2, 2, "hibernating", "low"),
        ("d", 1, 4, 4, "at_risk", "mid"),  # m percent_rank 0.6
        ("e", 1, 5, 5, "at_risk", "high"),  # 0.8: high from exactly 0.8
        ("f", 1, 5, 5, "at_risk", "high"),
    ]


def test_one_customer_gets_the_lowest_scores(make_data):
    folder = make_data(orders=orders([("solo", "2024-03-01", 20.0), ("solo", "2024-03-20", 5.0)]))
    out = rfm(folder)
    assert out.rows() == [("solo", 11, 2, 25.0, 1, 1, 1, "hibernating", "low")]


def test_all_equal_values_all_score_one(make_data):
    folder = make_data(orders=spec_orders([("x", 5, 2), ("y", 5, 2), ("z", 5, 2)], amount=3.0))
    assert scores(rfm(folder)) == [(c, 1, 1, 1, "hibernating", "low") for c in "xyz"]


@pytest.mark.parametrize(
    ("f_scores", "expected"),
    [
        # R scores of the six customers are 1,2,3,4,5,5 (distinct recencies); F scores as given.
        ([5, 4, 3, 2, 1, 5], ["at_risk", "at_risk", "loyal", "promising", "promising", "champions"]),
        ([1, 3, 2, 4, 5, 5], ["hibernating", "at_risk", "needs_attention", "champions", "champions", "champions"]),
        ([1, 2, 4, 3, 5, 5], ["hibernating", "hibernating", "loyal", "loyal", "champions", "champions"]),
    ],
)
def test_segment_boundaries(make_data, f_scores, expected):
    # Six customers with distinct values: rank - 1 = 0..5 of n - 1 = 5 gives scores 1,2,3,4,5,5.
    # The F scores are set by frequency rank: score s (1..5) <- frequency rank s - 1; the second 5 <- rank 5.
    ranks, seen5 = [], False
    for s in f_scores:
        if s == 5 and seen5:
            ranks.append(5)
        else:
            ranks.append(s - 1)
            seen5 = seen5 or s == 5
    spec = [(f"c{i}", 10 * (6 - i), rank + 1) for i, rank in enumerate(ranks)]
    out = rfm(make_data(orders=spec_orders(spec)))
    assert out["r"].to_list() == [1, 2, 3, 4, 5, 5]
    assert out["f"].to_list() == f_scores
    assert out["segment"].to_list() == expected


def test_monetary_counts_refunds_and_only_rows_up_to_t(make_data):
    folder = make_data(
        orders=orders(
            [
                ("x", "2024-03-21", 100.0),
                ("x", "2024-03-26", -30.0),  # refund: revenue, not activity (recency stays 10)
                ("x", "2024-04-01", 50.0),  # after T
                ("y", "2024-03-25", -20.0),  # only a refund: not an RFM customer
                ("z", "2024-03-28", None),  # a null amount is activity worth 0
            ]
        )
    )
    assert rfm(folder).rows() == [
        ("x", 10, 1, 70.0, 1, 1, 5, "hibernating", "high"),
        ("z", 3, 1, 0.0, 5, 1, 1, "promising", "low"),
    ]


def test_ranks_among_filtered_customers(make_data):
    folder = make_data(
        orders=spec_orders([("a", 1, 1), ("b", 2, 2), ("c", 3, 3)]),
        customers={"customer_id": ["a", "b", "c"], "region": ["N", "S", "S"]},
    )
    out = rfm(folder, filters=(("region", ("S",)),))
    # b and c only: n = 2, so each score is 1 or 5.
    assert scores(out) == [("b", 5, 1, 1, "promising", "low"), ("c", 1, 5, 5, "at_risk", "high")]


def migration_data(make_data) -> Path:
    return make_data(
        orders=orders(
            [
                ("a", "2024-01-10", 10.0),
                ("a", "2024-01-20", 10.0),
                ("a", "2024-02-25", 10.0),
                ("b", "2024-02-10", 10.0),  # first purchase between T1 and T2: from not_yet
                ("d", "2024-01-30", 10.0),
                ("c", "2024-03-15", 10.0),  # after T2: not counted
            ]
        )
    )


def test_segment_migrations_with_not_yet(make_data):
    ds = db.open_dataset(migration_data(make_data))
    p = Params(as_of=T)
    # At T1 = Jan 31: a (recency 11, 2 days) R1 F5 at_risk; d (recency 1, 1 day) R5 F1 promising.
    # At T2 = Feb 29: a (4, 3) R5 F5 champions; b (19, 1) R3 F1 needs_attention; d (30, 1) R1 F1 hibernating.
    out = segment_migrations(ds, p, d("2024-01-31"), d("2024-02-29"), "segment")
    assert out.rows() == [
        ("not_yet", "needs_attention", 1),
        ("promising", "hibernating", 1),
        ("at_risk", "champions", 1),
    ]
    tiers = segment_migrations(ds, p, d("2024-01-31"), d("2024-02-29"), "tier")
    assert tiers.rows() == [("not_yet", "low", 1), ("high", "high", 1), ("low", "low", 1)]
    before_all = segment_migrations(ds, p, d("2023-12-31"), d("2024-02-29"), "tier")
    assert before_all.rows() == [("not_yet", "high", 1), ("not_yet", "low", 2)]


def test_cli_shapes_and_errors(make_data):
    folder = migration_data(make_data)
    res = run_cli("rfm", "--data", folder, "--as-of", "2024-03-31")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "customer_id,recency,frequency,monetary,r,f,m,segment,tier"
    assert (
        res.stdout.splitlines()[1] == "a,35,3,30.0,4,5,5,champions,high"
    )  # recencies 61,50,35,16: rank 3 of 4 -> 1 + 10 // 3
    res = run_cli(
        "segment-migrations", "--data", folder, "--from", "2024-01-31", "--to", "2024-02-29", "--format", "json"
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)[0] == {"from_segment": "not_yet", "to_segment": "needs_attention", "customers": 1}
    for bad in (
        ["--from", "2024-01-31"],  # --to missing
        ["--from", "2024-01-31", "--to", "2024-04-01"],  # after T
        ["--from", "2024-02-29", "--to", "2024-01-31"],  # reversed
        ["--from", "2024-01-31", "--to", "2024-02-29", "--level", "status"],
    ):
        res = run_cli("segment-migrations", "--data", folder, *bad)
        assert res.returncode == 2, bad
        assert "Traceback" not in res.stderr and res.stderr.startswith("error:")
    res = run_cli("rfm", "--data", folder, "--filter", "region=N")
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_empty_rfm_prints_header_only(make_data):
    folder = make_data(
        orders=orders([("a", "2024-03-01", 5.0)]), customers={"customer_id": ["a", "b"], "region": ["N", "S"]}
    )
    res = run_cli("rfm", "--data", folder, "--filter", "region=S")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "customer_id,recency,frequency,monetary,r,f,m,segment,tier\n"


# -- a reference implementation, straight from METRICS.md, compared on random data ------------------------


def ref_rfm(rows: list[tuple[str, dt.date, float | None]], t: dt.date) -> dict[str, dict]:
    days: dict[str, set] = {}
    money: dict[str, float] = {}
    for c, day, amount in rows:
        if day > t:
            continue
        money[c] = money.get(c, 0.0) + (amount or 0.0)
        if amount is None or amount >= 0:
            days.setdefault(c, set()).add(day)
    facts = {c: {"recency": (t - max(ds)).days, "frequency": len(ds), "monetary": money[c]} for c, ds in days.items()}
    n = len(facts)

    def pr(c: str, key: str, descending: bool) -> float:
        v = facts[c][key]
        below = sum(1 for o in facts.values() if (o[key] > v if descending else o[key] < v))
        return 0.0 if n == 1 else below / (n - 1)

    for c, x in facts.items():
        x["r"] = min(5, 1 + int(5 * pr(c, "recency", True)))
        x["f"] = min(5, 1 + int(5 * pr(c, "frequency", False)))
        x["m"] = min(5, 1 + int(5 * pr(c, "monetary", False)))
        mp = pr(c, "monetary", False)
        x["tier"] = "high" if mp >= 0.8 else "mid" if mp >= 0.5 else "low"
        r, f = x["r"], x["f"]
        x["segment"] = (
            "champions" if r >= 4 and f >= 4 else "loyal" if r >= 3 and f >= 3 else "promising" if r >= 4
            else "needs_attention" if r == 3 else "at_risk" if f >= 3 else "hibernating"
        )  # fmt: skip
    return facts


row_strategy = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e", "f", "g"]),
    st.integers(0, 60).map(lambda k: d("2024-01-01") + dt.timedelta(days=k)),
    st.one_of(st.none(), st.sampled_from([-5.0, 0.0, 2.0, 3.0, 10.0])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row_strategy, min_size=1, max_size=30), cut=st.integers(0, 60), later=st.integers(0, 60))
def test_rfm_and_migrations_match_the_reference(rows, cut, later):
    t1 = d("2024-01-01") + dt.timedelta(days=min(cut, later))
    t2 = d("2024-01-01") + dt.timedelta(days=max(cut, later))
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp), orders=pl.DataFrame(orders(rows), schema_overrides={"amount": pl.Float64}))
        ds = db.open_dataset(folder)
        t = db.engine(ds).meta["default_as_of"]
        t2 = min(t2, t)
        t1 = min(t1, t2)
        p = Params(as_of=t)
        got = {r["customer_id"]: r for r in rfm_table(ds, p).iter_rows(named=True)}
        want = ref_rfm(rows, t)
        assert got.keys() == want.keys()
        for c, x in want.items():
            for key in ("recency", "frequency", "r", "f", "m", "segment", "tier"):
                assert got[c][key] == x[key], (c, key)
            assert got[c]["monetary"] == pytest.approx(x["monetary"])
        for level in ("segment", "tier"):
            at1, at2 = ref_rfm(rows, t1), ref_rfm(rows, t2)
            cells: dict[tuple[str, str], int] = {}
            for c, x in at2.items():
                key = (at1[c][level] if c in at1 else "not_yet", x[level])
                cells[key] = cells.get(key, 0) + 1
            out = segment_migrations(ds, p, t1, t2, level)
            assert {(a, b): n for a, b, n in out.rows()} == cells


def test_segment_codes_have_display_names():
    from retention import i18n

    for lang in i18n.LANGUAGES:
        names = i18n.catalogue(lang)
        for code in (*SEGMENTS, "not_yet"):
            assert f"codes.segment.{code}" in names
        for code in ("high", "mid", "low", "not_yet"):
            assert f"codes.tier.{code}" in names
