"""Reports every page shares: what the data holds, the attribute values for filters, attribute columns on a list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query

if TYPE_CHECKING:
    import polars as pl


@query("attribute_values", maxsize=8, columns=None)
def attribute_values(ds: Dataset, max_values: int = 200) -> dict[str, list[str]]:
    """{attribute: sorted values} for attributes with at most max_values distinct values."""
    frame = engine(ds).run("attribute_values", {"max_values": max_values})
    out: dict[str, list[str]] = {}
    for attr, value in frame.select("attribute", "value").iter_rows():
        out.setdefault(attr, []).append(value)
    return out


@query("overview", maxsize=64)
def overview(ds: Dataset, p: Params) -> dict:
    """Customers in scope at T: `buyers`, `prospects`, `customers`, `active` (within the window),
    `order_rows`, `activity_rows`, `refund_rows`, `revenue`, `first_order_date`, `last_order_date`."""
    return engine(ds).run("overview", p.sql()).row(0, named=True)


def with_attributes(facts: pl.DataFrame, columns: list[str], names: list[str]) -> pl.DataFrame:
    """`columns` of facts, then the attr_names / attr_values lists pivoted into one text column per attribute
    (in the order of `names`; null without a value). An attribute named like a column keeps a suffix."""
    import polars as pl

    base = facts.select(columns)
    if not names:
        return base
    long = (
        facts.select("customer_id", "attr_names", "attr_values")
        .explode("attr_names", "attr_values")
        .drop_nulls("attr_names")
    )
    if long.is_empty():
        wide = pl.DataFrame(schema={"customer_id": pl.String})
    else:
        wide = long.pivot(on="attr_names", index="customer_id", values="attr_values")
    missing = [pl.lit(None, dtype=pl.String).alias(n) for n in names if n not in wide.columns]
    wide = wide.with_columns(missing).select("customer_id", *names)
    return base.join(wide, on="customer_id", how="left", maintain_order="left", suffix="_attribute")
