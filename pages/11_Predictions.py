"""Predictions: can you trust the model (the holdout check), who is still with us, what they will be worth."""

import datetime as dt

import streamlit as st

from retention import i18n, ui
from retention.charts import predict as charts
from retention.errors import InputError
from retention.i18n import t
from retention.metrics import predict as shape
from retention.queries import predict as q
from retention.queries.rfm import rfm_table

HOLDOUT = q.PAGE_HOLDOUT_DAYS  # days held back for the check
TOP = 200

ctx = ui.setup("predictions")
p = ctx.params
st.title(t("predict.title"))
st.markdown(t("predict.intro", horizon=i18n.fmt_int(p.horizon), as_of=i18n.fmt_date(p.as_of)))

with st.spinner(t("predict.fitting")):
    pred, why = q.predictions_or_error(ctx.ds, p)
if why is not None:
    st.info(shape.explain(why), icon=":material/info:")
    st.stop()
bg, gg = q.fit(ctx.ds, p)
if bg.limit:
    st.info(t("predict.limit_bgnbd", pi=i18n.fmt_pct(bg.pi, 1)), icon=":material/lightbulb:")
if gg.limit:
    st.info(t("predict.limit_gamma_gamma", spend=ctx.money(gg.p * gg.theta, 2)), icon=":material/lightbulb:")

totals = shape.prediction_totals(pred)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("predict.customers"), i18n.fmt_int(totals["customers"]))
c2.metric(t("predict.likely_alive"), i18n.fmt_int(totals["likely_alive"]), help=t("predict.likely_alive_help"))
c3.metric(t("predict.total_purchases", days=p.horizon), i18n.fmt_int(totals["expected_purchases"]))
c4.metric(t("predict.total_value", days=p.horizon), ctx.money(totals["predicted_value"]),
          help=t("predict.total_value_help", profit=ctx.money(totals["predicted_profit"])))  # fmt: skip

st.subheader(t("predict.trust_title"))
check_p = p.with_(as_of=p.as_of - dt.timedelta(days=HOLDOUT))
try:
    with st.spinner(t("predict.checking")):
        check = q.holdout_check(ctx.ds, check_p, HOLDOUT)
except q.ModelError as exc:
    st.info(t("predict.check_unavailable", days=HOLDOUT, why=shape.explain(exc)), icon=":material/info:")
    check = None
except InputError as exc:
    st.info(t("predict.check_unavailable", days=HOLDOUT, why=str(exc)), icon=":material/info:")
    check = None
if check is not None:
    ct = shape.check_totals(check)
    st.markdown(t("predict.check_sentence", days=HOLDOUT, start=i18n.fmt_date(check_p.as_of),
                  predicted=i18n.fmt_int(ct["predicted"]), actual=i18n.fmt_int(ct["actual"]),
                  verdict=t("predict.verdict_" + shape.verdict(ct))))  # fmt: skip
    st.plotly_chart(charts.holdout_bars(check, HOLDOUT), key="predict_check")
    st.caption(t("predict.check_caption", days=HOLDOUT))
    ui.download(check, f"holdout_check_{check_p.as_of.isoformat()}", key="predict_check_download")

alive_tab, segment_tab, top_tab = ui.tabs(
    "predict_tab", ["predict.tab_alive", "predict.tab_segments", "predict.tab_top"]
)
if alive_tab.open:
    with alive_tab:
        st.subheader(t("predict.alive_title"))
        st.plotly_chart(charts.p_alive_histogram(shape.p_alive_distribution(pred)), key="predict_alive")
        st.caption(t("predict.alive_caption"))
if segment_tab.open:
    with segment_tab:
        st.subheader(t("predict.segments_title", days=p.horizon))
        segments = shape.value_by_segment(pred, rfm_table(ctx.ds, p))
        st.plotly_chart(charts.segment_value_bars(segments, ctx.currency), key="predict_segments")
        st.caption(t("predict.segments_caption"))
        ui.download(segments, "predicted_value_by_segment", key="predict_segments_download")
if top_tab.open:
    with top_tab:
        st.subheader(t("predict.top_title", n=TOP))
        top = shape.top_customers(pred, TOP)
        money = i18n.currency_symbol(ctx.currency) + "%.2f"
        st.dataframe(
            top, hide_index=True, height=420, lazy=True,
            column_config={
                "customer_id": t("predict.col_customer_id"), "x": t("predict.col_x"), "t_x": t("predict.col_t_x"),
                "age": t("predict.col_age"),
                "p_alive": st.column_config.ProgressColumn(t("predict.p_alive"), min_value=0, max_value=1, format="percent"),
                "expected_purchases": st.column_config.NumberColumn(t("predict.col_expected_purchases"), format="%.2f"),
                **{c: st.column_config.NumberColumn(t("predict.col_" + c), format=money)
                   for c in ("spend", "expected_spend", "predicted_value", "predicted_profit")},
            },
        )  # fmt: skip
        st.caption(t("predict.top_caption", days=p.horizon))
        ui.download(pred, f"predictions_{p.as_of.isoformat()}", key="predict_download",
                    label=t("predict.download_all"), primary=True)  # fmt: skip
        ui.profile_picker(top["customer_id"], key="predict_profile")
