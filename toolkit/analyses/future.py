"""Current and future states: which journeys pair up, and what changes per customer stage.

A future-state journey names its current journey with `future_of` (docs/FORMAT.md,
extension 6). Per customer stage, the delta says how the emotion moves, which seller actions
and which content the actions name are added or removed, and which gaps close or open. A
gap is the toolkit's existing notion: a step with no seller action (`seller-absent`) or no
published coverage (`content-gap`), exactly as the warnings find them.

Actions are matched as `journey diff` matches them (toolkit.analyses.diff: by role, then by
action text); pure functions over the compiled graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from toolkit.analyses.coverage import stage_ids
from toolkit.analyses.diff import actions_by_role, diff_actions
from toolkit.analyses.warnings import StepCoverage, flags_of, step_coverage
from toolkit.graph.build import journey_state, nodes_of

GAP_CODES = ("seller-absent", "content-gap")


@dataclass(frozen=True)
class FuturePair:
    current: str  # journey id
    future: str  # journey id


@dataclass(frozen=True)
class ActionChange:
    role: str
    action: str


@dataclass(frozen=True)
class StageDelta:
    """One customer stage of a current/future pair (a side without a step there is None)."""

    stage: str
    current: str | None  # step node id
    future: str | None
    emotion_before: int | None
    emotion_after: int | None
    actions_added: tuple[ActionChange, ...]
    actions_removed: tuple[ActionChange, ...]
    content_added: tuple[str, ...]  # ids the future step's actions name and the current's not
    content_removed: tuple[str, ...]
    gaps_closed: tuple[str, ...]  # GAP_CODES the current step has and the future step not
    gaps_opened: tuple[str, ...]

    @property
    def emotion_change(self) -> int | None:
        """After minus before; None unless both steps have an emotion."""
        if self.emotion_before is None or self.emotion_after is None:
            return None
        return self.emotion_after - self.emotion_before

    @property
    def unchanged(self) -> bool:
        return not (
            self.emotion_change
            or self.actions_added
            or self.actions_removed
            or self.content_added
            or self.content_removed
            or self.gaps_closed
            or self.gaps_opened
            or (self.current is None) != (self.future is None)
        )


def future_pairs(g: nx.MultiDiGraph) -> list[FuturePair]:
    """(current, future) journey pairs, in the source order of the future journeys.

    A future journey without `future_of` pairs with nothing; validation made sure every
    `future_of` names a current journey of the same persona or segment."""
    return [
        FuturePair(d["future_of"], d["ref"])
        for _, d in nodes_of(g, "journey")
        if journey_state(d) == "future" and d.get("future_of")
    ]


def step_gaps(cov: StepCoverage | None) -> frozenset[str]:
    """The gap codes of one step (none for a stage the journey skips)."""
    return frozenset(flags_of(cov.actions > 0, cov)) if cov is not None else frozenset()


def _ordered(codes: frozenset[str]) -> tuple[str, ...]:
    return tuple(c for c in GAP_CODES if c in codes)


def stage_deltas(g: nx.MultiDiGraph, pair: FuturePair) -> list[StageDelta]:
    """One delta per customer stage (stage order) where either journey has a step."""
    coverage = {(c.journey, c.stage): c for c in step_coverage(g)}
    grouped = actions_by_role(g)
    changes = diff_actions(
        {k[1:]: v for k, v in grouped.items() if k[0] == pair.current},
        {k[1:]: v for k, v in grouped.items() if k[0] == pair.future},
    )
    stages = stage_ids(g)
    out = []
    for stage in stages:
        before = coverage.get((pair.current, stage))
        after = coverage.get((pair.future, stage))
        if before is None and after is None:
            continue
        moved: dict[str, list[ActionChange]] = {"added": [], "removed": []}
        for change in changes:
            where, _, _ = change.id.partition("#")
            at, role = where.split("/", 1)
            if at == stage and change.change in moved:
                moved[change.change].append(ActionChange(role, str(change.label)))
        named = (before.named if before else frozenset(), after.named if after else frozenset())
        gaps = step_gaps(before), step_gaps(after)
        out.append(
            StageDelta(
                stage=stage,
                current=before.step if before else None,
                future=after.step if after else None,
                emotion_before=_emotion(g, before),
                emotion_after=_emotion(g, after),
                actions_added=tuple(moved["added"]),
                actions_removed=tuple(moved["removed"]),
                content_added=tuple(sorted(named[1] - named[0])),
                content_removed=tuple(sorted(named[0] - named[1])),
                gaps_closed=_ordered(gaps[0] - gaps[1]),
                gaps_opened=_ordered(gaps[1] - gaps[0]),
            )
        )
    return out


def _emotion(g: nx.MultiDiGraph, cov: StepCoverage | None) -> int | None:
    if cov is None:
        return None
    value = g.nodes[cov.step].get("emotion")
    return None if value is None else int(value)
