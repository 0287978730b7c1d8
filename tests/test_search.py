"""Finding a customer on the profile page: by id prefix or by the start of any attribute value (an e-mail, a
name), literal results on hand-made data, and the page's suggestions in AppTest."""

from __future__ import annotations

import polars as pl
import pytest

from retention import db
from retention.queries.profile import search
from tests.conftest import ROOT, d


@pytest.fixture
def ds(make_data):
    folder = make_data(
        orders={"customer_id": ["alice01", "alice02", "bob", "Carl"], "ordered_at": [d("2024-01-02")] * 4,
                "amount": [1.0] * 4},
        customers={"customer_id": ["alice01", "bob", "Carl"],
                   "email": ["alice@example.com", "ann.b@example.com", None],
                   "name": ["Alice Smith", "Bob Ann", "Carl Alison"]},
    )  # fmt: skip
    return db.open_dataset(folder)


def rows(frame: pl.DataFrame) -> list[tuple]:
    return frame.rows()


def test_search_by_id_prefix_and_attribute_value(ds):
    # alice01 matches by its id (the id wins over its e-mail); alice02 has no customers row
    assert rows(search(ds, "ali")) == [("alice01", None, "alice01"), ("alice02", None, "alice02")]
    assert rows(search(ds, "ann.b@")) == [("bob", "email", "ann.b@example.com")]
    assert rows(search(ds, "ANN.B@EXAMPLE.COM")) == [("bob", "email", "ann.b@example.com")]  # e-mails lower-cased
    assert rows(search(ds, "Carl Al")) == [("Carl", "name", "Carl Alison")]
    assert rows(search(ds, "carl")) == [("Carl", None, "Carl")]  # capitalised
    assert rows(search(ds, "Bob")) == [("bob", None, "bob")]  # the lower-cased form finds the id first
    assert rows(search(ds, "  ")) == [] and rows(search(ds, "zz")) == []
    assert rows(search(ds, "x' or '1'='1")) == []


def test_search_caps_the_rows(make_data):
    ids = [f"K{i:04d}" for i in range(100)]
    folder = make_data(orders={"customer_id": ids, "ordered_at": [d("2024-01-02")] * 100, "amount": [1.0] * 100})
    found = search(db.open_dataset(folder), "K00")
    assert found["customer_id"].to_list() == ids[:20]


def test_profile_page_suggests_and_opens(app_data):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/8_Customer_profile.py")
    at.run()
    prefix = "C00001"
    at.text_input(key="_profile_customer").set_value(prefix).run()
    assert not at.exception
    pick = at.selectbox(key="_profile_suggestion")
    ds = db.open_dataset(app_data)
    expected = search(ds, prefix)["customer_id"].to_list()
    assert pick.options == expected and len(expected) > 1
    pick.select(expected[1]).run()
    assert not at.exception
    assert at.session_state["profile_customer"] == expected[1]
    assert at.text_input(key="_profile_customer").value == expected[1]
    assert len(at.metric) >= 5
    # by an attribute value: the sample's region names
    at.text_input(key="_profile_customer").set_value("Nor").run()
    pick = at.selectbox(key="_profile_suggestion")
    assert all("Region: North" in o for o in pick.options) and len(pick.options) == 20
