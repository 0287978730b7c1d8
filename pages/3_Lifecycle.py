"""Lifecycle: where customers stand now, the status mix over time, migrations between two dates, a status's customers."""

import streamlit as st

from retention import i18n, ui
from retention.charts import lifecycle as charts
from retention.charts.select import pickable, picked_cell
from retention.i18n import t
from retention.metrics import lifecycle as shape
from retention.queries import lifecycle as queries

ctx = ui.setup("lifecycle")
p = ctx.params
rules = shape.rule_values(p)
st.title(t("lifecycle.title"))
st.caption(t("lifecycle.caption", as_of=i18n.fmt_date(p.as_of), window=p.window))
with st.spinner(t("common.computing")):
    counts = shape.with_shares(queries.status_counts(ctx.ds, p))
if shape.nobody(counts):
    ui.empty_state("lifecycle.empty")
    st.stop()

tab_keys = ["lifecycle.tab_statuses", "lifecycle.tab_movements", "lifecycle.tab_customers"]
statuses, movements, people = ui.tabs("lc_tab", tab_keys)
if statuses.open:
    with statuses:
        left, right = st.columns([2, 3])
        with left:
            st.subheader(t("lifecycle.counts_title"))
            bar = ui.chart(charts.status_bar(counts, rules), "lc_status_bar", pick=True)
            ui.download(counts, "statuses", key="lc_counts_download")
            st.caption(t("members.hint_bar"))
        title = lambda s: t("members.status_bar", status=i18n.label("status", s))  # noqa: E731
        ui.bar_members(ctx, bar, counts["status"].to_list(), title, "status", "lc_status_members")
        with right:
            st.subheader(t("lifecycle.mix_title"))
            with st.spinner(t("common.computing")):
                mix = queries.status_mix(ctx.ds, p)
            ui.chart(charts.status_mix_area(mix, p.period, rules), "lc_mix")
            st.caption(t("lifecycle.mix_caption", period=t("sidebar.period_" + p.period).lower()))

if movements.open:
    with movements:
        st.subheader(t("lifecycle.migrations_title"))
        c1, c2, _ = st.columns([1, 1, 2])
        # Keys carry the as-of date and period, so the defaults follow the sidebar when it changes.
        keys, values = (f"lc_from_{p.as_of}_{p.period}", f"lc_to_{p.as_of}"), (
            shape.one_period_before(p.as_of, p.period, ctx.first_day), p.as_of)  # fmt: skip
        labels = (t("lifecycle.date_from"), t("lifecycle.date_to"))
        dates = ui.date_range((c1, c2), labels, keys, ctx.first_day, p.as_of, values, t("lifecycle.dates_help"))
        cells = ui.between_dates(lambda a, b: queries.migrations(ctx.ds, p, a, b), *dates, t("lifecycle.dates_order"))
        if cells is not None and cells.is_empty():
            ui.empty_state("lifecycle.empty_migrations")
        elif cells is not None:
            heat, flows = st.columns(2)
            with heat:
                st.markdown(f"**{t('lifecycle.matrix_title')}**")
                matrix = pickable(charts.migration_heatmap(shape.migration_matrix(cells), *dates))
                picked = picked_cell(ui.chart(matrix, "lc_matrix", pick=True), matrix)
                fmt = {"date_from": i18n.fmt_date(dates[0]), "date_to": i18n.fmt_date(dates[1])}
                st.caption(t("lifecycle.matrix_caption", **fmt))
                ui.download(cells, "migrations", key="lc_migrations_download")
            with flows:
                st.markdown(f"**{t('lifecycle.sankey_title')}**")
                ui.chart(charts.migration_sankey(cells, *dates), "lc_sankey")
            st.caption(t("members.hint"))
            if picked is not None:
                source, target = (queries.NOT_YET, *queries.STATUSES)[picked[0]], queries.STATUSES[picked[1]]
                label = t("members.migration_cell", source=i18n.label("status", source),
                          target=i18n.label("status", target))  # fmt: skip
                ui.members_list(ctx, f"migration:{source}:{target}", label, key="lc_migration_members",
                                date_from=dates[0], date_to=dates[1])  # fmt: skip

if people.open:
    with people:
        st.subheader(t("lifecycle.list_title"))
        status = st.selectbox(
            t("lifecycle.choose_status"), list(queries.STATUSES), index=queries.STATUSES.index("alert"),
            format_func=lambda s: i18n.label("status", s), key="lc_list_status",
        )  # fmt: skip
        st.caption(charts.explain(status, rules))
        with st.spinner(t("common.computing")):
            customers = shape.of_status(queries.customer_statuses(ctx.ds, p), status)
        if customers.is_empty():
            ui.empty_state("lifecycle.empty_status")
        else:
            count, label = i18n.fmt_int(customers.height), i18n.label("status", status)
            caption = t("lifecycle.list_caption", count=count, status=label, as_of=i18n.fmt_date(p.as_of))
            ui.list_caption(caption, customers.height)
            config = {c: st.column_config.Column(t(f"lifecycle.col_{c}")) for c in customers.columns if c != "status"}
            for c in ("first_day", "last_day", "last_reactivation"):
                config[c] = ui.date_column(t(f"lifecycle.col_{c}"))
            shown = shape.status_list_shown(ui.shown_rows(customers))
            ui.table(shown, height=320, column_config=config, key="lc_customers", lazy=True)
            ui.download(customers, f"customers_{status}", key="lc_customers_download")
            ui.profile_picker(customers["customer_id"], key=f"lc_profile_{status}")
