"""The import graph of toolkit's modules has no cycle, and the layers point one way."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "toolkit"

# Cycles that are known and allowed: none. A new one fails test_no_import_cycles.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_files() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph() -> nx.DiGraph:
    """module -> module it imports, anywhere in the file (functions, TYPE_CHECKING too);
    a copy of the graph parsed once per test process."""
    return parsed_import_graph().copy()


@cache
def parsed_import_graph() -> nx.DiGraph:
    modules = module_files()
    g = nx.DiGraph()
    for name, path in modules.items():
        g.add_node(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            g.add_edges_from((name, t) for t in targets if t in modules and t != name)
    return g


def test_the_graph_sees_imports_inside_functions() -> None:
    g = import_graph()
    assert g.has_edge("toolkit.cli.main", "toolkit.render.formats")  # imported in build()
    assert g.has_edge("toolkit.render.builder", "toolkit.render.registry")


def test_no_import_cycles() -> None:
    cycles = {frozenset(c) for c in nx.simple_cycles(import_graph())}
    assert cycles - KNOWN_CYCLES == set()
    assert KNOWN_CYCLES - cycles == set(), "a known cycle is gone: take it off KNOWN_CYCLES"


def test_lower_layers_do_not_import_the_renderers() -> None:
    g = import_graph()
    lower = ("toolkit.common", "toolkit.analyses", "toolkit.leads", "toolkit.sheets")
    lower += ("toolkit.model", "toolkit.graph", "toolkit.load")
    wrong = sorted(
        (u, v) for u, v in g.edges if u.startswith(lower) and v.startswith("toolkit.render")
    )
    assert wrong == []


def test_common_is_below_everyone() -> None:
    g = import_graph()
    wrong = sorted(
        (u, v)
        for u, v in g.edges
        if u.startswith("toolkit.common") and not v.startswith("toolkit.common")
    )
    assert wrong == []
