"""Builder: the phases of `journey build`, from the compiled graph to the files of OUT."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial

import networkx as nx
from jinja2 import Environment

from toolkit.load.workers import fork_each, in_runs
from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import render_coverage_html
from toolkit.render.data import render_csv, render_json
from toolkit.render.dot import dot_available, render_dot, render_images
from toolkit.render.html import render_html
from toolkit.render.html_context import journey_refs
from toolkit.render.mermaid import render_mermaid
from toolkit.render.xlsx import render_xlsx

ALL_FORMATS = ("html", "svg", "png", "pdf", "dot", "mermaid", "json", "csv", "xlsx")
IMAGE_FORMATS = frozenset({"svg", "png", "pdf"})
NO_DOT_NOTE = (
    "SVG/PNG/PDF diagrams skipped: Graphviz 'dot' is not installed "
    "(Debian/Ubuntu: apt-get install graphviz fonts-ipafont-gothic; macOS: brew install graphviz)"
)


class FormatError(ValueError):
    """An unknown name in --format."""


@dataclass(frozen=True)
class Plan:
    formats: frozenset[str]
    notes: tuple[str, ...]


def plan_formats(requested: str | None, has_dot: bool) -> Plan:
    """The formats to build: the requested ones (default all), less images without `dot`."""
    if requested is None:
        wanted = set(ALL_FORMATS)
    else:
        wanted = {f.strip().lower() for f in requested.split(",") if f.strip()}
        unknown = sorted(wanted - set(ALL_FORMATS))
        if unknown or not wanted:
            raise FormatError(
                f"unknown format {', '.join(unknown) or '(none)'}; "
                f"choose from {','.join(ALL_FORMATS)}"
            )
    notes: tuple[str, ...] = ()
    if not has_dot and wanted & IMAGE_FORMATS:
        wanted -= IMAGE_FORMATS
        notes = (NO_DOT_NOTE,)
    return Plan(frozenset(wanted), notes)


Phase = Callable[[str], None]


ImageMemo = dict[tuple[str, bytes], bytes]


# Below this many graph nodes, a second process costs more than it saves.
PARALLEL_MIN_NODES = 2000


def render_all(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    jobs: int,
    phase: Phase = lambda _: None,
    memo: ImageMemo | None = None,
    parallel_min_nodes: int = PARALLEL_MIN_NODES,
) -> dict[str, bytes]:
    """Every output file of the build, keyed by its path inside OUT.

    On a large project with several cores, the shared pages and data files are rendered
    here while a forked worker renders the diagrams and runs Graphviz; with more than two
    cores, further workers render the journey pages, a group each. The files are the same
    either way. With a memo (kept between builds by `journey serve`), diagrams whose DOT
    source did not change are not laid out again.
    """
    # Not after a --leads overlay: DuckDB runs threads of its own, and forking a process
    # with foreign threads is not safe.
    alone = options.overlay is not None or memo is not None
    if not alone and jobs > 1 and len(graph) >= parallel_min_nodes:
        groups = page_groups(graph, options, jobs - 2)
        pages = partial(shared_pages if groups else render_pages, graph, options, phase)
        results = fork_each(
            [
                lambda: pages() | render_data(graph, options, phase),
                lambda: render_diagrams(graph, options, jobs, lambda _: None, None),
                *(partial(render_journey_pages, graph, options, group) for group in groups),
            ]
        )
        phase("diagrams")
        return {path: data for files in results for path, data in files.items()}
    return (
        render_pages(graph, options, phase)
        | render_diagrams(graph, options, jobs, phase, memo)
        | render_data(graph, options, phase)
    )


def page_groups(graph: nx.MultiDiGraph, options: RenderOptions, parts: int) -> list[list[str]]:
    """The journeys cut in order into about `parts` groups (see in_runs), whose pages
    forked workers render; none with fewer than one part, or without HTML."""
    if parts < 1 or "html" not in options.formats:
        return []
    return in_runs(journey_refs(graph), lambda _: 1, parts)


def shared_pages(graph: nx.MultiDiGraph, options: RenderOptions, phase: Phase) -> dict[str, bytes]:
    """render_pages without the journey pages: the overview, comparison and coverage pages
    and the Mermaid sources."""
    files: dict[str, bytes] = {}
    if "html" in options.formats:
        phase("html")
        files.update(render_html(graph, options, journeys=()))
        files.update(render_coverage_html(graph, options))
    if "mermaid" in options.formats:
        phase("mermaid")
        files.update(render_mermaid(graph, options))
    return files


def render_journey_pages(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    refs: Collection[str],
    env: Environment | None = None,
) -> dict[str, bytes]:
    """Just the journey map pages of these journeys (what render_html makes for them).

    `journey serve` writes these first after a save, before the rest of the rebuild, with
    a Jinja environment it keeps (its templates are compiled once).
    """
    if "html" not in options.formats:
        return {}
    return render_html(graph, options, refs, env, overview=False)


def render_scoped(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    jobs: int,
    memo: ImageMemo,
    journeys: Collection[str],
    env: Environment | None = None,
) -> dict[str, bytes]:
    """The files a change to these journeys alone can change (`journey serve`): their
    pages, diagrams and Mermaid, the overview and coverage pages, the project-wide diagrams
    and the data files. Every other file is as the last build made it."""
    return {
        **render_pages(graph, options, lambda _: None, journeys, env),
        **render_diagrams(graph, options, jobs, lambda _: None, memo, journeys),
        **render_data(graph, options, lambda _: None),
    }


def render_pages(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    phase: Phase,
    journeys: Collection[str] | None = None,
    env: Environment | None = None,
) -> dict[str, bytes]:
    """The HTML pages and the Mermaid sources (of some journeys only, with `journeys`)."""
    files: dict[str, bytes] = {}
    if "html" in options.formats:
        phase("html")
        files.update(render_html(graph, options, journeys, env))
        files.update(render_coverage_html(graph, options))
    if "mermaid" in options.formats:
        phase("mermaid")
        files.update(render_mermaid(graph, options, journeys=journeys))
    return files


def render_diagrams(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    jobs: int,
    phase: Phase,
    memo: ImageMemo | None,
    journeys: Collection[str] | None = None,
) -> dict[str, bytes]:
    """The diagrams: DOT and Graphviz's images (of some journeys only, with `journeys`)."""
    fmts = options.formats
    files: dict[str, bytes] = {}
    if fmts & (IMAGE_FORMATS | {"dot"}):
        phase("diagrams")
        dot_files = render_dot(graph, options, journeys=journeys)
        if "dot" in fmts:
            files.update(dot_files)
        if fmts & IMAGE_FORMATS:
            phase("graphviz")
            files.update(images(dot_files, fmts & IMAGE_FORMATS, jobs, memo, journeys is None))
    return files


