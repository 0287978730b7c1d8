"""Executive KPIs: the last complete period against the one before and a year earlier, at a glance."""

import polars as pl
import streamlit as st

from retention import db, i18n, report, ui
from retention.charts import kpis as charts
from retention.charts.select import picked_index
from retention.i18n import t
from retention.metrics import winback as value_text
from retention.metrics.kpis import BREAKDOWN_COLUMNS, PROFIT_TILES, breakdown, headline, waterfall_steps
from retention.queries.campaigns import campaign_figures
from retention.queries.kpis import segment_kpis
from retention.queries.profit import kpi_report, retention_value, shows_profit

ctx = ui.setup("kpis")
p = ctx.params
st.title(t("kpis.title"))

with st.spinner(t("common.computing")):
    kpis = kpi_report(ctx.ds, p)
with_profit = shows_profit(ctx.ds, p)  # never a revenue figure relabelled as profit
head = headline(kpis, p.period)
if head is None:
    ui.empty_state("kpis.empty")
    st.stop()

current = i18n.fmt_period(head.current["period"], p.period)
previous = i18n.fmt_period(head.previous["period"], p.period) if head.previous else t("kpis.no_previous")
year_ago = i18n.fmt_period(head.year_ago["period"], p.period) if head.year_ago else t("kpis.no_year_ago")
stamp = t("kpis.stamp", data_as_of=i18n.fmt_date(db.engine(ctx.ds).meta["default_as_of"]),
          as_of=i18n.fmt_date(p.as_of), window=p.window)  # fmt: skip
if head.current["complete"]:
    line = t("kpis.headline", current=current, previous=previous, year_ago=year_ago)
else:
    line = t("kpis.headline_incomplete", current=current, previous=previous, period=t("sidebar.period_" + p.period))
caption, button = st.columns([4.6, 1.4], vertical_alignment="center")
caption.caption(f"**{line}** · {stamp}")
# The report is made on click (charts drawn in Chromium: seconds), in the page's language.
lang = i18n.language()
button.download_button(
    t("report.download"), data=lambda: report.html_file(ctx.ds, p, ctx.currency, lang), key="kpi_report_download",
    file_name=f"report_{head.current['period'].isoformat()}_{lang}.html", mime="text/html",
    icon=":material/summarize:", on_click="ignore", help=t("report.download_help"), width="stretch",
)  # fmt: skip

st.html(charts.tiles_html(charts.kpi_tiles(head, p.period, ctx.currency, PROFIT_TILES if with_profit else ())))
if p.acquisition_cost is not None:
    with st.spinner(t("common.computing")):
        best = value_text.best_campaign(campaign_figures(ctx.ds, p))
    st.markdown(value_text.replacement_sentence(head.current, current, best, p.acquisition_cost, ctx.money))

left, right = st.columns([1, 2.6])
with left:
    steps = waterfall_steps(head.current)
    flow = st.plotly_chart(
        charts.waterfall(steps, current), key="kpi_waterfall", on_select="rerun", selection_mode="points"
    )
    st.caption(t("members.hint_bar"))
with right:
    # the breakdown runs one KPI query per segment value: only when its tab is open
    trend_tab, segment_tab = ui.tabs("kpi_tab", ["kpis.tab_trend", "kpis.tab_segments"])
if trend_tab.open:
    with trend_tab:
        st.plotly_chart(charts.trends(kpis, p.period), key="kpi_trends")
if segment_tab.open:
    with segment_tab:
        attributes = ui.filterable_attributes(ctx.ds)
        if attributes:
            attribute = st.selectbox(
                t("kpis.breakdown_attribute"), attributes, key="kpi_breakdown_attribute",
                format_func=lambda a: a.replace("_", " ").capitalize(),
            )  # fmt: skip
            with st.spinner(t("common.computing")):
                table = breakdown(segment_kpis(ctx.ds, p, attribute), head.current["period"])
            money = i18n.currency_symbol(ctx.currency) + "%,.0f"
            rates = [c for c in BREAKDOWN_COLUMNS if c.endswith("_rate")]
            config = {"segment": st.column_config.TextColumn(t("kpis.col_segment"))} | {
                c: st.column_config.NumberColumn(
                    t(f"kpis.col_{c}"),
                    format="%.1f%%" if c in rates else money if c in ("revenue", "aov") else "localized",
                )
                for c in BREAKDOWN_COLUMNS
            }
            shown = table.with_columns(pl.col(rates) * 100)  # shown as percentages with one decimal
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
v1, v2, v3 = st.columns(3)
v1.metric(t("winback.value_customers"), i18n.fmt_num(worth["extra_customers"], 1))
v2.metric(t("winback.value_revenue"), ctx.money(worth["extra_revenue"]))
if with_profit:
    v3.metric(t("winback.value_profit_tile"), ctx.money(worth["extra_profit"]))
st.caption(value_text.retention_value_sentence(worth, head.current["active_start"], current, ctx.money, with_profit))

with st.expander(t("kpis.table_title")):
    hidden = [
        c for c, shown in (("profit", with_profit), ("replacement_cost", p.acquisition_cost is not None)) if not shown
    ]
    st.dataframe(kpis.drop(hidden), hide_index=True, key="kpi_table")
    ui.download(kpis.drop(hidden), "kpis", key="kpi_download")
