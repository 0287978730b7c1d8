"""AppTest smoke tests of the Overview and Cohorts pages, and the shared sidebar state."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def run_page(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_overview(app_data):
    at = run_page()
    assert at.title[0].value
    labels = [m.label for m in at.metric]
    assert "Customers" in labels and "Revenue" in labels
    assert not at.error


def test_cohorts_page_draws_heatmap_curves_sizes(app_data):
    at = run_page("pages/2_Cohorts.py", as_of="2026-10-15")  # mid-month: the last column is incomplete
    charts = at.get("plotly_chart")
    assert len(charts) == 1  # the open tab only
    heat = json.loads(charts[0].proto.spec)
    assert heat["data"][0]["type"] == "heatmap"
    assert any(tr.get("name") for tr in heat["data"][1:])  # incomplete cells ringed
    kinds = {}
    for label in ["Curves", "By segment", "Sizes and table"]:
        at.session_state["cohort_tab"] = label
        at.run()
        assert not at.exception
        kinds[label] = [json.loads(c.proto.spec)["data"][0]["type"] for c in at.get("plotly_chart")]
    assert kinds == {"Curves": ["scatter"], "By segment": ["scatter"], "Sizes and table": ["bar"]}
    assert at.get("download_button") and at.dataframe


def test_window_slider_redraws_within_window_view(app_data):
    at = run_page("pages/2_Cohorts.py")
    at.segmented_control(key="cohort_metric").set_value("alive").run()
    before = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["z"]
    at.slider(key="_window").set_value(30).run()
    assert not at.exception
    after = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["z"]
    assert before != after
    assert at.session_state["window"] == 30
    assert at.query_params["window"] == ["30"] or at.query_params["window"] == "30"


def test_url_carries_the_view(app_data):
    at = run_page("pages/2_Cohorts.py", window="45", period="quarter", lang="zh")
    assert at.session_state["window"] == 45 and at.session_state["period"] == "quarter"
    assert at.title[0].value == "同期群"


def test_filter_from_url_restricts_cohorts(app_data):
    def size(at):
        at.session_state["cohort_tab"] = "Sizes and table"
        at.run()
        return sum(json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["y"])

    at_all = run_page("pages/2_Cohorts.py")
    at_f = run_page("pages/2_Cohorts.py", f_region="East")
    assert 0 < size(at_f) < size(at_all)


def test_bad_data_shows_error_box_not_traceback(monkeypatch, tmp_path):
    from retention.settings import get_settings

    (tmp_path / "orders.parquet").write_text("not parquet")
    monkeypatch.setenv("RETENTION_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert "orders.parquet" in at.error[0].value
    get_settings.cache_clear()


def test_language_switch_keeps_page_and_filters(app_data):
    at = run_page("pages/2_Cohorts.py", f_region="East", window="60")
    assert at.title[0].value == "Cohorts"
    at.selectbox(key="_lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "同期群"
    assert at.session_state["filters"] == {"region": ["East"]}
    assert at.session_state["window"] == 60
    assert at.query_params["lang"] in ("zh", ["zh"])
