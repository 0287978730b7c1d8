"""Import: upload a CSV or Parquet file, map its columns, preview, validate, replace the table atomically."""

import tempfile
from pathlib import Path

import pandas  # noqa: F401  (streamlit imports it lazily to draw a table: see retention/charts)
import streamlit as st

from retention import db, i18n, importer, ui
from retention.errors import InputError
from retention.i18n import t

ctx = ui.setup("import", needs_data=False)
data_dir = Path(ctx.settings.data_dir)
st.title(t("import.title"))
st.caption(t("import.intro", data_dir=str(data_dir)))

table = st.selectbox(t("import.table"), db.TABLES, format_func=lambda n: t("import.table_" + n), key="import_table")
st.caption(t("import.columns_" + table))
upload = st.file_uploader(t("import.file"), type=["csv", "txt", "parquet"], key="import_file")

if upload is not None:
    # The upload lives in a temporary folder for this run only; nothing is left behind.
    with tempfile.TemporaryDirectory(prefix="retention-upload-") as workdir:
        path = Path(workdir) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        try:
            head = importer.preview(path)
        except InputError as exc:
            st.error(str(exc), icon=":material/error:")
            st.stop()
        st.subheader(t("import.preview"))
        st.dataframe(head, hide_index=True)

        st.subheader(t("import.mapping"))
        st.caption(t("import.mapping_help"))
        mapping = {}
        sources = list(head.columns)
        cols = st.columns(3)
        for i, name in enumerate(importer.contract_columns(table)):
            guess = next((c for c in sources if c.strip().lower() == name), None)
            options = ["", *sources]
            choice = cols[i % 3].selectbox(
                name, options, index=options.index(guess) if guess else 0, key=f"import_map_{table}_{name}",
                format_func=lambda c: c or t("import.not_in_file"),
            )  # fmt: skip
            if choice and choice != name:
                mapping[name] = choice
        if st.button(t("import.run"), type="primary", key="import_run", icon=":material/upload:"):
            with st.spinner(t("import.running")):
                try:
                    message = importer.import_file(path, table, data_dir, mapping, ctx.settings.timezone)
                except InputError as exc:
                    st.error(t("import.failed", message=str(exc)), icon=":material/error:")
                else:
                    st.success(message, icon=":material/check_circle:")


st.subheader(t("import.history"))
versions = importer.history(table, data_dir)
if not versions:
    ui.empty_state("import.no_history", table=table)
for v in versions:
    left, right = st.columns([4, 1])
    left.write(
        t(
            "import.version",
            saved=i18n.fmt_date(v.saved_at.date()),
            time=v.saved_at.strftime("%H:%M:%S"),
            size=i18n.fmt_num(v.size_bytes / 1e6, 2),
        )
    )
    if right.button(t("import.restore"), key=f"restore_{table}_{v.name}", icon=":material/restore:"):
        try:
            st.success(importer.restore(table, data_dir, v.name, ctx.settings.timezone))
        except InputError as exc:
            st.error(str(exc))
