"""Coverage figures on fixture projects written for the purpose, and on the bundled example.

tests/fixtures/coverage-basic: stages s1..s4, segments big and small, journeys ann-journey
(big: s1 s2 s3), bob-journey (small: s1 s2 s4) and small-team (segment small: s3). Items:
guide-all (s1, all segments, published), case-big (s2, big, published), case-small (s2,
small, draft), old-deck (s3, retired), quote-big (s3, big, planned), onboarding (s1, big,
published; named by bob-journey's s4 action), faq-nostatus (s4, no status, no owner).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from toolkit.analyses import coverage as cov
from toolkit.cli import coverage_text as ctext
from toolkit.pipeline import compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def graph_of(name: str) -> nx.MultiDiGraph:
    compiled = compile_project(FIXTURES / name, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    assert compiled.graph is not None
    return compiled.graph


@pytest.fixture(scope="module")
def basic() -> nx.MultiDiGraph:
    return graph_of("coverage-basic")


@pytest.fixture(scope="module")
def nosegments() -> nx.MultiDiGraph:
    return graph_of("coverage-nosegments")


def entry(journey: str | None, segment: str | None, stage: str, items: list[str], pipe: list[str]):
    head = {} if journey is None else {"journey": journey}
    return {
        **head,
        "segment": segment,
        "stage": stage,
        "count": len(items),
        "items": items,
        "pipeline": pipe,
    }


def test_step_coverage_exact(basic: nx.MultiDiGraph) -> None:
    """Published items by stage and segment, all-segment items, action-named items; drafts
    and planned items are pipeline; retired and status-less items never count."""
    assert cov.coverage_json(basic)["steps"] == [
        entry("ann-journey", "big", "s1", ["guide-all", "onboarding"], []),
        entry("ann-journey", "big", "s2", ["case-big"], []),
        entry("ann-journey", "big", "s3", [], ["quote-big"]),
        entry("bob-journey", "small", "s1", ["guide-all"], []),
        entry("bob-journey", "small", "s2", [], ["case-small"]),
        entry("bob-journey", "small", "s4", ["onboarding"], []),
        entry("small-team", "small", "s3", [], []),
    ]


def test_segment_coverage_exact(basic: nx.MultiDiGraph) -> None:
    """Every segment x stage, with or without a journey; actions do not count here."""
    assert cov.coverage_json(basic)["segments"] == [
        entry(None, "big", "s1", ["guide-all", "onboarding"], []),
        entry(None, "big", "s2", ["case-big"], []),
        entry(None, "big", "s3", [], ["quote-big"]),
        entry(None, "big", "s4", [], []),
        entry(None, "small", "s1", ["guide-all"], []),
        entry(None, "small", "s2", [], ["case-small"]),
        entry(None, "small", "s3", [], []),
        entry(None, "small", "s4", [], []),
    ]


def test_project_without_segments(nosegments: nx.MultiDiGraph) -> None:
    assert cov.coverage_json(nosegments) == {
        "steps": [entry("solo", None, "s1", ["x"], []), entry("solo", None, "s2", [], ["y"])],
        "segments": [entry(None, None, "s1", ["x"], []), entry(None, None, "s2", [], ["y"])],
    }
    assert [r.key for r in cov.segment_matrix(nosegments)] == [None]


def test_covered_share_and_min(basic: nx.MultiDiGraph) -> None:
    steps = cov.step_cells(basic)
    assert cov.covered_share(steps) == (4, 7)
    assert cov.covered_share(steps, min_items=2) == (1, 7)
    assert cov.covered_share(cov.segment_cells(basic)) == (3, 8)


def test_fail_under_is_exact() -> None:
    assert not cov.fails_under(1, 2, 50)
    assert cov.fails_under(1, 2, 50.01)
    assert not cov.fails_under(0, 0, 100)  # nothing to cover
    assert cov.fails_under(0, 3, 0.1)
    assert not cov.fails_under(4, 7, 57.1) and cov.fails_under(4, 7, 57.2)
    assert cov.percent(0, 0) == 100.0


def test_gaps_name_pipeline_and_owner(basic: nx.MultiDiGraph) -> None:
    found = {
        (g.cell.segment, g.cell.stage): [(p.id, p.status, p.owner) for p in g.pipeline]
        for g in cov.gaps(basic, cov.segment_cells(basic))
    }
    assert found == {
        ("big", "s3"): [("quote-big", "planned", "sales")],
        ("big", "s4"): [],
        ("small", "s2"): [("case-small", "draft", "marketing")],
        ("small", "s3"): [],
        ("small", "s4"): [],
    }
    step_gaps = [(g.cell.journey, g.cell.stage) for g in cov.gaps(basic, cov.step_cells(basic))]
    assert step_gaps == [("ann-journey", "s3"), ("bob-journey", "s2"), ("small-team", "s3")]


def test_min_turns_thin_cells_into_gaps(basic: nx.MultiDiGraph) -> None:
    gaps = cov.gaps(basic, cov.segment_cells(basic), min_items=2)
    assert [(g.cell.segment, g.cell.stage, g.cell.count) for g in gaps] == [
        ("big", "s2", 1),
        ("big", "s3", 0),
        ("big", "s4", 0),
        ("small", "s1", 1),
        ("small", "s2", 0),
        ("small", "s3", 0),
        ("small", "s4", 0),
    ]


def test_ownership_per_role_stage_status(basic: nx.MultiDiGraph) -> None:
    assert [(o.role, o.stage, o.status, o.items) for o in cov.ownership(basic)] == [
        ("marketing", "s1", "published", ("guide-all",)),
        ("marketing", "s2", "published", ("case-big",)),
        ("marketing", "s2", "draft", ("case-small",)),
        ("sales", "s3", "planned", ("quote-big",)),
        ("sales", "s3", "retired", ("old-deck",)),
        ("support", "s1", "published", ("onboarding",)),
        (None, "s4", None, ("faq-nostatus",)),
    ]
    assert [(r.role, r.status, r.counts) for r in cov.ownership_matrix(basic)] == [
        ("marketing", "published", (1, 1, 0, 0)),
        ("marketing", "draft", (0, 1, 0, 0)),
        ("sales", "planned", (0, 0, 1, 0)),
        ("sales", "retired", (0, 0, 1, 0)),
        ("support", "published", (1, 0, 0, 0)),
        (None, None, (0, 0, 0, 1)),
    ]


def test_idle_role_gets_a_row_of_zeros(nosegments: nx.MultiDiGraph) -> None:
    rows = [(r.role, r.status, r.counts) for r in cov.ownership_matrix(nosegments)]
    assert rows == [("marketing", "published", (1, 0)), (None, "draft", (0, 1))]


def test_matrices_mark_missing_steps(basic: nx.MultiDiGraph) -> None:
    rows = {
        r.key: [None if c is None else c.count for c in r.cells] for r in cov.journey_matrix(basic)
    }
    assert rows == {
        "ann-journey": [2, 1, 0, None],
        "bob-journey": [1, 0, None, 1],
        "small-team": [None, None, 0, None],
    }
    seg = {r.key: [c.count for c in r.cells if c] for r in cov.segment_matrix(basic)}
    assert seg == {"big": [2, 1, 0, 0], "small": [1, 0, 0, 0]}


def test_csv_tables(basic: nx.MultiDiGraph) -> None:
    steps = cov.coverage_csv(basic, "steps").splitlines()
    assert steps[0] == "journey,segment,stage,count,items,pipeline"
    assert steps[1] == "ann-journey,big,s1,2,guide-all onboarding,"
    assert steps[3] == "ann-journey,big,s3,0,,quote-big"
    segments = cov.coverage_csv(basic, "segments").splitlines()
    assert segments[0] == "segment,stage,count,items,pipeline"
    assert segments[6] == "small,s2,0,,case-small"
    assert len(segments) == 9
    owners = cov.coverage_csv(basic, "owners").splitlines()
    assert owners[0] == "role,stage,status,count,items"
    assert owners[-1] == ",s4,,1,faq-nostatus"
    with pytest.raises(ValueError):
        cov.table_rows(basic, "nope")


def test_example_project_figures(example_graph: nx.MultiDiGraph) -> None:
    """The bundled example: one segment gap (ma-adopted x problem-aware), 24 of 26 steps."""
    assert cov.covered_share(cov.step_cells(example_graph)) == (24, 26)
    gaps = cov.gaps(example_graph, cov.segment_cells(example_graph))
    assert [(g.cell.segment, g.cell.stage) for g in gaps] == [("ma-adopted", "problem-aware")]
    assert [p.id for p in gaps[0].pipeline] == ["ma-health-check", "wp-ma-stalled-cases"]
    counts = {r.key: [c.count for c in r.cells if c] for r in cov.segment_matrix(example_graph)}
    assert counts == {
        "ma-adopted": [1, 0, 4, 6, 6, 3, 2, 2, 2],
        "no-ma": [1, 1, 5, 6, 5, 2, 2, 2, 2],
    }


def test_text_cells_and_gap_lines(basic: nx.MultiDiGraph) -> None:
    cells = {(c.segment, c.stage): c for c in cov.segment_cells(basic)}
    assert ctext.cell_text(cells[("big", "s3")], 1).plain == "0! +1"
    assert ctext.cell_text(cells[("big", "s1")], 1).plain == "2"
    assert ctext.cell_text(cells[("big", "s1")], 3).plain == "2!"
    assert ctext.cell_text(None, 1).plain == "-"
    lines = ctext.gap_lines(basic, "segment", "en")
    assert lines[0] == ("Buy (s3) x Enterprises (big): 0 items; quote-big (planned, owner sales)")
    assert lines[1] == "Use (s4) x Enterprises (big): 0 items; nothing in the pipeline"
    journey_lines = ctext.gap_lines(basic, "journey", "ja")
    assert journey_lines[1] == (
        "検討 (s2) x bob-journey: 0 items (segment small); case-small (draft, owner marketing)"
    )
