"""Formats: which output formats `journey build` can make, and the plan of one build.

Kept apart from the builders (toolkit.render.builder and the registry import every
renderer, and through them pydantic, networkx, Jinja2 and openpyxl) so that a command can
read its --format option, and refuse a bad one, before anything heavy is imported: the
build starts parsing the project first and imports the renderers while it parses.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

ALL_FORMATS = ("html", "svg", "png", "pdf", "dot", "mermaid", "json", "csv", "xlsx")
# Made only when --format names them: the deck takes seconds on a large project, the PDF
# report (report.pdf) seconds per journey.
ON_REQUEST = ("pptx", "report")
IMAGE_FORMATS = frozenset({"svg", "png", "pdf"})
NO_DOT_NOTE = (
    "SVG/PNG/PDF diagrams skipped: Graphviz 'dot' is not installed "
    "(Debian/Ubuntu: apt-get install graphviz fonts-ipafont-gothic; macOS: brew install graphviz)"
)


class FormatError(ValueError):
    """An unknown name in --format."""


@dataclass(frozen=True)
class Plan:
    formats: frozenset[str]
    notes: tuple[str, ...]


def plan_formats(requested: str | None, has_dot: bool) -> Plan:
    """The formats to build: the requested ones (default ALL_FORMATS, not those ON_REQUEST),
    less images without `dot`."""
    if requested is None:
        wanted = set(ALL_FORMATS)
    else:
        wanted = {f.strip().lower() for f in requested.split(",") if f.strip()}
        unknown = sorted(wanted - set(ALL_FORMATS) - set(ON_REQUEST))
        if unknown or not wanted:
            raise FormatError(
                f"unknown format {', '.join(unknown) or '(none)'}; "
                f"choose from {','.join((*ALL_FORMATS, *ON_REQUEST))}"
            )
    notes: tuple[str, ...] = ()
    if not has_dot and wanted & IMAGE_FORMATS:
        wanted -= IMAGE_FORMATS
        notes = (NO_DOT_NOTE,)
    return Plan(frozenset(wanted), notes)


def has_dot() -> bool:
    """Graphviz's `dot` is on PATH."""
    return shutil.which("dot") is not None
