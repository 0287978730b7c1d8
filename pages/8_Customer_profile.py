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
from retention.queries.profile import profile

url_customer = st.query_params.get("customer")  # read before ui.setup rewrites the URL with the shared keys
ctx = ui.setup("profile")
p, ss = ctx.params, st.session_state
if url_customer and ss.get("_profile_url") != url_customer:  # a link (or a reload) names the customer
    ss["profile_customer"] = ss["_profile_url"] = url_customer
st.title(t("profile.title"))
st.caption(t("profile.intro", as_of=i18n.fmt_date(p.as_of), window=p.window))

ss["_profile_customer"] = ss.get("profile_customer", "")
st.text_input(
    t("profile.customer"), key="_profile_customer", help=t("profile.customer_help"),
    on_change=lambda: ss.update(profile_customer=ss["_profile_customer"].strip()),
)  # fmt: skip
customer = ss.get("profile_customer", "").strip()
ss["_profile_url"] = customer or None
if customer:
    st.query_params["customer"] = customer
if not customer:
    ui.empty_state("profile.choose")
    st.stop()
with st.spinner(t("common.computing")):
    pr = profile(ctx.ds, p, customer)
if not pr.exists:
    ui.empty_state("profile.unknown", customer=customer)
    st.stop()
if pr.status is None:
    ui.empty_state("profile.not_at_t", customer=customer, as_of=i18n.fmt_date(p.as_of))
    st.stop()

s = pr.status
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric(t("profile.status"), i18n.label("status", s["status"]))
c2.metric(t("profile.days_silent"), i18n.fmt_int(s["recency"]), help=t("profile.days_silent_help"))
c3.metric(t("profile.usual_gap"), i18n.fmt_num(s["expected_gap"]), help=t("profile.usual_gap_help"))
c4.metric(t("profile.frequency"), i18n.fmt_int(s["frequency"]))
c5.metric(t("profile.revenue"), ctx.money(pr.revenue, 2), help=t("profile.revenue_help"))

st.subheader(t("profile.timeline_title"))
if pr.days.is_empty():
    ui.empty_state("profile.no_purchases")
else:
    windows = return_windows(pr.days, s["window_days"], p.as_of)
    st.plotly_chart(timeline(pr.days, windows, p.as_of, ctx.currency), key="profile_timeline")
    st.caption(t("profile.timeline_caption", window=s["window_days"]))
    ui.download(pr.days, f"order_days_{customer}", key="profile_days_download")

    st.subheader(t("predict.profile_title"))
    with st.spinner(t("predict.fitting")):
        curve, why = customer_p_alive(ctx.ds, p, pr.days)
    if why is not None:
        st.info(explain(why), icon=":material/info:")
    elif curve is not None:
        st.metric(t("predict.p_alive_today"), i18n.fmt_pct(curve["p_alive"][-1], 0), help=t("predict.p_alive_today_help"))
        st.plotly_chart(p_alive_curve(curve, windows, p.as_of), key="profile_p_alive")
        st.caption(t("predict.profile_caption", window=s["window_days"]))

left, mid, right = st.columns(3)
with left:
    st.subheader(t("profile.rfm_title"))
    if pr.rfm is None:
        ui.empty_state("profile.no_rfm")
    else:
        labels = {"segment": i18n.label("segment", pr.rfm["segment"]), "tier": i18n.label("tier", pr.rfm["tier"])}
        scores = {k: f"{pr.rfm[k]} / 5" for k in ("r", "f", "m")}
        st.markdown("\n".join(f"- {t('profile.' + k)}: **{v}**" for k, v in (labels | scores).items()))
        st.caption(t("profile.rfm_caption"))
with mid:
    st.subheader(t("profile.facts_title"))
    facts = {"first_day": s["first_day"], "last_day": s["last_day"], "last_reactivation": s["last_reactivation"],
             "signed_up": pr.signed_up}  # fmt: skip
    lines = [f"- {t('profile.' + k)}: **{i18n.fmt_date(v)}**" for k, v in facts.items() if v is not None]
    st.markdown("\n".join([*lines, f"- {t('profile.window_days')}: **{s['window_days']}**"]))
with right:
    st.subheader(t("profile.attributes_title"))
    if not pr.attributes:
        ui.empty_state("profile.no_attributes")
    for attr, value in pr.attributes.items():
        st.markdown(f"- {i18n.attribute_label(attr)}: **{value}**")

st.subheader(t("profile.reasons_title"))
if pr.reasons is None or pr.reasons.is_empty():
    ui.empty_state("profile.no_reasons")
else:
    shown = with_labels(pr.reasons, {"reason": "reason", "category": "category"})
    st.dataframe(
        shown,
        hide_index=True,
        column_config={c: t("profile.col_" + c) for c in shown.columns}
        | {"churned_at": st.column_config.DateColumn(t("profile.col_churned_at"), format="YYYY-MM-DD")},
        key="profile_reasons",
    )
    ui.download(pr.reasons, f"reasons_{customer}", key="profile_reasons_download")

st.subheader(t("profile.contacts_title"))
if pr.contacts is None or pr.contacts.is_empty():
    ui.empty_state("profile.no_contacts")
else:
    config = {c: t("profile.col_" + c) for c in pr.contacts.columns}
    money = i18n.currency_symbol(ctx.currency) + "%.2f"
    for c in ("cost", "revenue_won"):
        config[c] = st.column_config.NumberColumn(t("profile.col_" + c), format=money)
    for c in ("contacted_at", "window_end"):
        config[c] = st.column_config.DateColumn(t("profile.col_" + c), format="YYYY-MM-DD")
    st.dataframe(pr.contacts, hide_index=True, column_config=config, key="profile_contacts")
    st.caption(t("profile.contacts_caption", days=p.attribution_days))
    ui.download(pr.contacts, f"contacts_{customer}", key="profile_contacts_download")
