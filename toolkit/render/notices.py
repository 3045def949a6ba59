"""The warnings of `journey check` on the pages: which page shows each, in the same words.

Every code of toolkit.common.diagnostics.WARNING_CODES that `journey check` prints is marked
on the page that shows the thing it is about:

| code | page |
| --- | --- |
| `seller-absent`, `content-gap` | the journey map's step; the overview's attention list |
| `orphan-content` | the coverage page (list), the content inventory (the item's row) |
| `unserved-stage` | the coverage page's stage headers, the overview's stage model |
| `unpersonified-role` | the coverage page (roles of the sales rules with no persona) |
| `empty-file`, `unknown-language` | the overview's "attention" section (project-level) |
| `handoff-blind` | the overview's "attention" section (the handoff field no column fills) |
| `process-gap` | the marketing plan (plan.html): the process's card |

`missing-item` is not a check warning (only `journey sheets import` reports it, about a
sheet), so no page shows it.

The graph's own warnings (the first four) are worked out again from the graph by the pages;
the others come from loading and validation, which the graph does not keep: the command
line passes them in RenderOptions.warnings (`page_warnings` picks them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from toolkit.common.diagnostics import Diagnostic
from toolkit.common.i18n import Catalog
from toolkit.render.common import text

# Warnings found while loading and validating (not on the graph) that a page shows.
PROJECT_CODES = ("empty-file", "handoff-blind", "unknown-language", "unpersonified-role")
QUOTED = re.compile(r"'([^']*)'")


@functools.cache
def warning_labels(t: Catalog) -> dict[str, str]:
    """Warning code -> its mark on the pages (a badge or a list entry's label)."""
    _ = t.gettext
    return {
        "seller-absent": _("No seller action"),
        "content-gap": _("No published content"),
        "orphan-content": _("Serves no journey step"),
        "unserved-stage": _("No funnel stage serves it"),
        "process-gap": _("No seller action or no KPI"),
        "unpersonified-role": _("No persona has this buying role"),
        "empty-file": _("File holds no YAML document"),
        "unknown-language": _("No translation of the toolkit's words: English is used"),
        "handoff-blind": _("No column fills this handoff field"),
    }


def badge(t: Catalog, code: str) -> dict[str, str]:
    """One warning as the {code, label} of the templates' badges macro."""
    return {"code": code, "label": warning_labels(t)[code]}


def page_warnings(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The warnings of a check that pages show and the graph cannot tell (PROJECT_CODES),
    sorted: what `journey build` and `journey serve` pass in RenderOptions.warnings."""
    found = {d for d in diagnostics if d.severity == "warning" and d.code in PROJECT_CODES}
    return tuple(sorted(found, key=Diagnostic.sort_key))


def in_project(file: str, shown_as: str) -> str:
    """A source file named relative to the project folder, never by a path of the author's
    machine (an absolute name left over keeps its last part only)."""
    if shown_as and file.startswith(shown_as + "/"):
        file = file[len(shown_as) + 1 :]
    if file.startswith("/") or re.match(r"[A-Za-z]:[\\/]", file):
        file = re.split(r"[\\/]", file)[-1]
    return text(file)


def subject(d: Diagnostic, shown_as: str) -> str:
    """What a project-level warning is about: a file, a language tag, a buying role, a
    handoff field."""
    if d.code == "empty-file":
        return in_project(d.file, shown_as)
    quoted = QUOTED.search(d.message)
    return text(quoted.group(1)) if quoted else ""


def project_notes(
    t: Catalog, warnings: Iterable[Diagnostic], shown_as: str, codes: Iterable[str]
) -> list[dict[str, Any]]:
    """The warnings of these codes as {code, label, subject, where} in code order, then
    source order: the lists of the overview's and coverage page's attention sections."""
    labels, wanted = warning_labels(t), tuple(codes)
    chosen = [d for d in warnings if d.code in wanted]
    chosen.sort(key=lambda d: (wanted.index(d.code), d.sort_key()))
    return [
        {
            "code": d.code,
            "label": labels[d.code],
            "subject": subject(d, shown_as),
            "where": f"{in_project(d.file, shown_as)}:{d.line}" if d.line else "",
        }
        for d in chosen
    ]
