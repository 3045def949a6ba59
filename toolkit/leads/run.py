"""One lead judgment for a compiled project: choose the qualification rules (the project's
`kind: qualification`, or a rules file given on the command line), check them against the
project, then judge the export (toolkit.leads.judge). Used by `journey leads` and by the
pipeline for `journey build --leads`; returns data, prints nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.common.diagnostics import Diagnostic, Location, error
from toolkit.leads.judge import Judgment, LeadsError, Options, judge
from toolkit.model.qualification import (
    QualificationDoc,
    check_qualification,
    load_rules_file,
    project_qualification,
)

if TYPE_CHECKING:
    import networkx as nx

    from toolkit.model.project import Project

RULES_FAILED = "the qualification rules have errors"


@dataclass(frozen=True)
class LeadRun:
    """The judgment (None when it could not run), the rules' diagnostics, and why it did not
    run: RULES_FAILED, or the reason the export could not be read."""

    judgment: Judgment | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failure: str | None = None


def chosen_rules(
    project: Project, rules: Path | None
) -> tuple[QualificationDoc | None, list[Diagnostic]]:
    """The rules to judge with and their diagnostics (the project's when `rules` is None)."""
    if rules is None:
        entry = project_qualification(project)
        if entry is None:
            where = Location(project.shown_as or ".")
            return None, [
                error(
                    "missing-qualification",
                    "the project has no 'kind: qualification' document",
                    where,
                    "add one (docs/QUALIFICATION.md) or pass --rules FILE",
                )
            ]
        return entry.model, []
    from toolkit.model.project import Entry

    doc, source, diags = load_rules_file(rules, str(rules))
    if doc is None or source is None:
        return None, diags
    return doc, [*diags, *check_qualification(Entry(doc, source, ()), project)]


def judge_leads(
    project: Project,
    graph: nx.MultiDiGraph,
    leads: Path,
    events: Path | None,
    rules: Path | None,
    options: Options,
) -> LeadRun:
    """Judge `leads` (and `events`) with the chosen rules; see LeadRun."""
    doc, diags = chosen_rules(project, rules)
    if doc is None or any(d.severity == "error" for d in diags):
        return LeadRun(None, diags, RULES_FAILED)
    try:
        return LeadRun(judge(doc, graph, leads, events, options), diags)
    except LeadsError as exc:
        return LeadRun(None, diags, str(exc))
