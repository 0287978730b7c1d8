"""`python -m retention serve [STREAMLIT OPTIONS]`: the dashboard, with the library loaded before a browser asks.

It is `streamlit run app.py` (the same server, classic multipage mode, .streamlit/config.toml), run in
this process after the imports every page makes: retention's pages, queries, metrics and charts, polars,
DuckDB, pydantic-settings, plotly, pyarrow and the models' scipy. Under a plain `streamlit run` no app code
runs before the first browser's request, so the process's first page paid them (0.4-0.5 s of its script at
10M orders, bench/RESULTS.md, issue 23), and the background preload (ui._preload_later) then ran beside the
second. Here they are paid once while the server starts (about 2 s on this project's machine), before its
health check answers. Options after `serve` go to `streamlit run` as they are, e.g. `--server.port 8502`.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def preload() -> float:
    """Import what the pages import, here and now; the pages' own background preload is then not started.
    Returns the seconds it took. An import that fails is left to the page that needs it, which reports it
    (ui._import_quietly)."""
    started = time.perf_counter()
    # st.cache_data checks its parameters when a function is decorated, and outside a running server says it
    # has no runtime; the cache itself is made at the first call, inside the server, as always
    from streamlit.runtime.caching import cache_data_api  # its logger made (and levelled) by Streamlit first

    quiet = logging.getLogger(cache_data_api.__name__)
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from retention import ui

        ui._preload(models_after=0)
        # what a first page reads once per process: the messages of both languages, the code's fingerprint
        # that keys the stored results
        from retention import i18n, results

        for lang in i18n.LANGUAGES:
            i18n.catalogue(lang)
        results.code_fingerprint()
    finally:
        quiet.setLevel(level)
    with ui._preload_lock:
        ui._preload_started = True
    return time.perf_counter() - started


def open_ahead(timeout: float = 120.0) -> threading.Thread:
    """In a background thread, once Streamlit's runtime exists (its config read): open the configured data
    folder as the first page will (ui._open, shared by every session), so that page finds the base tables
    open (their cache read, 0.06-0.15 s at 10M orders; or built, when there is no cache yet: the build then
    starts with the server instead of with the first visit). A page that asks meanwhile waits for this
    open instead of doing it twice (st.cache_resource's lock). Local folders on DuckDB only; a problem is
    left to the page, which shows it."""

    def run() -> None:
        from streamlit import runtime

        deadline = time.monotonic() + timeout
        while not runtime.exists():
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        try:
            from retention import db, ui
            from retention.settings import get_settings

            settings = get_settings()
            if settings.engine != "duckdb" or isinstance(settings.data_dir, str):
                return
            data_dir = Path(settings.data_dir)
            if data_dir.is_dir():
                ui._open(str(data_dir), db.data_version(data_dir), settings.timezone, settings, settings.engine)
        except Exception:  # noqa: BLE001 - the page opening the same data reports the problem itself
            logging.getLogger(__name__).debug("opening the data ahead failed", exc_info=True)

    thread = threading.Thread(target=run, name="retention-open-ahead", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not APP.is_file():
        print(
            f"error: {APP}: the dashboard's app.py is not there (run from a checkout of the project).", file=sys.stderr
        )
        return 2
    seconds = preload()
    print(f"retention: the library loaded in {seconds:.1f} s; starting Streamlit", file=sys.stderr, flush=True)
    from streamlit.web import cli

    open_ahead()
    sys.argv = ["streamlit", "run", str(APP), *argv]
    try:
        cli.main()  # click's entry point: exits with Streamlit's status
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0
