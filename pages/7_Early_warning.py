"""Early warning: who is silent for longer than usual, the revenue at stake, the call list to download."""

import streamlit as st

from retention import i18n, ui
from retention.charts import alerts as charts
from retention.i18n import t
from retention.metrics import alerts as shape
from retention.metrics.predict import explain, with_predictions
from retention.metrics.rfm import with_labels
from retention.params import attributes
from retention.queries.alerts import alert_list
from retention.queries.predict import predictions_or_error
from retention.queries.rfm import TIERS, rfm_table

ctx = ui.setup("alerts")
p = ctx.params
st.title(t("alerts.title"))
st.markdown(t("alerts.intro", window=p.window, factor=i18n.fmt_num(p.alert_factor), half=i18n.fmt_num(p.window / 2)))

include_at_risk = st.toggle(
    t("alerts.include_at_risk"), key="alerts_include_at_risk", help=t("alerts.include_at_risk_help", loyal=p.loyal_min_orders)
)  # fmt: skip
with st.spinner(t("common.computing")):
    listed = shape.with_value(alert_list(ctx.ds, p, include_at_risk=include_at_risk), rfm_table(ctx.ds, p))
    pred, why = predictions_or_error(ctx.ds, p)
    listed = with_predictions(listed, pred)

f1, f2, f3 = st.columns(3)
attrs = attributes(ctx.ds)
attribute = f1.selectbox(
    t("alerts.filter_attribute"), [None, *attrs], format_func=lambda a: t("alerts.none") if a is None else i18n.attribute_label(a),
    key="alerts_attribute",
)  # fmt: skip
options = sorted(listed[attribute].drop_nulls().unique().to_list()) if attribute in listed.columns else []
values = f2.multiselect(
    t("alerts.filter_values"), options, key=f"alerts_values_{attribute}", placeholder=t("alerts.all"),
    disabled=attribute is None,
)  # fmt: skip
tiers = f3.multiselect(
    t("alerts.filter_tier"), TIERS, format_func=lambda c: i18n.label("tier", c), key="alerts_tiers",
    placeholder=t("alerts.all"),
)  # fmt: skip
shown = shape.filter_list(listed, attribute, values, tiers)

facts = shape.tiles(shown)
c1, c2, c3 = st.columns(3)
c1.metric(t("alerts.on_alert"), i18n.fmt_int(facts["on_alert"]), help=t("alerts.on_alert_help"))
c2.metric(t("alerts.revenue_at_stake"), ctx.money(facts["revenue_at_stake"]), help=t("alerts.revenue_at_stake_help"))
if include_at_risk:
    c3.metric(t("alerts.at_risk"), i18n.fmt_int(facts["at_risk"]))
else:
    c3.metric(
        t("alerts.median_overdue"), i18n.fmt_num(facts["median_overdue"], 1), help=t("alerts.median_overdue_help")
    )
if shown.is_empty():
    ui.empty_state("alerts.empty")
    st.stop()

call_tab, chart_tab = ui.tabs("alerts_tab", ["alerts.tab_list", "alerts.tab_chart"])
if call_tab.open:
    with call_tab:
        st.subheader(t("alerts.list_title"))
        call_list = shown.select(shape.call_list_columns(shown))
        money = i18n.currency_symbol(ctx.currency) + "%.2f"
        names = ("customer_id", "status", "days_silent", "frequency", "rfm_segment", "value_tier")
        st.dataframe(
            with_labels(call_list, {"status": "status", "rfm_segment": "segment", "value_tier": "tier"}),
            hide_index=True, height=420, lazy=True,
            column_config={
                **{c: t("alerts." + c) for c in names},
                **{a: i18n.attribute_label(a) for a in attrs},  # as the sidebar names them
                "expected_gap": st.column_config.NumberColumn(t("alerts.expected_gap"), format="%.1f"),
                "overdue_ratio": st.column_config.NumberColumn(t("alerts.overdue_ratio"), format="%.2f"),
                "revenue_365d": st.column_config.NumberColumn(t("alerts.revenue_365d"), format=money),
                "p_alive": st.column_config.NumberColumn(t("predict.p_alive"), format="percent"),
                "predicted_value": st.column_config.NumberColumn(t("predict.col_predicted_value"), format=money),
            },
        )  # fmt: skip
        st.caption(t("alerts.list_caption", shown=i18n.fmt_int(shown.height)))
        if why is not None:
            st.caption(t("predict.columns_absent", why=explain(why)))
        ui.download(
            call_list,
            f"call_list_{p.as_of.isoformat()}",
            key="alerts_download",
            label=t("alerts.download_call_list"),
            primary=True,
        )
        ui.profile_picker(call_list["customer_id"], key="alerts_profile")

if chart_tab.open:
    with chart_tab:
        st.subheader(t("alerts.chart_title"))
        st.plotly_chart(charts.overdue_scatter(shown, p.alert_factor, ctx.currency), key="alerts_scatter")
        st.caption(t("alerts.chart_caption"))
