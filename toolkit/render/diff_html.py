"""Diff page: "what changed in your journey map since version X", one self-contained HTML file.

All decisions are made in the context builders below (tested on their own); the template
toolkit/render/templates/diff.html (which extends base.html.j2, without its navigation bar and
with its own style) only displays the context. Jinja escapes every value
(autoescape=True) and fails on any undefined name (StrictUndefined); the page has inline CSS
only, no script and no external URL.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from toolkit.analyses.diff import (
    KINDS,
    CoverageChange,
    DiffResult,
    EntityChange,
    FieldChange,
    WarningChange,
)
from toolkit.common.i18n import Catalog, translations, ui_code
from toolkit.render.common import pick, strip_controls
from toolkit.render.environment import make_environment, render_page

TEMPLATE = "diff.html"
NONE = "—"


@functools.cache
def change_names(t: Catalog) -> dict[str, str]:
    """Kind of change -> its badge."""
    return {
        "added": t.gettext("Added"),
        "removed": t.gettext("Removed"),
        "changed": t.gettext("Changed"),
    }


@functools.cache
def kind_names(t: Catalog) -> dict[str, str]:
    """Entity kind -> the heading of its section."""
    _ = t.gettext
    return {
        "project": _("Project"),
        "stage": t.pgettext("diff section", "Customer stages"),
        "axis": _("Axes"),
        "funnel_stage": _("Funnel stages"),
        "role": t.pgettext("diff section", "Roles"),
        "lead_class": _("Lead classes"),
        "segment": _("Segments"),
        "persona": _("Personas"),
        "journey": t.pgettext("diff section", "Journeys"),
        "step": _("Journey steps"),
        "action": _("Seller actions"),
        "content": _("Content"),
    }


@functools.cache
def field_names(t: Catalog) -> dict[str, str]:
    """Field of an entity -> its name in a changed entry's table."""
    _ = t.gettext
    return {
        "label": _("Label"),
        "title": _("Title"),
        "name": _("Name"),
        "description": _("Description"),
        "problem": _("Problem"),
        "story": _("Resolution story"),
        "owners": _("Owners"),
        "serves": _("Serves"),
        "lead_class": _("Lead class"),
        "criteria": _("Criteria"),
        "segment": _("Segment"),
        "persona": _("Persona"),
        "buying_role": _("Buying role"),
        "goals": _("Goals"),
        "pains": _("Pains"),
        "pain_severity": _("Pain severity"),
        "info_sources": _("Information sources"),
        "quote": _("Quote"),
        "transitions": _("Transitions"),
        "thinking": _("Thinking"),
        "feeling": _("Feeling"),
        "emotion": _("Emotion"),
        "doing": _("Doing"),
        "questions": _("Questions"),
        "touchpoints": _("Touchpoints"),
        "opportunities": _("Opportunities"),
        "funnel": _("Funnel stage"),
        "action": _("Action"),
        "content": _("Content"),
        "kpi": _("KPI"),
        "format": _("Format"),
        "stages": _("Stages"),
        "segments": _("Segments"),
        "owner": _("Owner"),
        "status": t.pgettext("diff field", "Status"),
        "url": _("URL"),
        "updated": _("Updated"),
        "values": _("Values"),
        "language": _("Language"),
        "client": _("Client"),
        "position": _("Position"),
    }


def field_name(change: FieldChange, lang: str) -> str:
    """'Label (ja)', '条件 (employees)': the field's name and the mapping entry, if any."""
    name = field_names(translations(lang)).get(change.field, change.field)
    return name if change.key is None else f"{name} ({clean(change.key)})"


def clean(text: Any) -> str:
    return strip_controls(str(text))


def value_lines(value: Any) -> list[str]:
    """A field value as lines of text: one per list item or language, '—' when absent."""
    if value is None or value == [] or value == {}:
        return [NONE]
    if isinstance(value, list):
        return [v if isinstance(v, str) else _compact(v) for v in map(_plain, value)]
    if isinstance(value, dict):
        return [
            f"{k}: {_plain(v) if isinstance(v, str) else _compact(v)}" for k, v in value.items()
        ]
    if isinstance(value, bool):
        return [str(value).lower()]
    return [clean(value)]


