"""Input rules of METRICS.md checked on the raw tables before any report runs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from retention.errors import Problem


def today_in(timezone: str) -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()


def check(engine, today: dt.date) -> list[Problem]:
    from retention.db import REQUIRED

    problems: list[Problem] = []
    for name, info in engine.tables.items():
        for col in REQUIRED[name]:
            if col not in info.columns:
                problems.append(Problem(str(info.path), col, 0, None, f"a column '{col}'"))
    return problems
