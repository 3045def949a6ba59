"""Coverage: published content per journey step and per segment x stage, gaps, ownership.

Pure functions over the compiled graph (docs/GRAPH.md). Step coverage is
``toolkit.analyses.warnings.step_coverage``; this module adds the segment x stage view, gaps
with the pipeline items that would fill them and their owner roles, per-role ownership counts, the
share of covered steps and the ``min_items`` threshold (fewer items than that is a gap).

Order everywhere: journeys and segments in source order, stages in stage order, so entries
of one journey (or segment) follow the customer stages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.analyses.warnings import content_targets, merge_sorted, split_by_status, step_coverage
from toolkit.common.spreadsheet import csv_text, neutralise
from toolkit.graph.build import journey_state, memoised, nodes_of

STATUSES = ("published", "draft", "planned", "retired")
TABLES = ("steps", "segments", "owners")
STEP_FIELDS = ("journey", "segment", "stage", "count", "items", "pipeline")
SEGMENT_FIELDS = ("segment", "stage", "count", "items", "pipeline")
OWNER_FIELDS = ("role", "stage", "status", "count", "items")
# Which journeys' steps coverage counts (`journey coverage --state`); current by default, so a
# planned future state never makes today's coverage look better than it is.
STATES = ("current", "future", "all")
DEFAULT_STATE = "current"


@dataclass(frozen=True)
class Cell:
    """Coverage of one journey step (journey set) or one segment x stage (journey None).

    ``segment`` None means the project has no segment for it (no segments at all, or a
    journey whose persona names none): only items that target all segments count there.
    """

    stage: str
    segment: str | None
    journey: str | None
    items: tuple[str, ...]  # published item ids, sorted
    pipeline: tuple[str, ...]  # draft / planned item ids, sorted

    @property
    def count(self) -> int:
        return len(self.items)

    def is_gap(self, min_items: int = 1) -> bool:
        return self.count < min_items

    def to_json(self) -> dict[str, Any]:
        head: dict[str, Any] = {} if self.journey is None else {"journey": self.journey}
        return {
            **head,
            "segment": self.segment,
            "stage": self.stage,
            "count": self.count,
            "items": list(self.items),
            "pipeline": list(self.pipeline),
        }


@dataclass(frozen=True)
class PipelineItem:
    id: str
    status: str
    owner: str | None


@dataclass(frozen=True)
class Gap:
    cell: Cell
    pipeline: tuple[PipelineItem, ...]


@dataclass(frozen=True)
class Ownership:
    """Items one role owns at one stage with one status (None: no owner / stage / status)."""

    role: str | None
    stage: str | None
    status: str | None
    items: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class MatrixRow:
    """One row of a coverage matrix: a segment or journey, one cell per stage (None: no step)."""

    key: str | None
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class OwnerRow:
    """One row of the ownership matrix: a role and a status, item counts per stage."""

    role: str | None
    status: str | None
    counts: tuple[int, ...]


# --- basic lists ----------------------------------------------------------------------------


def stage_ids(g: nx.MultiDiGraph) -> list[str]:
    """Customer stage ids in stage order."""
    return [d["ref"] for _, d in sorted(nodes_of(g, "stage"), key=lambda nd: nd[1]["order"])]


def segment_ids(g: nx.MultiDiGraph) -> list[str]:
    return [d["ref"] for _, d in nodes_of(g, "segment")]


def journey_ids(g: nx.MultiDiGraph, state: str = "all") -> list[str]:
    """Journey ids in source order: all of them, or those in one state (current, future)."""
    return [d["ref"] for _, d in nodes_of(g, "journey") if state in ("all", journey_state(d))]


def role_ids(g: nx.MultiDiGraph) -> list[str]:
    return [d["ref"] for _, d in nodes_of(g, "role")]


def content_nodes(g: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Content item id -> its node attributes, in source order (file, line, column)."""
    found = sorted(nodes_of(g, "content"), key=lambda nd: source_key(nd[1]))
    return {d["ref"]: d for _, d in found}


