"""Customer profile: one customer's order days, attributes, contacts and return windows on hand-made data,
the timeline chart without a browser, AppTest runs of the page and a Chromium look with a customer chosen."""

from __future__ import annotations

import polars as pl
import pytest

from retention import db
from retention.charts.profile import timeline
from retention.metrics.profile import return_windows
from retention.params import Params
from retention.queries import profile as q
from retention.ui import ROOT
from tests.conftest import ARTIFACTS, d

T = d("2026-03-01")
ORDERS = {
    "customer_id": ["A", "A", "A", "A", "A", "B", "x' or '1'='1"],
    "ordered_at": ["2026-01-01", "2026-01-01", "2026-01-20", "2026-02-10", "2026-06-01", "2026-01-05", "2026-01-06"],
    "amount": [10.0, -2.0, -5.0, 20.0, 99.0, 7.0, 1.0],
}  # fmt: skip


@pytest.fixture
def ds(make_data):
    folder = make_data(
        orders=pl.DataFrame(ORDERS).with_columns(pl.col("ordered_at").str.to_date()),
        customers={"customer_id": ["A", "B", "P"], "signed_up_at": [d("2025-12-20"), None, d("2026-02-01")],
                   "region": ["North", "South", None]},
        churn_reasons={"customer_id": ["A", "A", "B"], "churned_at": [d("2026-01-25"), d("2026-04-01"), d("2026-01-30")],
                       "reason": [" Price ", "moved", "price"]},
        contacts={"customer_id": ["A", "A", "B"], "contacted_at": [d("2026-02-01"), d("2026-02-20"), d("2026-02-01")],
                  "campaign": ["spring", "spring", "spring"], "cost": [2.0, 2.0, 2.0]},
    )  # fmt: skip
    return db.open_dataset(folder, use_cache=False)


def rows(frame: pl.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.iter_rows()]


def test_order_days_of_one_customer_up_to_t(ds):
    days = q.order_days(ds, Params(as_of=T, window=30), "A")
    # 01-01: a sale and a partial refund on one day; 01-20 refund only (no purchase day); 06-01 after T.
    assert rows(days) == [
        (d("2026-01-01"), 2, 1, 8.0, True),
        (d("2026-01-20"), 1, 0, -5.0, False),
        (d("2026-02-10"), 1, 1, 20.0, True),
    ]
    assert q.order_days(ds, Params(as_of=T), "x' or '1'='1")["amount"].to_list() == [1.0]  # a value, not SQL
    assert q.order_days(ds, Params(as_of=T), "nobody").is_empty()


def test_attributes_and_contacts(ds):
    row = q.customer_row(ds, "A")
    assert rows(row) == [("A", d("2025-12-20"), "region", "North")]
    assert rows(q.customer_row(ds, "P")) == [("P", d("2026-02-01"), None, None)]
    assert q.customer_row(ds, "nobody").is_empty()
    contacts = q.contacts(ds, Params(as_of=T, attribution_days=30), "A")
    # The first contact is won back by the purchase of 02-10 (9 days later, 20.0 revenue); the second's
    # window (to 03-22) reaches past T with no purchase yet: open, not won.
    assert rows(contacts) == [
        (d("2026-02-01"), "spring", None, "treatment", 2.0, d("2026-03-03"), True, True, 9, 20.0),
        (d("2026-02-20"), "spring", None, "treatment", 2.0, d("2026-03-22"), True, False, None, 0.0),
    ]


def test_profile_filters_the_shared_frames(ds):
    pr = q.profile(ds, Params(as_of=T, window=30), " A ")
    assert pr.exists and pr.customer_id == "A"
    st = pr.status
    assert (st["status"], st["recency"], st["frequency"], st["expected_gap"], st["window_days"]) == (
        "reactivated",
        19,
        2,
        40.0,
        30,
    )  # back on 02-10 after 40 days, more than W = 30
    assert pr.revenue == 23.0 and pr.rfm["monetary"] == 23.0
    assert pr.attributes == {"region": "North"} and pr.signed_up == d("2025-12-20")
    assert rows(pr.reasons) == [(d("2026-01-25"), "price", None, None, None)]  # the 04-01 row is after T
    assert pr.contacts.height == 2
    prospect = q.profile(ds, Params(as_of=T), "P")
    assert prospect.status["status"] == "prospect" and prospect.days.is_empty() and prospect.rfm is None
    assert not q.profile(ds, Params(as_of=T), "nobody").exists
    early = q.profile(ds, Params(as_of=d("2025-12-01")), "A")  # in the data, but not known yet at T
    assert early.exists and early.status is None


