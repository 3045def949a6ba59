"""Sheets: a journey as a workshop grid (stages as columns, lanes as rows), and back.

The grid is a list of rows of cell values (str, int or None); toolkit.sheets.files reads and
writes it as CSV or XLSX. Row 1 holds the stages (id, label in any language, or
"label (id)"), column A the lanes: buyer lanes, `story`, `funnel`, `step` and one row per
seller role. docs/SHEETS.md describes the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import networkx as nx
from openpyxl.utils import get_column_letter

from toolkit.common.diagnostics import Diagnostic, did_you_mean
from toolkit.common.labels import pick
from toolkit.model import models as m
from toolkit.model.project import Project
from toolkit.sheets.cells import (
    CONTROL_HINT,
    ActionLine,
    control_char,
    decode_list,
    decode_pains,
    decode_text,
    encode_action,
    encode_list,
    encode_pains,
    encode_text,
    lines_of,
    normalise,
    parse_action,
    parse_int,
    split_labelled,
)

TEXT_LANES = ("thinking", "feeling")
LIST_LANES = ("doing", "questions", "touchpoints", "pains", "opportunities")
INT_LANES: dict[str, tuple[int, int]] = {"story": (1, 9), "emotion": (-2, 2)}
LANES = ("story", "thinking", "feeling", "emotion", *LIST_LANES, "funnel", "step")
LANE_LABELS: dict[str, dict[str, str]] = {
    "story": {"en": "Story", "ja": "解決ストーリー"},
    "thinking": {"en": "Thinking", "ja": "考えていること"},
    "feeling": {"en": "Feeling", "ja": "感じていること"},
    "emotion": {"en": "Emotion", "ja": "感情"},
    "doing": {"en": "Doing", "ja": "行動"},
    "questions": {"en": "Questions", "ja": "疑問"},
    "touchpoints": {"en": "Touchpoints", "ja": "タッチポイント"},
    "pains": {"en": "Pains", "ja": "ペイン"},
    "opportunities": {"en": "Opportunities", "ja": "機会"},
    "funnel": {"en": "Funnel", "ja": "ファネル"},
    "step": {"en": "Step", "ja": "ステップ"},
}
LANE_ALIASES: dict[str, tuple[str, ...]] = {
    "emotion": ("感情曲線", "感情スコア"),
    "funnel": ("ファネルステージ", "funnel stage"),
    "story": ("ストーリー", "resolution story"),
}
ROLE_PREFIX = "role:"
STEP_MARK = "x"

Cell = str | int | None
Grid = list[list[Cell]]


# --- names -------------------------------------------------------------------------------------


@dataclass
class Names:
    """Resolves what people write for an entity: its id, a label in any language, "label (id)"."""

    kind: str
    ids: list[str]
    by_name: dict[str, str | None] = field(default_factory=dict)  # None: ambiguous label

    @classmethod
    def of(cls, kind: str, entities: list[tuple[str, Any]]) -> Names:
        names = cls(kind, [ident for ident, _ in entities])
        for ident, label in entities:
            values = label.values() if isinstance(label, dict) else [label] if label else []
            for text in values:
                key = normalise(str(text))
                if names.by_name.get(key, ident) != ident:
                    names.by_name[key] = None
                else:
                    names.by_name[key] = ident
        for ident in names.ids:
            names.by_name[normalise(ident)] = ident
        return names

    def resolve(self, text: str) -> str | None:
        label, key = split_labelled(text)
        if key is not None and key in self.ids:
            return key
        return self.by_name.get(normalise(text)) or self.by_name.get(normalise(label))

    def hint(self, text: str) -> str:
        return did_you_mean(split_labelled(text)[1] or text, self.ids) or (
            f"use a {self.kind} id: {', '.join(self.ids)}" if self.ids else f"no {self.kind}s"
        )


@dataclass
class Vocabulary:
    stages: Names
    roles: Names
    funnel: Names
    content: frozenset[str]
    stage_labels: dict[str, Any]
    role_labels: dict[str, Any]


def vocabulary(project: Project) -> Vocabulary:
    stages = [(e.model.id, e.model.label) for e in project.stages]
    roles = [(e.model.id, e.model.label) for e in project.roles]
    funnel = [(e.model.id, e.model.label) for e in project.funnel_stages]
    return Vocabulary(
        stages=Names.of("stage", stages),
        roles=Names.of("role", roles),
        funnel=Names.of("funnel stage", funnel),
        content=frozenset(e.model.id for e in project.content),
        stage_labels=dict(stages),
        role_labels=dict(roles),
    )


def labelled(label: str, ident: str) -> str:
    """'label (id)', or the label alone when it reads as the id anyway."""
    return label if normalise(label) == normalise(ident) else f"{label} ({ident})"


# --- export: journey -> grid -------------------------------------------------------------------


def journey_grid(journey: m.JourneyDoc, vocab: Vocabulary, lang: str) -> Grid:
    """The grid of a journey: every stage of the model as a column, every lane as a row."""
    stage_ids = vocab.stages.ids
    header: list[Cell] = [journey.id]
    header += [labelled(pick(vocab.stage_labels[s], lang, s), s) for s in stage_ids]
    steps = [journey.steps.get(s) for s in stage_ids]
    rows: Grid = [header]
    for lane in LANES:
        if lane == "step" and not any(s is not None and _blank(s) for s in steps):
            continue
        rows.append([lane_title(lane, lang), *(_lane_cell(lane, s) for s in steps)])
    role_rows = role_layout([s.actions if s else [] for s in steps], vocab.roles.ids)
    for role, cells in role_rows:
        rows.append([role_title(role, vocab, lang), *cells])
    return rows


def lane_title(lane: str, lang: str) -> str:
    label = LANE_LABELS[lane].get(lang, LANE_LABELS[lane]["en"])
    return label if lang == "en" else labelled(label, lane)


def role_title(role: str, vocab: Vocabulary, lang: str) -> str:
    title = labelled(pick(vocab.role_labels.get(role), lang, role), role)
    if lane_of(title) is not None or lane_of(role) is not None:
        return f"{ROLE_PREFIX} {role}"
    return title


def _blank(step: m.Step) -> bool:
    return all(_lane_cell(lane, step) in ("", None) for lane in LANES if lane != "step") and (
        not step.actions
    )


def _lane_cell(lane: str, step: m.Step | None) -> Cell:
    if step is None:
        return None
    if lane == "step":
        return STEP_MARK
    if lane in INT_LANES:
        return getattr(step, lane)
    if lane in TEXT_LANES:
        return encode_text(getattr(step, lane)) or None
    if lane == "funnel":
        return encode_list(list(step.funnel)) or None
    if lane == "pains":
        return encode_pains([(p.text, p.severity) for p in step.pains]) or None
    return encode_list(list(getattr(step, lane))) or None


def role_layout(
    step_actions: list[list[m.Action]], roles: list[str]
) -> list[tuple[str, list[Cell]]]:
    """Role rows (a role may repeat) so that reading rows top-down gives each step's actions.

    Each step's actions form runs of one role. The rows start as the roles in an order every
    step agrees with (funnel order where free); when steps disagree (a cycle), a role gets
    another row by insertion until every step's run sequence is a subsequence of the rows.
    """
    runs = [_runs(actions) for actions in step_actions]
    layout = _role_order([[role for role, _ in r] for r in runs], roles)
    for step_runs in runs:
        pos = 0
        for role, _ in step_runs:
            found = next((i for i in range(pos, len(layout)) if layout[i] == role), None)
            if found is None:
                layout.insert(pos, role)
                found = pos
            pos = found + 1
    cells: list[list[Cell]] = [[None] * len(runs) for _ in layout]
    for col, step_runs in enumerate(runs):
        pos = 0
        for role, actions in step_runs:
            row = next(i for i in range(pos, len(layout)) if layout[i] == role)
            cells[row][col] = "\n".join(encode_action(_line(a)) for a in actions)
            pos = row + 1
    return list(zip(layout, cells, strict=True))


def _role_order(sequences: list[list[str]], roles: list[str]) -> list[str]:
    """The roles ordered so that, when possible, every step reads top-down with one row each."""
    order = nx.DiGraph()
    order.add_nodes_from(roles)
    for seq in sequences:
        order.add_edges_from(pairwise(seq))
    rank = {role: i for i, role in enumerate(roles)}
    try:
        return list(nx.lexicographical_topological_sort(order, key=lambda r: rank.get(r, 0)))
    except nx.NetworkXUnfeasible:  # a cycle: some role must get a second row
        return list(roles)


def _runs(actions: list[m.Action]) -> list[tuple[str, list[m.Action]]]:
    out: list[tuple[str, list[m.Action]]] = []
    for action in actions:
        if out and out[-1][0] == action.role:
            out[-1][1].append(action)
        else:
            out.append((action.role, [action]))
    return out


def _line(action: m.Action) -> ActionLine:
    return ActionLine(action.action, tuple(action.content), action.kpi)


# --- import: grid -> steps ---------------------------------------------------------------------


def lane_of(text: str) -> str | None:
    """The lane a column-A cell names, or None (then it may name a role)."""
    label, key = split_labelled(text)
    if key is not None and normalise(key) in LANES:
        return normalise(key)
    wanted = {normalise(text), normalise(label)}
    for lane in LANES:
        names = {lane, *LANE_LABELS[lane].values(), *LANE_ALIASES.get(lane, ())}
        if wanted & {normalise(n) for n in names}:
            return lane
    return None


def cell_ref(row: int, col: int) -> str:
    """'B7' for row 7 (1-based) and column 2 (1-based)."""
    return f"{get_column_letter(col)}{row}"


@dataclass
class Reader:
    """Collects diagnostics located at cells of one sheet file."""

    file: str
    diags: list[Diagnostic] = field(default_factory=list)

    def err(self, code: str, row: int, col: int, message: str, hint: str = "") -> None:
        loc_msg = f"{cell_ref(row, col)}: {message}"
        self.diags.append(Diagnostic("error", code, loc_msg, self.file, row, col, hint))


def _text(value: Cell) -> str:
    return "" if value is None else str(value)


def read_columns(grid: Grid, vocab: Vocabulary, rd: Reader) -> dict[int, str]:
    """Column index (0-based) -> stage id, from row 1."""
    header = grid[0] if grid else []
    cols: dict[int, str] = {}
    seen: dict[str, int] = {}
    width = max((len(r) for r in grid), default=0)
    for col in range(1, width):
        text = _text(header[col] if col < len(header) else None).strip()
        if not text:
            first = next(
                (r for r, row in enumerate(grid) if col < len(row) and _text(row[col]).strip()),
                None,
            )
            if first is not None:
                rd.err(
                    "unknown-stage",
                    first + 1,
                    col + 1,
                    f"column {get_column_letter(col + 1)} has no stage in row 1",
                    "name a customer stage in row 1 or move the cell",
                )
            continue
        stage = vocab.stages.resolve(text)
        if stage is None:
            rd.err("unknown-stage", 1, col + 1, f"unknown stage {text!r}", vocab.stages.hint(text))
        elif stage in seen:
            rd.err(
                "duplicate-stage",
                1,
                col + 1,
                f"stage '{stage}' has a second column "
                f"(the first is {get_column_letter(seen[stage] + 1)})",
            )
        else:
            seen[stage] = col
            cols[col] = stage
    return cols


def read_lanes(grid: Grid, vocab: Vocabulary, rd: Reader) -> list[tuple[int, str, str]]:
    """(row index, 'lane'|'role', name) for every row below the header that holds anything."""
    out: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    for r in range(1, len(grid)):
        row = grid[r]
        name = _text(row[0] if row else None).strip()
        if not name:
            if any(_text(v).strip() for v in row[1:]):
                rd.err(
                    "unknown-lane",
                    r + 1,
                    1,
                    f"row {r + 1} has no lane name in column A",
                    "name a lane (thinking, doing, ...) or a role",
                )
            continue
        lane = None if normalise(name).startswith(ROLE_PREFIX) else lane_of(name)
        if lane is not None:
            if lane in seen:
                rd.err(
                    "duplicate-lane",
                    r + 1,
                    1,
                    f"lane '{lane}' appears again (first in row {seen[lane] + 1})",
                    "merge the two rows",
                )
                continue
            seen[lane] = r
            out.append((r, "lane", lane))
            continue
        role_text = name.split(":", 1)[1] if normalise(name).startswith(ROLE_PREFIX) else name
        role = vocab.roles.resolve(role_text.strip())
        if role is None:
            hint = did_you_mean(normalise(name), LANES) or vocab.roles.hint(role_text.strip())
            rd.err(
                "unknown-lane", r + 1, 1, f"unknown lane {name!r}: not a lane name or a role", hint
            )
            continue
        out.append((r, "role", role))
    return out


def read_steps(grid: Grid, vocab: Vocabulary, file: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The journey's steps (stage id -> step mapping as in YAML), in stage order."""
    rd = Reader(file)
    _control_chars(grid, rd)
    if not grid or not any(_text(v).strip() for v in grid[0][1:]):
        rd.err("empty-sheet", 1, 1, "row 1 names no stage", "export a sheet to see the layout")
        return {}, rd.diags
    cols = read_columns(grid, vocab, rd)
    lanes = read_lanes(grid, vocab, rd)
    steps: dict[str, dict[str, Any]] = {}
    present: set[str] = set()
    for col, stage in cols.items():
        step: dict[str, Any] = {}
        for r, kind, name in lanes:
            raw = _text(grid[r][col] if col < len(grid[r]) else None)
            if not raw.strip():
                continue
            present.add(stage)
            if kind == "role":
                step.setdefault("actions", []).extend(_actions(raw, name, vocab, rd, r, col))
            elif name != "step":
                value = _lane_value(name, raw, vocab, rd, r, col)
                if value is not None:
                    step[name] = value
        steps[stage] = step
    order = [s for s in vocab.stages.ids if s in present]
    return {s: _ordered(steps[s]) for s in order}, rd.diags


