"""What every HTML page builder needs, worked out once per render rather than once per page.

A build renders one journey page per journey plus the index and compare pages; each of them
reads the same per-graph facts (a journey's steps, a step's actions and flags, the labels of
stages and roles, the source order of content). toolkit.render.html_context.make_facts
builds a Facts with these lookups, so page builders read dicts instead of walking networkx
views again for every page; what is per step or per content item is worked out on first use
(Lazy), so rewriting a single page stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import networkx as nx

from toolkit.analyses.warnings import StepCoverage
from toolkit.common.i18n import Catalog
from toolkit.graph.build import nodes_of
from toolkit.render.common import journey_steps, label_of, text

Node = tuple[str, dict[str, Any]]
Listed = tuple[list[tuple[str, bool]], int]  # (content id, is pipeline) entries, count not shown
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Node types whose display labels pages show over and over (columns, lanes, cards, links).
LABELLED = ("stage", "funnel_stage", "role", "lead_class", "segment", "persona", "journey")


class Lazy(Generic[K, V]):
    """key -> make(key), worked out on the first lookup of the key and kept (for one render).

    For what pages look up per step or per content item: a build asks for all of it, many
    times over, while `journey serve` rewriting one journey's page asks for a few keys only.
    """

    def __init__(self, make: Callable[[K], V]) -> None:
        self._make = make
        self._known: dict[K, V] = {}

    def __getitem__(self, key: K) -> V:
        known = self._known
        if key not in known:
            known[key] = self._make(key)
        return known[key]


@dataclass(frozen=True)
class Facts:
    """What every page builder needs, computed once per render."""

    g: nx.MultiDiGraph
    lang: str
    formats: frozenset[str]
    t: Catalog  # the UI language's catalog (toolkit.common.i18n.translations)
    stages: tuple[Node, ...]
    coverage: dict[str, StepCoverage]
    leads: dict[str, str]  # step node -> lead volume text (build --leads), else empty
    steps: dict[str, list[Node]]  # journey ref -> its steps in stage order
    names: dict[str, str]  # node -> display label, for the LABELLED node types
    diagrams: dict[str, str]  # journey ref -> its diagram's DOT path (dot.journey_diagram_paths)
    actions: Lazy[str, list[dict[str, Any]]]  # step node -> common.actions_at
    flags: Lazy[str, tuple[str, ...]]  # step node -> its common.step_flags codes
    content_order: dict[str, int]  # content id -> position in source order (content_order)
    content_ids: list[str]  # content ids by position, list(content_order)
    content: Lazy[str, dict[str, str]]  # content id -> how a content cell shows it


def steps_by_journey(g: nx.MultiDiGraph, journeys: Iterable[str]) -> dict[str, list[Node]]:
    """Each journey's step nodes in stage order (common.journey_steps, once per journey)."""
    return {ref: journey_steps(g, ref) for ref in journeys}


def node_names(g: nx.MultiDiGraph, lang: str) -> dict[str, str]:
    """Display labels of the LABELLED nodes in the output language (html_context.name_of)."""
    return {
        node: text(label_of(data, lang)) for kind in LABELLED for node, data in nodes_of(g, kind)
    }


def content_order(g: nx.MultiDiGraph) -> dict[str, int]:
    """Content item id -> position among the content nodes (source order)."""
    return {d["ref"]: i for i, (_, d) in enumerate(nodes_of(g, "content"))}


MAX_CONTENT_PER_CELL = 12


def cell_content(live: list[str], pipe: list[str]) -> Listed:
    """What a content cell lists: live items, then pipeline, as (id, is pipeline).

    At most MAX_CONTENT_PER_CELL entries; the rest is counted (coverage.html lists them all).
    """
    both = [(c, False) for c in live] + [(c, True) for c in pipe]
    return both[:MAX_CONTENT_PER_CELL], max(0, len(both) - MAX_CONTENT_PER_CELL)


def listed_content(cov: StepCoverage, order: Mapping[str, int], ids: list[str]) -> Listed:
    """cell_content of a step: its published items, then its pipeline, in source order.

    order is content_order(g) and ids list(order). Only the first MAX_CONTENT_PER_CELL of
    either can show, so positions are sorted (as numbers), not ids by position; the rest is
    counted.
    """
    shown, _ = cell_content(first(cov.items, order, ids), first(cov.pipeline, order, ids))
    return shown, max(0, len(cov.items) + len(cov.pipeline) - MAX_CONTENT_PER_CELL)


def first(items: Iterable[str], order: Mapping[str, int], ids: list[str]) -> list[str]:
    """The first MAX_CONTENT_PER_CELL of items in source order."""
    return [ids[i] for i in sorted(map(order.__getitem__, items))[:MAX_CONTENT_PER_CELL]]
