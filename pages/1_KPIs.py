"""Executive KPIs: the last complete period against the one before and a year earlier, at a glance."""

import streamlit as st

from retention import i18n, report, ui
from retention.charts import kpis as charts
from retention.charts.select import picked_index
from retention.i18n import t
from retention.metrics import kpis as shape
from retention.metrics import winback as value_text
from retention.queries.campaigns import campaign_figures
from retention.queries.kpis import segment_kpis
from retention.queries.profit import kpi_report, retention_value, shows_profit

ctx = ui.setup("kpis")
p = ctx.params
st.title(t("kpis.title"))

with st.spinner(t("common.computing")):
    kpis = kpi_report(ctx.ds, p)
with_profit = shows_profit(ctx.ds, p)  # never a revenue figure relabelled as profit
head = shape.headline(kpis, p.period)
if head is None:
    ui.empty_state("kpis.empty")
    st.stop()

current, line = shape.headline_text(head, p.period)
stamp = t("kpis.stamp", data_as_of=i18n.fmt_date(ctx.data_as_of), as_of=i18n.fmt_date(p.as_of), window=p.window)
caption, button = st.columns([4.6, 1.4], vertical_alignment="center")
caption.caption(f"**{line}** · {stamp}")
# The report is made on click (charts drawn in Chromium: seconds), in the page's language.
lang = i18n.language()
button.download_button(
    t("report.download"), data=lambda: report.html_file(ctx.ds, p, ctx.currency, lang), key="kpi_report_download",
    file_name=f"report_{head.current['period'].isoformat()}_{lang}.html", mime="text/html",
    icon=":material/summarize:", on_click="ignore", help=t("report.download_help"), width="stretch",
)  # fmt: skip

st.html(charts.tiles_html(charts.kpi_tiles(head, p.period, ctx.currency, shape.PROFIT_TILES if with_profit else ())))
if p.acquisition_cost is not None:
    with st.spinner(t("common.computing")):
        best = value_text.best_campaign(campaign_figures(ctx.ds, p))
    st.markdown(value_text.replacement_sentence(head.current, current, best, p.acquisition_cost, ctx.money))

left, right = st.columns([1, 2.6])
with left:
    steps = shape.waterfall_steps(head.current)
    flow = ui.chart(charts.waterfall(steps, current), "kpi_waterfall", pick=True)
    st.caption(t("members.hint_bar"))
with right:
    # the breakdown runs one KPI query per segment value: only when its tab is open
    trend_tab, segment_tab = ui.tabs("kpi_tab", ["kpis.tab_trend", "kpis.tab_segments"])
if trend_tab.open:
    with trend_tab:
        ui.chart(charts.trends(kpis, p.period), "kpi_trends")
if segment_tab.open:
    with segment_tab:
        attributes = ui.filterable_attributes(ctx.ds)
        if attributes:
            attribute = st.selectbox(
                t("kpis.breakdown_attribute"), attributes, key="kpi_breakdown_attribute",
                format_func=lambda a: a.replace("_", " ").capitalize(),
            )  # fmt: skip
            with st.spinner(t("common.computing")):
                table = shape.breakdown(segment_kpis(ctx.ds, p, attribute), head.current["period"])
            config = {"segment": st.column_config.TextColumn(t("kpis.col_segment"))} | {
                c: ui.number_column(t(f"kpis.col_{c}"), "%.1f%%" if c.endswith("_rate")
                                    else ctx.money_format("%,.0f") if c in ("revenue", "aov") else "localized")
                for c in shape.BREAKDOWN_COLUMNS
            }  # fmt: skip
            shown = shape.breakdown_shown(table)  # shown as percentages with one decimal
            st.dataframe(shown, hide_index=True, column_config=config, height=215, key="kpi_breakdown")
            ui.download(table, f"kpis_by_{attribute}", key="kpi_breakdown_download")
        else:
            ui.empty_state("kpis.breakdown_none")

step = picked_index(flow)
if step is not None and steps[step][0] in ("new", "reactivations", "lapses"):
    event, period = steps[step][0], head.current["period"]
    label = t("members.kpi_event", event=t(f"kpis.step_{event}"), period=current)
    ui.members_list(ctx, f"kpi:{period}:{event}", label, key="kpi_members")

st.subheader(t("winback.value_title"))
points = st.slider(t("winback.value_points"), 1, 20, 5, key="kpi_value_points", help=t("winback.value_points_help"))
with st.spinner(t("common.computing")):
    worth = retention_value(ctx.ds, p, (points,)).row(0, named=True)
tiles = [(t("winback.value_customers"), i18n.fmt_num(worth["extra_customers"], 1)),
         (t("winback.value_revenue"), ctx.money(worth["extra_revenue"])),
         (t("winback.value_profit_tile"), ctx.money(worth["extra_profit"]))]  # fmt: skip
ui.metric_row(tiles if with_profit else tiles[:2], 3)
st.caption(value_text.retention_value_sentence(worth, head.current["active_start"], current, ctx.money, with_profit))

with st.expander(t("kpis.table_title")):
    shown = shape.kpi_table_shown(kpis, with_profit, p.acquisition_cost is not None)
    ui.table(shown, "kpis", "kpi_download", key="kpi_table")
