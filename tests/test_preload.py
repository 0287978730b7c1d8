"""The background import after a server's first page (ui._preload) covers what every other page imports,
so a page's first visit does not pay an import the preload could have done."""

from __future__ import annotations

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
