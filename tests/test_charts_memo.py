"""Figure builders reuse the figure built from equal arguments (charts.memo), and only then."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from retention import i18n
from retention.charts import MEMO_ENTRIES, memo
from retention.charts import cohorts as cohort_charts
from tests.conftest import d

calls: list[int] = []


@memo
def bars(frame: pl.DataFrame, title: str, extra: object = None) -> go.Figure:
    calls.append(1)
    return go.Figure(go.Bar(x=frame["x"].to_list(), y=frame["y"].to_list(), name=i18n.t("sidebar.window")))


def frame(*ys: int) -> pl.DataFrame:
    return pl.DataFrame({"x": list(range(len(ys))), "y": list(ys)})


def test_equal_arguments_share_one_figure_and_any_difference_builds_anew():
    bars.cache_clear()
    calls.clear()
    first = bars(frame(1, 2, 3), "a")
    assert bars(frame(1, 2, 3), "a") is first  # an equal frame, another object
    assert len(calls) == 1
    assert bars(frame(1, 2, 4), "a") is not first  # one value differs
    assert bars(frame(3, 2, 1), "a") is not first  # same values, other order
    assert bars(frame(1, 2, 3), "b") is not first  # another argument
    assert bars(frame(1, 2, 3).cast({"y": pl.Float64}), "a") is not first  # another type
    assert len(calls) == 5


def test_language_is_part_of_the_key():
    bars.cache_clear()
    try:
        i18n.set_language("en")
        en = bars(frame(1), "a")
        i18n.set_language("zh")
        zh = bars(frame(1), "a")
        assert zh is not en and zh.data[0].name != en.data[0].name
    finally:
        i18n.set_language("en")


def test_arguments_it_cannot_compare_are_never_reused():
    bars.cache_clear()
    calls.clear()
    # numpy's repr elides long arrays: two different arrays could look equal, so they are not cached
    bars(frame(1), "a", np.arange(2000))
    bars(frame(1), "a", np.arange(2000))
    assert len(calls) == 2


def test_cache_is_bounded():
    bars.cache_clear()
    calls.clear()
    for i in range(MEMO_ENTRIES + 1):
        bars(frame(i), "a")
    bars(frame(MEMO_ENTRIES), "a")  # the newest is kept
    assert len(calls) == MEMO_ENTRIES + 1
    bars(frame(0), "a")  # the oldest was dropped
    assert len(calls) == MEMO_ENTRIES + 2


def test_a_real_builder_is_memoised():
    table = pl.DataFrame(
        {"cohort": [d("2024-01-01")], "k": [0], "cohort_size": [3], "active": [3], "alive": [3], "revenue": [9.0],
         "revenue_per_customer": [3.0], "cumulative_revenue_per_customer": [3.0], "complete": [True],
         "active_rate": [1.0], "alive_rate": [1.0]}
    )  # fmt: skip
    assert cohort_charts.sizes(table, "month") is cohort_charts.sizes(table.clone(), "month")
