"""Helpers shared by the renderers: labels in the output language, safe URLs, ordering.

The label helpers (pick, label_of, strip_controls) live in toolkit.common.labels and model
order (ordered) in toolkit.analyses.order, for the modules outside render; they are named
here too for the renderers. The toolkit's own words come from gettext catalogs:
toolkit.common.i18n."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import networkx as nx

from toolkit.analyses.order import ordered as ordered
from toolkit.analyses.warnings import StepCoverage, step_actions, step_coverage
from toolkit.analyses.warnings import flags_of as flags_of
from toolkit.common.diagnostics import Diagnostic
from toolkit.common.labels import CONTROL as CONTROL
from toolkit.common.labels import label_of as label_of
from toolkit.common.labels import pick as pick
from toolkit.common.labels import strip_controls as strip_controls
from toolkit.graph.build import nid, nodes_of
from toolkit.render.overlay import LeadOverlay

Edge = tuple[str, str, Any, dict[str, Any]]  # (u, v, key, data), as dot_syntax.Edge

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class RenderOptions:
    lang: str
    formats: frozenset[str] = field(default_factory=frozenset)
    # Lead volumes from `journey build --leads` (toolkit.render.overlay.overlay()).
    overlay: LeadOverlay | None = field(default=None, compare=False, hash=False)
    # How diagnostics name the project folder (Project.shown_as): outputs name source files
    # relative to the project instead, never by a path of the author's machine.
    shown_as: str = ""
    # Print size of the journey maps' print CSS (`build --paper a3|a4`).
    paper: str = "a3"
    # Keep rows that are empty in every stage (`build --show-empty-rows`); left out otherwise.
    show_empty_rows: bool = False
    # The check's warnings that pages show but the graph does not keep (empty-file,
    # unknown-language, unpersonified-role): toolkit.render.notices.page_warnings.
    warnings: tuple[Diagnostic, ...] = ()
    # The check's diagnostics, for the report's appendix of warnings (`--format report`).
    diagnostics: tuple[Diagnostic, ...] = field(default=(), compare=False, hash=False)
    # Formats `journey serve` makes when asked for (report, pptx): pages link their files,
    # which the build itself does not write.
    on_demand: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=65536)
def safe_url(url: str | None) -> str | None:
    """The URL when its scheme is http, https or mailto; None otherwise (javascript:, data:...).

    Cached: a content item's link is written in every cell that lists the item.
    """
    if not url:
        return None
    cleaned = CONTROL.sub("", url).strip()
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return None
    return cleaned if scheme in SAFE_SCHEMES and not any(c.isspace() for c in cleaned) else None


def text(value: Any) -> str:
    """Text for display: '' for None, C0 control characters removed."""
    return "" if value is None else strip_controls(str(value))


def emotion_score(emotion: int | None) -> int:
    """Emotion -2..2 as a 1..5 score (missing emotion is neutral, 3)."""
    return 3 if emotion is None else max(1, min(5, int(emotion) + 3))


def journey_steps(g: nx.MultiDiGraph, journey_id: str) -> list[tuple[str, dict[str, Any]]]:
    """A journey's step nodes in stage order."""
    steps = [
        (u, g.nodes[u])
        for u, _, d in g.in_edges(nid("journey", journey_id), data=True)
        if d["type"] == "step_of"
    ]
    return sorted(steps, key=lambda nd: nd[1]["order"])


def actions_at(g: nx.MultiDiGraph, step: str) -> list[dict[str, Any]]:
    return [g.nodes[a] for a in step_actions(g, step)]


def coverage_by_step(g: nx.MultiDiGraph) -> dict[str, StepCoverage]:
    return {c.step: c for c in step_coverage(g)}


def step_flags(g: nx.MultiDiGraph) -> dict[str, tuple[str, ...]]:
    """Warning codes marked on each step node: seller-absent and/or content-gap."""
    return {cov.step: flags_of(cov.actions > 0, cov) for cov in step_coverage(g)}


def handoffs(g: nx.MultiDiGraph, found: Iterable[Edge] | None = None) -> list[Edge]:
    """The funnel's role-to-role handoffs (docs/GRAPH.md `handoff` edges: an owner of a funnel
    stage to each owner of the next stage who does not own the first), as (from role, to role,
    key, data) in funnel order. `found`: the handoff edges when the caller has them already.

    The funnel diagram (toolkit.render.dot) draws these; the journey map marks the same ones.
    """
    if found is None:  # handoff edges run from role to role: only the roles' edges are read
        found = (
            e
            for role, _ in nodes_of(g, "role")
            for e in g.out_edges(role, keys=True, data=True)
            if e[3]["type"] == "handoff"
        )
    order = {n: d["order"] for n, d in ordered(g, "funnel_stage")}
    return sorted(
        found,
        key=lambda e: (order.get(nid("funnel_stage", e[3]["from_stage"]), 0), e[2], e[0], e[1]),
    )
