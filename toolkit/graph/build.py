"""Graph: compile a validated project into the journey graph (a networkx MultiDiGraph).

Every renderer and analysis reads this graph only. Node ids are ``<type>:<id>``; steps are
``step:<journey>/<stage>`` and actions ``action:<journey>/<stage>/<n>`` (n from 1). Node
attribute ``type`` names the node type and ``ref`` the entity's id in the YAML; edge attribute
``type`` names the edge type. All are listed in docs/GRAPH.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any, TypeVar

import networkx as nx

from toolkit.graph.journey_graph import JourneyGraph
from toolkit.model import models as m
from toolkit.model.project import Entry, Project

T = TypeVar("T")

NODE_TYPES = (
    "stage",
    "funnel_stage",
    "role",
    "lead_class",
    "segment",
    "persona",
    "journey",
    "step",
    "action",
    "content",
)


def nid(kind: str, *parts: str | int) -> str:
    return kind + ":" + "/".join(map(str, parts))


def _where(entry: Entry[Any], *sub: str | int, key: bool = False) -> dict[str, Any]:
    line, column = entry.doc.position((*entry.path, *sub), key=key)
    return {"file": entry.doc.file, "line": line, "column": column}


def _fields(model: m.Model, *drop: str) -> dict[str, Any]:
    data = model.model_dump(mode="json", by_alias=True, exclude={"kind", *drop})
    if "id" in data:  # node-link JSON uses "id" for the node id itself
        data["ref"] = data.pop("id")
    return data


def journey_segment(project: Project, journey: m.JourneyDoc) -> str | None:
    """The segment a journey belongs to: its own, or its persona's."""
    if journey.segment is not None:
        return journey.segment
    persona = next((p.model for p in project.personas if p.model.id == journey.persona), None)
    return persona.segment if persona else None


def ordered_steps(project: Project, journey: m.JourneyDoc) -> list[str]:
    """The journey's step stage ids in stage order."""
    order = [s.model.id for s in project.stages]
    return [s for s in order if s in journey.steps]


def compile_graph(project: Project) -> JourneyGraph:
    g = JourneyGraph()
    g.graph.update(_graph_meta(project))
    _add_stages(g, project)
    _add_funnel(g, project)
    _add_people(g, project)
    _add_content(g, project)
    # last, each journey's nodes together (toolkit.graph.increments)
    for journey in project.journeys:
        add_journey(g, project, journey)
    index_types(g)
    return g


def _graph_meta(project: Project) -> dict[str, Any]:
    meta = project.meta
    return {
        "title": meta.title if meta and meta.title is not None else None,
        "language": project.language,
        "client": meta.client if meta else None,
        "axes": [
            {"id": a.model.id, "label": a.model.label, "values": dict(a.model.values)}
            for a in project.axes
        ],
    }


def _edge(
    g: nx.MultiDiGraph, u: str, v: str, kind: str, key: str | None = None, **attrs: Any
) -> None:
    g.add_edge(u, v, key=key or kind, type=kind, **attrs)


def _add_stages(g: nx.MultiDiGraph, project: Project) -> None:
    for order, stage in enumerate(project.stages):
        g.add_node(
            nid("stage", stage.model.id),
            type="stage",
            order=order,
            **_fields(stage.model),
            **_where(stage, "id"),
        )
    for a, b in pairwise(project.stages):
        _edge(g, nid("stage", a.model.id), nid("stage", b.model.id), "stage_next")


