"""`alerts --new-since D`: the early-warning list at T without the customers on the same list as of D
(same window, options and filters); --limit applies after. Literal lists on hand-made data."""

from __future__ import annotations

import datetime as dt

from retention import db
from retention.params import Params
from retention.queries.alerts import alert_list, new_alert_list
from tests.conftest import d, run_cli

T = d("2024-06-30")
D = d("2024-06-20")  # ten days earlier


def ago(days: int) -> dt.date:
    return T - dt.timedelta(days=days)


def data(make_data):
    # W = 91: one purchase day is an alert after 45.5 silent days, new for 30 days after the first purchase.
    rows = [
        ("a", ago(60), 100.0),  # silent 60 at T, 50 at D: on the list at both dates
        ("b", ago(50), 40.0),  # silent 50 at T (alert), 40 at D (at_risk): new on the list
        ("c", ago(48), 70.0),  # silent 48 at T (alert), 38 at D (at_risk): new on the list
        ("d", ago(60), 10.0),  # on the list at D (silent 50, one purchase day) ...
        ("d", ago(5), 10.0),  # ... back 5 days before T: at_risk at T, off the list
        ("e", ago(95), 10.0),  # alert at D (silent 85), lost at T
    ]
    return make_data(
        orders={
            "customer_id": [r[0] for r in rows],
            "ordered_at": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        },
        customers={"customer_id": ["a", "b", "c", "d"], "region": ["North", "South", "North", "South"]},
    )


def params(**kw) -> Params:
    return Params(**({"as_of": T, "window": 91} | kw))


def test_lists_at_both_dates(make_data):
    ds = db.open_dataset(data(make_data))
    assert alert_list(ds, params())["customer_id"].to_list() == ["a", "c", "b"]
    assert alert_list(ds, params(as_of=D))["customer_id"].to_list() == ["a", "d", "e"]


def test_new_since_literal(make_data):
    ds = db.open_dataset(data(make_data))
    out = new_alert_list(ds, params(), D)
    assert out.columns == alert_list(ds, params()).columns
    assert out.rows() == [
        ("c", "alert", 48, None, None, 1, 70.0, "North"),
        ("b", "alert", 50, None, None, 1, 40.0, "South"),
    ]
    # --limit applies after the customers already on the list are taken out
    assert new_alert_list(ds, params(), D, limit=1)["customer_id"].to_list() == ["c"]
    # with at_risk included, b and c were already on the list at D (at_risk), and d is at_risk at T but was on it
    assert new_alert_list(ds, params(), D, include_at_risk=True).is_empty()
    # the same filter at both dates
    north = params(filters=(("region", ("North",)),))
    assert new_alert_list(ds, north, D)["customer_id"].to_list() == ["c"]
    # the same date: nobody is new; a date before any order: the whole list
    assert new_alert_list(ds, params(), T).is_empty()
    assert new_alert_list(ds, params(), d("2020-01-01"))["customer_id"].to_list() == ["a", "c", "b"]


def test_cli(make_data):
    folder = data(make_data)
    base = ("alerts", "--data", folder, "--as-of", "2024-06-30", "--window", "91")
    res = run_cli(*base, "--new-since", "2024-06-20")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "customer_id,status,days_silent,expected_gap,overdue_ratio,frequency,revenue_365d,region",
        "c,alert,48,,,1,70.0,North",
        "b,alert,50,,,1,40.0,South",
    ]
    res = run_cli(*base, "--new-since", "2024-06-20", "--limit", "1", "--filter", "region=South")
    assert res.stdout.splitlines()[1:] == ["b,alert,50,,,1,40.0,South"]
    res = run_cli(*base, "--new-since", "2024-07-01")
    assert res.returncode == 2
    assert "after the as-of date" in res.stderr and "Traceback" not in res.stderr
