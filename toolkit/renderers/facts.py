"""What every HTML page builder needs, worked out once per render rather than once per page.

A build renders one journey page per journey plus the index and compare pages; each of them
reads the same per-graph facts (a journey's steps, a step's actions and flags, the labels of
stages and roles, the source order of content). toolkit.renderers.html_context.make_facts
builds a Facts with these lookups, so page builders read dicts instead of walking networkx
views again for every page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.analyses import StepCoverage, step_actions
from toolkit.graph import nodes_of
from toolkit.renderers.common import flags_of, journey_steps, label_of, text

Node = tuple[str, dict[str, Any]]
Listed = tuple[list[tuple[str, bool]], int]  # (content id, is pipeline) entries, count not shown

# Node types whose display labels pages show over and over (columns, lanes, cards, links).
LABELLED = ("stage", "funnel_stage", "role", "lead_class", "segment", "persona", "journey")


@dataclass(frozen=True)
class Facts:
    """What every page builder needs, computed once per render."""

    g: nx.MultiDiGraph
    lang: str
    formats: frozenset[str]
    ui: dict[str, str]
    stages: tuple[Node, ...]
    flags: dict[str, tuple[str, ...]]
    coverage: dict[str, StepCoverage]
    leads: dict[str, str]  # step node -> lead volume text (build --leads), else empty
    steps: dict[str, list[Node]]  # journey ref -> its steps in stage order
    actions: dict[str, list[dict[str, Any]]]  # step node -> its actions' data, source order
    names: dict[str, str]  # node -> display label, for the LABELLED node types
    listed: dict[str, Listed]  # step node -> what its content cell lists (cell_content)
    content: dict[str, dict[str, str]]  # content id -> how it shows, for every listed item
    diagrams: dict[str, str]  # journey ref -> its diagram's DOT path (dot.journey_diagram_paths)


def steps_by_journey(g: nx.MultiDiGraph, journeys: Iterable[str]) -> dict[str, list[Node]]:
    """Each journey's step nodes in stage order (common.journey_steps, once per journey)."""
    return {ref: journey_steps(g, ref) for ref in journeys}


def actions_by_step(g: nx.MultiDiGraph, steps: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each step's action node data in source order (common.actions_at, once per step)."""
    nodes = g.nodes
    return {step: [nodes[a] for a in step_actions(g, step)] for step in steps}


def step_flags_from(
    actions: Mapping[str, list[dict[str, Any]]], coverage: Mapping[str, StepCoverage]
) -> dict[str, tuple[str, ...]]:
    """common.step_flags, from lookups already at hand."""
    return {step: flags_of(bool(acts), coverage[step]) for step, acts in actions.items()}


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


def listed_content(
    coverage: Mapping[str, StepCoverage], order: Mapping[str, int]
) -> dict[str, Listed]:
    """cell_content of every step: its published items, then its pipeline, in source order.

    order is content_order(g). Only the first MAX_CONTENT_PER_CELL of either can show, so
    positions are sorted (as numbers) rather than ids by position; the rest is counted.
    """
    ids = list(order)  # content ids by position
    out = {}
    for step, c in coverage.items():
        shown, _ = cell_content(first(c.items, order, ids), first(c.pipeline, order, ids))
        out[step] = (shown, max(0, len(c.items) + len(c.pipeline) - MAX_CONTENT_PER_CELL))
    return out


def first(items: Iterable[str], order: Mapping[str, int], ids: list[str]) -> list[str]:
    """The first MAX_CONTENT_PER_CELL of items in source order; ids is list(order)."""
    return [ids[i] for i in sorted(map(order.__getitem__, items))[:MAX_CONTENT_PER_CELL]]


def listed_ids(listed: Mapping[str, Listed]) -> list[str]:
    """Every content id some cell lists, once each, in first-listed order."""
    return list(dict.fromkeys(ident for shown, _ in listed.values() for ident, _ in shown))
