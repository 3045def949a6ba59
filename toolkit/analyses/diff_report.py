"""Diff reports: a DiffResult as plain text or as JSON (the HTML page is in renderers)."""

from __future__ import annotations

import json
from typing import Any

from toolkit.analyses.diff import KINDS, CoverageChange, DiffResult, EntityChange, WarningChange

KIND_TITLES = {
    "project": "project",
    "stage": "stages",
    "axis": "axes",
    "funnel_stage": "funnel stages",
    "role": "roles",
    "lead_class": "lead classes",
    "segment": "segments",
    "persona": "personas",
    "journey": "journeys",
    "step": "steps",
    "action": "actions",
    "content": "content",
}
MARKS = {"added": "+", "removed": "-", "changed": "~"}
ALL_SEGMENTS = "*"


def value_text(value: Any) -> str:
    """A value as compact JSON (strings quoted, so empty and missing differ)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def items_text(items: tuple[str, ...] | None) -> str:
    return "-" if items is None else str(len(items))


def coverage_line(name: str, cov: CoverageChange) -> str:
    marks = [f"+{i}" for i in cov.added] + [f"-{i}" for i in cov.removed]
    tail = f" ({', '.join(marks)})" if marks else ""
    return f"  {name}: {items_text(cov.old)} -> {items_text(cov.new)}{tail}"


def segment_name(segment: str | None) -> str:
    return ALL_SEGMENTS if segment is None else segment


def summary_line(result: DiffResult) -> str:
    return (
        f"{result.count('added')} added, {result.count('removed')} removed, "
        f"{result.count('changed')} changed"
    )


def entity_lines(change: EntityChange) -> list[str]:
    head = f"  {MARKS[change.change]} {change.id}"
    lines = [head]
    for fc in change.fields:
        lines.append(f"      {fc.name}: {value_text(fc.old)} -> {value_text(fc.new)}")
    return lines


def warning_line(mark: str, w: WarningChange) -> str:
    return f"  {mark} {w.code} {w.entity}: {w.message}"


def render_text(result: DiffResult) -> str:
    """The report people read in a terminal; every line is stable for identical input."""
    lines = [f"journey diff {result.old_name} -> {result.new_name}"]
    if result.empty:
        return "\n".join([*lines, "no changes"]) + "\n"
    lines.append(f"entities: {summary_line(result)}")
    for kind in KINDS:
        group = [c for c in result.changes if c.kind == kind]
        if group:
            lines.append("")
            lines.append(f"{KIND_TITLES[kind]}:")
            for change in group:
                lines.extend(entity_lines(change))
    if result.segment_stage:
        lines += ["", "coverage, published items per segment x stage:"]
        for cov in result.segment_stage:
            seg, stage = cov.key
            lines.append(coverage_line(f"{segment_name(seg)} x {stage}", cov))
    if result.steps:
        lines += ["", "coverage, published items per journey step:"]
        for cov in result.steps:
            journey, stage = cov.key
            lines.append(coverage_line(f"{journey}/{stage}", cov))
    if result.new_warnings or result.resolved_warnings:
        lines += ["", "warnings:"]
        lines += [warning_line("new", w) for w in result.new_warnings]
        lines += [warning_line("resolved", w) for w in result.resolved_warnings]
    return "\n".join(lines) + "\n"


def _coverage_json(cov: CoverageChange, names: tuple[str, str]) -> dict[str, Any]:
    return {
        names[0]: cov.key[0],
        names[1]: cov.key[1],
        "old": None if cov.old is None else list(cov.old),
        "new": None if cov.new is None else list(cov.new),
        "added": list(cov.added),
        "removed": list(cov.removed),
    }


def _warning_json(w: WarningChange) -> dict[str, Any]:
    return {
        "code": w.code,
        "entity": w.entity,
        "message": w.message,
        "file": w.file,
        "line": w.line,
    }


def to_json(result: DiffResult) -> dict[str, Any]:
    return {
        "old": result.old_name,
        "new": result.new_name,
        "summary": {c: result.count(c) for c in ("added", "removed", "changed")},
        "changes": [
            {
                "kind": c.kind,
                "id": c.id,
                "change": c.change,
                "label": c.label,
                "fields": [
                    {"field": f.field, "key": f.key, "old": f.old, "new": f.new} for f in c.fields
                ],
            }
            for c in result.changes
        ],
        "coverage": {
            "segment_stage": [
                _coverage_json(c, ("segment", "stage")) for c in result.segment_stage
            ],
            "steps": [_coverage_json(c, ("journey", "stage")) for c in result.steps],
        },
        "warnings": {
            "new": [_warning_json(w) for w in result.new_warnings],
            "resolved": [_warning_json(w) for w in result.resolved_warnings],
        },
    }


def render_json(result: DiffResult) -> str:
    return json.dumps(to_json(result), ensure_ascii=False, indent=2) + "\n"
