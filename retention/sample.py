"""Synthetic sample data for the retention dashboard.

`generate` builds the four input tables of METRICS.md (``orders``, ``customers``, ``churn_reasons``,
``contacts``) for a made-up chain of cafes, salons and clinics; `write_sample` writes them as Parquet.

The data covers the two years ending on ``end`` (``end - 2 years + 1 day`` .. ``end``, nothing later) and
tells one story, with every event placed relative to ``end`` (dates below are for the default
``end = 2026-10-31``):

* acquisition grows over the two years (about 2.5x), peaks in December and dips in summer for cafes;
* customers buy the way the BG/NBD model of METRICS.md "Predictions" assumes, so that predictions on the
  sample pass their own holdout check: while alive, a customer buys at a personal rate, gamma distributed
  around the business's rhythm (cafe about every 6 days, salon every 5-8 weeks, clinic every 4-8 months),
  and after each repeat purchase drops out with a personal probability, beta distributed (a cafe regular
  stays for some 55 visits, a salon client for some 7, a clinic patient for 2-3: the treatment ends).
  Gaps are more regular than the model's Poisson process (gamma shaped around the personal rate: a salon
  books the next cut, a clinic sends a recall), which gives each business a clear return window:
  `recommend --by business_type` comes out near 35, 90 and 270 days for cafe, salon and clinic.
  Cafes lose a tenth of their repeat visits in summer; a few customers who stopped come back after a
  long silence (natural reactivations);
* a price rise on 2025-09-01 (13 months before the month of ``end``): customers active then are much more
  likely to stop in the following month (under a 90-day window they lapse in December, the month with the
  most lapses), most of them giving reason ``price``, the top reason;
* a competitor opens in region ``East`` on 2026-03-01 (7 months before): East customers stop more often
  from then on, reason ``competitor``;
* win-back campaigns ``winback_2026_spring`` (2026-04-15, 80% treatment / 20% control) and
  ``winback_2026_autumn`` (2026-09-15, 85% / 15%) contact lapsed customers (silent longer than 90, 150 and
  365 days, well past each business's window); treated customers come back clearly more often than the
  held-out control group, and those purchases are real ``orders`` rows;
* about 2% refund rows, 0.5% null amounts, a few percent extra orders on a day the customer already
  bought, and about 5% prospects (a ``customers`` row, no order);
* ``orders.cost``, what each order cost the business: the gross margin is about 65% for a cafe, 50% for
  a salon and 40% for a clinic on the prices before the rise (the rise raised prices, not costs, so the
  margins are 2-3 points higher after it), with some spread per order; a refund row costs 0 (the sale
  keeps its cost, the refund takes back revenue only); null where the amount is null and on about 2% of
  the other sales (never costed);
* a customer costs ``ACQUISITION_COST`` = 40 (money) to win: `make run` sets
  ``RETENTION_ACQUISITION_COST=40`` for the sample, so replacement-cost figures show on the first run.

Timestamps are generated in UTC and the time of day (mostly 7:00-20:00) is meant in the business's local
time, which the sample takes to be UTC, so ``order_date`` in the default zone is the generated day.

Everything is vectorised numpy driven by one ``np.random.default_rng(seed)``: the same arguments give
identical frames. Loops only run over the few business types, campaigns and top-up rounds, never over
customers or orders, so the cost is linear in ``customers`` (about 18 orders per customer).
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from retention.settings import DEFAULT_REASON_CATEGORIES

__all__ = ["generate", "write_sample", "TABLES", "ACQUISITION_COST", "MARGINS"]

TABLES = ("orders", "customers", "churn_reasons", "contacts")

_EPOCH = date(1970, 1, 1)
_DAY_US = 86_400_000_000
_SEC_US = 1_000_000

# --- business types ----------------------------------------------------------------------------------
TYPES = ("cafe", "salon", "clinic")
_TYPE_P = np.array([0.60, 0.25, 0.15])
# The buying story is the one the BG/NBD model tells (METRICS.md "Predictions"): while alive, a customer
# buys at a personal rate (gamma distributed around the business's rhythm); after each repeat purchase
# the customer drops out with a personal probability (beta distributed).
_RHYTHM = np.array([6.0, 42.0, 155.0])  # mean gap between purchase days of the typical customer, days
_RATE_SHAPE = np.array([12.0, 40.0, 40.0])  # gamma shape of the personal rate (larger: less spread)
# gamma shape of the gaps given the rate: 1 would be the model's Poisson process; habits are more regular
# than that (a salon books the next cut, a clinic sends a recall), which is what gives each business a
# clear return window
_GAP_SHAPE = np.array([3.0, 10.0, 12.0])
# beta(a, b) dropout probability after each repeat purchase: mean about 1.8% for a cafe (some 55 visits),
# 14% for a salon (some 7 visits), 40% for a clinic (a treatment ends)
_DROP_A = np.array([2.0, 2.0, 2.0])
_DROP_B = np.array([110.0, 12.0, 3.0])
_AMOUNT_MEDIAN = np.array([7.0, 55.0, 160.0])
_AMOUNT_SIGMA = np.array([0.30, 0.30, 0.38])
_CAFE_SUMMER_DROP = 0.10  # share of cafe repeat visits lost in June-August
# gross margin by business type (the orders' `cost` column is the rest of the price, with some spread)
_MARGIN = np.array([0.65, 0.50, 0.40])
MARGINS = dict(zip(TYPES, _MARGIN.tolist(), strict=True))  # documented gross margin per business type
_COST_SIGMA = 0.10
_NULL_COST = 0.02  # sale rows whose cost was never recorded (besides the rows without an amount)
# acquisition cost the sample is meant with (set by `make run` as RETENTION_ACQUISITION_COST)
ACQUISITION_COST = 40.0

REGIONS = ("North", "South", "East", "West")
_REGION_P = np.array([0.28, 0.26, 0.24, 0.22])
_EAST = 2
CHANNELS = ("walk_in", "referral", "social", "search")
_CHANNEL_P = np.array([0.45, 0.20, 0.20, 0.15])
_CHANNEL_DROP = np.array([1.0, 0.75, 1.35, 1.1])  # dropout probability multiplier by channel

_PROSPECT_SHARE = 0.05
_SIGNUP_NULL = 0.10
_GROWTH = 2.5  # acquisition at the end of the window relative to its start
_DECEMBER_PEAK = 1.5
_CAFE_SUMMER_DIP = 0.7

# --- events ----------------------------------------------------------------------------------------------
_PRICE_MONTHS_BEFORE_END = 13  # 2025-09 for end in 2026-10
_PRICE_STOP_P = 0.35  # extra chance to stop within _PRICE_STOP_DAYS for customers active at the rise
_PRICE_STOP_DAYS = 31
_PRICE_UPLIFT = 1.08  # amounts after the rise
_COMPETITOR_MONTHS_BEFORE_END = 7  # 2026-03
_COMPETITOR_MEAN_DAYS = 650.0  # extra exponential stop hazard for East customers after the opening

_REACTIVATION_P = 0.02  # stopped customers who come back after a long silence
_REACTIVATION_MIN_SILENCE = 95
_REACTIVATION_MEAN_EXTRA = 130.0

# --- data quality ------------------------------------------------------------------------------------
_SAME_DAY_SHARE = 0.015  # extra orders on a day the customer already bought (~3% of rows share a day)
_NULL_AMOUNT = 0.005
_REFUND_SHARE = 0.02

# --- churn reasons -----------------------------------------------------------------------------------
REASONS = (
    "quality",
    "service",
    "price",
    "habit_change",
    "staff_left",
    "broken_promise",
    "channel",
    "competitor",
    "no_longer_needed",
    "moved_away",
)
# The sample records categories as the default map has them (a row's own category).
_CATEGORY = DEFAULT_REASON_CATEGORIES
# background reason mix (no event): spread so that no single code dominates
_BASE_REASON_P = np.array([0.14, 0.13, 0.10, 0.14, 0.08, 0.05, 0.04, 0.08, 0.12, 0.12])
_EVENT_REASON_P = 0.75  # price / competitor stops that name the event as reason
_REASON_ROW_P = 0.55
_CATEGORY_FILLED = 0.5
_ODD_REASON = 0.02
_NULL_REASON = 0.01
SOURCES = ("survey", "staff", "email")
_SOURCE_P = np.array([0.40, 0.35, 0.25])
_COMMENT_P = 0.35
_COMMENTS = {
    "quality": ("not as good as before", "quality dropped", "was disappointed last time"),
    "service": ("waited too long", "staff were rude", "booking was a hassle"),
    "price": ("too expensive now", "prices went up", "cheaper elsewhere"),
    "habit_change": ("new routine", "changed jobs", "less time lately"),
    "staff_left": ("my favourite staff left", "followed my stylist"),
    "broken_promise": ("promised discount never came", "appointment cancelled twice"),
    "channel": ("app kept failing", "could not book online"),
    "competitor": ("new place opened nearby", "trying the new shop"),
    "no_longer_needed": ("treatment finished", "do not need it anymore"),
    "moved_away": ("moved to another city", "moved house"),
}

# --- campaigns -----------------------------------------------------------------------------------------
CONTACT_CHANNELS = ("email", "sms", "phone")
_CONTACT_COST = np.array([0.5, 1.5, 6.0])
_WINBACK_BASE = 0.05  # lapsed customers who return within 30 days anyway (control and treatment alike)
_WINBACK_UPLIFT = np.array([0.09, 0.13, 0.22])  # extra chance for treated customers, by channel
_WINBACK_CONTINUE = 0.5  # won-back customers who keep buying for a while
_WINBACK_MEAN_DAYS = 120.0
_CONTACT_SHARE = np.array([0.35, 0.15, 0.20])  # of the eligible lapsed customers, by business type
# silence (days) after which each business calls a customer lapsed and contacts them: well past its rhythm
_LAPSE_AFTER = np.array([90.0, 150.0, 365.0])
# (months before the month of end, day of month, treatment share, channel mix)
_CAMPAIGNS = (
    (6, 15, 0.80, np.array([0.70, 0.30, 0.00])),
    (1, 15, 0.85, np.array([0.50, 0.30, 0.20])),
)

_CENSORED, _BASE, _PRICE, _COMPETITOR = 0, 1, 2, 3


# ----------------------------------------------------------------------------------------------------------
def _day(d: date) -> int:
    return (d - _EPOCH).days


def _month_start(d: date, months_back: int) -> date:
    m = d.year * 12 + d.month - 1 - months_back
    return date(m // 12, m % 12 + 1, 1)


def _window_start(end: date) -> date:
    try:
        two_back = end.replace(year=end.year - 2)
    except ValueError:  # 29 February
        two_back = end.replace(year=end.year - 2, day=28)
    return two_back + timedelta(days=1)


def _season(month: int) -> str:
    return ("winter", "spring", "summer", "autumn")[(month % 12) // 3]


def _months(days: np.ndarray) -> np.ndarray:
    """Calendar month (1..12) of epoch day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def _ids(width: int, numbers: np.ndarray) -> pl.Series:
    digits = pl.Series(numbers.astype(np.int64)).cast(pl.String).str.zfill(width)
    return pl.select((pl.lit("C") + digits).alias("customer_id")).to_series()


