"""Return window: the return curve per segment, recommended windows (applied app-wide), and the what-if."""

import streamlit as st

from retention import i18n, ui
from retention.charts import window as charts
from retention.i18n import t
from retention.metrics.window import for_display, page_whatif_grid, recommended_map, whatif_reading, with_windows_in_use
from retention.queries.window import PAGE_MAX_DAYS as MAX_DAYS
from retention.queries.window import recommend, return_curves, whatif

ctx = ui.setup("return_window")
p, ss = ctx.params, st.session_state
st.title(t("window.title"))
st.caption(t("window.intro"))
overall, grid = ui.computed(
    lambda: (return_curves(ctx.ds, p, None, MAX_DAYS), whatif(ctx.ds, p, page_whatif_grid(p.window)))
)
if overall.is_empty():
    ui.empty_state("window.empty")
    st.stop()


@st.fragment
def recommended_windows() -> None:
    """The threshold slider and the segment choice rerun only this part, from the cached return curves."""
    attributes = ui.filterable_attributes(ctx.ds)
    left, right = st.columns(2)
    by = None
    if attributes:
        default = attributes.index(ss["window_by"]) if ss.get("window_by") in attributes else 0
        by = left.selectbox(
            t("window.attribute"), attributes, index=default, format_func=i18n.attribute_label, key="window_attribute"
        )
    start = round(100 * p.return_threshold)  # the setting, in whole percent
    percent = right.slider(
        t("window.threshold"), 0, max(50, start), start, 1, format="%d%%",
        key="window_threshold", help=t("window.threshold_help"),
    )  # fmt: skip
    threshold = percent / 100  # 10 / 100 is the same float as 0.1, so boundaries match the CLI
    with st.spinner(t("common.computing")):
        curves = return_curves(ctx.ds, p, by, MAX_DAYS)
        recs = recommend(ctx.ds, p, by, threshold, MAX_DAYS)
    st.subheader(t("window.curve_title"))
    ui.chart(charts.return_curves(curves, recs, threshold, p.window), "window_curve")
    st.caption(t("window.curve_caption"))
    if recs.height - 1 > charts.MAX_LINES:
        st.caption(t("window.curve_truncated", n=charts.MAX_LINES, total=recs.height - 1))

    st.subheader(t("window.recs_title"))
    st.caption(t("window.recs_caption", share=i18n.fmt_pct(threshold, 0), max_days=MAX_DAYS))
    table = with_windows_in_use(recs, p.window, ss.get("window_by"), ss.get("window_map") or {}, by)
    shown = for_display(table, t("window.everyone"), t("window.no_window"))
    config = {"segment": t("window.col_segment"), "window_in_use": t("window.col_in_use"),
              "recommended_window": st.column_config.TextColumn(t("window.col_recommended"), help=t("window.no_window_help")),
              "silences": ui.number_column(t("window.col_silences"))}  # fmt: skip
    ui.table(shown, "recommended_windows", "window_recs_download", recs, key="window_recs_table", column_config=config)
    if not attributes:
        ui.empty_state("window.no_attributes")
        return
    if ss.pop("_window_applied", None):
        st.success(t("window.applied", attribute=by), icon=":material/check_circle:")
    mapping = recommended_map(recs)
    label = t("window.apply", attribute=by)
    if st.button(label, key="window_apply", type="primary", disabled=not mapping, help=t("window.apply_help")):
        ss["window_by"], ss["window_map"], ss["_window_applied"] = by, mapping, True
        st.rerun()  # the whole app: the sidebar and every page now use the map
    if not mapping:
        st.caption(t("window.nothing_to_apply"))


recommended_windows()

st.subheader(t("window.whatif_title"))
if ss.get("window_by") and ss.get("window_map"):
    st.info(t("window.whatif_map_note", attribute=ss["window_by"]), icon=":material/tune:")
ui.chart(charts.whatif(grid, p.window), "window_whatif")
reading, churn_line, period_label = whatif_reading(grid, overall, p.window, p.period)
st.markdown(reading)
st.markdown(churn_line)
st.caption(t("window.whatif_caption", period=period_label))
with st.expander(t("window.whatif_table")):
    ui.table(grid, "whatif", "window_whatif_download", key="window_whatif_table")
