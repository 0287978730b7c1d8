"""Who is behind a number (METRICS.md "Who is behind a number"): the customers a count of a report names.

Each kind runs its own SQL file, built from the same shared steps as the report it explains (the lifecycle
rules, the RFM scores, the reason rows, the campaign contacts, the cohort and KPI event definitions), so the
number of rows equals the report's count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from retention import periods
from retention.db import Dataset, engine
from retention.errors import InputError
from retention.params import Params, attributes, check_range
from retention.queries.cached import query as cached_query
from retention.queries.common import with_attributes
from retention.queries.lifecycle import NOT_YET, STATUSES
from retention.queries.rfm import SEGMENTS, TIERS

KINDS = {
    "cohort": "cohort:COHORT:K:active|alive",
    "status": "status:STATUS",
    "migration": "migration:FROM:TO (with --from/--to)",
    "kpi": "kpi:PERIOD:new|reactivations|lapses",
    "reason": "reason:CODE",
    "rfm": "rfm:R:F",
    "segment": "segment:NAME",
    "tier": "tier:NAME",
    "campaign": "campaign:NAME:won_back",
}
COHORT_MEASURES = ("active", "alive")
KPI_EVENTS = ("new", "reactivations", "lapses")
BASE_COLUMNS = ["customer_id", "status"]


@dataclass(frozen=True)
class Of:
    """A parsed `--of KIND:...`: the kind and its values (text as given, checked by `check`)."""

    kind: str
    values: tuple[str, ...]

    @property
    def text(self) -> str:
        return ":".join((self.kind, *self.values))


def parse(text: str) -> Of:
    """`KIND:VALUE:...` -> Of; an unknown kind or a wrong number of values is an InputError."""
    kind, _, rest = (text or "").strip().partition(":")
    if kind not in KINDS:
        raise InputError(
            f"--of '{text}': unknown kind '{kind}'; expected one of: {', '.join(KINDS.values())} "
            "(example: --of status:alert)."
        )
    if kind in ("reason", "segment", "tier", "status"):
        values = (rest,)  # a reason code may hold a colon
    elif kind == "campaign":
        name, _, measure = rest.rpartition(":")
        values = (name, measure)
    else:
        values = tuple(rest.split(":"))
    want = KINDS[kind].split(" ")[0].count(":")
    if len(values) != want or not all(v.strip() for v in values):
        raise InputError(f"--of '{text}': expected {KINDS[kind]} (example: {_example(kind)}).")
    return Of(kind, tuple(v.strip() for v in values))


def _example(kind: str) -> str:
    return {
        "cohort": "cohort:2024-01-01:2:active",
        "status": "status:alert",
        "migration": "migration:loyal:lost --from 2024-01-01 --to 2024-06-30",
        "kpi": "kpi:2024-06-01:lapses",
        "reason": "reason:price",
        "rfm": "rfm:5:4",
        "segment": "segment:champions",
        "tier": "tier:high",
        "campaign": "campaign:spring_winback:won_back",
    }[kind]


def _period_date(text: str, what: str, p: Params, of: Of) -> dt.date:
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--of '{of.text}': {what} '{text}' is not a date of the form YYYY-MM-DD.") from None
    if periods.start(d, p.period) != d:
        raise InputError(
            f"--of '{of.text}': {what} {d} is not the first day of a {p.period}; expected "
            f"{periods.start(d, p.period)} (the {p.period}'s first day, as the reports print it)."
        )
    if d > p.as_of:
        raise InputError(f"--of '{of.text}': {what} {d} is after the as-of date {p.as_of}.")
    return d


def _one_of(value: str, allowed: tuple[str, ...] | list[str], what: str, of: Of) -> str:
    if value not in allowed:
        shown = ", ".join(allowed[:30]) + (", ..." if len(allowed) > 30 else "")
        raise InputError(
            f"--of '{of.text}': unknown {what} '{value}'; expected one of: {shown or '(none in the data)'}."
        )
    return value


# The SQL file of each kind of set (query() picks one): a member list is cached on the parameters they use.
MEMBER_SQL = tuple(f"members_{kind}" for kind in ("campaign", "cohort", "kpi", "migration", "reason", "rfm", "status"))


@cached_query("members_values", maxsize=8, columns=None)
def known_values(ds: Dataset) -> dict[str, list[str]]:
    """{'reason': codes, 'campaign': names} in the data (any date, any customer)."""
    out: dict[str, list[str]] = {"reason": [], "campaign": []}
    for kind, value in engine(ds).run("members_values").iter_rows():
        out[kind].append(value)
    return out


def query(
    ds: Dataset, p: Params, of: Of, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> tuple[str, dict]:
    """The SQL file and parameters of a set, its values checked (InputError on an unknown one)."""
    kind, v = of.kind, of.values
    params = p.sql()
    if kind == "status":
        return "members_status", params | {"status": _one_of(v[0], STATUSES, "status", of)}
    if kind == "migration":
        if date_from is None or date_to is None:
            raise InputError(f"--of '{of.text}': a migration needs both --from DATE and --to DATE (YYYY-MM-DD).")
        check_range(p, date_from, date_to)
        return "members_migration", params | {
            "from_status": _one_of(v[0], (NOT_YET, *STATUSES), "status", of),
            "to_status": _one_of(v[1], STATUSES, "status", of),
            "date_from": date_from,
            "date_to": date_to,
        }
    if kind == "cohort":
        cohort = _period_date(v[0], "cohort", p, of)
        try:
            k = int(v[1])
        except ValueError:
            raise InputError(f"--of '{of.text}': K '{v[1]}' is not a whole number of periods (0, 1, 2, ...).") from None
        target = periods.add(cohort, p.period, k) if k >= 0 else None
        if target is None or target > p.as_of:
            raise InputError(
                f"--of '{of.text}': K {k} is outside the cohort's periods; expected 0 up to the {p.period} holding "
                f"the as-of date {p.as_of}."
            )
        measure = _one_of(v[2], COHORT_MEASURES, "cohort measure", of)
        return "members_cohort", params | {"cohort": cohort, "target": target, "measure": measure}
    if kind == "kpi":
        start = _period_date(v[0], "period", p, of)
        return "members_kpi", params | {"period_start": start, "event": _one_of(v[1], KPI_EVENTS, "KPI event", of)}
    if kind == "reason":
        code = v[0].strip().lower()
        _one_of(code, known_values(ds)["reason"], "reason", of)
        check_range(p, date_from, date_to)
        return "members_reason", params | {"reason": code, "date_from": date_from, "date_to": date_to}
    if kind in ("rfm", "segment", "tier"):
        cell = {"r": None, "f": None, "segment": None, "tier": None}
        if kind == "rfm":
            for name, value in zip(("r", "f"), v, strict=True):
                if value not in ("1", "2", "3", "4", "5"):
                    raise InputError(f"--of '{of.text}': score {name.upper()} '{value}' is not one of 1, 2, 3, 4, 5.")
                cell[name] = int(value)
        elif kind == "segment":
            cell["segment"] = _one_of(v[0], SEGMENTS, "segment", of)
        else:
            cell["tier"] = _one_of(v[0], TIERS, "tier", of)
        return "members_rfm", params | cell
    # campaign
    _one_of(v[1], ("won_back",), "campaign set", of)
    return "members_campaign", params | {"campaign": _one_of(v[0], known_values(ds)["campaign"], "campaign", of)}


def members(
    ds: Dataset, p: Params, of: Of | str, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pl.DataFrame:
    """The customers of a set, one row each, sorted by customer_id as text: `customer_id`, `status` (at T;
    null for a customer not known at T), then one text column per customer attribute (schema order; null
    without a value). The CLI's `members`; the range matters only for `migration` and `reason`."""
    of = parse(of) if isinstance(of, str) else of
    if of.kind not in ("migration", "reason"):
        date_from = date_to = None
    return _members(ds, p, of, date_from, date_to)


@cached_query(*MEMBER_SQL, maxsize=32, uses=("as_of", "period"), columns=None)
def _members(ds: Dataset, p: Params, of: Of, date_from: dt.date | None, date_to: dt.date | None) -> pl.DataFrame:
    name, params = query(ds, p, of, date_from, date_to)
    return with_attributes(engine(ds).run(name, params), BASE_COLUMNS, attributes(ds))
