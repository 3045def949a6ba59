"""The journey diagram: real swimlanes on a grid computed here, drawn by Graphviz.

One column per customer stage the journey has a step at (stage order) and one row (lane)
per buyer lane and per seller role, top to bottom::

    title
    column heads: the stage names
    buyer   transitions  bracket arrows between steps (when the journey has transitions)
            thinking     the step: emotion, thinking, flags; step_next arrows between steps
            doing, touchpoints (when a step has any)
    seller  funnel stage each funnel stage a bar over the columns it serves (stacked when
                         they overlap); a handoff mark where new owners take over
            <role>       one lane per role acting in the journey (every role with
                         show_empty_rows): each action in its stage's column, the content
                         items it uses beside it

Row heights and column widths follow from the sizes of the labels (wrapped at phrase
boundaries and measured with the font's metrics, toolkit.render.diagrams.em_width). Every
box gets a fixed size and position and every edge its route: straight lines, as the grid
leaves nothing between an arrow's ends (transitions run above the steps, in their own lane).
Graphviz only draws the result (``layout=nop2``, the pinned mode of ``neato -n2``): no
clusters to lay out and no edge routing, so a diagram of hundreds of nodes takes
milliseconds. Lanes, columns and the buyer/seller heads are clusters with a given bounding
box and label position, which Graphviz draws below the nodes.

Element ids (the ``id`` of each SVG group; unique within a file; see diagrams.safe_id):

- nodes carry their graph node id (data/graph.json): ``step:<journey>/<stage>``,
  ``action:<journey>/<stage>/<n>``, ``content:<ref>``, ``funnel_stage:<ref>``, and
  ``journey:<ref>`` for the title. A content item is drawn beside each action that uses it:
  its first drawing (columns left to right, then lanes and actions top to bottom) carries
  the plain id, later ones ``content:<ref>#2``, ``#3``... A funnel stage serving columns
  that are not next to each other is one bar per run of columns, numbered the same way.
- boxes that are not graph nodes: ``doing:<journey>/<stage>`` and
  ``touchpoints:<journey>/<stage>`` (buyer cells), ``handoff:<from>-><to>`` (the key of the
  graph's handoff edges between those funnel stages), ``transition:<n>`` (the label of the
  transition edge of that key), ``note:omitted`` (nodes left out past MAX_NODES).
- lanes ``lane:<key>``: ``lane:transitions``, ``lane:thinking``, ``lane:doing``,
  ``lane:touchpoints``, ``lane:funnel``, and ``lane:<role ref>`` for each role (a role
  whose ref is a buyer lane key or one of these is ``lane:role:<ref>``); columns
  ``column:<stage ref>``; the buyer and seller heads ``side:buyer`` and ``side:seller``.

The graph bounding box is written as the ``bb`` attribute (points), which the PDF renderer
reads to fit the diagram on its page (toolkit.render.dot).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import networkx as nx
from graphviz import quoting

from toolkit.analyses.warnings import step_actions
from toolkit.graph.build import nid
from toolkit.render.common import emotion_score, journey_steps, label_of, pick
from toolkit.render.diagrams import (
    EMOTION_FILL,
    FONT,
    GAP_COLOR,
    HANDOFF_COLOR,
    TITLE_LIMIT,
    Shared,
    clean_text,
    em_width,
    escaped,
    journey_shared,
    ref_label,
    safe_id,
    status_word,
    word,
    wrapped,
)

MAX_NODES = 600  # per journey diagram; steps always fit, the rest is admitted in priority order

# Sizes in points. Boxes: font size, line height (ems), padding; the grid: cell padding,
# gaps between stacked boxes and between an action and its content.
NODE_SIZE, CONTENT_SIZE, HEAD_SIZE, TITLE_SIZE = 11.0, 10.0, 12.0, 18.0
LINE = 1.25
PAD_X, PAD_Y = 7.0, 5.0
CELL, GAP, SUB_GAP = 12.0, 8.0, 20.0
MIN_INNER, MIN_HEAD, BAND = 140.0, 96.0, 22.0
TRACK_GAP = 12.0  # transitions: space between the arrows' tracks, besides their labels
ARROW = 10.0  # Graphviz's arrowhead length at arrowsize 1
# Wrap widths in display columns (two per CJK character).
ACTION_WRAP, CONTENT_WRAP, STEP_WRAP, HEAD_WRAP, FUNNEL_WRAP = 24, 20, 28, 16, 22
COLUMN_EM = 0.55  # ems per display column when a width in points sets a wrap width

BUYER_LANES = ("thinking", "doing", "touchpoints")
# Lane keys a role's ref must not take (the journey map's buyer lane keys and ours).
RESERVED_LANES = frozenset(
    {"transitions", "thinking", "feeling", "emotion", "doing", "questions", "touchpoints"}
    | {"pains", "opportunities", "funnel", "story", "step", "content", "kpi"}
)
LANE_FILL = {"buyer": "#fbf7ef", "funnel": "#f1f1f1", "transitions": "#faf6fb"}
SIDE_FILL = {"buyer": "#eadfca", "seller": "#d6e0ea"}
LINE_COLOR = "#c8c8c8"

# --- what is drawn --------------------------------------------------------------------------


@dataclass
class Column:
    """One customer-stage column of a journey diagram."""

    step: str
    stage: str
    funnel: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    content: dict[str, list[str]] = field(default_factory=dict)  # action -> content drawn

    def nodes(self) -> list[str]:
        """The graph nodes drawn in this column (a content item once per action using it)."""
        used = [c for a in self.actions for c in self.content.get(a, ())]
        return [self.step, *self.funnel, *self.actions, *used]


@dataclass
class Plan:
    columns: list[Column]
    omitted: int  # drawings left out past the budget


def plan_columns(
    g: nx.MultiDiGraph, journey: str, budget: int = MAX_NODES, shared: Shared | None = None
) -> Plan:
    """What each column draws; past the budget of drawings, the rest is left out (funnel
    stages first admitted, then actions, then the content beside them)."""
    shared = journey_shared(g) if shared is None else shared
    columns = [Column(step, data["stage"]) for step, data in journey_steps(g, journey)]
    drawn, omitted = len(columns), 0
    admitted: dict[str, bool] = {}

    def admit() -> bool:
        nonlocal drawn, omitted
        if drawn >= budget:
            omitted += 1
            return False
        drawn += 1
        return True

    for col in columns:
        for ref in g.nodes[col.step].get("funnel") or []:
            fs = nid("funnel_stage", ref)
            if fs in g and fs not in col.funnel:
                if fs not in admitted:
                    admitted[fs] = admit()
                if admitted[fs]:
                    col.funnel.append(fs)
    for col in columns:
        col.actions = [a for a in step_actions(g, col.step) if admit()]
    for col in columns:
        for action in col.actions:
            used = [c for c in shared.refs(action, "uses") if c in g]
            col.content[action] = [c for c in used if admit()]
    return Plan(columns, omitted)


# --- boxes ----------------------------------------------------------------------------------


@dataclass
class Box:
    """A node: its id, label, attributes and rectangle (top-left corner, y downwards)."""

    id: str
    label: str
    attrs: dict[str, str]
    w: float
    h: float
    x: float = 0.0
    y: float = 0.0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def size_of(lines: list[str], size: float) -> tuple[float, float]:
    """The box around these lines at this font size, in even points: Graphviz rounds node
    sizes to whole points, and with even sizes on a grid of whole points every edge of a
    box falls where the grid puts it."""
    width = max((em_width(line) for line in lines), default=0.0) * size
    return even(width + 2 * PAD_X), even(max(len(lines), 1) * size * LINE + 2 * PAD_Y)


def even(value: float) -> float:
    """The even number of points at or above value."""
    return 2.0 * math.ceil(value / 2 - 1e-9)


def make_box(
    node_id: str, lines: list[str], size: float, attrs: dict[str, str], left: bool = False
) -> Box:
    w, h = size_of(lines, size)
    label = escaped(lines, "\\l" if left else "\\n")
    return Box(safe_id(node_id), label, {**attrs, "fontsize": num(size)}, w, h)


def columns_for(points: float, size: float) -> int:
    """The wrap width (display columns) of text of this size in a box this wide."""
    return max(8, int((points - 2 * PAD_X) / (size * COLUMN_EM)))


def num(value: float) -> str:
    """A coordinate in points as DOT gets it: whole points (the grid's sizes are even, so
    box centres and edges are whole already)."""
    return str(round(value))


class Ids:
    """Drawn ids, unique within one diagram: the first use of an id as it is, later uses of
    the same id numbered ``#2``, ``#3``..."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, node_id: str) -> str:
        count = self.seen.get(node_id, 0) + 1
        self.seen[node_id] = count
        return node_id if count == 1 else f"{node_id}#{count}"


