"""Builder: `journey build` from the compiled graph to the files of OUT, as one loop over
the registry of builders (toolkit.render.registry) with a scope.

render_all, render_scoped and render_journey_pages are the entry points of before the
registry, kept for their callers (toolkit.cli.main, toolkit.serve.live): each is one call
of build_files.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

import networkx as nx
from jinja2 import Environment

from toolkit.load.workers import fork_each, in_runs
from toolkit.render.common import RenderOptions
from toolkit.render.html_context import journey_refs
from toolkit.render.registry import (
    ALL,
    BUILDERS,
    SERIAL,
    SPLIT,
    WORKER,
    Builder,
    ImageMemo,
    Phase,
    Scope,
    Tools,
)


class Superseded(Exception):
    """A build given up between two builders because a newer one is waiting (serve)."""


# Below this many graph nodes, a second process costs more than it saves.
PARALLEL_MIN_NODES = 2000


def build_files(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    scope: Scope = ALL,
    jobs: int = 1,
    phase: Phase = lambda _: None,
    memo: ImageMemo | None = None,
    env: Environment | None = None,
    builders: Collection[str] | None = None,
    parallel_min_nodes: int = PARALLEL_MIN_NODES,
    superseded: Callable[[], bool] = lambda: False,
) -> dict[str, bytes]:
    """Every file of the scope, keyed by its path inside OUT: each registered builder (or
    only those named in `builders`) that serves a format of options.formats, in order.
    Raises Superseded when `superseded()` turns true between two builders (serve).

    On a large project with several cores, a full build forks: the SERIAL builders and the
    shared files of SPLIT ones are rendered here while a worker runs each WORKER builder
    (the diagrams with Graphviz, the data files); with more than two cores, further
    workers render the journey files of the SPLIT builders (the journey pages), a group of
    journeys each. The files are the same either way. With a memo (kept between builds by
    `journey serve`), diagrams whose DOT source did not change are not laid out again.
    """
    chosen = [b for b in BUILDERS if b.wanted(options) and (builders is None or b.name in builders)]
    # Not after a --leads overlay: DuckDB runs threads of its own, and forking a process
    # with foreign threads is not safe.
    alone = options.overlay is not None or memo is not None or not scope.whole
    if not alone and jobs > 1 and len(graph) >= parallel_min_nodes:
        return _forked(graph, options, chosen, jobs, phase, env)
    tools = Tools(jobs, phase, memo, env)
    files: dict[str, bytes] = {}
    for b in chosen:
        if superseded():
            raise Superseded(b.name)
        files.update(b.render(graph, options, scope, tools))
    return files


def _forked(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    chosen: list[Builder],
    jobs: int,
    phase: Phase,
    env: Environment | None,
) -> dict[str, bytes]:
    """A full build on forked workers (see build_files)."""
    groups = page_groups(graph, options, jobs - 2)
    split = [b for b in chosen if b.parallel == SPLIT] if groups else []
    here = [b for b in chosen if b.parallel == SERIAL or (b.parallel == SPLIT and not split)]
    workers = [b for b in chosen if b.parallel == WORKER]
    shared_only = Scope(frozenset(), shared=True)

    def in_this_process() -> dict[str, bytes]:
        tools = Tools(jobs, phase, None, env)
        files: dict[str, bytes] = {}
        for b in chosen:
            if b in split:
                files.update(b.render(graph, options, shared_only, tools))
            elif b in here:
                files.update(b.render(graph, options, ALL, tools))
        return files

    def own_worker(b: Builder) -> dict[str, bytes]:
        return dict(b.render(graph, options, ALL, Tools(jobs)))

    def group(refs: list[str]) -> dict[str, bytes]:
        scope, tools = Scope.of(refs, shared=False), Tools(jobs)
        return {p: d for b in split for p, d in b.render(graph, options, scope, tools).items()}

    calls = [in_this_process, *(partial(own_worker, b) for b in workers)]
    results = fork_each([*calls, *(partial(group, refs) for refs in groups if split)])
    for b in workers:
        phase(b.name)
    return {path: data for files in results for path, data in files.items()}


def page_groups(graph: nx.MultiDiGraph, options: RenderOptions, parts: int) -> list[list[str]]:
    """The journeys cut in order into about `parts` groups (see in_runs), whose pages
    forked workers render; none with fewer than one part, or without HTML."""
    if parts < 1 or "html" not in options.formats:
        return []
    return in_runs(journey_refs(graph), lambda _: 1, parts)


# --- the entry points of before the registry ---------------------------------------------------


def render_all(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    jobs: int,
    phase: Phase = lambda _: None,
    memo: ImageMemo | None = None,
    parallel_min_nodes: int = PARALLEL_MIN_NODES,
) -> dict[str, bytes]:
    """Every output file of the build: build_files of ALL."""
    return build_files(
        graph, options, ALL, jobs, phase, memo, parallel_min_nodes=parallel_min_nodes
    )


def render_journey_pages(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    refs: Collection[str],
    env: Environment | None = None,
) -> dict[str, bytes]:
    """Just the journey map pages of these journeys: the "pages" builder on their scope
    without shared files.

    `journey serve` writes these first after a save, before the rest of the rebuild, with
    a Jinja environment it keeps (its templates are compiled once).
    """
    return build_files(graph, options, Scope.of(refs, shared=False), env=env, builders=("pages",))


def render_scoped(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    jobs: int,
    memo: ImageMemo,
    journeys: Collection[str],
    env: Environment | None = None,
    superseded: Callable[[], bool] = lambda: False,
) -> dict[str, bytes]:
    """The files a change to these journeys alone can change (`journey serve`): their
    pages, diagrams and Mermaid, the overview and coverage pages, the project-wide diagrams
    and the data files. Every other file is as the last build made it. Raises Superseded
    as build_files does."""
    scope = Scope.of(journeys)
    return build_files(graph, options, scope, jobs, memo=memo, env=env, superseded=superseded)