def source_key(data: dict[str, Any]) -> tuple[str, int, int]:
    return (data["file"], data["line"], data["column"])


# --- coverage cells -------------------------------------------------------------------------


def step_cells(g: nx.MultiDiGraph, state: str = DEFAULT_STATE) -> list[Cell]:
    """One cell per journey step (journeys in source order, steps in stage order), of the
    journeys in `state` (STATES: current by default)."""
    counted = set(journey_ids(g, state))
    return [
        Cell(c.stage, c.segment, c.journey, c.items, c.pipeline)
        for c in step_coverage(g)
        if c.journey in counted
    ]


def segment_cells(g: nx.MultiDiGraph) -> list[Cell]:
    """One cell per segment x stage, whether or not a journey exists for it.

    A project without segments gets one row with segment None (items for all segments).
    An item matches as analyses.item_matches says: it targets the stage, and all segments
    or this one. Worked out once per graph (the coverage page and workbook both need it).
    """
    return list(memoised(g, "segment_cells", _segment_cells))


def _segment_cells(g: nx.MultiDiGraph) -> tuple[Cell, ...]:
    status, index = content_targets(g)
    # Items for all segments and items for one segment are disjoint sets: split and sort each
    # (stage, segment) set once, then merge two sorted runs per cell.
    split = {key: split_by_status(ids, status) for key, ids in index.items()}
    segments: list[str | None] = [*segment_ids(g)] or [None]
    stages = stage_ids(g)
    out = []
    for segment in segments:
        for stage in stages:
            published, pipeline = split.get((stage, None), ((), ()))
            if segment is not None:
                more, more_pipeline = split.get((stage, segment), ((), ()))
                published = merge_sorted(published, more)
                pipeline = merge_sorted(pipeline, more_pipeline)
            out.append(Cell(stage, segment, None, published, pipeline))
    return tuple(out)


def segment_matrix(g: nx.MultiDiGraph, cells: list[Cell] | None = None) -> list[MatrixRow]:
    """Rows: segments (source order); columns: stages in order.

    cells: segment_cells(g), when the caller has them already.
    """
    cells = segment_cells(g) if cells is None else cells
    keys = list(dict.fromkeys(c.segment for c in cells))
    return [MatrixRow(k, tuple(c for c in cells if c.segment == k)) for k in keys]


def journey_matrix(
    g: nx.MultiDiGraph, cells: list[Cell] | None = None, state: str = DEFAULT_STATE
) -> list[MatrixRow]:
    """Rows: journeys in `state` (source order); columns: stages in order; None where there
    is no step.

    cells: step_cells(g, state), when the caller has them already.
    """
    by_step = {(c.journey, c.stage): c for c in (step_cells(g, state) if cells is None else cells)}
    stages = stage_ids(g)
    rows = journey_ids(g, state)
    return [MatrixRow(j, tuple(by_step.get((j, s)) for s in stages)) for j in rows]


# --- gaps and the covered share ---------------------------------------------------------------


def items_of(nodes: dict[str, dict[str, Any]], ids: Iterable[str]) -> tuple[PipelineItem, ...]:
    """Pipeline items by id; nodes is content_nodes(g)."""
    return tuple(PipelineItem(i, nodes[i]["status"], nodes[i].get("owner")) for i in ids)


def gaps(g: nx.MultiDiGraph, cells: Iterable[Cell], min_items: int = 1) -> list[Gap]:
    """The cells with fewer than min_items published items, with their pipeline items."""
    found = [c for c in cells if c.is_gap(min_items)]
    nodes = content_nodes(g) if found else {}
    return [Gap(c, items_of(nodes, c.pipeline)) for c in found]


def covered_share(cells: Iterable[Cell], min_items: int = 1) -> tuple[int, int]:
    """(covered cells, all cells): covered means at least min_items published items."""
    cells = list(cells)
    return sum(1 for c in cells if not c.is_gap(min_items)), len(cells)


def percent(covered: int, total: int) -> float:
    """The covered share in percent; 100 when there is nothing to cover."""
    return 100.0 if total == 0 else 100.0 * covered / total


