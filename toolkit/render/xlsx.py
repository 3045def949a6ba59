"""XLSX: the coverage workbook (data/coverage.xlsx) and the content inventory workbook.

Workbooks are deterministic (toolkit.common.spreadsheet.workbook_bytes): fixed document
dates (SOURCE_DATE_EPOCH when set, else 2000-01-01) and fixed zip entry times, so identical
input gives identical bytes. Every text
cell is stored as a string (never a formula, whatever it starts with) with control
characters that XML cannot hold removed.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

import networkx as nx
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.analyses import coverage as cov
from toolkit.analyses.inventory import STATUSES, export_rows
from toolkit.common.spreadsheet import never_formula, workbook_bytes
from toolkit.render.common import RenderOptions, label_of, pick

BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
GAP_FILL = PatternFill("solid", start_color="F8D7DA", end_color="F8D7DA")
OK_FILL = PatternFill("solid", start_color="D4EDDA", end_color="D4EDDA")
HEAD_FILL = PatternFill("solid", start_color="E9ECEF", end_color="E9ECEF")
CellValue = str | int | float | dt.date | None


# --- deterministic, formula-free cells and files ---------------------------------------------


def clean_text(text: str) -> str:
    """Text without the control characters a workbook cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def put(ws: Worksheet, row: int, col: int, value: CellValue, font: Font | None = None) -> None:
    """Set a cell; text is always a string cell (a leading '=' never makes a formula)."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"
        never_formula(cell)
    else:
        cell.value = value
    if font is not None:
        cell.font = font


def put_row(ws: Worksheet, row: int, values: Sequence[CellValue], font: Font | None = None) -> None:
    for col, value in enumerate(values, start=1):
        put(ws, row, col, value, font)


def text_width(text: str) -> int:
    if text.isascii():
        return len(text)
    eaw = unicodedata.east_asian_width
    return len(text) + len([ch for ch in text if eaw(ch) in "WF"])


def longest_line(text: str) -> int:
    """The display width of the widest line of the text."""
    return max(text_width(line) for line in text.split("\n"))


def fit_columns(ws: Worksheet, limit: int = 60) -> None:
    """Column widths from the longest text in each column (deterministic)."""
    widths: dict[int, int] = {}
    known: dict[str, int] = {}  # text -> longest_line(text); cells repeat a lot
    for row in ws.iter_rows(values_only=True):
        for col, value in enumerate(row, start=1):
            if value is not None:
                text = str(value)
                longest = known.get(text)
                if longest is None:
                    longest = known[text] = longest_line(text)
                widths[col] = max(widths.get(col, 0), longest)
    for col, width in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(col)].width = min(limit, width + 2)


# --- sheets ----------------------------------------------------------------------------------


def _stage_labels(g: nx.MultiDiGraph, lang: str) -> list[str]:
    return [label_of(g.nodes[f"stage:{s}"], lang) for s in cov.stage_ids(g)]


def _row_label(g: nx.MultiDiGraph, kind: str, key: str | None, lang: str) -> str:
    if key is None:
        return "(all segments)" if kind == "segment" else "(no owner)"
    return label_of(g.nodes[f"{kind}:{key}"], lang)


def _matrix_block(
    ws: Worksheet, g: nx.MultiDiGraph, top: int, kind: str, rows: list[cov.MatrixRow], lang: str
) -> int:
    """A labelled matrix with counts (blank where there is no step); returns the next row."""
    heading = "Segments × stages" if kind == "segment" else "Journeys × stages"
    put(ws, top, 1, heading, BOLD)
    put_row(ws, top + 1, [kind, "id", *_stage_labels(g, lang)], BOLD)
    for col in range(1, 3 + len(cov.stage_ids(g))):
        ws.cell(row=top + 1, column=col).fill = HEAD_FILL
    for n, row in enumerate(rows, start=top + 2):
        put_row(ws, n, [_row_label(g, kind, row.key, lang), row.key or ""])
        for col, cell in enumerate(row.cells, start=3):
            put(ws, n, col, None if cell is None else cell.count)
    return top + 2 + len(rows) + 1


def _colour(ws: Worksheet, first_row: int, last_row: int, last_col: int, min_items: int) -> None:
    """Conditional colouring of the counts: gap red, covered green, blank (no step) plain."""
    if last_row < first_row:
        return
    area = f"C{first_row}:{get_column_letter(last_col)}{last_row}"
    ref = f"C{first_row}"
    gap = FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}<{min_items})"], fill=GAP_FILL)
    ok = FormulaRule(formula=[f"AND(ISNUMBER({ref}),{ref}>={min_items})"], fill=OK_FILL)
    ws.conditional_formatting.add(area, gap)
    ws.conditional_formatting.add(area, ok)


def matrix_sheet(ws: Worksheet, g: nx.MultiDiGraph, lang: str, min_items: int = 1) -> None:
    covered, total = cov.covered_share(cov.step_cells(g), min_items)
    put(ws, 1, 1, pick(g.graph.get("title"), lang, "Content coverage"), TITLE_FONT)
    share = f"{cov.percent(covered, total):.1f}%"
    put(ws, 2, 1, f"Covered journey steps: {covered}/{total} ({share})")
    put(ws, 3, 1, f"Cells count published items; fewer than {min_items} is a gap (red).")
    last_col = 2 + len(cov.stage_ids(g))
    segments = cov.segment_matrix(g)
    nxt = _matrix_block(ws, g, 5, "segment", segments, lang)
    _colour(ws, 7, 6 + len(segments), last_col, min_items)
    journeys = cov.journey_matrix(g)
    _matrix_block(ws, g, nxt, "journey", journeys, lang)
    _colour(ws, nxt + 2, nxt + 1 + len(journeys), last_col, min_items)
    ws.freeze_panes = "C7"
    fit_columns(ws, limit=40)


GAP_HEADER = ("view", "segment", "journey", "stage", "stage label", "count", "pipeline", "owners")


def gap_rows(g: nx.MultiDiGraph, lang: str, min_items: int = 1) -> list[list[CellValue]]:
    """One row per gap: segment x stage gaps, then journey step gaps."""
    rows: list[list[CellValue]] = []
    views = (("segment", cov.segment_cells(g)), ("journey", cov.step_cells(g)))
    for view, cells in views:
        for gap in cov.gaps(g, cells, min_items):
            c = gap.cell
            pipeline = "; ".join(
                f"{p.id} ({p.status}, {p.owner or 'no owner'})" for p in gap.pipeline
            )
            owners = ", ".join(dict.fromkeys(p.owner for p in gap.pipeline if p.owner))
            stage = label_of(g.nodes[f"stage:{c.stage}"], lang)
            rows.append(
                [view, c.segment or "", c.journey or "", c.stage, stage, c.count, pipeline, owners]
            )
    return rows


def gaps_sheet(ws: Worksheet, g: nx.MultiDiGraph, lang: str, min_items: int = 1) -> None:
    put_row(ws, 1, list(GAP_HEADER), BOLD)
    for n, row in enumerate(gap_rows(g, lang, min_items), start=2):
        put_row(ws, n, row)
    _finish_table(ws, len(GAP_HEADER))


def owners_sheet(ws: Worksheet, g: nx.MultiDiGraph, lang: str) -> None:
    put_row(ws, 1, ["role", "role id", "status", *_stage_labels(g, lang), "total"], BOLD)
    for n, row in enumerate(cov.ownership_matrix(g), start=2):
        put_row(
            ws,
            n,
            [
                _row_label(g, "role", row.role, lang),
                row.role or "",
                row.status or "",
                *row.counts,
                sum(row.counts),
            ],
        )
    _finish_table(ws, 4 + len(cov.stage_ids(g)))


def inventory_sheet(ws: Worksheet, g: nx.MultiDiGraph) -> None:
    """The content inventory exactly as `journey content export` writes it (re-importable)."""
    rows = export_rows(g)
    for n, row in enumerate(rows, start=1):
        put_row(ws, n, row, BOLD if n == 1 else None)
    header = rows[0]
    last = max(len(rows), 2) + 200  # room for rows the content team adds
    _validation(ws, header, "status", f'"{",".join(STATUSES)}"', last)
    _validation(ws, header, "owner", f'"{",".join(cov.role_ids(g))}"', last)
    _finish_table(ws, len(header))


def _validation(ws: Worksheet, header: list[str], column: str, choices: str, last: int) -> None:
    if column not in header or len(choices) > 255:
        return
    letter = get_column_letter(header.index(column) + 1)
    rule = DataValidation(type="list", formula1=choices, allow_blank=True)
    rule.error = f"Choose a {column} from the list"
    rule.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(rule)


def _finish_table(ws: Worksheet, columns: int) -> None:
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{ws.max_row}"
    fit_columns(ws)


# --- workbooks -------------------------------------------------------------------------------


def coverage_workbook(g: nx.MultiDiGraph, lang: str, min_items: int = 1) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "matrix"
    matrix_sheet(ws, g, lang, min_items)
    gaps_sheet(wb.create_sheet("gaps"), g, lang, min_items)
    inventory_sheet(wb.create_sheet("inventory"), g)
    owners_sheet(wb.create_sheet("owners"), g, lang)
    return workbook_bytes(wb)


def inventory_workbook(g: nx.MultiDiGraph) -> bytes:
    """The workbook of `journey content export --format xlsx`: one 'inventory' sheet."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    inventory_sheet(ws, g)
    return workbook_bytes(wb)


def render_xlsx(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build`: the coverage workbook as data/coverage.xlsx."""
    return {"data/coverage.xlsx": coverage_workbook(graph, options.lang)}
