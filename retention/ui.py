"""The one call every page starts with: page config, sign-in, the menu and the shared sidebar.

Values that span pages (window, period, as-of, filters, window map, language) live under plain
session_state keys and in the URL; each widget has its own `_`-prefixed key fed from the plain key,
because Streamlit drops a widget's key when its page is left.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from retention import db, i18n, results, warm
from retention.errors import InputError
from retention.i18n import t
from retention.params import PERIODS, Params, make_params
from retention.safe import file_stem, md_text, short
from retention.settings import Settings, get_settings

if TYPE_CHECKING:
    import polars as pl

ROOT = Path(__file__).resolve().parent.parent
ALL_ROLES = ("admin", "marketing", "executive")


@dataclass(frozen=True)
class Page:
    key: str
    path: str
    icon: str
    roles: tuple[str, ...] = ("admin", "marketing")


PAGES = (
    Page("overview", "app.py", ":material/home:", ALL_ROLES),
    Page("kpis", "pages/1_KPIs.py", ":material/speed:", ALL_ROLES),
    Page("cohorts", "pages/2_Cohorts.py", ":material/grid_on:"),
    Page("lifecycle", "pages/3_Lifecycle.py", ":material/autorenew:"),
    Page("return_window", "pages/4_Return_window.py", ":material/timer:"),
    Page("reasons", "pages/5_Reasons.py", ":material/sentiment_dissatisfied:"),
    Page("value", "pages/6_Customer_value.py", ":material/diamond:"),
    Page("predictions", "pages/11_Predictions.py", ":material/query_stats:"),
    Page("alerts", "pages/7_Early_warning.py", ":material/notifications_active:"),
    Page("winback", "pages/12_Win_back.py", ":material/phone_callback:"),
    Page("profile", "pages/8_Customer_profile.py", ":material/person_search:"),
    Page("campaigns", "pages/9_Campaigns.py", ":material/campaign:"),
    Page("import", "pages/10_Import.py", ":material/upload_file:", ("admin",)),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}

TABLES = db.TABLES  # the tables of a data folder, in the order the Import page offers them

# Plain session keys that span pages, mirrored in the URL under these names.
URL_KEYS = {"window": "window", "period": "period", "as_of": "as_of", "lang": "lang", "window_by": "wby"}


@dataclass(frozen=True)
class Context:
    """What a page needs: the dataset handle, the parameters from the sidebar and the settings."""

    ds: db.Dataset
    params: Params
    settings: Settings

    @property
    def currency(self) -> str:
        return self.settings.currency

    def money(self, x: object, digits: int = 0) -> str:
        return i18n.fmt_money(x, self.settings.currency, digits)

    def money_format(self, pattern: str = "%.2f") -> str:
        """A table column's format for money in the settings' currency (st.column_config's printf style)."""
        return i18n.currency_symbol(self.settings.currency) + pattern

    @property
    def first_day(self) -> dt.date:
        """The first order day of the data: the earliest date a page's date inputs offer."""
        return db.engine(self.ds).meta["first_order_date"]

    @property
    def data_as_of(self) -> dt.date:
        """The default as-of date of the data (its last complete day)."""
        return db.engine(self.ds).meta["default_as_of"]


def visible_pages(role: str) -> list[Page]:
    return [p for p in PAGES if role in p.roles and (ROOT / p.path).exists()]


@st.cache_resource(show_spinner=False, max_entries=4)
def _open(data_dir: str, version: str, timezone: str, _settings: Settings, engine: str = "duckdb") -> db.Dataset:
    # Keyed by the data version (and the engine), so a changed folder is read again; the engine itself is shared
    # by all sessions (on Spark: the process's one SparkSession, retention/spark_engine.session).
    s = _settings
    return db.open_dataset(
        data_dir, timezone, memory_limit=s.memory_limit, threads=s.threads, temp_dir=s.temp_dir, cache_dir=s.cache_dir,
        engine_name=engine,
    )  # fmt: skip


def open_data(settings: Settings) -> db.Dataset:
    if isinstance(settings.data_dir, str):  # a URL only Spark reads (settings.location keeps it text)
        data_dir: Path | str = settings.data_dir
        version = _checked_remote_version(settings)
    else:
        data_dir = Path(settings.data_dir)
        version = _checked_version(data_dir)
    ds = _open(str(data_dir), version, settings.timezone, settings, settings.engine)
    try:
        db.engine(ds)
    except InputError:
        _open.clear()
        ds = _open(str(data_dir), version, settings.timezone, settings, settings.engine)
    # Every page's default view of this data version, computed (or read back from disk) in the background.
    results.enable(settings.store_results)
    warm.start(ds, settings)
    return ds


# Listing a data folder at a URL (hdfs://, s3a://) is a Spark job: a session looks again at most this often.
REMOTE_CHECK_SECONDS = 60.0


def _checked_remote_version(settings: Settings) -> str:
    """The data version of a data folder at a URL, as Spark lists it (spark_engine.dataset), under the same
    session key as _checked_version; "url" on DuckDB, whose open_dataset refuses a URL with its message."""
    location, ss, now = str(settings.data_dir), st.session_state, time.monotonic()
    if not on_spark(settings):
        return "url"
    seen = ss.get("_data_check")
    if seen and seen[0] == location and now - seen[1] < REMOTE_CHECK_SECONDS:
        return seen[2]
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PySparkException

    from retention import spark_engine

    try:
        version = spark_engine.dataset(location, settings.timezone).version
    except (PySparkException, Py4JJavaError) as exc:  # the Java error names the cause (a missing FileSystem class)
        why = exc.java_exception.toString() if isinstance(exc, Py4JJavaError) else str(exc)
        raise InputError(
            f"{location}: Spark cannot list this data folder ({why.strip().splitlines()[0][:300]}). Check the URL, "
            "and that Spark has the file system's connector and credentials (RETENTION_SPARK_CONF)."
        ) from None
    ss["_data_check"] = (location, now, version)
    return version


def on_spark(settings: Settings) -> bool:
    """Whether the reports run on Apache Spark (RETENTION_ENGINE=spark): slower pages, spinners that say so."""
    return settings.engine == "spark"


def _init_state(settings: Settings) -> None:
    """On a session's first run, take the shared values from the URL, else from the settings."""
    if not st.session_state.get("_initialised"):
        apply_query(settings, st.query_params)


def apply_query(settings: Settings, qp) -> None:
    """Set the shared values from URL parameters (a mapping like st.query_params), else from the settings."""
    ss = st.session_state
    ss["lang"] = qp.get("lang") if qp.get("lang") in i18n.LANGUAGES else settings.language
    try:
        ss["window"] = max(7, min(730, int(qp.get("window", settings.window))))
    except ValueError:
        ss["window"] = settings.window
    ss["period"] = qp.get("period") if qp.get("period") in PERIODS else settings.period
    try:
        ss["as_of"] = dt.date.fromisoformat(qp["as_of"]) if "as_of" in qp else None
    except ValueError:
        ss["as_of"] = None
    ss["filters"] = {k[2:]: v.split("|") for k, v in qp.items() if k.startswith("f_") and v}
    ss["window_by"] = qp.get("wby") or settings.window_by
    wmap = qp.get("wmap")
    ss["window_map"] = _parse_wmap(wmap) if wmap else dict(settings.window_map)
    ss["_initialised"] = True


def _parse_wmap(text: str) -> dict[str, int]:
    out = {}
    for part in text.split("|"):
        key, _, value = part.rpartition(":")
        if key and value.isdigit():
            out[key] = int(value)
    return out


def _sync_url() -> None:
    ss = st.session_state
    wanted: dict[str, str] = {}
    wanted["lang"] = ss["lang"]
    wanted["window"] = str(ss["window"])
    wanted["period"] = ss["period"]
    if ss.get("as_of"):
        wanted["as_of"] = ss["as_of"].isoformat()
    for attr, values in ss.get("filters", {}).items():
        if values:
            wanted[f"f_{attr}"] = "|".join(values)
    if ss.get("window_by") and ss.get("window_map"):
        wanted["wby"] = ss["window_by"]
        wanted["wmap"] = "|".join(f"{k}:{v}" for k, v in sorted(ss["window_map"].items()))
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _copy(widget_key: str, plain_key: str) -> None:
    st.session_state[plain_key] = st.session_state[widget_key]


def setup(page_key: str, needs_data: bool = True) -> Context:
    """Configure the page, check the role, draw menu and sidebar; stop with a clear message on bad data.

    A page that works without valid data (Import) passes needs_data=False and gets ds and params None.
    """
    page = PAGE_BY_KEY[page_key]
    _skip_repl_check()
    try:
        settings = get_settings()
    except InputError as exc:
        st.set_page_config(page_title="Retention", page_icon=":material/error:", layout="wide")
        st.error(str(exc))
        st.stop()
    _init_state(settings)
    ss = st.session_state
    i18n.set_language(ss["lang"])
    i18n.set_variant("spark" if on_spark(settings) else None)
    st.set_page_config(
        page_title=f"{t('pages.' + page_key)} · {t('common.product')}", page_icon=page.icon, layout="wide"
    )

    from retention import auth

    role = auth.require(page, settings, menu=_menu)
    _menu(role)
    _preload_later()
    if not needs_data:
        _language_picker()
        _sync_url()
        return Context(None, None, settings)  # type: ignore[arg-type]
    try:
        with st.spinner(t("common.loading_data_spark") if on_spark(settings) else t("common.loading_data")):
            ds = open_data(settings)
    except InputError as exc:
        st.error(t("common.data_error", message=str(exc)), icon=":material/error:")
        st.info(t("common.data_error_help", data_dir=str(settings.data_dir)))
        if role in PAGE_BY_KEY["import"].roles:
            page_link(PAGE_BY_KEY["import"])
        st.stop()
    for warning in db.warnings(ds):
        st.warning(t("common.table_left_out", message=warning), icon=":material/warning:")
    _note_refresh(ds, settings)
    params = _sidebar(ds, settings)
    _sync_url()
    _saved_views(page, settings)
    return Context(ds, params, settings)


def _skip_repl_check() -> None:
    """Tell Streamlit its "run me with `streamlit run`" check is done, when the server runs this page.

    Before the first element a process draws, Streamlit checks once whether it runs in a Python REPL, with
    inspect.stack(), which looks up every frame's module among all of sys.modules: 0.1 s of the server's
    first page under `streamlit run`, 0.35 s under `python -m retention serve` (more modules loaded); the
    floor app pays it too. With a runtime, the check cannot warn (the frame under the script is Streamlit's
    server, not a REPL, and a running server is what the warning asks for), so this only skips its cost.
    The flag is a module global of Streamlit 1.67 (delta_generator._use_warning_has_been_displayed);
    tests/test_serve.py fails when an upgrade renames it."""
    from streamlit import delta_generator, runtime

    if runtime.exists():
        delta_generator._use_warning_has_been_displayed = True


PRELOAD_DELAY = 1.0  # seconds after the process's first page started
MODELS_DELAY = 10.0  # seconds more before the models' scipy, which no page's stored first view needs
_preload_lock = threading.Lock()
_preload_started = False


def _preload_later() -> None:
    """Once per process, PRELOAD_DELAY seconds after its first page started (when that page's own script has
    usually finished): import, in a background thread, what the other pages import (retention's queries,
    metrics and charts, plotly's figure code, the report, the importer, pyarrow for the tables); the first
    visit of the second page then does not pay them (0.6 to 0.8 s of one core at a server's start). scipy,
    for the models, comes MODELS_DELAY seconds later: a page's stored default view reads its fit back without
    it, and importing it (0.4 s of one core, 1 s on a busy machine) beside the second page's first run made
    that run twice as long. (The import graph of retention has no cycle, tests/test_import_graph.py, so a
    page importing beside the thread only waits.)"""
    global _preload_started
    with _preload_lock:
        if _preload_started:
            return
        _preload_started = True
    timer = threading.Timer(PRELOAD_DELAY, _preload)
    timer.name, timer.daemon = "retention-preload", True
    timer.start()


def _preload(models_after: float = MODELS_DELAY) -> None:
    import pkgutil

    import retention.charts
    import retention.metrics
    import retention.queries

    names = [f"{pkg.__name__}.{m.name}" for pkg in (retention.queries, retention.metrics, retention.charts)
             for m in pkgutil.iter_modules(pkg.__path__)]  # fmt: skip
    # then what pages import beside those: sign-in and saved views (which the first page imports as it runs,
    # except under `python -m retention serve`), the KPI report's templates (jinja2), the importer, pyarrow;
    # tests/test_preload.py checks that no page imports anything this leaves out
    for name in [*names, "retention.auth", "retention.views", "retention.report", "retention.importer", "pyarrow"]:
        _import_quietly(name)
    time.sleep(models_after)
    _import_quietly("retention.models")


def _import_quietly(name: str) -> None:
    import importlib

    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - the page that needs the module reports its import error itself
        logging.getLogger(__name__).debug("preloading %s failed", name, exc_info=True)


def import_link() -> None:
    """A link to the Import page, for a role that may open it."""
    if PAGE_BY_KEY["import"] in visible_pages(current_role()):
        page_link(PAGE_BY_KEY["import"])


def current_role() -> str:
    return st.session_state.get("role", "executive")  # set by auth.require on every run; least by default


def filterable_attributes(ds: db.Dataset) -> list[str]:
    return list(_attribute_values(ds))


def page_link(page: Page, label: str | None = None, query_params: dict[str, str] | None = None) -> None:
    """st.page_link to one of our pages, with its path taken relative to whichever script is the entry point
    (query_params: extra URL parameters for the target, e.g. the profile's `customer`)."""
    from streamlit.errors import StreamlitPageNotFoundError
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run_ctx = get_script_run_ctx()
    main_dir = Path(run_ctx.main_script_path).resolve().parent if run_ctx else ROOT
    path = os.path.relpath(ROOT / page.path, main_dir)
    try:
        st.page_link(path, label=label or t("pages." + page.key), icon=page.icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        pass  # a page script run on its own (tests) knows no other pages


def _menu(role: str) -> None:
    with st.sidebar:
        for p in visible_pages(role):
            page_link(p)
        st.divider()


@st.cache_data(show_spinner=False, max_entries=8)
def _attribute_values(ds: db.Dataset) -> dict[str, list[str]]:
    """Values per attribute for the filter widgets (attributes with up to 200 values)."""
    from retention.queries.common import attribute_values

    return attribute_values(ds, 200)


def _sidebar(ds: db.Dataset, settings: Settings) -> Params:
    ss = st.session_state
    meta = db.engine(ds).meta
    latest: dt.date = meta["default_as_of"]
    first: dt.date = meta["first_order_date"]
    with st.sidebar:
        _language_picker()
        as_of = ss.get("as_of") or latest
        as_of = min(max(as_of, first), latest)
        ss["_as_of"] = as_of
        st.date_input(
            t("sidebar.as_of"), min_value=first, max_value=latest, key="_as_of", on_change=_copy,
            args=("_as_of", "as_of"), help=t("sidebar.as_of_help"), format="YYYY-MM-DD",
        )  # fmt: skip
        ss["_window"] = ss["window"]
        st.slider(
            t("sidebar.window"), min_value=7, max_value=730, key="_window", on_change=_copy,
            args=("_window", "window"), help=t("sidebar.window_help"),
        )  # fmt: skip
        if ss.get("window_by") and ss.get("window_map"):
            mapped = ", ".join(f"{md_text(k)} {v}" for k, v in sorted(ss["window_map"].items()))
            st.info(t("sidebar.map_active", attribute=md_text(ss["window_by"]), mapped=mapped), icon=":material/tune:")
            if st.button(t("sidebar.map_reset"), key="_reset_map"):
                ss["window_by"], ss["window_map"] = None, {}
                st.rerun()
        ss["_period"] = ss["period"]
        st.segmented_control(
            t("sidebar.period"), PERIODS, format_func=lambda p: t("sidebar.period_" + p), key="_period",
            on_change=_copy_period,
        )  # fmt: skip
        values = _attribute_values(ds)
        filters: dict[str, list[str]] = {}
        if values:
            st.markdown(f"**{t('sidebar.filters')}**", help=t("sidebar.filters_help"))
        for attr, options in values.items():
            current = [v for v in ss.get("filters", {}).get(attr, []) if v in options]
            ss[f"_f_{attr}"] = current
            st.multiselect(
                i18n.attribute_label(attr), options, key=f"_f_{attr}", placeholder=t("sidebar.all"),
                on_change=_copy_filter, args=(attr,),
            )  # fmt: skip
            if current:
                filters[attr] = current
        ss["filters"] = filters
        st.caption(t("common.data_as_of", date=i18n.fmt_date(latest)))
        if on_spark(settings):
            st.caption(t("common.engine_spark"))
        _refresh_caption()
    window_map = ss.get("window_map") or {}
    window_by = ss.get("window_by") if window_map else None
    try:
        return make_params(
            ds, settings, as_of=as_of, window=ss["window"], window_by=window_by or "",
            window_map=window_map, filters=filters, period=ss["period"],
        )  # fmt: skip
    except InputError as exc:
        st.error(str(exc))
        st.stop()


def _language_picker() -> None:
    ss = st.session_state
    ss["_lang"] = ss["lang"]
    with st.sidebar:
        st.selectbox(
            t("sidebar.language"), list(i18n.LANGUAGES), format_func=i18n.LANGUAGES.get, key="_lang",
            on_change=_copy, args=("_lang", "lang"),
        )  # fmt: skip


def _copy_period() -> None:
    # A segmented control can be cleared; keep the last period then.
    if st.session_state.get("_period"):
        st.session_state["period"] = st.session_state["_period"]


def _copy_filter(attr: str) -> None:
    filters = dict(st.session_state.get("filters", {}))
    filters[attr] = list(st.session_state[f"_f_{attr}"])
    st.session_state["filters"] = {k: v for k, v in filters.items() if v}


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as the CLI writes it with --excel-safe, in UTF-8 with a BOM (so Excel opens it in any
    script): text cells that a spreadsheet would run as a formula start with an apostrophe."""
    from retention.cli import format_csv
    from retention.safe import excel_safe

    return ("\ufeff" + format_csv(excel_safe(frame))).encode("utf-8")


def download(frame: pl.DataFrame, name: str, key: str, label: str | None = None, primary: bool = False) -> None:
    """A CSV download button. The file is written when it is clicked (not on every run of the page), and the
    click does not rerun the page."""
    st.download_button(
        label or t("common.download_csv"),
        data=lambda: csv_bytes(frame),
        file_name=f"{file_stem(name)}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
        type="primary" if primary else "secondary",
    )


def tabs(key: str, label_keys: list[str]) -> list:
    """Tabs whose hidden content is not run: each tab's `.open` says whether to draw it (a page shows one
    tab's charts per run, so a slider or filter change redraws only those). The open tab is kept in
    session state under `key` while the page is open."""
    return list(st.tabs([t(k) for k in label_keys], key=key, on_change="rerun"))


def empty_state(message_key: str, **kwargs: object) -> None:
    st.info(t(message_key, **kwargs), icon=":material/info:")


PICKER_OPTIONS = 1_000
SHOWN_ROWS = 1_000  # rows of a customer list drawn in the browser (all are sent on every rerun); its download has all


def profile_picker(customer_ids: pl.Series, key: str) -> None:
    """A select box of the listed customers (the first PICKER_OPTIONS, in the list's order: the rest are one
    search away on the profile page, and every option is sent to the browser on every rerun) and a link
    opening the chosen one's profile (session key `profile_customer` and URL parameter `customer`, which the
    profile page reads)."""
    page = PAGE_BY_KEY["profile"]
    if customer_ids.is_empty() or current_role() not in page.roles or not (ROOT / page.path).exists():
        return
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    capped = customer_ids.len() > PICKER_OPTIONS
    chosen = c1.selectbox(
        t("profile.open_profile"), customer_ids.head(PICKER_OPTIONS).to_list(), key=key, format_func=short,
        help=t("profile.open_profile_capped", limit=i18n.fmt_int(PICKER_OPTIONS)) if capped else None,
        on_change=lambda: st.session_state.update(profile_customer=st.session_state[key]),
    )  # fmt: skip
    with c2:
        page_link(page, t("profile.open_link", customer=md_text(chosen, 60)), query_params={"customer": chosen})


def members_list(ctx: Context, of: str, title: str, key: str, date_from=None, date_to=None) -> None:
    """The customers behind a clicked number (queries.members, the CLI's `members --of`), under its chart: a
    heading with their count, the list (status and attributes), a download and a link to each profile."""
    from retention.queries.members import members

    try:
        with st.spinner(t("common.computing")):
            frame = members(ctx.ds, ctx.params, of, date_from, date_to)
    except InputError as exc:
        st.error(str(exc))
        return
    with st.container(border=True, key=f"{key}_members"):
        st.markdown(f"**{t('members.title', what=title, count=i18n.fmt_int(frame.height))}**")
        if frame.is_empty():
            empty_state("members.empty")
            return
        config = {
            "customer_id": st.column_config.TextColumn(t("rfm.col_customer")),
            "status": st.column_config.TextColumn(t("members.col_status")),
        } | {a: st.column_config.TextColumn(i18n.attribute_label(a)) for a in frame.columns[2:]}
        import polars as pl

        labels = {s: i18n.label("status", s) for s in frame["status"].drop_nulls().unique().to_list()}
        shown = frame.with_columns(pl.col("status").replace(labels))
        st.dataframe(shown, hide_index=True, height=260, column_config=config, key=f"{key}_table", lazy=True)
        download(frame, "members_" + of.replace(":", "_"), key=f"{key}_download")
        profile_picker(frame["customer_id"], key=f"{key}_profile")


def _saved_views(page: Page, settings: Settings) -> None:
    """Sidebar: save this page with its settings under a name; open, rename or delete a saved view, or copy
    its link (retention.views; per signed-in user, else shared as `anonymous`)."""
    from retention import views

    ss, user = st.session_state, st.session_state.get("user") or views.ANONYMOUS
    if isinstance(settings.data_dir, str):  # data at a URL (Spark): no local folder to keep the views in
        return
    with st.sidebar.expander(t("views.title"), icon=":material/bookmark:"):
        if ss.get("_view_error"):
            st.error(ss.pop("_view_error"))
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.text_input(t("views.name"), key="_view_name", placeholder=t("views.name_placeholder"))
        c2.button(t("views.save"), key="_view_save", on_click=_view_action, args=("save", settings, page.key))
        try:
            saved = {v.name: v for v in views.list_views(settings.data_dir, user)}
        except InputError as exc:
            st.error(str(exc))
            return
        if not saved:
            st.caption(t("views.none"))
            return
        chosen = saved[st.selectbox(t("views.saved_views"), list(saved), key="_view_pick")]
        target = PAGE_BY_KEY.get(chosen.page, PAGES[0])
        b1, b2 = st.columns(2)
        if b1.button(t("views.open"), key="_view_open", icon=":material/open_in_new:"):
            apply_query(settings, chosen.query)
            st.switch_page(os.path.relpath(ROOT / target.path, _main_dir()), query_params=chosen.query)
        b2.button(t("views.delete"), key="_view_delete", icon=":material/delete:", on_click=_view_action,
                  args=("delete", settings, page.key))  # fmt: skip
        c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
        c1.text_input(t("views.new_name"), key="_view_new_name")
        c2.button(t("views.rename"), key="_view_rename", on_click=_view_action, args=("rename", settings, page.key))
        st.caption(t("views.link", page=t("pages." + target.key)))
        st.code(views.url(chosen, target.path), language=None)


def _view_action(action: str, settings: Settings, page_key: str) -> None:
    """Save, rename or delete (a button's callback, so the widgets it clears are not drawn yet)."""
    from retention import views

    ss, user = st.session_state, st.session_state.get("user") or views.ANONYMOUS
    try:
        if action == "save":
            view = views.save_view(settings.data_dir, user, ss.get("_view_name", ""), page_key, dict(st.query_params))
            ss["_view_pick"], ss["_view_name"] = view.name, ""
            st.toast(t("views.saved", name=view.name), icon=":material/bookmark_added:")
        elif action == "rename":
            view = views.rename_view(settings.data_dir, user, ss.get("_view_pick", ""), ss.get("_view_new_name", ""))
            ss["_view_pick"], ss["_view_new_name"] = view.name, ""
        else:
            views.delete_view(settings.data_dir, user, ss.get("_view_pick", ""))
            ss.pop("_view_pick", None)
    except InputError as exc:
        ss["_view_error"] = str(exc)


def _main_dir() -> Path:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run_ctx = get_script_run_ctx()
    return Path(run_ctx.main_script_path).resolve().parent if run_ctx else ROOT


# -- widgets pages share -------------------------------------------------------------------------------------


def chart(fig, key: str, pick: bool = False):
    """st.plotly_chart under `key`; with pick=True a click on a point reruns the page and the selection event is
    returned (read it with charts.select.picked_index / picked_cell)."""
    if pick:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points")
    return st.plotly_chart(fig, key=key)


def table(frame: pl.DataFrame, name: str | None = None, download_key: str | None = None, download_frame=None, **kw):
    """A table without its index (st.dataframe, `kw` as there) and, with `name`, its CSV download under
    download_key (of the table itself, or of download_frame when the file holds other columns)."""
    st.dataframe(frame, hide_index=True, **kw)
    if name is not None:
        download(frame if download_frame is None else download_frame, name, key=download_key)


def shown_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of a customer list the page draws: its first SHOWN_ROWS, in the list's order (a list of a
    hundred thousand customers would send tens of megabytes to the browser on every rerun)."""
    return frame.head(SHOWN_ROWS)


def list_caption(text: str, rows: int) -> None:
    """The caption under a customer list of `rows` rows: `text` and, when the table shows only its first
    SHOWN_ROWS, a sentence saying so and that the download holds them all."""
    if rows > SHOWN_ROWS:
        text += " " + t("common.list_capped", limit=i18n.fmt_int(SHOWN_ROWS), total=i18n.fmt_int(rows))
    st.caption(text)


def metric_row(tiles: list[tuple], spec: int | list | None = None) -> None:
    """One st.metric per tile, side by side in st.columns(spec or len(tiles)): (label, value), (label, value,
    help) or (label, value, {more st.metric arguments})."""
    for column, (label, value, *more) in zip(st.columns(spec or len(tiles)), tiles, strict=False):
        extra = more[0] if more else None
        column.metric(label, value, **(extra if isinstance(extra, dict) else {"help": extra}))


def date_column(label: str | None = None):
    return st.column_config.DateColumn(label, format="YYYY-MM-DD")


def number_column(label: str | None = None, fmt: str = "localized"):
    return st.column_config.NumberColumn(label, format=fmt)


def prediction_columns(ctx: Context) -> dict:
    """Column configs of the two prediction columns a customer list carries (P(alive), predicted value)."""
    return {
        "p_alive": number_column(t("predict.p_alive"), "percent"),
        "predicted_value": number_column(t("predict.col_predicted_value"), ctx.money_format()),
    }


def code_filter(container, label_key: str, codes, kind: str, key: str, placeholder_key: str) -> list[str]:
    """A multiselect of codes (segments, tiers, statuses) shown by their labels (i18n.label(kind, code))."""
    return container.multiselect(
        t(label_key), codes, format_func=lambda c: i18n.label(kind, c), key=key, placeholder=t(placeholder_key)
    )


def date_range(columns, labels, keys, first: dt.date, last: dt.date, values=None, help: str | None = None) -> tuple:
    """Two date inputs (from, to) in `columns` with the (translated) `labels`, between `first` and `last`;
    `values` their defaults (None: the values are in session state under `keys`, see keep_dates)."""
    bounds = {"min_value": first, "max_value": last, "format": "YYYY-MM-DD", "help": help}
    if values is None:
        return tuple(c.date_input(lab, key=k, **bounds) for c, lab, k in zip(columns, labels, keys, strict=True))
    return tuple(
        c.date_input(lab, value=v, key=k, **bounds) for c, lab, k, v in zip(columns, labels, keys, values, strict=True)
    )


def keep_dates(keys, defaults, first: dt.date, last: dt.date) -> None:
    """Date inputs kept in session state: each takes its default on the first visit, or when it falls outside
    first .. last (the as-of date moved in the sidebar)."""
    for key, default in zip(keys, defaults, strict=True):
        current = st.session_state.get(key)
        if current is None or not first <= current <= last:
            st.session_state[key] = default


def between_dates(query, date_from: dt.date, date_to: dt.date, reversed_text: str, icon: str | None = None):
    """`query(date_from, date_to)` under a spinner, or None after an error message: the dates in the wrong
    order (the translated message reversed_text) or the query's InputError."""
    if date_from > date_to:
        st.error(reversed_text, icon=icon)
        return None
    try:
        with st.spinner(t("common.computing")):
            return query(date_from, date_to)
    except InputError as exc:
        st.error(str(exc), icon=icon)
        return None


def bar_members(ctx: Context, event, codes: list, title, of: str, key: str, curve: int | None = 0, **dates) -> None:
    """Under a bar chart: the customers behind the clicked bar (bar i stands for codes[i]) as `members --of
    OF:CODE`, headed title(code)."""
    from retention.charts.select import picked_index

    picked = picked_index(event, curve=curve)
    if picked is not None and picked < len(codes):
        members_list(ctx, f"{of}:{codes[picked]}", title(codes[picked]), key=key, **dates)


def computed(query, icon: str | None = None):
    """query() under the computing spinner; on an InputError its message, and the page stops there."""
    try:
        with st.spinner(t("common.computing")):
            return query()
    except InputError as exc:
        st.error(str(exc), icon=icon)
        st.stop()


def attribute_columns(attributes: list[str]) -> dict:
    """Column names of segment attributes, as the sidebar names them."""
    return {a: i18n.attribute_label(a) for a in attributes}


def money_columns(ctx: Context, labels: dict[str, str]) -> dict:
    """Money columns ({column: label}) in the settings' currency with two decimals."""
    return {c: number_column(label, ctx.money_format()) for c, label in labels.items()}


# -- the customer profile's customer (session key `profile_customer`, URL parameter `customer`) ---------------


def url_customer() -> str | None:
    """The customer a link names (URL parameter `customer`): read before setup() rewrites the URL."""
    return st.query_params.get("customer")


def customer_input(from_url: str | None) -> str:
    """The text box naming the profile's customer: a link (or a reload) names it in the URL, else the box
    does; kept in session key `profile_customer` and written back to the URL. Returns it ("" for none)."""
    ss = st.session_state
    if from_url and ss.get("_profile_url") != from_url:  # a link (or a reload) names the customer
        ss["profile_customer"] = ss["_profile_url"] = from_url
    ss["_profile_customer"] = ss.get("profile_customer", "")
    st.text_input(
        t("profile.customer"), key="_profile_customer", help=t("profile.customer_help"),
        on_change=lambda: ss.update(profile_customer=ss["_profile_customer"].strip()),
    )  # fmt: skip
    customer = ss.get("profile_customer", "").strip()
    ss["_profile_url"] = customer or None
    if customer:
        st.query_params["customer"] = customer
    return customer


def customer_suggestions(matches: pl.DataFrame, typed: str) -> None:
    """For an unknown id: the customers whose id or attribute value matches (columns `customer_id, attribute,
    value`) to pick from, or a message when none does."""
    if not matches.height:
        empty_state("profile.unknown", customer=md_text(typed))
        return
    labels = {
        cid: short(cid) if attr is None else short(f"{cid} · {i18n.attribute_label(attr)}: {value}")
        for cid, attr, value in matches.iter_rows()
    }
    ss = st.session_state
    st.selectbox(
        t("profile.suggestions", count=i18n.fmt_int(matches.height)), list(labels), index=None,
        format_func=labels.get, key="_profile_suggestion", placeholder=t("profile.suggestions_placeholder"),
        on_change=lambda: ss.update(profile_customer=ss["_profile_suggestion"] or typed),
    )  # fmt: skip


def fact_list(facts: dict[str, object]) -> None:
    """A bulleted list of `label: **value**` lines."""
    st.markdown("\n".join(f"- {label}: **{value}**" for label, value in facts.items()))


# -- the Import page's parts ---------------------------------------------------------------------------------


def column_mapping(table: str, sources: list[str]) -> dict[str, str]:
    """A select box per column of `table`, preset from importer.guess_columns: {column: file column} for the
    columns the file names otherwise."""
    from retention import importer

    mapping = {}
    cols = st.columns(3)
    for i, (name, guess) in enumerate(importer.guess_columns(table, sources).items()):
        options = ["", *sources]
        choice = cols[i % 3].selectbox(
            name, options, index=options.index(guess) if guess else 0, key=f"import_map_{table}_{name}",
            format_func=lambda c: c or t("import.not_in_file"),
        )  # fmt: skip
        if choice and choice != name:
            mapping[name] = choice
    return mapping


def import_history(table: str, data_dir: Path, timezone: str) -> None:
    """The saved earlier versions of a table, each with a button restoring it."""
    from retention import importer

    versions = importer.history(table, data_dir)
    if not versions:
        empty_state("import.no_history", table=table)
    for v in versions:
        left, right = st.columns([4, 1])
        size = i18n.fmt_num(v.size_bytes / 1e6, 2)
        left.write(
            t("import.version", saved=i18n.fmt_date(v.saved_at.date()), time=v.saved_at.strftime("%H:%M:%S"), size=size)
        )
        if right.button(t("import.restore"), key=f"restore_{table}_{v.name}", icon=":material/restore:"):
            try:
                st.success(importer.restore(table, data_dir, v.name, timezone))
                data_changed()
            except InputError as exc:
                st.error(str(exc))


# -- new data while the app runs (issue 23) -------------------------------------------------------------------

# A session looks at the data files (a stat of each, never their contents: db.data_version) at most this often;
# a rerun in between uses the version it saw last. Tests set it to 0.
VERSION_CHECK_SECONDS = 2.0


def _checked_version(data_dir: Path) -> str:
    """The data version of data_dir, looked up again when the session last looked VERSION_CHECK_SECONDS ago
    or more (session key `_data_check`: folder, monotonic time, version)."""
    ss = st.session_state
    now = time.monotonic()
    seen = ss.get("_data_check")
    if seen and seen[0] == str(data_dir) and now - seen[1] < VERSION_CHECK_SECONDS:
        return seen[2]
    version = db.data_version(data_dir) if data_dir.is_dir() else "missing"
    ss["_data_check"] = (str(data_dir), now, version)
    return version


def data_changed() -> None:
    """Forget when this session last looked at the data files (after it wrote them: the Import page), so the
    next run of a page opens the new version at once."""
    st.session_state.pop("_data_check", None)


def _last_change(data_dir: Path) -> float | None:
    """When a table file of the folder was last written (the newest mtime, seconds since the epoch)."""
    times = [
        f.stat().st_mtime
        for name in db.TABLES
        if (path := db.find_table(data_dir, name)) is not None
        for f in db.table_files(path)
    ]
    return max(times, default=None)


def _note_refresh(ds: db.Dataset, settings: Settings) -> None:
    """When the data version changed since this session last saw it: a toast, and the note under "data as
    of" (session key `_data_refreshed`: time, orders added or None). The caches need nothing: every cache key
    holds the Dataset (its version), so the new version is computed afresh and the old one ages out. An as-of
    date at the old last day moves on with the data (it stood for "the latest")."""
    ss = st.session_state
    meta = db.engine(ds).meta
    rows = meta.get("order_rows")
    seen = ss.get("_data_seen")  # (folder, version, order rows, default as-of)
    ss["_data_seen"] = (ds.data_dir, ds.version, rows, meta.get("default_as_of"))
    if not seen or seen[0] != ds.data_dir or seen[1] == ds.version:
        return
    if seen[3] is not None and ss.get("as_of") == seen[3]:
        ss["as_of"] = None
    changed = _last_change(Path(ds.data_dir))
    zone = zoneinfo.ZoneInfo(settings.timezone)  # checked by the settings
    at = dt.datetime.fromtimestamp(changed if changed is not None else time.time(), zone).strftime("%H:%M")
    added = rows - seen[2] if rows is not None and seen[2] is not None and rows > seen[2] else None
    ss["_data_refreshed"] = (at, added)
    st.toast(_refresh_text(at, added), icon=":material/sync:")


def _refresh_text(at: str, added: int | None) -> str:
    if added:
        return t("common.data_refreshed_added", time=at, n=i18n.fmt_int(added))
    return t("common.data_refreshed", time=at)


def _refresh_caption() -> None:
    refreshed = st.session_state.get("_data_refreshed")
    if refreshed:
        st.caption(_refresh_text(*refreshed))
