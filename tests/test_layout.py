"""The layout the code keeps (CONTRIBUTING.md): thin pages, plain charts.

A page (pages/*.py, app.py) reads widgets and calls the library: it imports neither polars nor retention.db
and stays within PAGE_LINES lines. A chart module (retention/charts/*.py) draws shaped frames: it calls no
aggregation (group_by, agg, pivot, join, ...) — shaping lives in retention/metrics. Checked on the syntax
tree, so every spelling of an import is caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE_LINES = 100
FORBIDDEN_IN_PAGES = ("polars", "retention.db")
AGGREGATIONS = {"group_by", "agg", "pivot", "join", "join_asof", "unpivot", "sum", "mean", "count", "cum_sum"}

PAGES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py")])
CHARTS = sorted((ROOT / "retention" / "charts").glob("*.py"))


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN_IN_PAGES)


def page_problems(source: str, name: str = "page") -> list[str]:
    """What keeps a page from being thin: a forbidden import, or more than PAGE_LINES lines."""
    problems = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            problems += [f"{name}:{node.lineno} imports {a.name}" for a in node.names if _forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if _forbidden(node.module):
                problems.append(f"{name}:{node.lineno} imports from {node.module}")
            problems += [
                f"{name}:{node.lineno} imports {node.module}.{a.name}"
                for a in node.names
                if _forbidden(f"{node.module}.{a.name}")
            ]
    lines = len(source.splitlines())
    if lines > PAGE_LINES:
        problems.append(f"{name} has {lines} lines (at most {PAGE_LINES})")
    return problems


def chart_problems(source: str, name: str = "chart") -> list[str]:
    """Aggregations a chart module calls (`frame.group_by(...)`, `.agg(...)`, `series.sum()`, ...)."""
    return [
        f"{name}:{node.lineno} calls .{node.func.attr}()"
        for node in ast.walk(ast.parse(source, name))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in AGGREGATIONS
        and not isinstance(node.func.value, ast.Constant)  # "<br>".join(lines) joins text, not frames
    ]


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_page_is_thin(path):
    assert page_problems(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize("path", CHARTS, ids=[p.name for p in CHARTS])
def test_chart_does_not_aggregate(path):
    assert chart_problems(path.read_text(encoding="utf-8"), path.name) == []


@pytest.mark.parametrize(
    "source",
    [
        "import polars\n",
        "import polars as pl\n",
        "import polars.selectors as cs\n",
        "from polars import col\n",
        "from retention import db\n",
        "from retention import i18n, db as engine_module\n",
        "from retention.db import engine\n",
        "import retention.db\n",
        "def f():\n    import polars as pl\n    return pl\n",
    ],
)
def test_page_checker_catches_forbidden_imports(source):
    assert page_problems(source) != []


def test_page_checker_catches_a_long_page():
    assert page_problems("x = 1\n" * (PAGE_LINES + 1)) == [f"page has {PAGE_LINES + 1} lines (at most {PAGE_LINES})"]
    assert page_problems("x = 1\n" * PAGE_LINES) == []


def test_page_checker_passes_a_thin_page():
    assert (
        page_problems("import streamlit as st\n\nfrom retention import i18n, ui\nfrom retention.dbx import y\n") == []
    )


@pytest.mark.parametrize(
    "source",
    [
        'def f(df):\n    return df.group_by("a").agg(pl.col("b").sum())\n',
        'def f(df):\n    return df["customers"].sum()\n',
        'def f(df):\n    return df.pivot(on="a", index="b", values="c")\n',
        "def f(a, b):\n    return a.join(b, on='k')\n",
        "def f(df):\n    return df.unpivot(index='k')\n",
        "def f(df):\n    return df.select(pl.col('x').mean())\n",
    ],
)
def test_chart_checker_catches_aggregation(source):
    assert chart_problems(source) != []


def test_chart_checker_passes_a_plain_chart():
    source = (
        'def f(df):\n    hover = "<br>".join(df["h"].to_list())\n'
        '    return go.Figure(go.Bar(x=df["a"].to_list(), y=df.filter(pl.col("b") > 0)["c"], customdata=hover))\n'
    )
    assert chart_problems(source) == []
