"""Handoff readiness: what sales wants to know about a prospect (DOMAIN.md section 9).

Seven fields, in this fixed order (toolkit.model.qualification.HANDOFF_FIELDS): mission,
interests, position, need, progress, timing, budget. Each is read from a lead column
(`handoff_sources`): its own column under `handoff:`, else the column the rules already read
(position <- role, need <- need, progress <- stage, timing <- timeframe, budget <- budget).

- A field read through a BANT-C criterion (need, timing, budget without a column of their
  own) is known exactly when the criterion is known: a value the rules define with
  `known: true`. A value with `known: false`, or one the rules do not know, is not.
- Any other field is known when its cell is not empty; whitespace only (Unicode spaces such
  as U+3000 included) is empty.

A prospect is a lead judged at the rules' prospect class or deeper (the summary's
`prospects`); it is ready when all seven fields are known. The judge (toolkit.leads.judge)
adds the columns `hv_<field>` (the value, NULL when unknown) and `hk_<field>` (known) to the
judged-lead table with `handoff_inputs` and `handoff_values`; `handoff_summary` and
`handoff_rows` read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from toolkit.leads.io import quote_ident
from toolkit.model.qualification import HANDOFF_FIELDS, HandoffSource

HANDOFF_COLUMNS = (
    "lead_id",
    "company",
    "class",
    "rank",
    "stage",
    *HANDOFF_FIELDS,
    "missing",
    "ready",
)
MISSING_SEPARATOR = " "
# Leading and trailing white space, Unicode spaces (U+3000, U+00A0) included (RE2 syntax).
SPACE = r"[\s\x{0B}\x{85}\p{Z}]"


def _cell(column: str | None) -> str:
    """A cell's text without surrounding white space; NULL when that leaves nothing."""
    if column is None:
        return "CAST(NULL AS VARCHAR)"
    trimmed = f"regexp_replace({quote_ident(column)}, '^{SPACE}+|{SPACE}+$', '', 'g')"
    return f"NULLIF({trimmed}, '')"


def handoff_inputs(sources: Mapping[str, HandoffSource], present: Sequence[str]) -> list[str]:
    """SELECT expressions over the raw lead table: `h_<field>`, the cell of each field not
    read through a criterion (NULL when its column is absent from the export)."""
    out = []
    for name, source in sources.items():
        if source.criterion is None:
            column = source.column if source.column in present else None
            out.append(f"{_cell(column)} AS h_{name}")
    return out


def handoff_values(sources: Mapping[str, HandoffSource]) -> list[str]:
    """SELECT expressions of the lead table (alias `l`, criterion joins `c_<criterion>`):
    `hv_<field>` (the value, NULL when unknown) and `hk_<field>` (known)."""
    out = []
    for name, source in sources.items():
        if source.criterion is None:
            out.append(f"l.h_{name} AS hv_{name}, l.h_{name} IS NOT NULL AS hk_{name}")
        elif source.column is None:  # a criterion the rules do not define: never known
            out.append(f"CAST(NULL AS VARCHAR) AS hv_{name}, false AS hk_{name}")
        else:
            known = f"coalesce(c_{source.criterion}.known, false)"
            out.append(
                f"CASE WHEN {known} THEN l.{source.criterion} END AS hv_{name}, "
                f"{known} AS hk_{name}"
            )
    return out


def _ready() -> str:
    return " AND ".join(f"hk_{name}" for name in HANDOFF_FIELDS)


def _counts(row: Sequence[Any]) -> dict[str, Any]:
    prospects, ready, *missing = (int(x or 0) for x in row)
    return {
        "prospects": prospects,
        "ready": ready,
        "missing_by_field": dict(zip(HANDOFF_FIELDS, missing, strict=True)),
    }


def handoff_summary(
    con: duckdb.DuckDBPyConnection, prospect_idx: int, segments: Sequence[str], no_segment: str
) -> dict[str, Any]:
    """{"prospects", "ready", "missing_by_field": {field: n, ... all seven in order},
    "by_segment": {segment: the same three}} over the prospects of the judged table."""
    missing = ", ".join(f"count(*) FILTER (WHERE NOT hk_{name})" for name in HANDOFF_FIELDS)
    counts = f"count(*), count(*) FILTER (WHERE {_ready()}), {missing}"
    where = "FROM judged WHERE class_idx >= $p"
    total = con.execute(f"SELECT {counts} {where}", {"p": prospect_idx}).fetchone()
    grouped = {
        seg: _counts(rest)
        for seg, *rest in con.execute(
            f"SELECT coalesce(segment, $n), {counts} {where} GROUP BY 1",
            {"p": prospect_idx, "n": no_segment},
        ).fetchall()
    }
    empty = _counts([0] * (2 + len(HANDOFF_FIELDS)))
    return {
        **_counts(total or [0] * (2 + len(HANDOFF_FIELDS))),
        "by_segment": {s: grouped.get(s, empty) for s in segments},
    }


def handoff_rows(
    con: duckdb.DuckDBPyConnection, prospect_idx: int, classes: Sequence[str]
) -> list[tuple[Any, ...]]:
    """One row per prospect in the export's order, as HANDOFF_COLUMNS: `missing` names the
    unknown fields in the fixed order, separated by a space; `ready` is 'true' or 'false'."""
    values = ", ".join(f"hv_{name}" for name in HANDOFF_FIELDS)
    known = ", ".join(f"hk_{name}" for name in HANDOFF_FIELDS)
    rows = con.execute(
        f"SELECT id, company, class_idx, rank, stage, {values}, {known} FROM judged "
        "WHERE class_idx >= $p ORDER BY _row",
        {"p": prospect_idx},
    ).fetchall()
    n = len(HANDOFF_FIELDS)
    out = []
    for lead_id, company, class_idx, rank, stage, *rest in rows:
        fields, flags = rest[:n], rest[n:]
        missing = [name for name, ok in zip(HANDOFF_FIELDS, flags, strict=True) if not ok]
        out.append(
            (
                lead_id,
                company,
                classes[class_idx],
                rank,
                stage,
                *fields,
                MISSING_SEPARATOR.join(missing),
                "false" if missing else "true",
            )
        )
    return out


def handoff_lines(handoff: dict[str, Any]) -> list[str]:
    """The readiness as terminal lines: overall, then each segment with prospects."""

    def line(label: str, part: dict[str, Any]) -> str:
        gaps = [f"{k} {v}" for k, v in part["missing_by_field"].items() if v]
        return (
            f"{label}: {part['ready']} of {part['prospects']} prospect(s) ready; "
            f"missing: {', '.join(gaps) or 'none'}"
        )

    lines = [line("handoff", handoff)]
    for segment, part in handoff["by_segment"].items():
        if part["prospects"]:
            lines.append(line(f"  handoff {segment}", part))
    return lines
