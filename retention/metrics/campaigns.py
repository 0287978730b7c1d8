"""Shaping of the campaign figures for the page: verdicts on the uplift, open contacts, status flows, and the
figures as a readable table (no I/O, no streamlit)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from retention import i18n
from retention.i18n import t
from retention.safe import md_text


def uplift_verdict(row: dict) -> str:
    """`no_contacts` (no treatment rows), `no_control` (no control rows), `unclear` when the 95% interval of
    the uplift includes zero (too few customers to tell), else `better` or `worse`."""
    if row.get("win_back_rate") is None:
        return "no_contacts"
    if row.get("control_rate") is None:
        return "no_control"
    if row["uplift_low"] <= 0 <= row["uplift_high"]:
        return "unclear"
    return "better" if row["uplift_low"] > 0 else "worse"


def open_counts(figures: pl.DataFrame) -> tuple[int, int]:
    """(open contacts, all contacts) over treatment and control rows of a per-campaign or per-channel frame."""
    if figures.is_empty():
        return 0, 0
    opened = int(figures["open_contacts"].sum() + figures["control_open"].fill_null(0).sum())
    total = int(figures["contacts"].sum() + figures["control_size"].fill_null(0).sum())
    return opened, total


def flow_counts(flow: pl.DataFrame, campaign: str | None = None, group: str = "treatment") -> pl.DataFrame:
    """Contacts per (`status_before`, `status_after`) of one group, for one campaign or all (None)."""
    rows = flow.filter(pl.col("contact_group") == group)
    if campaign is not None:
        rows = rows.filter(pl.col("campaign") == campaign)
    return (
        rows.group_by("status_before", "status_after")
        .agg(pl.col("contacts").sum())
        .sort("contacts", "status_before", "status_after", descending=[True, False, False])
    )


def key_label(by: str, value: object) -> str:
    """A campaign, channel or group as shown: groups translated, a missing value named."""
    if value is None:
        return t("campaigns.none_value")
    if by == "group":
        return t(f"campaigns.group_{value}") if i18n.has(f"campaigns.group_{value}") else str(value)
    return str(value)


def _pts(x: object) -> str:
    """A difference of two rates in percentage points, signed."""
    if x is None:
        return "–"
    return f"{100 * float(x):+.1f} {t('campaigns.pts')}"  # type: ignore[arg-type]


def display_table(
    figures: pl.DataFrame, by: str, money: Callable[..., str], profit: bool = False, acquisition: bool = False
) -> pl.DataFrame:
    """The figures as text in the current language: rates as %, money in the currency, uplift in points
    with its 95% interval; by group the control columns are left out. `profit` adds profit won and its ROI
    (only when profit differs from revenue), `acquisition` the cost per win against an acquisition."""
    rows = []
    for r in figures.iter_rows(named=True):
        row = {
            t(f"campaigns.col_{by}"): key_label(by, r[by]),
            t("campaigns.col_contacts"): i18n.fmt_int(r["contacts"]),
            t("campaigns.col_won_back"): i18n.fmt_int(r["won_back"]),
            t("campaigns.col_win_back_rate"): i18n.fmt_pct(r["win_back_rate"]),
        }
        if by != "group":
            interval = (
                f"{100 * r['uplift_low']:+.1f} … {100 * r['uplift_high']:+.1f}" if r["uplift_low"] is not None else "–"
            )
            row |= {
                t("campaigns.col_control_size"): i18n.fmt_int(r["control_size"]),
                t("campaigns.col_control_rate"): i18n.fmt_pct(r["control_rate"]),
                t("campaigns.col_uplift"): _pts(r["uplift"]),
                t("campaigns.col_interval"): interval,
            }
        row |= {
            t("campaigns.col_revenue_won"): money(r["revenue_won"]),
            t("campaigns.col_cost"): money(r["cost"]),
            t("campaigns.col_cost_per_win"): money(r["cost_per_win"], 2),
            t("campaigns.col_roi"): i18n.fmt_pct(r["roi"], 0),
            t("campaigns.col_open"): i18n.fmt_int(r["open_contacts"]),
        }
        if profit:
            row |= {
                t("winback.col_profit_won"): money(r["profit_won"]),
                t("winback.col_profit_roi"): i18n.fmt_pct(r["profit_roi"], 0),
            }
        if acquisition:
            row[t("winback.col_vs_acquisition")] = i18n.fmt_pct(r["cost_per_win_vs_acquisition"], 0)
        rows.append(row)
    return pl.DataFrame(rows) if rows else pl.DataFrame()


def uplift_line(row: dict) -> str:
    """One sentence on a campaign's uplift: its size, interval and control group, or why there is none."""
    verdict = uplift_verdict(row)
    # shown in markdown: the campaign name (the user's data) as literal text
    name = md_text(row["campaign"]) if row.get("campaign") is not None else t("campaigns.none_value")
    if verdict in ("no_contacts", "no_control"):
        return t(f"campaigns.verdict_{verdict}", campaign=name)
    return t(
        f"campaigns.verdict_{verdict}",
        campaign=name,
        uplift=_pts(row["uplift"]),
        low=_pts(row["uplift_low"]),
        high=_pts(row["uplift_high"]),
        treated=i18n.fmt_pct(row["win_back_rate"]),
        control=i18n.fmt_pct(row["control_rate"]),
        n1=i18n.fmt_int(row["contacts"]),
        n0=i18n.fmt_int(row["control_size"]),
    )


def figures_file(figures: pl.DataFrame) -> pl.DataFrame:
    """The per-campaign download: the CLI report's columns, then the interval and control counts."""
    from retention.queries.campaigns import EXTRA_COLUMNS, REPORT_COLUMNS

    return figures.select(REPORT_COLUMNS + EXTRA_COLUMNS)


def campaign_names(figures: pl.DataFrame) -> list[str]:
    """The campaigns of a per-campaign frame, in its order (a missing name left out)."""
    return figures["campaign"].drop_nulls().to_list()


def open_line(figures: pl.DataFrame, days: int) -> str:
    """The line under the title: how many contacts are still inside their attribution window."""
    from retention import i18n
    from retention.i18n import t

    opened, total = open_counts(figures)
    key = "campaigns.open_line" if opened else "campaigns.open_none"
    return t(key, open=i18n.fmt_int(opened), total=i18n.fmt_int(total), days=days)
