"""The journey graph: exact node and edge counts on a hand-written project, and attributes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from toolkit.graph.build import NODE_TYPES, nodes_of, to_node_link
from toolkit.pipeline import compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

NODE_COUNTS = {
    "stage": 4,
    "funnel_stage": 3,
    "role": 3,
    "lead_class": 2,
    "segment": 1,
    "persona": 2,
    "journey": 2,
    "step": 5,  # j1: s1 s2 s3, j2: s2 s4
    "action": 4,  # j1/s1: 1, j1/s2: 2, j2/s4: 1
    "content": 2,
}

EDGE_COUNTS = {
    "stage_next": 3,
    "funnel_next": 2,
    "lead_class_next": 1,
    "serves": 5,  # f1: s1 s2, f2: s2 s3, f3: s4
    "owns": 5,  # f1: ra, f2: ra rb, f3: rb rc
    "lead_class": 2,
    "handoff": 3,  # f1->f2: ra->rb; f2->f3: ra->rc, rb->rc
    "in_segment": 2,
    "journey_of": 1,  # j2 is a segment's journey
    "for_segment": 2,  # j1 through its persona, j2 its own
    "step_of": 5,
    "at_stage": 5,
    "step_next": 3,  # j1: s1->s2->s3, j2: s2->s4
    "transition": 2,
    "served_by": 6,  # j1/s1: f1; j1/s2: f1 f2; j1/s3: f2; j2/s2: f1 (explicit); j2/s4: f3
    "action_at": 4,
    "action_by": 4,
    "uses": 3,  # a1: c1; a2: c1 c2 (c1 named twice)
    "targets_stage": 3,  # c1: s1 s2; c2: s2 (listed twice)
    "targets_segment": 1,
    "owned_by": 2,
}


@pytest.fixture(scope="module")
def small() -> nx.MultiDiGraph:
    compiled = compile_project(FIXTURES / "graph-small", shown_as="")
    assert compiled.graph is not None
    assert [d for d in compiled.diagnostics if d.severity == "error"] == []
    return compiled.graph


def edges_of(g: nx.MultiDiGraph, kind: str) -> list[tuple[str, str]]:
    return sorted((u, v) for u, v, d in g.edges(data=True) if d["type"] == kind)


def test_node_counts(small: nx.MultiDiGraph) -> None:
    assert Counter(d["type"] for _, d in small.nodes(data=True)) == NODE_COUNTS
    assert set(NODE_COUNTS) == set(NODE_TYPES)
    assert small.number_of_nodes() == 28


def test_edge_counts(small: nx.MultiDiGraph) -> None:
    assert Counter(d["type"] for _, _, d in small.edges(data=True)) == EDGE_COUNTS
    assert small.number_of_edges() == 64


def test_handoffs_skip_shared_owners(small: nx.MultiDiGraph) -> None:
    handoffs = sorted(
        (u, v, k, d["from_stage"], d["to_stage"])
        for u, v, k, d in small.edges(keys=True, data=True)
        if d["type"] == "handoff"
    )
    assert handoffs == [
        ("role:ra", "role:rb", "handoff:f1->f2", "f1", "f2"),
        ("role:ra", "role:rc", "handoff:f2->f3", "f2", "f3"),
        ("role:rb", "role:rc", "handoff:f2->f3", "f2", "f3"),
    ]


def test_served_by_default_and_explicit(small: nx.MultiDiGraph) -> None:
    assert edges_of(small, "served_by") == [
        ("step:j1/s1", "funnel_stage:f1"),
        ("step:j1/s2", "funnel_stage:f1"),
        ("step:j1/s2", "funnel_stage:f2"),
        ("step:j1/s3", "funnel_stage:f2"),
        ("step:j2/s2", "funnel_stage:f1"),
        ("step:j2/s4", "funnel_stage:f3"),
    ]
    steps = {n: (d["funnel"], d["funnel_explicit"]) for n, d in nodes_of(small, "step")}
    assert steps == {
        "step:j1/s1": (["f1"], False),
        "step:j1/s2": (["f1", "f2"], False),
        "step:j1/s3": (["f2"], False),
        "step:j2/s2": (["f1"], True),
        "step:j2/s4": (["f3"], False),
    }


def test_steps_and_transitions(small: nx.MultiDiGraph) -> None:
    assert edges_of(small, "step_next") == [
        ("step:j1/s1", "step:j1/s2"),
        ("step:j1/s2", "step:j1/s3"),
        ("step:j2/s2", "step:j2/s4"),
    ]
    transitions = sorted(
        (u, v, k, d["index"])
        for u, v, k, d in small.edges(keys=True, data=True)
        if d["type"] == "transition"
    )
    assert transitions == [
        ("step:j1/s3", "step:j1/s1", "transition:0", 0),
        ("step:j2/s4", "step:j2/s2", "transition:0", 0),
    ]
    orders = {n: d["order"] for n, d in nodes_of(small, "step")}
    assert orders == {
        "step:j1/s1": 0,
        "step:j1/s2": 1,
        "step:j1/s3": 2,
        "step:j2/s2": 0,
        "step:j2/s4": 1,
    }


def test_people_and_content_edges(small: nx.MultiDiGraph) -> None:
    assert edges_of(small, "journey_of") == [("journey:j1", "persona:p1")]
    assert edges_of(small, "for_segment") == [
        ("journey:j1", "segment:sx"),
        ("journey:j2", "segment:sx"),
    ]
    assert edges_of(small, "uses") == [
        ("action:j1/s1/1", "content:c1"),
        ("action:j1/s2/1", "content:c1"),
        ("action:j1/s2/1", "content:c2"),
    ]
    assert edges_of(small, "action_by") == [
        ("action:j1/s1/1", "role:ra"),
        ("action:j1/s2/1", "role:ra"),
        ("action:j1/s2/2", "role:rb"),
        ("action:j2/s4/1", "role:rc"),
    ]
    assert edges_of(small, "targets_stage") == [
        ("content:c1", "stage:s1"),
        ("content:c1", "stage:s2"),
        ("content:c2", "stage:s2"),
    ]


def test_node_attributes_and_locations(small: nx.MultiDiGraph) -> None:
    step = small.nodes["step:j1/s2"]
    assert (step["ref"], step["journey"], step["stage"]) == ("j1/s2", "j1", "s2")
    assert (step["file"], step["line"], step["column"]) == ("journeys/j1.yaml", 11, 3)
    action = small.nodes["action:j1/s2/1"]
    assert (action["index"], action["role"], action["content"]) == (1, "ra", ["c1", "c2", "c1"])
    assert (action["file"], action["line"], action["column"]) == ("journeys/j1.yaml", 13, 9)
    p2 = small.nodes["persona:p2"]
    assert (p2["ref"], p2["name"], p2["file"], p2["line"]) == ("p2", "P Two", "personas/p1.yaml", 7)
    assert small.nodes["journey:j2"]["segment"] == "sx"
    assert small.nodes["journey:j1"]["segment"] == "sx"  # from its persona
    assert small.nodes["content:c2"]["segments"] is None


def test_node_link_round_trip(small: nx.MultiDiGraph) -> None:
    data = to_node_link(small)
    assert "edges" in data and "links" not in data
    back = nx.node_link_graph(data, edges="edges")
    assert back.is_multigraph() and back.is_directed()
    assert Counter(d["type"] for _, d in back.nodes(data=True)) == NODE_COUNTS
    assert Counter(d["type"] for _, _, d in back.edges(data=True)) == EDGE_COUNTS
    assert set(back.edges(keys=True)) == set(small.edges(keys=True))


# --- YAML 1.1 traps reach the graph as typed ---------------------------------------------


@pytest.fixture(scope="module")
def traps() -> nx.MultiDiGraph:
    compiled = compile_project(FIXTURES / "yaml11-traps", shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    assert compiled.graph is not None
    return compiled.graph


def test_yaml11_traps_stay_text(traps: nx.MultiDiGraph) -> None:
    persona = traps.nodes["persona:no"]
    assert persona["name"] == "No"
    assert persona["title"] == {"ja": "on", "en": "yes"}
    assert persona["quote"] == "2024-01-01"
    assert persona["goals"] == ["off", "0x1F", ".inf", "12:30:00"]
    assert persona["segment"] == "off"
    assert traps.nodes["stage:aware"]["label"] == "1.10"
    assert traps.nodes["stage:buy"]["label"] == {"ja": "12:30", "en": "0o17"}
    assert traps.nodes["stage:buy"]["description"] == "1_000"
    assert traps.nodes["role:marketing"]["label"] == "on"
    step = traps.nodes["step:norway/aware"]
    assert (step["thinking"], step["feeling"], step["doing"]) == ("12:30", "yes", ["on", "off"])
    assert traps.nodes["step:norway/buy"]["thinking"] == "2024-01-01"
    assert traps.nodes["action:norway/aware/1"]["action"] == "y"
    assert traps.nodes["content:guide"]["title"] == "1.10"
    journey = traps.nodes["journey:norway"]
    assert (journey["title"], journey["persona"]) == ("NO", "no")
    assert journey["transitions"] == [{"from": "buy", "to": "aware", "label": "No"}]


def test_yaml11_key_lookalikes_are_distinct_keys(traps: nx.MultiDiGraph) -> None:
    assert traps.nodes["segment:off"]["criteria"] == {
        "1": "one",
        "true": "truth",
        "yes": "agreement",
        "on": "switch",
        "version": "1.10",
    }


def test_typed_fields_are_typed(traps: nx.MultiDiGraph) -> None:
    assert traps.nodes["step:norway/buy"]["emotion"] == 1
    assert traps.nodes["content:guide"]["updated"] == "2026-01-01"  # a date, as JSON
