"""Lifecycle: where customers stand now, the status mix over time, migrations between two dates, a status's customers."""

import streamlit as st

from retention import db, i18n, ui
from retention.charts import lifecycle as charts
from retention.charts.select import pickable, picked_cell, picked_index
from retention.errors import InputError
from retention.i18n import t
from retention.metrics.lifecycle import migration_matrix, one_period_before, with_shares
from retention.queries import lifecycle as queries

ctx = ui.setup("lifecycle")
p = ctx.params
rules = {"window": p.window, "new_days": p.new_days, "alert_factor": f"{p.alert_factor:g}",
         "loyal_min_orders": p.loyal_min_orders}  # fmt: skip
st.title(t("lifecycle.title"))
st.caption(t("lifecycle.caption", as_of=i18n.fmt_date(p.as_of), window=p.window))

with st.spinner(t("common.computing")):
    counts = with_shares(queries.status_counts(ctx.ds, p))
if counts["customers"].sum() == 0:
    ui.empty_state("lifecycle.empty")
    st.stop()

statuses, movements, people = ui.tabs(
    "lc_tab", ["lifecycle.tab_statuses", "lifecycle.tab_movements", "lifecycle.tab_customers"]
)
if statuses.open:
    with statuses:
        left, right = st.columns([2, 3])
        with left:
            st.subheader(t("lifecycle.counts_title"))
            bar = st.plotly_chart(
                charts.status_bar(counts, rules), key="lc_status_bar", on_select="rerun", selection_mode="points"
            )
            ui.download(counts, "statuses", key="lc_counts_download")
            st.caption(t("members.hint_bar"))
        picked = picked_index(bar)
        if picked is not None:
            status = counts["status"][picked]
            label = t("members.status_bar", status=i18n.label("status", status))
            ui.members_list(ctx, f"status:{status}", label, key="lc_status_members")
        with right:
            st.subheader(t("lifecycle.mix_title"))
            with st.spinner(t("common.computing")):
                mix = queries.status_mix(ctx.ds, p)
            st.plotly_chart(charts.status_mix_area(mix, p.period, rules), key="lc_mix")
            st.caption(t("lifecycle.mix_caption", period=t("sidebar.period_" + p.period).lower()))

if movements.open:
    with movements:
        st.subheader(t("lifecycle.migrations_title"))
        first = db.engine(ctx.ds).meta["first_order_date"]
        c1, c2, _ = st.columns([1, 1, 2])
        # Keys carry the as-of date and period, so the defaults follow the sidebar when it changes.
        date_from = c1.date_input(
            t("lifecycle.date_from"), value=one_period_before(p.as_of, p.period, first), min_value=first, max_value=p.as_of,
            key=f"lc_from_{p.as_of}_{p.period}", format="YYYY-MM-DD", help=t("lifecycle.dates_help"),
        )  # fmt: skip
        date_to = c2.date_input(
            t("lifecycle.date_to"), value=p.as_of, min_value=first, max_value=p.as_of, key=f"lc_to_{p.as_of}",
            format="YYYY-MM-DD", help=t("lifecycle.dates_help"),
        )  # fmt: skip
        if date_from > date_to:
            st.error(t("lifecycle.dates_order"))
        else:
            try:
                with st.spinner(t("common.computing")):
                    cells = queries.migrations(ctx.ds, p, date_from, date_to)
            except InputError as exc:
                st.error(str(exc))
                cells = None
            if cells is not None and cells.is_empty():
                ui.empty_state("lifecycle.empty_migrations")
            elif cells is not None:
                heat, flows = st.columns(2)
                with heat:
                    st.markdown(f"**{t('lifecycle.matrix_title')}**")
                    matrix = pickable(charts.migration_heatmap(migration_matrix(cells), date_from, date_to))
                    picked = picked_cell(
                        st.plotly_chart(matrix, key="lc_matrix", on_select="rerun", selection_mode="points"), matrix
                    )
                    fmt = {"date_from": i18n.fmt_date(date_from), "date_to": i18n.fmt_date(date_to)}
                    st.caption(t("lifecycle.matrix_caption", **fmt))
                    ui.download(cells, "migrations", key="lc_migrations_download")
                with flows:
                    st.markdown(f"**{t('lifecycle.sankey_title')}**")
                    st.plotly_chart(charts.migration_sankey(cells, date_from, date_to), key="lc_sankey")
                st.caption(t("members.hint"))
                if picked is not None:
                    source, target = (queries.NOT_YET, *queries.STATUSES)[picked[0]], queries.STATUSES[picked[1]]
                    label = t("members.migration_cell", source=i18n.label("status", source),
                              target=i18n.label("status", target))  # fmt: skip
                    ui.members_list(ctx, f"migration:{source}:{target}", label, key="lc_migration_members",
                                    date_from=date_from, date_to=date_to)  # fmt: skip

if people.open:
    with people:
        st.subheader(t("lifecycle.list_title"))
        status = st.selectbox(
            t("lifecycle.choose_status"), list(queries.STATUSES), index=queries.STATUSES.index("alert"),
            format_func=lambda s: i18n.label("status", s), key="lc_list_status",
        )  # fmt: skip
        st.caption(charts.explain(status, rules))
        with st.spinner(t("common.computing")):
            customers = queries.customer_statuses(ctx.ds, p).filter(status=status)
        if customers.is_empty():
            ui.empty_state("lifecycle.empty_status")
        else:
            label = i18n.label("status", status)
            st.caption(
                t(
                    "lifecycle.list_caption",
                    count=i18n.fmt_int(customers.height),
                    status=label,
                    as_of=i18n.fmt_date(p.as_of),
                )
            )
            config = {c: st.column_config.Column(t(f"lifecycle.col_{c}")) for c in customers.columns if c != "status"}
            for c in ("first_day", "last_day", "last_reactivation"):
                config[c] = st.column_config.DateColumn(t(f"lifecycle.col_{c}"), format="YYYY-MM-DD")
            shown = customers.drop("status")
            st.dataframe(shown, hide_index=True, height=320, column_config=config, key="lc_customers", lazy=True)
            ui.download(customers, f"customers_{status}", key="lc_customers_download")
            ui.profile_picker(customers["customer_id"], key=f"lc_profile_{status}")