def fails_under(covered: int, total: int, threshold: float) -> bool:
    """Whether the covered share is below threshold percent (exact, no float rounding)."""
    return total > 0 and covered * 100 < threshold * total


# --- ownership -------------------------------------------------------------------------------


def ownership(g: nx.MultiDiGraph) -> list[Ownership]:
    """Items per owner role x stage x status; only non-empty entries.

    Roles in source order then None (no owner); stages in order then None (the item targets
    no stage); statuses published, draft, planned, retired, then None (no status). An item
    that targets several stages counts once at each.
    """
    nodes = content_nodes(g)
    found: dict[tuple[str | None, str | None, str | None], list[str]] = {}
    for ident, data in nodes.items():
        stages = list(dict.fromkeys(data.get("stages") or [])) or [None]
        for stage in stages:
            found.setdefault((data.get("owner"), stage, data.get("status")), []).append(ident)
    roles = [*role_ids(g), None]
    stages_order = [*stage_ids(g), None]
    statuses = [*STATUSES, None]

    def rank(key: tuple[str | None, str | None, str | None]) -> tuple[int, int, int]:
        return (roles.index(key[0]), stages_order.index(key[1]), statuses.index(key[2]))

    return [Ownership(*key, tuple(sorted(found[key]))) for key in sorted(found, key=rank)]


def ownership_matrix(g: nx.MultiDiGraph) -> list[OwnerRow]:
    """Rows: every role (then 'no owner' if any) x each status it has items in; columns: stages.

    A role without items gets one row of zeros (status None), so idle roles show too.
    Items that target no stage are not in the matrix (see ``ownership``).
    """
    entries = ownership(g)
    stages = stage_ids(g)
    roles: list[str | None] = role_ids(g)
    if any(e.role is None for e in entries):
        roles.append(None)
    rows = []
    for role in roles:
        mine = [e for e in entries if e.role == role]
        statuses = [s for s in (*STATUSES, None) if any(e.status == s for e in mine)]
        if not statuses:
            rows.append(OwnerRow(role, None, tuple(0 for _ in stages)))
            continue
        for status in statuses:
            counts = {e.stage: e.count for e in mine if e.status == status}
            rows.append(OwnerRow(role, status, tuple(counts.get(s, 0) for s in stages)))
    return rows


# --- serialisations --------------------------------------------------------------------------


def coverage_json(
    g: nx.MultiDiGraph, state: str = DEFAULT_STATE
) -> dict[str, list[dict[str, Any]]]:
    """{"steps": [...], "segments": [...]} as `journey coverage --format json` prints it."""
    return {
        "steps": [c.to_json() for c in step_cells(g, state)],
        "segments": [c.to_json() for c in segment_cells(g)],
    }


def table_rows(g: nx.MultiDiGraph, table: str, state: str = DEFAULT_STATE) -> list[tuple[str, ...]]:
    """The rows of one CSV table (steps, segments or owners), header first; ids joined by ' '."""
    if table == "owners":
        body = [
            (e.role or "", e.stage or "", e.status or "", str(e.count), " ".join(e.items))
            for e in ownership(g)
        ]
        return [OWNER_FIELDS, *body]
    if table not in ("steps", "segments"):
        raise ValueError(f"unknown table {table!r}; choose from {', '.join(TABLES)}")
    fields = STEP_FIELDS if table == "steps" else SEGMENT_FIELDS
    cells = step_cells(g, state) if table == "steps" else segment_cells(g)
    rows: list[tuple[str, ...]] = [fields]
    for cell in cells:
        data = cell.to_json()
        rows.append(tuple(_csv_value(data[f]) for f in fields))
    return rows


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def coverage_csv(g: nx.MultiDiGraph, table: str, state: str = DEFAULT_STATE) -> str:
    """One table as CSV text (CRLF line ends; cells are ids and counts, never formulas)."""
    return csv_text([neutralise(cell) for cell in row] for row in table_rows(g, table, state))
