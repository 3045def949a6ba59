"""Lead overlay data: the counts of a lead judgment, as typed input to the renderers.

`overlay(graph, summary)` turns the graph and the summary of toolkit.leads.judge.judge into a
LeadOverlay, which `journey build --leads` carries in RenderOptions.overlay. The diagrams
(funnel volumes and conversions), the journey map (step badges) and the leads page
(toolkit.render.leads_overlay) read it; `LeadOverlay.to_json()` is the plain data of
`data/leads-overlay.json` (documented in docs/QUALIFICATION.md, "Overlay"):

    {
      "as_of": "2026-06-29 12:30:00" | null,
      "total": 16,                                  # judged leads
      "segments": ["ma-adopted", "no-ma"],
      "stages": {stage_id: {"count": n, "by_segment": {segment: n}}},       # customer stages
      "steps": {step_node_id: {"journey", "stage", "segment", "count"}},    # journey map cells
      "funnel_stages": {funnel_stage_id: {"lead_class": id | null, "count": n | null,
                                          "reached": n | null}},
      "transitions": [{"from_stage", "to_stage", "from_class", "to_class", "from_reached",
                       "to_reached", "rate": float | null, "handoff": bool,
                       "from_roles": [...], "to_roles": [...]}],   # consecutive funnel stages
      "uncovered": {stage_id: {segment: n}},    # prospects with no content at their stage
      "lead_classes": [{"id", "count": n, "reached": n}],  # judged classes, shallow first
      "handoff": {"prospects": n, "ready": n,   # prospects with all seven fields known
                  "missing_by_field": {field: n},           # the seven fields, in order
                  "by_segment": {segment: {"prospects", "ready", "missing_by_field"}}}
                 | null                         # a summary without it (older judgments)
    }

A funnel stage's `count` is the number of leads whose lead class is the stage's
`lead_class`; `reached` counts those at that class or deeper. The conversion of a step from
funnel stage A to B is reached(B's class) / reached(A's class); null when either stage has no
lead class the rules judge. `handoff` is true where the owners change (a handoff edge).

`lead_count_text`, `stage_badges`, `step_badges`, `funnel_volumes` and `transition_labels`
give the short display strings of the HTML and diagram renderers. This module sits below
them all and imports no renderer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypedDict

import networkx as nx

from toolkit.analyses.order import ordered
from toolkit.common.i18n import translations
from toolkit.graph.build import nid, nodes_of

NO_SEGMENT = "(none)"


class StageVolume(TypedDict):
    count: int
    by_segment: dict[str, int]


class StepVolume(TypedDict):
    journey: str
    stage: str
    segment: str
    count: int


class FunnelVolume(TypedDict):
    lead_class: str | None
    count: int | None
    reached: int | None


class ClassVolume(TypedDict):
    id: str
    count: int
    reached: int


class HandoffCounts(TypedDict):
    prospects: int
    ready: int
    missing_by_field: dict[str, int]


class HandoffVolume(HandoffCounts):
    by_segment: dict[str, HandoffCounts]


class Transition(TypedDict):
    from_stage: str
    to_stage: str
    from_class: str | None
    to_class: str | None
    from_reached: int | None
    to_reached: int | None
    rate: float | None
    handoff: bool
    from_roles: list[str]
    to_roles: list[str]


@dataclass(frozen=True)
class LeadOverlay:
    """Lead volumes per stage, step and funnel stage, and conversion per funnel transition."""

    as_of: str | None
    total: int
    segments: list[str] = field(default_factory=list)
    stages: dict[str, StageVolume] = field(default_factory=dict)
    steps: dict[str, StepVolume] = field(default_factory=dict)
    funnel_stages: dict[str, FunnelVolume] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)
    uncovered: dict[str, dict[str, int]] = field(default_factory=dict)
    lead_classes: list[ClassVolume] = field(default_factory=list)
    handoff: HandoffVolume | None = None

    def to_json(self) -> dict[str, Any]:
        """The plain data of data/leads-overlay.json."""
        return {
            "as_of": self.as_of,
            "total": self.total,
            "segments": self.segments,
            "stages": self.stages,
            "steps": self.steps,
            "funnel_stages": self.funnel_stages,
            "transitions": self.transitions,
            "uncovered": self.uncovered,
            "lead_classes": self.lead_classes,
            "handoff": self.handoff,
        }


def overlay(graph: nx.MultiDiGraph, summary: dict[str, Any]) -> LeadOverlay:
    """Per-stage volumes and per-transition conversion of a judgment's summary."""
    stages: dict[str, StageVolume] = {
        s["id"]: {"count": s["count"], "by_segment": dict(s["by_segment"])}
        for s in summary["stages"]
    }
    classes = {c["id"]: c for c in summary["lead_classes"]}
    funnel: dict[str, FunnelVolume] = {}
    fs_nodes = ordered(graph, "funnel_stage")
    for _, data in fs_nodes:
        lc = data.get("lead_class")
        known = classes.get(lc) if lc else None
        funnel[data["ref"]] = {
            "lead_class": lc,
            "count": known["count"] if known else None,
            "reached": known["reached"] if known else None,
        }
    handoffs = {
        (d["from_stage"], d["to_stage"])
        for _, _, d in graph.edges(data=True)
        if d["type"] == "handoff"
    }
    transitions: list[Transition] = []
    for (_, a), (_, b) in pairwise(fs_nodes):
        fa, fb = funnel[a["ref"]], funnel[b["ref"]]
        rate = None
        if fa["reached"] and fb["reached"] is not None and fa["lead_class"] != fb["lead_class"]:
            rate = round(fb["reached"] / fa["reached"], 4)
        transitions.append(
            {
                "from_stage": a["ref"],
                "to_stage": b["ref"],
                "from_class": fa["lead_class"],
                "to_class": fb["lead_class"],
                "from_reached": fa["reached"],
                "to_reached": fb["reached"],
                "rate": rate,
                "handoff": (a["ref"], b["ref"]) in handoffs,
                "from_roles": list(a["owners"]),
                "to_roles": list(b["owners"]),
            }
        )
    steps: dict[str, StepVolume] = {}
    for node, data in nodes_of(graph, "step"):
        segment = graph.nodes[nid("journey", data["journey"])].get("segment") or NO_SEGMENT
        by_seg = stages.get(data["stage"], {}).get("by_segment", {})
        steps[node] = {
            "journey": data["journey"],
            "stage": data["stage"],
            "segment": segment,
            "count": int(by_seg.get(segment, 0)),
        }
    uncovered: dict[str, dict[str, int]] = {}
    for gap in summary.get("uncovered", []):
        uncovered.setdefault(gap["stage"], {})[gap["segment"]] = gap["leads"]
    return LeadOverlay(
        as_of=summary.get("as_of"),
        total=summary["input"]["leads"]["judged"],
        segments=list(summary.get("segments", [])),
        stages=stages,
        steps=steps,
        funnel_stages=funnel,
        transitions=transitions,
        uncovered=uncovered,
        lead_classes=[
            {"id": c["id"], "count": c["count"], "reached": c["reached"]}
            for c in summary.get("lead_classes", [])
        ],
        handoff=_handoff(summary.get("handoff")),
    )


