"""`journey plan` end to end: text, JSON and HTML, the language, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from projects import run_cli as run
from projects import write_project

BASIC = "tests/fixtures/plan-basic"


@pytest.fixture(autouse=True)
def at_repo(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)


def rows(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("|")] for line in out.splitlines() if "|" in line]


def test_text_is_a_table_with_the_gaps_marked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", BASIC)
    assert code == 0 and err == ""
    table = rows(out)
    assert table[0] == [
        "#",
        "process",
        "label",
        "funnel stages",
        "roles",
        "lead classes",
        "actions",
        "content",
        "kpis",
        "gap",
    ]
    assert table[1:] == [
        ["1", "acquire", "Acquire prospects", "Attract", "Marketing", "Lead", "3", "2", "1", ""],
        [
            "2",
            "retain-data!",
            "Keep prospect data as a sales asset",
            "-",
            "-",
            "-",
            "0",
            "0",
            "0",
            "GAP: no seller action",
        ],
        [
            "3",
            "nurture",
            "Communicate and nurture",
            "Attract",
            "Marketing",
            "Lead",
            "3",
            "2",
            "1",
            "",
        ],
        [
            "4",
            "detect!",
            "Find prospects with an explicit need",
            "Qualify",
            "Marketing, Sales",
            "SQL",
            "1",
            "0",
            "0",
            "GAP: no KPI",
        ],
        ["5", "convert", "Turn them into opportunities", "Close", "Sales", "-", "1", "1", "1", ""],
        [
            "6",
            "expand",
            "Expand business with customers",
            "Onboard",
            "Customer success, Sales",
            "-",
            "1",
            "1",
            "1",
            "",
        ],
    ]
    assert out.splitlines()[-1] == "Gaps (2): retain-data, detect"


def test_json_labels_follow_lang(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", BASIC, "--format", "json", "--lang", "ja")
    assert code == 0
    data = json.loads(out)
    assert [p["label"] for p in data["processes"]][:2] == [
        "見込み客の獲得",
        "見込み客データの維持・管理",
    ]
    expected = json.loads(Path(BASIC, "expected-plan.json").read_text(encoding="utf-8"))
    assert [{**p, "label": ""} for p in data["processes"]] == [
        {**p, "label": ""} for p in expected["processes"]
    ]


def test_html_to_a_file_and_to_standard_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "plan.html"
    code, out, err = run(capsys, "plan", BASIC, "--format", "html", "-o", str(target))
    assert code == 0 and out == "" and err == f"wrote {target}\n"
    html = target.read_text(encoding="utf-8")
    assert len(re.findall(r'<li class="process[ "]', html)) == 6
    assert re.findall(r'<li class="process gap" id="process-([a-z-]+)"', html) == [
        "retain-data",
        "detect",
    ]
    assert "2 of 6 processes have a gap." in html
    code, out, _ = run(capsys, "plan", BASIC, "--format", "html")
    assert code == 0 and out == html


def test_without_processes_the_text_says_how_to_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p")
    code, out, _ = run(capsys, "plan", str(root))
    assert code == 0
    assert out.splitlines()[0].startswith("No funnel stage lists a marketing process")
    assert out.splitlines()[-1] == (
        "Gaps (6): acquire, retain-data, nurture, detect, convert, expand"
    )


def test_a_project_with_errors_exits_1_with_its_diagnostics(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = write_project(tmp_path / "p", {"journeys/stages.yaml": None})
    code, out, err = run(capsys, "plan", str(root), "--format", "json")
    assert code == 1 and out == ""
    assert "error missing-stages" in err
