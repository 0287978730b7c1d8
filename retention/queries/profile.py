"""One customer's profile: the per-customer facts of the lifecycle, RFM, reasons and campaign reports for one
id (filtered from their cached frames), plus what only one customer needs: order days, attributes, contacts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query
from retention.queries.lifecycle import customer_statuses
from retention.queries.reasons import reason_rows
from retention.queries.rfm import rfm_table

DAY_COLUMNS = ["order_date", "n_rows", "n_act", "amount", "is_purchase"]
DAY_SCHEMA = {
    "order_date": pl.Date,
    "n_rows": pl.Int32,
    "n_act": pl.Int32,
    "amount": pl.Float64,
    "is_purchase": pl.Boolean,
}
CONTACT_COLUMNS = [
    "contacted_at", "campaign", "channel", "contact_group", "cost", "window_end", "is_open", "won_back",
    "days_to_win", "revenue_won",
]  # fmt: skip


@query("profile_days", maxsize=256)
def order_days(ds: Dataset, p: Params, customer_id: str) -> pl.DataFrame:
    """The customer's order days on or before T, sorted: `order_date`, `n_rows`, `n_act` (activity rows),
    `amount` (all rows, refunds included), `is_purchase` (n_act > 0). Empty for an unknown id."""
    params = {"as_of": p.as_of, "customer_id": customer_id}
    return engine(ds).run("profile_days", params).select(DAY_COLUMNS)


@query("profile_attrs", maxsize=256)
def customer_row(ds: Dataset, customer_id: str) -> pl.DataFrame:
    """The id in the data (any table): `customer_id`, `signed_up_date`, `attribute`, `value` (one row per
    attribute; one row with null attribute when none). Empty when no table holds the id."""
    return engine(ds).run("profile_attrs", {"customer_id": customer_id})


@query("profile_contacts", maxsize=256)
def contacts(ds: Dataset, p: Params, customer_id: str) -> pl.DataFrame:
    """The customer's contacts dated on or before T (in scope) with their outcome, as the campaign reports
    count it: `contacted_at`, `campaign`, `channel`, `contact_group`, `cost`, `window_end` (contacted_at +
    attribution_days), `is_open` (window reaches past T), `won_back`, `days_to_win`, `revenue_won`."""
    return engine(ds).run("profile_contacts", p.sql() | {"customer_id": customer_id}).select(CONTACT_COLUMNS)


@dataclass(frozen=True)
class Profile:
    """Everything the profile page shows for one id at T. `status` is None when the customer is not known at T
    in scope (`exists` says whether any table holds the id)."""

    customer_id: str
    exists: bool
    status: dict | None = None
    rfm: dict | None = None
    signed_up: dt.date | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    days: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DAY_SCHEMA))
    reasons: pl.DataFrame | None = None
    contacts: pl.DataFrame | None = None

    @property
    def revenue(self) -> float:
        """Sum of all rows' amounts on or before T (RFM's monetary)."""
        return float(self.days["amount"].sum()) if self.days.height else 0.0


def _one(frame: pl.DataFrame, customer_id: str) -> dict | None:
    rows = frame.filter(pl.col("customer_id") == customer_id)
    return rows.row(0, named=True) if rows.height else None


def profile(ds: Dataset, p: Params, customer_id: str) -> Profile:
    """The profile of customer_id (text, trimmed) at T; the big per-customer frames are cached per (ds, p)."""
    cid = customer_id.strip()
    row = customer_row(ds, cid)
    if row.is_empty():
        return Profile(cid, exists=False)
    attrs = {a: v for a, v in row.select("attribute", "value").iter_rows() if a is not None}
    status = _one(customer_statuses(ds, p), cid)
    base = Profile(cid, exists=True, signed_up=row["signed_up_date"][0], attributes=attrs)
    if status is None:
        return base
    reasons = reason_rows(ds, p).filter(pl.col("customer_id") == cid).drop("customer_id")
    return Profile(
        cid,
        exists=True,
        status=status,
        rfm=_one(rfm_table(ds, p), cid),
        signed_up=base.signed_up,
        attributes=attrs,
        days=order_days(ds, p, cid),
        reasons=reasons,
        contacts=contacts(ds, p, cid),
    )


SEARCH_ROWS = 20


@query("customer_search", maxsize=256)
def search(ds: Dataset, text: str, max_rows: int = SEARCH_ROWS) -> pl.DataFrame:
    """Customers whose id, or any attribute value (an e-mail, a name), starts with the text (as typed,
    lower-cased, upper-cased or capitalised): `customer_id`, `attribute` (null when the id matched), `value`
    (what matched); the first max_rows by customer_id. Empty for blank text."""
    text = text.strip()
    if not text:
        return pl.DataFrame(schema={"customer_id": pl.String, "attribute": pl.String, "value": pl.String})
    return engine(ds).run("customer_search", {"prefix": text, "max_rows": int(max_rows)})