def _handoff(part: dict[str, Any] | None) -> HandoffVolume | None:
    if part is None:
        return None

    def counts(p: dict[str, Any]) -> HandoffCounts:
        return {
            "prospects": int(p["prospects"]),
            "ready": int(p["ready"]),
            "missing_by_field": {k: int(v) for k, v in p["missing_by_field"].items()},
        }

    total = counts(part)
    return {
        "prospects": total["prospects"],
        "ready": total["ready"],
        "missing_by_field": total["missing_by_field"],
        "by_segment": {s: counts(p) for s, p in part.get("by_segment", {}).items()},
    }


def lead_count_text(n: int, lang: str) -> str:
    """'12 leads' / '12件'."""
    return translations(lang).ngettext("%(n)s lead", "%(n)s leads", n) % {"n": f"{n:,}"}


def stage_badges(data: LeadOverlay, lang: str) -> dict[str, str]:
    """Customer stage id -> '12 leads' (all segments)."""
    return {sid: lead_count_text(s["count"], lang) for sid, s in data.stages.items()}


def step_badges(data: LeadOverlay, lang: str) -> dict[str, str]:
    """Journey step node id -> '5 leads' (the journey's segment at that stage)."""
    return {node: lead_count_text(s["count"], lang) for node, s in data.steps.items()}


def funnel_volumes(data: LeadOverlay, lang: str) -> dict[str, str]:
    """Funnel stage id -> lead volume text, for stages whose lead class has a count."""
    return {
        ref: lead_count_text(reached, lang)
        for ref, fs in data.funnel_stages.items()
        if (reached := fs.get("reached")) is not None
    }


def transition_labels(data: LeadOverlay) -> dict[tuple[str, str], str]:
    """(from funnel stage, to funnel stage) -> '7/11 = 63.6%' where a conversion is known."""
    out = {}
    for t in data.transitions:
        if t["rate"] is not None:
            out[(t["from_stage"], t["to_stage"])] = (
                f"{t['to_reached']:,}/{t['from_reached']:,} = {t['rate']:.1%}"
            )
    return out
