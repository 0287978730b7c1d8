"""The analysis parameters of METRICS.md as one hashable value, checked against the data's allow-lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from retention import codes, db, periods
from retention.errors import InputError
from retention.settings import Settings

PERIODS = codes.PERIODS


@dataclass(frozen=True)
class Params:
    """Everything a report depends on besides the data; hashable so cached functions key on it."""

    as_of: dt.date
    window: int = 90
    window_by: str | None = None
    window_map: tuple[tuple[str, int], ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    period: str = "month"
    new_days: int = 30
    loyal_min_orders: int = 3
    alert_factor: float = 1.5
    attribution_days: int = 30
    return_threshold: float = 0.10
    reason_categories: tuple[tuple[str, str], ...] = ()
    margin: float = 1.0
    acquisition_cost: float | None = None
    horizon: int = 365
    recent_contact_days: int = 30
    drop_share: float = 0.5

    def sql(self) -> dict:
        """Named SQL parameters (values only; db.Engine passes the ones a query uses)."""
        pairs = [f"{attr}\x1f{value}" for attr, values in self.filters for value in values]
        wmap = self.window_map if self.window_by else ()
        return {
            "as_of": self.as_of,
            "window": self.window,
            "window_by": self.window_by or "",
            "wmap_values": [k for k, _ in wmap],
            "wmap_days": [v for _, v in wmap],
            "filter_pairs": pairs,
            "n_filters": len({attr for attr, _ in self.filters}),
            "period": self.period,
            "period_step": periods.STEP[self.period],
            "new_days": self.new_days,
            "loyal_min_orders": self.loyal_min_orders,
            "alert_factor": self.alert_factor,
            "attribution_days": self.attribution_days,
            "return_threshold": self.return_threshold,
            "cat_reasons": [k for k, _ in self.reason_categories],
            "cat_values": [v for _, v in self.reason_categories],
            "margin": self.margin,
            "acquisition_cost": self.acquisition_cost,
            "horizon": self.horizon,
            "recent_contact_days": self.recent_contact_days,
            "drop_share": self.drop_share,
            # the code lists SQL reads (retention/codes.py): status rule order, the RFM segment of each (r, f)
            "status_codes": list(codes.STATUSES),
            "rf_segments": list(codes.RF_SEGMENTS),
        }

    def with_(self, **changes) -> Params:
        return replace(self, **changes)


def check_range(p: Params, date_from: dt.date | None, date_to: dt.date | None) -> None:
    """The one date-range rule (CLI.md: inclusive bounds, none after T, the start on or before the end) with
    its one message, for the CLI and the queries the pages call; a None bound is open."""
    for name, value in (("--from", date_from), ("--to", date_to)):
        if value is not None and value > p.as_of:
            raise InputError(f"{name} {value} is after the as-of date {p.as_of}; expected a date on or before it.")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InputError(f"--from {date_from} is after --to {date_to}; expected --from on or before --to.")


def default_as_of(ds: db.Dataset) -> dt.date | None:
    return db.engine(ds).meta.get("default_as_of")


def attributes(ds: db.Dataset) -> list[str]:
    """The segment attributes of the customers table: the allow-list for filters and window maps."""
    return list(db.engine(ds).meta.get("attributes", []))


def make_params(
    ds: db.Dataset,
    settings: Settings,
    *,
    as_of: dt.date | None = None,
    window: int | None = None,
    window_by: str | None = None,
    window_map: dict[str, int] | None = None,
    filters: dict[str, list[str]] | None = None,
    period: str | None = None,
    **others,
) -> Params:
    """Params from the settings, overridden by explicit values; a name outside the allow-list is an InputError."""
    allowed = attributes(ds)
    window_by = window_by if window_by is not None else settings.window_by
    window_map = window_map if window_map is not None else settings.window_map
    if window_by and window_by not in allowed:
        raise InputError(
            f"Window by '{window_by}': the customers table has no such attribute; expected one of: "
            f"{', '.join(allowed) or '(none: add a customers table with attribute columns)'}."
        )
    for attr in filters or {}:
        if attr not in allowed:
            raise InputError(
                f"Filter '{attr}': the customers table has no such attribute; expected one of: "
                f"{', '.join(allowed) or '(none: add a customers table with attribute columns)'}."
            )
    period = period or settings.period
    if period not in PERIODS:
        raise InputError(f"Period '{period}' is not one of week, month, quarter.")
    window = window if window is not None else settings.window
    if window < 1:
        raise InputError(f"Window {window}: the expected return window must be at least 1 day.")
    t = as_of or default_as_of(ds)
    if t is None:
        raise InputError(f"{ds.data_dir}: the orders table has no rows, so there is no date to stand on.")
    base = dict(
        new_days=settings.new_days,
        loyal_min_orders=settings.loyal_min_orders,
        alert_factor=settings.alert_factor,
        attribution_days=settings.attribution_days,
        return_threshold=settings.return_threshold,
        reason_categories=tuple(sorted(settings.reason_categories.items())),
        margin=settings.margin,
        acquisition_cost=settings.acquisition_cost,
        horizon=settings.horizon,
        recent_contact_days=settings.recent_contact_days,
        drop_share=settings.drop_share,
    )
    base.update(others)
    return Params(
        as_of=t,
        window=int(window),
        window_by=window_by or None,
        window_map=tuple(sorted((str(k), int(v)) for k, v in (window_map or {}).items())) if window_by else (),
        filters=tuple(sorted((a, tuple(sorted(set(map(str, v))))) for a, v in (filters or {}).items())),
        period=period,
        **base,
    )
