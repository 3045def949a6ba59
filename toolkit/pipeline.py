"""Pipeline: the one path from a project folder to written outputs, shared by every command.

    load -> validate -> compile -> analyse -> render -> write

`Pipeline` owns what makes that path fast: the parse cache (parses of unchanged files are
kept on disk), the parse-ahead workers (changed files parsed on every core while the first
ones are validated), the result cache of whole checks and, for `journey serve`, the memory
kept between builds (each file's parse, each document's model and the last good graph,
which a save of journey files patches instead of compiling again). Commands build a
`Settings`, ask the pipeline for what they need (`compiled()`, `check()`, `build()`) and
print; they hold no phase logic.

Heavy libraries (pydantic, networkx, the renderers) are imported inside the phases, after
the parse-ahead workers have started, so that their import overlaps the parse, and so that
a `journey check` answered from the result cache never imports them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.common.diagnostics import Diagnostic

if TYPE_CHECKING:
    from toolkit.graph.journey_graph import JourneyGraph
    from toolkit.leads.judge import Options as LeadOptions
    from toolkit.leads.run import LeadRun
    from toolkit.load.cache import MemoryCache
    from toolkit.load.sources import Cache
    from toolkit.load.workers import Prefetch
    from toolkit.model.project import LoadResult, Project, Validated
    from toolkit.render.common import RenderOptions
    from toolkit.render.overlay import LeadOverlay


@dataclass
class Compiled:
    """What the first four phases give: the project, its graph (None after errors) and
    every diagnostic (loading and validation errors, then the analyses' warnings)."""

    project: Project
    graph: JourneyGraph | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.graph is not None and not any(d.severity == "error" for d in self.diagnostics)


@dataclass(frozen=True)
class Settings:
    """How a command wants the pipeline to run."""

    root: Path
    shown_as: str | None = None  # how reports name the folder (default: as given)
    cache: Cache | None = None  # where parses are kept (a ParseCache keeps check results too)
    jobs: int = 1  # Graphviz runs and page workers when rendering
    parse_jobs: int = 1  # cores that parse changed sources ahead of validation
    one_shot: bool = False  # the process ends after this command (see paused_gc)
    live: bool = False  # keep parses, models and the last graph between builds (serve)


@dataclass
class Memory:
    """What a live pipeline keeps between builds."""

    parses: MemoryCache
    validated: Validated = field(default_factory=dict)
    last: tuple[Project, JourneyGraph] | None = None


class Pipeline:
    """The phases over one project folder, with its caches and workers (see the module)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.memory: Memory | None = None
        # The journeys the last compile patched (None after a full compile): a build
        # renders and writes their pages first.
        self.patched: set[str] | None = None
        self.ahead: Prefetch | None = None  # parses started by start(), taken by load()
        if settings.live:
            from toolkit.load.cache import MemoryCache

            self.memory = Memory(MemoryCache(settings.cache))

    # --- phases 1 and 2: load and validate ----------------------------------------------

    def start(self) -> None:
        """Begin phase 1 now: the project's sources are read and parsed ahead on every core
        while the command goes on (a build imports its renderers meanwhile); load() takes
        the parses as they come. Nothing happens where load() would not parse ahead."""
        s = self.settings
        if self.ahead is None and self._parses_ahead():
            from toolkit.load.workers import prefetch

            self.ahead = prefetch(s.root, self._shown(), s.cache, s.parse_jobs)

    def _parses_ahead(self) -> bool:
        from toolkit.load.cache import ParseCache

        s = self.settings
        return (
            self.memory is None
            and s.parse_jobs > 1
            and (s.cache is None or isinstance(s.cache, ParseCache))
        )

    def _shown(self) -> str:
        from toolkit.load.sources import display_root

        s = self.settings
        return display_root(str(s.root)) if s.shown_as is None else s.shown_as

    def load(self) -> LoadResult:
        """Every source parsed and validated (validation of a file starts as soon as it is
        parsed, while workers may still parse the next ones), references cross-checked."""
        shown = self._shown()
        if self.memory is not None:
            return self._load_with(self.memory.parses, shown)
        self.start()
        ahead, self.ahead = self.ahead, None
        if ahead is None:
            return self._load_with(self.settings.cache, shown)
        try:
            return self._load_with(ahead, shown)
        finally:
            ahead.close()

    def _load_with(self, cache: Cache | None, shown: str) -> LoadResult:
        from toolkit.model.project import load_project

        validated = self.memory.validated if self.memory is not None else None
        loaded = load_project(self.settings.root, shown, cache, validated)
        if self.memory is not None:
            self.memory.parses.forget_unused()
        return loaded

    # --- phase 3: compile -----------------------------------------------------------------

    def compile(self, project: Project) -> JourneyGraph:
        """The journey graph of a valid project; a live pipeline patches its last graph
        when only journeys changed (self.patched names them)."""
        from toolkit.analyses.warnings import forget_journeys
        from toolkit.graph.build import compile_graph
        from toolkit.graph.increments import changed_journeys, patch_journeys

        self.patched = None
        last = self.memory.last if self.memory is not None else None
        changed = None if last is None else changed_journeys(last[0], project)
        if last is not None and changed is not None:
            graph = last[1]
            if changed:
                patch_journeys(graph, project, changed, forget_journeys)
            self.patched = changed
        else:
            graph = compile_graph(project)
        if self.memory is not None:
            self.memory.last = (project, graph)
        return graph

    # --- phase 4: analyse -----------------------------------------------------------------

    def analyse(self, graph: JourneyGraph, project: Project) -> list[Diagnostic]:
        """The warnings worked out on the graph (seller-absent, content-gap, ...), and
        process-gap (at the funnel document's `stages:` key, which the project knows)."""
        from toolkit.analyses.plan import funnel_location, plan_warnings
        from toolkit.analyses.warnings import graph_warnings

        return [*graph_warnings(graph), *plan_warnings(graph, funnel_location(project))]

    def compiled(self, changed: Collection[Path] | None = None) -> Compiled:
        """Phases 1-4. `changed` (the files a watcher saw change) is a hint only: what
        changed is worked out from the sources' bytes, so a missed event costs nothing."""
        del changed  # the memory cache compares bytes; see the docstring
        with paused_gc(freeze=self.settings.one_shot):
            loaded = self.load()
            if not loaded.ok:
                return Compiled(loaded.project, None, loaded.diagnostics)
            graph = self.compile(loaded.project)
            return Compiled(
                loaded.project, graph, [*loaded.diagnostics, *self.analyse(graph, loaded.project)]
            )

    def check(self) -> list[Diagnostic]:
        """Phases 1-4 for their diagnostics only, answered from the result cache when no
        source changed since a check that stored them."""
        from toolkit.load.cache import ParseCache
        from toolkit.load.results import ResultCache, check_key

        s = self.settings
        if not isinstance(s.cache, ParseCache) or s.shown_as is not None:
            return self.compiled().diagnostics
        key = check_key(s.root)
        results = ResultCache(s.cache.root)
        found = results.get(key) if key is not None else None
        if found is not None:
            return found
        found = self.compiled().diagnostics
        if key is not None and check_key(s.root) == key:
            results.put(key, found)  # unless a source changed while the check ran
        return found

    # --- an overlay for the render: real leads judged against the project's rules ----------

    def judge_leads(
        self,
        compiled: Compiled,
        leads: Path,
        events: Path | None,
        rules: Path | None,
        options: LeadOptions,
    ) -> LeadRun:
        """Judge a lead export with the project's rules, or a rules file (toolkit.leads.run)."""
        from toolkit.leads.run import judge_leads

        assert compiled.graph is not None
        return judge_leads(compiled.project, compiled.graph, leads, events, rules, options)

    def lead_overlay(self, compiled: Compiled, run: LeadRun) -> LeadOverlay | None:
        """What `build --leads` draws on the pages: lead volumes per class and stage."""
        from toolkit.render.leads_overlay import overlay

        if compiled.graph is None or run.judgment is None:
            return None
        return overlay(compiled.graph, run.judgment.summary)

    # --- phases 5 and 6: render and write -------------------------------------------------

    def render(
        self,
        graph: JourneyGraph,
        options: RenderOptions,
        phase: Callable[[str], None] = lambda _: None,
    ) -> dict[str, bytes]:
        """Every output file of the requested formats, path -> bytes (nothing written);
        `phase(name)` is told as each builder starts (a progress display)."""
        from toolkit.render.builder import render_all

        return render_all(graph, options, self.settings.jobs, phase)

    def write(self, out: Path, files: dict[str, bytes]) -> None:
        """Replace OUT with exactly these files, all or nothing (toolkit.write)."""
        from toolkit.write import write_output

        write_output(self.settings.root, out, files)


def compile_project(
    root: Path, shown_as: str | None = None, cache: Cache | None = None, one_shot: bool = False
) -> Compiled:
    """Phases 1-4 of a project folder in one call, on one core (`cache`: any parse cache)."""
    return Pipeline(Settings(root, shown_as, cache, one_shot=one_shot)).compiled()


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
