"""Each rule in one place (issue 16): one set of status colours for every chart, the RFM segment of each (r, f)
cell from codes.segment_of in SQL and in the grid, one date-range message for every report that takes a range."""

from __future__ import annotations

import pytest

from retention import codes, db
from retention.charts import campaigns as campaign_charts
from retention.charts import lifecycle as lifecycle_charts
from retention.errors import InputError
from retention.metrics.rfm import rf_grid
from retention.params import Params
from retention.queries import lifecycle, reasons, rfm
from tests.conftest import d


def test_status_colours_are_one_set():
    assert campaign_charts.STATUS_COLORS is lifecycle_charts.STATUS_COLORS is codes.STATUS.colours
    assert set(codes.STATUSES) | {codes.NOT_YET} == set(codes.STATUS.colours)


def test_segment_of_every_cell(sample_dir):
    ds = db.open_dataset(sample_dir)
    table = rfm.rfm_table(ds, Params(as_of=db.engine(ds).meta["default_as_of"]))
    assert all(codes.segment_of(r, f) == s for r, f, s in table.select("r", "f", "segment").iter_rows())
    grid = rf_grid(table)
    assert [codes.segment_of(r, f) for r, f in grid.select("r", "f").iter_rows()] == grid["segment"].to_list()


def test_one_date_range_message(make_data):
    ds = db.open_dataset(make_data(orders={"customer_id": ["a"], "ordered_at": [d("2024-06-20")], "amount": [1.0]}))
    p = Params(as_of=d("2024-06-20"))
    early, late = d("2024-03-01"), d("2024-05-01")
    calls = (
        lambda a, b: lifecycle.migrations(ds, p, a, b),
        lambda a, b: reasons.reason_table(ds, p, a, b),
        lambda a, b: rfm.segment_migrations(ds, p, a, b, "segment"),
    )
    for a, b, message in (
        (late, early, "--from 2024-05-01 is after --to 2024-03-01; expected --from on or before --to."),
        (
            early,
            d("2024-07-01"),
            "--to 2024-07-01 is after the as-of date 2024-06-20; expected a date on or before it.",
        ),
    ):
        for call in calls:
            with pytest.raises(InputError) as err:
                call(a, b)
            assert str(err.value) == message
