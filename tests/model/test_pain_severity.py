"""Pain severity (FORMAT.md extension 4): a step's pains as strings or {text, severity}
mappings, their errors at exact places, the JSON Schema, and the graph's `pain_severity`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import FIXTURES, write_project

from toolkit.common.diagnostics import sort_diagnostics
from toolkit.graph.build import to_node_link
from toolkit.model import models as m
from toolkit.model.project import load_project
from toolkit.model.schema import format_schema
from toolkit.pipeline import compile_project

GOOD = FIXTURES / "pain-severity"
BAD = FIXTURES / "pain-severity-errors"
NOT_A_PAIN = "expected text or a mapping {text, severity}"


def test_strings_and_mappings_mix_and_a_single_one_stands_for_the_list() -> None:
    step = m.Step.model_validate(
        {"pains": ["a", {"text": "b", "severity": "abandon"}, {"text": "c"}, 7]}
    )
    assert [(p.text, p.severity) for p in step.pains] == [
        ("a", None),
        ("b", "abandon"),
        ("c", None),
        ("7", None),
    ]
    single = m.Step.model_validate({"pains": {"text": "d", "severity": "workaround"}})
    assert [(p.text, p.severity) for p in single.pains] == [("d", "workaround")]
    assert [p.text for p in m.Step.model_validate({"pains": "e"}).pains] == ["e"]
    assert m.Step.model_validate({"pains": None}).pains == []
    # a mapping without severity is the plain string
    assert m.Step.model_validate({"pains": [{"text": "a"}]}) == m.Step.model_validate(
        {"pains": "a"}
    )


def test_the_three_errors_are_located_exactly() -> None:
    diags = sort_diagnostics(load_project(BAD, shown_as="").diagnostics)
    expected = (BAD / "expected-errors.txt").read_text(encoding="utf-8").splitlines()
    assert [d.render() for d in diags] == expected


def test_errors_in_a_list_and_in_a_single_mapping(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "journeys/stages.yaml": "kind: stages\nstages:\n  - id: s1\n",
            "journeys/funnel.yaml": (
                "kind: funnel\nroles: [{id: r}]\nstages:\n  - {id: f, owners: r, serves: s1}\n"
            ),
            "personas/p.yaml": "kind: persona\nid: p\nname: P\n",
            "journeys/j.yaml": (
                "kind: journey\nid: j\npersona: p\nsteps:\n  s1:\n    pains:\n"
                "      - {text: a, severty: abandon}\n"
                "      - [nested]\n"
                "      -\n"
            ),
            "journeys/k.yaml": (
                "kind: journey\nid: k\npersona: p\nsteps:\n  s1:\n    pains: {severity: abandn}\n"
            ),
        },
        base=False,
    )
    diags = sort_diagnostics(load_project(tmp_path, shown_as="").diagnostics)
    assert [d.render() for d in diags] == [
        "journeys/j.yaml:7:19: error unknown-key: unknown key 'severty' (did you mean 'severity'?)",
        "journeys/j.yaml:8:9: error wrong-type: 'item 2': " + NOT_A_PAIN,
        "journeys/j.yaml:9:8: error wrong-type: 'item 3': " + NOT_A_PAIN,
        "journeys/k.yaml:6:12: error missing-key: missing required key 'text'",
        "journeys/k.yaml:6:23: error invalid-value: 'severity' cannot be 'abandn' "
        "(did you mean 'abandon'?)",
    ]


def test_persona_pains_stay_strings(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "personas/p.yaml": (
                "kind: persona\nid: p\nname: P\npains:\n  - {text: a, severity: abandon}\n"
            )
        },
        base=False,
    )
    diags = [d for d in load_project(tmp_path, shown_as="").diagnostics if d.code == "wrong-type"]
    assert [(d.file, d.line, d.column, d.message) for d in diags] == [
        ("personas/p.yaml", 5, 3, "'pains': expected a list of strings")
    ]


def test_schema_describes_both_forms() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = format_schema()
    pains = schema["$defs"]["Step"]["properties"]["pains"]
    validator = jsonschema.Draft202012Validator({**pains, "$defs": schema["$defs"]})
    assert validator.is_valid(["a", {"text": "b", "severity": "abandon"}])
    assert validator.is_valid({"text": "b"})
    assert validator.is_valid("a")
    assert not validator.is_valid([{"text": "b", "severity": "fatal"}])
    assert not validator.is_valid([{"severity": "abandon"}])
    assert not validator.is_valid([{"text": "b", "colour": "red"}])
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_graph_keeps_texts_and_adds_severities_only_where_given() -> None:
    compiled = compile_project(GOOD, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    nodes = to_node_link(compiled.graph)["nodes"]
    steps = [
        {k: n[k] for k in ("id", "pains", "pain_severity") if k in n}
        for n in nodes
        if n["type"] == "step"
    ]
    expected = json.loads((GOOD / "expected" / "graph-steps.json").read_text(encoding="utf-8"))
    assert steps == expected
    assert "pain_severity" not in next(s for s in steps if s["id"] == "step:team/aware")