def _control_chars(grid: Grid, rd: Reader) -> None:
    """A `sheet-control-char` error at every cell holding a control character."""
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            found = control_char(_text(value))
            if found:
                message = f"the cell holds the control character {found}"
                rd.err("sheet-control-char", r, c, message, CONTROL_HINT)


FIELD_ORDER = tuple(m.Step.model_fields)  # a step's keys in the order the model declares


def _ordered(step: dict[str, Any]) -> dict[str, Any]:
    return {k: step[k] for k in FIELD_ORDER if k in step}


def _lane_value(lane: str, raw: str, vocab: Vocabulary, rd: Reader, r: int, col: int) -> Any:
    if lane in INT_LANES:
        low, high = INT_LANES[lane]
        number = parse_int(raw)
        if number is None:
            rd.err(
                "wrong-type",
                r + 1,
                col + 1,
                f"{lane} {raw.strip()!r} is not an integer",
                f"write a whole number from {low} to {high}",
            )
        elif not low <= number <= high:
            rd.err("out-of-range", r + 1, col + 1, f"{lane} {number} is not in {low}..{high}")
        else:
            return number
        return None
    if lane in TEXT_LANES:
        return decode_text(raw)
    if lane == "funnel":
        found = []
        for name in [n.strip() for ln in lines_of(raw) for n in ln.split(",") if n.strip()]:
            ident = vocab.funnel.resolve(name)
            if ident is None:
                rd.err(
                    "unknown-ref",
                    r + 1,
                    col + 1,
                    f"unknown funnel stage {name!r}",
                    vocab.funnel.hint(name),
                )
            else:
                found.append(ident)
        return found or None
    if lane == "pains":
        pains = [t if s is None else {"text": t, "severity": s} for t, s in decode_pains(raw)]
        return pains or None
    return decode_list(raw) or None


def _actions(
    raw: str, role: str, vocab: Vocabulary, rd: Reader, r: int, col: int
) -> list[dict[str, Any]]:
    out = []
    for line in lines_of(raw):
        if not line:
            continue
        parsed = parse_action(line)
        if parsed is None:
            rd.err(
                "invalid-value",
                r + 1,
                col + 1,
                f"action line {line!r} has no action text",
                "write: action text [content: id, id] [kpi: text]",
            )
            continue
        for ident in parsed.content:
            if ident not in vocab.content:
                rd.err(
                    "unknown-ref",
                    r + 1,
                    col + 1,
                    f"unknown content item '{ident}'",
                    did_you_mean(ident, vocab.content) or "define it in a kind: content file",
                )
        action: dict[str, Any] = {"role": role, "action": parsed.action}
        if parsed.content:
            action["content"] = list(parsed.content)
        if parsed.kpi is not None:
            action["kpi"] = parsed.kpi
        out.append(action)
    return out
