"""Content inventory as a sheet: export rows, read a CSV/XLSX sheet back, validate its rows
and work out what changed per item and field.

The sheet has one row per content item. Columns: ``id``, ``title`` (a plain title) and
``title:<lang>`` (one per language of language-map titles), ``format``, ``stages`` and
``segments`` (ids separated by commas or spaces; empty segments = all segments), ``owner``,
``status``, ``url``, ``updated`` (YYYY-MM-DD). Only the columns present are compared, so a
team may hand back a sheet with fewer columns. Writing the changes is ``toolkit.sheets.importer``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from toolkit.analyses.inventory import (
    FIELDS,
    LIST_FIELDS,
    STATUSES,
    TITLE_PREFIX,
)
from toolkit.analyses.inventory import export_rows as export_rows  # the inventory's export
from toolkit.common.diagnostics import Diagnostic, Location, did_you_mean, error, warning
from toolkit.common.spreadsheet import unneutralise_csv
from toolkit.model import models as m
from toolkit.model.project import Project
from toolkit.sheets.cells import CONTROL_HINT, control_char
from toolkit.sheets.files import (
    SheetFileError,
    csv_rows,
    open_workbook,
    read_limited,
    worksheet_rows,
)

SLUG = re.compile(m.SLUG_PATTERN)
LANG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]+)*$")
SPLIT = re.compile(r"[,;\s]+")
Change = Literal["added", "changed", "missing", "deleted"]


# --- reading a sheet -------------------------------------------------------------------------


class SheetError(Exception):
    """The file cannot be read as a sheet at all; `diagnostic` (code unreadable) says why."""

    def __init__(self, display: str, message: str, row: int = 0, column: int = 0, hint: str = ""):
        self.diagnostic = error("unreadable", message, Location(display, row, column), hint)
        tail = f" ({hint})" if hint else ""
        super().__init__(f"{self.diagnostic.location}: {message}{tail}")

    @staticmethod
    def of(display: str, exc: SheetFileError) -> SheetError:
        return SheetError(display, str(exc), exc.row, exc.column, exc.hint)


@dataclass(frozen=True)
class SheetRow:
    number: int  # row number as a spreadsheet shows it (the header is row 1)
    cells: tuple[str, ...]
    formulas: tuple[int, ...] = ()  # 1-based columns whose cell holds a formula


@dataclass(frozen=True)
class Sheet:
    display: str
    header: tuple[str, ...]
    rows: tuple[SheetRow, ...]
    fixed_width: bool = False  # CSV: a row with fewer cells than the header was cut short


def read_csv(path: Path, display: str) -> Sheet:
    try:
        records = csv_rows(read_limited(path).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SheetError(display, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except SheetFileError as exc:
        raise SheetError.of(display, exc) from None
    if not records:
        raise SheetError(display, "the sheet is empty")
    rows = tuple(
        SheetRow(n, tuple(unneutralise_csv(c) for c in rec))
        for n, rec in enumerate(records[1:], start=2)
    )
    return Sheet(display, tuple(records[0]), rows, fixed_width=True)


def read_xlsx(path: Path, display: str, sheet_name: str | None = None) -> Sheet:
    """The sheet named sheet_name, else 'inventory', else the first one."""
    try:
        wb = open_workbook(read_limited(path), data_only=False)
    except SheetFileError as exc:
        raise SheetError.of(display, exc) from None
    try:
        names = wb.sheetnames
        name = sheet_name or ("inventory" if "inventory" in names else names[0] if names else "")
        if name not in names:
            listed = ", ".join(names) or "none"
            raise SheetError(display, f"no sheet '{name}' (sheets: {listed})")
        raw = worksheet_rows(wb[name], False, lambda c: _xlsx_text(c.value) == "")
    except SheetFileError as exc:
        raise SheetError.of(display, exc) from None
    finally:
        wb.close()
    if not raw:
        raise SheetError(display, "the sheet is empty")
    header = tuple(_xlsx_text(c.value) for c in raw[0])
    rows = []
    for n, cells in enumerate(raw[1:], start=2):
        texts = tuple(_xlsx_text(c.value) for c in cells)
        formulas = tuple(i for i, c in enumerate(cells, 1) if getattr(c, "data_type", "") == "f")
        rows.append(SheetRow(n, texts, formulas))
    return Sheet(display, header, tuple(rows))


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_sheet(path: Path, display: str, sheet_name: str | None = None) -> Sheet:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path, display)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, display, sheet_name)
    raise SheetError(display, f"unknown sheet type '{suffix}'; use .csv or .xlsx")


# --- validating rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class RowItem:
    """One accepted row: the item id and the values of the columns the sheet has."""

    row: int
    id: str
    values: dict[str, Any]  # field -> value (None = empty cell); titles under "title"
    title_langs: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Known:
    stages: tuple[str, ...]
    segments: tuple[str, ...]
    roles: tuple[str, ...]

    @staticmethod
    def of(project: Project) -> Known:
        return Known(
            tuple(e.model.id for e in project.stages),
            tuple(e.model.id for e in project.segments),
            tuple(e.model.id for e in project.roles),
        )


def check_header(sheet: Sheet) -> tuple[dict[int, str], list[Diagnostic]]:
    """Column index (0-based) -> column name, or diagnostics when the header is unusable."""
    out: dict[int, str] = {}
    diags = []
    width = max([len(sheet.header), *(len(r.cells) for r in sheet.rows)])
    for i, raw in enumerate(sheet.header + ("",) * (width - len(sheet.header))):
        name = raw.strip().lower()
        if name.startswith(TITLE_PREFIX):
            name = TITLE_PREFIX + raw.strip()[len(TITLE_PREFIX) :]
        at = Location(sheet.display, 1, i + 1)
        if not name:
            if any(i < len(r.cells) and r.cells[i].strip() for r in sheet.rows):
                diags.append(error("bad-header", f"column {i + 1} has values but no name", at))
            continue
        lang = name[len(TITLE_PREFIX) :] if name.startswith(TITLE_PREFIX) else None
        if lang is not None and not LANG.match(lang):
            diags.append(error("bad-header", f"'{raw}' names no language", at, "e.g. title:ja"))
        elif lang is None and name not in FIELDS:
            hint = did_you_mean(name, FIELDS) or "columns: " + ", ".join(FIELDS) + ", title:<lang>"
            diags.append(error("bad-header", f"unknown column '{raw}'", at, hint))
        elif name in out.values():
            diags.append(error("bad-header", f"column '{raw}' appears twice", at))
        else:
            out[i] = name
    if "id" not in out.values() and not diags:
        diags.append(
            error("bad-header", "the sheet has no 'id' column", Location(sheet.display, 1, 1))
        )
    return out, diags


def parse_rows(sheet: Sheet, known: Known) -> tuple[list[RowItem], list[Diagnostic]]:
    """Accepted rows and one diagnostic per problem of every rejected row (file:row:col)."""
    columns, diags = check_header(sheet)
    if diags:
        return [], diags
    accepted: list[RowItem] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        cells = {name: (row.cells[i] if i < len(row.cells) else "") for i, name in columns.items()}
        if not any(c.strip() for c in row.cells):
            continue
        problems = _short_row(sheet, row, columns)
        problems += _row_problems(sheet.display, row, columns, cells, known, seen)
        if problems:
            diags.extend(problems)
            continue
        item = _row_item(row.number, cells)
        seen[item.id] = row.number
        accepted.append(item)
    return accepted, diags


def _short_row(sheet: Sheet, row: SheetRow, columns: dict[int, str]) -> list[Diagnostic]:
    """A `sheet-short-row` error when a CSV row ends before the last named column."""
    width = max(columns) + 1
    have = len(row.cells)
    if not sheet.fixed_width or have >= width:
        return []
    first = sheet.header[have].strip() or f"column {have + 1}"
    missing = f"'{first}' is" if have + 1 == width else f"'{first}' and the columns after it are"
    return [
        error(
            "sheet-short-row",
            f"the row has {have} of the header's {width} cells; {missing} missing",
            Location(sheet.display, row.number, have + 1),
            "a comma or line break in a cell cut the row: quote that cell, or add the missing "
            "commas",
        )
    ]


def rejected_ids(sheet: Sheet, items: list[RowItem]) -> frozenset[str]:
    """Ids written in rows that were not accepted (their items must not count as missing)."""
    columns, _ = check_header(sheet)
    index = next((i for i, name in columns.items() if name == "id"), None)
    if index is None:
        return frozenset()
    named = {r.cells[index].strip() for r in sheet.rows if index < len(r.cells)}
    return frozenset(named - {i.id for i in items} - {""})


def _row_problems(
    display: str,
    row: SheetRow,
    columns: dict[int, str],
    cells: dict[str, str],
    known: Known,
    seen: dict[str, int],
) -> list[Diagnostic]:
    col_of = {name: i + 1 for i, name in columns.items()}
    out = []

    def bad(name: str, message: str, hint: str = "") -> None:
        at = Location(display, row.number, col_of.get(name, 1))
        out.append(error("bad-row", message, at, hint))

    for name, text in cells.items():
        found = control_char(text)
        if found:
            out.append(
                error(
                    "sheet-control-char",
                    f"column '{name}' holds the control character {found}",
                    Location(display, row.number, col_of[name]),
                    CONTROL_HINT,
                )
            )
    for col in row.formulas:
        name = columns.get(col - 1, "")
        bad(name, f"cell holds a formula (column '{name or col}')", "type the value itself")
    ident = cells.get("id", "").strip()
    if not ident:
        bad("id", "the row has no id")
    elif not SLUG.match(ident):
        bad("id", f"id '{ident}' is not a lowercase slug", "use a-z, 0-9, '-' and '_'")
    elif ident in seen:
        bad("id", f"id '{ident}' is also in row {seen[ident]}", "each item once")
    for name, ids, what in (
        ("stages", known.stages, "customer stage"),
        ("segments", known.segments, "segment"),
    ):
        for value in split_ids(cells.get(name, "")):
            if value not in ids:
                bad(name, f"unknown {what} '{value}'", _hint(value, ids))
    owner = cells.get("owner", "").strip()
    if owner and owner not in known.roles:
        bad("owner", f"unknown role '{owner}'", _hint(owner, known.roles))
    status = cells.get("status", "").strip()
    if status and status not in STATUSES:
        bad("status", f"unknown status '{status}'", "one of: " + ", ".join(STATUSES))
    updated = cells.get("updated", "").strip()
    if updated and parse_date(updated) is None:
        bad("updated", f"'{updated}' is not a date", "write YYYY-MM-DD")
    langs = [n for n in cells if n.startswith(TITLE_PREFIX) and cells[n].strip()]
    if cells.get("title", "").strip() and langs:
        bad("title", "a title in 'title' and in " + ", ".join(langs), "use one or the other")
    return out


def _hint(value: str, known: tuple[str, ...]) -> str:
    if not known:
        return "the project defines none"
    return did_you_mean(value, known) or "one of: " + ", ".join(known[:12])


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if len(text.strip()) in (10, 19) else None
    except ValueError:
        return None


def split_ids(text: str) -> list[str]:
    return list(dict.fromkeys(x for x in SPLIT.split(text.strip()) if x))


def _row_item(number: int, cells: dict[str, str]) -> RowItem:
    values: dict[str, Any] = {}
    langs: dict[str, str | None] = {}
    for name, raw in cells.items():
        text = raw.strip()
        if name.startswith(TITLE_PREFIX):
            langs[name[len(TITLE_PREFIX) :]] = text or None
        elif name == "id":
            continue
        elif name in LIST_FIELDS:
            ids = split_ids(text)
            values[name] = ids if ids or name == "stages" else None
        elif name == "updated":
            values[name] = parse_date(text) if text else None
        else:
            values[name] = text or None
    return RowItem(number, cells["id"].strip(), values, langs)


# --- changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any  # None: the field is removed


@dataclass(frozen=True)
class ItemChange:
    id: str
    kind: Change
    row: int | None  # sheet row (None for items missing from the sheet)
    fields: tuple[FieldChange, ...] = ()
    values: tuple[tuple[str, Any], ...] = ()  # a new item's fields, in format order


def old_values(item: m.ContentItem) -> dict[str, Any]:
    return {f: getattr(item, f) for f in FIELDS[1:]}


def new_title(old: Any, item: RowItem) -> Any:
    """The title after the row: language columns merge into the old map (others kept)."""
    if "title" not in item.values and not item.title_langs:
        return old
    plain = item.values.get("title")
    langs = {k: v for k, v in item.title_langs.items() if v}
    if plain and not langs:
        return plain
    kept = (
        {k: v for k, v in old.items() if k not in item.title_langs} if isinstance(old, dict) else {}
    )
    merged = {**kept, **langs}
    if isinstance(old, dict):  # keep the old order of languages, new ones after
        merged = {k: merged[k] for k in [*old, *langs] if k in merged}
    return merged or None


def _same(name: str, old: Any, new: Any) -> bool:
    if name in LIST_FIELDS:
        return list(old or []) == list(new or [])
    return old == new


def compute_changes(
    project: Project,
    items: list[RowItem],
    delete_missing: bool = False,
    rejected: frozenset[str] = frozenset(),
) -> list[ItemChange]:
    """Per item: added (new id), changed (fields that differ), missing or deleted.

    Items whose id is in rejected (rows with errors) are neither missing nor deleted.
    """
    existing = {e.model.id: e for e in project.content}
    out: list[ItemChange] = []
    for item in items:
        entry = existing.get(item.id)
        old = old_values(entry.model) if entry else {f: None for f in FIELDS[1:]}
        new = {**{k: v for k, v in item.values.items() if k != "title"}}
        if "title" in item.values or item.title_langs:
            new["title"] = new_title(old["title"], item)
        diffs = tuple(
            FieldChange(f, old[f], new[f])
            for f in FIELDS[1:]
            if f in new and not _same(f, old[f], new[f])
        )
        if entry is None:
            values = tuple((f, new[f]) for f in FIELDS[1:] if new.get(f) not in (None, []))
            out.append(ItemChange(item.id, "added", item.row, (), (("id", item.id), *values)))
        elif diffs:
            out.append(ItemChange(item.id, "changed", item.row, diffs))
    in_sheet = {i.id for i in items} | rejected
    for ident in existing:
        if ident not in in_sheet:
            out.append(ItemChange(ident, "deleted" if delete_missing else "missing", None))
    return out


def missing_warnings(project: Project, changes: list[ItemChange]) -> list[Diagnostic]:
    """A `missing-item` warning at each item the sheet lacks (the item is kept)."""
    where = {e.model.id: e.loc("id") for e in project.content}
    return [
        warning(
            "missing-item",
            f"content item '{c.id}' is not in the sheet; it is kept",
            where[c.id],
            "add its row back, or pass --delete-missing to remove it",
        )
        for c in changes
        if c.kind == "missing"
    ]


def show_value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def describe(change: ItemChange) -> str:
    """One line per item for the terminal."""
    row = f" (row {change.row})" if change.row else ""
    if change.kind == "added":
        return f"+ {change.id}{row}: new item"
    if change.kind == "deleted":
        return f"- {change.id}: deleted (not in the sheet, --delete-missing)"
    if change.kind == "missing":
        return f"? {change.id}: not in the sheet, kept"
    parts = [f"{f.field}: {show_value(f.old)} -> {show_value(f.new)}" for f in change.fields]
    return f"~ {change.id}{row}: " + "; ".join(parts)
