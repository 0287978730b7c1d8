"""Cohort chart builders, without a browser."""

from __future__ import annotations

import polars as pl

from retention.charts import cohorts as charts
from retention.metrics.cohorts import weighted_curve, with_cohort_rates
from tests.conftest import d

TABLE = with_cohort_rates(
    pl.DataFrame(
        {
            "cohort": [d("2024-01-01"), d("2024-01-01"), d("2024-02-01")],
            "k": [0, 1, 0],
            "cohort_size": [4, 4, 2],
            "active": [4, 1, 2],
            "alive": [4, 2, 2],
            "revenue": [40.0, 10.0, 30.0],
            "revenue_per_customer": [10.0, 2.5, 15.0],
            "cumulative_revenue_per_customer": [10.0, 12.5, 15.0],
            "complete": [True, False, True],
        }
    )
)


def test_heatmap_cells_hover_and_incomplete_marker():
    fig = charts.heatmap(TABLE, "active", "month", "USD")
    heat = fig.data[0]
    assert heat.type == "heatmap"
    assert list(heat.z) == [[1.0, 0.25], [1.0, None]]
    assert "1 / 4" in heat.customdata[0][1] and "not over" in heat.customdata[0][1]
    ring = fig.data[1]
    assert list(ring.x) == [1] and list(ring.y) == ["Jan 2024"]


def test_weighted_average_pools_complete_cells_only():
    avg = weighted_curve(TABLE, "active")
    assert avg.rows() == [(0, 1.0, 2)]  # k=1 is incomplete: left out
    rev = weighted_curve(TABLE, "revenue_per_customer")
    assert rev.rows() == [(0, 70.0 / 6, 2)]


def test_curves_and_sizes():
    fig = charts.curves(TABLE, [d("2024-01-01")], weighted_curve(TABLE, "alive"), "alive", "month", "USD")
    assert [tr.name for tr in fig.data] == ["Jan 2024", "Weighted average"]
    assert list(fig.data[0].y) == [1.0, 0.5]
    sizes = charts.sizes(TABLE, "month")
    assert list(sizes.data[0].y) == [4, 2]
