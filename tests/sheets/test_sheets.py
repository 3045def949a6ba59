"""Sheets: journey <-> grid (CSV, XLSX), exact round trip, cell-located errors, safe cells."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from projects import run_cli as run

from toolkit.cli import main as cli_module
from toolkit.model import models as m
from toolkit.pipeline import compile_project
from toolkit.sheets.cells import (
    ActionLine,
    decode_item,
    decode_pain,
    decode_text,
    encode_action,
    encode_item,
    encode_pain,
    encode_text,
    parse_action,
)
from toolkit.sheets.files import ZIP_TIME, read_csv, read_xlsx, write_csv, write_xlsx
from toolkit.sheets.grid import journey_grid, read_steps, vocabulary
from toolkit.sheets.journey_yaml import dump_journey, load_journey

EXAMPLE_JOURNEYS = [
    "ma-adopted-inside-sales",
    "ma-adopted-sales-head",
    "no-ma-manager",
    "no-ma-manager-future",
    "no-ma-segment",
]


def journey_model(project: Path, journey_id: str) -> m.JourneyDoc:
    compiled = compile_project(project)
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    return next(j.model for j in compiled.project.journeys if j.model.id == journey_id)


# --- round trip ----------------------------------------------------------------------------------


def test_example_journeys_are_all_covered(example) -> None:  # type: ignore[no-untyped-def]
    assert sorted(j.model.id for j in example.project.journeys) == EXAMPLE_JOURNEYS


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("journey", EXAMPLE_JOURNEYS)
def test_export_then_import_is_identity(
    journey: str,
    fmt: str,
    example_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    original = journey_model(example_copy, journey)
    sheet = tmp_path / f"{journey}.{fmt}"
    code, out, _ = run(
        capsys, "export", "sheet", str(example_copy), "--journey", journey, "-o", str(sheet)
    )
    assert code == 0 and out == f"wrote {sheet}\n"
    code, out, err = run(
        capsys,
        "import",
        "sheet",
        str(sheet),
        "--journey",
        journey,
        "--project",
        str(example_copy),
        "--force",
    )
    target = example_copy / "journeys" / f"journey-{journey}.yaml"
    assert code == 0, err
    assert out == f"wrote {target}\n"
    assert " error " not in err
    reimported = load_journey(target.read_text(encoding="utf-8"))
    assert reimported == original
    assert journey_model(example_copy, journey) == original  # and the project still checks


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_of_awkward_values(fmt: str, example) -> None:  # type: ignore[no-untyped-def]
    vocab = vocabulary(example.project)
    tricky = [
        '=HYPERLINK("http://x")',
        "+1",
        "-",
        "@SUM(A1)",
        "\tlead tab",
        "  spaced  ",
        "",
        '"quoted"',
        "'apostrophe",
        "two\nlines",
        "[content: x] literal",
        "a]b",
        "-1",
    ]
    journey = m.JourneyDoc.model_validate(
        {
            "kind": "journey",
            "id": "tricky",
            "segment": "no-ma",
            "steps": {
                "problem-unknown": {},  # an empty step survives (the `step` lane)
                "interest": {
                    "thinking": "line one\n  indented\n\nafter a blank",
                    "feeling": "=1+1",
                    "emotion": -2,
                    "doing": tricky,
                    "funnel": ["lead-generation", "lead-nurturing"],
                    "actions": [
                        {"role": "marketing", "action": "A [content: fake]", "kpi": "x] [kpi: y"},
                        {"role": "inside-sales", "action": "=cmd", "content": ["wp-ma-basics"]},
                        {"role": "marketing", "action": "B\nnext", "kpi": ""},
                        {
                            "role": "marketing",
                            "action": '"C"',
                            "content": ["wp-ma-basics", "wp-ma-basics"],
                        },
                    ],
                },
            },
        }
    )
    grid = journey_grid(journey, vocab, "ja")
    raw = write_csv(grid) if fmt == "csv" else write_xlsx(grid, journey.id)
    back = read_csv(raw) if fmt == "csv" else read_xlsx(raw)
    steps, diags = read_steps(back, vocab, "t")
    assert diags == []
    again = m.JourneyDoc.model_validate(
        {"kind": "journey", "id": "tricky", "segment": "no-ma", "steps": steps}
    )
    assert again == journey
    lanes = [row[0] for row in grid]
    assert lanes.count("マーケティング (marketing)") == 2  # interleaved roles keep their order


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_pain_severities_survive_the_round_trip(fmt: str, example) -> None:  # type: ignore[no-untyped-def]
    """Every {text, severity} pain comes back from a sheet as it was, written `[severity] text`."""
    vocab = vocabulary(example.project)
    pains = [
        "plain",
        {"text": "gives up", "severity": "abandon"},
        {"text": "needs a workaround", "severity": "workaround"},
        {"text": "an annoyance", "severity": "trivial"},
        "[abandon] literal text, no severity",
        {"text": "[trivial] text that starts like one", "severity": "abandon"},
        {"text": "two\nlines", "severity": "workaround"},
        {"text": "", "severity": "trivial"},
        "[重要] bracketed but not a severity",
    ]
    journey = m.JourneyDoc.model_validate(
        {"kind": "journey", "id": "p", "segment": "no-ma", "steps": {"interest": {"pains": pains}}}
    )
    grid = journey_grid(journey, vocab, "ja")
    cell = next(row for row in grid if row[0] == "ペイン (pains)")[3]
    assert str(cell).splitlines()[:5] == [
        "plain",
        "[abandon] gives up",
        "[workaround] needs a workaround",
        "[trivial] an annoyance",
        '"[abandon] literal text, no severity"',
    ]
    raw = write_csv(grid) if fmt == "csv" else write_xlsx(grid, journey.id)
    steps, diags = read_steps(read_csv(raw) if fmt == "csv" else read_xlsx(raw), vocab, "t")
    assert diags == []
    assert steps["interest"]["pains"][:3] == pains[:3]
    again = m.JourneyDoc.model_validate(
        {"kind": "journey", "id": "p", "segment": "no-ma", "steps": steps}
    )
    assert again == journey
    text = dump_journey(again, [s.model.id for s in example.project.stages])
    assert "      - {text: gives up, severity: abandon}\n" in text
    assert "      - plain\n" in text


def test_pain_lines() -> None:
    assert decode_pain("[abandon] 担当者が兼務で時間がない") == (
        "担当者が兼務で時間がない",
        "abandon",
    )
    assert decode_pain("［離脱］ 営業電話") == ("営業電話", "abandon")
    assert decode_pain("[Workaround]比較の物差し") == ("比較の物差し", "workaround")
    assert decode_pain("[回避策] x") == ("x", "workaround")
    assert decode_pain("[些細] x") == ("x", "trivial")
    assert decode_pain("[重要] 予算がない") == ("[重要] 予算がない", None)
    assert decode_pain('"[abandon] x"') == ("[abandon] x", None)
    assert decode_pain('[abandon] " spaced "') == (" spaced ", "abandon")
    assert encode_pain("x", None) == "x"
    assert encode_pain("[離脱] x", None) == '"[離脱] x"'
    assert encode_pain(" x", "trivial") == '[trivial] " x"'


@given(st.text(), st.sampled_from([None, "trivial", "workaround", "abandon"]))
def test_every_pain_survives(text: str, severity: str | None) -> None:
    line = encode_pain(text, severity)
    assert "\n" not in line and "\r" not in line and line.strip() == line
    assert decode_pain(line) == (text, severity)


# --- errors at cells -----------------------------------------------------------------------------

BAD_SHEET = """\
,problem-aware,Interest,no-such-stage,
thinking,考える,,,
emotion,3,abc,,x
feelings,a,,,
マーケティング (marketing),do it [content: nope],[kpi: x],,
,orphan,,,
thinking,again,,,
funnel,no-such-funnel,,,
story,0,,,
"""


def test_bad_cells_are_reported_with_their_cell(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(BAD_SHEET, encoding="utf-8")
    out_file = tmp_path / "out.yaml"
    code, out, err = run(
        capsys,
        "import",
        "sheet",
        str(sheet),
        "--journey",
        "new-one",
        "--persona",
        "sato",
        "--project",
        str(example_copy),
        "-o",
        str(out_file),
    )
    assert code == 1 and out == ""
    f = str(sheet)
    assert err.splitlines() == [
        f"{f}:1:4: error unknown-stage: D1: unknown stage 'no-such-stage' (use a stage id: "
        "problem-unknown, problem-aware, interest, information-gathering, consideration, "
        "purchase, use, repeat, loyal)",
        f"{f}:3:2: error out-of-range: B3: emotion 3 is not in -2..2",
        f"{f}:3:3: error wrong-type: C3: emotion 'abc' is not an integer "
        "(write a whole number from -2 to 2)",
        f"{f}:3:5: error unknown-stage: E3: column E has no stage in row 1 "
        "(name a customer stage in row 1 or move the cell)",
        f"{f}:4:1: error unknown-lane: A4: unknown lane 'feelings': not a lane name or a role "
        "(did you mean 'feeling'?)",
        f"{f}:5:2: error unknown-ref: B5: unknown content item 'nope' "
        "(define it in a kind: content file)",
        f"{f}:5:3: error invalid-value: C5: action line '[kpi: x]' has no action text "
        "(write: action text [content: id, id] [kpi: text])",
        f"{f}:6:1: error unknown-lane: A6: row 6 has no lane name in column A "
        "(name a lane (thinking, doing, ...) or a role)",
        f"{f}:7:1: error duplicate-lane: A7: lane 'thinking' appears again (first in row 2) "
        "(merge the two rows)",
        f"{f}:8:2: error unknown-ref: B8: unknown funnel stage 'no-such-funnel' (use a funnel "
        "stage id: lead-generation, lead-nurturing, qualification, opportunity, proposal, won, "
        "usage-support, continuation, individual-support, loyal-customer)",
        f"{f}:9:2: error out-of-range: B9: story 0 is not in 1..9",
        "11 error(s), 0 warning(s)",
    ]
    assert not out_file.exists()


def test_hand_written_sheet_with_labels_in_any_language(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "workshop.csv"
    rows = [
        ["", "Problem aware", "興味・関心 (interest)", "consideration"],
        ["Thinking", "Is this normal?", "", ""],
        ["感情", "−1", "１", "0"],
        ["行動 (doing)", "search\n\n  ask a peer  ", "", ""],
        [
            "Marketing",
            "Send the checklist [content: checklist-lead-management] [kpi: 80/month]",
            "",
            "",
        ],
        ["フィールドセールス", "", "", "Propose a plan"],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    sheet.write_bytes(buf.getvalue().encode("cp932"))  # as Excel saves CSV in Japan
    code, out, err = run(
        capsys,
        "import",
        "sheet",
        str(sheet),
        "--journey",
        "workshop",
        "--segment",
        "no-ma",
        "--project",
        str(example_copy),
    )
    assert code == 0, err
    got = journey_model(example_copy, "workshop")
    assert got.segment == "no-ma" and list(got.steps) == [
        "problem-aware",
        "interest",
        "consideration",
    ]
    aware = got.steps["problem-aware"]
    assert (aware.thinking, aware.emotion, aware.doing) == (
        "Is this normal?",
        -1,
        ["search", "ask a peer"],
    )
    assert aware.actions == [
        m.Action(
            role="marketing",
            action="Send the checklist",
            content=["checklist-lead-management"],
            kpi="80/month",
        )
    ]
    assert got.steps["interest"].emotion == 1
    assert got.steps["consideration"].actions[0].role == "field-sales"


# --- refusals ------------------------------------------------------------------------------------


def test_import_refuses_to_overwrite_without_force(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "s.csv"
    assert (
        run(
            capsys,
            "export",
            "sheet",
            str(example_copy),
            "--journey",
            "no-ma-segment",
            "-o",
            str(sheet),
        )[0]
        == 0
    )
    target = example_copy / "journeys" / "journey-no-ma-segment.yaml"
    before = target.read_bytes()
    code, _, err = run(
        capsys,
        "import",
        "sheet",
        str(sheet),
        "--journey",
        "no-ma-segment",
        "--project",
        str(example_copy),
    )
    assert code == 2 and "exists; use --force to replace it" in err
    assert target.read_bytes() == before
    code, _, err = run(
        capsys, "export", "sheet", str(example_copy), "--journey", "no-ma-segment", "-o", str(sheet)
    )
    assert code == 2 and "exists; use --force" in err


def test_import_that_would_break_the_project_writes_nothing(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "s.xlsx"
    run(
        capsys, "export", "sheet", str(example_copy), "--journey", "no-ma-segment", "-o", str(sheet)
    )
    second = example_copy / "journeys" / "copy.yaml"  # same id in a second file: duplicate
    code, _, err = run(
        capsys,
        "import",
        "sheet",
        str(sheet),
        "--journey",
        "no-ma-segment",
        "--project",
        str(example_copy),
        "-o",
        str(second),
    )
    assert code == 1 and "error duplicate-id: duplicate journey id 'no-ma-segment'" in err
    assert not second.exists()


def test_new_journey_needs_persona_or_segment(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "s.csv"
    run(
        capsys, "export", "sheet", str(example_copy), "--journey", "no-ma-segment", "-o", str(sheet)
    )
    args = ["import", "sheet", str(sheet), "--journey", "fresh", "--project", str(example_copy)]
    code, _, err = run(capsys, *args)
    assert code == 2 and "--persona or --segment" in err
    code, _, err = run(capsys, *args, "--persona", "sato", "--segment", "no-ma")
    assert code == 2 and "not both" in err
    code, out, _ = run(capsys, *args, "--persona", "sato")
    assert code == 0 and journey_model(example_copy, "fresh").persona == "sato"


def test_unknown_journey_and_bad_suffix_are_usage_errors(
    example_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "export",
        "sheet",
        str(example_copy),
        "--journey",
        "nope",
        "-o",
        str(tmp_path / "x.csv"),
    )
    assert code == 2 and "no journey 'nope'" in err
    code, _, err = run(
        capsys,
        "export",
        "sheet",
        str(example_copy),
        "--journey",
        "no-ma-segment",
        "-o",
        str(tmp_path / "x.ods"),
    )
    assert code == 2 and "ends in .csv or .xlsx" in err


# --- safe and deterministic files ----------------------------------------------------------------


def test_csv_cells_are_neutralised_and_restored() -> None:
    grid = [["=1+1", "+x", "-y", "@z", "\tt", "\rr", "-1", "'q", "plain", "bell\x07"]]
    raw = write_csv(grid)
    assert raw.startswith(b"\xef\xbb\xbf")
    cells = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert cells == ["'=1+1", "'+x", "'-y", "'@z", "'\tt", "'\rr", "-1", "''q", "plain", "bell"]
    assert read_csv(raw) == [["=1+1", "+x", "-y", "@z", "\tt", "\rr", "-1", "'q", "plain", "bell"]]


def test_xlsx_has_no_formula_and_is_deterministic() -> None:
    grid = [["j", '=HYPERLINK("http://evil")', "+1", "@A1", "\x01ctl"], ["emotion", -1, 2]]
    first, second = write_xlsx(grid, "j"), write_xlsx(grid, "j")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {ZIP_TIME}
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        core = archive.read("docProps/core.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "2000-01-01T00:00:00Z" in core
    wb = openpyxl.load_workbook(io.BytesIO(first))
    cell = wb.active["B1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        '=HYPERLINK("http://evil")',
        "s",
        True,
    )
    assert wb.active["E1"].value == "ctl"
    assert wb.active["B2"].value == -1
    assert read_xlsx(first) == [
        ["j", '=HYPERLINK("http://evil")', "+1", "@A1", "ctl"],
        ["emotion", -1, 2],
    ]


def test_xlsx_formatting_alone_does_not_widen_the_grid() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["C3"] = "a", "c"
    ws["XFD2"].font = openpyxl.styles.Font(bold=True)  # formatted cell in the last column
    ws["B5000"].font = openpyxl.styles.Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    assert read_xlsx(buf.getvalue()) == [["a"], [], [None, None, "c"]]


def test_export_headers_keep_the_stage_id(example) -> None:  # type: ignore[no-untyped-def]
    journey = next(j.model for j in example.project.journeys if j.model.id == "no-ma-manager")
    grid = journey_grid(journey, vocabulary(example.project), "ja")
    assert grid[0][:3] == [
        "no-ma-manager",
        "課題の未知 (problem-unknown)",
        "課題の認知 (problem-aware)",
    ]
    assert [row[0] for row in grid][1:5] == [
        "解決ストーリー (story)",
        "考えていること (thinking)",
        "感じていること (feeling)",
        "感情 (emotion)",
    ]
    en = journey_grid(journey, vocabulary(example.project), "en")
    assert en[0][1] == "Problem unknown (problem-unknown)" and en[2][0] == "Thinking"


# --- command wiring ------------------------------------------------------------------------------


def test_project_argument_is_toolkit_clis(repo_root: Path) -> None:
    """cli.workflow restates toolkit.cli.main.PROJECT_ARG (it must not import it on load)."""
    from toolkit.cli import workflow as cli_workflow

    def params(decorator):  # type: ignore[no-untyped-def]
        return decorator(lambda project: None).__click_params__[0].to_info_dict()

    assert params(cli_workflow.PROJECT_ARG) == params(cli_module.PROJECT_ARG)
    for first in ("toolkit.cli.workflow", "toolkit.cli.main"):
        code = f"import {first}, toolkit.cli.main, toolkit.cli.workflow"
        proc = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True)
        assert proc.returncode == 0, proc.stderr


# --- the cell codec ------------------------------------------------------------------------------


def test_action_lines() -> None:
    line = "Send it [content: a, b] [kpi: 10 a month]"
    assert parse_action(line) == ActionLine("Send it", ("a", "b"), "10 a month")
    assert parse_action("Just text") == ActionLine("Just text")
    assert parse_action("[content: a]") is None
    tricky = ActionLine("x [kpi: y]", (), "z]")
    assert encode_action(tricky) == '"x [kpi: y]" [kpi: "z]"]'
    assert parse_action(encode_action(tricky)) == tricky


@given(
    st.text(),
    st.lists(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True), max_size=3),
    st.none() | st.text(),
)
def test_every_action_survives(action: str, content: list[str], kpi: str | None) -> None:
    value = ActionLine(action, tuple(content), kpi)
    line = encode_action(value)
    assert "\n" not in line and "\r" not in line
    assert parse_action(line) == value


@given(st.text())
def test_every_item_and_text_survives(text: str) -> None:
    item = encode_item(text)
    assert "\n" not in item and "\r" not in item and item.strip() == item and item
    assert decode_item(item.strip()) == text
    if text:
        assert decode_text(encode_text(text)) == text


def test_yaml_writer_round_trip(example) -> None:  # type: ignore[no-untyped-def]
    order = [s.model.id for s in example.project.stages]
    for entry in example.project.journeys:
        assert load_journey(dump_journey(entry.model, order)) == entry.model