def _timestamps(us: np.ndarray) -> pl.Series:
    """Datetime("us", "UTC") Series from epoch microseconds."""
    return pl.Series(us.astype(np.int64), dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))


def _time_of_day(rng: np.random.Generator, btype: np.ndarray) -> np.ndarray:
    """Seconds after midnight: cafes peak at breakfast and lunch, salons and clinics keep opening hours."""
    n = btype.size
    u = rng.random(n)
    cafe = np.where(
        u < 0.55,
        rng.normal(8.5, 1.0, n),
        np.where(u < 0.85, rng.normal(12.8, 0.9, n), rng.normal(16.0, 1.6, n)),
    )
    wide = rng.uniform(7.0, 21.0, n)
    salon = np.where(u < 0.90, rng.uniform(9.0, 19.0, n), wide)
    clinic = np.where(u < 0.92, rng.uniform(8.0, 18.0, n), wide)
    hours = np.choose(btype, [cafe, salon, clinic])
    return np.floor(np.clip(hours, 6.0, 21.999) * 3600.0).astype(np.int64)


def acquisition_days(
    rng: np.random.Generator,
    btype: np.ndarray,
    start_day: int,
    end_day: int,
    growth: float = _GROWTH,
    december_peak: float = _DECEMBER_PEAK,
    summer_dip: float = _CAFE_SUMMER_DIP,
) -> np.ndarray:
    """First-visit day per customer: growing over the window (`growth` times more at its end), a December
    peak, a summer dip for cafes (bench/generate.py draws its larger sets with its own factors)."""
    days = np.arange(start_day, end_day + 1)
    frac = (days - start_day) / max(1, end_day - start_day)
    months = _months(days)
    base = growth**frac * np.where(months == 12, december_peak, 1.0)
    out = np.empty(btype.size, dtype=np.int64)
    for t in range(len(TYPES)):
        sel = np.flatnonzero(btype == t)
        w = base * (np.where((months >= 6) & (months <= 8), summer_dip, 1.0) if t == 0 else 1.0)
        cdf = np.cumsum(w)
        pick = np.searchsorted(cdf, rng.random(sel.size) * cdf[-1], side="right")
        out[sel] = days[np.minimum(pick, days.size - 1)]
    return out


