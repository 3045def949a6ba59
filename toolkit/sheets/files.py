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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from toolkit.common.labels import strip_controls
from toolkit.common.spreadsheet import (
    FIXED_TIME,
    csv_bytes,
    never_formula,
    unneutralise_csv,
    workbook_bytes,
)
from toolkit.common.spreadsheet import neutralise_csv as neutralise_csv
from toolkit.sheets.grid import Cell, Grid, cell_ref

ZIP_TIME = FIXED_TIME.timetuple()[:6]  # entry times of an exported workbook
MAX_BYTES = 10 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLS = 200
MAX_SCANNED_ROWS = 100_000  # rows read before giving up (empty formatted rows count)
MAX_SCANNED_CELLS = 2_000_000  # cells read before giving up (a far cell pads its whole row)
SIZE = f"{MAX_ROWS:,} rows x {MAX_COLS} columns"
LIMIT = f"the limit is {SIZE}"
SUFFIXES = (".csv", ".xlsx")
T = TypeVar("T")


class SheetFileError(Exception):
    """The file cannot be read or written as a sheet; the message says why.

    row and column (1-based, 0 when the whole file is meant) locate the cell at fault.
    """

    def __init__(self, message: str, row: int = 0, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.hint = hint


def sheet_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetFileError(f"{path}: a sheet file ends in .csv or .xlsx")
    return suffix[1:]


def _cell_text(value: Cell) -> str:
    return "" if value is None else strip_controls(str(value))


# --- CSV ---------------------------------------------------------------------------------------


def write_csv(grid: Grid) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets detect it), CRLF rows, every cell safe."""
    return csv_bytes([neutralise_csv(_cell_text(v)) for v in row] for row in grid)


def read_csv(raw: bytes) -> Grid:
    """A CSV grid: UTF-8 (with or without BOM), else Shift_JIS (cp932) as Excel saves it."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise SheetFileError("the CSV file is neither UTF-8 nor Shift_JIS") from None
    return [[unneutralise_csv(v) or None for v in row] for row in csv_rows(text)]


def csv_rows(text: str) -> list[list[str]]:
    """The records of CSV text, within the limits.

    Only the csv module splits records: a quoted cell may hold line breaks, and characters
    that str.splitlines() would take for one (U+2028, U+0085, \\x1c, \\v, ...) stay in their cell.
    """
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise SheetFileError(f"not a valid CSV file ({exc})") from None
    _check_size(len(rows), max((len(r) for r in rows), default=0))
    return rows


def _check_size(rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLS:
        raise SheetFileError(f"the sheet has {rows:,} rows and {cols:,} columns; {LIMIT}")


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
                never_formula(cell)
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


def check_archive(raw: bytes) -> None:
    """SheetFileError unless raw is a zip archive unpacking to at most MAX_UNPACKED bytes.

    zipfile never unpacks an entry past its declared size, so the sum bounds the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise SheetFileError("not an XLSX workbook (not a zip archive)") from None
    except NotImplementedError as exc:  # a zip feature Python cannot read (version 6.4 ...)
        raise SheetFileError(f"not an XLSX workbook ({_why(exc)})") from None
    if unpacked > MAX_UNPACKED:
        raise SheetFileError(f"the XLSX file unpacks to {unpacked:,} bytes; too large")


def open_workbook(raw: bytes, data_only: bool) -> Any:
    """A read-only workbook of checked bytes (close it after use)."""
    check_archive(raw)
    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise SheetFileError(f"not an XLSX workbook ({_why(exc)})") from None


def _why(exc: Exception) -> str:
    """An exception in a few words: its type and the start of its message."""
    text = " ".join(strip_controls(str(exc)).split())
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def worksheet_rows(ws: Any, values_only: bool, blank: Callable[[Any], bool]) -> list[list[Any]]:
    """A read-only worksheet's rows as stored, within the limits (see stored_rows).

    The `<dimension>` a worksheet declares is ignored: it may be stale (rows past it would be
    dropped) or huge (openpyxl would pad every row and column up to it).
    """
    if not hasattr(ws, "reset_dimensions"):
        raise SheetFileError(f"'{ws.title}' is not a worksheet (a chart sheet?)")
    ws.reset_dimensions()
    try:
        return stored_rows(ws.iter_rows(values_only=values_only), blank)
    except SheetFileError:
        raise
    except Exception as exc:  # a malformed worksheet fails while its rows are parsed
        raise SheetFileError(f"the worksheet cannot be read ({_why(exc)})") from None


def stored_rows(rows: Iterable[Sequence[T]], blank: Callable[[T], bool]) -> list[list[T]]:
    """Rows without their trailing blank cells and trailing blank rows.

    Raises SheetFileError at the first cell holding something past MAX_ROWS x MAX_COLS, and
    once more than MAX_SCANNED_ROWS rows or MAX_SCANNED_CELLS cells (blank ones included)
    were read, so that a small file describing a huge sheet costs little time and memory.
    """
    out: list[list[T]] = []
    scanned = 0
    for number, row in enumerate(rows, start=1):
        scanned += len(row)
        if number > MAX_SCANNED_ROWS:
            raise SheetFileError(
                f"the sheet stores rows past row {MAX_SCANNED_ROWS:,}; {LIMIT}",
                hint="delete the rows below the data, even empty formatted ones",
            )
        if scanned > MAX_SCANNED_CELLS:
            raise SheetFileError(
                f"the sheet stores more than {MAX_SCANNED_CELLS:,} cells; {LIMIT}",
                hint="delete the rows and columns around the data, even empty formatted ones",
            )
        cells = list(row)
        while cells and blank(cells[-1]):
            cells.pop()
        if cells and (number > MAX_ROWS or len(cells) > MAX_COLS):
            col = len(cells) if len(cells) > MAX_COLS else _first_filled(cells, blank)
            raise SheetFileError(
                f"{cell_ref(number, col)}: the cell is past the limit of {SIZE}",
                number,
                col,
                "clear it, or split the sheet",
            )
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


def _first_filled(cells: list[T], blank: Callable[[T], bool]) -> int:
    return next(i for i, c in enumerate(cells, start=1) if not blank(c))


def read_xlsx(raw: bytes) -> Grid:
    """The first worksheet's values (formulas as their cached values)."""
    wb = open_workbook(raw, data_only=True)
    try:
        if not wb.worksheets:
            raise SheetFileError("the XLSX file has no worksheet")
        values = worksheet_rows(wb.worksheets[0], True, lambda v: _xlsx_value(v) is None)
    finally:
        wb.close()
    rows: Grid = [[_xlsx_value(v) for v in row] for row in values]
    _check_size(len(rows), max((len(r) for r in rows), default=0))
    return rows


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


# --- files -------------------------------------------------------------------------------------


def read_limited(path: Path) -> bytes:
    """A sheet file's bytes, refused past MAX_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SheetFileError(f"the file is {size:,} bytes; the limit is {MAX_BYTES:,}")
        return path.read_bytes()
    except OSError as exc:
        raise SheetFileError(f"cannot read the file ({exc.strerror or exc})") from None


def read_grid(path: Path) -> Grid:
    fmt = sheet_format(path)
    raw = read_limited(path)
    return read_csv(raw) if fmt == "csv" else read_xlsx(raw)


def grid_bytes(grid: Grid, fmt: str, title: str) -> bytes:
    return write_csv(grid) if fmt == "csv" else write_xlsx(grid, title)
