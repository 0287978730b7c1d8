"""Every page's default view computed ahead, once per data version (issue 23: each page's first visit at once).

`page_calls` lists, per page, the library calls the page's script makes for a new session (the sidebar at
its defaults, each page's widgets at theirs). `warm` runs them with the result store writing
(retention/results.py): the results land in memory and on disk beside the base cache, so the page's first
visit, in this process or any later server, runs no SQL and no model fit.

Who warms:
- the app, in a background thread, when a session first opens a data version (ui.open_data): after a
  restart it reads the store back into memory; after new data it computes the new version's views;
- `python -m retention prepare`, after the daily import, so that the dashboard's first visitor of the
  day finds everything computed.

tests/test_warm.py runs every page script after `warm` and checks it computed nothing: a page that calls
something else, or with other arguments, fails there until this list follows it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from retention import db, results
from retention.errors import InputError
from retention.params import Params, attributes, make_params
from retention.settings import Settings

log = logging.getLogger(__name__)
_started: set[db.Dataset] = set()
_lock = threading.Lock()


def default_params(ds: db.Dataset, settings: Settings) -> Params:
    """The Params of a new session's sidebar (retention/ui.py _sidebar with apply_query on an empty URL)."""
    meta = db.engine(ds).meta
    window_map = dict(settings.window_map)
    window_by = settings.window_by if window_map else None
    return make_params(
        ds, settings, as_of=meta["default_as_of"], window=max(7, min(730, settings.window)),
        window_by=window_by or "", window_map=window_map, filters={}, period=settings.period,
    )  # fmt: skip


def page_calls(ds: db.Dataset, settings: Settings, p: Params) -> dict[str, list[Callable[[], object]]]:
    """Per page key (retention.ui.PAGES), the calls of its default view, in the order the page makes them."""
    from retention.metrics.window import page_whatif_grid
    from retention.queries import lifecycle, reasons
    from retention.queries import predict as pr
    from retention.queries.campaigns import campaign_figures, contacts_table
    from retention.queries.cohorts import cohort_table
    from retention.queries.common import attribute_values, overview
    from retention.queries.lists import alert_page_list, winback_page_list
    from retention.queries.profit import cohort_profit, kpi_report, retention_value, shows_profit
    from retention.queries.value import value_grid, value_segments, value_tiers
    from retention.queries.window import PAGE_MAX_DAYS, recommend, return_curves, whatif

    attrs = attributes(ds)
    by = settings.window_by if settings.window_by in attrs else (attrs[0] if attrs else None)
    profit = shows_profit(ds, p)
    check_p = p.with_(as_of=p.as_of - dt.timedelta(days=pr.PAGE_HOLDOUT_DAYS))
    return {
        "overview": [lambda: attribute_values(ds, 200), lambda: overview(ds, p)],
        "kpis": [lambda: kpi_report(ds, p), lambda: retention_value(ds, p, (5,))]
        + ([lambda: campaign_figures(ds, p)] if p.acquisition_cost is not None else []),
        "cohorts": [lambda: cohort_table(ds, p)] + ([lambda: cohort_profit(ds, p)] if profit else []),
        "lifecycle": [lambda: lifecycle.status_counts(ds, p), lambda: lifecycle.status_mix(ds, p)],
        "return_window": [
            lambda: return_curves(ds, p, None, PAGE_MAX_DAYS),
            lambda: whatif(ds, p, page_whatif_grid(p.window)),
        ]
        + (
            [
                lambda: return_curves(ds, p, by, PAGE_MAX_DAYS),
                lambda: recommend(ds, p, by, p.return_threshold, PAGE_MAX_DAYS),
            ]
            if by
            else []
        ),
        "reasons": [
            lambda: reasons.reason_span(ds, p),
            lambda: reasons.reason_summary(ds, p, None, None),
            lambda: reasons.reason_table(ds, p, None, None),
            lambda: reasons.lapses_by_period(ds, p, None, None),
        ],
        "value": [lambda: value_segments(ds, p), lambda: value_grid(ds, p), lambda: value_tiers(ds, p)],
        "predictions": [
            lambda: pr.predictions_or_error(ds, p),
            lambda: pr.holdout_check(ds, check_p, pr.PAGE_HOLDOUT_DAYS),
        ],
        "alerts": [lambda: alert_page_list(ds, p, False)],
        "winback": [lambda: winback_page_list(ds, p)],
        "campaigns": [lambda: contacts_table(ds), lambda: campaign_figures(ds, p, "campaign")],
    }


def warm(ds: db.Dataset, settings: Settings, pages: list[str] | None = None) -> list[tuple[str, float, str | None]]:
    """Compute (or read back) every page's default view with the store writing: (page, seconds, the reason
    it could not be computed or None) per page."""
    done = []
    with results.writing():
        try:
            store = getattr(db.engine(ds), "results_dir", None)
            if store is not None:
                results.prune_others(store)
            p = default_params(ds, settings)
            calls = page_calls(ds, settings, p)
        except InputError as exc:  # the data changed or was closed meanwhile: nothing to do
            return [("*", 0.0, str(exc))]
        for page, page_calls_ in calls.items():
            if pages and page not in pages:
                continue
            started, why = time.perf_counter(), None
            for call in page_calls_:
                try:
                    call()
                except InputError as exc:  # the page shows this message (too little data, a model that cannot fit)
                    why = str(exc)
            done.append((page, time.perf_counter() - started, why))
        if store is not None and not pages:
            results.mark_complete(store)
    return done


def start(ds: db.Dataset, settings: Settings) -> threading.Thread | None:
    """Warm ds in a background thread, once per process and data version, when its results are stored."""
    store = getattr(db.engine(ds), "results_dir", None) if results.enabled() else None
    if store is None or results.is_complete(store):  # complete: each page reads its results when it runs
        return None
    with _lock:
        if ds in _started:
            return None
        _started.add(ds)
    thread = threading.Thread(target=_run, args=(ds, settings), name="retention-warm", daemon=True)
    thread.start()
    return thread


def _run(ds: db.Dataset, settings: Settings) -> None:
    try:
        for page, seconds, _why in warm(ds, settings):
            log.debug("warmed %s in %.2f s", page, seconds)
    except Exception:  # a background warm never stops the app; the page computes what is missing
        log.warning("warming the pages of %s failed", ds.data_dir, exc_info=True)
