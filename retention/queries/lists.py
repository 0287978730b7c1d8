"""The customer lists of the Early warning and Win back pages as the pages draw them, cached and stored like
any query (issue 23).

Each list is a report's list (alert_list, winback_list: one text column per customer attribute, spread out
of the SQL's name and value lists) joined with the RFM segment and value tier and, on Early warning, the
predictions. At a million customers the spreading and the joins took 0.5 to 1.2 s of the pages' first visits
(the Win back list has 640,000 rows); stored, a first visit reads the joined list instead.
"""

from __future__ import annotations

import polars as pl

from retention.db import Dataset
from retention.metrics.alerts import with_value
from retention.metrics.predict import with_predictions
from retention.params import Params
from retention.queries.alerts import alert_list
from retention.queries.cached import query
from retention.queries.predict import predictions_or_error
from retention.queries.rfm import rfm_table
from retention.queries.winback import winback_list


@query("alerts", "rfm", "predict_profit", "predict_summary", maxsize=16, uses=("horizon", "margin"), columns=None)
def alert_page_list(ds: Dataset, p: Params, include_at_risk: bool) -> pl.DataFrame:
    """alert_list with `rfm_segment`, `value_tier` (metrics.alerts.with_value) and, when the models serve
    the data, `p_alive` and `predicted_value` (metrics.predict.with_predictions); the list's order."""
    listed = with_value(alert_list(ds, p, include_at_risk=include_at_risk), rfm_table(ds, p))
    return with_predictions(listed, predictions_or_error(ds, p)[0])


@query("winback", "predict_summary", "rfm", maxsize=16, uses=("horizon",), columns=None)
def winback_page_list(ds: Dataset, p: Params) -> pl.DataFrame:
    """winback_list with `rfm_segment` and `value_tier` (metrics.alerts.with_value); the list's order."""
    return with_value(winback_list(ds, p), rfm_table(ds, p))
