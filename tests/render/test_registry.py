"""The registry of builders (toolkit/render/registry.py) and the build loop over it."""

from __future__ import annotations

import networkx as nx
import pytest
from tools import needs_dot

from toolkit.render.builder import (
    build_files,
    render_all,
    render_journey_pages,
    render_scoped,
)
from toolkit.render.common import RenderOptions
from toolkit.render.dot import journey_diagram_paths
from toolkit.render.formats import ALL_FORMATS, ON_REQUEST
from toolkit.render.html_context import journey_page, journey_refs
from toolkit.render.registry import ALL, BUILDERS, SERIAL, SPLIT, WORKER, Scope, Tools, builder

FORMATS = frozenset(ALL_FORMATS) - {"png", "pdf"}


def test_each_builder_declares_its_name_formats_and_parallelism() -> None:
    shape = {b.name: (set(b.formats), b.parallel) for b in BUILDERS}
    assert shape == {
        "pages": ({"html"}, SPLIT),
        "coverage": ({"html"}, SERIAL),
        "plan": ({"html"}, SERIAL),
        "mermaid": ({"mermaid"}, SERIAL),
        "diagrams": ({"dot", "svg", "png", "pdf"}, WORKER),
        "data": ({"json", "csv"}, WORKER),
        "xlsx": ({"xlsx"}, SERIAL),
        "deck": ({"pptx"}, WORKER),
        "leads": ({"html", "json"}, SERIAL),
        "report": ({"report"}, SERIAL),
    }
    assert set().union(*(b.formats for b in BUILDERS)) == {*ALL_FORMATS, *ON_REQUEST}
    assert builder("diagrams").wanted(RenderOptions("en", frozenset({"svg"})))
    assert not builder("pages").wanted(RenderOptions("en", frozenset({"svg"})))
    with pytest.raises(KeyError):
        builder("nope")


def test_scope() -> None:
    assert ALL.whole and ALL.journeys is None
    assert Scope.of(["a", "b"]) == Scope(frozenset({"a", "b"}), True)
    assert not Scope.of(["a"]).whole and not Scope(None, shared=False).whole
    with pytest.raises(TypeError):
        Scope.of("a")


def journey_files(graph: nx.MultiDiGraph, ref: str, formats: frozenset[str]) -> set[str]:
    """The paths of one journey's own files."""
    dot = journey_diagram_paths(graph)[ref]
    images = {dot.rsplit(".", 1)[0] + "." + f for f in formats & {"svg", "png", "pdf"}}
    return {journey_page(ref), f"mermaid/{ref}.mmd", dot, *images}


@needs_dot
def test_a_journey_scope_renders_that_journeys_files_as_a_full_build(
    example_graph: nx.MultiDiGraph,
) -> None:
    options = RenderOptions("ja", FORMATS)
    full = build_files(example_graph, options, ALL)
    assert full == render_all(example_graph, options, 1)
    ref = journey_refs(example_graph)[1]
    own = build_files(example_graph, options, Scope.of([ref], shared=False))
    assert set(own) == journey_files(example_graph, ref, FORMATS)
    assert own == {path: full[path] for path in own}
    with_shared = build_files(example_graph, options, Scope.of([ref]))
    others = {
        path
        for other in journey_refs(example_graph)
        if other != ref
        for path in journey_files(example_graph, other, FORMATS)
    }
    assert set(with_shared) == set(full) - others
    assert with_shared == {path: full[path] for path in with_shared}


@needs_dot
def test_the_entry_points_of_before_are_calls_of_the_loop(
    example_graph: nx.MultiDiGraph,
) -> None:
    options = RenderOptions("en", FORMATS)
    full = build_files(example_graph, options)
    refs = journey_refs(example_graph)[:2]
    pages = render_journey_pages(example_graph, options, refs)
    assert pages == {journey_page(r): full[journey_page(r)] for r in refs}
    memo: dict[tuple[str, bytes], bytes] = {}
    scoped = render_scoped(example_graph, options, 1, memo, refs)
    assert scoped == build_files(example_graph, options, Scope.of(refs))
    assert memo  # Graphviz results kept for the next build
    only = build_files(example_graph, options, builders=("data",))
    assert set(only) == {"data/graph.json", "data/journeys.csv"}


def test_no_overlay_no_leads_files(example_graph: nx.MultiDiGraph) -> None:
    options = RenderOptions("en", frozenset({"html", "json"}))
    assert builder("leads").render(example_graph, options, ALL, Tools()) == {}