# --- labels ---------------------------------------------------------------------------------


def step_lines(
    g: nx.MultiDiGraph, step: str, flags: tuple[str, ...], lang: str, width: int
) -> list[str]:
    data = g.nodes[step]
    emotion = data.get("emotion")
    mood = f"{word('emotion', lang)} {emotion:+d}" if isinstance(emotion, int) else ""
    notes = [
        word(key, lang)
        for key, code in (("no-seller", "seller-absent"), ("no-content", "content-gap"))
        if code in flags
    ]
    return wrapped(mood.replace("+0", "0"), data.get("thinking"), *notes, width=width)


def step_attrs(g: nx.MultiDiGraph, step: str, flags: tuple[str, ...]) -> dict[str, str]:
    attrs = {
        "class": "step",
        "fillcolor": EMOTION_FILL[emotion_score(g.nodes[step].get("emotion"))],
        "penwidth": "1.5",
    }
    if "seller-absent" in flags:
        attrs["style"] = "rounded,filled,dashed"
    if "content-gap" in flags:
        attrs.update(color=GAP_COLOR, penwidth="2.5")
    return attrs


def list_lines(values: Any, width: int) -> list[str]:
    """A buyer list (doing, touchpoints) as bullet lines, continuation lines indented."""
    items = values if isinstance(values, list) else [values] if values else []
    lines: list[str] = []
    for item in items:
        body = wrapped(item, width=width - 2)
        lines += [("・" if i == 0 else "　") + line for i, line in enumerate(body)]
    return lines


