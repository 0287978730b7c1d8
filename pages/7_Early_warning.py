"""Early warning: who is silent for longer than usual, the revenue at stake, the call list to download."""

import streamlit as st

from retention import i18n, ui
from retention.charts import alerts as charts
from retention.i18n import t
from retention.metrics import alerts as shape
from retention.metrics import winback as shape_slow
from retention.metrics.predict import explain
from retention.params import attributes
from retention.queries.lists import alert_page_list
from retention.queries.predict import predictions_or_error
from retention.queries.rfm import TIERS, rfm_table
from retention.queries.winback import slowing_list

ctx = ui.setup("alerts")
p = ctx.params
st.title(t("alerts.title"))
st.markdown(t("alerts.intro", window=p.window, factor=i18n.fmt_num(p.alert_factor), half=i18n.fmt_num(p.window / 2)))

include_at_risk = st.toggle(
    t("alerts.include_at_risk"), key="alerts_include_at_risk", help=t("alerts.include_at_risk_help", loyal=p.loyal_min_orders)
)  # fmt: skip
with st.spinner(t("common.computing")):
    listed = alert_page_list(ctx.ds, p, include_at_risk)  # with segment, tier and the predictions
    why = None if "p_alive" in listed.columns else predictions_or_error(ctx.ds, p)[1]

f1, f2, f3 = st.columns(3)
attrs = attributes(ctx.ds)
named = lambda a: t("alerts.none") if a is None else i18n.attribute_label(a)  # noqa: E731
attribute = f1.selectbox(t("alerts.filter_attribute"), [None, *attrs], format_func=named, key="alerts_attribute")
values = f2.multiselect(
    t("alerts.filter_values"), shape.attribute_options(listed, attribute), key=f"alerts_values_{attribute}",
    placeholder=t("alerts.all"), disabled=attribute is None,
)  # fmt: skip
tiers = ui.code_filter(f3, "alerts.filter_tier", TIERS, "tier", "alerts_tiers", "alerts.all")
shown = shape.filter_list(listed, attribute, values, tiers)

facts = shape.tiles(shown)
third = (t("alerts.at_risk"), i18n.fmt_int(facts["at_risk"])) if include_at_risk else (
    t("alerts.median_overdue"), i18n.fmt_num(facts["median_overdue"], 1), t("alerts.median_overdue_help"))  # fmt: skip
ui.metric_row([
    (t("alerts.on_alert"), i18n.fmt_int(facts["on_alert"]), t("alerts.on_alert_help")),
    (t("alerts.revenue_at_stake"), ctx.money(facts["revenue_at_stake"]), t("alerts.revenue_at_stake_help")), third,
])  # fmt: skip
if shown.is_empty():
    ui.empty_state("alerts.empty")

call_tab, chart_tab, slowing_tab = ui.tabs("alerts_tab", ["alerts.tab_list", "alerts.tab_chart", "winback.slowing_tab"])
if call_tab.open and not shown.is_empty():
    with call_tab:
        st.subheader(t("alerts.list_title"))
        call_list = shape.call_list(shown)
        names = ("customer_id", "status", "days_silent", "frequency", "rfm_segment", "value_tier")
        config = {c: t("alerts." + c) for c in names} | ui.attribute_columns(attrs) | {
            c: ui.number_column(t("alerts." + c), fmt) for c, fmt in (("expected_gap", "%.1f"), ("overdue_ratio", "%.2f"))
        } | ui.money_columns(ctx, {"revenue_365d": t("alerts.revenue_365d")}) | ui.prediction_columns(ctx)  # fmt: skip
        ui.table(shape.call_list_shown(ui.shown_rows(call_list)), height=420, lazy=True, column_config=config)
        ui.list_caption(t("alerts.list_caption", shown=i18n.fmt_int(shown.height)), shown.height)
        if why is not None:
            st.caption(t("predict.columns_absent", why=explain(why)))
        ui.download(call_list, f"call_list_{p.as_of.isoformat()}", key="alerts_download",
                    label=t("alerts.download_call_list"), primary=True)  # fmt: skip
        ui.profile_picker(call_list["customer_id"], key="alerts_profile")

if chart_tab.open and not shown.is_empty():
    with chart_tab:
        st.subheader(t("alerts.chart_title"))
        ui.chart(charts.overdue_scatter(shown, p.alert_factor, ctx.currency), "alerts_scatter")
        st.caption(t("alerts.chart_caption"))

if slowing_tab.open:
    with slowing_tab:
        share = i18n.fmt_pct(p.drop_share, 0)
        st.markdown(t("winback.slowing_intro", loyal=p.loyal_min_orders, window=p.window, share=share))
        with st.spinner(t("common.computing")):
            slow = shape.with_value(slowing_list(ctx.ds, p), rfm_table(ctx.ds, p))
            slow = shape.filter_list(slow, attribute, values, tiers)
        ui.metric_row([(t("winback.slowing_listed"), i18n.fmt_int(slow.height)), (t("winback.slowing_baseline"),
                       ctx.money(shape.baseline_total(slow)), t("winback.slowing_baseline_help"))])  # fmt: skip
        if slow.is_empty():
            ui.empty_state("winback.slowing_empty")
        else:
            texts = ("customer_id", "status", "baseline_days", "recent_days", "trigger")
            config = {c: t("winback." + c) for c in texts} | {
                "why": st.column_config.TextColumn(t("winback.why"), width="large")} | ui.attribute_columns(attrs) | {
                "rfm_segment": t("alerts.rfm_segment"), "value_tier": t("alerts.value_tier"),
                "expected_days": ui.number_column(t("winback.expected_days"), "%.1f"),
            } | ui.money_columns(ctx, {c: t("winback." + c) for c in ("baseline_spend", "recent_spend", "expected_spend")})  # fmt: skip
            ui.table(shape_slow.slowing_display(ui.shown_rows(slow), p.window, p.drop_share, ctx.money), height=380, lazy=True,
                     key="slowing_table", column_config=config)  # fmt: skip
            ui.list_caption(t("winback.slowing_caption", shown=i18n.fmt_int(slow.height)), slow.height)
            ui.download(shape.slowing_file(slow, attrs), f"slowing_{p.as_of.isoformat()}", key="slowing_download",
                        label=t("winback.slowing_download"))  # fmt: skip
            ui.profile_picker(slow["customer_id"], key="slowing_profile")
