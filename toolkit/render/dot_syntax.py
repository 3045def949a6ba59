"""DOT statement lines and the per-render edge index of the funnel and overview diagrams.

Statements are the lines graphviz.Digraph.node/edge would write, quoted by graphviz.quoting
(labels on every use, fixed attribute sets once per distinct set), added to a
graphviz.Digraph's body. Node names are graph node ids made safe
(toolkit.render.diagrams.safe_id) and quoted by the caller; labels reach these helpers
already made safe (toolkit.render.diagrams.dot_label).

Used by toolkit.render.dot (funnel, overview) and toolkit.render.diagrams (the edge index);
this module imports neither. The journey diagrams write their own lines
(toolkit.render.journey_diagram: every node with its position).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

import graphviz
import networkx as nx
from graphviz import quoting

Edge = tuple[str, str, Any, dict[str, Any]]


# --- statements -------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def quoted_attrs(items: tuple[tuple[str, str], ...]) -> str:
    """``k=v ...`` for keyword attributes, sorted and quoted by graphviz."""
    return quoting.a_list(kwargs=dict(items))


def attr_list(label: str | None, attrs: Mapping[str, str]) -> str:
    """``graphviz.quoting.attr_list(label, kwargs=attrs)``; the label is quoted on every call."""
    parts = [] if label is None else [f"label={quoting.quote(label)}"]
    rest = quoted_attrs(tuple(attrs.items())) if attrs else ""
    if rest:
        parts.append(rest)
    return f" [{' '.join(parts)}]" if parts else ""


def node_stmt(node_id: str, label: str | None = None, **attrs: str) -> str:
    """A node statement line (node_id: a quoted DOT name)."""
    return f"\t{node_id}{attr_list(label, attrs)}\n"


def edge_stmt(tail: str, head: str, label: str | None = None, **attrs: str) -> str:
    """An edge statement line (tail, head: quoted DOT names)."""
    return f"\t{tail} -> {head}{attr_list(label, attrs)}\n"


def add_subgraph(
    dg: graphviz.Digraph, name: str, lines: Iterable[str], rank: str | None = None
) -> None:
    """Statement lines as the subgraph ``name`` of dg (with ``rank=...`` first when given)."""
    sub = graphviz.Digraph(name=name)
    if rank is not None:
        sub.attr(rank=rank)
    sub.body.extend(lines)
    dg.subgraph(sub)


def chain(dg: graphviz.Digraph, ids: Iterable[str], **attrs: str) -> None:
    """Edges from each id to the next, all with these attributes."""
    rest = attr_list(None, attrs)
    dg.body.extend(f"\t{a} -> {b}{rest}\n" for a, b in pairwise(list(ids)))


# --- edge index -------------------------------------------------------------------------


def edges_by_type(g: nx.MultiDiGraph, kinds: Iterable[str]) -> dict[str, list[Edge]]:
    """The edges (u, v, key, data) of these types, by type, each list in graph edge order."""
    found: dict[str, list[Edge]] = {kind: [] for kind in kinds}
    for edge in g.edges(keys=True, data=True):
        group = found.get(edge[3]["type"])
        if group is not None:
            group.append(edge)
    return found