def action_lines(g: nx.MultiDiGraph, action: str) -> list[str]:
    data = g.nodes[action]
    kpi = f"KPI: {data['kpi']}" if data.get("kpi") else ""
    return wrapped(data.get("action"), kpi, limit=90, width=ACTION_WRAP)


def content_lines(g: nx.MultiDiGraph, content: str, lang: str) -> list[str]:
    data = g.nodes[content]
    kind = " / ".join(
        x for x in (clean_text(data.get("format"), 40), status_word(data.get("status"), lang)) if x
    )
    return wrapped(label_of(data, lang), kind, limit=TITLE_LIMIT, width=CONTENT_WRAP)


def content_attrs(g: nx.MultiDiGraph, content: str) -> dict[str, str]:
    published = g.nodes[content].get("status") == "published"
    return {
        "class": "content",
        "shape": "note",
        "style": "filled" if published else "filled,dashed",
        "fillcolor": "#fffbe6",
    }


def content_box(g: nx.MultiDiGraph, content: str, lang: str, shared: Shared) -> Box:
    """A content item's box (its id not yet numbered), measured once per render."""
    key = ("content", content, lang)
    found = shared.drawn.get(key)
    if found is None:
        found = shared.drawn[key] = make_box(
            content, content_lines(g, content, lang), CONTENT_SIZE, content_attrs(g, content)
        )
    return Box(found.id, found.label, found.attrs, found.w, found.h)


def handoff_text(g: nx.MultiDiGraph, edges: list[Any], lang: str) -> str:
    """'A, B → C': the roles that hand a lead off, and the roles that take it."""
    givers = dict.fromkeys(ref_label(g, e[0], lang) for e in edges)
    takers = dict.fromkeys(ref_label(g, e[1], lang) for e in edges)
    return f"{', '.join(givers)} → {', '.join(takers)}"


# --- the grid -------------------------------------------------------------------------------


@dataclass
class Lane:
    key: str  # the lane's id without "lane:"
    side: str  # buyer, seller
    label: str  # escaped DOT label
    w: float  # size of the label's box
    h: float
    fill: str
    y: float = 0.0
    height: float = 0.0


@dataclass
class Run:
    """A funnel stage's bar over a run of neighbouring columns, on a track of its lane."""

    box: Box
    first: int
    last: int
    track: int = 0


@dataclass
class Arrow:
    """A transition between two steps, on its own track of the transitions lane."""

    source: int
    target: int
    label: Box | None
    track: int
    line_y: float = 0.0


Cell = list[tuple[Box, list[Box]]]  # the actions of one role at one step, with their content


@dataclass
class Grid:
    """The boxes, lanes and columns of one journey diagram; place() gives them positions."""

    title: Box
    stages: list[str]
    heads: list[tuple[str, float, float]]  # per column: label, width, height
    steps: list[Box]
    buyer: dict[str, list[Box | None]]  # doing, touchpoints: per column
    runs: list[Run]
    marks: dict[int, list[Box]]  # handoff marks by column
    cells: dict[str, list[Cell]]  # lane key -> per column
    arrows: list[Arrow]
    lanes: list[Lane]
    note: Box | None
    inner: list[float] = field(default_factory=list)  # column widths inside the padding
    col_x: list[float] = field(default_factory=list)
    head_w: float = MIN_HEAD
    width: float = 0.0
    height: float = 0.0
    header: tuple[float, float] = (0.0, 0.0)  # y, height of the column heads
    sides: dict[str, tuple[float, float]] = field(default_factory=dict)  # y, height

    def col_w(self, c: int) -> float:
        return self.inner[c] + 2 * CELL


