"""Diff: what changed between two versions of a project, by entity rather than by line.

Both versions are compiled graphs (toolkit.pipeline.compile_project with relative file
names). The result lists entities added, removed and changed (per field, old -> new) by kind
and id, the coverage delta (published items per segment x stage, and per journey step) and
the warnings that appeared or were resolved (by code and entity, never by line number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

import networkx as nx

from toolkit.analyses.warnings import step_coverage
from toolkit.common.diagnostics import Diagnostic
from toolkit.graph.build import nodes_of

Change = Literal["added", "removed", "changed"]
KINDS = (
    "project",
    "stage",
    "axis",
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
ORDERED_KINDS = frozenset({"stage", "axis", "funnel_stage", "lead_class"})
LOCATION = frozenset({"type", "ref", "file", "line", "column", "order"})
DROP: dict[str, frozenset[str]] = {
    "step": frozenset({"journey", "stage", "funnel", "funnel_explicit"}),
    "action": frozenset({"journey", "stage", "index", "role"}),
}
LABEL_KEYS = ("label", "title", "name")
SPARSE_MAPS = frozenset({"pain_severity"})  # fields that a graph node has only when not empty
POSITION = "position"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any
    key: str | None = None  # the entry of a mapping field (a label's language, a criterion)

    @property
    def name(self) -> str:
        return self.field if self.key is None else f"{self.field}.{self.key}"


@dataclass(frozen=True)
class EntityChange:
    kind: str
    id: str
    change: Change
    label: Any = None  # the entity's label, title or name as written (new side, else old)
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CoverageChange:
    key: tuple[str | None, ...]  # (segment, stage) or (journey, stage)
    old: tuple[str, ...] | None  # None: the cell does not exist on that side
    new: tuple[str, ...] | None

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.new or ()) - set(self.old or ())))

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.old or ()) - set(self.new or ())))


@dataclass(frozen=True)
class WarningChange:
    code: str
    entity: str
    message: str
    file: str
    line: int


@dataclass
class DiffResult:
    old_name: str
    new_name: str
    language: str
    title: Any = None
    client: str | None = None
    changes: list[EntityChange] = field(default_factory=list)
    segment_stage: list[CoverageChange] = field(default_factory=list)
    steps: list[CoverageChange] = field(default_factory=list)
    new_warnings: list[WarningChange] = field(default_factory=list)
    resolved_warnings: list[WarningChange] = field(default_factory=list)
    labels: dict[str, Any] = field(default_factory=dict)  # "kind:id" -> label as written

    @property
    def empty(self) -> bool:
        return not (
            self.changes
            or self.segment_stage
            or self.steps
            or self.new_warnings
            or self.resolved_warnings
        )

    def count(self, change: Change) -> int:
        return sum(1 for c in self.changes if c.change == change)


# --- entities ----------------------------------------------------------------------------------

Entity = dict[str, Any]


def label_value(data: Entity, kind: str = "") -> Any:
    """The label, title or name as written (a persona's name before its job title)."""
    keys = ("name", *LABEL_KEYS) if kind == "persona" else LABEL_KEYS
    return next((data[k] for k in keys if data.get(k) is not None), None)


def entities(g: nx.MultiDiGraph) -> dict[str, dict[str, Entity]]:
    """Every entity of the graph by kind and id, with the fields a diff compares."""
    out: dict[str, dict[str, Entity]] = {kind: {} for kind in KINDS}
    meta = g.graph
    out["project"]["project"] = {k: meta.get(k) for k in ("title", "language", "client")}
    for axis in meta.get("axes", []):
        out["axis"][axis["id"]] = {k: v for k, v in axis.items() if k != "id"}
    for kind in ("stage", "funnel_stage", "role", "lead_class", "segment", "persona", "journey"):
        for _, data in _in_order(g, kind):
            out[kind][data["ref"]] = _fields(data, kind)
    for _, data in nodes_of(g, "step"):
        fields = _fields(data, "step")
        fields["funnel"] = list(data["funnel"]) if data.get("funnel_explicit") else []
        if "pain_severity" in fields:
            fields["pain_severity"] = severity_by_pain(data["pains"], data["pain_severity"])
        out["step"][data["ref"]] = fields
    for _, data in nodes_of(g, "content"):
        out["content"][data["ref"]] = _fields(data, "content")
    return out


def severity_by_pain(pains: list[str], severities: list[str | None]) -> dict[str, str]:
    """A step's pain severities as pain text -> severity, for the pains that have one (a
    text repeated in the step is keyed 'text #2', '#3'...), so that a diff reports each
    pain whose severity changed: `pain_severity.<text>: old -> new`."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for text, severity in zip(pains, severities, strict=False):
        seen[text] = seen.get(text, 0) + 1
        if severity is not None:
            out[text if seen[text] == 1 else f"{text} #{seen[text]}"] = severity
    return out


def _in_order(g: nx.MultiDiGraph, kind: str) -> list[tuple[str, Entity]]:
    found = nodes_of(g, kind)
    if found and "order" in found[0][1]:
        return sorted(found, key=lambda nd: nd[1]["order"])
    return found


def _fields(data: Entity, kind: str) -> Entity:
    drop = LOCATION | DROP.get(kind, frozenset())
    return {k: v for k, v in data.items() if k not in drop}


def field_changes(old: Entity, new: Entity) -> tuple[FieldChange, ...]:
    """Fields whose values differ, in the order the new side lists them; a mapping on both
    sides (a language map, criteria, axis values) reports each entry that differs."""
    out: list[FieldChange] = []
    for name in dict.fromkeys([*new, *old]):
        a, b = old.get(name), new.get(name)
        if name in SPARSE_MAPS:  # absent: no entries
            a, b = a or {}, b or {}
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = dict.fromkeys([*b, *a])
            out.extend(
                FieldChange(name, a.get(k), b.get(k), str(k)) for k in keys if a.get(k) != b.get(k)
            )
        else:
            out.append(FieldChange(name, a, b))
    return tuple(out)


def diff_kind(kind: str, old: dict[str, Entity], new: dict[str, Entity]) -> list[EntityChange]:
    """Added, changed (new order) and removed (old order) entities of one kind."""
    moved = _moved(list(old), list(new)) if kind in ORDERED_KINDS else {}
    out = []
    for ident, data in new.items():
        if ident not in old:
            out.append(EntityChange(kind, ident, "added", label_value(data, kind)))
            continue
        fields = field_changes(old[ident], data)
        if ident in moved:
            fields = (*fields, FieldChange(POSITION, *moved[ident]))
        if fields:
            out.append(EntityChange(kind, ident, "changed", label_value(data, kind), fields))
    out.extend(
        EntityChange(kind, ident, "removed", label_value(data, kind))
        for ident, data in old.items()
        if ident not in new
    )
    return out


def _moved(old: list[str], new: list[str]) -> dict[str, tuple[int, int]]:
    """Ids kept on both sides whose relative order changed: id -> (old, new) 1-based position."""
    common = set(old) & set(new)
    a = [i for i in old if i in common]
    b = [i for i in new if i in common]
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    stayed = {a[blk.a + k] for blk in matcher.get_matching_blocks() for k in range(blk.size)}
    return {i: (old.index(i) + 1, new.index(i) + 1) for i in b if i not in stayed}


# --- actions -----------------------------------------------------------------------------------

ActionKey = tuple[str, ...]  # journey, stage, role (stage, role when two journeys are compared)


def actions_by_role(g: nx.MultiDiGraph) -> dict[ActionKey, list[Entity]]:
    """Each step's actions grouped by role, in source order."""
    out: dict[ActionKey, list[Entity]] = {}
    for _, data in sorted(nodes_of(g, "action"), key=lambda nd: nd[1]["index"]):
        key = (data["journey"], data["stage"], data["role"])
        out.setdefault(key, []).append(_fields(data, "action"))
    return out


def action_id(key: ActionKey, index: int) -> str:
    """`journey/stage/role#n` (or `stage/role#n` between two journeys of one project)."""
    return "/".join(key) + f"#{index}"


def diff_actions(
    old: dict[ActionKey, list[Entity]], new: dict[ActionKey, list[Entity]]
) -> list[EntityChange]:
    """Actions matched by (journey, stage, role) and their aligned position in that list."""
    out: list[EntityChange] = []
    for key in list(dict.fromkeys([*new, *old])):
        out.extend(_align(key, old.get(key, []), new.get(key, [])))
    return out


def _align(key: ActionKey, old: list[Entity], new: list[Entity]) -> list[EntityChange]:
    """Align by action text: same text is the same action (changed if content/kpi differ);
    within a replaced block, actions pair up by position; the rest are added or removed."""
    texts = ([a.get("action") for a in old], [a.get("action") for a in new])
    matcher = SequenceMatcher(None, *texts, autojunk=False)
    out = []
    for _op, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1)
        for k in range(pairs):
            a, b = old[i1 + k], new[j1 + k]
            fields = field_changes(a, b)
            if fields:
                ident = action_id(key, j1 + k + 1)
                out.append(EntityChange("action", ident, "changed", b["action"], fields))
        for j in range(j1 + pairs, j2):
            out.append(EntityChange("action", action_id(key, j + 1), "added", new[j]["action"]))
        for i in range(i1 + pairs, i2):
            out.append(EntityChange("action", action_id(key, i + 1), "removed", old[i]["action"]))
    return out


