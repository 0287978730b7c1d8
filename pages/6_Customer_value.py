"""Customer value: the R x F grid, value tiers (the 80/20 picture), segments, migrations between two dates, the table."""

import streamlit as st

from retention import db, i18n, ui
from retention.charts import rfm as charts
from retention.errors import InputError
from retention.i18n import t
from retention.metrics import rfm as shape
from retention.metrics.predict import explain, with_predictions
from retention.queries.predict import predictions_or_error
from retention.queries.rfm import LEVELS, SEGMENTS, TIERS, rfm_table, segment_migrations

SHOWN = 5000  # rows drawn in the browser; the download holds them all

ctx = ui.setup("value")
p = ctx.params
st.title(t("rfm.title"))
st.markdown(t("rfm.intro", as_of=i18n.fmt_date(p.as_of)))

with st.spinner(t("common.computing")):
    table = rfm_table(ctx.ds, p)
if table.is_empty():
    ui.empty_state("rfm.empty")
    st.stop()

who, movements, people = ui.tabs("value_tab", ["rfm.tab_who", "rfm.tab_movements", "rfm.tab_customers"])
if who.open:
    with who:
        left, right = st.columns(2)
        with left:
            st.subheader(t("rfm.grid_title"))
            st.plotly_chart(charts.rf_heatmap(shape.rf_grid(table), ctx.currency), key="value_grid")
            st.caption(t("rfm.grid_caption"))
        with right:
            st.subheader(t("rfm.tiers_title"))
            tiers = shape.tier_summary(table)
            high = tiers.row(0, named=True)
            share = {k: i18n.fmt_pct(high[f"{k}_share"], 0) for k in ("customer", "revenue")}
            st.markdown(t("rfm.tiers_sentence", customers=share["customer"], revenue=share["revenue"]))
            st.plotly_chart(charts.tier_shares(tiers, ctx.currency), key="value_tiers")
            st.caption(t("rfm.tiers_caption"))
            ui.download(tiers, "value_tiers", key="value_tiers_download")

        st.subheader(t("rfm.segments_title"))
        segments = shape.segment_summary(table)
        st.plotly_chart(charts.segment_bars(segments, ctx.currency), key="value_segments")
        st.caption(t("rfm.segments_caption"))
        ui.download(segments, "segments", key="value_segments_download")

if movements.open:
    with movements:
        st.subheader(t("rfm.migrations_title"))
        first_day = db.engine(ctx.ds).meta["first_order_date"]
        defaults = shape.default_dates(p.as_of, p.period, first_day)
        for key, default in zip(("value_from", "value_to"), defaults, strict=True):
            current = st.session_state.get(key)
            if current is None or not first_day <= current <= p.as_of:  # first visit, or T moved in the sidebar
                st.session_state[key] = default
        c1, c2, c3 = st.columns([1, 1, 2])
        bounds = {"min_value": first_day, "max_value": p.as_of, "format": "YYYY-MM-DD"}
        date_from = c1.date_input(t("rfm.date_from"), key="value_from", **bounds)
        date_to = c2.date_input(t("rfm.date_to"), key="value_to", **bounds)
        level = c3.segmented_control(
            t("rfm.level"), LEVELS, format_func=lambda v: t("rfm.level_" + v), default="segment", key="value_level"
        ) or "segment"  # fmt: skip
        moves = None
        if date_from > date_to:
            st.error(t("rfm.dates_reversed"), icon=":material/error:")
        else:
            try:
                with st.spinner(t("common.computing")):
                    moves = segment_migrations(ctx.ds, p, date_from, date_to, level)
            except InputError as exc:
                st.error(str(exc), icon=":material/error:")
        if moves is not None and moves.is_empty():
            ui.empty_state("rfm.migrations_empty")
        elif moves is not None:
            labels = [t("rfm.at_date", date=i18n.fmt_date(x)) for x in (date_from, date_to)]
            st.markdown(f"**{t('rfm.matrix_title')}**")
            st.plotly_chart(charts.migration_heatmap(moves, level, *labels), key="value_matrix")
            st.markdown(f"**{t('rfm.sankey_title')}**")
            st.plotly_chart(charts.migration_sankey(moves, level, *labels), key="value_sankey")
            st.caption(t("rfm.migrations_caption"))
            ui.download(moves, "segment_migrations", key="value_migrations_download")

if people.open:
    with people:
        st.subheader(t("rfm.table_title"))
        f1, f2 = st.columns(2)
        kw = {"placeholder": t("rfm.all")}
        chosen_segments = f1.multiselect(
            t("rfm.filter_segment"), SEGMENTS, format_func=lambda c: i18n.label("segment", c), key="value_segment", **kw
        )
        chosen_tiers = f2.multiselect(
            t("rfm.filter_tier"), TIERS, format_func=lambda c: i18n.label("tier", c), key="value_tier", **kw
        )
        with st.spinner(t("predict.fitting")):
            pred, why = predictions_or_error(ctx.ds, p)
        shown = with_predictions(shape.filter_table(table, chosen_segments, chosen_tiers), pred)
        money = i18n.currency_symbol(ctx.currency) + "%.2f"
        st.dataframe(
            shape.with_labels(shown.sort("monetary", "customer_id", descending=[True, False]).head(SHOWN),
                              {"segment": "segment", "tier": "tier"}),
            hide_index=True, height=380, lazy=True,
            column_config={
                "customer_id": t("rfm.col_customer"), "recency": t("rfm.col_recency"), "frequency": t("rfm.col_frequency"),
                "monetary": st.column_config.NumberColumn(t("rfm.col_monetary"), format=money),
                "r": "R", "f": "F", "m": "M", "segment": t("rfm.col_segment"), "tier": t("rfm.col_tier"),
                "p_alive": st.column_config.NumberColumn(t("predict.p_alive"), format="percent"),
                "predicted_value": st.column_config.NumberColumn(t("predict.col_predicted_value"), format=money),
            },
        )  # fmt: skip
        st.caption(
            t(
                "rfm.table_count",
                shown=i18n.fmt_int(shown.height),
                total=i18n.fmt_int(table.height),
                limit=i18n.fmt_int(SHOWN),
            )
        )
        if why is not None:
            st.caption(t("predict.columns_absent", why=explain(why)))
        ui.download(shown, "customer_value", key="value_table_download")
