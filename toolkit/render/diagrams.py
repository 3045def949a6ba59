"""Diagram text safety and the journey-flow diagram as Graphviz DOT source.

The funnel and overview diagrams are built in toolkit.render.dot with the helpers here;
the Mermaid renderer reuses ``clean_text``.

Journey layout (rankdir=LR): one ``rank=same`` group per customer-stage column,
ordered top to bottom by invisible edges: the buyer's step first, then the seller lane (the
funnel stages serving it, the actions at it, the content they use). A node shared by several
columns (a funnel stage, a content item) sits in the first column that needs it. Every edge is
written from the node placed first to the node placed later (``dir=back`` when the meaning
runs the other way), so the ordering constraints never form a cycle. No lane clusters: dot is
slow on them and draws each lane as one column.

Safety: node ids are generated (``n0``, ``n1``... in placement order), never user text; every
label is cleaned (controls, bidi overrides, unpaired surrogates dropped; whitespace
collapsed), truncated, wrapped and passed through ``graphviz.escape`` and ``nohtml`` so it is
always a quoted text label, never an HTML-like one. No URL, href or tooltip attributes.
The statement lines, ids and edge index are in toolkit.render.dot_syntax.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import graphviz
import networkx as nx

from toolkit.analyses.warnings import step_actions
from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nid
from toolkit.render.common import (
    emotion_score,
    journey_steps,
    label_of,
    ordered,
    pick,
    step_flags,
    strip_controls,
)
from toolkit.render.dot_syntax import (
    Edge,
    Layout,
    add_subgraph,
    attr_list,
    chain,
    edge_stmt,
    edge_style,
    edges_by_type,
    node_stmt,
)

FONT = "IPAGothic"
WRAP_WIDTH = 28  # display columns (a CJK character counts two)
TITLE_LIMIT = 80
TEXT_LIMIT = 120
MAX_NODES = 600  # per journey diagram; steps always fit, the rest is admitted in priority order
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
ELLIPSIS = "…"
TOKENS = re.compile(r"[!-~]+| |.")
NO_LINE_START = frozenset("、。，．）」』】〕・ー…：；！？,.)]!?:;")
WIDE = ("W", "F")  # east Asian widths drawn two columns wide

EMOTION_FILL = {1: "#f4b6b6", 2: "#f9dcc0", 3: "#eeeeee", 4: "#d8eec6", 5: "#b9e4b9"}
ROLE_FILL = ("#cfe2f3", "#fce5cd", "#d9d2e9", "#d9ead3", "#fff2cc", "#f4cccc", "#d0e0e3", "#ead1dc")
GAP_COLOR = "#c0392b"

# --- text -------------------------------------------------------------------------------


def clean_text(text: Any, limit: int = TEXT_LIMIT) -> str:
    """One line of plain text: controls and bidi overrides dropped, whitespace collapsed,
    truncated to ``limit`` characters."""
    if text is None:
        return ""
    collapsed = " ".join(strip_controls(str(text)).split())
    return truncate(" ".join(UNSAFE.sub("", collapsed).split()), limit)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in WIDE else 1


def text_width(text: str) -> int:
    if text.isascii():
        return len(text)
    eaw = unicodedata.east_asian_width
    return len(text) + len([c for c in text if eaw(c) in WIDE])


def wrap(text: str, width: int = WRAP_WIDTH) -> list[str]:
    """Greedy wrap by display width: ASCII words stay whole where they fit, CJK text breaks
    between characters, closing punctuation never starts a line."""
    n = len(text)
    if "\n" not in text and (n * 2 <= width or (n <= width and text_width(text) <= width)):
        # It all fits on one line: the greedy loop would only drop the leading spaces.
        body = text.lstrip(" ")
        return [body.rstrip()] if body.strip() else []
    return _greedy_wrap(text, width)


def _greedy_wrap(text: str, width: int) -> list[str]:
    eaw = unicodedata.east_asian_width
    lines: list[str] = []
    current, used = "", 0  # the line being built and its display width
    for token in TOKENS.findall(text):
        if token == " ":
            if current and used < width:
                current, used = current + " ", used + 1
            continue
        # A token is one character or a run of printable ASCII (one column each).
        size = (2 if eaw(token) in WIDE else 1) if len(token) == 1 else len(token)
        if current and (used + size <= width or token in NO_LINE_START):
            current, used = current + token, used + size
            continue
        if current:
            lines.append(current.rstrip())
        current, used = token, size
        while used > width and len(current) > 1:
            head = _fit(current, width)
            lines.append(head)
            current = current[len(head) :]
            used = text_width(current)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _fit(text: str, width: int) -> str:
    """The longest prefix (at least one character) within the display width."""
    used = 0
    for i, ch in enumerate(text):
        used += char_width(ch)
        if used > width:
            return text[: max(i, 1)]
    return text


def dot_label(*parts: Any, limit: int = TEXT_LIMIT, width: int = WRAP_WIDTH) -> str:
    """A safe DOT text label: each part cleaned and wrapped, lines joined by DOT's ``\\n``."""
    lines = [line for part in parts for line in wrap(clean_text(part, limit), width)]
    # Wrapped lines never hold a newline, so escaping them joined by one is escaping each.
    return graphviz.nohtml(graphviz.escape("\n".join(lines)).replace("\n", "\\n"))


