"""`journey coverage` and `journey content export|import` end to end: output, exit codes
(0 ok, 1 problems or below --fail-under, 2 usage) and what is (not) written."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from projects import run_cli as run

from toolkit.cli.coverage import coverage

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = "tests/fixtures/coverage-basic"


@pytest.fixture(autouse=True)
def registered(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Paths relative to the repository."""
    monkeypatch.chdir(repo_root)


def table(out: str) -> dict[str, list[str]]:
    """Rows of the plain matrix keyed by their first cell: the cells after the label."""
    rows = {}
    for line in out.splitlines():
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            rows[cells[0]] = cells[2:]
    return rows


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "coverage-basic", dest)
    return dest


# --- journey coverage ------------------------------------------------------------------------


def test_text_matrix_by_segment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "coverage", BASIC)
    assert code == 0 and err == ""
    rows = table(out)
    assert rows["segment"] == ["Aware", "Consider", "Buy", "Use"]
    assert rows["big"] == ["2", "1", "0! +1", "0!"]
    assert rows["small"] == ["1", "0! +1", "0!", "0!"]
    lines = out.splitlines()
    assert lines[0] == "Published items per segment and stage (0! = gap; +N = draft/planned)"
    gaps = lines[lines.index("Gaps (5):") + 1 :]
    assert gaps[0] == "  Buy (s3) x Enterprises (big): 0 items; quote-big (planned, owner sales)"
    assert gaps[2] == (
        "  Consider (s2) x Small firms (small): 0 items; case-small (draft, owner marketing)"
    )
    assert lines[-1] == "Covered journey steps: 4/7 (57.1%)"


def test_text_matrix_by_journey_and_lang(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", BASIC, "--by", "journey", "--lang", "ja")
    assert code == 0
    rows = table(out)
    assert rows["journey"] == ["認知", "検討", "購買", "利用"]
    assert rows["ann-journey"] == ["2", "1", "0! +1", "-"]
    assert rows["bob-journey"] == ["1", "0! +1", "-", "1"]
    assert rows["small-team"] == ["-", "-", "0!", "-"]
    assert "  購買 (s3) x small-team: 0 items (segment small); nothing in the pipeline" in out


def test_text_ownership(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", BASIC, "--by", "owner")
    assert code == 0
    lines = [[c.strip() for c in line.split("|")] for line in out.splitlines() if "|" in line]
    assert lines[0] == ["role", "label", "status", "Aware", "Consider", "Buy", "Use"]
    assert lines[1] == ["marketing", "Marketing", "published", "1", "1", "0", "0"]
    assert lines[-1] == ["(none)", "(no owner)", "-", "0", "0", "0", "1"]


def test_min_makes_thin_cells_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", BASIC, "--min", "2")
    assert code == 0
    assert table(out)["big"] == ["2", "1!", "0! +1", "0!"]
    assert out.splitlines()[-1] == "Covered journey steps: 1/7 (14.3%)"


def test_json_is_exactly_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", BASIC, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["steps", "segments"]
    assert data["steps"][0] == {
        "journey": "ann-journey",
        "segment": "big",
        "stage": "s1",
        "count": 2,
        "items": ["guide-all", "onboarding"],
        "pipeline": [],
    }
    assert data["segments"][5] == {
        "segment": "small",
        "stage": "s2",
        "count": 0,
        "items": [],
        "pipeline": ["case-small"],
    }
    assert [len(data["steps"]), len(data["segments"])] == [7, 8]


def test_csv_tables(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "coverage", BASIC, "--format", "csv", "--table", "segments")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["segment", "stage", "count", "items", "pipeline"]
    assert rows[1] == ["big", "s1", "2", "guide-all onboarding", ""]
    code, out, _ = run(capsys, "coverage", BASIC, "--format", "csv")
    assert list(csv.reader(io.StringIO(out)))[3] == [
        "ann-journey",
        "big",
        "s3",
        "0",
        "",
        "quote-big",
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-under", "57.1"], 0),
        (["--fail-under", "57.2"], 1),
        (["--fail-under", "20", "--min", "2"], 1),
        (["--fail-under", "0", "--format", "json"], 0),
    ],
)
def test_fail_under(capsys: pytest.CaptureFixture[str], args: list[str], code: int) -> None:
    got, _, err = run(capsys, "coverage", BASIC, *args)
    assert got == code
    if code:
        assert err.startswith("journey coverage: Covered journey steps: ")
        assert "is below --fail-under" in err


def test_exact_boundary(capsys: pytest.CaptureFixture[str]) -> None:
    nosegments = "tests/fixtures/coverage-nosegments"
    assert run(capsys, "coverage", nosegments, "--fail-under", "50")[0] == 0
    assert run(capsys, "coverage", nosegments, "--fail-under", "50.001")[0] == 1


def test_project_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "coverage", "tests/fixtures/unknown-ref")
    assert code == 1 and out == ""
    assert "error unknown-ref" in err


