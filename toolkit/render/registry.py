"""The registry of builders: every renderer of `journey build`, as data the build loops over.

A Builder names itself, the output formats it serves (it runs when the build asks for any of
them), how it can run in parallel, and renders `render(graph, options, scope, tools)` ->
{path inside OUT: bytes}. The build (toolkit.render.builder.build_files) is one loop over
BUILDERS, in their order, with a Scope: every file, or the files a change to some journeys
can change.

Parallel (see builder.build_files): SERIAL builders run in the build's own process; a
WORKER builder may run alone in a forked worker (the diagrams, with Graphviz; the data
files); a SPLIT builder's journey files may be cut among forked workers, a group of
journeys each, while its shared files are rendered in the build's process (the HTML pages).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
from jinja2 import Environment

from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import render_coverage_html
from toolkit.render.data import render_csv, render_json
from toolkit.render.dot import journey_diagram_paths, render_dot, render_images
from toolkit.render.formats import IMAGE_FORMATS
from toolkit.render.html import render_html
from toolkit.render.mermaid import render_mermaid
from toolkit.render.plan_html import render_plan_html

SERIAL, WORKER, SPLIT = "serial", "worker", "split"
Parallel = Literal["serial", "worker", "split"]
Phase = Callable[[str], None]
ImageMemo = dict[tuple[str, bytes], bytes]


@dataclass(frozen=True)
class Scope:
    """What a build renders: the files of some journeys (None: of every journey) and, with
    `shared`, the files no one journey owns (overview pages, data, project-wide diagrams).

    ALL is a full build; Scope.of(refs) what a change to those journeys can change.
    """

    journeys: frozenset[str] | None = None
    shared: bool = True

    @staticmethod
    def of(journeys: Collection[str], shared: bool = True) -> Scope:
        if isinstance(journeys, str | bytes):
            raise TypeError("journeys must be a collection of journey refs, not one string")
        return Scope(frozenset(journeys), shared)

    @property
    def whole(self) -> bool:
        return self.journeys is None and self.shared


ALL = Scope()


@dataclass
class Tools:
    """What a build lends its builders: cores, a progress callback, the Graphviz memo kept
    between builds by `journey serve`, and a Jinja environment it keeps."""

    jobs: int = 1
    phase: Phase = field(default=lambda _: None)
    memo: ImageMemo | None = None
    env: Environment | None = None


Render = Callable[[nx.MultiDiGraph, RenderOptions, Scope, Tools], Mapping[str, bytes]]


@dataclass(frozen=True)
class Builder:
    name: str
    formats: frozenset[str]
    parallel: Parallel
    render: Render

    def wanted(self, options: RenderOptions) -> bool:
        if self.name == "leads":  # an overlay's page and data come with any --format
            return options.overlay is not None
        return bool(self.formats & options.formats)


def _pages(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """index.html and compare.html (shared) and journeys/<ref>.html."""
    if scope.journeys is not None and not scope.journeys and not scope.shared:
        return {}
    t.phase("html")
    return render_html(g, o, scope.journeys, t.env, overview=scope.shared)


def _coverage(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    return render_coverage_html(g, o) if scope.shared else {}


def _plan(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """plan.html, the six marketing processes (shared)."""
    return render_plan_html(g, o) if scope.shared else {}


def _mermaid(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    t.phase("mermaid")
    return render_mermaid(g, o, journeys=scope.journeys)


def _diagrams(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """The DOT sources (funnel and overview shared, one per journey) and their images."""
    fmts = o.formats
    files: dict[str, bytes] = {}
    t.phase("diagrams")
    dot_files = render_dot(g, o, journeys=scope.journeys)
    if not scope.shared:
        own = set(journey_diagram_paths(g).values())
        dot_files = {path: src for path, src in dot_files.items() if path in own}
    if "dot" in fmts:
        files.update(dot_files)
    if fmts & IMAGE_FORMATS:
        t.phase("graphviz")
        files.update(images(dot_files, fmts & IMAGE_FORMATS, t.jobs, t.memo, scope.whole))
    return files


def _data(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if not scope.shared:
        return files
    if "json" in o.formats:
        t.phase("json")
        files.update(render_json(g, o))
    if "csv" in o.formats:
        t.phase("csv")
        files.update(render_csv(g, o))
    return files


def _xlsx(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    if not scope.shared:
        return {}
    from toolkit.render.xlsx import render_xlsx  # openpyxl: imported only when asked for

    t.phase("xlsx")
    return render_xlsx(g, o)


def _deck(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """deck.pptx, the editable PowerPoint deck (`--format pptx`)."""
    if not scope.shared:
        return {}
    from toolkit.render.deck import deck_files  # python-pptx: only when asked for

    t.phase("pptx")
    return deck_files(g, o)


def _leads(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """leads.html and data/leads-overlay.json, with a lead overlay (`journey build --leads`)."""
    if o.overlay is None or not scope.shared:
        return {}
    from toolkit.render.leads_overlay import leads_files

    return leads_files(g, o.overlay, o)


def _report(g: nx.MultiDiGraph, o: RenderOptions, scope: Scope, t: Tools) -> dict[str, bytes]:
    """report.pdf (`--format report`): the whole output as one PDF (toolkit.render.report),
    set by forked workers of its own."""
    if not scope.shared:
        return {}
    from toolkit.render.report import REPORT_PATH, render_report  # WeasyPrint: when asked

    t.phase("report")
    return {REPORT_PATH: render_report(g, o, o.diagnostics, t.jobs)}


BUILDERS: tuple[Builder, ...] = (
    Builder("pages", frozenset({"html"}), SPLIT, _pages),
    Builder("coverage", frozenset({"html"}), SERIAL, _coverage),
    Builder("plan", frozenset({"html"}), SERIAL, _plan),
    Builder("mermaid", frozenset({"mermaid"}), SERIAL, _mermaid),
    Builder("diagrams", frozenset({"dot"}) | IMAGE_FORMATS, WORKER, _diagrams),
    Builder("data", frozenset({"json", "csv"}), WORKER, _data),
    Builder("xlsx", frozenset({"xlsx"}), SERIAL, _xlsx),
    Builder("deck", frozenset({"pptx"}), WORKER, _deck),
    # Not in a worker: the overlay comes from DuckDB, which runs threads of its own.
    Builder("leads", frozenset({"html", "json"}), SERIAL, _leads),
    Builder("report", frozenset({"report"}), SERIAL, _report),
)


def builder(name: str) -> Builder:
    """The registered builder of that name."""
    for b in BUILDERS:
        if b.name == name:
            return b
    raise KeyError(name)


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