def lane_key(role_ref: str) -> str:
    return f"role:{role_ref}" if role_ref in RESERVED_LANES else role_ref


def lighten(colour: str, amount: float) -> str:
    """#rrggbb mixed with white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02x}" for c in rgb)


def make_lane(key: str, side: str, text: str, fill: str) -> Lane:
    lines = wrapped(text, width=HEAD_WRAP)
    w, h = size_of(lines, HEAD_SIZE)
    return Lane(key, side, escaped(lines, "\\l"), w, h, fill)


def build_grid(
    g: nx.MultiDiGraph, journey: str, lang: str, plan: Plan, shared: Shared, all_rows: bool
) -> Grid:
    """Every box and lane of the diagram, measured; column widths follow from them."""
    ids = Ids()
    jnode = nid("journey", journey)
    title_lines = wrapped(label_of(g.nodes[jnode], lang), limit=TITLE_LIMIT, width=80)
    title = make_box(jnode, title_lines, TITLE_SIZE, {"class": "title", "shape": "plaintext"})
    ids(title.id)
    cols = plan.columns
    heads = []
    for col in cols:
        lines = wrapped(ref_label(g, nid("stage", col.stage), lang), width=HEAD_WRAP + 8)
        heads.append((escaped(lines), *size_of(lines, HEAD_SIZE)))
    runs = funnel_runs(g, cols, lang, ids)
    marks = handoff_marks(g, runs, lang, shared, ids)
    cells = role_cells(g, cols, lang, shared, ids, all_rows)
    arrows = transition_arrows(cols, lang, shared, ids)
    inner = []
    for c in range(len(cols)):
        widths = [MIN_INNER, heads[c][1]]
        widths += [r.box.w for r in runs if r.first == r.last == c]
        widths += [m.w for m in marks.get(c, ())]
        acts = [a for cell in cells.values() for a, _ in cell[c]]
        used = [u for cell in cells.values() for _, us in cell[c] for u in us]
        for box in acts:
            box.w = max(a.w for a in acts)
        for box in used:
            box.w = max(u.w for u in used)
        if acts:
            widths.append(acts[0].w + (SUB_GAP + used[0].w if used else 0.0))
        inner.append(max(widths))
    steps, buyer = buyer_boxes(g, cols, lang, shared, ids, inner, all_rows)
    for c in range(len(cols)):
        inner[c] = max([inner[c], steps[c].w, *(row[c].w for row in buyer.values() if row[c])])
        for box in [steps[c], *(row[c] for row in buyer.values())]:
            if box is not None:
                box.w = inner[c]
    lanes = []
    if arrows:
        lanes.append(
            make_lane("transitions", "buyer", word("transitions", lang), LANE_FILL["transitions"])
        )
    for key in ("thinking", *buyer):
        lanes.append(make_lane(key, "buyer", word(key, lang), LANE_FILL["buyer"]))
    lanes.append(make_lane("funnel", "seller", word("funnel-stage", lang), LANE_FILL["funnel"]))
    for role, data in shared.roles:
        key = lane_key(data["ref"])
        if key in cells:
            fill = lighten(shared.fills.get(role, "#ffffff"), 0.7)
            lanes.append(make_lane(key, "seller", label_of(data, lang), fill))
    note = None
    if plan.omitted:
        lines = wrapped(word("more", lang, n=plan.omitted))
        note = make_box("note:omitted", lines, NODE_SIZE, {"class": "note", "shape": "plaintext"})
    stages = [col.stage for col in cols]
    return Grid(title, stages, heads, steps, buyer, runs, marks, cells, arrows, lanes, note, inner)


def buyer_boxes(
    g: nx.MultiDiGraph,
    cols: list[Column],
    lang: str,
    shared: Shared,
    ids: Ids,
    inner: list[float],
    all_rows: bool,
) -> tuple[list[Box], dict[str, list[Box | None]]]:
    """The steps and the buyer's doing and touchpoints cells, wrapped to their columns."""
    steps = []
    for c, col in enumerate(cols):
        flags = shared.flags.get(col.step, ())
        width = max(STEP_WRAP, columns_for(inner[c], NODE_SIZE))
        lines = step_lines(g, col.step, flags, lang, width)
        box = make_box(col.step, lines, NODE_SIZE, step_attrs(g, col.step, flags))
        box.id = ids(box.id)
        steps.append(box)
    buyer: dict[str, list[Box | None]] = {}
    for key in BUYER_LANES[1:]:
        row: list[Box | None] = []
        for c, col in enumerate(cols):
            width = max(STEP_WRAP, columns_for(inner[c], CONTENT_SIZE))
            lines = list_lines(g.nodes[col.step].get(key), width)
            box = None
            if lines:
                attrs = {"class": key, "style": "filled", "color": "#bbbbbb"}
                box = make_box(
                    f"{key}:{col.step.partition(':')[2]}", lines, CONTENT_SIZE, attrs, True
                )
                box.id = ids(box.id)
            row.append(box)
        if any(row) or all_rows:
            buyer[key] = row
    return steps, buyer


