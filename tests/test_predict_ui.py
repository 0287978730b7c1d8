"""Predictions page and the prediction columns elsewhere: shaping, chart builders without a browser,
AppTest smoke tests on the sample and on data the model cannot serve."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from retention import models
from retention.charts import predict as charts
from retention.metrics import predict as shape
from retention.metrics.profile import return_windows
from tests.conftest import ROOT, d

PRED = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        "p_alive": [0.95, 0.55, 0.1, 1.0],
        "expected_purchases": [3.0, 1.0, 0.2, 0.5],
        "predicted_value": [300.0, 50.0, 4.0, 20.0],
        "predicted_profit": [150.0, 25.0, 2.0, 10.0],
    }
)
RFM = pl.DataFrame({"customer_id": ["a", "b", "c", "d"], "segment": ["champions", "loyal", "hibernating", "champions"]})


def test_check_totals_and_verdict():
    check = pl.DataFrame({"x": ["0", "1"], "customers": [10, 5], "predicted": [0.5, 2.0], "actual": [0.4, 2.4]})
    totals = shape.check_totals(check)
    assert totals == {"customers": 15, "predicted": 15.0, "actual": 16.0, "ratio": 15 / 16}
    assert shape.verdict(totals) == "close"
    assert shape.verdict({"ratio": 1.2}) == "high" and shape.verdict({"ratio": 0.8}) == "low"
    assert shape.verdict({"ratio": None}) == "none"


def test_p_alive_distribution_has_every_band():
    out = shape.p_alive_distribution(PRED)
    assert out.height == 10
    assert out["customers"].to_list() == [0, 1, 0, 0, 0, 1, 0, 0, 0, 2]  # 1.0 falls in the last band


def test_value_by_segment():
    out = shape.value_by_segment(PRED, RFM)
    assert out.select("segment", "customers", "predicted_value").rows() == [
        ("champions", 2, 320.0), ("loyal", 1, 50.0), ("hibernating", 1, 4.0),
    ]  # fmt: skip
    assert out["value_share"].sum() == pytest.approx(1.0)


def test_with_predictions_keeps_order_and_is_a_no_op_without_predictions():
    table = pl.DataFrame({"customer_id": ["d", "x", "a"], "frequency": [1, 2, 3]})
    out = shape.with_predictions(table, PRED)
    assert out.columns == ["customer_id", "frequency", "p_alive", "predicted_value"]
    assert out.rows() == [("d", 1, 1.0, 20.0), ("x", 2, None, None), ("a", 3, 0.95, 300.0)]
    assert shape.with_predictions(table, None) is table


def test_charts_build():
    check = pl.DataFrame({"x": ["0", "7+"], "customers": [10, 5], "predicted": [0.5, 2.0], "actual": [0.4, 2.4]})
    assert len(charts.holdout_bars(check, 90).data) == 2
    assert len(charts.p_alive_histogram(shape.p_alive_distribution(PRED)).data) == 1
    assert len(charts.segment_value_bars(shape.value_by_segment(PRED, RFM), "USD").data) == 1
    from retention.queries.predict import p_alive_curve

    f = models.BgnbdFit(r=0.6, alpha=8.0, a=0.9, b=3.0, pi=None, log_likelihood=0.0, customers=0, limit=False)
    days = pl.DataFrame({"order_date": [d("2024-01-01"), d("2024-02-01")], "amount": [5.0, 6.0],
                         "n_rows": [1, 1], "n_act": [1, 1], "is_purchase": [True, True]})  # fmt: skip
    curve = p_alive_curve(f, days["order_date"].to_list(), d("2024-01-01"), d("2024-04-01"))
    fig = charts.p_alive_curve(curve, return_windows(days, 30, d("2024-04-01")), d("2024-04-01"))
    assert len(fig.data) == 1 and len(fig.layout.shapes) == 3  # two windows and the today line


def test_predictions_page_on_the_sample(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/11_Predictions.py")
    at.run()
    assert not at.exception
    assert at.title[0].value.startswith("Predictions")
    text = " ".join(m.value for m in at.markdown)
    assert "held back" in text and "happened" in text
    assert len(at.get("plotly_chart")) == 2  # the check, then the open tab's P(alive) histogram
    at.session_state["predict_tab"] = "Value by segment"
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 2
    at.session_state["predict_tab"] = "Most valuable customers"
    at.run()
    assert not at.exception and len(at.dataframe) == 1


def tiny_orders() -> dict:
    rng = np.random.default_rng(1)
    rows = [
        (f"c{i}", d("2024-01-01") + dt.timedelta(days=int(o)), 10.0) for i in range(30) for o in rng.integers(0, 200, 3)
    ]
    return {"customer_id": [r[0] for r in rows], "ordered_at": [r[1] for r in rows], "amount": [r[2] for r in rows]}


def test_pages_say_why_when_the_model_cannot_serve_the_data(make_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_DATA_DIR", str(make_data(orders=tiny_orders())))
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("pages/11_Predictions.py")
        at.run()
        assert not at.exception
        assert any("at least 100 customers who came back" in i.value and "30 of 30" in i.value for i in at.info)
        assert not at.get("plotly_chart")
    finally:
        get_settings.cache_clear()


def test_prediction_columns_on_value_alerts_and_profile_pages(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/6_Customer_value.py")
    at.session_state["value_tab"] = "Customers"
    at.run()
    assert not at.exception
    assert {"p_alive", "predicted_value"} <= set(at.dataframe[0].value.columns)
    at.switch_page("pages/7_Early_warning.py")
    at.run()
    assert not at.exception
    columns = list(at.dataframe[0].value.columns)
    # right after the CLI's columns (revenue_365d), in view without scrolling sideways
    assert columns[columns.index("revenue_365d") + 1 :][:2] == ["p_alive", "predicted_value"]
    customer = at.dataframe[0].value["customer_id"].iloc[0]
    at.switch_page("pages/8_Customer_profile.py")
    at.session_state["profile_customer"] = customer
    at.run()
    assert not at.exception
    assert any(m.label == "P(alive) today" for m in at.metric)
    assert len(at.get("plotly_chart")) == 2  # timeline and the P(alive) curve


def test_the_curve_ends_at_the_p_alive_predict_prints(sample_dir):
    from retention import db
    from retention.params import Params
    from retention.queries import predict as q
    from retention.queries.profile import order_days

    ds = db.open_dataset(sample_dir)
    p = Params(as_of=db.engine(ds).meta["default_as_of"])
    pred = q.predictions(ds, p)
    for row in pred.head(3).iter_rows(named=True):
        curve, why = q.customer_p_alive(ds, p, order_days(ds, p, row["customer_id"]))
        assert why is None and curve["day"][-1] == p.as_of
        assert curve["p_alive"][-1] == pytest.approx(row["p_alive"], rel=1e-12)


def same_dropout_orders(seed: int = 0, n: int = 600, pi: float = 0.3, days: int = 300) -> dict:
    """Customers who all drop out after a purchase with the same chance pi and whose spends are all drawn
    alike (Gamma(3, 5) per purchase day): both models' likelihoods rise towards their limits."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(1.0, 1 / 20.0, n)
    start = d("2024-01-01")
    rows: list[tuple[str, dt.date, float]] = []
    for i in range(n):
        first = int(rng.integers(0, 60))
        t, seen = float(first), {first}
        rows.append((f"c{i:04d}", start + dt.timedelta(days=first), float(rng.gamma(3.0, 5.0))))
        while True:
            t += max(1.0, rng.exponential(1 / lam[i]))
            if t > days:
                break
            if int(t) in seen:
                continue
            seen.add(int(t))
            rows.append((f"c{i:04d}", start + dt.timedelta(days=int(t)), float(rng.gamma(3.0, 5.0))))
            if rng.random() < pi:
                break
    return {"customer_id": [r[0] for r in rows], "ordered_at": [r[1] for r in rows], "amount": [r[2] for r in rows]}


def test_the_page_says_when_a_limit_model_is_used(make_data, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from retention import db
    from retention.params import Params
    from retention.queries import predict as q
    from retention.settings import get_settings

    folder = make_data(orders=same_dropout_orders())
    bg, gg = q.fit(db.open_dataset(folder), Params(as_of=d("2024-10-27")))
    assert bg.limit and gg.limit
    monkeypatch.setenv("RETENTION_DATA_DIR", str(folder))
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        at.switch_page("pages/11_Predictions.py")
        at.run()
        assert not at.exception
        infos = " ".join(i.value for i in at.info)
        assert "about the same chance after a purchase" in infos and "the same spend per purchase" in infos
        assert at.get("plotly_chart")  # the predictions are shown, with the note
    finally:
        get_settings.cache_clear()
