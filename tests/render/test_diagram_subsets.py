"""Subset rendering (for `journey serve`): render_dot / render_mermaid with ``journeys``
give exactly the full render's files of those journeys, plus the project-wide diagrams."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import networkx as nx
import pytest
from projects import JOURNEY, write_project

from toolkit.graph.build import nodes_of
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.dot import journey_diagram_paths, render_dot
from toolkit.render.mermaid import render_mermaid

PROJECT_WIDE_DOT = ("diagrams/funnel.dot", "diagrams/overview.dot")


def options(graph: nx.MultiDiGraph) -> RenderOptions:
    return RenderOptions(graph.graph["language"], frozenset({"dot", "mermaid"}))


def refs_of(graph: nx.MultiDiGraph) -> list[str]:
    return sorted(d["ref"] for _, d in nodes_of(graph, "journey"))


def subsets(refs: list[str]) -> list[Collection[str]]:
    """Every single journey, none, all, a pair, and lists with repeats and unknown refs."""
    picks: list[Collection[str]] = [{ref} for ref in refs]
    picks += [set(), set(refs), tuple(refs[:2]), [refs[-1], refs[-1], "no-such-journey"]]
    return picks


def expected_dot(graph: nx.MultiDiGraph, full: dict[str, bytes], refs: Collection[str]):
    paths = journey_diagram_paths(graph)
    wanted = {*PROJECT_WIDE_DOT, *(paths[r] for r in refs if r in paths)}
    return {path: full[path] for path in sorted(wanted)}


def expected_mermaid(full: dict[str, bytes], refs: Collection[str]) -> dict[str, bytes]:
    return {p: b for p, b in full.items() if p.removeprefix("mermaid/")[:-4] in set(refs)}


def check_subsets(graph: nx.MultiDiGraph) -> None:
    opts = options(graph)
    full_dot, full_mmd = render_dot(graph, opts), render_mermaid(graph, opts)
    assert render_dot(graph, opts, journeys=None) == full_dot
    assert render_mermaid(graph, opts, journeys=None) == full_mmd
    for refs in subsets(refs_of(graph)):
        got = render_dot(graph, opts, journeys=refs)
        assert got == expected_dot(graph, full_dot, refs), refs
        assert list(got) == sorted(got)
        mmd = render_mermaid(graph, opts, journeys=refs)
        assert mmd == expected_mermaid(full_mmd, refs), refs
        assert list(mmd) == [p for p in full_mmd if p in mmd]


def test_subsets_of_the_example(example_graph: nx.MultiDiGraph) -> None:
    assert len(refs_of(example_graph)) > 2
    check_subsets(example_graph)


@pytest.fixture(scope="module")
def reserved_graph(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    """A small project whose journeys are named like the project-wide diagrams."""
    root: Path = tmp_path_factory.mktemp("reserved")
    files: dict[str, str | bytes | None] = {
        f"journeys/journey-{ref}.yaml": JOURNEY.replace("id: ann-journey", f"id: {ref}")
        for ref in ("funnel", "overview", "zed")
    }
    write_project(root, files)
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None, [d.render() for d in compiled.diagnostics]
    return compiled.graph


def test_subsets_with_journeys_named_like_project_wide_diagrams(reserved_graph) -> None:
    assert refs_of(reserved_graph) == ["ann-journey", "funnel", "overview", "zed"]
    check_subsets(reserved_graph)
    opts = options(reserved_graph)
    full = render_dot(reserved_graph, opts)
    funnel = render_dot(reserved_graph, opts, journeys={"funnel"})
    assert list(funnel) == sorted([*PROJECT_WIDE_DOT, "diagrams/journey-funnel.dot"])
    assert funnel["diagrams/journey-funnel.dot"] == full["diagrams/journey-funnel.dot"]
    assert funnel["diagrams/funnel.dot"] != funnel["diagrams/journey-funnel.dot"]
    overview = render_dot(reserved_graph, opts, journeys=["overview"])
    assert list(overview) == sorted([*PROJECT_WIDE_DOT, "diagrams/journey-overview.dot"])
    assert overview["diagrams/journey-overview.dot"] == full["diagrams/journey-overview.dot"]
    assert list(render_dot(reserved_graph, opts, journeys=())) == list(PROJECT_WIDE_DOT)
    mmd = render_mermaid(reserved_graph, opts, journeys={"funnel", "overview"})
    assert list(mmd) == ["mermaid/funnel.mmd", "mermaid/overview.mmd"]


def test_a_bare_string_is_not_a_collection_of_refs(example_graph: nx.MultiDiGraph) -> None:
    ref = refs_of(example_graph)[0]
    with pytest.raises(TypeError):
        render_dot(example_graph, options(example_graph), journeys=ref)
    with pytest.raises(TypeError):
        render_mermaid(example_graph, options(example_graph), journeys=ref)
