"""`kind: qualification`: the model (toolkit/model/qualification.py), its diagnostics located in the
YAML, and the cross-check of its references against the project."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from toolkit.common.diagnostics import Diagnostic
from toolkit.model.project import Entry
from toolkit.model.qualification import (
    Condition,
    check_qualification,
    describe,
    load_rules_file,
    load_rules_text,
)
from toolkit.model.schema import format_schema
from toolkit.pipeline import Compiled, compile_project

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_RULES = REPO / "journeys" / "qualification.yaml"
PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "leads-project"

MINIMAL = """\
kind: qualification
sales:
  lead_time_months: 6
  target_roles: [decision-maker]
  criteria:
    need:
      values: [{value: "yes"}, {value: "no"}]
marketing:
  depth_levels: [{id: shallow}, {id: deep}]
  signals:
    - {id: download, points: 5, depth: shallow}
classes:
  - {id: lead}
  - id: prospect
    when: {known: [need]}
"""


@pytest.fixture(scope="module")
def project() -> Compiled:
    compiled = compile_project(PROJECT)
    assert compiled.ok
    return compiled


def check(text: str, project: Compiled) -> list[Diagnostic]:
    doc, source, diags = load_rules_text(textwrap.dedent(text), "q.yaml")
    if doc is None or source is None:
        return diags
    return [*diags, *check_qualification(Entry(doc, source, ()), project.project)]


def codes(diags: list[Diagnostic]) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in diags]


def test_bundled_example_rules_are_clean(example: Compiled) -> None:
    doc, source, diags = load_rules_file(EXAMPLE_RULES)
    assert doc is not None and source is not None and diags == []
    assert check_qualification(Entry(doc, source, ()), example.project) == []
    assert [c.id for c in doc.classes] == ["lead", "prospect", "mql", "sal", "sql"]
    assert doc.prospect() == "prospect"


def test_minimal_document_is_clean(project: Compiled) -> None:
    assert check(MINIMAL, project) == []


def test_unknown_key_has_did_you_mean(project: Compiled) -> None:
    diags = check(MINIMAL.replace("lead_time_months", "lead_time_month"), project)
    unknown = [d for d in diags if d.code == "unknown-key"]
    assert unknown and unknown[0].line == 3 and "lead_time_months" in unknown[0].hint


def test_wrong_values_are_located(project: Compiled) -> None:
    text = MINIMAL.replace("points: 5", "points: lots").replace("[decision-maker]", "[boss]")
    diags = check(text, project)
    assert ("wrong-type", 11) in codes(diags)
    assert ("invalid-value", 4) in codes(diags)


def test_unknown_lead_class_and_stage(project: Compiled) -> None:
    text = MINIMAL.replace("  - id: prospect", "  - id: prospekt") + textwrap.dedent("""\
        placement:
          - {stage: decidee}
          - {from: problem}
        prospect_class: mql
    """)
    diags = check(text, project)
    refs = {(d.message, d.line, d.hint) for d in diags if d.code == "unknown-ref"}
    assert ("unknown lead class 'prospekt'", 14, "did you mean 'prospect'?") in refs
    assert ("unknown customer stage 'decidee'", 17, "did you mean 'decide'?") in refs
    assert any(msg == "unknown lead class 'mql'" for msg, _, _ in refs)


def test_unknown_depth_and_values_in_rules(project: Compiled) -> None:
    text = MINIMAL.replace("depth: shallow", "depth: shalow").replace(
        "when: {known: [need]}", "when: {depth_min: deeep, values: {need: [maybe]}}"
    )
    diags = check(text, project)
    messages = {d.message for d in diags if d.code == "unknown-ref"}
    assert messages == {
        "unknown depth level 'shalow'",
        "unknown depth level 'deeep'",
        "unknown need value 'maybe'",
    }


def test_class_min_not_allowed_in_class_rules(project: Compiled) -> None:
    text = MINIMAL.replace("when: {known: [need]}", "when: {class_min: lead}")
    assert ("invalid-value", 15) in codes(check(text, project))


def test_duplicates(project: Compiled) -> None:
    text = MINIMAL.replace(
        "    - {id: download, points: 5, depth: shallow}",
        "    - {id: download, points: 5, depth: shallow}\n    - {id: dl, aliases: [Download]}",
    ).replace('{value: "no"}', '{value: "YES "}')
    diags = [d for d in check(text, project) if d.code == "duplicate-id"]
    assert {d.message.split(" (")[0] for d in diags} == {
        "duplicate event type 'Download'",
        "duplicate need value 'YES '",
    }


def test_months_only_on_timeframe(project: Compiled) -> None:
    text = MINIMAL.replace('{value: "yes"}', '{value: "yes", months: 3}')
    assert [d.code for d in check(text, project)] == ["invalid-value"]


def test_placement_needs_stage_or_from(project: Compiled) -> None:
    text = MINIMAL + "placement:\n  - {stage: decide, from: answer}\n"
    diags = check(text, project)
    assert [d.code for d in diags] == ["wrong-type"] and diags[0].line == 17


def test_target_role_without_persona_is_a_warning(project: Compiled) -> None:
    text = MINIMAL.replace("[decision-maker]", "[decision-maker, proposer]")
    diags = check(text, project)
    assert [(d.severity, d.code, d.line) for d in diags] == [("warning", "unpersonified-role", 4)]


def test_invalid_ids_do_not_cascade(project: Compiled) -> None:
    doc, source, _ = load_rules_text(MINIMAL.replace("id: prospect", "id: broken"), "q.yaml")
    assert doc is not None and source is not None
    entry = Entry(doc, source, ())
    assert check_qualification(entry, project.project, {"lead_class": {"broken"}}) == []


def test_segment_values_must_be_segments(project: Compiled) -> None:
    text = MINIMAL + "segment_values: {大手: large, 中小: smal}\n"
    diags = check(text, project)
    assert [(d.code, d.hint) for d in diags] == [("unknown-ref", "did you mean 'small'?")]


def test_not_a_qualification_file() -> None:
    doc, _, diags = load_rules_text("kind: funnel\n", "q.yaml")
    assert doc is None and [d.code for d in diags] == ["missing-qualification"]
    doc, _, diags = load_rules_text("kind: [", "q.yaml")
    assert doc is None and diags[0].code == "yaml-syntax"


def test_describe() -> None:
    cond = Condition(
        score_min=30,
        known=["budget", "need"],
        target_role=True,
        any=[Condition(depth_min="contact"), Condition(timeframe_near=True)],
    )
    assert describe(cond, 6) == (
        "score >= 30, known B+N, target contact, any of (depth >= contact | "
        "timeframe within lead time (6 months))"
    )
    assert describe(Condition(), 6) == "always"


def test_schema_has_the_kind() -> None:
    schema = format_schema()
    assert "QualificationDoc" in schema["$defs"]
    assert "Condition" in schema["$defs"]


def test_typo_inside_an_optional_section_has_did_you_mean(project: Compiled) -> None:
    text = MINIMAL.replace('{value: "yes"}', '{value: "yes", pints: 1}')
    diags = check(text, project)
    assert [(d.code, d.hint) for d in diags] == [("unknown-key", "did you mean 'points'?")]
