"""Win-back campaigns (METRICS.md "Win-back campaigns"): figures per campaign, channel and group, how quickly
the contacted come back, and the statuses of the contacted customers before and after the contact."""

from __future__ import annotations

import polars as pl

from retention import codes
from retention.db import Dataset, engine
from retention.params import Params
from retention.queries.cached import query

CAMPAIGN_COLUMNS = [
    "campaign", "contacts", "won_back", "win_back_rate", "revenue_won", "cost", "cost_per_win", "roi",
    "control_size", "control_rate", "uplift",
]  # fmt: skip
# The profit and acquisition-cost columns the CLI report gains (METRICS.md "Profit and acquisition cost").
PROFIT_COLUMNS = ["profit_won", "profit_roi", "cost_per_win_vs_acquisition"]
REPORT_COLUMNS = [*CAMPAIGN_COLUMNS, *PROFIT_COLUMNS]
BY_KEYS = ("status_before", "tier_before")
EXTRA_COLUMNS = ["open_contacts", "control_won_back", "control_open", "uplift_low", "uplift_high"]

# Split -> (key expression, rows measured, rows held out), all fixed SQL over contact_facts' columns.
# By campaign or channel the treatment rows are measured against the control rows; by group each group's
# own rows are measured and nothing is held out (so control and uplift are null there).
SPLITS = {
    "campaign": ("campaign", "contact_group = 'treatment'", "contact_group = 'control'"),
    "channel": ("channel", "contact_group = 'treatment'", "contact_group = 'control'"),
    "group": ("contact_group", "true", "false"),
}

STATUS_ORDER = codes.STATUS_JOURNEY


@query("campaigns", maxsize=64, columns=lambda ds, p, by="campaign": [by, *REPORT_COLUMNS[1:], *EXTRA_COLUMNS])
def campaign_figures(ds: Dataset, p: Params, by: str = "campaign") -> pl.DataFrame:
    """One row per campaign (or channel, or group, by `by`), sorted by it (null last), for the contacts dated on
    or before T of customers in scope, with the window `p.attribution_days`.

    Columns: the key (`by`: campaign, channel or group), `contacts`, `won_back`, `win_back_rate`,
    `revenue_won`, `cost`, `cost_per_win`, `roi`, `control_size`, `control_rate`, `uplift` (the CLI columns),
    `profit_won`, `profit_roi`, `cost_per_win_vs_acquisition` (null without an acquisition cost), then `open_contacts` (treatment rows whose window reaches past T), `control_won_back`, `control_open`,
    `uplift_low`, `uplift_high` (the 95% interval of the uplift). By group, every row of the group is
    measured and control columns are null (a group has no control group of its own).
    """
    if by not in SPLITS:
        raise ValueError(f"unknown split {by!r}; expected one of {', '.join(SPLITS)}")
    key, measured, held_out = SPLITS[by]
    frame = (
        engine(ds)
        .run("campaigns", p.sql(), key=key, measured=measured, held_out=held_out)
        .drop("by_value")
        .rename({"key": by})
    )
    if by == "group":
        held = ["control_size", "control_won_back", "control_open"]
        frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(c) for c in held)
    return frame


def cli_table(ds: Dataset, p: Params) -> pl.DataFrame:
    """The `campaigns` report of CLI.md: exactly its columns, sorted by campaign."""
    return campaign_figures(ds, p, "campaign").select(CAMPAIGN_COLUMNS)


def report_table(ds: Dataset, p: Params, by: str | None = None) -> pl.DataFrame:
    """The `campaigns` report of CLI.md with its profit columns; with `by` (status_before, tier_before or a
    segment attribute) split per campaign and key value, the key value second as `by_value`."""
    if by is None:
        return campaign_figures(ds, p, "campaign").select(REPORT_COLUMNS)
    return campaigns_by(ds, p, by).select("campaign", "by_value", *REPORT_COLUMNS[1:])


@query(
    "campaigns_by_attribute",
    "campaigns_by_status",
    "campaigns_by_tier",
    maxsize=64,
    columns=lambda ds, p, by: ["campaign", "by_value", *REPORT_COLUMNS[1:], *EXTRA_COLUMNS],
)
def campaigns_by(ds: Dataset, p: Params, by: str) -> pl.DataFrame:
    """Every figure of campaign_figures per campaign and value of `by`, sorted by campaign then value: `campaign`,
    `by_value`, then campaign_figures' columns. `by` is status_before (the status at contacted_at - 1,
    'not_yet' without one), tier_before (the value tier that day among the customers with a purchase day by
    then, 'none' without one) or a segment attribute ('none' without a value); a value with control rows only
    has 0 contacts. Another name is an InputError."""
    from retention.errors import InputError
    from retention.params import attributes

    if by == "status_before":
        frame = engine(ds).run("campaigns_by_status", p.sql())
    elif by == "tier_before":
        frame = engine(ds).run("campaigns_by_tier", p.sql())
    elif by in attributes(ds):
        frame = engine(ds).run("campaigns_by_attribute", p.sql() | {"by_attribute": by})
    else:
        names = ", ".join([*BY_KEYS, *attributes(ds)])
        raise InputError(f"--by '{by}': not a key to split campaigns by; expected one of: {names}.")
    return frame.rename({"key": "campaign"})


@query("campaign_wins", maxsize=64)
def wins_by_day(ds: Dataset, p: Params, campaign: str | None = None) -> pl.DataFrame:
    """Cumulative win-backs by day since the contact, for one campaign (or all when None).

    Columns: `contact_group` (treatment first), `day` (1 .. attribution_days), `contacts` (rows of the group),
    `won_back` (contacts with a purchase day in (contacted_at, contacted_at + day], cut at T) and
    `won_back_share` = won_back / contacts; on the last day it is the group's win-back rate.
    """
    return engine(ds).run("campaign_wins", p.sql() | {"campaign": campaign})


@query("campaign_statuses", maxsize=64)
def status_flow(ds: Dataset, p: Params) -> pl.DataFrame:
    """Contacts counted by `campaign`, `contact_group`, `status_before` (status on contacted_at - 1) and
    `status_after` (status at the end of the attribution window, or at T when it is still open): column
    `contacts`. Statuses follow METRICS.md "Status as of T" evaluated at those dates; 'not_yet' for a
    customer without a purchase day or a customers row by then."""
    return engine(ds).run("campaign_statuses", p.sql())


@query("campaign_table", maxsize=8)
def contacts_table(ds: Dataset) -> dict:
    """What the contacts table holds, whatever filters and T: `contact_rows`, `first_contact`, `last_contact`."""
    return engine(ds).run("campaign_table").row(0, named=True)
