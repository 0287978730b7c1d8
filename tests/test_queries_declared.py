"""Declarative queries: every cached query function returns the columns its docstring lists, and its cache
key is exactly the parameters its SQL uses."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import polars as pl
import pytest

from retention import db, queries
from retention.params import make_params
from retention.queries.cached import QueryColumnsError, check_columns, query
from retention.settings import Settings


def _query_functions():
    out = {}
    for m in pkgutil.iter_modules(queries.__path__):
        mod = importlib.import_module(f"retention.queries.{m.name}")
        for name, fn in vars(mod).items():
            if hasattr(fn, "cache_key") and fn.__module__ == mod.__name__:
                out[f"{m.name}.{name}"] = fn
    return out


@pytest.fixture(scope="module")
def sample(sample_dir):
    ds = db.open_dataset(sample_dir)
    p = make_params(ds, Settings(_env_file=None))
    return ds, p


def _calls(ds, p):
    from retention.queries.members import parse

    cid = db.engine(ds).sql("select customer_id from ids order by customer_id limit 1")["customer_id"][0]
    d_from, d_to = p.as_of - dt.timedelta(days=180), p.as_of
    return {
        "alerts.customer_facts": (ds, p, ("alert", "at_risk")),
        "campaigns.campaign_figures": (ds, p),
        "campaigns.campaigns_by": (ds, p, "status_before"),
        "campaigns.wins_by_day": (ds, p),
        "campaigns.status_flow": (ds, p),
        "campaigns.contacts_table": (ds,),
        "cohorts.cohort_table": (ds, p),
        "cohorts.active_table": (ds, p),
        "common.attribute_values": (ds,),
        "common.overview": (ds, p),
        "kpis.kpi_table": (ds, p),
        "kpis.revenue_kpis": (ds, p),
        "lifecycle.customer_statuses": (ds, p),
        "lifecycle.status_counts": (ds, p),
        "lifecycle.migrations": (ds, p, d_from, d_to),
        "lifecycle.status_mix": (ds, p),
        "members.known_values": (ds,),
        "members._members": (ds, p, parse("status:lost"), None, None),
        "predict._summary": (ds, p),
        "predict._fits": (ds, p),
        "predict._profit_ratio": (ds, p, 1.0),
        "predict._p_alive_table": (ds, p, 365),
        "predict._predictions": (ds, p, 365, 1.0),
        "predict._holdout_check": (ds, p.with_(as_of=p.as_of - dt.timedelta(days=90)), 90),
        "profile.order_days": (ds, p, cid),
        "profile.customer_row": (ds, cid),
        "profile.contacts": (ds, p, cid),
        "profile.search": (ds, cid[:3]),
        "profit.profit_kpis": (ds, p),
        "profit.kpi_report": (ds, p),
        "profit.active_value": (ds, p),
        "profit.cohort_profit": (ds, p),
        "profit.customer_profit": (ds, p),
        "reasons.reason_table": (ds, p),
        "reasons.reason_summary": (ds, p),
        "reasons.reason_breakdown": (ds, p, "period"),
        "reasons.lapses_by_period": (ds, p),
        "reasons.reason_rows": (ds, p),
        "reasons.reason_span": (ds, p),
        "rfm.rfm_table": (ds, p),
        "rfm.segment_migrations": (ds, p, d_from, d_to, "segment"),
        "lists.alert_page_list": (ds, p, False),
        "lists.winback_page_list": (ds, p),
        "value.value_grid": (ds, p),
        "value.value_tiers": (ds, p),
        "value.value_segments": (ds, p),
        "winback.winback_facts": (ds, p),
        "winback.slowing_facts": (ds, p),
        "window._curves": (ds, p, "", 365),
        "window._whatif": (ds, p, (30, 60, 90)),
    }


def test_every_query_function_is_called_below(sample):
    assert set(_query_functions()) == set(_calls(*sample))


@pytest.mark.parametrize("name", sorted(_query_functions()))
def test_query_columns_match_its_docstring(name, sample):
    fn = _query_functions()[name]
    args = _calls(*sample)[name]
    fn.cache_clear()
    result = fn(*args)  # the decorator raises QueryColumnsError on a mismatch
    if isinstance(fn.columns, list) and isinstance(result, pl.DataFrame | dict):
        assert list(result.columns if isinstance(result, pl.DataFrame) else result) == [
            c for c in fn.columns if c in (result.columns if isinstance(result, pl.DataFrame) else result)
        ]


def test_a_parameter_the_sql_does_not_use_hits_the_cache(sample):
    from retention.queries.kpis import kpi_table, revenue_kpis

    ds, p = sample
    revenue_kpis.cache_clear()
    first = revenue_kpis(ds, p)
    # kpis_revenue.sql reads neither W nor the alert factor: the same cached frame
    assert revenue_kpis(ds, p.with_(window=p.window + 30, alert_factor=3.0)) is first
    assert revenue_kpis(ds, p.with_(window_by="region", window_map=(("East", 10),))) is first
    # ... and the period and T are its parameters: computed anew
    assert revenue_kpis(ds, p.with_(period="week")) is not first
    assert revenue_kpis(ds, p.with_(as_of=p.as_of - dt.timedelta(days=1))) is not first
    # kpis.sql reads W, so the KPI table is not reused across windows
    kpi_table.cache_clear()
    table = kpi_table(ds, p)
    assert kpi_table(ds, p.with_(alert_factor=3.0)) is table
    assert kpi_table(ds, p.with_(window=p.window + 30)) is not table


def test_the_cache_key_is_read_from_the_sql(sample):
    from retention.queries.kpis import kpi_table, revenue_kpis
    from retention.sqlfiles import params_used

    ds, p = sample
    assert params_used("kpis_revenue") == {"as_of", "filter_pairs", "n_filters", "period", "period_step"}
    assert {"window", "window_by", "wmap_values", "wmap_days"} <= params_used("kpis")
    key = dict(revenue_kpis.cache_key((ds, p), {})[1][1])
    assert set(key) == params_used("kpis_revenue")
    assert set(dict(kpi_table.cache_key((ds, p), {})[1][1])) == params_used("kpis") | params_used("kpis_revenue")


def test_other_columns_than_the_docstring_are_a_plain_error():
    calls = []

    @query("kpis_revenue")
    def revenue(ds, p):
        """`period`, `revenue`."""
        calls.append(1)
        return pl.DataFrame({"period": [1], "orders": [2]})

    with pytest.raises(QueryColumnsError, match=r"query .*revenue: .*missing \['revenue'\], extra \['orders'\]"):
        revenue("ds", None)
    check_columns("q", ["a"], {"a": 1})
    with pytest.raises(QueryColumnsError, match=r"missing none, extra \['b'\]"):
        check_columns("q", ["a"], {"a": 1, "b": 2})
