"""Customer profile: one customer's status, purchase timeline with return windows, scores, reasons and contacts."""

import streamlit as st

from retention import i18n, ui
from retention.charts.predict import p_alive_curve
from retention.charts.profile import timeline
from retention.i18n import t
from retention.metrics.predict import explain
from retention.metrics.profile import return_windows
from retention.metrics.rfm import with_labels
from retention.queries.predict import customer_p_alive
from retention.queries.profile import profile, search
from retention.safe import md_text

url_customer = ui.url_customer()  # read before ui.setup rewrites the URL with the shared keys
ctx = ui.setup("profile")
p = ctx.params
st.title(t("profile.title"))
st.caption(t("profile.intro", as_of=i18n.fmt_date(p.as_of), window=p.window))
customer = ui.customer_input(url_customer)
if not customer:
    ui.empty_state("profile.choose")
    st.stop()
with st.spinner(t("common.computing")):
    pr = profile(ctx.ds, p, customer)
if not pr.exists:
    ui.customer_suggestions(search(ctx.ds, customer), customer)
    st.stop()
if pr.status is None:
    ui.empty_state("profile.not_at_t", customer=md_text(customer), as_of=i18n.fmt_date(p.as_of))
    st.stop()

s = pr.status
ui.metric_row([(t("profile.status"), i18n.label("status", s["status"])),
               (t("profile.days_silent"), i18n.fmt_int(s["recency"]), t("profile.days_silent_help")),
               (t("profile.usual_gap"), i18n.fmt_num(s["expected_gap"]), t("profile.usual_gap_help")),
               (t("profile.frequency"), i18n.fmt_int(s["frequency"])),
               (t("profile.revenue"), ctx.money(pr.revenue, 2), t("profile.revenue_help"))])  # fmt: skip

st.subheader(t("profile.timeline_title"))
if pr.days.is_empty():
    ui.empty_state("profile.no_purchases")
else:
    windows = return_windows(pr.days, s["window_days"], p.as_of)
    ui.chart(timeline(pr.days, windows, p.as_of, ctx.currency), "profile_timeline")
    st.caption(t("profile.timeline_caption", window=s["window_days"]))
    ui.download(pr.days, f"order_days_{customer}", key="profile_days_download")
    st.subheader(t("predict.profile_title"))
    with st.spinner(t("predict.fitting")):
        curve, why = customer_p_alive(ctx.ds, p, pr.days)
    if why is not None:
        st.info(explain(why), icon=":material/info:")
    elif curve is not None:
        st.metric(
            t("predict.p_alive_today"), i18n.fmt_pct(curve["p_alive"][-1], 0), help=t("predict.p_alive_today_help")
        )
        ui.chart(p_alive_curve(curve, windows, p.as_of), "profile_p_alive")
        st.caption(t("predict.profile_caption", window=s["window_days"]))

left, mid, right = st.columns(3)
with left:
    st.subheader(t("profile.rfm_title"))
    if pr.rfm is None:
        ui.empty_state("profile.no_rfm")
    else:
        labels = {t("profile." + k): i18n.label(k, pr.rfm[k]) for k in ("segment", "tier")}
        ui.fact_list(labels | {t("profile." + k): f"{pr.rfm[k]} / 5" for k in ("r", "f", "m")})
        st.caption(t("profile.rfm_caption"))
with mid:
    st.subheader(t("profile.facts_title"))
    days = {k: s[k] for k in ("first_day", "last_day", "last_reactivation")} | {"signed_up": pr.signed_up}
    facts = {t("profile." + k): i18n.fmt_date(v) for k, v in days.items() if v is not None}
    ui.fact_list(facts | {t("profile.window_days"): s["window_days"]})
with right:
    st.subheader(t("profile.attributes_title"))
    if not pr.attributes:
        ui.empty_state("profile.no_attributes")
    for attr, value in pr.attributes.items():
        st.markdown(f"- {md_text(i18n.attribute_label(attr))}: **{md_text(value, 300)}**")

st.subheader(t("profile.reasons_title"))
if pr.reasons is None or pr.reasons.is_empty():
    ui.empty_state("profile.no_reasons")
else:
    shown = with_labels(pr.reasons, {"reason": "reason", "category": "category"})
    config = {c: t("profile.col_" + c) for c in shown.columns}
    ui.table(shown, column_config=config | {"churned_at": ui.date_column(config["churned_at"])}, key="profile_reasons")
    ui.download(pr.reasons, f"reasons_{customer}", key="profile_reasons_download")

st.subheader(t("profile.contacts_title"))
if pr.contacts is None or pr.contacts.is_empty():
    ui.empty_state("profile.no_contacts")
else:
    config = {c: t("profile.col_" + c) for c in pr.contacts.columns}
    config |= ui.money_columns(ctx, {c: t("profile.col_" + c) for c in ("cost", "revenue_won")})
    config |= {c: ui.date_column(t("profile.col_" + c)) for c in ("contacted_at", "window_end")}
    ui.table(pr.contacts, column_config=config, key="profile_contacts")
    st.caption(t("profile.contacts_caption", days=p.attribution_days))
    ui.download(pr.contacts, f"contacts_{customer}", key="profile_contacts_download")