def role_cells(
    g: nx.MultiDiGraph, cols: list[Column], lang: str, shared: Shared, ids: Ids, all_rows: bool
) -> dict[str, list[Cell]]:
    """Lane key -> per column, the role's actions there, each with its content items."""
    by_role: dict[str, list[Cell]] = {}
    for c, col in enumerate(cols):
        for action in col.actions:
            role = g.nodes[action]["role"]
            fill = shared.fills.get(nid("role", role), "white")
            attrs = {"class": "action", "fillcolor": fill}
            box = make_box(action, action_lines(g, action), NODE_SIZE, attrs)
            box.id = ids(box.id)
            used = []
            for content in col.content.get(action, ()):
                item = content_box(g, content, lang, shared)
                item.id = ids(item.id)
                used.append(item)
            by_role.setdefault(lane_key(role), [[] for _ in cols])[c].append((box, used))
    cells: dict[str, list[Cell]] = {}
    for _, data in shared.roles:
        key = lane_key(data["ref"])
        if key in by_role or all_rows:
            cells[key] = by_role.get(key) or [[] for _ in cols]
    return cells


def funnel_runs(g: nx.MultiDiGraph, cols: list[Column], lang: str, ids: Ids) -> list[Run]:
    """Each funnel stage's bars (one per run of neighbouring columns it serves), on tracks:
    a bar takes the first track free over its columns."""
    where: dict[str, list[int]] = {}
    for c, col in enumerate(cols):
        for fs in col.funnel:
            where.setdefault(fs, []).append(c)
    spans: list[tuple[int, int, str]] = []
    for fs, found in where.items():
        start = found[0]
        for a, b in pairwise([*found, -1]):
            if b != a + 1:
                spans.append((start, a, fs))
                start = b
    order = {fs: g.nodes[fs].get("order", 0) for fs in where}
    spans.sort(key=lambda s: (s[0], order[s[2]], s[1]))
    runs = []
    ends: list[int] = []  # the last column taken on each track
    for first, last, fs in spans:
        lines = wrapped(ref_label(g, fs, lang), width=FUNNEL_WRAP)
        attrs = {"class": "funnel_stage", "shape": "cds", "style": "filled", "fillcolor": "#dddddd"}
        box = make_box(fs, lines, NODE_SIZE, attrs)
        box.id = ids(box.id)
        track = next((t for t, end in enumerate(ends) if end < first), len(ends))
        if track == len(ends):
            ends.append(last)
        ends[track] = last
        runs.append(Run(box, first, last, track))
    return runs


def handoff_marks(
    g: nx.MultiDiGraph, runs: list[Run], lang: str, shared: Shared, ids: Ids
) -> dict[int, list[Box]]:
    """A mark in the column where a funnel stage begins whose owners take over from those of
    the stage before it (the graph's handoff edges, as the funnel diagram draws them), when
    the journey has both stages."""
    begins: dict[str, int] = {}
    for run in runs:
        begins.setdefault(run.box.id.partition("#")[0], run.first)
    marks: dict[int, list[Box]] = {}
    for (a, b), edges in shared.handoffs.items():
        source, target = nid("funnel_stage", a), nid("funnel_stage", b)
        if source in begins and target in begins:
            lines = wrapped(word("handoff", lang), handoff_text(g, edges, lang), width=26)
            attrs = {
                "class": "handoff",
                "style": "rounded,filled",
                "fillcolor": "#fff4ec",
                "color": HANDOFF_COLOR,
                "fontcolor": HANDOFF_COLOR,
            }
            box = make_box(f"handoff:{a}->{b}", lines, CONTENT_SIZE, attrs)
            box.id = ids(box.id)
            marks.setdefault(begins[target], []).append(box)
    return marks