@functools.cache
def diagram_words(t: Catalog) -> dict[str, str]:
    """The diagrams' own words (lane and row heads, titles, notes) by key."""
    _ = t.gettext
    return {
        "buyer": t.pgettext("diagram", "Buyer"),
        "seller": t.pgettext("diagram", "Seller"),
        "emotion": _("Emotion"),
        "no-content": _("[no published content]"),
        "no-seller": _("[no seller action]"),
        "funnel": _("Sales funnel"),
        "overview": _("Customer stages and funnel"),
        "stages": _("Customer stages"),
        "lead-classes": _("Lead classes"),
        "roles": _("Roles"),
    }


def word(key: str, lang: str, **values: Any) -> str:
    """A word of the diagrams in the output language; "more" takes n (the items left out)."""
    t = translations(lang)
    if key == "more":
        n = values["n"]
        return t.ngettext("%(n)s more not shown", "%(n)s more not shown", n) % {"n": n}
    return diagram_words(t)[key]


# --- shared -----------------------------------------------------------------------------


def new_digraph(name: str, title: str, rankdir: str) -> graphviz.Digraph:
    return graphviz.Digraph(
        name=name,
        graph_attr={
            "rankdir": rankdir,
            "fontname": FONT,
            "fontsize": "18",
            "label": dot_label(title, limit=TITLE_LIMIT, width=80),
            "labelloc": "t",
            "nodesep": "0.3",
            "ranksep": "0.6",
            "charset": "UTF-8",
        },
        node_attr={
            "fontname": FONT,
            "fontsize": "11",
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "white",
            "margin": "0.12,0.06",
        },
        edge_attr={"fontname": FONT, "fontsize": "9", "color": "#555555"},
    )


def ref_label(g: nx.MultiDiGraph, node: str, lang: str) -> str:
    return label_of(g.nodes[node], lang) if node in g else node.partition(":")[2]


def role_fills(g: nx.MultiDiGraph) -> dict[str, str]:
    return {n: ROLE_FILL[i % len(ROLE_FILL)] for i, (n, _) in enumerate(ordered(g, "role"))}


JOURNEY_EDGES = ("uses", "served_by", "transition")
Maker = Callable[[nx.MultiDiGraph, str, str], str]


@dataclass(frozen=True)
class Shared:
    """What the journey diagrams of one graph share, worked out once per render."""

    flags: dict[str, tuple[str, ...]]
    roles: list[tuple[str, dict[str, Any]]]
    fills: dict[str, str]
    # (node, edge type) -> [(target, edge data)] in out-edge order, for JOURNEY_EDGES
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]
    # (node, lang) -> attribute list of a node drawn alike in every journey diagram
    drawn: dict[tuple[str, str], str] = field(default_factory=dict)

    def refs(self, node: str, kind: str) -> list[str]:
        """out_refs(g, node, kind) for a kind in JOURNEY_EDGES."""
        return list(dict.fromkeys(v for v, _ in self.out.get((node, kind), ())))

    def once(self, make: Maker, g: nx.MultiDiGraph, node: str, lang: str) -> str:
        """make(g, node, lang), remembered per node and language."""
        found = self.drawn.get((node, lang))
        if found is None:
            found = self.drawn[(node, lang)] = make(g, node, lang)
        return found


def journey_shared(
    g: nx.MultiDiGraph,
    flags: dict[str, tuple[str, ...]] | None = None,
    edges: dict[str, list[Edge]] | None = None,
) -> Shared:
    """Shared for g; flags is step_flags(g) and edges has (at least) the JOURNEY_EDGES types
    (each computed when missing)."""
    edges = edges_by_type(g, JOURNEY_EDGES) if edges is None else edges
    out: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for kind in JOURNEY_EDGES:
        for u, v, _, d in edges.get(kind, ()):
            out.setdefault((u, kind), []).append((v, d))
    return Shared(
        flags=step_flags(g) if flags is None else flags,
        roles=ordered(g, "role"),
        fills=role_fills(g),
        out=out,
    )


