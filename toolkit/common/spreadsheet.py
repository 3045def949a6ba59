"""Spreadsheet cells and files: formula escaping, the CSV every export writes, and
deterministic XLSX bytes. Below every module that writes a sheet (render, sheets, analyses,
cli).

A text cell starting with = + - @ tab or CR could run as a formula in a spreadsheet:

- CSV exports of the build and of reports (`neutralise`) prefix it with an apostrophe,
  one-way; plain numbers ("-3", "+1.5") stay numbers;
- the sheets that are read back (`journey export sheet`, `journey content export`) use the
  reversible pair `neutralise_csv` / `unneutralise_csv`: a cell that already starts with an
  apostrophe gets one more, so reading strips exactly one;
- in XLSX the text is kept as it is, stored as a string with the quote-prefix style
  (`never_formula`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
CSV_QUOTE = "'"
FIXED_TIME = dt.datetime(2000, 1, 1)
ZIP_MIN_TIME = dt.datetime(1980, 1, 1)


# --- formula escaping ------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (plain numbers stay numbers)."""
    if value.startswith(FORMULA_START) and not NUMBER.match(value):
        return "'" + value
    return value


def is_number(value: str) -> bool:
    """An integer as int() reads it, without surrounding spaces."""
    try:
        int(value)
    except ValueError:
        return False
    return value.strip() == value


def neutralise_csv(text: str) -> str:
    """A CSV cell no spreadsheet runs as a formula; unneutralise_csv undoes it."""
    if text.startswith(CSV_QUOTE) or (text.startswith(FORMULA_START) and not is_number(text)):
        return CSV_QUOTE + text
    return text


def unneutralise_csv(text: str) -> str:
    return text[1:] if text.startswith(CSV_QUOTE) else text


def never_formula(cell: Any) -> None:
    """An openpyxl cell whose text starts like a formula: stored as a string with the
    quote-prefix style, so a spreadsheet shows the text as it is and never runs it."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


# --- CSV -------------------------------------------------------------------------------------


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """Rows as CSV text: the csv module's default (excel) dialect, minimal quoting, CRLF
    row ends. Cells are written as given: escape them first."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def csv_bytes(rows: Iterable[Iterable[str]], bom: bool = True) -> bytes:
    """CSV as UTF-8; with a byte-order mark (files) so spreadsheet programs read it as
    UTF-8 (Japanese text)."""
    return csv_text(rows).encode("utf-8-sig" if bom else "utf-8")


# --- XLSX ------------------------------------------------------------------------------------


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH (UTC, naive) when set and valid, else 2000-01-01."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        stamp = dt.datetime.fromtimestamp(int(raw), tz=dt.UTC).replace(tzinfo=None)
        return max(stamp, ZIP_MIN_TIME)
    return FIXED_TIME


def workbook_bytes(wb: Any) -> bytes:
    """An openpyxl workbook as XLSX bytes, identical for identical content: fixed document
    dates (build_time) and fixed zip entries."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = build_time()
    wb.properties.creator = "journey"
    wb.properties.lastModifiedBy = "journey"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    raw = io.BytesIO()
    # Stored, not compressed: normalise_zip compresses every entry anyway.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).write_data()
    return normalise_zip(raw.getvalue(), stamp)


def normalise_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same zip with fixed entry times and attributes, entries in their original order."""
    out = io.BytesIO()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            fixed.create_system = 0
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return out.getvalue()
