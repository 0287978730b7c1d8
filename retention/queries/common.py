"""Reports every page shares: what the data holds, the attribute values for filters."""

from __future__ import annotations

from functools import lru_cache

from retention.db import Dataset, engine
from retention.params import Params


@lru_cache(maxsize=8)
def attribute_values(ds: Dataset, max_values: int = 200) -> dict[str, list[str]]:
    """{attribute: sorted values} for attributes with at most max_values distinct values."""
    frame = engine(ds).run("attribute_values", {"max_values": max_values})
    out: dict[str, list[str]] = {}
    for attr, value in frame.select("attribute", "value").iter_rows():
        out.setdefault(attr, []).append(value)
    return out


@lru_cache(maxsize=64)
def overview(ds: Dataset, p: Params) -> dict:
    """Customers in scope at T: `buyers`, `prospects`, `customers`, `active` (within the window),
    `order_rows`, `activity_rows`, `refund_rows`, `revenue`, `first_order_date`, `last_order_date`."""
    return engine(ds).run("overview", p.sql()).row(0, named=True)
