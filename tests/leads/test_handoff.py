"""Handoff readiness (toolkit/leads/handoff.py, `journey leads --handoff`, `handoff-blind`) on
tests/fixtures/handoff-basic, whose exact outputs are its expected-*.csv/json files:

- H1 is ready: every field known (budget through the alias 'approved', shown as typed);
- H2's budget is 'unknown', a value with `known: false`: missing budget;
- H3's interests cell is empty and its timeframe 'undecided' (`known: false`);
- H4's need is empty, so it is no prospect (the rules' prospect class needs a known need);
- H5's interests cell holds only spaces (one of them U+3000), and its mission starts like a
  spreadsheet formula.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from projects import run_cli as run

from toolkit.leads.handoff import HANDOFF_COLUMNS
from toolkit.model.qualification import (
    HANDOFF_FIELDS,
    HandoffSource,
    handoff_sources,
    load_rules_text,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "handoff-basic"
RULES = FIX / "journeys" / "qualification.yaml"
LEADS = FIX / "leads.csv"


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    """The fixture project with one edit of its rules."""
    root = tmp_path / "project"
    shutil.copytree(FIX, root)
    rules = root / "journeys" / "qualification.yaml"
    text = rules.read_text(encoding="utf-8")
    assert old in text
    rules.write_text(text.replace(old, new), encoding="utf-8")
    return root


def test_handoff_csv_and_summary_are_exactly_the_expected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, summary = tmp_path / "handoff.csv", tmp_path / "summary.json"
    code, _, err = run(
        capsys, "leads", str(FIX), str(LEADS), "--handoff", str(out), "--summary", str(summary)
    )
    assert code == 0
    assert out.read_bytes() == (FIX / "expected-handoff.csv").read_bytes()
    expected = json.loads((FIX / "expected-summary.json").read_text(encoding="utf-8"))
    assert json.loads(summary.read_text(encoding="utf-8"))["handoff"] == expected["handoff"]
    assert list(expected["handoff"]["missing_by_field"]) == list(HANDOFF_FIELDS)
    lines = err.splitlines()
    at = lines.index("handoff: 1 of 4 prospect(s) ready; missing: interests 2, timing 1, budget 1")
    assert lines[at + 1 : at + 3] == [
        "  handoff small: 1 of 2 prospect(s) ready; missing: interests 1, timing 1",
        "  handoff large: 0 of 2 prospect(s) ready; missing: interests 1, budget 1",
    ]
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert tuple(rows[0]) == HANDOFF_COLUMNS
    assert [(r["lead_id"], r["missing"], r["ready"]) for r in rows] == [
        ("H1", "", "true"),
        ("H2", "budget", "false"),
        ("H3", "interests timing", "false"),
        ("H5", "interests", "false"),
    ]
    assert rows[0]["budget"] == "approved" and rows[1]["budget"] == ""
    assert rows[3]["mission"] == '\'=HYPERLINK("http://x","x")'  # formula-guarded
    # the JSON output carries the same summary
    code, body, _ = run(capsys, "leads", str(FIX), str(LEADS), "--format", "json")
    assert code == 0 and json.loads(body)["summary"]["handoff"] == expected["handoff"]


def test_handoff_never_overwrites_an_input_and_reports_unwritable_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = LEADS.read_bytes()
    for target in (LEADS, RULES):
        args = ["leads", str(FIX), str(LEADS), "--rules", str(RULES), "--handoff", str(target)]
        code, out, err = run(capsys, *args)
        assert code == 2 and out == "" and "is an input file" in err
    assert LEADS.read_bytes() == before
    missing = tmp_path / "no-such-folder" / "handoff.csv"
    code, _, err = run(capsys, "leads", str(FIX), str(LEADS), "--handoff", str(missing))
    assert code == 1 and f"cannot write {missing}: No such file or directory" in err
    assert "Traceback" not in err and not missing.parent.exists()


def test_a_handoff_column_missing_from_the_export_is_noted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_with(tmp_path, "  mission: mission\n", "  mission: Mission statement\n")
    leads = root / "leads.csv"
    code, body, err = run(capsys, "leads", str(root), str(leads), "--format", "json")
    assert code == 0
    assert (
        f"note: {leads} has no handoff column 'Mission statement' (mission): not known for any lead"
    ) in err.splitlines()
    handoff = json.loads(body)["summary"]["handoff"]
    assert handoff["ready"] == 0 and handoff["missing_by_field"]["mission"] == 4


def test_handoff_blind_is_one_exact_check_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_with(tmp_path, "  interests: interests\n", "")
    code, out, err = run(capsys, "check", str(root))
    rules = root / "journeys" / "qualification.yaml"
    assert code == 0 and err == "0 error(s), 1 warning(s)\n"
    assert out.splitlines() == [
        f"{rules}:32:1: warning handoff-blind: handoff field 'interests' has no column: it is "
        "never known, so no prospect is ready (name the lead column that holds it: "
        "'interests: COLUMN')"
    ]
    # and the judgment still runs: interests is missing for every prospect
    code, body, _ = run(capsys, "leads", str(root), str(root / "leads.csv"), "--format", "json")
    handoff = json.loads(body)["summary"]["handoff"]
    assert code == 0 and handoff["ready"] == 0
    assert handoff["missing_by_field"]["interests"] == 4


def test_a_criterion_the_rules_do_not_define_is_blind_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_with(
        tmp_path,
        "    timeframe:\n      values:\n        - {value: 3m, months: 3}\n"
        "        - {value: undecided, known: false}\n",
        "",
    )
    code, out, _ = run(capsys, "check", str(root))
    assert code == 0
    assert [line.split(": ", 1)[1] for line in out.splitlines()] == [
        "warning handoff-blind: handoff field 'timing' reads the timeframe criterion, which "
        "the rules do not define: it is never known, so no prospect is ready (define "
        "sales.criteria.timeframe or name a column: 'timing: COLUMN')"
    ]


def test_an_unknown_handoff_field_is_an_error_at_its_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = copy_with(tmp_path, "  mission: mission\n", "  missoin: mission\n")
    code, out, err = run(capsys, "check", str(root))
    rules = root / "journeys" / "qualification.yaml"
    assert code == 1
    assert (
        f"{rules}:33:3: error unknown-key: unknown key 'missoin' (did you mean 'mission'?)"
        in out + err
    )


def test_without_handoff_the_rules_columns_are_reused_and_nothing_warns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = RULES.read_text(encoding="utf-8")
    root = copy_with(tmp_path, text[text.index("handoff:") :], "")
    code, out, _ = run(capsys, "check", str(root))
    assert code == 0 and "handoff-blind" not in out
    code, body, _ = run(capsys, "leads", str(root), str(root / "leads.csv"), "--format", "json")
    assert code == 0
    assert json.loads(body)["summary"]["handoff"]["missing_by_field"] == {
        "mission": 4,
        "interests": 4,
        "position": 0,
        "need": 0,
        "progress": 4,  # the `stage` column: empty for every lead
        "timing": 1,
        "budget": 1,
    }


def test_sources_own_column_reused_column_and_criterion() -> None:
    base = RULES.read_text(encoding="utf-8")
    text = base.replace("  progress: progress note", "  budget: budget\n  position: Title")
    doc, _, diags = load_rules_text(text, "q.yaml")
    assert doc is not None and diags == []
    columns = {"role": "role", "stage": "stage", "need": "need", "timeframe": "tf"}
    assert handoff_sources(doc, columns | {"budget": "budget"}) == {
        "mission": HandoffSource("mission", None),
        "interests": HandoffSource("interests", None),
        "position": HandoffSource("Title", None),  # its own column
        "need": HandoffSource("need", "need"),
        "progress": HandoffSource("stage", None),  # the rules' stage column
        "timing": HandoffSource("tf", "timeframe"),
        "budget": HandoffSource("budget", "budget"),  # the very column the rules read
    }
    # a budget column of its own: known when not empty, whatever the criterion says
    assert handoff_sources(doc, columns | {"budget": "予算"})["budget"] == HandoffSource(
        "budget", None
    )


def test_the_json_schema_follows_the_model() -> None:
    from toolkit.model.schema import format_schema

    handoff = format_schema()["$defs"]["Handoff"]
    assert list(handoff["properties"]) == list(HANDOFF_FIELDS)
    assert handoff["additionalProperties"] is False
