"""Pipeline: the named phases shared by every command (load -> validate -> compile -> analyse)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from toolkit.analyses.warnings import graph_warnings
from toolkit.common.diagnostics import Diagnostic
from toolkit.graph.build import compile_graph
from toolkit.load.sources import Cache
from toolkit.model.project import Project, load_project


@dataclass
class Compiled:
    project: Project
    graph: nx.MultiDiGraph | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.graph is not None and not any(d.severity == "error" for d in self.diagnostics)


@contextlib.contextmanager
def paused_gc(freeze: bool = False) -> Iterator[None]:
    """No cyclic garbage collection while building many long-lived objects.

    Loading allocates hundreds of thousands of containers that all stay alive, so every
    collection would scan them again for nothing; reference counting still frees the rest.
    With freeze (a one-shot command, whose objects live to its end), they are moved out of
    the collector's reach before it is enabled again; otherwise its first collection walks
    them all once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def compile_project(
    root: Path, shown_as: str | None = None, cache: Cache | None = None, one_shot: bool = False
) -> Compiled:
    """Load and validate a project; compile and analyse its graph when it has no errors.

    one_shot: the process ends after this command (see paused_gc's freeze).
    """
    with paused_gc(freeze=one_shot):
        loaded = load_project(root, shown_as, cache)
        if not loaded.ok:
            return Compiled(loaded.project, None, loaded.diagnostics)
        graph = compile_graph(loaded.project)
        return Compiled(loaded.project, graph, [*loaded.diagnostics, *graph_warnings(graph)])
