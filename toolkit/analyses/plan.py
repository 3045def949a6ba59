"""The marketing plan: the six processes of B2B marketing and what serves each (`journey plan`).

A funnel stage lists the processes it serves (`processes:`, docs/FORMAT.md extension 5). For
each process, in the fixed order of PROCESSES, the plan gathers from the compiled graph:

- `funnel_stages`: the funnel stages that list it, in funnel order;
- `roles` and `lead_classes`: their owners and `lead_class` values (distinct, funnel order,
  then owner order within a stage);
- `actions`: the seller actions of the steps those stages serve (a step's funnel stages are
  its `funnel`, or by default the funnel stages that serve its customer stage; a step with
  several counts an action once per process any of them lists);
- `content`: the distinct content ids those actions name; `kpis`: their distinct `kpi`
  values, blank ones left out.

A process is a gap when it has no action or no KPI; `journey check` warns `process-gap` for
each, located at the funnel document's `stages:` key, when some funnel stage lists processes.

Which journeys count is one parameter (`journeys`: their ids, None for all); `journey plan`,
plan.html and the warnings count every journey.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.analyses.order import ordered
from toolkit.analyses.warnings import step_actions
from toolkit.common.diagnostics import Diagnostic, Location, warning
from toolkit.common.i18n import Catalog
from toolkit.graph.build import nodes_of
from toolkit.model.models import PROCESSES
from toolkit.model.project import Project


@dataclass(frozen=True)
class ProcessPlan:
    """What serves one marketing process."""

    id: str
    funnel_stages: tuple[str, ...]
    roles: tuple[str, ...]
    lead_classes: tuple[str, ...]
    actions: int
    content: frozenset[str]
    kpis: frozenset[str]

    @property
    def gap(self) -> bool:
        return self.actions == 0 or not self.kpis

    def to_json(self, label: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": label,
            "funnel_stages": list(self.funnel_stages),
            "roles": list(self.roles),
            "lead_classes": list(self.lead_classes),
            "actions": self.actions,
            "content": len(self.content),
            "kpis": len(self.kpis),
            "gap": self.gap,
        }


@functools.cache
def process_labels(t: Catalog) -> dict[str, str]:
    """Process id -> its name in the catalog's language."""
    _ = t.gettext
    return {
        "acquire": _("Acquire prospects"),
        "retain-data": _("Keep prospect data as a sales asset"),
        "nurture": _("Communicate and nurture"),
        "detect": _("Find prospects with an explicit need"),
        "convert": _("Turn them into opportunities"),
        "expand": _("Expand business with customers"),
    }


def funnel_stages(g: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """The funnel stage nodes' data, in funnel order."""
    return [d for _, d in ordered(g, "funnel_stage")]


def mapped(g: nx.MultiDiGraph) -> bool:
    """Whether any funnel stage lists a process (else the plan has nothing to show)."""
    return any(d.get("processes") for d in funnel_stages(g))


def process_plans(g: nx.MultiDiGraph, journeys: Collection[str] | None = None) -> list[ProcessPlan]:
    """The six processes in order, counted over `journeys` (their ids; None: every journey)."""
    stages = funnel_stages(g)
    listed = {d["ref"]: set(d.get("processes") or ()) for d in stages}
    actions = dict.fromkeys(PROCESSES, 0)
    content: dict[str, set[str]] = {p: set() for p in PROCESSES}
    kpis: dict[str, set[str]] = {p: set() for p in PROCESSES}
    for node, data in nodes_of(g, "step"):
        if journeys is not None and data["journey"] not in journeys:
            continue
        served = set().union(*(listed.get(fs, set()) for fs in data.get("funnel") or ()))
        if not served:
            continue
        for action in step_actions(g, node):
            a = g.nodes[action]
            kpi = (a.get("kpi") or "").strip()
            for process in served:
                actions[process] += 1
                content[process].update(a.get("content") or ())
                if kpi:
                    kpis[process].add(kpi)
    return [
        _plan(process, [d for d in stages if process in listed[d["ref"]]], actions, content, kpis)
        for process in PROCESSES
    ]


def _plan(
    process: str,
    stages: list[dict[str, Any]],
    actions: dict[str, int],
    content: dict[str, set[str]],
    kpis: dict[str, set[str]],
) -> ProcessPlan:
    roles = dict.fromkeys(owner for d in stages for owner in d.get("owners") or ())
    classes = dict.fromkeys(d["lead_class"] for d in stages if d.get("lead_class"))
    return ProcessPlan(
        id=process,
        funnel_stages=tuple(d["ref"] for d in stages),
        roles=tuple(roles),
        lead_classes=tuple(classes),
        actions=actions[process],
        content=frozenset(content[process]),
        kpis=frozenset(kpis[process]),
    )


def plan_json(plans: list[ProcessPlan], t: Catalog) -> dict[str, Any]:
    """`journey plan --format json`: {"processes": [...]} with labels in the catalog's language."""
    labels = process_labels(t)
    return {"processes": [p.to_json(labels[p.id]) for p in plans]}


def gap_reason(plan: ProcessPlan) -> str:
    """Why a process is a gap ('' when it is none), in the words of the warning."""
    if plan.actions == 0:
        return "no seller action"
    return "" if plan.kpis else "no KPI"


def _gap_hint(plan: ProcessPlan) -> str:
    if not plan.funnel_stages:
        return "list it in a funnel stage's 'processes:'"
    if plan.actions == 0:
        return "add seller actions at the steps its funnel stages serve"
    return "give one of its actions a 'kpi:'"


def funnel_location(project: Project) -> Location | None:
    """Where the funnel document's `stages:` key is written (None: no funnel stage)."""
    if not project.funnel_stages:
        return None
    first = project.funnel_stages[0]
    return first.doc.loc(first.path[:-1], key=True)


def plan_warnings(g: nx.MultiDiGraph, where: Location | None) -> list[Diagnostic]:
    """`process-gap`: one per process with no action or no KPI, at `where` (the funnel
    document's `stages:` key), when some funnel stage lists processes."""
    if where is None or not mapped(g):
        return []
    return [
        warning(
            "process-gap",
            f"marketing process '{plan.id}' has {gap_reason(plan)}",
            where,
            _gap_hint(plan),
        )
        for plan in process_plans(g)
        if plan.gap
    ]
