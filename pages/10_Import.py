"""Import: upload a file, the detected preset or a column mapping, a preview as it will be read, then import."""

import tempfile
from pathlib import Path

import pandas  # noqa: F401  (streamlit imports it lazily to draw a table: see retention/charts)
import streamlit as st

from retention import i18n, importer, presets, ui
from retention.errors import InputError
from retention.i18n import t

ctx = ui.setup("import", needs_data=False)
st.title(t("import.title"))
if isinstance(ctx.settings.data_dir, str):  # data at a URL (Spark): the importer writes local folders only
    st.info(t("import.remote", location=ctx.settings.data_dir), icon=":material/cloud:")
    st.stop()
data_dir = Path(ctx.settings.data_dir)
st.caption(t("import.intro", data_dir=str(data_dir)))

table = st.selectbox(t("import.table"), ui.TABLES, format_func=lambda n: t("import.table_" + n), key="import_table")
st.caption(t("import.columns_" + table))
upload = st.file_uploader(t("import.file"), type=["csv", "txt", "tsv", "xlsx", "xls", "parquet"], key="import_file")

if upload is not None:
    # The upload lives in a temporary folder for this run only; nothing is left behind.
    with tempfile.TemporaryDirectory(prefix="retention-upload-") as workdir:
        path = Path(workdir) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            sheets = importer.sheets(path)
            sheet = st.selectbox(t("import.sheet"), sheets, key="import_sheet") if len(sheets) > 1 else None
            head = importer.preview(path, sheet=sheet)
            detected = importer.recognised_preset(path, importer.Options(sheet=sheet)) if table == "orders" else None
        except InputError as exc:
            st.error(str(exc), icon=":material/error:")
            st.stop()

        st.subheader(t("import.step_read"))
        choices = ["", *presets.NAMES] if table == "orders" else [""]
        preset = st.selectbox(
            t("import.preset"), choices, index=choices.index(detected or ""), key=f"import_preset_{detected}",
            format_func=lambda p: presets.PRESETS[p].label if p else t("import.no_preset"),
        )  # fmt: skip
        if detected:
            st.success(t("import.detected", label=presets.PRESETS[detected].label), icon=":material/storefront:")
        mapping = {}
        if not preset:
            st.caption(t("import.mapping_help"))
            mapping = ui.column_mapping(table, list(head.columns))
        left, right = st.columns(2)
        decimal_comma = left.toggle(t("import.decimal_comma"), key="import_decimal_comma")
        append = right.toggle(t("import.append"), key="import_append", disabled=table != "orders")
        date_key = f"import_date_format_{upload.file_id}"  # a new file asks again
        date_format = st.session_state.get(date_key) or None
        chosen = None if preset == detected else (preset or None)  # the detected one: "recognised" in the summary
        options = importer.Options(chosen, date_format, decimal_comma, sheet, append, recognise=preset == detected)

        st.subheader(t("import.step_preview"))
        try:
            with st.spinner(t("import.checking")):
                result = importer.dry_run(path, table, data_dir, mapping, ctx.settings.timezone, options)
        except importer.AmbiguousDateError as amb:
            st.warning(t("import.ambiguous", example=amb.example), icon=":material/calendar_month:")
            readings = amb.readings
            st.radio(
                t("import.date_order"), list(readings), index=None, key=date_key,
                format_func=lambda f: t("import.reading", reading=i18n.fmt_date(readings[f]), format=f),
            )  # fmt: skip
            st.stop()
        except InputError as exc:
            # Import stays offered: it checks again and says the same, nothing is replaced.
            st.error(t("import.failed", message=str(exc)), icon=":material/error:")
            result = None
        if result is not None:
            st.dataframe(result.preview, hide_index=True, key="import_preview")
            s = result.summary
            written = s.orders if table == "orders" else s.rows_written
            ui.metric_row([(t("import.rows_read"), i18n.fmt_int(s.rows_read)),
                           (t("import.orders" if table == "orders" else "import.rows"), i18n.fmt_int(written)),
                           (t("import.refunds"), i18n.fmt_int(s.refunds)), (t("import.guests"), i18n.fmt_int(s.guests)),
                           (t("import.left_out"), i18n.fmt_int(sum(s.left_out.values()) + s.skipped_existing))])  # fmt: skip
            with st.expander(t("import.summary"), expanded=True, icon=":material/summarize:"):
                st.code("\n".join(t("import.s_" + key, **values) for key, values in s.items()), language=None)
        if st.button(t("import.run"), type="primary", key="import_run", icon=":material/upload:"):
            with st.spinner(t("import.running")):
                try:
                    done = importer.run_import(path, table, data_dir, mapping, ctx.settings.timezone, options)
                except InputError as exc:
                    st.error(t("import.failed", message=str(exc)), icon=":material/error:")
                else:
                    ui.data_changed()  # the next page opens the new data at once
                    st.success(done.message, icon=":material/check_circle:")

st.subheader(t("import.history"))
ui.import_history(table, data_dir, ctx.settings.timezone)
