"""Churn reasons: why customers leave (Pareto by category), what it costs, and how much churn goes unexplained."""

import streamlit as st

from retention import db, i18n, ui
from retention.charts import reasons as charts
from retention.charts.select import picked_index
from retention.errors import InputError
from retention.i18n import t
from retention.metrics.reasons import reason_order, recorded_vs_unexplained, shares_within, unexplained_share
from retention.queries import reasons as q

ctx = ui.setup("reasons")
p = ctx.params
st.title(t("reasons.title"))
st.caption(t("reasons.intro", window=p.window))

first_row, _ = q.reason_span(ctx.ds, p)
lowest = min(d for d in (first_row, db.engine(ctx.ds).meta["first_order_date"]) if d is not None)
c_from, c_to = st.columns(2)
date_from = c_from.date_input(t("reasons.from"), value=None, min_value=lowest, max_value=p.as_of,
                              key="reasons_from", format="YYYY-MM-DD", help=t("reasons.range_help"))  # fmt: skip
date_to = c_to.date_input(t("reasons.to"), value=None, min_value=lowest, max_value=p.as_of,
                          key="reasons_to", format="YYYY-MM-DD", help=t("reasons.range_help"))  # fmt: skip
rng = (date_from, date_to)
try:
    with st.spinner(t("common.computing")):
        summary = q.reason_summary(ctx.ds, p, *rng)
        table = q.reason_table(ctx.ds, p, *rng)
        lapses = q.lapses_by_period(ctx.ds, p, *rng)
except InputError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()

tiles = st.columns(4)
tiles[0].metric(t("reasons.tile_rows"), i18n.fmt_int(summary["rows"]), help=t("reasons.tile_rows_help"))
tiles[1].metric(t("reasons.tile_controllable"), i18n.fmt_pct(summary["controllable_share"]),
                help=t("reasons.tile_controllable_help"))  # fmt: skip
tiles[2].metric(t("reasons.no_reason"), i18n.fmt_int(summary["unexplained_lapses"]),
                help=t("reasons.tile_unexplained_help", window=p.window),
                delta=t("reasons.tile_unexplained_of", share=i18n.fmt_pct(unexplained_share(summary)),
                        lapses=i18n.fmt_int(summary["lapses"])), delta_color="off", delta_arrow="off")  # fmt: skip
tiles[3].metric(t("reasons.lost_revenue"), ctx.money(table["lost_revenue"].sum()), help=t("reasons.lost_help"))

why, over_time, groups, tables = ui.tabs(
    "reasons_tab", ["reasons.tab_why", "reasons.tab_time", "reasons.tab_groups", "reasons.tab_tables"]
)
order = reason_order(table)
if why.open:
    with why:
        if not q.has_reasons_table(ctx.ds):
            st.info(t("reasons.no_table", data_dir=ctx.settings.data_dir), icon=":material/info:")
        elif table.is_empty():
            ui.empty_state("reasons.empty")
        else:
            st.subheader(t("reasons.pareto_title"))
            bars = st.plotly_chart(
                charts.pareto(table), key="reasons_pareto", on_select="rerun", selection_mode="points"
            )
            st.caption(t("reasons.pareto_caption") + " " + t("members.hint_bar"))
            picked = picked_index(bars, curve=None)
            if picked is not None and picked < table.height:
                reason = table["reason"][picked]
                label = t("members.reason_bar", reason=charts.reason_label(reason))
                ui.members_list(ctx, f"reason:{reason}", label, key="reasons_members", date_from=date_from,
                                date_to=date_to)  # fmt: skip
            left, right = st.columns(2)
            with left:
                st.subheader(t("reasons.compare_title"))
                compared = recorded_vs_unexplained(table, summary["unexplained_lapses"])
                st.plotly_chart(charts.recorded_vs_unexplained(compared), key="reasons_compare")
                st.caption(t("reasons.compare_caption", window=p.window))
            with right:
                st.subheader(t("reasons.lost_title"))
                st.plotly_chart(charts.lost_revenue(table, ctx.currency), key="reasons_lost")
                st.caption(t("reasons.lost_caption"))

if over_time.open:
    with over_time:
        st.subheader(t("reasons.time_title"))
        by_period = q.reason_breakdown(ctx.ds, p, "period", "", *rng)
        st.plotly_chart(charts.over_time(by_period, lapses, order, p.period), key="reasons_time")
        st.caption(t("reasons.time_caption", window=p.window))

if groups.open:
    with groups:
        if table.is_empty():
            ui.empty_state("reasons.empty")
        else:
            attributes = ui.filterable_attributes(ctx.ds)
            left, right = st.columns(2)
            with left:
                st.subheader(t("reasons.segment_title"))
                if attributes:
                    attribute = st.selectbox(
                        t("reasons.segment_attribute"), attributes, format_func=i18n.attribute_label,
                        key="reasons_attribute",
                    )  # fmt: skip
                    shares = shares_within(q.reason_breakdown(ctx.ds, p, "attribute", attribute, *rng))
                    labels = charts.group_labels(
                        sorted(shares["key"].unique().to_list(), key=lambda k: (k is None, k)), "value", p.period
                    )
                    st.plotly_chart(charts.composition(shares, order, labels, attribute), key="reasons_segment")
                else:
                    ui.empty_state("reasons.no_attributes")
            with right:
                st.subheader(t("reasons.cohort_title"))
                shares = shares_within(q.reason_breakdown(ctx.ds, p, "cohort", "", *rng))
                labels = charts.group_labels(
                    sorted(shares["key"].unique().to_list(), key=lambda k: (k is None, k)), "cohort", p.period
                )
                st.plotly_chart(
                    charts.composition(shares, order, labels, t("reasons.cohort_axis")), key="reasons_cohort"
                )
                st.caption(t("reasons.cohort_caption"))

if tables.open:
    with tables:
        if table.is_empty():
            ui.empty_state("reasons.empty")
        else:
            st.subheader(t("reasons.table_title"))
            st.dataframe(table, hide_index=True, column_config={
                c: st.column_config.NumberColumn(format="percent") for c in ("share", "cumulative_share")
            } | {"lost_revenue": st.column_config.NumberColumn(format="localized")})  # fmt: skip
            ui.download(table, "churn_reasons", key="reasons_table_download")
            st.subheader(t("reasons.rows_title"))
            rows = q.reason_rows(ctx.ds, p, *rng)
            st.dataframe(rows, hide_index=True, height=320, lazy=True,
                         column_config={"churned_at": st.column_config.DateColumn(format="YYYY-MM-DD")})  # fmt: skip
            ui.download(rows, "churn_reason_rows", key="reasons_rows_download")
            st.caption(t("reasons.rows_caption"))
