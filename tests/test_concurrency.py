"""The data layer from several threads at once: same answers as one thread, no shared-cursor errors."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from retention import db
from retention.params import make_params
from retention.queries.cohorts import cohort_table
from retention.queries.common import overview
from retention.settings import Settings


def test_threads_share_one_engine_safely(sample_dir):
    ds = db.open_dataset(sample_dir, today=dt.date(2030, 1, 1))
    grid = [(w, period) for w in (14, 30, 60, 90, 180) for period in ("week", "month", "quarter")]

    def work(item):
        w, period = item
        p = make_params(ds, Settings(), window=w, period=period)
        # Bypass the result caches so every call really runs SQL.
        return cohort_table.__wrapped__(ds, p), overview.__wrapped__(ds, p)

    serial = [work(item) for item in grid]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(work, grid * 2))
    for i, (frame, facts) in enumerate(parallel):
        s_frame, s_facts = serial[i % len(grid)]
        assert frame.equals(s_frame)
        assert facts == s_facts
