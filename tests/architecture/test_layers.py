"""The package layout of docs/ARCHITECTURE.md holds: each package imports only the packages
below it, and the command line holds no phase logic (it asks the pipeline)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "toolkit"
# Bottom to top, as in docs/ARCHITECTURE.md.
LAYERS = [
    "common",
    "load",
    "model",
    "graph",
    "analyses",
    "leads",
    "render",
    "write",
    "pipeline",
    "sheets",
    "scaffold",
    "serve",
    "cli",
]
# What only the pipeline (and cli/requires.py, which builds it) may call.
PHASE_INTERNALS = {
    "load_project",
    "compile_graph",
    "graph_warnings",
    "patch_journeys",
    "prefetch",
    "render_all",
    "render_scoped",
    "write_output",
    "ResultCache",
}


@cache
def parsed() -> tuple[tuple[str, ast.Module], ...]:
    """Every module of the package, parsed once per test process (the trees are only read)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found.append((name.removesuffix(".__init__"), ast.parse(path.read_text(encoding="utf-8"))))
    return tuple(found)


def modules() -> Iterator[tuple[str, ast.Module]]:
    yield from parsed()


def imports(tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(module, imported names) of every import, at the top and inside functions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "toolkit" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def test_every_package_is_in_a_layer() -> None:
    found = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if not p.name.startswith("_")}
    assert found - {"locale", "py.typed"} == set(LAYERS)


@pytest.mark.parametrize("module", [name for name, _ in modules()])
def test_imports_go_down_only(module: str) -> None:
    tree = dict(modules())[module]
    here = layer(module)
    if here is None:
        return
    upward = [
        target
        for target, _ in imports(tree)
        if (there := layer(target)) is not None and LAYERS.index(there) > LAYERS.index(here)
    ]
    assert upward == [], f"{module} imports from above its layer"


def test_the_command_line_asks_the_pipeline() -> None:
    for module, tree in modules():
        if layer(module) != "cli" or module == "toolkit.cli.requires":
            continue
        called = {name for _, names in imports(tree) for name in names} & PHASE_INTERNALS
        assert called == set(), f"{module} runs phases itself: {sorted(called)}"