def _plain(value: Any) -> Any:
    return clean(value) if isinstance(value, str) else value


def _compact(value: Any) -> str:
    return clean(json.dumps(value, ensure_ascii=False, sort_keys=True))


def entity_name(result: DiffResult, kind: str, ident: str, lang: str) -> str:
    return clean(pick(result.labels.get(f"{kind}:{ident}"), lang, ident))


def change_entry(result: DiffResult, change: EntityChange, lang: str) -> dict[str, Any]:
    label = clean(pick(change.label, lang, "")) if change.label is not None else ""
    if change.kind == "step" and "/" in change.id:
        journey, stage = change.id.split("/", 1)
        j_name = entity_name(result, "journey", journey, lang)
        label = f"{j_name} / {entity_name(result, 'stage', stage, lang)}"
    elif change.kind == "step":  # two journeys of one project: the id is the stage's
        label = entity_name(result, "stage", change.id, lang)
    return {
        "id": clean(change.id),
        "label": label,
        "change": change.change,
        "change_text": change_names(translations(lang))[change.change],
        "fields": [
            {
                "name": field_name(f, lang),
                "old": value_lines(f.old),
                "new": value_lines(f.new),
            }
            for f in change.fields
        ],
    }


def sections(result: DiffResult, lang: str) -> list[dict[str, Any]]:
    out, titles = [], kind_names(translations(lang))
    for kind in KINDS:
        group = [c for c in result.changes if c.kind == kind]
        if group:
            out.append(
                {
                    "kind": kind,
                    "title": titles.get(kind, kind),
                    "entries": [change_entry(result, c, lang) for c in group],
                }
            )
    return out


def _count(items: tuple[str, ...] | None) -> str:
    return NONE if items is None else str(len(items))


def coverage_row(
    result: DiffResult, cov: CoverageChange, kinds: tuple[str, str], lang: str
) -> dict[str, Any]:
    first, second = cov.key
    if first is None:
        first_name = translations(lang).gettext("All segments")
    else:
        first_name = entity_name(result, kinds[0], first, lang)
    return {
        "first": first_name,
        "second": entity_name(result, kinds[1], str(second), lang),
        "old": _count(cov.old),
        "new": _count(cov.new),
        "added": [entity_name(result, "content", i, lang) for i in cov.added],
        "removed": [entity_name(result, "content", i, lang) for i in cov.removed],
    }


def warning_entry(w: WarningChange) -> dict[str, str]:
    return {"code": clean(w.code), "entity": clean(w.entity), "message": clean(w.message)}


def diff_context(result: DiffResult, lang: str | None = None) -> dict[str, Any]:
    """Everything the page shows, as plain strings and lists."""
    lang = lang or result.language
    t = translations(lang)
    old, new = clean(result.old_name), clean(result.new_name)
    heading = t.gettext("What changed in your journey map since %(old)s") % {"old": old}
    return {
        "page": {"lang": ui_code(lang), "title": heading},  # what base.html.j2 reads
        "heading": heading,
        "compared": t.gettext("Compared: %(old)s → %(new)s") % {"old": old, "new": new},
        "title": clean(pick(result.title, lang, "")),
        "client": clean(result.client or ""),
        "empty": result.empty,
        "summary": [
            {"change": c, "text": change_names(t)[c], "count": result.count(c)}
            for c in ("added", "removed", "changed")
        ],
        "sections": sections(result, lang),
        "segment_stage": [
            coverage_row(result, c, ("segment", "stage"), lang) for c in result.segment_stage
        ],
        "steps": [coverage_row(result, c, ("journey", "stage"), lang) for c in result.steps],
        "new_warnings": [warning_entry(w) for w in result.new_warnings],
        "resolved_warnings": [warning_entry(w) for w in result.resolved_warnings],
    }


def render_diff_html(result: DiffResult, lang: str | None = None) -> str:
    lang = lang or result.language
    return render_page(make_environment(), TEMPLATE, lang, diff_context(result, lang))
