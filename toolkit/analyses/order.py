"""Model order: the nodes of a type in the order the model gives them.

Shared by the renderers and the lead judgment.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from toolkit.graph.build import nodes_of


def ordered(g: nx.MultiDiGraph, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Nodes of a type in model order (stages, funnel stages, lead classes), else source order."""
    found = nodes_of(g, kind)
    if found and "order" in found[0][1]:
        return sorted(found, key=lambda nd: nd[1]["order"])
    return found
