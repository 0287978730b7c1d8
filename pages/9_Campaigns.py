"""Campaigns: did calling lapsed customers back pay, against the held-out control group?"""

import streamlit as st

from retention import i18n, ui
from retention.charts import campaigns as charts
from retention.i18n import t
from retention.metrics import campaigns as shape
from retention.metrics.winback import split_table
from retention.params import attributes
from retention.queries import campaigns as q
from retention.queries.profit import shows_profit
from retention.safe import short

ctx = ui.setup("campaigns")
st.title(t("campaigns.title"))
st.markdown(t("campaigns.intro"))

if q.contacts_table(ctx.ds)["contact_rows"] == 0:
    ui.empty_state("campaigns.no_table", data_dir=str(ctx.settings.data_dir))
    ui.import_link()
    st.stop()

default_days = ctx.settings.attribution_days
days = st.slider(
    t("campaigns.attribution_days"), min_value=1, max_value=max(180, default_days), value=default_days,
    key="campaign_attribution_days", help=t("campaigns.attribution_help"),
)  # fmt: skip
p = ctx.params.with_(attribution_days=days)
with_profit, acquisition = shows_profit(ctx.ds, p), p.acquisition_cost is not None
with st.spinner(t("common.computing")):
    figures = q.campaign_figures(ctx.ds, p, "campaign")
if figures.is_empty():
    ui.empty_state("campaigns.none_in_scope", as_of=i18n.fmt_date(p.as_of))
    st.stop()
st.caption(shape.open_line(figures, days))

tab_keys = ["campaigns.tab_paid", "campaigns.tab_after", "campaigns.tab_splits", "winback.by_key"]
paid_tab, after_tab, splits_tab, by_key_tab = ui.tabs("campaign_tab", tab_keys)
if paid_tab.open:
    with paid_tab:
        st.subheader(t("campaigns.table_title"))
        shown = shape.display_table(figures, "campaign", ctx.money, with_profit, acquisition)
        ui.table(shown, "campaigns", "campaign_download", download_frame=shape.figures_file(figures))

        st.subheader(t("campaigns.uplift_section"))
        ui.chart(charts.rates_uplift(figures), "campaign_rates_uplift")
        for row in figures.iter_rows(named=True):
            st.markdown("- " + shape.uplift_line(row))
        st.caption(t("campaigns.uplift_caption"))

        st.subheader(t("campaigns.revenue_title"))
        ui.chart(charts.revenue_cost(figures, ctx.currency), "campaign_revenue_cost")
        st.caption(t("campaigns.revenue_caption"))

if after_tab.open:
    with after_tab:
        chosen = st.selectbox(
            t("campaigns.campaign_choice"), [None, *shape.campaign_names(figures)], key="campaign_chosen",
            format_func=lambda c: t("campaigns.all_campaigns") if c is None else short(c),
        )  # fmt: skip
        left, right = st.columns(2)
        with left:
            st.subheader(t("campaigns.wins_title"))
            with st.spinner(t("common.computing")):
                curve = q.wins_by_day(ctx.ds, p, chosen)
            ui.chart(charts.wins_curve(curve), "campaign_wins_curve")
            st.caption(t("campaigns.wins_caption", days=days))
        with right:
            st.subheader(t("campaigns.flow_title"))
            with st.spinner(t("common.computing")):
                flow = shape.flow_counts(q.status_flow(ctx.ds, p), chosen)
            if flow.is_empty():
                ui.empty_state("campaigns.flow_empty")
            else:
                ui.chart(charts.status_flow(flow), "campaign_status_flow")
            st.caption(t("campaigns.flow_caption", days=days, window=p.window))

if splits_tab.open:
    with splits_tab:
        st.subheader(t("campaigns.splits_title"))
        by_channel, by_group = st.tabs([t("campaigns.by_channel"), t("campaigns.by_group")])
        for tab, by in ((by_channel, "channel"), (by_group, "group")):
            with tab:
                split = q.campaign_figures(ctx.ds, p, by)
                shown = shape.display_table(split, by, ctx.money, with_profit, acquisition)
                ui.table(shown, f"campaigns_by_{by}", f"campaign_download_{by}", download_frame=split)
                st.caption(t(f"campaigns.{by}_caption"))

if by_key_tab.open:
    with by_key_tab:
        key = st.selectbox(
            t("winback.by_key_choice"), [*q.BY_KEYS, *attributes(ctx.ds)], key="campaign_by_key",
            format_func=lambda k: t(f"winback.by_{k}") if k in q.BY_KEYS else i18n.attribute_label(k),
        )  # fmt: skip
        with st.spinner(t("common.computing")):
            split = q.campaigns_by(ctx.ds, p, key)
        ui.table(split_table(split, key, ctx.money, with_profit, acquisition), f"campaigns_by_{key}",
                 "campaign_download_by_key", download_frame=q.report_table(ctx.ds, p, key))  # fmt: skip
        st.caption(t("winback.by_key_caption"))
