"""JSON Schemas of the JSON outputs: each accepts the real output and rejects a mutated one."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from projects import run_cli as run

from toolkit.cli.main import main
from toolkit.model.outputs import OUTPUT_KINDS, SCHEMA_BASE, output_schema, schema_text
from toolkit.model.schema import format_schema

jsonschema = pytest.importorskip("jsonschema")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LEADS_FIX = FIXTURES / "leads-project"
PROCESSES = ["acquire", "retain-data", "nurture", "detect", "convert", "expand"]


def validator(kind: str) -> Any:
    return jsonschema.Draft202012Validator(output_schema(kind))


def problems(kind: str, data: Any) -> list[str]:
    """Every validation error as 'path: message' (empty when valid)."""
    found = validator(kind).iter_errors(data)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def json_out(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> Any:
    got, out, err = run(capsys, *args)
    assert got == code, err
    return json.loads(out)


# --- the schemas themselves -------------------------------------------------------------------


def _property_schemas(node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, schema) of every property declared anywhere in a schema."""
    if isinstance(node, dict):
        yield from (node.get("properties") or {}).items()
        for value in node.values():
            yield from _property_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _property_schemas(value)


@pytest.mark.parametrize("kind", list(OUTPUT_KINDS))
def test_each_schema_is_draft_2020_12_with_id_title_and_descriptions(kind: str) -> None:
    schema = output_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{SCHEMA_BASE}{kind}.json"
    assert schema["title"] == OUTPUT_KINDS[kind]
    assert schema["additionalProperties"] is False
    undescribed = [
        name
        for name, sub in _property_schemas(schema)
        if "description" not in sub and "$ref" not in sub and set(sub) != {"const"}
    ]
    assert undescribed == []


@pytest.mark.parametrize("kind", list(OUTPUT_KINDS))
def test_schema_output_prints_the_packaged_file(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "schema", "--output", kind)
    assert code == 0
    shipped = Path(__file__).resolve().parents[2] / "toolkit" / "model" / "schemas"
    assert out == (shipped / f"{kind}.json").read_text(encoding="utf-8")
    assert out == schema_text(output_schema(kind))


def test_plain_schema_is_the_format_schema_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    # as `journey schema` printed it before --output existed: click.echo(json.dumps(..., indent=2))
    assert out == json.dumps(format_schema(), ensure_ascii=False, indent=2) + "\n"
    assert "$id" not in json.loads(out)


@pytest.mark.parametrize("kind", [None, "graph"])
def test_schema_o_writes_the_same_bytes_atomically(
    kind: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    which = [] if kind is None else ["--output", kind]
    _, printed, _ = run(capsys, "schema", *which)
    target = tmp_path / "journey.schema.json"
    target.write_text("old")
    code, out, err = run(capsys, "schema", *which, "-o", str(target))
    assert (code, out) == (0, "")
    assert err == f"wrote {target}\n"
    assert target.read_bytes() == printed.encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["journey.schema.json"]  # no temporary left


def test_schema_o_into_a_missing_folder_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "schema", "-o", str(tmp_path / "no" / "s.json"))
    assert (code, out) == (2, "")
    assert err.startswith("journey schema: cannot write ") and "Traceback" not in err
    code, _, err = run(capsys, "schema", "--output", "diff")
    assert code == 2 and "'diff' is not one of 'check', 'coverage', 'graph'" in err


# --- check ------------------------------------------------------------------------------------


