"""Cohorts: retention heatmap, cohort curves with the weighted average, segment comparison, sizes."""

import streamlit as st

from retention import ui
from retention.charts import cohorts as charts
from retention.charts.select import pickable, picked_cell
from retention.i18n import t
from retention.metrics import cohorts as shape
from retention.metrics.profit import with_cohort_profit
from retention.queries.cohorts import cohort_table
from retention.queries.profit import cohort_profit, segment_curves, shows_profit

ctx = ui.setup("cohorts")
p = ctx.params
st.title(t("cohorts.title"))

with_profit = shows_profit(ctx.ds, p)  # profit metrics only when they differ from revenue
metrics = [m for m in shape.COHORT_METRICS if with_profit or m not in shape.PROFIT_METRICS]
metric = st.segmented_control(
    t("cohorts.metric"), metrics, format_func=lambda m: t("cohorts.metric_" + m),
    default="active", key="cohort_metric",
) or "active"  # fmt: skip
st.caption(t("cohorts.caption_" + metric, window=p.window))

with st.spinner(t("common.computing")):
    table = shape.with_cohort_rates(cohort_table(ctx.ds, p))
    if with_profit:
        table = with_cohort_profit(table, cohort_profit(ctx.ds, p))
if table.is_empty():
    ui.empty_state("cohorts.empty")
    st.stop()

heat_tab, curves_tab, segments_tab, table_tab = ui.tabs(
    "cohort_tab", ["cohorts.tab_heatmap", "cohorts.tab_curves", "cohorts.tab_segments", "cohorts.tab_table"]
)
if heat_tab.open:
    with heat_tab:
        st.subheader(t("cohorts.heatmap_title"))
        heat = pickable(charts.heatmap(table, metric, p.period, ctx.currency))
        event = ui.chart(heat, "cohort_heatmap", pick=True)
        if heat.data[0].texttemplate is None:
            st.caption(t("cohorts.hover_hint"))
        st.caption(t("members.hint"))
        cell = picked_cell(event, heat)
        if cell is not None:
            # rows of the heatmap: the cohorts in order; columns: k = 0, 1, ...
            cohort, k = shape.cohort_list(table)[cell[0]], cell[1]
            measure = metric if metric in ("active", "alive") else "active"
            title = t("members.cohort_cell", cohort=ui.i18n.fmt_period(cohort, p.period), k=k,
                      measure=t("cohorts.metric_" + measure))  # fmt: skip
            ui.members_list(ctx, f"cohort:{cohort}:{k}:{measure}", title, key="cohort_cell")

if curves_tab.open:
    with curves_tab:
        st.subheader(t("cohorts.curves_title"))
        all_cohorts = shape.cohort_list(table)
        chosen = st.multiselect(
            t("cohorts.choose_cohorts"), all_cohorts, default=all_cohorts[-6:-1] or all_cohorts[-1:],
            format_func=lambda c: ui.i18n.fmt_period(c, p.period), key="cohort_chosen",
        )  # fmt: skip
        average = shape.weighted_curve(table, metric)
        st.plotly_chart(charts.curves(table, chosen, average, metric, p.period, ctx.currency), key="cohort_curves")

if segments_tab.open:
    with segments_tab:
        st.subheader(t("cohorts.segments_title"))
        attributes = ui.filterable_attributes(ctx.ds)
        if attributes:
            attribute = st.selectbox(
                t("cohorts.segment_attribute"), attributes, format_func=ui.i18n.attribute_label, key="cohort_attribute"
            )
            with st.spinner(t("common.computing")):
                by_value = segment_curves(ctx.ds, p, attribute, metric)
            st.plotly_chart(
                charts.segment_curves(by_value, attribute, metric, p.period, ctx.currency), key="cohort_segments"
            )
            st.caption(t("cohorts.segments_caption"))
        else:
            ui.empty_state("cohorts.no_attributes")

if table_tab.open:
    with table_tab:
        left, right = st.columns([2, 3])
        with left:
            st.subheader(t("cohorts.sizes_title"))
            st.plotly_chart(charts.sizes(table, p.period), key="cohort_sizes")
        with right:
            st.subheader(t("cohorts.table_title"))
            ui.table(table, "cohorts", "cohort_download", shape.cohort_file(table), height=300)
