"""The coverage workbook and the inventory workbook: they open with openpyxl, hold the
expected cells, never hold a formula, and are byte-identical for identical input."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
import zipfile
from pathlib import Path

import networkx as nx
import openpyxl
import pytest

from toolkit.model.project import load_project
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.xlsx import coverage_workbook, inventory_workbook, render_xlsx
from toolkit.sheets import inventory as inv

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = {
    "x": '"=HYPERLINK(\\"http://evil.example\\",\\"click\\")"',
    "y": '"@SUM(A1)\\abell"',
}


def graph_at(root: Path) -> nx.MultiDiGraph:
    compiled = compile_project(root, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    assert compiled.graph is not None
    return compiled.graph


@pytest.fixture(scope="module")
def basic() -> nx.MultiDiGraph:
    return graph_at(FIXTURES / "coverage-basic")


@pytest.fixture(scope="module")
def book(basic: nx.MultiDiGraph) -> openpyxl.Workbook:
    data = render_xlsx(basic, RenderOptions("en"))["data/coverage.xlsx"]
    return openpyxl.load_workbook(io.BytesIO(data))


def values(ws, max_row: int | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in ws.iter_rows(max_row=max_row, values_only=True)]


def test_render_xlsx_names_the_file(basic: nx.MultiDiGraph) -> None:
    files = render_xlsx(basic, RenderOptions("en"))
    assert list(files) == ["data/coverage.xlsx"]
    assert files["data/coverage.xlsx"][:2] == b"PK"


def test_matrix_sheet_cells(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["matrix", "gaps", "inventory", "owners"]
    rows = values(book["matrix"])
    assert rows[1][0] == "Covered journey steps: 4/7 (57.1%)"
    assert rows[4][0] == "Segments × stages"
    assert rows[5] == ("segment", "id", "Aware", "Consider", "Buy", "Use")
    assert rows[6] == ("Enterprises", "big", 2, 1, 0, 0)
    assert rows[7] == ("Small firms", "small", 1, 0, 0, 0)
    assert rows[9][0] == "Journeys × stages"
    assert rows[11] == ("Ann's journey", "ann-journey", 2, 1, 0, None)
    assert rows[12] == ("Bob's journey", "bob-journey", 1, 0, None, 1)
    assert rows[13] == ("Small firms as a whole", "small-team", None, None, 0, None)


def test_matrix_sheet_conditional_colouring(book: openpyxl.Workbook) -> None:
    rules = {
        str(rng.sqref): [r.formula[0] for r in rng.rules]
        for rng in book["matrix"].conditional_formatting
    }
    assert rules == {
        "C7:F8": ["AND(ISNUMBER(C7),C7<1)", "AND(ISNUMBER(C7),C7>=1)"],
        "C12:F14": ["AND(ISNUMBER(C12),C12<1)", "AND(ISNUMBER(C12),C12>=1)"],
    }


def test_gaps_sheet_rows(book: openpyxl.Workbook) -> None:
    rows = values(book["gaps"])
    assert rows[0] == (
        "view", "segment", "journey", "stage", "stage label", "count", "pipeline", "owners",
    )  # fmt: skip
    assert rows[1] == (
        "segment", "big", None, "s3", "Buy", 0, "quote-big (planned, sales)", "sales",
    )  # fmt: skip
    assert rows[3] == (
        "segment", "small", None, "s2", "Consider", 0, "case-small (draft, marketing)",
        "marketing",
    )  # fmt: skip
    assert [r[:4] for r in rows if r[0] == "journey"] == [
        ("journey", "big", "ann-journey", "s3"),
        ("journey", "small", "bob-journey", "s2"),
        ("journey", "small", "small-team", "s3"),
    ]
    assert len(rows) == 1 + 5 + 3


def test_inventory_and_owner_sheets(book: openpyxl.Workbook, basic: nx.MultiDiGraph) -> None:
    expected = [tuple(c or None for c in row) for row in inv.export_rows(basic)]
    assert values(book["inventory"]) == expected
    validations = {
        str(v.sqref): v.formula1 for v in book["inventory"].data_validations.dataValidation
    }
    assert validations == {
        "I2:I208": '"planned,draft,published,retired"',
        "H2:H208": '"marketing,sales,support"',
    }
    owners = values(book["owners"])
    assert owners[0] == ("role", "role id", "status", "Aware", "Consider", "Buy", "Use", "total")
    assert owners[1] == ("Marketing", "marketing", "published", 1, 1, 0, 0, 2)
    assert owners[-1] == ("(no owner)", None, None, 0, 0, 0, 1, 1)


def test_identical_input_gives_identical_bytes(
    basic: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = coverage_workbook(basic, "ja")
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    second = coverage_workbook(basic, "ja")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.created == props.modified == dt.datetime(2000, 1, 1)


def test_source_date_epoch_sets_the_dates(
    basic: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = inventory_workbook(basic)
    assert data == inventory_workbook(basic)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.created == dt.datetime(
        2023, 11, 14, 22, 13, 20
    )


def test_formula_text_stays_text_and_control_characters_go(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    model = root / "journeys/model.yaml"
    text = model.read_text(encoding="utf-8")
    for ident, title in HOSTILE.items():
        text = text.replace(f"{{id: {ident}, ", f"{{id: {ident}, title: {title}, format: '-1+1', ")
    model.write_text(text, encoding="utf-8")
    g = graph_at(root)
    data = coverage_workbook(g, "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if "worksheets" in n)
    assert "<f>" not in xml and "<f " not in xml
    ws = openpyxl.load_workbook(io.BytesIO(data))["inventory"]
    cells = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert cells["x"][1].value == '=HYPERLINK("http://evil.example","click")'
    assert cells["y"][1].value == "@SUM(A1)bell"  # the BEL character is gone
    for row in cells.values():
        assert row[1].data_type == "s" and row[1].quotePrefix
        assert row[2].value == "-1+1" and row[2].data_type == "s" and row[2].quotePrefix


def test_inventory_workbook_imports_back_unchanged(tmp_path: Path, basic: nx.MultiDiGraph) -> None:
    path = tmp_path / "inventory.xlsx"
    path.write_bytes(inventory_workbook(basic))
    project = load_project(FIXTURES / "coverage-basic", shown_as="").project
    items, diags = inv.parse_rows(inv.read_sheet(path, "inventory.xlsx"), inv.Known.of(project))
    assert diags == []
    assert inv.compute_changes(project, items) == []


def test_coverage_workbook_inventory_sheet_is_importable(
    tmp_path: Path, basic: nx.MultiDiGraph
) -> None:
    path = tmp_path / "coverage.xlsx"
    path.write_bytes(coverage_workbook(basic, "en"))
    project = load_project(FIXTURES / "coverage-basic", shown_as="").project
    sheet = inv.read_sheet(path, "coverage.xlsx")  # picks the 'inventory' sheet
    items, diags = inv.parse_rows(sheet, inv.Known.of(project))
    assert diags == [] and inv.compute_changes(project, items) == []


def test_example_workbook(example_graph: nx.MultiDiGraph) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(coverage_workbook(example_graph, "ja")))["matrix"]
    rows = values(ws)
    assert rows[1][0] == "Covered journey steps: 24/26 (92.3%)"
    assert rows[6][:4] == ("MA導入済み企業", "ma-adopted", 1, 0)
