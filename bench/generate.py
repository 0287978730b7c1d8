"""Realistic order data at any size, for the benchmark (`bench/run.py`).

    python bench/generate.py --orders 10000000 --out bench/data/10m [--seed 1] [--years 4] [--customers N]

writes

- ``OUT/orders/part-NNNNN.parquet``: ``customer_id`` (string), ``ordered_at`` (timestamp, UTC), ``amount``
  (double; about 0.5% null, about 2% negative refund rows), in time order (as a shop exports them: month after
  month), row groups of about 1M rows;
- ``OUT/customers.parquet``: ``customer_id, signed_up_at, business_type, region, channel`` (about
  orders / 20 customers unless ``--customers`` says how many, 5% of them prospects without an order);
- ``OUT/churn_reasons.parquet`` and ``OUT/contacts.parquet`` (two win-back campaigns), small.

The story: acquisition grows about 2.5x over the years with a December peak (and a summer dip for cafes);
each customer follows the rhythm of their business type (cafe about weekly, salon about monthly, clinic
a few times a year) with personal variation, buys for an exponentially distributed lifetime (30% buy
once), a bit more often in December and, for cafes, less in summer; campaigns win back some lapsed
customers.

The simulation walks through time a month at a time with the state of every customer (next order day,
end of their buying life) in flat numpy arrays, so memory is bounded by the customers (about 40 bytes
each) plus one month of orders, whatever the total size, and the orders come out already in time order.
Deterministic for a given (orders, seed, years, end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from retention.sample import acquisition_days  # noqa: E402

EPOCH = dt.date(1970, 1, 1)
DAY_US = 86_400_000_000
SEC_US = 1_000_000
NEVER = np.iinfo(np.int32).max

TYPES = ("cafe", "salon", "clinic")
TYPE_P = np.array([0.60, 0.25, 0.15])
RHYTHM = np.array([10.0, 35.0, 120.0])  # mean gap between visits in days, before calibration
GAP_SHAPE = np.array([2.5, 3.0, 4.0])  # gamma shape of the gaps (clinics the most regular)
LIFETIME = np.array([400.0, 600.0, 1000.0])  # mean buying lifetime (exponential), days
ONE_OFF = 0.30  # buy once and never again
AMOUNT_MEDIAN = np.array([7.0, 55.0, 160.0])
AMOUNT_SIGMA = np.array([0.30, 0.30, 0.38])
REGIONS = ("North", "South", "East", "West")
REGION_P = np.array([0.28, 0.26, 0.24, 0.22])
CHANNELS = ("walk_in", "referral", "social", "search")
CHANNEL_P = np.array([0.45, 0.20, 0.20, 0.15])

ORDERS_PER_CUSTOMER = 20
PROSPECT = 0.05
SIGNUP_NULL = 0.10
GROWTH = 2.5
DECEMBER_PEAK = 1.4
CAFE_SUMMER_DIP = 0.75
DECEMBER_GAP = 0.8  # gaps drawn in December are shorter (more visits)
CAFE_SUMMER_GAP = 1.3  # cafe gaps drawn in June-August are longer
SAME_DAY = 0.015  # extra rows on a day the customer already bought
NULL_AMOUNT = 0.005
REFUND = 0.02  # share of all rows that are refunds
REASONS = ("price", "quality", "service", "habit_change", "competitor", "moved_away", "no_longer_needed")
REASON_P = np.array([0.25, 0.15, 0.15, 0.15, 0.12, 0.10, 0.08])
REASON_ROW = 0.4
CAMPAIGN_MONTHS_BEFORE_END = (8, 2)  # contacts on the 15th of these months before the month of `end`
CONTACT_SHARE = 0.6
CONTROL = 0.15
WIN_BASE, WIN_UPLIFT = 0.05, 0.10
CONTACT_CHANNELS = ("email", "sms", "phone")
CONTACT_COST = np.array([0.5, 1.5, 6.0])
ROW_GROUP = 1_000_000


def day_number(d: dt.date) -> int:
    return (d - EPOCH).days


def month_starts(first: int, last: int) -> np.ndarray:
    """Epoch days of the first day of every month from the one holding `first` to the one after `last`."""
    m0 = np.datetime64(first, "D").astype("datetime64[M]")
    m1 = np.datetime64(last, "D").astype("datetime64[M]") + 1
    return np.arange(m0, m1 + 1).astype("datetime64[D]").astype(np.int64)


def acquisition(rng: np.random.Generator, btype: np.ndarray, start: int, end: int) -> np.ndarray:
    """First-visit (or sign-up, for prospects) day: the sample's rule, with this generator's factors."""
    return acquisition_days(rng, btype, start, end, GROWTH, DECEMBER_PEAK, CAFE_SUMMER_DIP).astype(np.int32)


def calibrate(span: np.ndarray, mean_gap: np.ndarray, shape: np.ndarray, repeats: float) -> float:
    """Scale s of the gaps so that the expected number of repeat visits is `repeats`.

    A renewal process with gamma(k) gaps of mean g has about span / g + (1/k - 1) / 2 renewals in span
    (never fewer than 0); solved for s by bisection on the vectorised sum.
    """
    corr = (1.0 / shape - 1.0) / 2.0
    lo, hi = 1e-3, 1e3
    for _ in range(60):
        s = (lo * hi) ** 0.5
        got = np.maximum(0.0, span / (mean_gap * s) + corr).sum()
        lo, hi = (s, hi) if got > repeats else (lo, s)
    return (lo * hi) ** 0.5


class Writer:
    """Buffers order frames and writes files of whole row groups, in order, each file atomically."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.parts: list[pl.DataFrame] = []
        self.rows = 0
        self.files = 0
        self.written = 0

    def add(self, frame: pl.DataFrame) -> None:
        self.parts.append(frame)
        self.rows += frame.height
        if self.rows >= ROW_GROUP:
            self.flush(whole_groups=True)

    def flush(self, whole_groups: bool = False) -> None:
        """Write the buffer as one file (only whole row groups of ROW_GROUP rows, keeping the rest, if asked)."""
        if not self.parts:
            return
        frame = pl.concat(self.parts)
        keep = frame.height % ROW_GROUP if whole_groups else 0
        frame, rest = frame.head(frame.height - keep), frame.tail(keep)
        self.parts, self.rows = ([rest], rest.height) if keep else ([], 0)
        target = self.folder / f"part-{self.files:05d}.parquet"
        tmp = self.folder / f".part-{self.files:05d}.parquet.tmp"
        frame.write_parquet(tmp, row_group_size=ROW_GROUP, statistics=True)
        os.replace(tmp, target)
        self.files += 1
        self.written += frame.height


