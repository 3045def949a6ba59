"""Diagnostics: every problem found in a project, with a stable code and a location."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Control characters (C0, DEL, C1, line separators, bidirectional overrides) and lone
# surrogates (bytes of a file name that were not UTF-8): never printed raw, since they can
# drive a terminal, reorder what it shows or break an encoder.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte kept by the surrogateescape error handler
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """Text with control characters and undecodable bytes written as backslash escapes."""
    return UNSAFE.sub(_escaped, text) if UNSAFE.search(text) else text


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file; line and column are 1-based (0 when unknown)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    file: str
    line: int = 0
    column: int = 0
    hint: str = ""

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def render(self) -> str:
        text = f"{self.location}: {self.severity} {self.code}: {self.message}"
        return printable(f"{text} ({self.hint})" if self.hint else text)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def error(code: str, message: str, loc: Location, hint: str = "") -> Diagnostic:
    return Diagnostic("error", code, message, loc.file, loc.line, loc.column, hint)


def warning(code: str, message: str, loc: Location, hint: str = "") -> Diagnostic:
    return Diagnostic("warning", code, message, loc.file, loc.line, loc.column, hint)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or '' when nothing is close."""
    import difflib  # imported when used: not on the path of a cached check

    matches = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(set(diags), key=Diagnostic.sort_key)


def split(diags: Iterable[Diagnostic]) -> tuple[list[Diagnostic], list[Diagnostic]]:
    ordered = sort_diagnostics(diags)
    return (
        [d for d in ordered if d.severity == "error"],
        [d for d in ordered if d.severity == "warning"],
    )


# Every warning code (`journey check --ignore` accepts these; errors cannot be silenced).
WARNING_CODES = frozenset(
    {
        "content-gap",
        "empty-file",
        "handoff-blind",
        "missing-item",
        "orphan-content",
        "process-gap",
        "seller-absent",
        "unknown-language",
        "unpersonified-role",
        "unserved-stage",
    }
)


def promote(diags: Iterable[Diagnostic], strict: bool, ignore: frozenset[str]) -> list[Diagnostic]:
    """Drop ignored warnings; with strict, turn the remaining warnings into errors."""
    out = []
    for d in diags:
        if d.severity == "warning" and d.code in ignore:
            continue
        if strict and d.severity == "warning":
            d = Diagnostic("error", d.code, d.message, d.file, d.line, d.column, d.hint)
        out.append(d)
    return out
