"""The marketing plan of the six processes (toolkit/analyses/plan.py) and `process-gap`."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from projects import run_cli as run
from projects import write_project

from toolkit.analyses.plan import (
    PROCESSES,
    funnel_location,
    mapped,
    plan_json,
    plan_warnings,
    process_plans,
)
from toolkit.common.i18n import translations
from toolkit.pipeline import Compiled, compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = FIXTURES / "plan-basic"


@pytest.fixture(scope="module")
def basic() -> Compiled:
    compiled = compile_project(BASIC, shown_as="")
    assert compiled.ok and compiled.graph is not None
    return compiled


@pytest.fixture(autouse=True)
def at_repo(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)


def test_the_six_processes_in_order() -> None:
    assert PROCESSES == ("acquire", "retain-data", "nurture", "detect", "convert", "expand")


def test_plan_basic_is_the_expected_json(basic: Compiled) -> None:
    assert basic.graph is not None
    expected = json.loads((BASIC / "expected-plan.json").read_text(encoding="utf-8"))
    assert plan_json(process_plans(basic.graph), translations("en")) == expected


def test_labels_follow_the_language(basic: Compiled) -> None:
    assert basic.graph is not None
    labels = [
        p["label"] for p in plan_json(process_plans(basic.graph), translations("ja"))["processes"]
    ]
    assert labels == [
        "見込み客の獲得",
        "見込み客データの維持・管理",
        "見込み客の育成",
        "有望見込み客の発見",
        "商談化",
        "既存顧客との取引拡大",
    ]


def test_the_journeys_counted_are_one_parameter(basic: Compiled) -> None:
    assert basic.graph is not None
    only_bob = {p.id: p for p in process_plans(basic.graph, journeys={"bob-journey"})}
    assert (only_bob["acquire"].actions, len(only_bob["acquire"].content)) == (1, 1)
    assert only_bob["convert"].actions == 0 and only_bob["convert"].gap
    assert only_bob["convert"].funnel_stages == ("close",)  # the funnel does not depend on it


def test_check_lines_are_exact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "tests/fixtures/plan-basic")
    assert code == 0
    assert out == (BASIC / "expected-check.txt").read_text(encoding="utf-8")
    assert err == "0 error(s), 3 warning(s)\n"
    code, out, _ = run(capsys, "check", "tests/fixtures/plan-basic", "--ignore", "process-gap")
    assert code == 0 and "process-gap" not in out


def test_the_warning_is_at_the_stages_key_of_the_funnel(basic: Compiled) -> None:
    where = funnel_location(basic.project)
    assert where is not None and (where.file, where.line, where.column) == (
        "journeys/funnel.yaml",
        11,
        1,
    )
    assert basic.graph is not None
    assert [d.message for d in plan_warnings(basic.graph, where)] == [
        "marketing process 'retain-data' has no seller action",
        "marketing process 'detect' has no KPI",
    ]


def test_a_project_without_processes_has_no_process_gap_and_six_gaps(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p")
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None
    g: nx.MultiDiGraph = compiled.graph
    assert not mapped(g)
    assert "process-gap" not in {d.code for d in compiled.diagnostics}
    assert plan_warnings(g, funnel_location(compiled.project)) == []
    data = plan_json(process_plans(g), translations("en"))
    assert [(p["id"], p["funnel_stages"], p["actions"], p["gap"]) for p in data["processes"]] == [
        (process, [], 0, True) for process in PROCESSES
    ]


def test_an_unknown_process_id_is_an_error_at_the_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    funnel = """\
        kind: funnel
        roles:
          - id: marketing
          - id: sales
        stages:
          - id: attract
            owners: [marketing]
            serves: [aware]
            processes: [acquire, nurtur]
          - id: close
            owners: sales
            processes: sideways
        """
    root = write_project(tmp_path / "p", {"journeys/funnel.yaml": funnel})
    code, out, err = run(capsys, "check", str(root))
    assert code == 1
    where = f"{root}/journeys/funnel.yaml"
    assert out.splitlines() == [
        f"{where}:9:26: error invalid-value: 'processes' cannot be 'nurtur' "
        "(did you mean 'nurture'?)",
        f"{where}:12:16: error invalid-value: 'processes' cannot be 'sideways' "
        "(one of: acquire, retain-data, nurture, detect, convert, expand)",
    ]
    assert err == "2 error(s), 0 warning(s)\n"


def test_the_example_maps_every_process_without_a_gap(example: Compiled) -> None:
    assert example.graph is not None
    plans = process_plans(example.graph)
    assert [p.gap for p in plans] == [False] * 6
    assert {p.id: p.funnel_stages for p in plans}["convert"] == ("opportunity", "proposal", "won")
    assert "process-gap" not in {d.code for d in example.diagnostics}
