"""Hostile sheets for `journey content import` and `journey import sheet`: workbooks whose
size is a lie, CSV cells holding line-break look-alikes, short rows, control characters.
Nothing here reads outside the repository: every sheet is built in tmp_path."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from projects import run_cli as run

from toolkit.cli.coverage import inventory_csv
from toolkit.pipeline import compile_project
from toolkit.sheets import files as sheet_files
from toolkit.sheets import importer as imp
from toolkit.sheets import inventory as inv
from toolkit.sheets.yamledit import double_quoted

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REPO = FIXTURES.parent.parent
MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of a guarded subprocess
CONTROL_CHARS = "".join(chr(c) for c in [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "project"
    shutil.copytree(FIXTURES / "coverage-basic", dest)
    return dest


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: a snapshot to compare before and after."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def workbook_bytes(cells: dict[str, object], title: str = "inventory") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for ref, value in cells.items():
        ws[ref] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def edit_sheet_xml(raw: bytes, edit: object) -> bytes:
    """The workbook with its first worksheet's XML passed through edit (str -> str)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")  # type: ignore[operator]
            dst.writestr(info, data)
    return out.getvalue()


def guarded_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`journey ARGS` in a subprocess that cannot take more than MEMORY_LIMIT or 120 s."""

    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "JOURNEY_CACHE_DIR": str(cwd)},
    )


# --- 1. workbook dimensions ------------------------------------------------------------------


def test_far_cell_workbook_is_refused_by_content_import(project_dir: Path, tmp_path: Path) -> None:
    far = tmp_path / "far.xlsx"
    far.write_bytes(workbook_bytes({"A1": "id", "XFD1048576": "x"}))
    assert far.stat().st_size < 10_000
    before = tree_bytes(project_dir)
    done = guarded_cli("content", "import", str(project_dir), str(far), "--write", cwd=tmp_path)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.returncode == 1, done.stderr
    assert str(far) in done.stderr
    assert "the sheet stores rows past row 100,000; the limit is 2,000 rows x 200" in done.stderr
    assert tree_bytes(project_dir) == before


def test_far_cell_workbook_is_refused_by_import_sheet(example_copy: Path, tmp_path: Path) -> None:
    far = tmp_path / "far.xlsx"
    far.write_bytes(workbook_bytes({"A1": "j", "B1": "interest", "XFD1048576": "x"}, "j"))
    args = ("import", "sheet", str(far), "--journey", "j", "--persona", "sato")
    done = guarded_cli(*args, "--project", str(example_copy), cwd=tmp_path)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.returncode == 1
    assert f"{far}: error unreadable: the sheet stores rows past row 100,000" in done.stderr


def test_guard_stops_at_the_limits_before_the_rows_are_built() -> None:
    far = workbook_bytes({"A1": "id", "XFD1048576": "x"})
    with pytest.raises(sheet_files.SheetFileError, match="rows past row 100,000"):
        sheet_files.read_xlsx(far)
    wide = workbook_bytes({"A1": "id", "GS3": "x"})  # column 201
    with pytest.raises(sheet_files.SheetFileError) as exc:
        sheet_files.read_xlsx(wide)
    assert str(exc.value) == "GS3: the cell is past the limit of 2,000 rows x 200 columns"
    assert (exc.value.row, exc.value.column) == (3, 201)
    assert exc.value.hint == "clear it, or split the sheet"


def test_far_formatted_cells_are_bounded_by_a_cell_count(tmp_path: Path) -> None:
    """Styled empty cells in the last column make openpyxl pad every row to 16,384 cells."""
    raw = workbook_bytes({"A1": "id"})
    rows = "".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(2, 400))
    far = edit_sheet_xml(raw, lambda xml: xml.replace("</row>", "</row>" + rows, 1))
    with pytest.raises(sheet_files.SheetFileError, match="more than 2,000,000 cells"):
        sheet_files.read_xlsx(far)
    (tmp_path / "far.xlsx").write_bytes(far)
    with pytest.raises(inv.SheetError, match="more than 2,000,000 cells"):
        inv.read_sheet(tmp_path / "far.xlsx", "far.xlsx")


def test_rows_past_a_stale_dimension_are_read(tmp_path: Path) -> None:
    raw = workbook_bytes(
        {"A1": "id", "B1": "title", "A2": "a", "B2": "A", "A3": "b", "A4": "c", "B5": "E"}
    )
    stale = edit_sheet_xml(
        raw, lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:B2"', xml)
    )
    assert b'ref="A1:B2"' in zipfile.ZipFile(io.BytesIO(stale)).read("xl/worksheets/sheet1.xml")
    path = tmp_path / "stale.xlsx"
    path.write_bytes(stale)
    sheet = inv.read_sheet(path, "stale.xlsx")
    assert [(r.number, r.cells) for r in sheet.rows] == [
        (2, ("a", "A")),
        (3, ("b",)),
        (4, ("c",)),
        (5, ("", "E")),
    ]
    assert sheet_files.read_xlsx(stale)[2:] == [["b"], ["c"], [None, "E"]]


# --- 2. CSV is read as CSV -------------------------------------------------------------------

LOOKALIKES = ["\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e", "\x0b", "\x0c"]


def with_title(root: Path, title: str) -> None:
    """case-big's title in content.yaml becomes title (a double-quoted YAML scalar)."""
    path = root / "journeys/content.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    title: Big case study\n" in text
    path.write_text(text.replace("Big case study", double_quoted(title)), encoding="utf-8")