def transition_arrows(cols: list[Column], lang: str, shared: Shared, ids: Ids) -> list[Arrow]:
    """The journey's transitions between drawn steps; shorter spans on lower tracks."""
    index = {col.step: c for c, col in enumerate(cols)}
    found = [
        (d.get("index", 0), index[step], index[v], d)
        for step in index
        for v, d in shared.out.get((step, "transition"), ())
        if v in index and v != step
    ]
    arrows = []
    for n, a, b, d in sorted(found, key=lambda f: (abs(f[2] - f[1]), f[0])):
        text = clean_text(pick(d.get("label"), lang, ""), 60)
        label = None
        if text:
            attrs = {"class": "transition", "shape": "plaintext", "fontcolor": "#7a3b8f"}
            label = make_box(f"transition:{n}", wrapped(text, width=24), CONTENT_SIZE, attrs)
            label.id = ids(label.id)
        arrows.append(Arrow(a, b, label, len(arrows)))
    return arrows


# --- placing --------------------------------------------------------------------------------


def place(grid: Grid) -> None:
    """Positions for every box, lane and column, top to bottom."""
    grid.head_w = max(MIN_HEAD, *(lane.w + 2 * CELL for lane in grid.lanes))
    x = grid.head_w
    for c in range(len(grid.inner)):
        grid.col_x.append(x)
        x += grid.col_w(c)
    grid.width = max(x, grid.title.w + 2 * CELL)
    y = CELL
    grid.title.x, grid.title.y = (grid.width - grid.title.w) / 2, y
    y += grid.title.h + GAP
    header = max((h for _, _, h in grid.heads), default=0.0) + 2 * PAD_Y
    grid.header = (y, header)
    y += header
    for side in ("buyer", "seller"):
        grid.sides[side] = (y, BAND)
        y += BAND
        for lane in grid.lanes:
            if lane.side == side:
                lane.y = y
                lane.height = max(fill_lane(grid, lane), lane.h + 2 * PAD_Y)
                y += lane.height
    if grid.note is not None:
        grid.note.x, grid.note.y = grid.head_w + CELL, y + GAP
        y += GAP + grid.note.h
    grid.height = y + CELL


def fill_lane(grid: Grid, lane: Lane) -> float:
    """Place the boxes of one lane (its top is lane.y); its height."""
    top = lane.y + CELL
    if lane.key == "transitions":
        return place_arrows(grid, lane)
    if lane.key == "thinking":
        return stack_row(grid, grid.steps, top)
    if lane.key in grid.buyer:
        return stack_row(grid, grid.buyer[lane.key], top)
    if lane.key == "funnel":
        return place_funnel(grid, top)
    bottom = top
    for c, cell in enumerate(grid.cells[lane.key]):
        y = top
        for action, used in cell:
            action.x, action.y = grid.col_x[c] + CELL, y
            stacked = y
            for item in used:
                item.x, item.y = action.x + action.w + SUB_GAP, stacked
                stacked += item.h + GAP
            y = max(y + action.h, stacked - GAP if used else y) + GAP
        bottom = max(bottom, y - GAP if cell else y)
    return bottom - lane.y + CELL


def stack_row(grid: Grid, boxes: Iterable[Box | None], top: float) -> float:
    """One box per column, all as high as the highest."""
    row = list(boxes)
    height = max((b.h for b in row if b is not None), default=0.0)
    for c, box in enumerate(row):
        if box is not None:
            box.x, box.y, box.h = grid.col_x[c] + CELL, top, height
    return height + 2 * CELL


def place_funnel(grid: Grid, top: float) -> float:
    tracks: dict[int, float] = {}
    for run in grid.runs:
        tracks[run.track] = max(tracks.get(run.track, 0.0), run.box.h)
    track_y, y = {}, top
    for t in sorted(tracks):
        track_y[t] = y
        y += tracks[t] + GAP
    for run in grid.runs:
        box = run.box
        box.x = grid.col_x[run.first] + CELL
        box.w = grid.col_x[run.last] + grid.col_w(run.last) - CELL - box.x
        box.y, box.h = track_y[run.track], tracks[run.track]
    bottom = y - GAP if tracks else top
    marks_y = bottom + GAP if tracks else top
    for c, marks in grid.marks.items():
        stacked = marks_y
        for box in marks:
            box.x, box.y = grid.col_x[c] + (grid.col_w(c) - box.w) / 2, stacked
            stacked += box.h + GAP
        bottom = max(bottom, stacked - GAP)
    return bottom - top + 2 * CELL