def generate(
    out: Path,
    orders: int,
    seed: int = 1,
    years: int = 4,
    end: dt.date = dt.date(2026, 10, 31),
    customers: int | None = None,
) -> dict:
    rng = np.random.default_rng(seed)
    end_day = day_number(end)
    try:
        start_day = day_number(end.replace(year=end.year - years)) + 1
    except ValueError:  # 29 February
        start_day = day_number(end.replace(year=end.year - years, day=28)) + 1
    limit = end_day + 1
    n = customers if customers else max(1, round(orders / ORDERS_PER_CUSTOMER))

    # -- customers -------------------------------------------------------------------------------------
    btype = rng.choice(len(TYPES), size=n, p=TYPE_P).astype(np.int8)
    region = rng.choice(len(REGIONS), size=n, p=REGION_P).astype(np.int8)
    channel = rng.choice(len(CHANNELS), size=n, p=CHANNEL_P).astype(np.int8)
    prospect = rng.random(n) < PROSPECT
    first = acquisition(rng, btype, start_day, end_day)
    shape = GAP_SHAPE[btype]
    mean_gap = RHYTHM[btype] * rng.lognormal(-0.5 * 0.5**2, 0.5, n)
    life = np.where(rng.random(n) < ONE_OFF, 0.0, rng.exponential(LIFETIME[btype]))
    stop = np.minimum(first + life, limit).astype(np.int64)  # exclusive end of the buying life
    censored = first + life >= limit
    spend = rng.lognormal(0.0, 0.2, n)
    buyers = ~prospect
    # visits wanted so that rows (with same-day extras and refunds) come to `orders`
    visits = orders / ((1 + SAME_DAY) * (1 + REFUND / (1 - REFUND)))
    span = np.where(buyers, stop - first, 0).astype(np.float64)
    # the seasonal factors below lengthen cafe gaps on average (3 summer months against one December)
    season = np.array(
        [(8 + DECEMBER_GAP + 3 * CAFE_SUMMER_GAP) / 12, (11 + DECEMBER_GAP) / 12, (11 + DECEMBER_GAP) / 12]
    )
    scale = calibrate(span[buyers], (mean_gap * season[btype])[buyers], shape[buyers], visits - buyers.sum())
    mean_gap *= scale

    # customer ids numbered in sign-up order: sign-up on the first visit or up to 60 days before
    signup_us = first.astype(np.int64) * DAY_US + rng.integers(7 * 3600, 20 * 3600, n) * SEC_US
    early = buyers & (rng.random(n) < 0.5)
    signup_us[early] -= rng.integers(1, 61, early.sum()) * DAY_US
    signup_us = np.maximum(signup_us, start_day * DAY_US)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(signup_us, kind="stable")] = np.arange(n)
    width = max(8, len(str(n)))
    ids = pl.select(
        (pl.lit("C") + pl.Series(rank + 1).cast(pl.String).str.zfill(width)).alias("customer_id")
    ).to_series()
    del rank

    # -- the walk through time ----------------------------------------------------------------------------
    next_day = np.where(buyers, first, NEVER).astype(np.int64)
    last_day = np.full(n, -1, dtype=np.int64)
    campaigns = {
        int(np.datetime64(end, "M").astype(np.int64) - back): f"winback_{back}m" for back in CAMPAIGN_MONTHS_BEFORE_END
    }
    contact_parts = []
    orders_dir = out / "orders"
    if orders_dir.exists():
        shutil.rmtree(orders_dir)
    orders_dir.mkdir(parents=True)
    writer = Writer(orders_dir)
    bounds = month_starts(start_day, end_day)
    for ms, me in zip(bounds[:-1], bounds[1:], strict=True):
        ms, me = int(ms), min(int(me), limit)
        if ms >= limit:
            break
        month_index = int(np.datetime64(ms, "D").astype("datetime64[M]").astype(np.int64))
        if month_index in campaigns:
            contact_parts.append(campaign(rng, campaigns[month_index], ms + 14, next_day, last_day, stop, limit))
        month = (month_index % 12) + 1
        factor = np.array(
            [
                (DECEMBER_GAP if month == 12 else 1.0) * (CAFE_SUMMER_GAP if t == 0 and 6 <= month <= 8 else 1.0)
                for t in range(len(TYPES))
            ]
        )
        cust_parts, day_parts = [], []
        sel = np.flatnonzero(next_day < me)
        while sel.size:
            day = next_day[sel]
            cust_parts.append(sel)
            day_parts.append(day)
            last_day[sel] = day
            k = shape[sel]
            gap = np.maximum(1, np.rint(rng.gamma(k, mean_gap[sel] * factor[btype[sel]] / k))).astype(np.int64)
            nxt = day + gap
            done = nxt >= stop[sel]
            next_day[sel] = np.where(done, NEVER, nxt)
            sel = sel[~done & (nxt < me)]
        if cust_parts:
            writer.add(month_rows(rng, np.concatenate(cust_parts), np.concatenate(day_parts), btype, spend, ids, limit))
    writer.flush()

    # -- customers, churn reasons, contacts ---------------------------------------------------------------
    sign_null = buyers & (rng.random(n) < SIGNUP_NULL)
    customers = pl.DataFrame(
        {
            "customer_id": ids,
            "signed_up_at": pl.Series(signup_us, dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "business_type": pick(TYPES, btype),
            "region": pick(REGIONS, region),
            "channel": pick(CHANNELS, channel),
            "_null": sign_null,
            "_rank": signup_us,
        }
    )
    customers = (
        customers.with_columns(
            pl.when(pl.col("_null")).then(None).otherwise(pl.col("signed_up_at")).alias("signed_up_at")
        )
        .sort("_rank", "customer_id")
        .drop("_null", "_rank")
    )
    write(customers, out / "customers.parquet")

    stopped = (last_day >= 0) & ~censored & (next_day == NEVER)
    churned = last_day + np.rint(mean_gap).astype(np.int64) + rng.integers(0, 29, n)
    has = stopped & (churned <= end_day) & (rng.random(n) < REASON_ROW)
    idx = np.flatnonzero(has)
    reasons = pl.DataFrame(
        {
            "customer_id": ids.gather(idx),
            "churned_at": pl.Series(churned[idx], dtype=pl.Int64).cast(pl.Int32).cast(pl.Date),
            "reason": pick(REASONS, rng.choice(len(REASONS), size=idx.size, p=REASON_P)),
        }
    ).sort("churned_at", "customer_id")
    write(reasons, out / "churn_reasons.parquet")

    contacts = pl.concat(
        [
            pl.DataFrame(
                {
                    "customer_id": ids.gather(c),
                    "contacted_at": pl.Series(np.full(c.size, d), dtype=pl.Int64).cast(pl.Int32).cast(pl.Date),
                    "campaign": pl.repeat(name, c.size, dtype=pl.String, eager=True),
                    "channel": pick(CONTACT_CHANNELS, ch),
                    "cost": pl.Series(CONTACT_COST[ch], dtype=pl.Float64),
                    "group": pick(("treatment", "control"), control.astype(np.int8)),
                }
            )
            for name, d, c, ch, control in contact_parts
        ]
    )
    write(contacts, out / "contacts.parquet")
    return {
        "orders": writer.written,
        "order_files": writer.files,
        "customers": n,
        "churn_reasons": reasons.height,
        "contacts": contacts.height,
        "first_day": str(np.datetime64(start_day, "D")),
        "end": str(end),
    }


def campaign(rng, name, day, next_day, last_day, stop, limit):
    """Contact lapsed customers on `day`; the treated ones (and a few controls) come back within 30 days."""
    n = next_day.size
    silence = day - last_day
    eligible = (last_day >= 0) & (next_day == NEVER) & (silence > 90) & (silence <= 455)
    chosen = np.flatnonzero(eligible & (rng.random(n) < CONTACT_SHARE))
    control = rng.random(chosen.size) < CONTROL
    channel = rng.choice(len(CONTACT_CHANNELS), size=chosen.size, p=[0.6, 0.3, 0.1])
    won = rng.random(chosen.size) < WIN_BASE + np.where(control, 0.0, WIN_UPLIFT)
    back = day + rng.integers(1, 31, chosen.size)
    won &= back < limit
    w = chosen[won]
    next_day[w] = back[won]
    stop[w] = np.minimum(back[won] + 1 + rng.exponential(120.0, w.size), limit).astype(np.int64)
    return name, day, chosen, channel, control


def month_rows(rng, cust, day, btype, spend, ids, limit) -> pl.DataFrame:
    """The order rows of one month: visits, same-day extras, refunds; sorted by time."""
    extra = np.flatnonzero(rng.random(cust.size) < SAME_DAY)
    cust = np.concatenate([cust, cust[extra]])
    day = np.concatenate([day, day[extra]])
    t = btype[cust]
    us = day * DAY_US + rng.integers(7 * 3600, 21 * 3600, cust.size) * SEC_US
    amount = np.round(AMOUNT_MEDIAN[t] * rng.lognormal(0.0, AMOUNT_SIGMA[t]) * spend[cust], 2)
    null = rng.random(cust.size) < NULL_AMOUNT
    ref = np.flatnonzero(~null & (rng.random(cust.size) < REFUND / (1 - REFUND)))
    ref_amount = -np.where(rng.random(ref.size) < 0.6, amount[ref], np.round(amount[ref] * 0.5, 2))
    delay = np.where(rng.random(ref.size) < 0.5, 0, rng.integers(1, 15, ref.size)) * DAY_US
    ref_us = np.minimum(us[ref] + delay + rng.integers(600, 7200, ref.size) * SEC_US, limit * DAY_US - 1)
    frame = pl.DataFrame(
        {
            "customer_id": ids.gather(np.concatenate([cust, cust[ref]])),
            "ordered_at": pl.Series(np.concatenate([us, ref_us]), dtype=pl.Int64).cast(pl.Datetime("us", "UTC")),
            "amount": pl.Series(np.concatenate([amount, ref_amount]), dtype=pl.Float64),
            "_null": np.concatenate([null, np.zeros(ref.size, dtype=bool)]),
        }
    )
    return (
        frame.with_columns(pl.when(pl.col("_null")).then(None).otherwise(pl.col("amount")).alias("amount"))
        .drop("_null")
        .sort("ordered_at", maintain_order=True)
    )


def pick(values, idx: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(np.asarray(idx, dtype=np.int64))


def write(frame: pl.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.write_parquet(tmp, row_group_size=ROW_GROUP)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, required=True, help="about this many order rows")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 10, 31))
    parser.add_argument(
        "--customers", type=int, default=None, help="this many customers (default: orders / 20); the rhythms adapt"
    )
    args = parser.parse_args(argv)
    if args.orders < 1 or args.years < 1 or (args.customers is not None and args.customers < 1):
        parser.error("--orders, --years and --customers must be at least 1")
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    counts = generate(args.out, args.orders, args.seed, args.years, args.end, args.customers)
    took = time.perf_counter() - started
    print(", ".join(f"{k}: {v:,}" if isinstance(v, int) else f"{k}: {v}" for k, v in counts.items()))
    print(f"written to {args.out} in {took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
