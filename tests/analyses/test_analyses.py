"""Analyses: content coverage and the four warnings, each at the thing it is about."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from projects import write_project

from toolkit.analyses.warnings import graph_warnings, step_coverage
from toolkit.common.diagnostics import Diagnostic, sort_diagnostics
from toolkit.pipeline import Compiled, compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
WARNING_CODES = {"seller-absent", "content-gap", "orphan-content", "unserved-stage"}


def compiled(root: Path) -> Compiled:
    result = compile_project(root, shown_as="")
    assert result.graph is not None, [d.render() for d in result.diagnostics]
    return result


def warned(diags: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    assert all(d.severity == "warning" for d in diags)
    return [(d.code, d.file, d.line, d.column) for d in sort_diagnostics(diags)]


def test_example_warnings(example: Compiled) -> None:
    assert warned(example.diagnostics) == [
        ("content-gap", "journeys/journey-ma-adopted-inside-sales.yaml", 6, 3),
        ("seller-absent", "journeys/journey-ma-adopted-inside-sales.yaml", 114, 3),
        ("content-gap", "journeys/journey-ma-adopted-sales-head.yaml", 6, 3),
        ("seller-absent", "journeys/journey-no-ma-manager.yaml", 6, 3),
    ]
    gaps = [d.hint for d in example.diagnostics if d.code == "content-gap"]
    assert gaps == ["in the pipeline: ma-health-check, wp-ma-stalled-cases"] * 2


def test_example_warnings_come_from_the_graph(
    example: Compiled, example_graph: nx.MultiDiGraph
) -> None:
    assert sort_diagnostics(graph_warnings(example_graph)) == sort_diagnostics(example.diagnostics)


def test_each_warning_at_its_place() -> None:
    result = compiled(FIXTURES / "warnings")
    diags = sort_diagnostics(result.diagnostics)
    assert [(d.code, d.file, d.line, d.column, d.message, d.hint) for d in diags] == [
        (
            "content-gap",
            "journeys/ann.yaml",
            10,
            3,
            "step 'buy' of journey 'ann-journey' has no published content",
            "in the pipeline: quote-sheet",
        ),
        (
            "seller-absent",
            "journeys/ann.yaml",
            10,
            3,
            "step 'buy' of journey 'ann-journey' has no seller action",
            "add 'actions:' or accept that the buyer is alone here",
        ),
        (
            "orphan-content",
            "journeys/content.yaml",
            9,
            9,
            "content item 'loyalty-mail' serves no journey step",
            "target a stage and segment that a journey has, name it in an action, or retire it",
        ),
        (
            "unserved-stage",
            "journeys/stages.yaml",
            7,
            9,
            "no funnel stage serves customer stage 'retain'",
            "add it to a funnel stage's 'serves:'",
        ),
    ]
    assert {d.code for d in diags} == WARNING_CODES


def test_coverage_of_the_warnings_fixture() -> None:
    graph = compiled(FIXTURES / "warnings").graph
    assert graph is not None
    assert [(c.step, c.segment, c.items, c.pipeline, c.count) for c in step_coverage(graph)] == [
        ("step:ann-journey/aware", None, ("guide",), (), 1),
        ("step:ann-journey/buy", None, (), ("quote-sheet",), 0),
    ]


def test_base_project_has_no_warnings(tmp_path: Path) -> None:
    assert compiled(write_project(tmp_path)).diagnostics == []


SEGMENTED = {
    "journeys/segments.yaml": "kind: segments\nsegments:\n  - id: smb\n  - id: ent\n",
    "personas/ann.yaml": "kind: persona\nid: ann\nname: Ann\nsegment: smb\n",
}


def test_coverage_follows_the_journeys_segment(tmp_path: Path) -> None:
    content = """\
        kind: content
        items:
          - {id: guide-smb, stages: [aware], segments: [smb], status: published}
          - {id: guide-ent, stages: [aware, buy], segments: [ent], status: published}
          - {id: guide-all, stages: [aware], status: published}
          - {id: quote-ent, stages: [buy], segments: [ent], status: draft}
        """
    result = compiled(write_project(tmp_path, {**SEGMENTED, "journeys/content.yaml": content}))
    assert result.graph is not None
    assert [(c.stage, c.segment, c.items, c.pipeline) for c in step_coverage(result.graph)] == [
        ("aware", "smb", ("guide-all", "guide-smb"), ()),
        ("buy", "smb", (), ()),
    ]
    assert warned(result.diagnostics) == [
        ("content-gap", "journeys/ann.yaml", 10, 3),
        ("orphan-content", "journeys/content.yaml", 4, 10),
        ("orphan-content", "journeys/content.yaml", 6, 10),
    ]


def test_items_named_by_actions_cover_their_step(tmp_path: Path) -> None:
    journey = """\
        kind: journey
        id: ann-journey
        persona: ann
        steps:
          aware:
            actions:
              - {role: marketing, action: Invite, content: [webinar, planned-case]}
          buy:
            actions:
              - {role: sales, action: Quote, content: [old-deck]}
        """
    content = """\
        kind: content
        items:
          - {id: webinar, stages: [buy], status: published}
          - {id: planned-case, stages: [buy], status: planned}
          - {id: old-deck, stages: [aware], status: retired}
        """
    result = compiled(
        write_project(tmp_path, {"journeys/ann.yaml": journey, "journeys/content.yaml": content})
    )
    assert result.graph is not None
    assert [(c.stage, c.items, c.pipeline) for c in step_coverage(result.graph)] == [
        ("aware", ("webinar",), ("planned-case",)),
        ("buy", ("webinar",), ("planned-case",)),
    ]
    assert warned(result.diagnostics) == []


def test_a_segment_journey_and_an_unsegmented_persona(tmp_path: Path) -> None:
    files = {
        "journeys/segments.yaml": "kind: segments\nsegments:\n  - id: smb\n",
        "personas/ann.yaml": "kind: persona\nid: ann\nname: Ann\nsegment: smb\n",
        "journeys/smb.yaml": "kind: journey\nid: smb-journey\nsegment: smb\nsteps:\n  aware:\n",
        "journeys/content.yaml": (
            "kind: content\nitems:\n"
            "  - {id: guide, stages: [aware], segments: [smb], status: published}\n"
            "  - {id: quote-sheet, stages: [buy], status: published}\n"
        ),
    }
    result = compiled(write_project(tmp_path, files))
    assert result.graph is not None
    assert [(c.journey, c.stage, c.segment, c.items) for c in step_coverage(result.graph)] == [
        ("ann-journey", "aware", "smb", ("guide",)),
        ("ann-journey", "buy", "smb", ("quote-sheet",)),
        ("smb-journey", "aware", "smb", ("guide",)),
    ]
    assert warned(result.diagnostics) == [("seller-absent", "journeys/smb.yaml", 5, 3)]


def test_unserved_stage_without_any_journey(tmp_path: Path) -> None:
    stages = "kind: stages\nstages:\n  - id: aware\n  - id: buy\n  - id: loyal\n    label: Loyal\n"
    result = compiled(write_project(tmp_path, {"journeys/stages.yaml": stages}))
    assert warned(result.diagnostics) == [("unserved-stage", "journeys/stages.yaml", 5, 9)]
