"""Live build: one build at start, then a rebuild whenever a source is saved.

A rebuild that finds errors leaves the last good output in place; LiveState tells the pages."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from toolkit.common.diagnostics import printable, split
from toolkit.common.errors import EnvironmentFailure
from toolkit.load.cache import ParseCache
from toolkit.pipeline import Compiled, Pipeline, Settings
from toolkit.render.builder import Superseded, build_files, render_journey_pages, render_scoped
from toolkit.render.common import RenderOptions
from toolkit.render.environment import make_environment
from toolkit.render.notices import page_warnings
from toolkit.render.registry import ALL, BUILDERS, Tools
from toolkit.serve.state import LiveState
from toolkit.write import update_files, update_output

log = logging.getLogger(__name__)

# Seconds the build waits, after writing the edited journeys' pages, for the open pages of
# those journeys to fetch them (it would otherwise compete with them for this process).
PAGE_GRACE = 0.3

# The files of a build, and the journeys and options they were made for.
Rendered = tuple[tuple[frozenset[str], RenderOptions], dict[str, bytes]]

# Formats `journey serve` makes only when a page asks for them (they take seconds), and the
# path each is served at: the PDF report and the slide deck.
ON_DEMAND = {"report": "report.pdf", "pptx": "deck.pptx"}


def on_demand_formats(built: frozenset[str]) -> frozenset[str]:
    """The ON_DEMAND formats a registered builder makes and the build does not."""
    known = {fmt for b in BUILDERS for fmt in b.formats}
    return frozenset(fmt for fmt in ON_DEMAND if fmt in known and fmt not in built)


@dataclass
class LiveBuild:
    """Rebuilds a project into OUT through a live pipeline (toolkit.pipeline, Settings.live),
    keeping the last good output when a build fails.

    The pipeline keeps each file's parse, each document's model and the last good graph in
    memory: a save that changed journey files only patches that graph (toolkit.graph
    .increments), and their pages are rendered and written first.
    """

    pipeline: Pipeline
    out: Path
    formats: frozenset[str]
    lang: str | None
    paper: str = "a3"  # RenderOptions.paper (`serve --paper`)
    show_empty_rows: bool = False  # RenderOptions.show_empty_rows (`serve --show-empty-rows`)
    state: LiveState = field(default_factory=LiveState)
    images: dict[tuple[str, bytes], bytes] = field(default_factory=dict)
    env: Environment = field(default_factory=make_environment)
    # The last good build's files, and the journeys and options they were made for.
    rendered: Rendered | None = None
    warm: bool = False  # a journey page was rendered in this process (templates compiled)
    # Journeys whose diagrams and shared pages a superseded build left unwritten: the next
    # build renders them with its own.
    unfinished: set[str] = field(default_factory=set)
    # Formats made when asked for (ON_DEMAND): the last good build's graph and options
    # they are made from, and what was made from it; `lock` keeps a rebuild (which patches
    # the graph) and a download apart.
    on_demand: frozenset[str] = frozenset()
    last: tuple[Any, RenderOptions] | None = None
    made: dict[tuple[int, str], bytes | None] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def for_project(
        cls,
        project: Path,
        out: Path,
        formats: frozenset[str],
        lang: str | None = None,
        jobs: int = 1,
        cache: ParseCache | None = None,
    ) -> LiveBuild:
        """A live build of PROJECT with its own live pipeline (tests, tools)."""
        return cls(
            Pipeline(Settings(project, cache=cache, jobs=jobs, live=True)), out, formats, lang
        )

    @property
    def project(self) -> Path:
        return self.pipeline.settings.root

    @property
    def jobs(self) -> int:
        return self.pipeline.settings.jobs

    @property
    def patched(self) -> set[str] | None:
        return self.pipeline.patched

    def rebuild(
        self,
        changed: Collection[Path] | None = None,
        superseded: Callable[[], bool] = lambda: False,
    ) -> tuple[bool, list[str], list[str]]:
        """One build after a save of `changed` (None: the first); returns (ok, diagnostic
        lines, changed output paths). Once the edited journeys' pages are written, the rest
        of the build gives way when `superseded()` says a newer save is waiting (see
        _render)."""
        with self.lock:
            return self._rebuild(changed, superseded)

    def downloads(self) -> dict[str, Callable[[], bytes | None]]:
        """The files made when asked for, by their path under OUT (for the server)."""
        return {
            ON_DEMAND[fmt]: (lambda fmt=fmt: self.download(fmt)) for fmt in sorted(self.on_demand)
        }

    def download(self, fmt: str) -> bytes | None:
        """The file of an on-demand format, made from the last good build (once per build);
        None before a good build. A missing library raises its EnvironmentFailure."""
        with self.lock:
            if self.last is None or fmt not in self.on_demand:
                return None
            key = (self.state.version, fmt)
            if key not in self.made:
                graph, options = self.last
                wanted = dataclasses.replace(options, formats=frozenset({fmt}))
                files: dict[str, bytes] = {}
                for b in BUILDERS:
                    if b.wanted(wanted) and b.name != "leads":
                        files.update(b.render(graph, wanted, ALL, Tools(self.jobs)))
                self.made = {key: files.get(ON_DEMAND[fmt])}
            return self.made[key]

    def _rebuild(
        self, changed: Collection[Path] | None, superseded: Callable[[], bool]
    ) -> tuple[bool, list[str], list[str]]:
        rendered, self.rendered = self.rendered, None  # kept only once this build lands
        compiled = self.pipeline.compiled(changed)
        errors, warnings = split(compiled.diagnostics)
        lines = [d.render() for d in (*errors, *warnings)]
        if compiled.graph is None or errors:
            self.state.update(errors=[d.to_json() for d in errors])
            self.rendered = rendered
            return False, lines, []
        options = RenderOptions(
            self.lang or compiled.graph.graph["language"],
            self.formats,
            shown_as=compiled.project.shown_as,
            paper=self.paper,
            show_empty_rows=self.show_empty_rows,
            warnings=page_warnings(warnings),
            diagnostics=tuple(compiled.diagnostics),
            on_demand=self.on_demand,
        )
        try:
            written = self._render(compiled, options, rendered, superseded)
        except EnvironmentFailure as exc:  # a tool failed (Graphviz): say so, keep serving
            message = printable(f"{exc} ({exc.fix})" if exc.fix else str(exc))
            failure = {"severity": "error", "code": "tool-failed", "message": message}
            self.state.update(errors=[failure])
            self.rendered = rendered
            return False, [*lines, f"journey serve: {message}"], []
        changed, late = written
        self.last = (compiled.graph, options)
        self.state.update(errors=[], written=late, built=True, new_output=bool(changed))
        return True, lines, changed

    def _render(
        self,
        compiled: Compiled,
        options: RenderOptions,
        rendered: Rendered | None,
        superseded: Callable[[], bool],
    ) -> tuple[list[str], list[str]]:
        """Render what this build needs and write what changed: the changed paths, and
        those written after the edited journeys' pages.

        The edited journeys' pages are written first and the pages told at once (the
        compile succeeded, so its errors are gone); the rest of the build waits until
        their open pages fetched them (at most PAGE_GRACE seconds), so that the change is
        on screen before the rest is rendered.

        When a newer save is waiting, the rest gives way between two builders: the files of
        the last good build are kept, and the next build renders this one's journeys with
        its own (`unfinished`), so no save waits for the rest of the previous one.
        """
        assert compiled.graph is not None
        journeys = frozenset(j.model.id for j in compiled.project.journeys)
        still = journeys & (self.patched or set())
        first = render_journey_pages(compiled.graph, options, still, self.env)
        early = update_files(self.project, self.out, first) if first else []
        if early:
            self.state.update(errors=[], written=early)
            self.state.await_pages(early, PAGE_GRACE)
        scoped = self.patched is not None and rendered is not None
        scoped = scoped and rendered is not None and rendered[0] == (journeys, options)
        try:
            if scoped and rendered is not None:
                refs = (still | self.unfinished) & journeys
                files = {
                    **rendered[1],
                    **render_scoped(
                        compiled.graph, options, self.jobs, self.images, refs, self.env, superseded
                    ),
                }
            else:
                files = build_files(
                    compiled.graph,
                    options,
                    ALL,
                    self.jobs,
                    memo=self.images,
                    env=self.env,
                    superseded=superseded,
                )
        except Superseded:  # a full build given up leaves the next one full as well
            self.unfinished |= still
            self.rendered = rendered if scoped else None
            return early, []
        self.unfinished = set()
        late = update_output(self.project, self.out, files)
        self.rendered = ((journeys, options), files)
        if not self.warm and journeys:  # the page templates compiled now, not at a save
            render_journey_pages(compiled.graph, options, [min(journeys)], self.env)
            self.warm = True
        return sorted({*early, *late}), sorted(set(late) - set(early))