# --- journey flow -----------------------------------------------------------------------


@dataclass
class Column:
    """One customer-stage column of a journey diagram, top to bottom."""

    step: str
    funnel: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    content: list[str] = field(default_factory=list)

    def nodes(self) -> list[str]:
        return [self.step, *self.funnel, *self.actions, *self.content]


@dataclass
class Plan:
    columns: list[Column]
    omitted: int


def plan_columns(
    g: nx.MultiDiGraph, journey: str, budget: int = MAX_NODES, shared: Shared | None = None
) -> Plan:
    """Place every node of a journey diagram in a column; past the budget, leave nodes out."""
    shared = journey_shared(g) if shared is None else shared
    columns = [Column(step) for step, _ in journey_steps(g, journey)]
    placed = {c.step for c in columns}
    skipped: set[str] = set()

    def admit(node: str, into: list[str]) -> None:
        if node in placed or node in skipped or node not in g:
            return
        if len(placed) >= budget:
            skipped.add(node)
            return
        placed.add(node)
        into.append(node)

    for col in columns:
        for fs in g.nodes[col.step].get("funnel") or []:
            admit(nid("funnel_stage", fs), col.funnel)
    for col in columns:
        for action in step_actions(g, col.step):
            admit(action, col.actions)
    for col in columns:
        for action in col.actions:
            for content in shared.refs(action, "uses"):
                admit(content, col.content)
    return Plan(columns, len(skipped))


def step_label(g: nx.MultiDiGraph, step: str, flags: tuple[str, ...], lang: str) -> str:
    data = g.nodes[step]
    emotion = data.get("emotion")
    mood = f"{word('emotion', lang)} {emotion:+d}" if isinstance(emotion, int) else ""
    mood = mood.replace("+0", "0")
    notes = [
        word(key, lang)
        for key, code in (("no-seller", "seller-absent"), ("no-content", "content-gap"))
        if code in flags
    ]
    return dot_label(
        ref_label(g, nid("stage", data["stage"]), lang),
        mood,
        data.get("thinking"),
        *notes,
        limit=TITLE_LIMIT,
    )


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


def action_label(g: nx.MultiDiGraph, action: str, lang: str) -> str:
    data = g.nodes[action]
    kpi = f"KPI: {data['kpi']}" if data.get("kpi") else ""
    role = ref_label(g, nid("role", data["role"]), lang)
    return dot_label(role, data.get("action"), kpi, limit=90)


def content_label(g: nx.MultiDiGraph, content: str, lang: str) -> str:
    data = g.nodes[content]
    kind = " / ".join(str(x) for x in (data.get("format"), data.get("status")) if x)
    return dot_label(label_of(data, lang), kind, limit=TITLE_LIMIT)


def content_style(g: nx.MultiDiGraph, content: str) -> str:
    status = g.nodes[content].get("status")
    return "filled" if status == "published" else "filled,dashed"


STEP_NEXT = edge_style(penwidth="2.5", color="#333333", weight="10", **{"class": "step_next"})
SERVES = edge_style(style="dotted", arrowhead="none", **{"class": "serves"})
ACTION_AT = edge_style(color="#1f5fa8", **{"class": "action_at"})
USES = edge_style(color="#8a6d00", arrowsize="0.6", **{"class": "uses"})


def journey_dot(
    g: nx.MultiDiGraph,
    journey: str,
    lang: str,
    budget: int = MAX_NODES,
    flags: dict[str, tuple[str, ...]] | None = None,
    shared: Shared | None = None,
) -> str:
    """The journey flow: buyer steps over the seller lane, one rank per customer stage.

    flags is step_flags(g) and shared journey_shared(g); pass them when drawing many journeys
    of one graph.
    """
    shared = journey_shared(g, flags) if shared is None else shared
    jnode = nid("journey", journey)
    plan = plan_columns(g, journey, budget, shared)
    dg = new_digraph("journey", label_of(g.nodes[jnode], lang), "LR")
    layout = Layout(dg)
    _journey_header(g, layout, plan, shared, lang)
    for c, col in enumerate(plan.columns):
        add_subgraph(dg, f"col{c}", _journey_column(g, layout, col, c, shared, lang), "same")
        chain(dg, (layout.ids(n) for n in col.nodes()), style="invis", weight="5")
    if plan.columns:
        buyer, first = layout.ids("lane:buyer"), layout.ids(plan.columns[0].step)
        dg.body.append(edge_stmt(buyer, first, style="invis"))
    _journey_edges(g, layout, plan, shared, lang)
    return dg.source