def _add_funnel(g: nx.MultiDiGraph, project: Project) -> None:
    for role in project.roles:
        g.add_node(
            nid("role", role.model.id), type="role", **_fields(role.model), **_where(role, "id")
        )
    for order, lc in enumerate(project.lead_classes):
        g.add_node(
            nid("lead_class", lc.model.id),
            type="lead_class",
            order=order,
            **_fields(lc.model),
            **_where(lc, "id"),
        )
    for a, b in pairwise(project.lead_classes):
        _edge(g, nid("lead_class", a.model.id), nid("lead_class", b.model.id), "lead_class_next")
    for order, fs in enumerate(project.funnel_stages):
        node = nid("funnel_stage", fs.model.id)
        g.add_node(node, type="funnel_stage", order=order, **_fields(fs.model), **_where(fs, "id"))
        for owner in fs.model.owners:
            _edge(g, nid("role", owner), node, "owns")
        for stage in fs.model.serves:
            _edge(g, node, nid("stage", stage), "serves")
        if fs.model.lead_class is not None:
            _edge(g, node, nid("lead_class", fs.model.lead_class), "lead_class")
    for a, b in pairwise(project.funnel_stages):
        _edge(g, nid("funnel_stage", a.model.id), nid("funnel_stage", b.model.id), "funnel_next")
        for new_owner in b.model.owners:
            if new_owner in a.model.owners:
                continue
            for old_owner in a.model.owners:
                _edge(
                    g,
                    nid("role", old_owner),
                    nid("role", new_owner),
                    "handoff",
                    key=f"handoff:{a.model.id}->{b.model.id}",
                    from_stage=a.model.id,
                    to_stage=b.model.id,
                )


def _add_people(g: nx.MultiDiGraph, project: Project) -> None:
    for seg in project.segments:
        g.add_node(
            nid("segment", seg.model.id), type="segment", **_fields(seg.model), **_where(seg, "id")
        )
    for persona in project.personas:
        p = persona.model
        node = nid("persona", p.id)
        g.add_node(node, type="persona", **_fields(p), **_where(persona, "id"))
        if p.segment is not None:
            _edge(g, node, nid("segment", p.segment), "in_segment")


def add_journey(g: nx.MultiDiGraph, project: Project, journey: Entry[m.JourneyDoc]) -> None:
    j = journey.model
    node = nid("journey", j.id)
    segment = journey_segment(project, j)
    g.add_node(
        node,
        type="journey",
        ref=j.id,
        title=j.title,
        persona=j.persona,
        segment=segment,
        transitions=[_fields(t) for t in j.transitions],
        **_state(j),
        **_where(journey, "id"),
    )
    if j.persona is not None:
        _edge(g, node, nid("persona", j.persona), "journey_of")
    if segment is not None:
        _edge(g, node, nid("segment", segment), "for_segment")
    serving = _serving(project)
    stages = ordered_steps(project, j)
    for order, stage_id in enumerate(stages):
        _add_step(g, journey, stage_id, order, serving.get(stage_id, []))
    for a, b in pairwise(stages):
        _edge(g, nid("step", j.id, a), nid("step", j.id, b), "step_next")
    for i, tr in enumerate(j.transitions):
        _edge(
            g,
            nid("step", j.id, tr.from_),
            nid("step", j.id, tr.to),
            "transition",
            key=f"transition:{i}",
            label=tr.label,
            index=i,
        )


def _state(j: m.JourneyDoc) -> dict[str, str]:
    """`state` and `future_of` of a future journey; a current one has neither attribute, so a
    project that never writes them compiles exactly as before they existed."""
    if j.state == "current":
        return {}
    return {"state": j.state, **({"future_of": j.future_of} if j.future_of else {})}


def journey_state(data: dict[str, object]) -> str:
    """A journey node's state: "future" or "current" (the default, never stored)."""
    return "future" if data.get("state") == "future" else "current"


def _serving(project: Project) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for fs in project.funnel_stages:
        for stage in fs.model.serves:
            out.setdefault(stage, []).append(fs.model.id)
    return out


def step_fields(step: m.Step) -> dict[str, Any]:
    """A step's buyer fields: `pains` as their texts, and `pain_severity` (parallel to
    `pains`, None where not given) only when some pain of the step has a severity."""
    out: dict[str, Any] = {}
    for key, value in _fields(step, "actions", "funnel").items():
        if key != "pains":
            out[key] = value
            continue
        out["pains"] = [pain["text"] for pain in value]
        severities = [pain["severity"] for pain in value]
        if any(s is not None for s in severities):
            out["pain_severity"] = severities
    return out


