"""The background import after a server's first page (ui._preload) covers what every other page imports,
so a page's first visit does not pay an import the preload could have done."""

from __future__ import annotations

import os
import subprocess
import sys

from retention.ui import ROOT

# In a fresh interpreter: the first page's imports, the preload, then each page's own import statements;
# prints every module a page's imports still load.
PROBE = r"""
import ast, importlib, pathlib, sys
import streamlit
from retention import i18n, ui
from retention.metrics.overview import active_share
from retention.queries.common import overview
ui._preload(models_after=0)
for path in sorted(pathlib.Path("pages").glob("*.py")):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    for name in sorted(names):
        before = set(sys.modules)
        try:
            importlib.import_module(name)
        except ImportError:
            continue  # a name imported from a module, not a module
        for new in sorted(set(sys.modules) - before):
            print(path.name, name, new)
"""


def test_preload_covers_every_page_import():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout == "", "modules a page imports that ui._preload leaves out:\n" + out.stdout


def test_probe_sees_a_module_the_preload_leaves_out():
    """The probe is not blind: with the report left out of the preload, the KPI page's import of it shows."""
    probe = PROBE.replace("\nui._preload(models_after=0)", "\n_preload()").replace(
        "from retention.queries.common import overview",
        "from retention.queries.common import overview\n"
        "import importlib as _il\n"
        "_real = _il.import_module\n"
        "def _preload():\n"
        "    _il.import_module = lambda n, *a: None if n == 'retention.report' else _real(n, *a)\n"
        "    try:\n"
        "        ui._preload(models_after=0)\n"
        "    finally:\n"
        "        _il.import_module = _real\n",
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "1_KPIs.py retention.report retention.report" in out.stdout.splitlines()


# A server's first page with its default view stored: run it (the preload held back) and say whether polars,
# 0.1 s of that page's 0.55 s of script at 10M orders, was imported.
FIRST_PAGE = r"""
import sys
from streamlit.testing.v1 import AppTest
import retention.ui as ui
ui.PRELOAD_DELAY = 3600.0  # the background import comes later; this asks what the page itself imports
at = AppTest.from_file(str(ui.ROOT / "app.py"), default_timeout=120)
at.run()
assert not at.exception, [e.value for e in at.exception]
assert at.metric[0].value, "the first page drew no figures"
print("polars" in sys.modules, at.metric[0].value)
"""


def test_stored_first_page_does_not_import_polars(sample_dir, tmp_path):
    """The first page's results are stored as JSON and the base's meta is read with DuckDB alone, so a
    server's first page does not import polars; with nothing stored it computes, through polars."""
    from tests.conftest import run_cli

    env = {
        "RETENTION_DATA_DIR": str(sample_dir),
        "RETENTION_CACHE_DIR": str(tmp_path / "cache"),
        "RETENTION_STORE_RESULTS": "true",
    }

    def first_page() -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", FIRST_PAGE], cwd=ROOT, capture_output=True, text=True, timeout=300,
            env={**os.environ, **env},
        )  # fmt: skip
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.split()

    assert run_cli("cohorts", "--metric", "active", env=env).returncode == 0  # the base cached, nothing stored
    computed, customers = first_page()
    assert computed == "True"  # computing the view reads frames
    assert run_cli("prepare", env=env).returncode == 0
    stored, again = first_page()
    assert (stored, again) == ("False", customers)
