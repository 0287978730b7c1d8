"""Churn reasons: why customers leave (Pareto by category), what it costs, and how much churn goes unexplained."""

import streamlit as st

from retention import i18n, ui
from retention.charts import reasons as charts
from retention.i18n import t
from retention.metrics import reasons as shape
from retention.queries import reasons as q

ctx = ui.setup("reasons")
p = ctx.params
st.title(t("reasons.title"))
st.caption(t("reasons.intro", window=p.window))

lowest = shape.earliest(q.reason_span(ctx.ds, p)[0], ctx.first_day)
labels, keys = (t("reasons.from"), t("reasons.to")), ("reasons_from", "reasons_to")
rng = ui.date_range(st.columns(2), labels, keys, lowest, p.as_of, (None, None), t("reasons.range_help"))
summary, table, lapses = ui.computed(
    lambda: (q.reason_summary(ctx.ds, p, *rng), q.reason_table(ctx.ds, p, *rng), q.lapses_by_period(ctx.ds, p, *rng)),
    icon=":material/error:",
)
ui.metric_row(shape.summary_tiles(summary, table, p.window, ctx.money))

tab_keys = ["reasons.tab_why", "reasons.tab_time", "reasons.tab_groups", "reasons.tab_tables"]
why, over_time, groups, tables = ui.tabs("reasons_tab", tab_keys)
order = shape.reason_order(table)
if why.open:
    with why:
        if not q.has_reasons_table(ctx.ds):
            st.info(t("reasons.no_table", data_dir=ctx.settings.data_dir), icon=":material/info:")
        elif table.is_empty():
            ui.empty_state("reasons.empty")
        else:
            st.subheader(t("reasons.pareto_title"))
            bars = ui.chart(charts.pareto(table), "reasons_pareto", pick=True)
            st.caption(t("reasons.pareto_caption") + " " + t("members.hint_bar"))
            title = lambda r: t("members.reason_bar", reason=charts.reason_label(r))  # noqa: E731
            ui.bar_members(ctx, bars, table["reason"].to_list(), title, "reason", "reasons_members", curve=None,
                           date_from=rng[0], date_to=rng[1])  # fmt: skip
            left, right = st.columns(2)
            with left:
                st.subheader(t("reasons.compare_title"))
                compared = shape.recorded_vs_unexplained(table, summary["unexplained_lapses"])
                ui.chart(charts.recorded_vs_unexplained(compared), "reasons_compare")
                st.caption(t("reasons.compare_caption", window=p.window))
            with right:
                st.subheader(t("reasons.lost_title"))
                ui.chart(charts.lost_revenue(table, ctx.currency), "reasons_lost")
                st.caption(t("reasons.lost_caption"))

if over_time.open:
    with over_time:
        st.subheader(t("reasons.time_title"))
        by_period = q.reason_breakdown(ctx.ds, p, "period", "", *rng)
        ui.chart(charts.over_time(by_period, lapses, order, p.period), "reasons_time")
        st.caption(t("reasons.time_caption", window=p.window))


def composition(by: str, attribute: str, axis: str, key: str) -> None:
    """The reason mix per segment value (by "attribute") or per cohort (by "cohort")."""
    shares = shape.shares_within(q.reason_breakdown(ctx.ds, p, by, attribute, *rng))
    labels = charts.group_labels(shape.group_keys(shares), "value" if by == "attribute" else by, p.period)
    ui.chart(charts.composition(shares, order, labels, axis), key)


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
                    attribute = st.selectbox(t("reasons.segment_attribute"), attributes,
                                             format_func=i18n.attribute_label, key="reasons_attribute")  # fmt: skip
                    composition("attribute", attribute, attribute, "reasons_segment")
                else:
                    ui.empty_state("reasons.no_attributes")
            with right:
                st.subheader(t("reasons.cohort_title"))
                composition("cohort", "", t("reasons.cohort_axis"), "reasons_cohort")
                st.caption(t("reasons.cohort_caption"))

if tables.open:
    with tables:
        if table.is_empty():
            ui.empty_state("reasons.empty")
        else:
            st.subheader(t("reasons.table_title"))
            config = {c: ui.number_column(fmt="percent") for c in ("share", "cumulative_share")}
            config["lost_revenue"] = ui.number_column()
            ui.table(table, "churn_reasons", "reasons_table_download", column_config=config)
            st.subheader(t("reasons.rows_title"))
            ui.table(q.reason_rows(ctx.ds, p, *rng), "churn_reason_rows", "reasons_rows_download", height=320,
                     lazy=True, column_config={"churned_at": ui.date_column()})  # fmt: skip
            st.caption(t("reasons.rows_caption"))
