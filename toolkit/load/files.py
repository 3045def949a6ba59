"""The project's YAML files and the plain data they load into, without the parser.

What finds the files (find_sources), names them (display_root), bounds them (the limits)
and the Document every parse produces live here, apart from toolkit.load.sources' parser,
so that a check answered from the result cache (toolkit.load.results) reads no YAML
library at all. toolkit.load.sources names all of them too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.common.diagnostics import Diagnostic, Location, error, printable

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIAS_NODES = 100_000
# Characters that aliases may add to a file (their expansion): a few anchored long strings
# referenced thousands of times stay under the node limit but not under this one.
MAX_ALIAS_CHARS = MAX_FILE_BYTES
SOURCE_DIRS = ("personas", "journeys")
YAML_SUFFIXES = (".yaml", ".yml")
Path_ = tuple[str | int, ...]
Pos = tuple[int, int]
# A position as stored in a Document: one int, column << LINE_BITS | line (a fifth of the
# cost of a (line, column) tuple to keep, cache and reload); a (line, column) tuple only
# for a line number too large for the int, which the file size limit rules out.
Packed = int | Pos
LINE_BITS = 22
LINE_MASK = (1 << LINE_BITS) - 1


def pack(pos: Pos) -> Packed:
    line, column = pos
    return column << LINE_BITS | line if 0 <= line <= LINE_MASK else pos


def unpack(packed: Packed) -> Pos:
    if isinstance(packed, int):
        return packed & LINE_MASK, packed >> LINE_BITS
    return packed


@dataclass
class Document:
    """One YAML document: plain data (dicts, lists, str, None) and where each part is."""

    file: str
    index: int
    data: Any
    values: dict[Path_, Packed] = field(default_factory=dict)  # see pack()
    keys: dict[Path_, Packed] = field(default_factory=dict)

    def loc(self, path: Path_ = (), *, key: bool = False) -> Location:
        """Location of the value (or key) at path, falling back to the nearest parent."""
        return Location(self.file, *self.position(path, key=key))

    def position(self, path: Path_ = (), *, key: bool = False) -> Pos:
        """(line, column) of loc(), without making a Location."""
        table = self.keys if key else self.values
        probe = tuple(path)
        if key and probe not in table:
            table = self.values
        while probe not in table and probe:
            probe = probe[:-1]
        found = table.get(probe)
        return (1, 1) if found is None else unpack(found)

    def placed(self, path: Path_) -> Pos | None:
        """(line, column) recorded for the value at exactly this path, if any."""
        found = self.values.get(tuple(path))
        return None if found is None else unpack(found)


@dataclass
class SourceFile:
    """A YAML file of the project: where it is, and how diagnostics and outputs name it.

    `refusal` is set for a file that must not be read at all (a symbolic link that leads out
    of the project); `name_problem` for one whose name cannot be shown as it is (not UTF-8,
    or holding control characters): it is read, and the problem is reported beside it.
    """

    path: Path
    display: str
    refusal: Diagnostic | None = None
    name_problem: Diagnostic | None = None


def display_root(project: str) -> str:
    norm = os.path.normpath(project)
    return "" if norm == "." else printable(norm)  # a name safe to print and to output


def _outside(path: Path, project: Path) -> bool:
    """Whether a symbolic link leads outside the project (a loop counts as outside)."""
    try:
        path.resolve().relative_to(project.resolve())
    except (OSError, RuntimeError, ValueError):
        return True
    return False


def _source(project: Path, path: Path, shown_as: str) -> SourceFile:
    rel = path.relative_to(project).as_posix()
    name = printable(rel)  # undecodable bytes and control characters as escapes
    display = name if not shown_as else f"{shown_as}/{name}"
    where = Location(display, 1, 1)
    refusal = name_problem = None
    if path.is_symlink() and _outside(path, project):
        refusal = error(
            "symlink-outside",
            "symbolic link to a file outside the project; it is not read",
            where,
            "copy the file into the project instead of linking to it",
        )
    if name != rel:
        name_problem = error(
            "bad-file-name",
            "file name is not valid UTF-8 or holds control characters",
            where,
            "rename the file with printable UTF-8 characters",
        )
    return SourceFile(path, display, refusal, name_problem)


def _is_file_or_link(path: Path) -> bool:
    return path.is_file() or (path.is_symlink() and not path.is_dir())


def find_sources(project: Path, shown_as: str) -> list[SourceFile]:
    """All YAML files below personas/ and journeys/, in a stable order; hidden paths skipped.

    Symbolic links to folders are not followed; a symbolic link to a file is refused
    (see SourceFile.refusal) when it leads out of the project.
    """
    found: list[SourceFile] = []
    for sub in SOURCE_DIRS:
        base = project / sub
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(project)
            if any(part.startswith(".") for part in rel.parts):
                continue
            if path.suffix.lower() in YAML_SUFFIXES and _is_file_or_link(path):
                found.append(_source(project, path, shown_as))
    return sorted(found, key=lambda s: s.display)
