"""Pipeline: the named phases shared by every command (load -> validate -> compile -> analyse)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from toolkit.analyses import graph_warnings
from toolkit.diagnostics import Diagnostic
from toolkit.graph import compile_graph
from toolkit.project import Project, load_project
from toolkit.sources import Cache


@dataclass
class Compiled:
    project: Project
    graph: nx.MultiDiGraph | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.graph is not None and not any(d.severity == "error" for d in self.diagnostics)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while building many long-lived objects.

    Loading allocates hundreds of thousands of containers that all stay alive, so every
    collection would scan them again for nothing; reference counting still frees the rest.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_project(
    root: Path, shown_as: str | None = None, cache: Cache | None = None
) -> Compiled:
    """Load and validate a project; compile and analyse its graph when it has no errors."""
    with paused_gc():
        loaded = load_project(root, shown_as, cache)
        if not loaded.ok:
            return Compiled(loaded.project, None, loaded.diagnostics)
        graph = compile_graph(loaded.project)
        return Compiled(loaded.project, graph, [*loaded.diagnostics, *graph_warnings(graph)])
