"""Executive KPIs: the last complete period against the one before and a year earlier, at a glance."""

import polars as pl
import streamlit as st

from retention import db, i18n, ui
from retention.charts import kpis as charts
from retention.charts.select import picked_index
from retention.i18n import t
from retention.metrics.kpis import BREAKDOWN_COLUMNS, breakdown, headline, waterfall_steps
from retention.queries.kpis import kpi_table, segment_kpis

ctx = ui.setup("kpis")
p = ctx.params
st.title(t("kpis.title"))

with st.spinner(t("common.computing")):
    kpis = kpi_table(ctx.ds, p)
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
st.caption(f"**{line}** · {stamp}")

st.html(charts.tiles_html(charts.kpi_tiles(head, p.period, ctx.currency)))

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

with st.expander(t("kpis.table_title")):
    st.dataframe(kpis, hide_index=True, key="kpi_table")
    ui.download(kpis, "kpis", key="kpi_download")