def _funnel_attrs(g: nx.MultiDiGraph, fs: str, lang: str) -> str:
    attrs = {"shape": "cds", "style": "filled", "fillcolor": "#dddddd", "class": "funnel_stage"}
    return attr_list(dot_label(ref_label(g, fs, lang)), attrs)


def _content_attrs(g: nx.MultiDiGraph, content: str, lang: str) -> str:
    attrs = {
        "shape": "note",
        "style": content_style(g, content),
        "fillcolor": "#fffbe6",
        "class": "content",
    }
    return attr_list(content_label(g, content, lang), attrs)


def _journey_header(
    g: nx.MultiDiGraph, layout: Layout, plan: Plan, shared: Shared, lang: str
) -> None:
    """Column 0: lane names and the legend of the roles acting in this journey."""
    acting = {g.nodes[a]["role"] for col in plan.columns for a in col.actions}
    header: list[str] = []
    lines: list[str] = []
    for key in ("buyer", "seller"):
        node_id = layout.place(f"lane:{key}", 0, len(header))
        label = dot_label(word(key, lang))
        lane = {"shape": "plaintext", "style": "solid", "fontsize": "14", "class": "lane"}
        lines.append(node_stmt(node_id, label, **lane))
        header.append(f"lane:{key}")
    for role, data in shared.roles:
        if data["ref"] in acting:
            node_id = layout.place(role, 0, len(header))
            label = dot_label(label_of(data, lang))
            lines.append(
                node_stmt(node_id, label, fillcolor=shared.fills[role], **{"class": "role"})
            )
            header.append(role)
    if plan.omitted:
        lines.append(
            node_stmt(
                layout.place("note:omitted", 0, len(header)),
                dot_label(word("more", lang, n=plan.omitted)),
                shape="plaintext",
                style="solid",
                **{"class": "note"},
            )
        )
        header.append("note:omitted")
    add_subgraph(layout.dg, "lanes", lines, "same")
    chain(layout.dg, (layout.ids(n) for n in header), style="invis")


def _journey_column(
    g: nx.MultiDiGraph, layout: Layout, col: Column, c: int, shared: Shared, lang: str
) -> list[str]:
    """The statements of one column's nodes, top to bottom."""
    column = c + 1
    flags = shared.flags.get(col.step, ())
    step_id = layout.place(col.step, column, 0)
    lines = [
        node_stmt(step_id, step_label(g, col.step, flags, lang), **step_attrs(g, col.step, flags))
    ]
    for fs in col.funnel:
        node_id = layout.place(fs, column, len(lines))
        lines.append(f"\t{node_id}{shared.once(_funnel_attrs, g, fs, lang)}\n")
    for action in col.actions:
        role = nid("role", g.nodes[action]["role"])
        lines.append(
            node_stmt(
                layout.place(action, column, len(lines)),
                action_label(g, action, lang),
                fillcolor=shared.fills.get(role, "white"),
                **{"class": "action"},
            )
        )
    for content in col.content:
        node_id = layout.place(content, column, len(lines))
        lines.append(f"\t{node_id}{shared.once(_content_attrs, g, content, lang)}\n")
    return lines


def _journey_edges(
    g: nx.MultiDiGraph, layout: Layout, plan: Plan, shared: Shared, lang: str
) -> None:
    steps = [col.step for col in plan.columns]
    for a, b in pairwise(steps):
        layout.edge(a, b, STEP_NEXT)
    for col in plan.columns:
        for fs in shared.refs(col.step, "served_by"):
            layout.edge(fs, col.step, SERVES)
        for action in col.actions:
            layout.edge(action, col.step, ACTION_AT)
            for content in shared.refs(action, "uses"):
                layout.edge(action, content, USES)
    for u, v, d in _transitions(shared, steps):
        attrs = {
            "style": "dashed",
            "color": "#7a3b8f",
            "constraint": "false",
            "class": "transition",
        }
        label = clean_text(pick(d.get("label"), lang, ""))
        if label:
            attrs["label"] = dot_label(label, limit=60, width=20)
        layout.dg.body.append(edge_stmt(layout.ids(u), layout.ids(v), **attrs))


def _transitions(shared: Shared, steps: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    found = [(step, v, d) for step in steps for v, d in shared.out.get((step, "transition"), ())]
    return sorted(found, key=lambda e: e[2].get("index", 0))
