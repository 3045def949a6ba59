"""Sheet files: a grid of cells as CSV or XLSX, written safely and deterministically.

Formula neutralisation: a text cell starting with = + - @ tab or CR could run as a formula
in a spreadsheet. In XLSX such a cell is stored as an explicit string (inline string with
the quote-prefix style), so its text is unchanged; in CSV it is prefixed with an apostrophe,
which the reader strips again. Control characters other than tab, LF and CR are removed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from toolkit.renderers.common import strip_controls
from toolkit.renderers.data import FORMULA_START
from toolkit.renderers.xlsx import FIXED_TIME, workbook_bytes
from toolkit.sheets import Cell, Grid

CSV_QUOTE = "'"
ZIP_TIME = FIXED_TIME.timetuple()[:6]  # entry times of an exported workbook
MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLS = 200
MAX_SCANNED_ROWS = 100_000  # rows read before giving up (empty formatted rows count)
SUFFIXES = (".csv", ".xlsx")


class SheetFileError(Exception):
    """The file cannot be read or written as a sheet; the message says why."""


def sheet_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetFileError(f"{path}: a sheet file ends in .csv or .xlsx")
    return suffix[1:]


def is_number(value: str) -> bool:
    try:
        int(value)
    except ValueError:
        return False
    return value.strip() == value


def neutralise_csv(text: str) -> str:
    """A CSV cell no spreadsheet runs as a formula; read_csv undoes it."""
    if text.startswith(CSV_QUOTE) or (text.startswith(FORMULA_START) and not is_number(text)):
        return CSV_QUOTE + text
    return text


def unneutralise_csv(text: str) -> str:
    return text[1:] if text.startswith(CSV_QUOTE) else text


def _cell_text(value: Cell) -> str:
    return "" if value is None else strip_controls(str(value))


# --- CSV ---------------------------------------------------------------------------------------


def write_csv(grid: Grid) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets detect it), CRLF rows, every cell safe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in grid:
        writer.writerow([neutralise_csv(_cell_text(v)) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def read_csv(raw: bytes) -> Grid:
    """A CSV grid: UTF-8 (with or without BOM), else Shift_JIS (cp932) as Excel saves it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise SheetFileError("the CSV file is neither UTF-8 nor Shift_JIS") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SheetFileError(f"not a valid CSV file ({exc})") from None
    _check_size(len(rows), max((len(r) for r in rows), default=0))
    return [[unneutralise_csv(v) or None for v in row] for row in rows]


def _check_size(rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise SheetFileError(
            f"the sheet has {rows} rows and {cols} columns; the limit is {MAX_ROWS} x {MAX_COLS}"
        )


# --- XLSX --------------------------------------------------------------------------------------


def write_xlsx(grid: Grid, title: str) -> bytes:
    """One worksheet: header row and lane column in bold, frozen, wrapped; no formulas."""
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(title)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, int):
                cell.value = value
            else:
                text = _cell_text(value)
                if not text:
                    continue
                cell.value = text
                if text.startswith(FORMULA_START):
                    cell.data_type = "s"  # never a formula
                    cell.quotePrefix = True
            cell.alignment = wrap
            if r == 1 or c == 1:
                cell.font = bold
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 24
    for c in range(2, max((len(r) for r in grid), default=1) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 36
    return workbook_bytes(wb)


def _sheet_title(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    return cleaned or "journey"


def read_xlsx(raw: bytes) -> Grid:
    """The first worksheet's values (formulas as their cached values)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile:
        raise SheetFileError("not an XLSX file (not a zip archive)") from None
    if unpacked > MAX_UNPACKED:
        raise SheetFileError(f"the XLSX file unpacks to {unpacked:,} bytes; too large")
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise SheetFileError(f"cannot read the XLSX file ({type(exc).__name__}: {exc})") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # rows as stored: formatting alone does not widen the grid
        rows: Grid = []
        for count, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = _trim_row([_xlsx_value(v) for v in row])
            if count > MAX_SCANNED_ROWS or len(cells) > MAX_COLS:
                _check_size(count, len(cells))
            rows.append(cells)
    finally:
        wb.close()
    rows = _trim(rows)
    _check_size(len(rows), max((len(r) for r in rows), default=0))
    return rows


def _trim_row(cells: list[Cell]) -> list[Cell]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _xlsx_value(value: object) -> Cell:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _trim(rows: Grid) -> Grid:
    while rows and not rows[-1]:
        rows.pop()
    return rows


# --- files -------------------------------------------------------------------------------------


def read_grid(path: Path) -> Grid:
    fmt = sheet_format(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SheetFileError(f"{path} is {size:,} bytes; the limit is {MAX_BYTES:,}")
        raw = path.read_bytes()
    except OSError as exc:
        raise SheetFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_csv(raw) if fmt == "csv" else read_xlsx(raw)


def grid_bytes(grid: Grid, fmt: str, title: str) -> bytes:
    return write_csv(grid) if fmt == "csv" else write_xlsx(grid, title)