def render_data(graph: nx.MultiDiGraph, options: RenderOptions, phase: Phase) -> dict[str, bytes]:
    """The data files (JSON, CSV, XLSX)."""
    fmts = options.formats
    files: dict[str, bytes] = {}
    if "json" in fmts:
        phase("json")
        files.update(render_json(graph, options))
    if "csv" in fmts:
        phase("csv")
        files.update(render_csv(graph, options))
    if "xlsx" in fmts:
        phase("xlsx")
        files.update(render_xlsx(graph, options))
    return files


def images(
    dot_files: dict[str, bytes],
    fmts: frozenset[str],
    jobs: int,
    memo: ImageMemo | None,
    prune: bool = True,
) -> dict[str, bytes]:
    """Graphviz output for every DOT file, reusing memoised results for unchanged sources.

    With prune, memo entries of diagrams that are not in dot_files are dropped (they are
    kept when dot_files are only some of the diagrams).
    """
    if memo is None:
        return render_images(dot_files, fmts, jobs)
    wanted = {
        (f"{name.rsplit('.', 1)[0]}.{fmt}", src): name
        for name, src in dot_files.items()
        for fmt in sorted(fmts)
    }
    todo = {name: dot_files[name] for key, name in wanted.items() if key not in memo}
    fresh = render_images(todo, fmts, jobs) if todo else {}
    for key in wanted:
        if key[0] in fresh and dot_files[wanted[key]] == key[1]:
            memo[key] = fresh[key[0]]
    for key in [k for k in memo if prune and k not in wanted]:
        del memo[key]
    return {key[0]: memo[key] for key in wanted}


def has_dot() -> bool:
    return dot_available()
