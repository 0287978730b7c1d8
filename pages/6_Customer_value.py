"""Customer value: the R x F grid, value tiers (the 80/20 picture), segments, migrations between two dates, the table."""

import streamlit as st

from retention import i18n, ui
from retention.charts import rfm as charts
from retention.charts.select import pickable, picked_cell
from retention.i18n import t
from retention.metrics import rfm as shape
from retention.metrics.predict import explain, with_predictions
from retention.queries.predict import predictions_or_error
from retention.queries.profit import shows_profit
from retention.queries.rfm import LEVELS, SEGMENTS, TIERS, rfm_table, segment_migrations
from retention.queries.value import value_grid, value_segments, value_tiers

SHOWN = ui.SHOWN_ROWS  # rows drawn in the browser; the download holds them all

ctx = ui.setup("value")
p = ctx.params
st.title(t("rfm.title"))
st.markdown(t("rfm.intro", as_of=i18n.fmt_date(p.as_of)))
with st.spinner(t("common.computing")):
    segments = value_segments(ctx.ds, p)  # every customer with a purchase by T is in one segment
if not segments["customers"].sum():
    ui.empty_state("rfm.empty")
    st.stop()

who, movements, people = ui.tabs("value_tab", ["rfm.tab_who", "rfm.tab_movements", "rfm.tab_customers"])
if who.open:
    with who:
        left, right = st.columns(2)
        with left:
            st.subheader(t("rfm.grid_title"))
            grid = pickable(charts.rf_heatmap(value_grid(ctx.ds, p), ctx.currency), marker_size=48)
            cell = picked_cell(ui.chart(grid, "value_grid", pick=True), grid)
            st.caption(t("rfm.grid_caption") + " " + t("members.hint"))
        with right:
            st.subheader(t("rfm.tiers_title"))
            tiers = value_tiers(ctx.ds, p)  # with profit only when it differs from revenue
            with_profit = shows_profit(ctx.ds, p)
            st.markdown(shape.tiers_sentence(tiers, with_profit))
            ui.chart(charts.tier_shares(tiers, ctx.currency), "value_tiers")
            st.caption(t("rfm.tiers_caption"))
            ui.download(tiers, "value_tiers", key="value_tiers_download")
        if cell is not None:
            r, f = 5 - cell[0], 1 + cell[1]  # rows R 5 .. 1 from the top, columns F 1 .. 5
            ui.members_list(ctx, f"rfm:{r}:{f}", t("members.rfm_cell", r=r, f=f), key="value_cell_members")
        st.subheader(t("rfm.segments_title"))
        bars = ui.chart(charts.segment_bars(segments, ctx.currency), "value_segments", pick=True)
        st.caption(t("rfm.segments_caption") + " " + t("members.hint_bar"))
        ui.download(segments, "segments", key="value_segments_download")
        title = lambda code: i18n.label("segment", code)  # noqa: E731
        ui.bar_members(ctx, bars, segments["segment"].to_list(), title, "segment", "value_segment_members", curve=None)

if movements.open:
    with movements:
        st.subheader(t("rfm.migrations_title"))
        keys, labels = ("value_from", "value_to"), (t("rfm.date_from"), t("rfm.date_to"))
        ui.keep_dates(keys, shape.default_dates(p.as_of, p.period, ctx.first_day), ctx.first_day, p.as_of)
        c1, c2, c3 = st.columns([1, 1, 2])
        date_from, date_to = ui.date_range((c1, c2), labels, keys, ctx.first_day, p.as_of)
        level = c3.segmented_control(
            t("rfm.level"), LEVELS, format_func=lambda v: t("rfm.level_" + v), default="segment", key="value_level"
        ) or "segment"  # fmt: skip
        query = lambda a, b: segment_migrations(ctx.ds, p, a, b, level)  # noqa: E731
        moves = ui.between_dates(query, date_from, date_to, t("rfm.dates_reversed"), icon=":material/error:")
        if moves is not None and moves.is_empty():
            ui.empty_state("rfm.migrations_empty")
        elif moves is not None:
            labels = [t("rfm.at_date", date=i18n.fmt_date(x)) for x in (date_from, date_to)]
            st.markdown(f"**{t('rfm.matrix_title')}**")
            ui.chart(charts.migration_heatmap(moves, level, *labels), "value_matrix")
            st.markdown(f"**{t('rfm.sankey_title')}**")
            ui.chart(charts.migration_sankey(moves, level, *labels), "value_sankey")
            st.caption(t("rfm.migrations_caption"))
            ui.download(moves, "segment_migrations", key="value_migrations_download")

if people.open:
    with people:
        st.subheader(t("rfm.table_title"))
        f1, f2 = st.columns(2)
        chosen_segments = ui.code_filter(f1, "rfm.filter_segment", SEGMENTS, "segment", "value_segment", "rfm.all")
        chosen_tiers = ui.code_filter(f2, "rfm.filter_tier", TIERS, "tier", "value_tier", "rfm.all")
        with st.spinner(t("predict.fitting")):
            table = rfm_table(ctx.ds, p)
            pred, why = predictions_or_error(ctx.ds, p)
        shown = with_predictions(shape.filter_table(table, chosen_segments, chosen_tiers), pred)
        money = ui.number_column(t("rfm.col_monetary"), ctx.money_format())
        config = {"customer_id": t("rfm.col_customer"), "r": "R", "f": "F", "m": "M", "monetary": money}
        config |= {c: t("rfm.col_" + c) for c in ("recency", "frequency", "segment", "tier")} | ui.prediction_columns(
            ctx
        )
        ui.table(shape.table_shown(shown, SHOWN), height=380, lazy=True, column_config=config)
        counts = {"shown": shown.height, "total": table.height, "limit": SHOWN}
        st.caption(t("rfm.table_count", **{k: i18n.fmt_int(v) for k, v in counts.items()}))
        if why is not None:
            st.caption(t("predict.columns_absent", why=explain(why)))
        ui.download(shown, "customer_value", key="value_table_download")