# --- coverage ----------------------------------------------------------------------------------


def segment_stage_items(g: nx.MultiDiGraph) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """Published items per segment x stage (segment None when the project has no segments).

    An item counts for a stage it targets and for every segment it lists (all segments when
    it lists none), as in the coverage of docs/FORMAT.md.
    """
    segments: list[str | None] = [d["ref"] for _, d in nodes_of(g, "segment")] or [None]
    stages = [d["ref"] for _, d in _in_order(g, "stage")]
    cells: dict[tuple[str | None, str], set[str]] = {
        (s, t): set() for s in segments for t in stages
    }
    for node, data in nodes_of(g, "content"):
        if data.get("status") != "published":
            continue
        targets = _targets(g, node)
        listed = targets["targets_segment"] if data.get("segments") is not None else None
        for seg in segments:
            if listed is not None and seg not in listed:
                continue
            for stage in targets["targets_stage"]:
                cells[(seg, stage)].add(data["ref"])
    return {k: tuple(sorted(v)) for k, v in cells.items()}


def _targets(g: nx.MultiDiGraph, node: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {"targets_stage": set(), "targets_segment": set()}
    for _, v, d in g.out_edges(node, data=True):
        if d["type"] in out:
            out[d["type"]].add(g.nodes[v]["ref"])
    return out


def step_items(g: nx.MultiDiGraph) -> dict[tuple[str, str], tuple[str, ...]]:
    """Published items covering each journey step, keyed by (journey, stage)."""
    return {(c.journey, c.stage): c.items for c in step_coverage(g)}


def coverage_delta(
    old: dict[Any, tuple[str, ...]], new: dict[Any, tuple[str, ...]]
) -> list[CoverageChange]:
    """Cells whose item set differs (a cell missing on one side is None there)."""
    keys = list(dict.fromkeys([*new, *old]))
    return [CoverageChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


# --- warnings ----------------------------------------------------------------------------------


def warning_entity(g: nx.MultiDiGraph, d: Diagnostic) -> str:
    """The entity a warning is about: the graph node written where it points, else its file."""
    for node, data in g.nodes(data=True):
        if (data.get("file"), data.get("line"), data.get("column")) == (d.file, d.line, d.column):
            return str(node)
    return d.file if d.code == "empty-file" else f"{d.file}: {d.message}"


def warning_keys(g: nx.MultiDiGraph, diags: Iterable[Diagnostic]) -> dict[tuple[str, str], Any]:
    out: dict[tuple[str, str], WarningChange] = {}
    for d in diags:
        if d.severity != "warning":
            continue
        entity = warning_entity(g, d)
        out.setdefault((d.code, entity), WarningChange(d.code, entity, d.message, d.file, d.line))
    return out


def warning_delta(
    old_g: nx.MultiDiGraph,
    old: Iterable[Diagnostic],
    new_g: nx.MultiDiGraph,
    new: Iterable[Diagnostic],
) -> tuple[list[WarningChange], list[WarningChange]]:
    """(new warnings, resolved warnings), keyed by code and entity."""
    before = warning_keys(old_g, old)
    after = warning_keys(new_g, new)
    return (
        [w for k, w in after.items() if k not in before],
        [w for k, w in before.items() if k not in after],
    )


# --- everything --------------------------------------------------------------------------------


def diff_graphs(
    old: nx.MultiDiGraph,
    new: nx.MultiDiGraph,
    old_diags: Iterable[Diagnostic] = (),
    new_diags: Iterable[Diagnostic] = (),
    names: tuple[str, str] = ("OLD", "NEW"),
) -> DiffResult:
    before, after = entities(old), entities(new)
    changes: list[EntityChange] = []
    for kind in KINDS:
        if kind == "action":
            changes.extend(diff_actions(actions_by_role(old), actions_by_role(new)))
        else:
            changes.extend(diff_kind(kind, before[kind], after[kind]))
    appeared, resolved = warning_delta(old, old_diags, new, new_diags)
    return DiffResult(
        old_name=names[0],
        new_name=names[1],
        language=new.graph.get("language") or "en",
        title=new.graph.get("title"),
        client=new.graph.get("client"),
        changes=changes,
        segment_stage=coverage_delta(segment_stage_items(old), segment_stage_items(new)),
        steps=coverage_delta(step_items(old), step_items(new)),
        new_warnings=appeared,
        resolved_warnings=resolved,
        labels={**entity_labels(before), **entity_labels(after)},
    )


def entity_labels(found: dict[str, dict[str, Entity]]) -> dict[str, Any]:
    """'kind:id' -> the entity's label as written, for every entity that has one."""
    out = {}
    for kind, group in found.items():
        for ident, data in group.items():
            label = label_value(data, kind)
            if label is not None:
                out[f"{kind}:{ident}"] = label
    return out


# --- two journeys of one project ---------------------------------------------------------------


def _of_journey(found: dict[tuple[str, ...], Any], journey: str) -> dict[tuple[str, ...], Any]:
    """Entries keyed (journey, *rest) of one journey, keyed by rest (the stage first)."""
    return {key[1:]: value for key, value in found.items() if key[0] == journey}


def journey_steps(g: nx.MultiDiGraph, journey: str) -> dict[str, Entity]:
    """One journey's step entities (as `entities` compares them) by stage id, in stage order."""
    steps = entities(g)["step"]
    prefix = f"{journey}/"
    return {ref[len(prefix) :]: data for ref, data in steps.items() if ref.startswith(prefix)}


def _step_warnings(
    g: nx.MultiDiGraph, journey: str, diags: Iterable[Diagnostic]
) -> dict[tuple[str, str], WarningChange]:
    """The warnings about one journey's steps, keyed by code and stage id."""
    out: dict[tuple[str, str], WarningChange] = {}
    for (code, entity), w in warning_keys(g, diags).items():
        data = g.nodes[entity] if entity in g else {}
        if data.get("type") == "step" and data.get("journey") == journey:
            stage = data["stage"]
            out.setdefault((code, stage), WarningChange(code, stage, w.message, w.file, w.line))
    return out


def diff_journeys(
    g: nx.MultiDiGraph, old: str, new: str, diags: Iterable[Diagnostic] = ()
) -> DiffResult:
    """Journey `old` against journey `new` of one project (a current and a future state).

    The same comparison as diff_graphs, with steps paired by customer stage: a step change's
    id is the stage id, an action's is `stage/role#n`, a coverage change names the stage
    (and `new` as its journey) and a warning's entity is the stage. The journeys themselves
    are compared as one entity, `new` (their title, persona, state, future_of...).
    """
    found = entities(g)
    journeys = {new: found["journey"][old]}, {new: found["journey"][new]}
    steps = journey_steps(g, old), journey_steps(g, new)
    actions = actions_by_role(g)
    before_w, after_w = _step_warnings(g, old, diags), _step_warnings(g, new, diags)
    items = step_items(g)
    cells = [
        {(new, stage[0]): value for stage, value in _of_journey(items, j).items()}
        for j in (old, new)
    ]
    stage_labels = {k: v for k, v in entity_labels(found).items() if k.startswith("stage:")}
    return DiffResult(
        old_name=old,
        new_name=new,
        language=g.graph.get("language") or "en",
        title=g.graph.get("title"),
        client=g.graph.get("client"),
        changes=[
            *diff_kind("journey", *journeys),
            *diff_kind("step", *steps),
            *diff_actions(_of_journey(actions, old), _of_journey(actions, new)),
        ],
        steps=coverage_delta(*cells),
        new_warnings=[w for k, w in after_w.items() if k not in before_w],
        resolved_warnings=[w for k, w in before_w.items() if k not in after_w],
        labels={
            **stage_labels,
            **entity_labels({"journey": {j: found["journey"][j] for j in (old, new)}}),
        },
    )