def place_arrows(grid: Grid, lane: Lane) -> float:
    """Tracks from the bottom of the lane up: each arrow's line, its label above it."""
    rows = [(a.label.h if a.label else 0.0) + TRACK_GAP for a in grid.arrows]
    height = sum(rows) + CELL
    bottom = lane.y + height
    for arrow, row in zip(grid.arrows, rows, strict=True):
        arrow.line_y = bottom - TRACK_GAP / 2
        if arrow.label is not None:
            a, b = (grid.col_x[i] + grid.col_w(i) / 2 for i in (arrow.source, arrow.target))
            label = arrow.label
            label.x = min(max((a + b - label.w) // 2, grid.head_w), grid.width - label.w)
            label.y = arrow.line_y - 1 - label.h
        bottom -= row
    return height


# --- DOT ------------------------------------------------------------------------------------


def journey_dot(
    g: nx.MultiDiGraph,
    journey: str,
    lang: str,
    budget: int = MAX_NODES,
    flags: dict[str, tuple[str, ...]] | None = None,
    shared: Shared | None = None,
    all_rows: bool = False,
) -> str:
    """The journey diagram as DOT: lanes by stage columns, every position given.

    flags is step_flags(g) and shared journey_shared(g); pass them when drawing many
    journeys of one graph. all_rows keeps a lane for every role and buyer lane.
    """
    shared = journey_shared(g, flags) if shared is None else shared
    plan = plan_columns(g, journey, budget, shared)
    grid = build_grid(g, journey, lang, plan, shared, all_rows)
    place(grid)
    return "".join(emit(grid, lang))


def q(text: str) -> str:
    """text as a quoted DOT string (always quoted; quotes escaped as graphviz.quoting does)."""
    return f'"{quoting.ESCAPE_UNESCAPED_QUOTES(text)}"' if '"' in text else f'"{text}"'


@functools.lru_cache(maxsize=1024)
def fixed_attrs(items: tuple[tuple[str, str], ...]) -> str:
    """`` k="v"...`` for a set of attributes many boxes share, sorted."""
    return "".join(f" {k}={q(v)}" for k, v in sorted(items))


def attr_text(attrs: dict[str, str], label: str | None = None) -> str:
    """``[label=... k=v ...]``: the label first, the rest sorted, every value quoted."""
    head = "" if label is None else f"label={q(label)}"
    return f" [{head}{fixed_attrs(tuple(attrs.items()))}]".replace("[ ", "[", 1)


def emit(grid: Grid, lang: str) -> Iterable[str]:
    """The DOT lines of a placed grid (graph coordinates: y upwards from the bottom)."""
    height = grid.height
    graph = {
        "bb": f"0,0,{num(grid.width)},{num(height)}",
        "charset": "UTF-8",
        "fontname": FONT,
        "layout": "nop2",
    }
    node = {
        "fixedsize": "true",
        "fontname": FONT,
        "fontsize": num(NODE_SIZE),
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "white",
    }
    yield "digraph journey {\n"
    yield f"\tgraph{attr_text(graph)}\n"
    yield f"\tnode{attr_text(node)}\n"
    yield f"\tedge{attr_text({'arrowsize': '0.7', 'color': '#555555'})}\n"
    yield from emit_bands(grid, lang)
    boxes = [grid.title, *grid.steps]
    boxes += [b for row in grid.buyer.values() for b in row if b is not None]
    boxes += [run.box for run in grid.runs]
    boxes += [b for marks in grid.marks.values() for b in marks]
    boxes += [b for a in grid.arrows if (b := a.label) is not None]
    for cells in grid.cells.values():
        for cell in cells:
            for action, used in cell:
                boxes += [action, *used]
    if grid.note is not None:
        boxes.append(grid.note)
    for box in boxes:
        node_id = q(box.id)
        where = f'pos="{num(box.cx)},{num(height - box.cy)}" width={num4(box.w / 72)}'
        where += f" height={num4(box.h / 72)}"
        shared = fixed_attrs(tuple(box.attrs.items()))
        yield f"\t{node_id} [label={q(box.label)} id={node_id} {where}{shared}]\n"
    yield from emit_edges(grid)
    yield "}\n"


def num4(value: float) -> str:
    """A size in inches as DOT gets it: four decimals."""
    return f"{value:.4f}"


def band(
    node_id: str,
    box: tuple[float, float, float, float],
    label: str,
    height: float,
    attrs: dict[str, str],
) -> str:
    """A lane, column or side: a box (x0, y0, x1, y1 from the top) drawn under the others.

    Not a cluster: Graphviz orders clusters by the address of their name, which changes
    from run to run; nodes are drawn in the order they are written.
    """
    x0, y0, x1, y1 = box
    where = f'pos="{num((x0 + x1) / 2)},{num(height - (y0 + y1) / 2)}"'
    where += f" width={num4((x1 - x0) / 72)} height={num4((y1 - y0) / 72)}"
    shared = fixed_attrs(tuple({**attrs, "fontsize": num(HEAD_SIZE)}.items()))
    return f"\t{q(node_id)} [label={q(label)} id={q(node_id)} {where}{shared}]\n"


def emit_bands(grid: Grid, lang: str) -> Iterable[str]:
    """The buyer and seller heads and the lanes (labels on the left), then the columns
    (lines, stage names at the top)."""
    height, width = grid.height, grid.width
    for side in ("buyer", "seller"):
        y, h = grid.sides[side]
        attrs = {"class": f"side {side}", "style": "filled", "fillcolor": SIDE_FILL[side]}
        attrs |= {"color": SIDE_FILL[side], "shape": "box"}
        label = escaped(wrapped(word(side, lang), width=40), "\\l")
        yield band(f"side:{side}", (0, y, width, y + h), label, height, attrs)
        for lane in grid.lanes:
            if lane.side == side:
                attrs = {"class": f"lane {side}", "style": "filled", "fillcolor": lane.fill}
                attrs |= {"color": LINE_COLOR, "shape": "box"}
                box = (0, lane.y, width, lane.y + lane.height)
                yield band(f"lane:{lane.key}", box, lane.label, height, attrs)
    top = grid.header[0]
    bottom = max((lane.y + lane.height for lane in grid.lanes), default=top)
    for c, stage in enumerate(grid.stages):
        x0 = grid.col_x[c]
        attrs = {"class": "column", "color": LINE_COLOR, "shape": "box", "style": "solid"}
        attrs |= {"labelloc": "t"}
        box = (x0, top, x0 + grid.col_w(c), bottom)
        yield band(f"column:{safe_id(stage)}", box, grid.heads[c][0], height, attrs)


def route(points: list[tuple[float, float]], height: float, arrow: float) -> str:
    """An edge's pos: straight segments through the points (y from the top), the last
    one shortened by the arrowhead, which ends at the last point."""
    (px, py), (ex, ey) = points[-2], points[-1]
    length = max(math.hypot(ex - px, ey - py), 1e-9)
    cut = min(arrow, length / 2)
    end = (ex - (ex - px) * cut / length, ey - (ey - py) * cut / length)
    pts = [*points[:-1], end]
    out = [pts[0]] + [p for a, b in pairwise(pts) for p in (a, b, b)]
    body = " ".join(f"{num(x)},{num(height - y)}" for x, y in out)
    return f"e,{num(ex)},{num(height - ey)} {body}"


def emit_edges(grid: Grid) -> Iterable[str]:
    height = grid.height
    steps = grid.steps
    arrow = ARROW * 0.7
    for a, b in pairwise(steps):
        pos = route([(a.x + a.w, a.cy), (b.x, b.cy)], height, arrow)
        attrs = {"class": "step_next", "penwidth": "2.5", "color": "#333333", "pos": pos}
        yield f"\t{q(a.id)} -> {q(b.id)}{attr_text(attrs)}\n"
    for cells in grid.cells.values():
        for cell in cells:
            for action, used in cell:
                for item in used:
                    start = (action.x + action.w, action.y + min(action.h, item.h) / 2)
                    pos = route([start, (item.x, item.cy)], height, ARROW * 0.5)
                    attrs = {"class": "uses", "color": "#8a6d00", "arrowsize": "0.5", "pos": pos}
                    yield f"\t{q(action.id)} -> {q(item.id)}{attr_text(attrs)}\n"
    for arrow_ in grid.arrows:
        a, b = steps[arrow_.source], steps[arrow_.target]
        shift = 10 + 6 * arrow_.track
        xa, xb = a.cx - shift, b.cx + shift
        points = [(xa, a.y), (xa, arrow_.line_y), (xb, arrow_.line_y), (xb, b.y)]
        attrs = {
            "class": "transition",
            "style": "dashed",
            "color": "#7a3b8f",
            "pos": route(points, height, arrow),
        }
        yield f"\t{q(a.id)} -> {q(b.id)}{attr_text(attrs)}\n"
