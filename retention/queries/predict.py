"""Predictions (METRICS.md "Predictions"): the per-customer summary from SQL, the BG/NBD and Gamma-Gamma
fits on it, and per-customer P(alive), expected purchases and predicted value and profit.

A fit depends on the data version, T and the segment filters only (not the window, the period, the
horizon or the margin), so every function keys its cache on `fit_key(p)`: a slider that moves anything
else reuses the fit.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from retention import codes, results
from retention.db import Dataset, engine
from retention.errors import InputError
from retention.params import Params
from retention.queries.cached import query

if TYPE_CHECKING:
    from retention import models

PREDICT_COLUMNS = [
    "customer_id", "x", "t_x", "age", "p_alive", "expected_purchases", "spend", "expected_spend",
    "predicted_value", "predicted_profit",
]  # fmt: skip
FIT_COLUMNS = ["model", "parameter", "value"]
CHECK_COLUMNS = ["x", "customers", "predicted", "actual"]
X_GROUPS = ("0", "1", "2", "3", "4", "5", "6", "7+")
MIN_REPEAT_BUYERS = 100
MIN_SPEND_BUYERS = 20
PAGE_HOLDOUT_DAYS = 90  # the Predictions page holds back this many days for its check


class ModelError(InputError):
    """The models cannot serve the data: `reason` (few_repeat, few_spend, q_at_most_one) and the numbers of
    the message in `values`, so a page can say it in its own language."""

    def __init__(self, reason: str, message: str, **values: object):
        super().__init__(message)
        self.reason = reason
        self.values = values

    def fresh(self) -> ModelError:
        """A new instance to raise (a cached one would collect every raise's traceback)."""
        return ModelError(self.reason, str(self), **self.values)


def _fit_class(name: str) -> type:
    from retention import fits  # not retention.models: reading a stored fit back needs no scipy

    return getattr(fits, name)


# The fits and this error can be kept in the result store (retention/results.py).
results.register_record("BgnbdFit", lambda: _fit_class("BgnbdFit"))
results.register_record("GammaGammaFit", lambda: _fit_class("GammaGammaFit"))
results.register_error(ModelError)


def fit_key(p: Params) -> Params:
    """The parameters a fit depends on (T and the filters); everything else at its default."""
    return Params(as_of=p.as_of, filters=p.filters)


def summary(ds: Dataset, p: Params) -> pl.DataFrame:
    """One row per customer in scope with a purchase day on or before T, sorted by customer_id:
    `customer_id`, `cid`, `x`, `t_x`, `age` (days), `n_spend`, `spend` (null when n_spend is 0)."""
    return _summary(ds, fit_key(p))


@query("predict_summary", maxsize=16, columns=None)
def _summary(ds: Dataset, key: Params) -> pl.DataFrame:
    return engine(ds).run("predict_summary", key.sql())


def _load_models() -> None:
    try:
        import retention.models  # noqa: F401
    except Exception:  # noqa: BLE001, S110 - the import in the calling thread reports it
        pass


@query("predict_summary", maxsize=16, columns=None)
def _fits(ds: Dataset, key: Params) -> tuple[models.BgnbdFit, models.GammaGammaFit | None, ModelError | None]:
    """(BG/NBD fit, Gamma-Gamma fit or None, why the spend model cannot be fitted or None).
    Raises InputError when the BG/NBD model cannot serve the data."""
    # retention.models brings scipy (about 0.8 s of one core to import): it loads in a thread while DuckDB
    # computes the summary on the others (DuckDB releases the GIL while it runs).
    loader = threading.Thread(target=_load_models, daemon=True)
    loader.start()
    try:
        s = _summary(ds, key)
    finally:
        loader.join()
    from retention import models

    repeat = int((s["x"] >= 1).sum()) if s.height else 0
    if repeat < MIN_REPEAT_BUYERS:
        raise ModelError(
            "few_repeat",
            f"Predictions need at least {MIN_REPEAT_BUYERS} customers who came back (2 or more purchase days) "
            f"on or before {key.as_of}; the data in scope has {repeat:,} of {s.height:,} customers. Add more "
            "order history, widen the segment filter or move the as-of date later.",
            repeat=repeat,
            customers=s.height,
            needed=MIN_REPEAT_BUYERS,
        )
    spenders = s.filter(pl.col("n_spend") >= 1)
    # The two fits are independent and numpy's loops release the GIL: on two cores they run side by side
    # (predict-fit at 10M orders: the spend fit takes about as long as the BG/NBD fit).
    with ThreadPoolExecutor(max_workers=2) as pool:
        gg_job = None
        if spenders.height >= MIN_SPEND_BUYERS:
            gg_job = pool.submit(models.fit_gamma_gamma, spenders["n_spend"].to_numpy(), spenders["spend"].to_numpy())
        bg = models.fit_bgnbd(s["x"].to_numpy(), s["t_x"].to_numpy(), s["age"].to_numpy())
        gg = gg_job.result() if gg_job is not None else None
    if gg is None:
        return (
            bg,
            None,
            ModelError(
                "few_spend",
                f"The spend model needs at least {MIN_SPEND_BUYERS} customers with a repeat purchase day of a "
                f"positive amount on or before {key.as_of}; the data in scope has {spenders.height:,}. Without it "
                "there is no predicted value (the amount column may be empty or missing).",
                spenders=spenders.height,
                needed=MIN_SPEND_BUYERS,
            ),
        )
    if not gg.limit and gg.q <= 1:
        return (
            bg,
            None,
            ModelError(
                "q_at_most_one",
                f"The spend model has no finite mean spend on this data (q = {gg.q:.3f}, at most 1, over "
                f"{spenders.height:,} repeat buyers): a few very large spends dominate. It needs q above 1; "
                "check the amounts for outliers or widen the data.",
                q=gg.q,
                spenders=spenders.height,
            ),
        )
    return bg, gg, None


def bgnbd_fit(ds: Dataset, p: Params) -> models.BgnbdFit:
    """The BG/NBD fit for T and the filters of p (InputError when fewer than 100 customers came back)."""
    return _fits(ds, fit_key(p))[0]


def gamma_gamma_fit(ds: Dataset, p: Params) -> models.GammaGammaFit:
    """The Gamma-Gamma fit for T and the filters of p (InputError when the spend model cannot be fitted)."""
    _, gg, why = _fits(ds, fit_key(p))
    if gg is None:
        raise why.fresh()
    return gg


def fit(ds: Dataset, p: Params) -> tuple[models.BgnbdFit, models.GammaGammaFit]:
    """Both frozen fit records; InputError when either model cannot serve the data."""
    return bgnbd_fit(ds, p), gamma_gamma_fit(ds, p)


def fit_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """CLI `predict-fit`: `model, parameter, value` (value null where METRICS.md "Limits" leaves it empty)."""
    bg, gg = fit(ds, p)
    rows = [
        ("bgnbd", "r", bg.r), ("bgnbd", "alpha", bg.alpha), ("bgnbd", "a", bg.a), ("bgnbd", "b", bg.b),
        ("bgnbd", "pi", bg.pi), ("bgnbd", "log_likelihood", bg.log_likelihood),
        ("bgnbd", "customers", float(bg.customers)),
        ("gamma_gamma", "p", gg.p), ("gamma_gamma", "q", gg.q), ("gamma_gamma", "v", gg.v),
        ("gamma_gamma", "theta", gg.theta), ("gamma_gamma", "log_likelihood", gg.log_likelihood),
        ("gamma_gamma", "customers", float(gg.customers)),
    ]  # fmt: skip
    return pl.DataFrame(rows, schema={"model": pl.String, "parameter": pl.String, "value": pl.Float64}, orient="row")


def _profit_expr(columns: set[str]) -> str:
    """The day's profit from the base `days` columns: rows with a cost give amount - cost, the others
    amount * margin. A base without cost columns gives amount * margin."""
    if {"cost_sum", "amount_costed", "amount_uncosted"} <= columns:  # the base of base_days.sql
        return "d.amount_costed - d.cost_sum + $margin * d.amount_uncosted"
    if {"cost", "costed_amount"} <= columns:
        return "(d.costed_amount - d.cost) + (d.amount - d.costed_amount) * $margin"
    if "profit_fixed" in columns and "costed_amount" in columns:
        return "d.profit_fixed + (d.amount - d.costed_amount) * $margin"
    return "d.amount * $margin"


def profit_ratio(ds: Dataset, p: Params) -> float:
    """Profit of all rows on or before T in scope over their revenue (METRICS.md: `margin` without a cost
    column, and when the revenue is 0)."""
    return _profit_ratio(ds, fit_key(p), p.margin)


@query("predict_profit", maxsize=16, columns=None)
def _profit_ratio(ds: Dataset, key: Params, margin: float) -> float:
    eng = engine(ds)
    columns = set(eng.sql("select column_name from (describe days)")["column_name"].to_list())
    expr = _profit_expr(columns)
    if expr == "d.amount * $margin":
        return float(margin)
    row = eng.run("predict_profit", key.sql() | {"margin": margin}, profit=expr).row(0, named=True)
    if not row["revenue"]:
        return float(margin)
    return float(row["profit"]) / float(row["revenue"])


def p_alive_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """`customer_id`, `x`, `t_x`, `age`, `p_alive`, `expected_purchases` (over p.horizon days) for every
    customer in scope with a purchase day on or before T; needs only the BG/NBD model."""
    return _p_alive_table(ds, fit_key(p), p.horizon)


@query("predict_summary", maxsize=16, columns=None)
def _p_alive_table(ds: Dataset, key: Params, horizon: int) -> pl.DataFrame:
    from retention import models

    s = _summary(ds, key)
    bg = _fits(ds, key)[0]
    x, t_x, age = (s[c].to_numpy().astype(float) for c in ("x", "t_x", "age"))
    return s.select("customer_id", "x", "t_x", "age").with_columns(
        p_alive=pl.Series(models.p_alive(bg, x, t_x, age)),
        expected_purchases=pl.Series(models.expected_purchases(bg, x, t_x, age, horizon)),
    )


def predictions(ds: Dataset, p: Params) -> pl.DataFrame:
    """CLI `predict` (all customers in scope with a purchase day on or before T; horizon p.horizon days):
    PREDICT_COLUMNS, sorted by predicted_value descending, then customer_id. InputError when a model cannot
    serve the data."""
    return _predictions(ds, fit_key(p), p.horizon, p.margin)


@query("predict_profit", "predict_summary", maxsize=16, columns=None)
def _predictions(ds: Dataset, key: Params, horizon: int, margin: float) -> pl.DataFrame:
    from retention import models

    s = _summary(ds, key)
    _, gg, why = _fits(ds, key)
    if gg is None:
        raise why.fresh()
    base = _p_alive_table(ds, key, horizon)
    spend = models.expected_spend(gg, s["n_spend"].to_numpy().astype(float), s["spend"].to_numpy().astype(float))
    ratio = _profit_ratio(ds, key, margin)
    return (
        base.with_columns(spend=s["spend"], expected_spend=pl.Series(spend))
        .with_columns(predicted_value=pl.col("expected_purchases") * pl.col("expected_spend"))
        .with_columns(predicted_profit=pl.col("predicted_value") * ratio)
        .sort(["predicted_value", "customer_id"], descending=[True, False], nulls_last=True)
        .select(PREDICT_COLUMNS)
    )


def holdout_check(ds: Dataset, p: Params, holdout_days: int) -> pl.DataFrame:
    """CLI `predict-check`: per x group (`0`..`6`, `7+`, groups without customers left out) the customers
    in scope, their mean expected purchases over the holdout and their mean purchase days in
    (T, T + holdout_days]. InputError when T + holdout_days is after the latest order date."""
    if holdout_days < 1:
        raise InputError(f"--holdout-days {holdout_days}: the holdout needs at least 1 day.")
    latest = engine(ds).meta.get("default_as_of")
    end = p.as_of + dt.timedelta(days=holdout_days)
    if latest is None or end > latest:
        raise InputError(
            f"The holdout check needs orders up to T + {holdout_days} days = {end}, but the latest order date "
            f"is {latest}. Choose an as-of date on or before {latest - dt.timedelta(days=holdout_days) if latest else '?'} "
            "(--as-of) or a shorter --holdout-days."
        )
    return _holdout_check(ds, fit_key(p), holdout_days)


@query("predict_holdout", "predict_summary", maxsize=16, columns=None)
def _holdout_check(ds: Dataset, key: Params, holdout_days: int) -> pl.DataFrame:
    base = _p_alive_table(ds, key, holdout_days)
    actual = engine(ds).run("predict_holdout", key.sql() | {"holdout_days": holdout_days})
    frame = base.join(actual, on="customer_id", how="left").with_columns(
        group=pl.when(pl.col("x") >= 7).then(pl.lit("7+")).otherwise(pl.col("x").cast(pl.String))
    )
    groups = frame.group_by("group").agg(
        customers=pl.len().cast(pl.Int64),
        predicted=pl.col("expected_purchases").mean(),
        actual=pl.col("actual").fill_null(0).cast(pl.Float64).mean(),
    )
    return codes.in_order(groups, "group", X_GROUPS).select(
        pl.col("group").alias("x"), "customers", "predicted", "actual"
    )


def p_alive_curve(fit_: models.BgnbdFit, days: list[dt.date], first_day: dt.date, as_of: dt.date) -> pl.DataFrame:
    """P(alive) of one customer on each day from the first purchase day to T, with x and t_x as of that day
    (falls through each silence, jumps back at each purchase): `day`, `p_alive`. `days` are the customer's
    purchase days on or before T."""
    from retention import models

    purchases = np.array(sorted((d - first_day).days for d in days if first_day <= d <= as_of), dtype=float)
    t = np.arange(0, (as_of - first_day).days + 1, dtype=float)
    count = np.searchsorted(purchases, t, side="right")  # purchase days on or before each day
    x = np.maximum(count - 1, 0).astype(float)
    t_x = purchases[np.maximum(count - 1, 0)] if len(purchases) else np.zeros_like(t)
    values = models.p_alive(fit_, x, t_x, t)
    return pl.DataFrame(
        {"day": [first_day + dt.timedelta(days=int(i)) for i in t], "p_alive": values},
        schema={"day": pl.Date, "p_alive": pl.Float64},
    )


def predictions_or_error(ds: Dataset, p: Params) -> tuple[pl.DataFrame | None, ModelError | None]:
    """(predictions, None), or (None, why) when the models cannot serve the data: for pages that show the
    predictions beside other figures and say why they are absent."""
    try:
        return predictions(ds, p), None
    except ModelError as exc:
        return None, exc


def customer_p_alive(ds: Dataset, p: Params, days: pl.DataFrame) -> tuple[pl.DataFrame | None, ModelError | None]:
    """One customer's P(alive) curve (p_alive_curve) from their order days (profile.order_days: `order_date`,
    `is_purchase`), or (None, why) when the model cannot serve the data. The last row is P(alive) at T, the
    figure `predict` prints."""
    buys = days.filter(pl.col("is_purchase"))["order_date"].to_list()
    if not buys:
        return None, None
    try:
        bg = bgnbd_fit(ds, p)
    except ModelError as exc:
        return None, exc
    return p_alive_curve(bg, buys, min(buys), p.as_of), None
