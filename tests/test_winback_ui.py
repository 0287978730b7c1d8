"""Pages of the profit issue: the Win back page, the Early warning page's slowing tab, the KPI page with and
without a margin (profit shown only with a margin or a cost column), the Campaigns page's split by key; the
shaping helpers behind them."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from retention.metrics import winback as shape
from retention.queries.winback import WINBACK_COLUMNS
from tests.conftest import ROOT

LISTED = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "revenue_last_year": [300.0, 150.0, 10.0],
        "was_loyal": [True, False, True],
        "recently_contacted": [False, True, False],
        "last_contacted_at": [None, dt.date(2024, 6, 1), None],
        "value_tier": ["high", "mid", "low"],
        "rfm_segment": ["at_risk", "hibernating", "at_risk"],
    }
)


def test_winback_filters_and_tiles():
    assert shape.filter_winback(LISTED, [], [], False, False)["customer_id"].to_list() == ["a", "b", "c"]
    assert shape.filter_winback(LISTED, ["high", "mid"], [], False, True)["customer_id"].to_list() == ["a"]
    assert shape.filter_winback(LISTED, [], ["at_risk"], True, False)["customer_id"].to_list() == ["a", "c"]
    assert shape.winback_tiles(LISTED) == {
        "customers": 3,
        "value_at_stake": 460.0,
        "was_loyal": 2,
        "never_contacted": 2,
    }
    assert shape.winback_tiles(LISTED.head(0))["value_at_stake"] == 0.0


def test_sentences():
    def money(x, digits=0):
        return f"${x:,.{digits}f}"

    row = {
        "recent_days": 1,
        "expected_days": 4.0,
        "recent_spend": 150.0,
        "expected_spend": 200.0,
        "trigger": "frequency",
    }
    assert shape.slowing_trigger(row, 73, 0.5, money) == (
        "1 purchase days in the last 73 days where their baseline predicts 4.0: below 50% of their own baseline."
    )
    both = shape.slowing_trigger(row | {"trigger": "both"}, 73, 0.5, money)
    assert "; and spent $150 in the last 73 days where their baseline predicts $200" in both
    kpi = {"lapses": 1056, "replacement_cost": 26400.0}
    campaign = {"campaign": "spring", "won_back": 58, "cost_per_win": 5.78, "cost_per_win_vs_acquisition": 5.78 / 25}
    assert shape.replacement_sentence(kpi, "June", campaign, 25.0, money) == (
        "Replacing June's 1,056 lapsed customers with new ones would cost $26,400 (at $25.00 per new customer); "
        "the spring campaign won 58 back at $5.78 each (23% of that)."
    )
    assert shape.replacement_sentence(kpi, "June", None, None, money) is None
    figures = pl.DataFrame({"campaign": ["a", "b", "c"], "won_back": [3, 5, 5]})
    assert shape.best_campaign(figures)["campaign"] == "b"
    value = {"points": 5, "extra_customers": 0.1, "value_per_active_customer": 80.0, "extra_revenue": 8.0,
             "extra_profit": 4.0, "share_of_annual_revenue": 8 / 220}  # fmt: skip
    line = shape.retention_value_sentence(value, 2, "Feb 2024", money, with_profit=True)
    assert "2 customers were active when Feb 2024 began, so 5% of them is 0.1 more customers kept" in line
    assert "$80.00" in line and "$8 a year" in line and "3.6%" in line and line.endswith("or $4 of profit.")
    assert "profit" not in shape.retention_value_sentence(value, 2, "Feb 2024", money, with_profit=False)


# -- AppTest ---------------------------------------------------------------------------------------------------


def _at(page: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def _value_caption(at) -> str:
    (line,) = [c.value for c in at.caption if "points of retention" in c.value]
    return line


def _html(at) -> str:
    return "".join(el.proto.body for el in at.get("html"))


@pytest.fixture(scope="module")
def sample_without_cost(sample_dir, tmp_path_factory):
    """The sample with the orders' cost column dropped: revenue only, as most shops' exports are."""
    import shutil

    out = tmp_path_factory.mktemp("sample_without_cost")
    for path in sample_dir.iterdir():
        if path.name == "orders.parquet":
            pl.read_parquet(path).drop("cost").write_parquet(out / path.name)
        elif path.suffix == ".parquet":
            shutil.copy(path, out / path.name)
    return out


@pytest.fixture
def no_cost_data(sample_without_cost, monkeypatch):
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_DATA_DIR", str(sample_without_cost))
    get_settings.cache_clear()
    yield sample_without_cost
    get_settings.cache_clear()


@pytest.fixture
def with_margin(no_cost_data, monkeypatch):
    from retention.settings import get_settings

    monkeypatch.setenv("RETENTION_MARGIN", "0.6")
    monkeypatch.setenv("RETENTION_ACQUISITION_COST", "25")
    get_settings.cache_clear()
    yield no_cost_data
    get_settings.cache_clear()


def test_kpi_page_without_margin_or_cost_shows_no_profit(no_cost_data):
    at = _at("pages/1_KPIs.py")
    tiles = _html(at)
    assert tiles.count('title="') == 11 and ">Profit<" not in tiles
    assert [m.label for m in at.metric] == ["Extra customers kept", "Extra revenue a year"]
    assert "profit" not in _value_caption(at)
    assert "Replacing" not in "".join(m.value for m in at.markdown)
    assert "profit" not in at.dataframe[-1].value.columns and "replacement_cost" not in at.dataframe[-1].value.columns


def test_kpi_page_with_margin_shows_profit_and_replacement(with_margin):
    at = _at("pages/1_KPIs.py")
    tiles = _html(at)
    assert tiles.count('title="') == 12 and ">Profit<" in tiles
    assert [m.label for m in at.metric] == ["Extra customers kept", "Extra revenue a year", "Extra profit a year"]
    assert any(m.value.startswith("Replacing ") for m in at.markdown)
    at.slider(key="kpi_value_points").set_value(10).run()
    assert not at.exception and _value_caption(at).startswith("10 points of retention")
    assert _value_caption(at).endswith("of profit.")
    assert {"profit", "replacement_cost"} <= set(at.dataframe[-1].value.columns)


def test_kpi_page_with_a_cost_column_shows_profit(app_data):
    """The sample's orders carry a cost column: profit shows with no margin set, the replacement cost not
    (no acquisition cost)."""
    at = _at("pages/1_KPIs.py")
    tiles = _html(at)
    assert tiles.count('title="') == 12 and ">Profit<" in tiles
    assert "Extra profit a year" in [m.label for m in at.metric]
    assert "Replacing" not in "".join(m.value for m in at.markdown)
    columns = at.dataframe[-1].value.columns
    assert "profit" in columns and "replacement_cost" not in columns


def test_winback_page(app_data):
    at = _at("pages/12_Win_back.py")
    assert at.title[0].value == "Win back"
    listed = int(at.metric[0].value.replace(",", ""))
    assert listed > 0 and at.dataframe[0].value.shape[0] == listed
    assert at.dataframe[0].value.columns[: len(WINBACK_COLUMNS)].to_list() == WINBACK_COLUMNS
    assert len(at.get("download_button")) == 1 and at.selectbox(key="winback_profile").value is not None
    at.toggle(key="winback_loyal").set_value(True).run()
    assert not at.exception and set(at.dataframe[0].value["was_loyal"].to_list()) == {True}
    at.toggle(key="winback_not_recent").set_value(True).run()
    assert not at.exception and set(at.dataframe[0].value["recently_contacted"].to_list()) <= {False}
    at.multiselect(key="winback_tiers").set_value(["high"]).run()
    assert not at.exception and set(at.dataframe[0].value["value_tier"].to_list()) <= {"High value"}
    at.multiselect(key="winback_segments").set_value(["champions"]).run()
    assert not at.exception  # champions are recent buyers: none is lost, the empty state explains
    assert at.info and int(at.metric[0].value) == 0


def test_early_warning_slowing_tab(app_data):
    at = _at("pages/7_Early_warning.py")
    at.session_state["alerts_tab"] = "Slowing down"
    at.run()
    assert not at.exception
    assert "fell below 50% of their own baseline" in "".join(m.value for m in at.markdown)
    assert [m.label for m in at.metric][-2:] == ["Customers slowing down", "Their baseline spend"]
    slowing = int(at.metric[-2].value.replace(",", ""))
    frame = at.dataframe[0].value
    assert slowing > 0 and frame.shape[0] == slowing  # the sample has regulars slowing down
    assert frame["why"][0].endswith("below 50% of their own baseline.")
    assert len(at.get("download_button")) == 1


def test_campaigns_split_by_key(with_margin):
    at = _at("pages/9_Campaigns.py")
    assert "Profit won" in at.dataframe[0].value.columns
    at.session_state["campaign_tab"] = "By customer before"
    at.run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert frame.columns[:2].to_list() == ["Campaign", "Status before"]
    at.selectbox(key="campaign_by_key").set_value("tier_before").run()
    assert not at.exception and at.dataframe[0].value.columns[1] == "Value tier before"


def test_cohorts_and_value_pages_show_profit_only_with_a_margin(no_cost_data, monkeypatch):
    from retention.settings import get_settings

    at = _at("pages/2_Cohorts.py")
    assert "Revenue per customer" in (options := at.segmented_control(key="cohort_metric").options)
    assert "Profit per customer" not in options
    at = _at("pages/6_Customer_value.py")
    assert "of profit" not in "".join(m.value for m in at.markdown)
    monkeypatch.setenv("RETENTION_MARGIN", "0.6")
    get_settings.cache_clear()
    at = _at("pages/2_Cohorts.py")
    assert "Profit per customer" in at.segmented_control(key="cohort_metric").options
    at.segmented_control(key="cohort_metric").set_value("cumulative_profit_per_customer").run()
    assert not at.exception
    at = _at("pages/6_Customer_value.py")
    assert "of profit" in "".join(m.value for m in at.markdown)
    get_settings.cache_clear()
