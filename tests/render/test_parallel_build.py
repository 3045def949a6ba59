"""Rendering on two processes gives exactly the files of rendering in one."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from tools import needs_dot

from toolkit.load.workers import WorkerError, can_fork, fork_each
from toolkit.render.builder import page_groups, render_all
from toolkit.render.common import RenderOptions
from toolkit.render.formats import ALL_FORMATS

needs_fork = pytest.mark.skipif(not can_fork(), reason="forking workers needs Linux")


@needs_fork
@needs_dot
def test_two_processes_render_the_same_files(example_graph: nx.MultiDiGraph) -> None:
    options = RenderOptions("ja", frozenset(ALL_FORMATS) - {"png", "pdf"})
    alone = render_all(example_graph, options, 1)
    together = render_all(example_graph, options, 2, parallel_min_nodes=0)
    assert together == alone
    assert len(alone) == 33  # 11 pages, 7 DOT + 7 SVG, 5 Mermaid, json, csv, xlsx


@needs_fork
@needs_dot
@pytest.mark.parametrize("jobs", [3, 4])
def test_journey_pages_in_workers_render_the_same_files(
    example_graph: nx.MultiDiGraph, jobs: int
) -> None:
    options = RenderOptions("en", frozenset({"html", "svg", "mermaid", "json"}))
    alone = render_all(example_graph, options, 1)
    assert render_all(example_graph, options, jobs, parallel_min_nodes=0) == alone
    assert len(alone) == 11 + 7 + 5 + 1


def test_page_groups_split_the_journeys_in_order(example_graph: nx.MultiDiGraph) -> None:
    refs = [d["ref"] for _, d in example_graph.nodes(data=True) if d["type"] == "journey"]
    html = RenderOptions("ja", frozenset({"html"}))
    assert len(refs) == 5
    assert page_groups(example_graph, html, 2) == [refs[:3], refs[3:]]
    assert page_groups(example_graph, html, 1) == [refs]
    assert page_groups(example_graph, html, 0) == []  # two cores: pages stay in the parent
    assert page_groups(example_graph, RenderOptions("ja", frozenset({"svg"})), 2) == []


@needs_fork
def test_fork_each_returns_results_in_order_and_raises_worker_errors() -> None:
    pid = Path("/proc/self").resolve().name
    results = fork_each([lambda: Path("/proc/self").resolve().name, lambda: "child", lambda: 3])
    assert results == [pid, "child", 3]

    def broken() -> str:
        raise ValueError("boom in the worker")

    with pytest.raises(WorkerError, match="ValueError: boom in the worker"):
        fork_each([lambda: "here", broken])


def test_one_call_runs_here() -> None:
    assert fork_each([lambda: 41 + 1]) == [42]