def test_return_windows_outcomes(ds):
    days = q.order_days(ds, Params(as_of=T), "A")
    w30 = return_windows(days, 30, T)
    assert rows(w30.select("order_date", "window_end", "next_day", "gap", "outcome")) == [
        (d("2026-01-01"), d("2026-01-31"), d("2026-02-10"), 40, "lapsed"),
        (d("2026-02-10"), d("2026-03-12"), None, None, "open"),
    ]
    w45 = return_windows(days, 45, T)
    assert w45["outcome"].to_list() == ["returned", "open"]
    assert return_windows(days, 5, d("2026-03-01"))["outcome"].to_list() == ["lapsed", "lapsed"]


def test_timeline_chart(ds):
    days = q.order_days(ds, Params(as_of=T), "A")
    fig = timeline(days, return_windows(days, 30, T), T, "USD")
    traces = {tr.name: tr for tr in fig.data}
    assert len(traces["Purchase day"].x) == 2 and len(traces["Refund only"].x) == 1
    assert traces["Refund only"].marker.symbol == "x"
    assert all(tr.hovertemplate for tr in fig.data)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 2 and str(rects[1].x1) == "2026-03-02"  # the open window is cut at T


def _sample_customer(app_data) -> str:
    from retention.settings import get_settings

    sds = db.open_dataset(app_data)
    from retention.params import make_params
    from retention.queries.lifecycle import customer_statuses

    frame = customer_statuses(sds, make_params(sds, get_settings())).filter(pl.col("frequency") >= 3)
    contacted = pl.read_parquet(app_data / "contacts.parquet")["customer_id"].cast(pl.String)
    with_contacts = frame.filter(pl.col("customer_id").is_in(contacted.implode()))
    return (with_contacts if with_contacts.height else frame)["customer_id"][0]


def test_app_page_with_a_customer_from_the_url(app_data):
    from streamlit.testing.v1 import AppTest

    customer = _sample_customer(app_data)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.query_params["customer"] = customer
    at.switch_page("pages/8_Customer_profile.py")
    at.run()
    assert not at.exception
    assert at.text_input(key="_profile_customer").value == customer
    assert [m.label for m in at.metric][:5] == ["Status", "Days silent", "Usual gap (days)", "Purchase days", "Revenue"]
    assert at.query_params["customer"] == customer
    at.text_input(key="_profile_customer").set_value("no-such-id").run()
    assert not at.exception
    assert any("no-such-id" in i.value for i in at.info)
    assert at.query_params["customer"] == "no-such-id"


def test_app_page_preset_by_session_and_links_from_lists(app_data):
    from streamlit.testing.v1 import AppTest

    customer = _sample_customer(app_data)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.session_state["profile_customer"] = customer
    at.switch_page("pages/8_Customer_profile.py")
    at.run()
    assert not at.exception and len(at.metric) >= 5
    at.switch_page("pages/7_Early_warning.py")
    at.run()
    assert not at.exception
    listed = at.selectbox(key="alerts_profile")
    listed.select(listed.options[1]).run()
    assert at.session_state["profile_customer"] == listed.options[1]


@pytest.mark.browser
def test_profile_in_browser(server, browser, app_data):
    from tests.test_browser import wait_rendered

    customer = _sample_customer(app_data)
    for lang in ("en", "zh"):
        context = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="en-US")
        page = context.new_page()
        try:
            page.goto(f"{server}/Customer_profile?lang={lang}&customer={customer}", wait_until="domcontentloaded")
            wait_rendered(page)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"profile_customer_{lang}.png"), full_page=True)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 2  # timeline, P(alive) curve
        finally:
            context.close()
