"""Shaping for the win-back list, the slowing tab and the profit sentences of the KPI page (pure polars, no I/O)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from retention import i18n
from retention.i18n import t


def filter_winback(
    listed: pl.DataFrame, tiers: list[str], segments: list[str], loyal_only: bool, not_recent: bool
) -> pl.DataFrame:
    """Rows of the win-back list (with value_tier and rfm_segment) whose tier and RFM segment are among the
    chosen ones (an empty choice keeps all), loyal ones only, and not contacted recently when asked."""
    out = listed
    if tiers:
        out = out.filter(pl.col("value_tier").is_in(tiers))
    if segments:
        out = out.filter(pl.col("rfm_segment").is_in(segments))
    if loyal_only:
        out = out.filter(pl.col("was_loyal"))
    if not_recent:
        out = out.filter(~pl.col("recently_contacted"))
    return out


def winback_tiles(listed: pl.DataFrame) -> dict:
    """`customers`, `value_at_stake` (the sum of revenue_last_year), `was_loyal` (how many were loyal),
    `never_contacted` (no treatment contact on or before T)."""
    if listed.is_empty():
        return {"customers": 0, "value_at_stake": 0.0, "was_loyal": 0, "never_contacted": 0}
    return {
        "customers": listed.height,
        "value_at_stake": float(listed["revenue_last_year"].sum()),
        "was_loyal": int(listed["was_loyal"].sum()),
        "never_contacted": int(listed["last_contacted_at"].is_null().sum()),
    }


def call_list(listed: pl.DataFrame, first: list[str]) -> pl.DataFrame:
    """The call list file: the CLI's columns and attributes, then segment and tier."""
    rest = [c for c in listed.columns if c not in first and c not in ("rfm_segment", "value_tier")]
    return listed.select(*first, *rest, "rfm_segment", "value_tier")


def slowing_trigger(row: dict, window: int, share: float, money: Callable[..., str]) -> str:
    """Why a customer is on the slowing list, in words, from its row of the slowing report."""
    days = t(
        "winback.trigger_days", recent=i18n.fmt_int(row["recent_days"]), expected=i18n.fmt_num(row["expected_days"]),
        window=window,
    )  # fmt: skip
    spend = t(
        "winback.trigger_spend", recent=money(row["recent_spend"]), expected=money(row["expected_spend"]),
        window=window,
    )  # fmt: skip
    parts = {"frequency": [days], "spend": [spend], "both": [days, spend]}[row["trigger"]]
    return t("winback.trigger_line", parts=t("winback.and").join(parts), share=i18n.fmt_pct(share, 0))


def slowing_display(slow: pl.DataFrame, window: int, share: float, money: Callable[..., str]) -> pl.DataFrame:
    """The slowing list for the page: `why` (the trigger in words) after `trigger`, codes as display names."""
    from retention.metrics.rfm import with_labels

    why = [slowing_trigger(r, window, share, money) for r in slow.iter_rows(named=True)]
    labels = {k: t(f"winback.trigger_{k}_label") for k in ("frequency", "spend", "both")}
    shown = with_labels(slow, {"status": "status", "rfm_segment": "segment", "value_tier": "tier"})
    shown = shown.with_columns(pl.col("trigger").replace(labels), pl.Series("why", why, dtype=pl.String))
    order = ["customer_id", "status", "trigger", "why"]  # the reason in words before the numbers behind it
    return shown.select(*order, *[c for c in shown.columns if c not in order])


def replacement_sentence(
    kpi_row: dict, period_label: str, campaign: dict | None, acquisition_cost: float | None, money: Callable[..., str]
) -> str | None:
    """One sentence reading the replacement cost and the best-known campaign's cost per win: None without an
    acquisition cost. `campaign` is a campaign_figures row (the one with the most wins) or None."""
    if acquisition_cost is None:
        return None
    text = t(
        "winback.replacement", period=period_label, lapses=i18n.fmt_int(kpi_row["lapses"]),
        cost=money(kpi_row["replacement_cost"]), each=money(acquisition_cost, 2),
    )  # fmt: skip
    if campaign is not None and campaign["won_back"]:
        ratio = campaign["cost_per_win_vs_acquisition"]
        text += t(
            "winback.replacement_campaign", campaign=campaign["campaign"], won=i18n.fmt_int(campaign["won_back"]),
            per_win=money(campaign["cost_per_win"], 2),
            ratio=i18n.fmt_pct(ratio, 0) if ratio is not None else "–",
        )  # fmt: skip
    return text


def best_campaign(figures: pl.DataFrame) -> dict | None:
    """The campaign with the most customers won back (then by name), or None."""
    if figures.is_empty():
        return None
    ranked = figures.filter(pl.col("won_back") > 0).sort(["won_back", "campaign"], descending=[True, False])
    return ranked.row(0, named=True) if not ranked.is_empty() else None


def retention_value_sentence(row: dict, active_start: int | None, period_label: str, money: Callable[..., str],
                             with_profit: bool) -> str:  # fmt: skip
    """The arithmetic of one retention-value row in words."""
    if row["extra_customers"] is None:
        return t("winback.value_none")
    text = t(
        "winback.value_line", points=i18n.fmt_num(row["points"], 0), active=i18n.fmt_int(active_start),
        period=period_label, extra=i18n.fmt_num(row["extra_customers"], 1),
        per_customer=money(row["value_per_active_customer"], 2), revenue=money(row["extra_revenue"]),
        share=i18n.fmt_pct(row["share_of_annual_revenue"]),
    )  # fmt: skip
    if with_profit:
        text += t("winback.value_profit", profit=money(row["extra_profit"]))
    return text + t("winback.value_end")


def split_table(
    frame: pl.DataFrame, by: str, money: Callable[..., str], profit: bool, acquisition: bool
) -> pl.DataFrame:
    """campaigns_by's figures as text: the campaign, the key's value (statuses and tiers by their display
    names) second, then the columns of the campaigns table."""
    from retention.metrics.campaigns import display_table

    table = display_table(frame, "campaign", money, profit, acquisition)
    if table.is_empty():
        return table

    def label(v: str) -> str:
        if by == "status_before":
            return i18n.label("status", v)
        if v == "none":
            return t("winback.tier_none") if by == "tier_before" else t("campaigns.none_value")
        return i18n.label("tier", v) if by == "tier_before" else v

    labels = [label(v) for v in frame["by_value"].to_list()]
    name = t(f"winback.by_{by}") if by in ("status_before", "tier_before") else i18n.attribute_label(by)
    return table.insert_column(1, pl.Series(name, labels, dtype=pl.String))


def without_model(listed: pl.DataFrame) -> bool:
    """True when no customer of the list has a P(alive) (the model could not be fitted)."""
    return listed["p_alive"].is_null().all()
