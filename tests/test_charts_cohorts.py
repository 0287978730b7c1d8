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
    assert [[None if v != v else v for v in row] for row in heat.z] == [[1.0, 0.25], [1.0, None]]
    assert [list(row) for row in heat.text] == [["100%", "25%"], ["100%", ""]]
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


def test_big_heatmap_keeps_values_in_hover_only():
    # 25 monthly cohorts: 325 cells, over MAX_TEXT_CELLS; the browser would spend most of a second on labels
    months = [d(f"{2022 + m // 12}-{m % 12 + 1:02d}-01") for m in range(25)]
    rows = [(c, k) for i, c in enumerate(months) for k in range(25 - i)]
    table = with_cohort_rates(
        pl.DataFrame(
            {
                "cohort": [c for c, _ in rows], "k": [k for _, k in rows], "cohort_size": [10] * len(rows),
                "active": [5] * len(rows), "alive": [5] * len(rows), "revenue": [1.0] * len(rows),
                "revenue_per_customer": [0.1] * len(rows), "cumulative_revenue_per_customer": [0.1] * len(rows),
                "complete": [True] * len(rows),
            }
        )
    )  # fmt: skip
    assert len(rows) > charts.MAX_TEXT_CELLS
    heat = charts.heatmap(table, "active", "month", "USD").data[0]
    assert heat.text is None and heat.texttemplate is None
    assert "5 / 10" in heat.customdata[0][0]