def _add_step(
    g: nx.MultiDiGraph, journey: Entry[m.JourneyDoc], stage_id: str, order: int, serving: list[str]
) -> None:
    j = journey.model
    step = j.steps[stage_id]
    node = nid("step", j.id, stage_id)
    funnel = list(step.funnel) or list(serving)
    g.add_node(
        node,
        type="step",
        ref=f"{j.id}/{stage_id}",
        journey=j.id,
        stage=stage_id,
        order=order,
        funnel=funnel,
        funnel_explicit=bool(step.funnel),
        **step_fields(step),
        **_where(journey, "steps", stage_id, key=True),
    )
    _edge(g, node, nid("journey", j.id), "step_of")
    _edge(g, node, nid("stage", stage_id), "at_stage")
    for fs in funnel:
        _edge(g, node, nid("funnel_stage", fs), "served_by")
    for i, action in enumerate(step.actions, start=1):
        anode = nid("action", j.id, stage_id, i)
        g.add_node(
            anode,
            type="action",
            ref=f"{j.id}/{stage_id}/{i}",
            journey=j.id,
            stage=stage_id,
            index=i,
            **_fields(action),
            **_where(journey, "steps", stage_id, "actions", i - 1),
        )
        g.add_edge(anode, node, key="action_at", type="action_at")
        g.add_edge(anode, "role:" + action.role, key="action_by", type="action_by")
        for content_id in dict.fromkeys(action.content):
            g.add_edge(anode, "content:" + content_id, key="uses", type="uses")


def _add_content(g: nx.MultiDiGraph, project: Project) -> None:
    # The hottest loop of the compile (thousands of items): edges are added directly.
    add_edge = g.add_edge
    for item in project.content:
        c = item.model
        node = "content:" + c.id
        g.add_node(node, type="content", **_fields(c), **_where(item, "id"))
        for stage in dict.fromkeys(c.stages):
            add_edge(node, "stage:" + stage, key="targets_stage", type="targets_stage")
        for seg in dict.fromkeys(c.segments or []):
            add_edge(node, "segment:" + seg, key="targets_segment", type="targets_segment")
        if c.owner is not None:
            add_edge(node, "role:" + c.owner, key="owned_by", type="owned_by")


def index_types(g: nx.MultiDiGraph) -> None:
    """Index the nodes of a JourneyGraph by type (a plain graph keeps no index)."""
    if isinstance(g, JourneyGraph):
        g.index_types()


def nodes_of(g: nx.MultiDiGraph, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Nodes of one type, in insertion (= source) order."""
    if isinstance(g, JourneyGraph):
        return g.nodes_of(kind)
    return [(n, d) for n, d in g.nodes(data=True) if d["type"] == kind]


def forget(g: nx.MultiDiGraph, keep: Iterable[str] = ()) -> None:
    """Drop what memoised() kept, except the keys in `keep`: for a graph changed in place."""
    if isinstance(g, JourneyGraph):
        g.forget(keep)


def memoised(g: nx.MultiDiGraph, key: str, compute: Callable[[nx.MultiDiGraph], T]) -> T:
    """compute(g), worked out once per JourneyGraph (every time on a plain graph).

    The compiled graph is not changed after compile_graph (toolkit.graph.increments, which
    patches it, calls forget()), so an analysis that several renderers need (step coverage,
    step flags) is kept by the graph, outside its JSON attributes.
    """
    if isinstance(g, JourneyGraph):
        return g.memoised(key, compute)
    return compute(g)


def to_node_link(g: nx.MultiDiGraph) -> dict[str, Any]:
    return nx.node_link_data(g, edges="edges")