def test_csv_cells_keep_line_break_look_alikes(tmp_path: Path) -> None:
    for ch in LOOKALIKES:
        path = tmp_path / "s.csv"
        path.write_bytes(f'id,title,format\r\na,x{ch}y,f\r\nb,"p{ch}\r\nq",g\r\n'.encode())
        sheet = inv.read_sheet(path, "s.csv")
        assert sheet.header == ("id", "title", "format")
        assert [(r.number, r.cells) for r in sheet.rows] == [
            (2, ("a", f"x{ch}y", "f")),
            (3, ("b", f"p{ch}\r\nq", "g")),
        ], repr(ch)


def test_export_then_import_of_titles_with_line_break_look_alikes(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    with_title(project_dir, "Big\u2028case\u2029study\x85 end")
    sheet = tmp_path / "inv.csv"
    assert run(capsys, "content", "export", str(project_dir), "-o", str(sheet))[0] == 0
    assert "Big\u2028case\u2029study\x85 end" in sheet.read_text(encoding="utf-8-sig")
    before = tree_bytes(project_dir)
    code, out, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert (code, out) == (0, "")
    assert "no changes to the YAML" in err
    assert tree_bytes(project_dir) == before


PLAIN = st.characters(blacklist_categories=("Cs",), blacklist_characters=CONTROL_CHARS)
BREAKING = ["\u2028", "\u2029", "\x85", "\r", "\n", "\r\n", ",", '"', "'", " ", "\t"]
TITLE = (
    st.lists(st.sampled_from(BREAKING) | st.text(PLAIN, min_size=1, max_size=4), max_size=6)
    .map("".join)
    .filter(lambda t: t.strip() == t and t)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TITLE)
@example("a\u2028b\u2029c\x85d")
@example("'=1+2")  # an apostrophe the author typed survives (it was stripped on import)
def test_csv_round_trip_of_any_title(title: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(FIXTURES / "coverage-basic", root)
        with_title(root, title)
        compiled = compile_project(root, shown_as="")
        assert compiled.graph is not None, [d.render() for d in compiled.diagnostics]
        sheet = root / "inv.csv"
        sheet.write_text(inventory_csv(inv.export_rows(compiled.graph)), encoding="utf-8-sig")
        items, diags = inv.parse_rows(
            inv.read_sheet(sheet, "inv.csv"), inv.Known.of(compiled.project)
        )
        assert diags == []
        assert inv.compute_changes(compiled.project, items) == []


# --- 3. all or nothing; short rows -----------------------------------------------------------


def exported_rows(root: Path) -> list[list[str]]:
    compiled = compile_project(root, shown_as="")
    assert compiled.graph is not None
    return inv.export_rows(compiled.graph)


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def edited(root: Path, path: Path) -> Path:
    """The export with case-small published (row 4), a short row 5 and a bad stage in row 6."""
    rows = exported_rows(root)
    rows[3][rows[0].index("status")] = "published"
    rows[4] = rows[4][:3]  # old-deck: id, title, title:en
    rows[5][rows[0].index("stages")] = "s9"
    return write_rows(path, rows)


def test_short_csv_row_is_an_error(project_dir: Path, tmp_path: Path) -> None:
    sheet = inv.read_sheet(edited(project_dir, tmp_path / "s.csv"), "s.csv")
    project = compile_project(project_dir, shown_as="").project
    items, diags = inv.parse_rows(sheet, inv.Known.of(project))
    assert [d.render() for d in diags] == [
        "s.csv:5:4: error sheet-short-row: the row has 3 of the header's 11 cells; 'title:ja' "
        "and the columns after it are missing (a comma or line break in a cell cut the row: "
        "quote that cell, or add the missing commas)",
        "s.csv:6:6: error bad-row: unknown customer stage 's9' (one of: s1, s2, s3, s4)",
    ]
    assert "old-deck" not in [i.id for i in items]
    one_short = [["id", "title"], ["a"]]
    sheet = inv.read_sheet(write_rows(tmp_path / "t.csv", one_short), "t.csv")
    assert [d.render() for d in inv.parse_rows(sheet, inv.Known.of(project))[1]] == [
        "t.csv:2:2: error sheet-short-row: the row has 1 of the header's 2 cells; 'title' is "
        "missing (a comma or line break in a cell cut the row: quote that cell, or add the "
        "missing commas)"
    ]


def test_xlsx_row_ending_early_is_not_short(project_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    path.write_bytes(workbook_bytes({"A1": "id", "B1": "title", "C1": "format", "A2": "case-big"}))
    project = compile_project(project_dir, shown_as="").project
    items, diags = inv.parse_rows(inv.read_sheet(path, "s.xlsx"), inv.Known.of(project))
    assert diags == []
    assert items[0].values == {"title": None, "format": None}


def test_values_past_the_last_named_column_are_an_error(project_dir: Path, tmp_path: Path) -> None:
    rows = [["id", "status"], ["case-big", "draft", "", "stray"]]
    sheet = inv.read_sheet(write_rows(tmp_path / "s.csv", rows), "s.csv")
    project = compile_project(project_dir, shown_as="").project
    assert [d.render() for d in inv.parse_rows(sheet, inv.Known.of(project))[1]] == [
        "s.csv:1:4: error bad-header: column 4 has values but no name"
    ]


def test_a_bad_row_makes_the_whole_sheet_unwritable(project_dir: Path, tmp_path: Path) -> None:
    sheet = inv.read_sheet(edited(project_dir, tmp_path / "s.csv"), "s.csv")
    project = compile_project(project_dir, shown_as="").project
    proposal = imp.propose(project_dir, project, sheet, delete_missing=True)
    assert not proposal.writable
    assert [c.id for c in proposal.changes] == ["case-small"]  # rejected rows are not deleted
    assert [p.rel for p in proposal.plans] == ["journeys/content.yaml"]
    assert [d.code for d in proposal.diagnostics] == ["sheet-short-row", "bad-row"]
    good = imp.propose(
        project_dir,
        project,
        inv.read_sheet(write_rows(tmp_path / "g.csv", exported_rows(project_dir)), "g.csv"),
    )
    assert good.writable and good.changes == [] and good.plans == []


def test_content_import_write_is_all_or_nothing(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    sheet = edited(project_dir, tmp_path / "s.csv")
    before = tree_bytes(project_dir)
    code, out, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert code == 1
    assert out.splitlines()[0] == "~ case-small (row 4): status: draft -> published"
    assert f"{sheet}:5:4: error sheet-short-row: " in err
    assert f"{sheet}:6:6: error bad-row: unknown customer stage 's9'" in err
    assert "journey content import: the sheet has 2 error(s); nothing written" in err
    assert tree_bytes(project_dir) == before


# --- 4. control characters -------------------------------------------------------------------

CONTROL_HINT = "remove it: a cell may hold tabs and line breaks, no other control character"


def test_control_characters_in_content_cells_are_errors(
    capsys: pytest.CaptureFixture[str], project_dir: Path, tmp_path: Path
) -> None:
    rows = exported_rows(project_dir)
    rows[2][rows[0].index("title")] = "Big\x00case"  # case-big
    rows[3][rows[0].index("format")] = "case\x1b[31m"  # case-small
    sheet = write_rows(tmp_path / "s.csv", rows)
    project = compile_project(project_dir, shown_as="").project
    items, diags = inv.parse_rows(inv.read_sheet(sheet, "s.csv"), inv.Known.of(project))
    assert [d.render() for d in diags] == [
        f"s.csv:3:2: error sheet-control-char: column 'title' holds the control character "
        f"U+0000 ({CONTROL_HINT})",
        f"s.csv:4:5: error sheet-control-char: column 'format' holds the control character "
        f"U+001B ({CONTROL_HINT})",
    ]
    assert {"case-big", "case-small"}.isdisjoint(i.id for i in items)
    before = tree_bytes(project_dir)
    code, out, err = run(capsys, "content", "import", str(project_dir), str(sheet), "--write")
    assert code == 1
    assert f"{sheet}:3:2: error sheet-control-char: column 'title' holds the control" in err
    assert tree_bytes(project_dir) == before


def test_control_character_in_an_xlsx_inventory(project_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    path.write_bytes(workbook_bytes({"A1": "id", "B1": "title", "A2": "case-big", "B2": "a\x7fb"}))
    project = compile_project(project_dir, shown_as="").project
    _, diags = inv.parse_rows(inv.read_sheet(path, "s.xlsx"), inv.Known.of(project))
    assert [d.render() for d in diags] == [
        "s.xlsx:2:2: error sheet-control-char: column 'title' holds the control character "
        f"U+007F ({CONTROL_HINT})"
    ]


def test_control_characters_in_journey_sheet_cells_are_errors(
    capsys: pytest.CaptureFixture[str], example_copy: Path, tmp_path: Path
) -> None:
    sheet = tmp_path / "j.csv"
    sheet.write_text(
        ',interest,consideration\r\nthinking,"a\x00b",ok\r\ndoing,x,"y\r\nz\x08"\r\n'
        "マーケティング (marketing),do \x0c it,\r\n",
        encoding="utf-8",
    )
    out_file = tmp_path / "out.yaml"
    code, out, err = run(
        capsys, "import", "sheet", str(sheet), "--journey", "new-one", "--persona", "sato",
        "--project", str(example_copy), "-o", str(out_file),
    )  # fmt: skip
    assert (code, out) == (1, "")
    f = str(sheet)
    assert err.splitlines() == [
        f"{f}:2:2: error sheet-control-char: B2: the cell holds the control character U+0000 "
        f"({CONTROL_HINT})",
        f"{f}:3:3: error sheet-control-char: C3: the cell holds the control character U+0008 "
        f"({CONTROL_HINT})",
        f"{f}:4:2: error sheet-control-char: B4: the cell holds the control character U+000C "
        f"({CONTROL_HINT})",
        "3 error(s), 0 warning(s)",
    ]
    assert not out_file.exists()
