"""Win back: the lost customers most worth a call, what they were worth, who already called them."""

import streamlit as st

from retention import i18n, ui
from retention.i18n import t
from retention.metrics import winback as shape
from retention.metrics.rfm import with_labels
from retention.params import attributes
from retention.queries.lists import winback_page_list
from retention.queries.rfm import SEGMENTS, TIERS
from retention.queries.winback import WINBACK_COLUMNS

ctx = ui.setup("winback")
p = ctx.params
st.title(t("winback.title"))
st.markdown(t("winback.intro", window=p.window, recent=p.recent_contact_days))

with st.spinner(t("common.computing")):
    listed = winback_page_list(ctx.ds, p)

f1, f2, f3, f4 = st.columns([1, 1, 0.8, 0.8], vertical_alignment="bottom")
tiers = f1.multiselect(
    t("winback.filter_tier"), TIERS, format_func=lambda c: i18n.label("tier", c), key="winback_tiers",
    placeholder=t("winback.all"),
)  # fmt: skip
segments = f2.multiselect(
    t("winback.filter_segment"), SEGMENTS, format_func=lambda c: i18n.label("segment", c), key="winback_segments",
    placeholder=t("winback.all"),
)  # fmt: skip
loyal_only = f3.toggle(
    t("winback.loyal_only"), key="winback_loyal", help=t("winback.loyal_only_help", loyal=p.loyal_min_orders)
)
not_recent = f4.toggle(
    t("winback.not_recent"), key="winback_not_recent", help=t("winback.not_recent_help", recent=p.recent_contact_days)
)  # fmt: skip
shown = shape.filter_winback(listed, tiers, segments, loyal_only, not_recent)

facts = shape.winback_tiles(shown)
c1, c2, c3, c4 = st.columns(4)
c1.metric(t("winback.listed"), i18n.fmt_int(facts["customers"]))
c2.metric(t("winback.value_at_stake"), ctx.money(facts["value_at_stake"]), help=t("winback.value_at_stake_help"))
c3.metric(t("winback.was_loyal"), i18n.fmt_int(facts["was_loyal"]))
c4.metric(t("winback.never_contacted"), i18n.fmt_int(facts["never_contacted"]))
if shown.is_empty():
    ui.empty_state("winback.empty")
    st.stop()

st.subheader(t("winback.list_title"))
calls = shape.call_list(shown, WINBACK_COLUMNS)
money = i18n.currency_symbol(ctx.currency) + "%.2f"
attrs = attributes(ctx.ds)
texts = ("customer_id", "days_silent", "frequency", "last_campaign", "rfm_segment", "value_tier")
st.dataframe(
    with_labels(ui.shown_rows(calls), {"last_reason": "reason", "rfm_segment": "segment", "value_tier": "tier"}),
    hide_index=True, height=420, lazy=True,
    column_config={
        **{c: t("winback." + c) for c in texts},
        **{a: i18n.attribute_label(a) for a in attrs},
        "last_reason": t("winback.last_reason"),
        "was_loyal": st.column_config.CheckboxColumn(t("winback.was_loyal_col")),
        "recently_contacted": st.column_config.CheckboxColumn(t("winback.recently_contacted")),
        "last_purchase": st.column_config.DateColumn(t("winback.last_purchase"), format="YYYY-MM-DD"),
        "last_contacted_at": st.column_config.DateColumn(t("winback.last_contacted_at"), format="YYYY-MM-DD"),
        "lifetime_revenue": st.column_config.NumberColumn(t("winback.lifetime_revenue"), format=money),
        "revenue_last_year": st.column_config.NumberColumn(t("winback.revenue_last_year"), format=money),
        "p_alive": st.column_config.ProgressColumn(t("winback.p_alive"), format="percent", min_value=0, max_value=1),
    },
)  # fmt: skip
ui.list_caption(t("winback.list_caption", shown=i18n.fmt_int(shown.height)), shown.height)
if shape.without_model(shown):
    st.caption(t("winback.no_model"))
ui.download(calls, f"winback_{p.as_of.isoformat()}", key="winback_download", label=t("winback.download"), primary=True)
ui.profile_picker(calls["customer_id"], key="winback_profile")