def test_check_of_the_example_and_of_a_broken_project(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = json_out(capsys, "check", str(repo_root), "--format", "json")
    assert example["errors"] == [] and len(example["warnings"]) >= 1
    assert problems("check", example) == []
    broken = json_out(capsys, "check", str(FIXTURES / "many-errors"), "--format", "json", code=1)
    assert len(broken["errors"]) >= 3
    assert problems("check", broken) == []
    strict = json_out(capsys, "check", str(repo_root), "--format", "json", "--strict", code=1)
    assert len(strict["errors"]) == len(example["warnings"]) and strict["warnings"] == []
    assert problems("check", strict) == []

    bad = copy.deepcopy(broken)
    bad["errors"][0]["severity"] = "warning"  # a warning in the errors list
    assert problems("check", bad) == ["errors/0/severity: 'error' was expected"]
    bad = copy.deepcopy(broken)
    del bad["errors"][0]["hint"]
    assert problems("check", bad) == ["errors/0: 'hint' is a required property"]
    bad = copy.deepcopy(example)
    bad["warnings"][0]["line"] = -1
    assert problems("check", bad) == ["warnings/0/line: -1 is less than the minimum of 0"]
    assert problems("check", {**example, "infos": []}) != []


# --- coverage ---------------------------------------------------------------------------------


def test_coverage_of_the_example_and_of_a_project_without_segments(
    repo_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json_out(capsys, "coverage", str(repo_root), "--format", "json")
    assert len(data["steps"]) >= 10 and len(data["segments"]) >= 10
    assert problems("coverage", data) == []
    plain = json_out(capsys, "coverage", str(FIXTURES / "coverage-nosegments"), "--format", "json")
    assert {cell["segment"] for cell in plain["segments"]} == {None}
    assert problems("coverage", plain) == []

    bad = copy.deepcopy(data)
    bad["steps"][0]["count"] = "0"
    assert problems("coverage", bad) == ["steps/0/count: '0' is not of type 'integer'"]
    bad = copy.deepcopy(data)
    bad["segments"][0]["journey"] = "x"  # segment rows have no journey
    assert problems("coverage", bad) != []
    bad = copy.deepcopy(data)
    del bad["steps"][0]["journey"]
    assert problems("coverage", bad) == ["steps/0: 'journey' is a required property"]


# --- graph ------------------------------------------------------------------------------------


def test_graph_of_the_example(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json_out(capsys, "graph", str(repo_root))
    assert problems("graph", data) == []
    types = {n["type"] for n in data["nodes"]}
    assert types == set(output_schema("graph")["$defs"]["node"]["properties"]["type"]["enum"])

    # mutations, each in a graph of one node and one edge (validating the whole graph is slow)
    step = next(n for n in data["nodes"] if n["type"] == "step")
    handoff = next(e for e in data["edges"] if e["type"] == "handoff")

    def one(node: dict[str, Any], edge: dict[str, Any]) -> dict[str, Any]:
        return {**data, "nodes": [node], "edges": [edge]}

    assert problems("graph", one(step, handoff)) == []
    assert problems("graph", one({**step, "type": "widget"}, handoff)) != []
    no_funnel = {k: v for k, v in step.items() if k != "funnel"}
    assert problems("graph", one(no_funnel, handoff)) == [
        "nodes/0: 'funnel' is a required property"
    ]
    assert problems("graph", one(step, {**handoff, "weight": 1})) == [
        "edges/0: Additional properties are not allowed ('weight' was unexpected)"
    ]
    no_stage = {k: v for k, v in handoff.items() if k != "to_stage"}
    assert problems("graph", one(step, no_stage)) == ["edges/0: 'to_stage' is a required property"]
    assert problems("graph", {**one(step, handoff), "graph": {**data["graph"], "titel": "x"}}) != []


def test_graph_of_small_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("graph-small", "coverage-nosegments", "leads-project"):
        data = json_out(capsys, "graph", str(FIXTURES / name))
        assert problems("graph", data) == [], name


# --- leads ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_leads(repo_root: Path) -> dict[str, Any]:
    """`journey leads . docs/examples/leads.csv --format json`, run once for the module."""
    out, err = io.StringIO(), io.StringIO()
    args = ["leads", str(repo_root), str(repo_root / "docs/examples/leads.csv")]
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as done:
        main([*args, "--format", "json"])
    assert done.value.code == 0, err.getvalue()
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_leads_of_the_example(example_leads: dict[str, Any]) -> None:
    assert len(example_leads["leads"]) == example_leads["summary"]["input"]["leads"]["judged"]
    assert len(example_leads["problems"]) >= 1
    assert problems("leads", example_leads) == []


def test_leads_with_events_and_the_summary_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.json"
    data = json_out(
        capsys,
        "leads",
        str(LEADS_FIX),
        str(LEADS_FIX / "leads.csv"),
        "--events",
        str(LEADS_FIX / "events.csv"),
        "--rules",
        str(LEADS_FIX / "rules.yaml"),
        "--format",
        "json",
        "--summary",
        str(summary),
    )
    assert data["summary"]["input"]["events"] is not None and data["summary"]["as_of"]
    assert problems("leads", data) == []
    # --summary FILE writes #/$defs/summary
    schema = output_schema("leads")
    summary_only = jsonschema.Draft202012Validator(
        {"$defs": schema["$defs"], "$ref": "#/$defs/summary"}
    )
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert written == data["summary"]
    assert [e.message for e in summary_only.iter_errors(written)] == []
    assert not summary_only.is_valid({**written, "as_of": 20260101})


def test_leads_handoff_is_optional_and_checked(example_leads: dict[str, Any]) -> None:
    handoff = {"prospects": 10, "ready": 2, "missing_by_field": {"budget": 3, "mission": 8}}
    data = copy.deepcopy(example_leads)
    data["summary"]["handoff"] = {**handoff, "by_segment": {"no-ma": handoff, "(none)": handoff}}
    assert problems("leads", data) == []
    data["summary"]["handoff"] = {"prospects": 10, "missing_by_field": {}}
    assert problems("leads", data) == ["summary/handoff: 'ready' is a required property"]
    data["summary"]["handoff"] = {**handoff, "missing_by_field": {"budget": "3"}}
    assert problems("leads", data) != []


def test_leads_mutations_fail(example_leads: dict[str, Any]) -> None:
    bad = copy.deepcopy(example_leads)
    bad["leads"][0]["horizon"] = "later"
    assert problems("leads", bad) == [
        "leads/0/horizon: 'later' is not one of ['buy-now', 'someday']"
    ]
    bad = copy.deepcopy(example_leads)
    del bad["summary"]["prospects"]
    assert problems("leads", bad) == ["summary: 'prospects' is a required property"]
    bad = copy.deepcopy(example_leads)
    bad["problems"][0]["effect"] = "dropped"
    assert problems("leads", bad) != []


# --- plan -------------------------------------------------------------------------------------


def a_plan() -> dict[str, Any]:
    """A plan as the spec fixes it (docs: journey plan --format json)."""
    row = {"label": "x", "funnel_stages": [], "roles": [], "lead_classes": []}
    counts = {"actions": 0, "content": 0, "kpis": 0, "gap": True}
    return {"processes": [{"id": p, **row, **counts} for p in PROCESSES]}


def test_plan_of_the_example(repo_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json_out(capsys, "plan", str(repo_root), "--format", "json")
    assert [p["id"] for p in data["processes"]] == PROCESSES
    assert problems("plan", data) == []


def test_plan_schema_takes_the_spec_and_rejects_the_rest() -> None:
    assert problems("plan", a_plan()) == []
    five = a_plan()
    del five["processes"][5]
    [message] = problems("plan", five)
    assert message.startswith("processes: [{'id': 'acquire'") and message.endswith("is too short")
    swapped = a_plan()
    procs = swapped["processes"]
    procs[0], procs[1] = procs[1], procs[0]
    assert problems("plan", swapped) != []
    extra = a_plan()
    extra["processes"][2]["owners"] = []
    assert problems("plan", extra) != []
    counted = a_plan()
    counted["processes"][0]["actions"] = -1
    assert problems("plan", counted) == ["processes/0/actions: -1 is less than the minimum of 0"]