def _apply_risks(rng, start, east, price_day, comp_day, limit_day):
    """Event stops of spells opened on `start`: the price rise and the competitor; returns (stop, cause).

    `stop` is the day (float) the events end the spell (`limit_day` when none does) and `cause` the event
    (`_CENSORED` when none). Whether the customer had already dropped out by then is known only once the
    spell's purchases are drawn (`_spell_orders`).
    """
    n = start.size
    stop = np.full(n, float(limit_day))
    cause = np.full(n, _CENSORED, dtype=np.int8)
    hit = (start <= price_day) & (rng.random(n) < _PRICE_STOP_P)
    price_stop = price_day + rng.uniform(0.0, _PRICE_STOP_DAYS, n)
    sel = hit & (price_stop < stop)
    stop = np.where(sel, price_stop, stop)
    cause[sel] = _PRICE
    comp_stop = np.maximum(start, comp_day) + rng.exponential(_COMPETITOR_MEAN_DAYS, n)
    sel = east & (comp_stop < stop)
    stop = np.where(sel, comp_stop, stop)
    cause[sel] = _COMPETITOR
    return stop, cause


def _spell_orders(rng, start, limit, rate, shape, count):
    """Repeat purchase days of spells: start+g1, start+g1+g2, ... strictly before limit, at most count.

    Given the spell's rate (purchase days per day), a gap of shape 1 is geometric (the purchase days of a
    Poisson process), otherwise gamma distributed with that shape and mean 1 / rate, rounded to whole days
    (at least 1). `count` is the number of repeat purchases after which the customer drops out (may be
    larger than what fits). Draws a generous batch of gaps per spell at once (ragged, flat arrays) and
    tops up the few spells that still have room in further rounds.
    Returns (spell index, day) of the repeat visits (the start day itself is not included).
    """
    idx_out, day_out = [], []
    cur = start.astype(np.int64).copy()
    left = count.astype(np.int64).copy()
    active = np.flatnonzero((cur + 1 < limit) & (left > 0))
    while active.size:
        rem = limit[active] - cur[active]
        n = np.ceil(rem * rate[active] * 1.3 + 2.0).astype(np.int64)
        n = np.minimum(np.minimum(n, np.ceil(rem).astype(np.int64) + 1), left[active])
        local = np.repeat(np.arange(active.size), n)
        k = shape[active][local]
        lam = rate[active][local]
        poisson = rng.geometric(-np.expm1(-lam))
        gamma = np.maximum(1.0, np.rint(rng.gamma(k, 1.0 / (k * lam)))).astype(np.int64)
        gaps = np.where(k == 1.0, poisson, gamma)
        csum = np.cumsum(gaps)
        ends = np.cumsum(n)
        before = np.concatenate(([0], csum[ends[:-1] - 1]))
        within = csum - np.repeat(before, n)
        days = cur[active][local] + within
        keep = days < limit[active][local]
        idx_out.append(active[local[keep]])
        day_out.append(days[keep])
        last = cur[active] + within[ends - 1]
        cur[active] = last
        left[active] -= n
        active = active[(last < limit[active]) & (left[active] > 0)]
    if not idx_out:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(idx_out), np.concatenate(day_out)


