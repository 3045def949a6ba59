"""Sheet workflow: `journey export sheet` and `journey import sheet`, without any printing.

Import never writes a file that would break the project: the new YAML is first checked in a
temporary copy of the project (as if it replaced the journey of the same id), and only a
result without errors is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from toolkit.common.diagnostics import Diagnostic, Location, error
from toolkit.load.sources import SOURCE_DIRS, display_root, parse_bytes
from toolkit.model import models as m
from toolkit.model.project import Entry, Project
from toolkit.pipeline import compile_project
from toolkit.sheets.files import SheetFileError, grid_bytes, read_grid, sheet_format
from toolkit.sheets.grid import journey_grid, read_steps, vocabulary
from toolkit.sheets.journey_yaml import dump_journey


class SheetUsageError(Exception):
    """A wrong request (unknown journey, existing output, ...): a usage error."""


@dataclass
class Outcome:
    """What a sheet command did: the file written (None if refused) and what it found."""

    written: Path | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.written is not None


def _errors(diags: list[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diags)


def _load(project_root: Path) -> tuple[Project | None, list[Diagnostic]]:
    """The project with file names relative to its root; its errors (as shown) if any."""
    compiled = compile_project(project_root, shown_as="")
    if not compiled.ok:
        return None, [_shown(d, project_root) for d in compiled.diagnostics]
    return compiled.project, []


def _shown(d: Diagnostic, root: Path) -> Diagnostic:
    """A diagnostic of a project compiled with relative names, named as the user wrote root."""
    prefix = display_root(str(root))
    if not prefix:
        return d
    file = f"{prefix}/{d.file}" if d.file else prefix
    return Diagnostic(d.severity, d.code, d.message, file, d.line, d.column, d.hint)


def find_journey(project: Project, journey_id: str) -> Entry[m.JourneyDoc] | None:
    return next((j for j in project.journeys if j.model.id == journey_id), None)


def _refuse_existing(path: Path, force: bool) -> None:
    if (path.exists() or path.is_symlink()) and not force:
        raise SheetUsageError(f"{path} exists; use --force to replace it")
    if path.exists() and not path.is_file():
        raise SheetUsageError(f"{path} is not a file")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- export ------------------------------------------------------------------------------------


def export_sheet(
    project_root: Path, journey_id: str, out: Path, lang: str | None = None, force: bool = False
) -> Outcome:
    fmt = _format(out)
    project, diags = _load(project_root)
    if project is None:
        return Outcome(None, diags)
    entry = find_journey(project, journey_id)
    if entry is None:
        raise SheetUsageError(_unknown_journey(project, journey_id))
    _refuse_existing(out, force)
    grid = journey_grid(entry.model, vocabulary(project), lang or project.language)
    write_atomic(out, grid_bytes(grid, fmt, journey_id))
    return Outcome(out)


def _format(path: Path) -> str:
    try:
        return sheet_format(path)
    except SheetFileError as exc:
        raise SheetUsageError(str(exc)) from None


def _unknown_journey(project: Project, journey_id: str) -> str:
    known = ", ".join(j.model.id for j in project.journeys) or "(none)"
    return f"no journey '{journey_id}' in the project; journeys: {known}"


# --- import ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRequest:
    project: Path
    sheet: Path
    journey: str
    out: Path | None = None
    persona: str | None = None
    segment: str | None = None
    force: bool = False


def import_sheet(req: ImportRequest) -> Outcome:
    """Read the sheet, write the journey YAML when it and the project check without errors."""
    _format(req.sheet)
    if req.persona is not None and req.segment is not None:
        raise SheetUsageError("give --persona or --segment, not both")
    project, diags = _load(req.project)
    if project is None:
        return Outcome(None, diags)
    sheet_display = display_root(str(req.sheet))
    try:
        grid = read_grid(req.sheet)
    except SheetFileError as exc:
        at = Location(sheet_display, exc.row, exc.column)
        return Outcome(None, [error("unreadable", str(exc), at, exc.hint)])
    steps, diags = read_steps(grid, vocabulary(project), sheet_display)
    if _errors(diags):
        return Outcome(None, diags)
    existing = find_journey(project, req.journey)
    journey = _journey(req, steps, existing)
    out = req.out if req.out is not None else default_output(req.project, existing, req.journey)
    _refuse_existing(out, req.force)
    text = dump_journey(journey, [s.model.id for s in project.stages])
    problems = check_in_copy(req.project, out, text, existing)
    if _errors(problems):
        return Outcome(None, problems)
    write_atomic(out, text.encode("utf-8"))
    return Outcome(out, problems)


def _journey(
    req: ImportRequest, steps: dict[str, Any], existing: Entry[m.JourneyDoc] | None
) -> m.JourneyDoc:
    data: dict[str, Any] = {"kind": "journey", "id": req.journey}
    if existing is not None:
        old = existing.model
        data.update(title=old.title, persona=old.persona, segment=old.segment)
        data.update(state=old.state, future_of=old.future_of)
        data["transitions"] = [t.model_dump(by_alias=True) for t in old.transitions]
    if req.persona is not None or req.segment is not None:
        data.update(persona=req.persona, segment=req.segment)
    if data.get("persona") is None and data.get("segment") is None:
        raise SheetUsageError(
            f"journey '{req.journey}' is new: say whose journey it is with --persona or --segment"
        )
    data["steps"] = steps
    try:
        return m.JourneyDoc.model_validate(data)
    except ValidationError as exc:  # read_steps validated every value; this is a bug
        raise RuntimeError(f"imported journey does not validate: {exc}") from exc


def default_output(root: Path, existing: Entry[m.JourneyDoc] | None, journey_id: str) -> Path:
    """The file that defines the journey now (when it holds only that), else a new file."""
    if existing is not None and only_document(root, existing):
        return root / existing.doc.file
    return root / "journeys" / f"journey-{journey_id}.yaml"


def only_document(root: Path, entry: Entry[m.JourneyDoc]) -> bool:
    """Whether the entry's file holds no other YAML document."""
    try:
        raw = (root / entry.doc.file).read_bytes()
    except OSError:
        return False
    docs, _ = parse_bytes(raw, entry.doc.file)
    return len(docs) == 1


def check_in_copy(
    root: Path, out: Path, text: str, existing: Entry[m.JourneyDoc] | None
) -> list[Diagnostic]:
    """Errors of the project with the new file in place, and the new file's warnings."""
    with tempfile.TemporaryDirectory(prefix="journey-import-") as tmp:
        copy = Path(tmp) / "project"
        for sub in SOURCE_DIRS:
            if (root / sub).is_dir():
                shutil.copytree(root / sub, copy / sub, symlinks=True)
        rel = _inside(root, out)
        if rel is None:  # checked as if it replaced the journey of the same id
            if existing is not None and only_document(root, existing):
                (copy / existing.doc.file).unlink(missing_ok=True)
            rel = Path("journeys") / "_imported" / out.name
        target = copy / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        compiled = compile_project(copy, shown_as="")
    new_file = rel.as_posix()
    return [
        _renamed(d, str(out)) if d.file == new_file else _shown(d, root)
        for d in compiled.diagnostics
        if d.severity == "error" or d.file == new_file
    ]


def _inside(root: Path, out: Path) -> Path | None:
    try:
        rel = out.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return rel if len(rel.parts) > 1 and rel.parts[0] in SOURCE_DIRS else None


def _renamed(d: Diagnostic, file: str) -> Diagnostic:
    return Diagnostic(d.severity, d.code, d.message, file, d.line, d.column, d.hint)
