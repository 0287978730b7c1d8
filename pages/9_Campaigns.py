"""Campaigns: did calling lapsed customers back pay, against the held-out control group?"""

import streamlit as st

from retention import i18n, ui
from retention.charts import campaigns as charts
from retention.i18n import t
from retention.metrics.campaigns import display_table, flow_counts, open_counts, uplift_line
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
    if ui.PAGE_BY_KEY["import"] in ui.visible_pages(ui.current_role()):
        ui.page_link(ui.PAGE_BY_KEY["import"])
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
opened, total = open_counts(figures)
st.caption(
    t(
        "campaigns.open_line" if opened else "campaigns.open_none",
        open=i18n.fmt_int(opened),
        total=i18n.fmt_int(total),
        days=days,
    )
)

paid_tab, after_tab, splits_tab, by_key_tab = ui.tabs(
    "campaign_tab", ["campaigns.tab_paid", "campaigns.tab_after", "campaigns.tab_splits", "winback.by_key"]
)
if paid_tab.open:
    with paid_tab:
        st.subheader(t("campaigns.table_title"))
        st.dataframe(display_table(figures, "campaign", ctx.money, with_profit, acquisition), hide_index=True)
        ui.download(figures.select(q.REPORT_COLUMNS + q.EXTRA_COLUMNS), "campaigns", key="campaign_download")

        st.subheader(t("campaigns.uplift_section"))
        st.plotly_chart(charts.rates_uplift(figures), key="campaign_rates_uplift")
        for row in figures.iter_rows(named=True):
            st.markdown("- " + uplift_line(row))
        st.caption(t("campaigns.uplift_caption"))

        st.subheader(t("campaigns.revenue_title"))
        st.plotly_chart(charts.revenue_cost(figures, ctx.currency), key="campaign_revenue_cost")
        st.caption(t("campaigns.revenue_caption"))

if after_tab.open:
    with after_tab:
        names = figures["campaign"].drop_nulls().to_list()
        chosen = st.selectbox(
            t("campaigns.campaign_choice"), [None, *names], key="campaign_chosen",
            format_func=lambda c: t("campaigns.all_campaigns") if c is None else short(c),
        )  # fmt: skip
        left, right = st.columns(2)
        with left:
            st.subheader(t("campaigns.wins_title"))
            with st.spinner(t("common.computing")):
                curve = q.wins_by_day(ctx.ds, p, chosen)
            st.plotly_chart(charts.wins_curve(curve), key="campaign_wins_curve")
            st.caption(t("campaigns.wins_caption", days=days))
        with right:
            st.subheader(t("campaigns.flow_title"))
            with st.spinner(t("common.computing")):
                flow = flow_counts(q.status_flow(ctx.ds, p), chosen)
            if flow.is_empty():
                ui.empty_state("campaigns.flow_empty")
            else:
                st.plotly_chart(charts.status_flow(flow), key="campaign_status_flow")
            st.caption(t("campaigns.flow_caption", days=days, window=p.window))

if splits_tab.open:
    with splits_tab:
        st.subheader(t("campaigns.splits_title"))
        by_channel, by_group = st.tabs([t("campaigns.by_channel"), t("campaigns.by_group")])
        for tab, by in ((by_channel, "channel"), (by_group, "group")):
            with tab:
                split = q.campaign_figures(ctx.ds, p, by)
                st.dataframe(display_table(split, by, ctx.money, with_profit, acquisition), hide_index=True)
                ui.download(split, f"campaigns_by_{by}", key=f"campaign_download_{by}")
                st.caption(t(f"campaigns.{by}_caption"))

if by_key_tab.open:
    with by_key_tab:
        key = st.selectbox(
            t("winback.by_key_choice"), [*q.BY_KEYS, *attributes(ctx.ds)], key="campaign_by_key",
            format_func=lambda k: t(f"winback.by_{k}") if k in q.BY_KEYS else i18n.attribute_label(k),
        )  # fmt: skip
        with st.spinner(t("common.computing")):
            split = q.campaigns_by(ctx.ds, p, key)
        st.dataframe(split_table(split, key, ctx.money, with_profit, acquisition), hide_index=True)
        ui.download(q.report_table(ctx.ds, p, key), f"campaigns_by_{key}", key="campaign_download_by_key")
        st.caption(t("winback.by_key_caption"))
