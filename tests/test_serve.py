"""`python -m retention serve` (make run): Streamlit's server, with the library loaded before the first request."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from retention.ui import ROOT
from tests.conftest import start_server, stop_server, wait_painted
from tests.test_preload import PROBE


@pytest.mark.browser
def test_serve_starts_the_dashboard(sample_dir, browser):
    proc, url = start_server(sample_dir, serve=True)
    try:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for path, title in (("/", "Who is slipping away?"), ("/KPIs", "Executive KPIs")):
            page.goto(url + path)
            page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=90_000)
            wait_painted(page)
            assert page.locator('[data-testid="stException"]').count() == 0
            assert page.locator("h1").first.inner_text().strip() == title
        page.close()
    finally:
        stop_server(proc)
    log = proc.stdout.read().decode(errors="replace")
    assert "retention: the library loaded in" in log, log[-3000:]
    # the preload ran before Streamlit started serving: its line comes before Streamlit's address
    assert log.index("retention: the library loaded in") < log.index("You can now view"), log[-3000:]
    assert "No runtime found" not in log  # st.cache_data's check when a function is decorated, kept quiet


# In a fresh interpreter: serve's preload, then each page's own imports (tests/test_preload.py's probe): nothing
# a page imports is left for its first visit, and the pages' background preload is not started again.
SERVE_PROBE = (
    PROBE.replace("from retention import i18n, ui\n", "from retention import i18n, serve, ui\n")
    .replace("ui._preload(models_after=0)\n", "serve.preload()\nassert ui._preload_started\nassert 'scipy' in sys.modules\n")
)  # fmt: skip


def test_serve_preload_covers_every_page_import():
    assert SERVE_PROBE != PROBE
    out = subprocess.run([sys.executable, "-c", SERVE_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout == "", "modules a page imports that serve.preload leaves out:\n" + out.stdout


def test_serve_help_names_streamlit_run():
    out = subprocess.run(
        [sys.executable, "-m", "retention", "serve", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "streamlit run app.py" in out.stdout and "--server.port" in out.stdout


REPL_PROBE = r"""
from unittest import mock
from streamlit import delta_generator, runtime
from retention import ui
assert isinstance(delta_generator._use_warning_has_been_displayed, bool)
ui._skip_repl_check()
print(delta_generator._use_warning_has_been_displayed)
with mock.patch.object(runtime, "exists", return_value=True):
    ui._skip_repl_check()
print(delta_generator._use_warning_has_been_displayed)
"""


def test_repl_check_is_skipped_only_under_a_server():
    """ui._skip_repl_check sets Streamlit 1.67's flag (this fails when an upgrade renames it), and only when a
    runtime exists: a script run outside a server keeps Streamlit's own warning."""
    out = subprocess.run([sys.executable, "-c", REPL_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["False", "True"]


OPEN_PROBE = r"""
from pathlib import Path
from unittest import mock
from streamlit import runtime
from retention import db, serve, ui
from retention.settings import get_settings

calls = []
real = db.open_dataset
db.open_dataset = lambda *a, **k: calls.append(a[0]) or real(*a, **k)
thread = serve.open_ahead(timeout=5)
with mock.patch.object(runtime, "exists", return_value=True):
    thread.join(120)
print(len(calls))
s = get_settings()
ds = ui._open(str(Path(s.data_dir)), db.data_version(Path(s.data_dir)), s.timezone, s, s.engine)
print(len(calls), db.engine(ds).meta["first_order_date"] is not None)
"""


def test_open_ahead_opens_the_data_the_first_page_reads(sample_dir):
    """Once the runtime exists, serve opens the configured data into the cache the pages' ui._open reads: the
    first page's own call opens nothing more."""
    env = {**os.environ, "RETENTION_DATA_DIR": str(sample_dir)}
    out = subprocess.run(
        [sys.executable, "-c", OPEN_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["1", "1", "True"], out.stdout + out.stderr[-2000:]
