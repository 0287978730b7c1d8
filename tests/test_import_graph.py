"""No import cycles in retention/: every import (module level or inside a function, not under TYPE_CHECKING)
is an edge, and the graph of retention's modules has no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "retention"

# Edges known to close a cycle, each waiting for a change. Every entry must still exist (so it is removed
# when fixed). None left.
KNOWN_EDGES: set[tuple[str, str]] = set()


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """module -> the retention modules it imports (package __init__ files that are empty are left out)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skip = _type_checking_lines(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                if t in modules and t != name and t != "retention":
                    graph[name].add(t)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_walker_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_retention():
    graph = import_graph()
    for a, b in KNOWN_EDGES:
        assert b in graph[a], f"{a} no longer imports {b}: remove the entry from KNOWN_EDGES"
        graph[a].discard(b)
    found = cycles(graph)
    assert not found, "import cycles in retention/: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_sql_layer_imports_no_report_code():
    """settings <- tables <- sqltext <- sqlfiles <- results (the result store: imports nothing of ours) <- base <- engine <- spark_sql <- spark_engine <- validate <-
    refresh <- db: each imports only those before it."""
    graph = import_graph()
    order = ["retention.settings", "retention.tables", "retention.sqltext", "retention.sqlfiles", "retention.results", "retention.base",
             "retention.engine", "retention.spark_sql", "retention.spark_engine", "retention.validate",
             "retention.refresh", "retention.db"]  # fmt: skip
    for i, name in enumerate(order):
        inside = {m for m in graph[name] if m.startswith("retention.")} - {"retention.errors"}
        assert inside <= set(order[:i]), f"{name} imports {sorted(inside - set(order[:i]))}"


@pytest.mark.parametrize("module", ["retention.db", "retention.validate", "retention.engine", "retention.base",
                                    "retention.sqlfiles", "retention.importer", "retention.queries.window"])  # fmt: skip
def test_each_module_imports_alone(module):
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, cwd=ROOT)