class _Orders:
    """Growing set of visit rows (customer index, day, spell index) in flat numpy arrays."""

    def __init__(self) -> None:
        self.cust: list[np.ndarray] = []
        self.day: list[np.ndarray] = []
        self.spell: list[np.ndarray] = []

    def add(self, cust, day, spell) -> None:
        self.cust.append(cust.astype(np.int64))
        self.day.append(day.astype(np.int64))
        self.spell.append(spell.astype(np.int64))

    def arrays(self):
        return (np.concatenate(self.cust), np.concatenate(self.day), np.concatenate(self.spell))


def _last_day_before(n_cust, cust, day, before: int) -> np.ndarray:
    """Latest visit day strictly before `before` per customer (-1 where none)."""
    last = np.full(n_cust, -1, dtype=np.int64)
    m = day < before
    np.maximum.at(last, cust[m], day[m])
    return last


# ----------------------------------------------------------------------------------------------------------
def generate(customers: int = 5000, seed: int = 42, end: date = date(2026, 10, 31)) -> dict[str, pl.DataFrame]:
    """Build the sample tables ``orders``, ``customers``, ``churn_reasons`` and ``contacts``.

    Deterministic: the same (customers, seed, end) give identical frames. About 18 orders per customer.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    if isinstance(end, datetime):
        end = end.date()
    rng = np.random.default_rng(seed)
    start_day, end_day = _day(_window_start(end)), _day(end)
    limit_day = end_day + 1  # exclusive
    price_day = _day(_month_start(end, _PRICE_MONTHS_BEFORE_END))
    comp_day = _day(_month_start(end, _COMPETITOR_MONTHS_BEFORE_END))
    n = int(customers)

    # --- customers and their attributes ----------------------------------------------------------------
    btype = rng.choice(len(TYPES), size=n, p=_TYPE_P)
    region = rng.choice(len(REGIONS), size=n, p=_REGION_P)
    channel = rng.choice(len(CHANNELS), size=n, p=_CHANNEL_P)
    prospect = rng.random(n) < _PROSPECT_SHARE
    first_day = acquisition_days(rng, btype, start_day, end_day)
    # personal purchase rate (purchase days per day) and dropout probability (after each repeat purchase)
    rate = rng.gamma(_RATE_SHAPE[btype], 1.0 / (_RATE_SHAPE[btype] * _RHYTHM[btype]))
    drop_p = np.minimum(0.95, rng.beta(_DROP_A[btype], _DROP_B[btype]) * _CHANNEL_DROP[channel])
    shape = _GAP_SHAPE[btype]
    spend = rng.lognormal(0.0, 0.15, n)
    east = region == _EAST

    visits = _Orders()
    sp_cust, sp_start, sp_cause = [], [], []

    def run_spells(cust, start, count):
        """Purchases of spells opened on `start` (a purchase day) with `count` repeats before dropping out.

        Records the spells and returns (cause, last purchase day) per spell: `_BASE` when the customer
        dropped out (the count was reached first), the event that ended the spell, or `_CENSORED`.
        """
        ids = np.arange(sum(c.size for c in sp_cust), sum(c.size for c in sp_cust) + cust.size)
        stop, cause = _apply_risks(rng, start, east[cust], price_day, comp_day, limit_day)
        visits.add(cust, start, ids)  # the visit that opens the spell
        local, day = _spell_orders(rng, start, stop, rate[cust], shape[cust], count)
        made = np.bincount(local, minlength=cust.size)
        cause = np.where(made >= count, np.int8(_BASE), cause)
        last = start.astype(np.int64).copy()
        np.maximum.at(last, local, day)
        c = cust[local]
        # cafes lose part of their repeat traffic in summer
        m = _months(day)
        drop = (btype[c] == 0) & (m >= 6) & (m <= 8) & (rng.random(day.size) < _CAFE_SUMMER_DROP)
        visits.add(c[~drop], day[~drop], ids[local[~drop]])
        sp_cust.append(cust)
        sp_start.append(start)
        sp_cause.append(cause)
        return cause, last

    # --- spells: first buying spell of every buyer -------------------------------------------------------
    buyers = np.flatnonzero(~prospect)
    s_cause, s_last = run_spells(buyers, first_day[buyers], rng.geometric(drop_p[buyers]))

    # natural reactivations: a few customers who stopped come back after a long silence
    back = (s_cause != _CENSORED) & (rng.random(buyers.size) < _REACTIVATION_P)
    r_start = s_last + _REACTIVATION_MIN_SILENCE + np.floor(rng.exponential(_REACTIVATION_MEAN_EXTRA, buyers.size))
    back &= r_start <= end_day
    r_cust = buyers[back]
    r_count = np.where(rng.random(r_cust.size) < 0.3, 0, rng.geometric(drop_p[r_cust]))
    run_spells(r_cust, r_start[back].astype(np.int64), r_count)

    # --- win-back campaigns ------------------------------------------------------------------------------
    contact_parts = []
    lapse_after = _LAPSE_AFTER
    for months_back, dom, treat_share, mix in _CAMPAIGNS:
        c_date = _month_start(end, months_back) + timedelta(days=dom - 1)
        c_day = _day(c_date)
        if c_day > end_day or c_day < start_day:
            continue
        cust_all, day_all, _ = visits.arrays()
        last = _last_day_before(n, cust_all, day_all, c_day)
        silence = c_day - last
        lap = lapse_after[btype]
        eligible = (last >= 0) & (silence > lap) & (silence <= lap + 365)
        chosen = np.flatnonzero(eligible & (rng.random(n) < _CONTACT_SHARE[btype]))
        k = chosen.size
        treat = rng.random(k) < treat_share
        ch = rng.choice(len(CONTACT_CHANNELS), size=k, p=mix)
        offset = np.choose(ch, [np.zeros(k, np.int64), np.ones(k, np.int64), rng.integers(0, 7, k)])
        contacted = c_day + offset
        won = rng.random(k) < _WINBACK_BASE + np.where(treat, _WINBACK_UPLIFT[ch], 0.0)
        w_day = contacted + rng.integers(1, 31, k)
        won &= w_day <= end_day
        contact_parts.append((chosen, contacted, f"winback_{c_date.year}_{_season(c_date.month)}", ch, treat))
        w_cust = chosen[won]
        w_start = w_day[won]
        # half of them keep buying at their own rate, about _WINBACK_MEAN_DAYS worth of purchases
        w_count = np.where(
            rng.random(w_cust.size) < _WINBACK_CONTINUE,
            rng.geometric(1.0 / (1.0 + _WINBACK_MEAN_DAYS * rate[w_cust])),
            0,
        )
        run_spells(w_cust, w_start, w_count)

    sp_cust_a = np.concatenate(sp_cust)
    sp_cause_a = np.concatenate(sp_cause)
    o_cust, o_day, o_spell = visits.arrays()

    # --- churn reasons: customers whose every spell ended before `end` -----------------------------------
    sp_last = np.concatenate(sp_start).astype(np.int64)
    np.maximum.at(sp_last, o_spell, o_day)
    open_spells = np.bincount(sp_cust_a, weights=(sp_cause_a == _CENSORED), minlength=n) > 0
    order = np.lexsort((sp_last, sp_cust_a))  # by customer, then last visit
    sorted_cust = sp_cust_a[order]
    is_final = np.ones(order.size, dtype=bool)
    is_final[:-1] = sorted_cust[1:] != sorted_cust[:-1]
    final = order[is_final]
    f_cust = sp_cust_a[final]
    f_last = sp_last[final]
    f_cause = sp_cause_a[final]
    stopped = ~open_spells[f_cust]
    churned = f_last + _RHYTHM[btype[f_cust]].astype(np.int64) + rng.integers(0, 29, f_cust.size)
    has_row = stopped & (churned <= end_day) & (rng.random(f_cust.size) < _REASON_ROW_P)
    cr_cust, cr_day, cr_cause = f_cust[has_row], churned[has_row], f_cause[has_row]
    m = cr_cust.size
    reason = rng.choice(len(REASONS), size=m, p=_BASE_REASON_P)
    named = rng.random(m) < _EVENT_REASON_P
    reason[(cr_cause == _PRICE) & named] = REASONS.index("price")
    reason[(cr_cause == _COMPETITOR) & named] = REASONS.index("competitor")

    # --- order rows: same-day extras, time of day, amounts, nulls, refunds --------------------------------
    extra = np.flatnonzero(rng.random(o_day.size) < _SAME_DAY_SHARE)
    a_cust = np.concatenate([o_cust, o_cust[extra]])
    a_day = np.concatenate([o_day, o_day[extra]])
    a_type = btype[a_cust]
    a_sec = _time_of_day(rng, a_type)
    price_up = np.where(a_day >= price_day, _PRICE_UPLIFT, 1.0)
    amount = _AMOUNT_MEDIAN[a_type] * rng.lognormal(0.0, _AMOUNT_SIGMA[a_type]) * spend[a_cust] * price_up
    amount = np.round(np.maximum(amount, 0.5), 2)
    null = rng.random(amount.size) < _NULL_AMOUNT
    a_us = a_day * _DAY_US + a_sec * _SEC_US

    ref = np.flatnonzero(~null & (rng.random(amount.size) < _REFUND_SHARE / (1.0 - _REFUND_SHARE)))
    full = rng.random(ref.size) < 0.6
    part = np.round(amount[ref] * rng.uniform(0.2, 0.8, ref.size), 2)
    ref_amount = -np.where(full, amount[ref], np.maximum(part, 0.01))
    delay = np.where(rng.random(ref.size) < 0.5, 0, rng.integers(1, 15, ref.size))
    ref_us = a_us[ref] + delay * _DAY_US + rng.integers(600, 10_800, ref.size) * _SEC_US
    last_us = limit_day * _DAY_US - 1
    ref_us = np.where(ref_us > last_us, a_us[ref] + 60 * _SEC_US, ref_us)

    # first visit per customer (for the signup date), before the rows are merged
    first_us = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_us, a_cust, a_us)

    all_cust = np.concatenate([a_cust, a_cust[ref]])
    all_us = np.concatenate([a_us, ref_us])
    all_amount = np.concatenate([amount, ref_amount])
    all_null = np.concatenate([null, np.zeros(ref.size, dtype=bool)])
    # what each sale cost the business: its business type's cost share of the price before the rise (the
    # rise raised prices, not costs), with some spread; refunds cost 0 (the sale row keeps its cost and the
    # refund takes back revenue only); null where the amount is null and on a few rows nobody costed.
    # Drawn from a generator of its own, so the costs leave every other figure of the sample as it was.
    cost_rng = np.random.default_rng([seed, 20])
    share = (1.0 - _MARGIN[a_type]) * cost_rng.lognormal(0.0, _COST_SIGMA, amount.size)
    cost = np.round(amount / price_up * np.minimum(share, 0.95), 2)
    cost_null = null | (cost_rng.random(amount.size) < _NULL_COST)
    all_cost = np.concatenate([cost, np.zeros(ref.size)])
    all_cost_null = np.concatenate([cost_null, np.zeros(ref.size, dtype=bool)])
    del a_cust, a_day, a_type, a_sec, a_us, amount, null, price_up, cost, cost_null
    # stable sort: ties keep the (deterministic) generation order
    sort = np.argsort(all_us, kind="stable")
    all_cust, all_us, all_amount, all_null = all_cust[sort], all_us[sort], all_amount[sort], all_null[sort]
    all_cost, all_cost_null = all_cost[sort], all_cost_null[sort]
    del sort

    # --- customers: signup, ids numbered in signup order --------------------------------------------------
    sign_tod = _time_of_day(rng, btype)
    same_visit = rng.random(n) < 0.5
    before_days = rng.integers(1, 61, n)
    sign_before = np.where(
        same_visit,
        first_us - rng.integers(60, 1800, n) * _SEC_US,
        (first_us // _DAY_US - before_days) * _DAY_US + sign_tod * _SEC_US,
    )
    # the same visit when the earlier signup would fall before the window
    sign_before = np.where(sign_before < start_day * _DAY_US, first_us - 60 * _SEC_US, sign_before)
    sign_prospect = first_day * _DAY_US + sign_tod * _SEC_US
    sign_us = np.where(prospect, sign_prospect, np.minimum(sign_before, first_us))
    sign_null = ~prospect & (rng.random(n) < _SIGNUP_NULL)
    # customer numbers follow the signup order (also for the rows whose signup date is then blanked)
    cust_order = np.argsort(sign_us, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[cust_order] = np.arange(n)
    ids = _ids(max(6, len(str(n))), rank + 1)  # ids[i] = id of customer index i

    # --- frames --------------------------------------------------------------------------------------------
    orders = pl.DataFrame(
        {
            "order_id": pl.Series(np.arange(1, all_us.size + 1, dtype=np.int64), dtype=pl.Int64),
            "customer_id": ids.gather(all_cust),
            "ordered_at": _timestamps(all_us),
            "amount": _null_where(pl.Series("amount", all_amount, dtype=pl.Float64), all_null),
            "cost": _null_where(pl.Series("cost", all_cost, dtype=pl.Float64), all_cost_null),
        }
    )
    customers_df = pl.DataFrame(
        {
            "customer_id": ids.gather(cust_order),
            "signed_up_at": _null_where(_timestamps(sign_us[cust_order]), sign_null[cust_order]),
            "business_type": _pick(TYPES, btype[cust_order], "business_type"),
            "region": _pick(REGIONS, region[cust_order], "region"),
            "channel": _pick(CHANNELS, channel[cust_order], "channel"),
        }
    )

    churn_reasons = _churn_frame(rng, ids, cr_cust, cr_day, reason)
    contacts = _contacts_frame(ids, contact_parts)
    return {"orders": orders, "customers": customers_df, "churn_reasons": churn_reasons, "contacts": contacts}


def _pick(values, idx: np.ndarray, name: str) -> pl.Series:
    """String Series of values[idx] (vectorised gather, no Python object per row)."""
    return pl.Series(name, list(values), dtype=pl.String).gather(np.asarray(idx, dtype=np.int64))


def _null_where(s: pl.Series, mask: np.ndarray) -> pl.Series:
    return pl.select(pl.when(pl.Series(mask)).then(None).otherwise(s).alias(s.name)).to_series()


def _dates(days: np.ndarray, name: str) -> pl.Series:
    return pl.Series(name, days, dtype=pl.Int64).cast(pl.Int32).cast(pl.Date)


def _churn_frame(rng, ids, cust, day, reason) -> pl.DataFrame:
    m = cust.size
    codes = _pick(REASONS, reason, "reason")
    # category from the default map on about half of the rows (moved_away has none)
    category = _pick([_CATEGORY.get(r) for r in REASONS], reason, "category")
    category = _null_where(category, rng.random(m) >= _CATEGORY_FILLED)
    # short free-text comments: one of the reason's canned lines
    lines = [line for r in REASONS for line in _COMMENTS[r]]
    count = np.array([len(_COMMENTS[r]) for r in REASONS])
    first = np.cumsum(count) - count
    pick = first[reason] + np.minimum((rng.random(m) * count[reason]).astype(np.int64), count[reason] - 1)
    comment = _null_where(_pick(lines, pick, "comment"), rng.random(m) >= _COMMENT_P)
    # a few hand-typed codes with odd case and spaces, a few rows without reason
    u = rng.random(m)
    odd = u < _ODD_REASON
    null_reason = (u >= _ODD_REASON) & (u < _ODD_REASON + _NULL_REASON)
    style = pl.Series(rng.integers(0, 3, m))
    messy = pl.select(
        pl.when(style == 0)
        .then(pl.lit(" ") + codes.str.to_titlecase() + pl.lit(" "))
        .when(style == 1)
        .then(codes.str.to_uppercase() + pl.lit("  "))
        .otherwise(pl.lit(" ") + codes)
    ).to_series()
    reason_s = pl.select(
        pl.when(pl.Series(odd)).then(messy).when(pl.Series(null_reason)).then(None).otherwise(codes)
    ).to_series()
    source = _pick(SOURCES, rng.choice(len(SOURCES), size=m, p=_SOURCE_P), "source")
    df = pl.DataFrame(
        {
            "customer_id": ids.gather(cust),
            "churned_at": _dates(day, "churned_at"),
            "reason": reason_s,
            "category": _null_where(category, null_reason),
            "source": source,
            "comment": comment,
        }
    )
    return df.sort("churned_at", "customer_id")


_CONTACT_SCHEMA = {
    "customer_id": pl.String,
    "contacted_at": pl.Date,
    "campaign": pl.String,
    "channel": pl.String,
    "cost": pl.Float64,
    "group": pl.String,
}


def _contacts_frame(ids, parts) -> pl.DataFrame:
    frames = [
        pl.DataFrame(
            {
                "customer_id": ids.gather(cust),
                "contacted_at": _dates(day, "contacted_at"),
                "campaign": pl.repeat(name, cust.size, dtype=pl.String, eager=True),
                "channel": _pick(CONTACT_CHANNELS, ch, "channel"),
                "cost": pl.Series(_CONTACT_COST[ch], dtype=pl.Float64),
                "group": _pick(("control", "treatment"), treat.astype(np.int64), "group"),
            },
            schema=_CONTACT_SCHEMA,
        )
        for cust, day, name, ch, treat in parts
    ]
    if not frames:
        return pl.DataFrame(schema=_CONTACT_SCHEMA)
    return pl.concat(frames).sort("contacted_at", "campaign", "customer_id")


# ----------------------------------------------------------------------------------------------------------
def write_sample(
    out_dir: Path, customers: int = 5000, seed: int = 42, end: date = date(2026, 10, 31)
) -> dict[str, int]:
    """Generate the sample and write ``out_dir/<table>.parquet`` for each table; returns row counts.

    Each file is written to a temporary name in ``out_dir`` and moved into place with ``os.replace``, so
    a reader never sees a half-written file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = generate(customers=customers, seed=seed, end=end)
    counts: dict[str, int] = {}
    for name in TABLES:
        df = frames[name]
        # a unique hidden name in the same folder (same file system, so the rename is atomic); not mkstemp,
        # whose 0600 mode would survive the rename and hide the data from other users
        tmp = out_dir / f".{name}.{os.getpid()}.{uuid.uuid4().hex}.parquet.tmp"
        try:
            df.write_parquet(tmp)
            os.replace(tmp, out_dir / f"{name}.parquet")
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        counts[name] = df.height
    return counts
