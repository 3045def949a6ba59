"""`journey leads` and `journey selfcheck` end to end, through toolkit.cli.main.main (exit codes,
standard output and error)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from projects import run_cli as run

from toolkit.cli import leads as cli_leads
from toolkit.leads.judge import OUTPUT_COLUMNS

REPO = Path(__file__).resolve().parents[2]
FIX = Path(__file__).resolve().parents[1] / "fixtures" / "leads-project"
RULES = ["--rules", str(FIX / "rules.yaml")]
FIXED = [*RULES, "--as-of", "2026-01-31T00:00:00"]


def leads_args(*extra: str) -> list[str]:
    return ["leads", str(FIX), str(FIX / "leads.csv"), "--events", str(FIX / "events.csv"), *extra]


def test_leads_csv_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *leads_args(*FIXED))
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == OUTPUT_COLUMNS and len(rows) == 9
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["lead_id"] == "L1" and first["lead_class"] == "sql" and first["score"] == "31"
    assert first["target_contact"] == "yes" and first["horizon"] == "buy-now"
    assert "leads.csv:6: role: value ignored: '社長' is not a known role value" in err
    assert "prospects (prospect and beyond): 5; buy-now 1, someday 4 (80.0%)" in err
    assert "no content: 1 prospect(s) at decide / large (L6)" in err


def test_leads_json_and_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file, summary, problems = tmp_path / "o.json", tmp_path / "s.json", tmp_path / "p.csv"
    code, out, _ = run(
        capsys,
        *leads_args(
            *FIXED,
            "--format",
            "json",
            "-o",
            str(out_file),
            "--summary",
            str(summary),
            "--problems",
            str(problems),
        ),
    )
    assert code == 0 and out == ""
    body = json.loads(out_file.read_text(encoding="utf-8"))
    assert set(body) == {"leads", "summary", "problems"} and len(body["leads"]) == 8
    assert json.loads(summary.read_text(encoding="utf-8")) == body["summary"]
    raw = problems.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbffile,row,column,value,reason,effect\r\n")
    assert len(raw.decode("utf-8-sig").splitlines()) == 4


def test_csv_file_has_bom_and_no_formulas(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text('lead_id,company\nX1,"=HYPERLINK(""http://x"")"\nX2,-5\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, _ = run(capsys, "leads", str(FIX), str(leads), *RULES, "-o", str(out))
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[2][1] == "-5"


def test_strict_fails_on_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, *leads_args(*FIXED, "--strict"))[0] == 1


def test_column_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("ID,必要性\nX1,あり\n", encoding="utf-8")
    code, out, _ = run(
        capsys,
        "leads",
        str(FIX),
        str(leads),
        *RULES,
        "--lead-column",
        "id=ID",
        "--lead-column",
        "need=必要性",
    )
    assert code == 0 and "X1" in out and "prospect" in out
    code, _, err = run(capsys, "leads", str(FIX), str(leads), *RULES, "--lead-column", "id")
    assert code == 2 and "expected FIELD=COLUMN" in err


def test_missing_column_is_an_input_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("id\nX1\n", encoding="utf-8")
    code, _, err = run(capsys, "leads", str(FIX), str(leads), *RULES)
    assert code == 1 and "journey leads: " in err and "no column 'lead_id'" in err


def test_bad_as_of_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *leads_args(*RULES, "--as-of", "soon"))
    assert code == 2 and "--as-of" in err


def test_rules_errors_are_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    text = (FIX / "rules.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("- {stage: aware}", "- {stage: awar}"), encoding="utf-8")
    code, out, err = run(capsys, *leads_args("--rules", str(bad)))
    assert code == 1 and out == ""
    assert "error unknown-ref: unknown customer stage 'awar'" in err
    assert "did you mean 'aware'?" in err


def test_project_without_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *leads_args())
    assert code == 1 and "missing-qualification" in err and "--rules FILE" in err


def test_bundled_sample_data(capsys: pytest.CaptureFixture[str]) -> None:
    ex = REPO / "docs" / "examples"
    code, out, err = run(
        capsys, "leads", str(REPO), str(ex / "leads.csv"), "--events", str(ex / "events.csv")
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 16
    assert {r["lead_class"] for r in rows} == {"lead", "prospect", "sal", "sql"}
    assert "unknown lead id 'L-0099'" in err and "as of 2026-06-29 12:30:00" in err


# --- selfcheck -------------------------------------------------------------------------------


def test_selfcheck_from_answers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("answers: {1: yes, 9: yes}\n", encoding="utf-8")
    code, out, _ = run(capsys, "selfcheck", str(REPO), "--answers", str(answers))
    assert code == 1
    assert "2 yes: lead management has a problem" in out or "「はい」が2個" in out
    code, out, _ = run(
        capsys,
        "selfcheck",
        str(REPO),
        "--answers",
        str(answers),
        "--lang",
        "en",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert data["verdict"] == "problem" and data["questions"][0]["features"]
    answers.write_text("answers: {1: yes}\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "selfcheck", str(tmp_path), "--answers", str(answers), "--lang", "en"
    )
    assert code == 0 and "1 yes and 9 unanswered: answer every question" in out


def test_selfcheck_needs_a_terminal_or_answers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_leads, "_stdin_is_tty", lambda: False)
    code, _, err = run(capsys, "selfcheck", str(REPO))
    assert code == 2 and "--answers" in err


def test_selfcheck_asks_in_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_leads, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("y\nn\ny\n\n\n\n\n\n\nn\n"))
    code, out, err = run(capsys, "selfcheck", str(REPO), "--lang", "en")
    assert code == 1
    assert " 1. Does each department keep its own lead list" in err
    assert " 1. [yes]" in out and " 2. [no]" in out and " 3. [yes]" in out
    assert "this project: 3 personas" not in out  # question 2 was answered no
