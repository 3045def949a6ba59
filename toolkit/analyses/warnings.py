"""Analyses on the compiled graph: content coverage and the map's weak spots (warnings)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from toolkit.common.diagnostics import Diagnostic, Location, warning
from toolkit.graph.build import forget, memoised, nid, nodes_of

PUBLISHED = "published"
PIPELINE_STATUSES = ("draft", "planned")  # would cover a step once published


@dataclass(frozen=True)
class StepCoverage:
    step: str  # node id
    journey: str
    stage: str
    segment: str | None
    items: tuple[str, ...]  # published content ids covering the step, sorted
    pipeline: tuple[str, ...]  # draft/planned content ids that would cover it, sorted
    # Facts found on the way, for the warnings (not part of a coverage's identity):
    actions: int = field(default=0, compare=False)  # seller actions at the step
    named: frozenset[str] = field(default=frozenset(), compare=False)  # content they name

    @property
    def count(self) -> int:
        return len(self.items)


def flags_of(has_actions: bool, coverage: StepCoverage) -> tuple[str, ...]:
    """The warning codes of one step, from whether it has seller actions and its coverage:
    seller-absent and/or content-gap, in that order."""
    absent = ("seller-absent",) if not has_actions else ()
    return absent + (("content-gap",) if coverage.count == 0 else ())


class ContentTarget(NamedTuple):
    """What a content item targets (a tuple: thousands are made per analysis)."""

    id: str
    status: str | None
    stages: frozenset[str]
    segments: frozenset[str] | None  # None = all segments


def content_items(g: nx.MultiDiGraph) -> list[ContentTarget]:
    """What each content item targets (the node attributes behind the targets_* edges)."""
    return [
        ContentTarget(
            d["ref"],
            d.get("status"),
            frozenset(d.get("stages") or ()),
            None if d.get("segments") is None else frozenset(d["segments"]),
        )
        for _, d in nodes_of(g, "content")
    ]


def item_matches(item: ContentTarget, stage: str, segment: str | None) -> bool:
    if stage not in item.stages:
        return False
    return item.segments is None or (segment is not None and segment in item.segments)


def step_actions(g: nx.MultiDiGraph, step: str) -> list[str]:
    """Action node ids at a step, in source order."""
    acts = [u for u, keys in g.pred[step].items() if "action_at" in keys]
    return sorted(acts, key=lambda a: g.nodes[a]["index"])


def _named(g: nx.MultiDiGraph, actions: list[str]) -> set[str]:
    # Edge keys are the edge types (toolkit.graph.build), so a "uses" edge is found by its key.
    return {g.nodes[v]["ref"] for a in actions for v, keys in g.succ[a].items() if "uses" in keys}


def targeting(items: list[ContentTarget]) -> dict[tuple[str, str | None], set[str]]:
    """Item ids by (stage, segment) they target; segment None = items for all segments."""
    index: dict[tuple[str, str | None], set[str]] = {}
    for item in items:
        for stage in item.stages:
            for seg in (None,) if item.segments is None else item.segments:
                index.setdefault((stage, seg), set()).add(item.id)
    return index


def step_coverage(g: nx.MultiDiGraph) -> list[StepCoverage]:
    """Coverage of every journey step, as docs/FORMAT.md defines it (worked out once per graph)."""
    return list(memoised(g, "step_coverage", _step_coverage))


# Memo keys: what depends on the content alone survives a patch of the journeys
# (toolkit.graph.increments); the coverage of each journey's steps is kept per journey.
CONTENT_MEMOS = ("content_items", "coverage_targets", "coverage_shared")
BY_JOURNEY = "coverage_by_journey"

Targets = tuple[dict[str, str | None], dict[tuple[str, str | None], set[str]]]


def content_targets(g: nx.MultiDiGraph) -> Targets:
    """(status by item id, targeting index), worked out once per graph."""
    return memoised(g, "coverage_targets", _targets)


def _targets(g: nx.MultiDiGraph) -> Targets:
    items = memoised(g, "content_items", content_items)
    return {i.id: i.status for i in items}, targeting(items)


def _step_coverage(g: nx.MultiDiGraph) -> tuple[StepCoverage, ...]:
    by_journey: dict[str, tuple[StepCoverage, ...]] = memoised(g, BY_JOURNEY, lambda _: {})
    steps: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for node, data in nodes_of(g, "step"):
        steps.setdefault(data["journey"], []).append((node, data))
    out: list[StepCoverage] = []
    for journey, its_steps in steps.items():
        if journey not in by_journey:
            by_journey[journey] = tuple(_journey_coverage(g, its_steps))
        out.extend(by_journey[journey])
    return tuple(out)


def forget_journeys(g: nx.MultiDiGraph, journeys: Iterable[str]) -> None:
    """After journeys were patched: drop their coverage and what is computed from all steps."""
    by_journey = memoised(g, BY_JOURNEY, lambda _: {})
    for journey in journeys:
        by_journey.pop(journey, None)
    forget(g, keep=(*CONTENT_MEMOS, BY_JOURNEY))


def _journey_coverage(
    g: nx.MultiDiGraph, steps: list[tuple[str, dict[str, Any]]]
) -> Iterable[StepCoverage]:
    status, index = content_targets(g)
    # Steps share their targeted items with every step of the same stage and segment; only
    # the items their actions name differ. So sort each (stage, segment) set once.
    shared: dict[tuple[str, str | None], tuple[frozenset[str], Split]]
    shared = memoised(g, "coverage_shared", lambda _: {})
    for node, data in steps:
        segment = g.nodes[nid("journey", data["journey"])]["segment"]
        key = (data["stage"], segment)
        if key not in shared:
            matching = index.get((data["stage"], None), set())
            if segment is not None:
                matching = matching | index.get(key, set())
            shared[key] = (frozenset(matching), split_by_status(matching, status))
        matching, (published, pipeline) = shared[key]
        actions = step_actions(g, node)
        named = _named(g, actions)
        extra = named - matching
        if extra:
            more, more_pipeline = split_by_status(extra, status)
            published = merge_sorted(published, more)
            pipeline = merge_sorted(pipeline, more_pipeline)
        yield StepCoverage(
            step=node,
            journey=data["journey"],
            stage=data["stage"],
            segment=segment,
            items=published,
            pipeline=pipeline,
            actions=len(actions),
            named=frozenset(named),
        )


Split = tuple[tuple[str, ...], tuple[str, ...]]


def merge_sorted(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """Two sorted tuples of distinct ids as one sorted tuple."""
    return tuple(sorted(a + b)) if a and b else a or b


def split_by_status(ids: Iterable[str], status: dict[str, str | None]) -> Split:
    """(published ids, draft/planned ids), each sorted."""
    ordered = sorted(ids)
    return (
        tuple(c for c in ordered if status.get(c) == PUBLISHED),
        tuple(c for c in ordered if status.get(c) in PIPELINE_STATUSES),
    )


def _loc(data: dict[str, Any]) -> Location:
    return Location(data["file"], data["line"], data["column"])


def graph_warnings(g: nx.MultiDiGraph) -> list[Diagnostic]:
    """seller-absent, content-gap, orphan-content and unserved-stage warnings."""
    out: list[Diagnostic] = []
    coverage = step_coverage(g)
    for cov in coverage:
        if not cov.actions:
            out.append(
                warning(
                    "seller-absent",
                    f"step '{cov.stage}' of journey '{cov.journey}' has no seller action",
                    _loc(g.nodes[cov.step]),
                    "add 'actions:' or accept that the buyer is alone here",
                )
            )
    for cov in coverage:
        if cov.count == 0:
            data = g.nodes[cov.step]
            pipe = f"in the pipeline: {', '.join(cov.pipeline)}" if cov.pipeline else ""
            out.append(
                warning(
                    "content-gap",
                    f"step '{cov.stage}' of journey '{cov.journey}' has no published content",
                    _loc(data),
                    pipe or "publish an item that targets this stage and segment",
                )
            )
    out.extend(_orphans(g, coverage))
    for data in unserved_stages(g):
        out.append(
            warning(
                "unserved-stage",
                f"no funnel stage serves customer stage '{data['ref']}'",
                _loc(data),
                "add it to a funnel stage's 'serves:'",
            )
        )
    return out


def unserved_stages(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The customer stages no funnel stage serves (`unserved-stage`), in source order."""
    return [
        data
        for node, data in nodes_of(g, "stage")
        if not any(d["type"] == "serves" for _, _, d in g.in_edges(node, data=True))
    ]


def orphan_items(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The content items that serve no journey step (`orphan-content`), in source order:
    not retired, named by no action, and targeting no stage and segment a journey has."""
    coverage = step_coverage(g)
    steps = {(cov.stage, cov.segment) for cov in coverage}
    stages_with_steps = {stage for stage, _ in steps}
    named = set().union(*(cov.named for cov in coverage))
    out = []
    items = memoised(g, "content_items", content_items)
    for item, (_, data) in zip(items, nodes_of(g, "content"), strict=True):
        if item.status == "retired" or item.id in named:
            continue
        if item.segments is None and item.stages & stages_with_steps:
            continue
        if any((stage, seg) in steps for stage in item.stages for seg in item.segments or ()):
            continue
        out.append(data)
    return out


def _orphans(g: nx.MultiDiGraph, coverage: list[StepCoverage]) -> list[Diagnostic]:
    del coverage  # orphan_items works it out (memoised) from the same graph
    return [
        warning(
            "orphan-content",
            f"content item '{data['ref']}' serves no journey step",
            _loc(data),
            "target a stage and segment that a journey has, name it in an action, or retire it",
        )
        for data in orphan_items(g)
    ]
