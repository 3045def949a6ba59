"""Increments: bring the last build's graph up to date after journeys alone changed.

In a workshop most saves touch one journey file. Every other part of the graph (stages,
funnel, segments, personas, content) is then exactly as before, so `journey serve` swaps
the changed journeys' nodes (the journey, its steps and actions) instead of compiling the
whole graph again. The result must equal a full compile_graph() in every observable way:
node and edge data, and the iteration order of nodes and of every node's neighbours (renderers
rely on source order). compile_graph adds the journeys last, each journey's nodes together,
and no edge leads from an earlier node into a journey, which is what makes this possible.
changed_journeys() tells whether a reload changed journeys alone, and which.

This reaches into networkx's adjacency dictionaries (`_node`, `_succ`, `_pred`) to restore
the order, and only to reorder them in place; tests compare the result with full compiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import networkx as nx

from toolkit.graph.build import add_journey, index_types, nodes_of
from toolkit.model.project import Project

JOURNEY_TYPES = frozenset({"journey", "step", "action"})
JOURNEY_PREFIXES = ("journey:", "step:", "action:")


def owner(data: dict[str, object]) -> str | None:
    """The journey a node belongs to, or None for the shared part of the graph."""
    kind = data["type"]
    if kind == "journey":
        return str(data["ref"])
    if kind in ("step", "action"):
        return str(data["journey"])
    return None


def changed_journeys(old: Project, new: Project) -> set[str] | None:
    """Ids of the journeys whose documents differ between two loads, or None when anything
    else differs. Unchanged files come back as the same Document objects (MemoryCache)."""
    if shared_documents(old) != shared_documents(new):
        return None
    before = {j.model.id: id(j.doc) for j in old.journeys}
    after = {j.model.id: id(j.doc) for j in new.journeys}
    if [j for j in before if j in after] != [j for j in after if j in before]:
        return None  # journeys swapped places: compile afresh
    return {j for j in before.keys() | after.keys() if before.get(j) != after.get(j)}


def shared_documents(project: Project) -> list[int]:
    """Identities of every document that is not a journey, in load order."""
    entries = [*project.stages, *project.axes, *project.roles, *project.lead_classes]
    entries += [*project.funnel_stages, *project.segments, *project.personas, *project.content]
    if project.qualification is not None:
        entries.append(project.qualification)
    docs = [id(e.doc) for e in entries]
    return list(dict.fromkeys(docs)) + [id(project.meta)]


def patch_journeys(
    g: nx.MultiDiGraph,
    project: Project,
    changed: Iterable[str],
    forget: Callable[[nx.MultiDiGraph, set[str]], None],
) -> None:
    """Make g what compile_graph(project) would give, when only the journeys in `changed`
    (ids: edited, added or removed) differ from the project g was compiled from.

    `forget(g, ids)` drops what analyses memoised about those journeys (the graph module
    knows nothing of analyses: toolkit.analyses.warnings.forget_journeys is the one)."""
    ids = set(changed)
    if _patch_in_place(g, project, ids):  # a text edit: the same nodes and edges
        forget(g, ids)
        return
    stale = [n for kind in JOURNEY_TYPES for n, d in nodes_of(g, kind) if owner(d) in ids]
    touched = {v for u in stale for v in g.successors(u) if not v.startswith(JOURNEY_PREFIXES)}
    g.remove_nodes_from(stale)
    for journey in project.journeys:
        if journey.model.id in ids:
            add_journey(g, project, journey)
    fresh = [n for n, d in g.nodes(data=True) if owner(d) in ids]
    touched.update(v for u in fresh for v in g.successors(u) if not v.startswith(JOURNEY_PREFIXES))
    _restore_order(g, [j.model.id for j in project.journeys], touched)
    forget(g, ids)
    index_types(g)


def _patch_in_place(g: nx.MultiDiGraph, project: Project, ids: set[str]) -> bool:
    """When the changed journeys have the same nodes and edges as before (the usual save: a
    text edited), replace their attributes in place and return True: nothing moves, so no
    order needs restoring and the type index stays right (it holds the same dicts).
    Otherwise change nothing and return False."""
    fresh = nx.MultiDiGraph()
    for journey in project.journeys:
        if journey.model.id in ids:
            add_journey(fresh, project, journey)
    new = [n for n in fresh if n.startswith(JOURNEY_PREFIXES)]
    old = [n for n, d in g.nodes(data=True) if n.startswith(JOURNEY_PREFIXES) and owner(d) in ids]
    if new != old:
        return False
    for n in new:
        for mine, theirs in ((g._succ, fresh._succ), (g._pred, fresh._pred)):  # noqa: SLF001
            if _links(mine[n]) != _links(theirs[n]):
                return False
    for n in new:
        _replace(g._node[n], fresh._node[n])  # noqa: SLF001
        for v, keys in fresh._succ[n].items():  # noqa: SLF001
            for key, data in keys.items():
                _replace(g._succ[n][v][key], data)  # noqa: SLF001
    return True


def _links(adjacency: dict[str, dict[str, object]]) -> list[tuple[str, str]]:
    """A node's neighbours and edge keys, in order."""
    return [(v, key) for v, keys in adjacency.items() for key in keys]


def _replace(mine: dict[str, object], theirs: dict[str, object]) -> None:
    mine.clear()
    mine.update(theirs)


def _restore_order(g: nx.MultiDiGraph, journeys: list[str], touched: set[str]) -> None:
    shared: list[str] = []
    blocks: dict[str, list[str]] = {}
    for node, data in g.nodes(data=True):
        kind = data["type"]
        if kind == "journey":
            blocks.setdefault(data["ref"], []).append(node)
        elif kind in JOURNEY_TYPES:
            blocks.setdefault(data["journey"], []).append(node)
        else:
            shared.append(node)
    order = shared + [n for j in journeys for n in blocks.get(j, ())]
    for table in (g._node, g._succ, g._pred):  # noqa: SLF001 (see the module docstring)
        _reorder(table, order)
    position = {n: i for i, n in enumerate(order)}.__getitem__
    for node in touched:
        preds = g._pred.get(node)  # noqa: SLF001
        if preds is None:
            continue
        own = [u for u in preds if not u.startswith(JOURNEY_PREFIXES)]
        theirs = [u for u in preds if u.startswith(JOURNEY_PREFIXES)]
        theirs.sort(key=position)
        _reorder(preds, own + theirs)


def _reorder(table: dict[str, object], order: list[str]) -> None:
    """Reorder a dict in place (views that hold it stay valid)."""
    items = {key: table[key] for key in order}
    table.clear()
    table.update(items)
