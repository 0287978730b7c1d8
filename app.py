"""Home page: what the data holds, what the expected return window means, where to go next."""

import streamlit as st

from retention import i18n, ui
from retention.i18n import t
from retention.metrics.overview import active_share
from retention.queries.common import overview

ctx = ui.setup("overview")
p = ctx.params

st.title(t("overview.title"))
st.markdown(t("overview.intro"))

with st.spinner(t("common.computing")):
    facts = overview(ctx.ds, p)

c1, c2, c3, c4 = st.columns(4)
c1.metric(t("overview.customers"), i18n.fmt_int(facts["customers"]), help=t("overview.customers_help"))
c2.metric(t("overview.active"), i18n.fmt_int(facts["active"]), help=t("overview.active_help"))
c3.metric(t("overview.orders"), i18n.fmt_int(facts["order_rows"]), help=t("overview.orders_help"))
c4.metric(t("overview.revenue"), ctx.money(facts["revenue"]), help=t("overview.revenue_help"))
if facts["first_order_date"] is None:
    ui.empty_state("common.no_data_filtered")
else:
    st.caption(
        t(
            "overview.date_range",
            first=i18n.fmt_date(facts["first_order_date"]),
            last=i18n.fmt_date(facts["last_order_date"]),
            as_of=i18n.fmt_date(p.as_of),
        )
    )

st.subheader(t("overview.window_title"))
share = active_share(facts)
st.markdown(
    t(
        "overview.window_text",
        window=p.window,
        active=i18n.fmt_int(facts["active"]),
        buyers=i18n.fmt_int(facts["buyers"]),
        share=i18n.fmt_pct(share),
    )
)

st.subheader(t("overview.next_title"))
for page in ui.visible_pages(ui.current_role()):
    if page.key in ("overview", "import", "profile"):
        continue
    ui.page_link(page, label=t("overview.next_" + page.key))
