"""JourneyGraph: the compiled journey graph, and what is worked out on it once.

A networkx MultiDiGraph (its nodes, edges and attributes are the node-link JSON described in
docs/GRAPH.md) that also owns, outside those attributes, the index of its nodes by type and
the memo of analyses that several renderers need. Both are typed fields of the object rather
than attributes slipped onto a plain graph, and neither reaches the JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import networkx as nx

T = TypeVar("T")
NodeRow = tuple[str, dict[str, Any]]


class JourneyGraph(nx.MultiDiGraph):  # type: ignore[misc]
    """The compiled graph; `by_type` and `memo` are kept by the methods below."""

    def __init__(self, incoming_graph_data: Any = None, **attr: Any) -> None:
        super().__init__(incoming_graph_data, **attr)
        self.by_type: dict[str, list[NodeRow]] | None = None
        self.memo: dict[str, Any] = {}

    def index_types(self) -> None:
        """Index the nodes by type (call after adding or removing nodes)."""
        index: dict[str, list[NodeRow]] = {}
        for node, data in self.nodes(data=True):
            index.setdefault(data["type"], []).append((node, data))
        self.by_type = index

    def nodes_of(self, kind: str) -> list[NodeRow]:
        """Nodes of one type, in insertion (= source) order."""
        index = self.by_type
        if index is not None and len(self) == sum(len(v) for v in index.values()):
            return list(index.get(kind, ()))
        return [(n, d) for n, d in self.nodes(data=True) if d["type"] == kind]

    def memoised(self, key: str, compute: Callable[[JourneyGraph], T]) -> T:
        """compute(self), worked out once until forget()."""
        if key not in self.memo:
            self.memo[key] = compute(self)
        return self.memo[key]  # type: ignore[no-any-return]

    def forget(self, keep: Iterable[str] = ()) -> None:
        """Drop what memoised() kept, except the keys in `keep`: for a graph changed in place."""
        kept = set(keep)
        for key in [k for k in self.memo if k not in kept]:
            del self.memo[key]
