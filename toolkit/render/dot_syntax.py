"""DOT statement lines, generated node ids and the per-render edge index of the diagrams.

Statements are the lines graphviz.Digraph.node/edge would write, quoted by graphviz.quoting
(labels on every use, fixed attribute sets once per distinct set), added to a
graphviz.Digraph's body. Node ids are generated (``n0``, ``n1``... in first-use order), never
user text. Labels reach these helpers already made safe (toolkit.render.diagrams.dot_label).

Used by toolkit.render.diagrams (journey flow) and toolkit.render.dot (funnel,
overview); this module imports neither.
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
EdgeStyle = tuple[str, str]  # attribute lists of an edge drawn forward, and drawn back


class Ids:
    """Stable generated DOT node ids (n0, n1...) in first-use order.

    Generated ids are plain DOT identifiers, which graphviz never quotes.
    """

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = f"n{len(self._ids)}"
        return found


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
    """A node statement line (node_id: a generated id)."""
    return f"\t{node_id}{attr_list(label, attrs)}\n"


def edge_stmt(tail: str, head: str, label: str | None = None, **attrs: str) -> str:
    """An edge statement line (tail, head: generated ids)."""
    return f"\t{tail} -> {head}{attr_list(label, attrs)}\n"


def edge_style(**attrs: str) -> EdgeStyle:
    """The attribute lists of an edge with these attributes, drawn forward and drawn back."""
    return attr_list(None, attrs), attr_list(None, {"dir": "back", **attrs})


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


class Layout:
    """Generated ids and (column, row) positions; edges run from the earlier position."""

    def __init__(self, dg: graphviz.Digraph) -> None:
        self.dg = dg
        self.ids = Ids()
        self.pos: dict[str, tuple[int, int]] = {}

    def place(self, node: str, column: int, row: int) -> str:
        self.pos[node] = (column, row)
        return self.ids(node)

    def edge(self, src: str, dst: str, style: EdgeStyle) -> None:
        """src -> dst when both are placed, written back to front (style[1]) if dst is first."""
        first, second = self.pos.get(src), self.pos.get(dst)
        if first is None or second is None:
            return
        if first <= second:
            self.dg.body.append(f"\t{self.ids(src)} -> {self.ids(dst)}{style[0]}\n")
        else:
            self.dg.body.append(f"\t{self.ids(dst)} -> {self.ids(src)}{style[1]}\n")


# --- edge index -------------------------------------------------------------------------


def edges_by_type(g: nx.MultiDiGraph, kinds: Iterable[str]) -> dict[str, list[Edge]]:
    """The edges (u, v, key, data) of these types, by type, each list in graph edge order."""
    found: dict[str, list[Edge]] = {kind: [] for kind in kinds}
    for edge in g.edges(keys=True, data=True):
        group = found.get(edge[3]["type"])
        if group is not None:
            group.append(edge)
    return found