@pytest.mark.parametrize(
    "args", [["--min", "0"], ["--by", "stage"], ["--fail-under", "101"], ["--table", "x"]]
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert run(capsys, "coverage", BASIC, *args)[0] == 2


def test_project_argument_is_the_one_of_toolkit_cli() -> None:
    from toolkit.cli import coverage as cli_coverage
    from toolkit.cli import main as base

    def params(decorator):  # type: ignore[no-untyped-def]
        return decorator(click.command()(lambda project: 0)).params[0].to_info_dict()

    assert params(cli_coverage.PROJECT_ARG) == params(base.PROJECT_ARG)


def test_command_runs_under_click_runner() -> None:
    result = CliRunner().invoke(coverage, [BASIC, "--format", "json"], standalone_mode=False)
    assert result.exception is None and result.return_value == 0
    assert json.loads(result.output)["steps"][2]["pipeline"] == ["quote-big"]


# --- journey content export ------------------------------------------------------------------


def test_export_csv_to_stdout_and_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "content", "export", BASIC)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:4] == ["id", "title", "title:en", "title:ja"]
    assert [r[0] for r in rows[1:]][:2] == ["guide-all", "case-big"]
    target = tmp_path / "inv.csv"
    code, _, err = run(capsys, "content", "export", BASIC, "-o", str(target))
    assert code == 0 and err == f"wrote 7 items to {target}\n"
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,title,")


def test_export_xlsx(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "inv.xlsx"
    assert run(capsys, "content", "export", BASIC, "--format", "xlsx", "-o", str(target))[0] == 0
    ws = openpyxl.load_workbook(target)["inventory"]
    assert ws["A2"].value == "guide-all" and ws["C2"].value == "Guide for everyone"


def test_export_neutralises_formulas_and_imports_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    model = root / "journeys/model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace(
            "{id: x, ", "{id: x, title: '=cmd|\" /C calc\"!A0', format: '-1+1', url: '@x', "
        ),
        encoding="utf-8",
    )
    sheet = tmp_path / "inv.csv"
    assert run(capsys, "content", "export", str(root), "-o", str(sheet))[0] == 0
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    x = dict(zip(rows[0], rows[1], strict=True))
    assert (x["title"], x["format"], x["url"]) == ('\'=cmd|" /C calc"!A0', "'-1+1", "'@x")
    code, out, err = run(capsys, "content", "import", str(root), str(sheet))
    assert code == 0 and out == ""
    assert "no changes to the YAML" in err


# --- journey content import ------------------------------------------------------------------


def edited_sheet(capsys: pytest.CaptureFixture[str], root: Path, path: Path) -> Path:
    run(capsys, "content", "export", str(root), "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head = rows[0]
    for row in rows:
        if row[0] == "case-small":
            row[head.index("status")] = "published"
    rows.append(["bad id", *[""] * (len(head) - 1)])  # row 9
    rows.append(["more", "", "More", "", "", "s9", "", "", "", "", ""])  # row 10
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_import_dry_run_shows_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    sheet = edited_sheet(capsys, project_dir, tmp_path / "sheet.csv")
    before = (project_dir / "journeys/content.yaml").read_bytes()
    code, out, err = run(capsys, "content", "import", str(project_dir), str(sheet))
    assert code == 1  # two rows were rejected
    assert out.splitlines()[0] == "~ case-small (row 4): status: draft -> published"
    assert "-    status: draft\n+    status: published\n" in out
    assert f"{sheet}:9:1: error bad-row: id 'bad id' is not a lowercase slug" in err
    assert f"{sheet}:10:6: error bad-row: unknown customer stage 's9'" in err
    assert "journey content import: the sheet has 2 error(s); nothing written" in err
    assert (project_dir / "journeys/content.yaml").read_bytes() == before


def test_import_write_is_refused_while_a_row_is_rejected(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    sheet = edited_sheet(capsys, project_dir, tmp_path / "sheet.csv")
    before = (project_dir / "journeys/content.yaml").read_bytes()
    code, _, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert code == 1
    assert "journey content import: the sheet has 2 error(s); nothing written" in err
    assert (project_dir / "journeys/content.yaml").read_bytes() == before


def test_import_write_applies_a_clean_sheet(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    sheet = edited_sheet(capsys, project_dir, tmp_path / "sheet.csv")
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"))))[:-2]
    with sheet.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert code == 0
    assert "wrote 1 file(s): journeys/content.yaml" in err
    text = (project_dir / "journeys/content.yaml").read_text(encoding="utf-8")
    assert "  - id: case-small\n" in text and "draft" not in text
    assert text.startswith("# Content inventory of the coverage fixture")
    assert run(capsys, "coverage", str(project_dir), "--format", "json")[0] == 0


def test_import_missing_and_refused_deletion(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    run(capsys, "content", "export", str(project_dir), "-o", str(sheet))
    kept = [
        line
        for line in sheet.read_text(encoding="utf-8-sig").splitlines()
        if "onboarding" not in line
    ]
    sheet.write_text("\n".join(kept) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert code == 0 and "? onboarding: not in the sheet, kept" in out
    assert "warning missing-item: content item 'onboarding' is not in the sheet" in err
    before = (project_dir / "journeys/content.yaml").read_bytes()
    code, _, err = run(
        capsys, "content", "import", str(project_dir), str(sheet), "--write", "--delete-missing"
    )
    assert code == 1
    assert "the edited project would not load; nothing written" in err
    assert "error unknown-ref: unknown content item 'onboarding'" in err
    assert (project_dir / "journeys/content.yaml").read_bytes() == before


def test_import_usage_and_unreadable(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "sheet.txt"
    other.write_text("id\n", encoding="utf-8")
    assert run(capsys, "content", "import", str(project_dir), str(other))[0] == 2
    bad = tmp_path / "sheet.xlsx"
    bad.write_bytes(b"nope")
    code, _, err = run(capsys, "content", "import", str(project_dir), str(bad))
    assert code == 1 and "not an XLSX workbook" in err
    header = tmp_path / "h.csv"
    header.write_text("id,colour\nx,red\n", encoding="utf-8")
    code, _, err = run(capsys, "content", "import", str(project_dir), str(header))
    assert code == 1 and f"{header}:1:2: error bad-header: unknown column 'colour'" in err
