"""Win-back campaigns (METRICS.md "Win-back campaigns"): figures per campaign, channel and group, how quickly
the contacted come back, and the statuses of the contacted customers before and after the contact."""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from retention.db import Dataset, engine
from retention.params import Params

CAMPAIGN_COLUMNS = [
    "campaign", "contacts", "won_back", "win_back_rate", "revenue_won", "cost", "cost_per_win", "roi",
    "control_size", "control_rate", "uplift",
]  # fmt: skip
EXTRA_COLUMNS = ["open_contacts", "control_won_back", "control_open", "uplift_low", "uplift_high"]

# Split -> (key expression, rows measured, rows held out), all fixed SQL over contact_facts' columns.
# By campaign or channel the treatment rows are measured against the control rows; by group each group's
# own rows are measured and nothing is held out (so control and uplift are null there).
SPLITS = {
    "campaign": ("campaign", "contact_group = 'treatment'", "contact_group = 'control'"),
    "channel": ("channel", "contact_group = 'treatment'", "contact_group = 'control'"),
    "group": ("contact_group", "true", "false"),
}

STATUS_ORDER = ("not_yet", "prospect", "new", "at_risk", "alert", "loyal", "lost", "reactivated")


@lru_cache(maxsize=64)
def campaign_figures(ds: Dataset, p: Params, by: str = "campaign") -> pl.DataFrame:
    """One row per campaign (or `channel`, or `group`), sorted by it (null last), for the contacts dated on
    or before T of customers in scope, with the window `p.attribution_days`.

    Columns: the key (`campaign`, `channel` or `group`), `contacts`, `won_back`, `win_back_rate`,
    `revenue_won`, `cost`, `cost_per_win`, `roi`, `control_size`, `control_rate`, `uplift` (the CLI columns),
    then `open_contacts` (treatment rows whose window reaches past T), `control_won_back`, `control_open`,
    `uplift_low`, `uplift_high` (the 95% interval of the uplift). By group, every row of the group is
    measured and control columns are null (a group has no control group of its own).
    """
    if by not in SPLITS:
        raise ValueError(f"unknown split {by!r}; expected one of {', '.join(SPLITS)}")
    key, measured, held_out = SPLITS[by]
    frame = engine(ds).run("campaigns", p.sql(), key=key, measured=measured, held_out=held_out).rename({"key": by})
    if by == "group":
        held = ["control_size", "control_won_back", "control_open"]
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(c) for c in held)
    return frame


def cli_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """The `campaigns` report of CLI.md: exactly its columns, sorted by campaign."""
    return campaign_figures(ds, p, "campaign").select(CAMPAIGN_COLUMNS)


@lru_cache(maxsize=64)
def wins_by_day(ds: Dataset, p: Params, campaign: str | None = None) -> pl.DataFrame:
    """Cumulative win-backs by day since the contact, for one campaign (or all when None).

    Columns: `contact_group` (treatment first), `day` (1 .. attribution_days), `contacts` (rows of the group),
    `won_back` (contacts with a purchase day in (contacted_at, contacted_at + day], cut at T) and
    `won_back_share` = won_back / contacts; on the last day it is the group's win-back rate.
    """
    return engine(ds).run("campaign_wins", p.sql() | {"campaign": campaign})


@lru_cache(maxsize=64)
def status_flow(ds: Dataset, p: Params) -> pl.DataFrame:
    """Contacts counted by `campaign`, `contact_group`, `status_before` (status on contacted_at - 1) and
    `status_after` (status at the end of the attribution window, or at T when it is still open): column
    `contacts`. Statuses follow METRICS.md "Status as of T" evaluated at those dates; `not_yet` for a
    customer without a purchase day or a customers row by then."""
    return engine(ds).run("campaign_statuses", p.sql())


@lru_cache(maxsize=8)
def contacts_table(ds: Dataset) -> dict:
    """What the contacts table holds, whatever filters and T: `contact_rows`, `first_contact`, `last_contact`."""
    return engine(ds).run("campaign_table").row(0, named=True)
