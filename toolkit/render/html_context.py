"""Context builders of the HTML renderer: plain dicts, lists, strings and numbers for templates.

Every decision lives here (order, labels in the output language, SVG coordinates, markers,
coverage, links); the Jinja templates only display what these functions return (and their
own words, through `_()`). This module holds the labels of data values (flags, statuses,
stories, lanes), what all pages share and the lanes of the journey map; toolkit.render.html
assembles the pages.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import networkx as nx
from markupsafe import Markup, escape

from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import (
    RenderOptions,
    actions_at,
    coverage_by_step,
    flags_of,
    handoffs,
    label_of,
    ordered,
    pick,
    safe_url,
    text,
)
from toolkit.render.diagrams import phrases
from toolkit.render.dot import journey_diagram_paths
from toolkit.render.facts import (
    Facts,
    Lazy,
    Node,
    content_order,
    listed_content,
    node_names,
    steps_by_journey,
)
from toolkit.render.overlay import step_badges

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
FLAG_CODES = ("seller-absent", "content-gap")


@functools.cache
def flag_labels(t: Catalog) -> dict[str, str]:
    """Warning code -> the badge of a flagged step."""
    return {
        "seller-absent": t.gettext("No seller action"),
        "content-gap": t.gettext("No published content"),
    }


@functools.cache
def status_labels(t: Catalog) -> dict[str, str]:
    """Content status -> its tag on the journey map."""
    _ = t.gettext
    return {
        "published": _("published"),
        "draft": _("draft"),
        "planned": _("planned"),
        "retired": _("retired"),
    }


@functools.cache
def story_labels(t: Catalog) -> dict[int, str]:
    """Resolution story state 1..9 -> its name."""
    _ = t.gettext
    return {
        1: _("Nothing is wrong"),
        2: _("A gap is feared"),
        3: _("The problem feels real"),
        4: _("Explores solutions"),
        5: _("Settles on an approach"),
        6: _("Adopts a solution"),
        7: _("Executes it"),
        8: _("Problem resolved"),
        9: _("Moves toward the ideal"),
    }


@functools.cache
def lane_labels(t: Catalog) -> dict[str, str]:
    """Buyer lane key -> the lane's name on the journey map."""
    _ = t.gettext
    return {
        "thinking": _("Thinking"),
        "feeling": _("Feeling"),
        "emotion": t.pgettext("journey map lane", "Emotion"),
        "doing": _("Doing"),
        "questions": _("Questions"),
        "touchpoints": _("Touchpoints"),
        "pains": _("Pains"),
        "opportunities": _("Opportunities"),
    }


SEVERITY_ICONS = {"abandon": "✕", "workaround": "!", "trivial": "–"}


@functools.cache
def severity_labels(t: Catalog) -> dict[str, str]:
    """Pain severity -> its word on the journey map and the overview."""
    _ = t.gettext
    return {
        "abandon": _("Gives up"),
        "workaround": _("Workaround needed"),
        "trivial": _("Trivial"),
        "kind": _("Severity"),
    }


def pain_items(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    """A step's pains as (text, severity or None), empty texts left out (as `texts` does)."""
    pains = data.get("pains") or []
    severities = data.get("pain_severity") or [None] * len(pains)
    return [(text(p), s) for p, s in zip(pains, severities, strict=False) if text(p)]


def severity_mark(t: Catalog, severity: str | None, lang: str) -> dict[str, str] | None:
    """The marker of a pain's severity: key (CSS class), icon, word and the word's language;
    None without a severity."""
    if severity is None or severity not in SEVERITY_ICONS:
        return None
    labels = severity_labels(t)
    return {
        "key": severity,
        "icon": SEVERITY_ICONS[severity],
        "label": labels[severity],
        "lang": lang,
        "kind": labels["kind"],  # for screen readers: "Severity: Gives up"
    }


def make_facts(g: nx.MultiDiGraph, options: RenderOptions) -> Facts:
    """The lookups of toolkit.render.facts: per graph walked once, per step on first use."""
    coverage = coverage_by_step(g)
    actions: Lazy[str, list[dict[str, Any]]] = Lazy(lambda step: actions_at(g, step))
    t = translations(options.lang)
    order = content_order(g)
    return Facts(
        g=g,
        lang=options.lang,
        formats=frozenset(options.formats) | options.on_demand,  # serve makes these on demand
        t=t,
        stages=tuple(ordered(g, "stage")),
        coverage=coverage,
        leads=step_badges(options.overlay, options.lang) if options.overlay else {},
        steps=steps_by_journey(g, journey_refs(g)),
        names=node_names(g, options.lang),
        diagrams=journey_diagram_paths(g),
        actions=actions,
        flags=Lazy(lambda step: flags_of(bool(actions[step]), coverage[step])),
        content_order=order,
        content_ids=list(order),
        content=Lazy(lambda ref: content_fields(g, ref, options.lang, t)),
    )


# --- small pure helpers ---------------------------------------------------------------------


def texts(values: Any) -> list[str]:
    return [text(v) for v in (values or []) if text(v)]


def name_of(f: Facts, node: str) -> str:
    """The display label of a node in the output language ('' when the node is missing)."""
    name = f.names.get(node)
    if name is not None:
        return name
    return text(label_of(f.g.nodes[node], f.lang)) if node in f.g else ""


def pct(fraction: float) -> str:
    """A fraction as an SVG percentage, three decimals at most: 0.5/9 -> '5.556%'."""
    return f"{fraction * 100:.3f}".rstrip("0").rstrip(".") + "%"


def slug_path(*parts: str, suffix: str = "") -> str:
    """An internal relative link built from slugs only."""
    for part in parts:
        if not SLUG.fullmatch(part):
            raise ValueError(f"not a slug: {part!r}")
    return "/".join(parts) + suffix


def journey_page(ref: str) -> str:
    return slug_path("journeys", ref, suffix=".html")


def journey_refs(g: nx.MultiDiGraph) -> list[str]:
    return [d["ref"] for _, d in nodes_of(g, "journey")]


def out_refs(g: nx.MultiDiGraph, node: str, kind: str) -> list[str]:
    return [v for _, v, d in g.out_edges(node, data=True) if d["type"] == kind]


WBR = "<wbr>"
# Stands for a <wbr> while the phrases are escaped as one text; YAML text cannot hold it.
BREAK_MARK = "\x00"


@functools.lru_cache(maxsize=16384)
def soft_breaks(value: str) -> str:
    """Text for a map cell, escaped, with a line break opportunity (<wbr>) between its
    phrases (toolkit.render.diagrams.phrases, as the diagrams wrap their labels: Latin words,
    Japanese phrases such as 課題を|整理する, マーケティング|施策). The map sets
    `word-break: keep-all`, so Japanese breaks only there, never inside a word. Text of
    ASCII alone (breaks at its spaces) comes back as it is. Kept per text: labels repeat
    (a role in every lane, a content item in every journey that names it)."""
    if value.isascii():
        return value
    parts: list[str | None] = []  # None: a break opportunity
    for part in phrases(value):
        last = parts[-1] if parts else None
        if last is not None and not (part.isspace() or last.isspace()):
            if len(part) < 2 or len(last) < 2:
                parts[-1] = last + part  # no break next to a single character (A社, 第3)
                continue
            parts.append(None)
        parts.append(part)
    if None not in parts:
        return value
    if BREAK_MARK in value:  # never from YAML; escape the phrases one by one
        return Markup("").join(Markup(WBR) if p is None else escape(p) for p in parts)
    marked = "".join(BREAK_MARK if p is None else p for p in parts)
    return Markup(str(escape(marked)).replace(BREAK_MARK, WBR))


def emotion_class(emotion: int | None) -> str:
    if emotion is None:
        return "emo-none"
    return {-2: "emo-m2", -1: "emo-m1", 0: "emo-0", 1: "emo-p1", 2: "emo-p2"}[int(emotion)]


def emotion_text(emotion: int) -> str:
    return "0" if emotion == 0 else f"{'+' if emotion > 0 else '−'}{abs(emotion)}"


def step_columns(f: Facts, journey: str) -> list[Node | None]:
    """The journey's step node for every customer stage, in stage order (None: skipped)."""
    by_stage = {d["stage"]: (n, d) for n, d in f.steps[journey]}
    return [by_stage.get(d["ref"]) for _, d in f.stages]


def flag_badges(f: Facts, step: str | None) -> list[dict[str, str]]:
    codes = f.flags[step] if step else ()
    labels = flag_labels(f.t)
    return [{"code": c, "label": labels[c]} for c in FLAG_CODES if c in codes]


def story_text(f: Facts, state: int | None) -> str:
    if state is None:
        return ""
    return f"{state} · {story_labels(f.t).get(state, '')}".rstrip(" ·")


def nav_links(t: Catalog, depth: int, current: str, leads: bool) -> list[dict[str, Any]]:
    """The navigation of every page: the overview pages, the coverage pages and, when the
    build has a lead overlay (`journey build --leads`), the leads page."""
    _ = t.gettext
    root = "../" * depth
    nav = [
        ("index", _("Overview"), "index.html"),
        ("compare", _("Compare journeys"), "compare.html"),
        ("coverage", _("Content coverage"), "coverage.html"),
        ("inventory", _("Content inventory"), "coverage-inventory.html"),
        ("plan", _("Marketing plan"), "plan.html"),
    ]
    if leads:
        nav.append(("leads", _("Leads on the journey"), "leads.html"))
    return [
        {"label": label, "href": root + href, "current": key == current} for key, label, href in nav
    ]


def page_meta(f: Facts, title: str, depth: int, current: str) -> dict[str, Any]:
    """Document title, header and navigation for a page `depth` folders below the output.

    The leads page is in the navigation when the build has a lead overlay (make_facts then
    gives every step its lead badge)."""
    _ = f.t.gettext
    project = text(pick(f.g.graph.get("title"), f.lang, _("Customer journeys")))
    return {
        "lang": text(f.lang) or "en",
        "title": f"{title} | {project}" if title and title != project else project,
        "project": project,
        "client": text(f.g.graph.get("client")),
        "nav": nav_links(f.t, depth, current, bool(f.leads) or current == "leads"),
    }


# --- the journey map ------------------------------------------------------------------------


def stage_headers(f: Facts, cols: list[Node | None]) -> list[dict[str, Any]]:
    """One header per customer stage of the model, skipped ones marked."""
    heads = []
    for i, ((node, _), step) in enumerate(zip(f.stages, cols, strict=True)):
        badges = flag_badges(f, step[0] if step else None)
        heads.append(
            {
                "number": f"{i + 1:02d}",
                "label": soft_breaks(name_of(f, node)),
                "skipped": step is None,
                "story": story_text(f, step[1].get("story")) if step else "",
                "flags": badges,
                "leads": f.leads.get(step[0], "") if step else "",
                "classes": cell_classes(step, badges),
            }
        )
    return heads


def cell_classes(step: Node | None, badges: list[dict[str, str]], *extra: str) -> str:
    if step is None:
        return " ".join(["skipped", *extra])
    return " ".join([*extra, *(f"flag-{b['code']}" for b in badges)])


BUYER_LANES = (
    ("thinking", "text"),
    ("feeling", "text"),
    ("emotion", "emotion"),
    ("doing", "list"),
    ("questions", "list"),
    ("touchpoints", "chips"),
    ("pains", "list"),
    ("opportunities", "list"),
)


def buyer_lanes(f: Facts, cols: list[Node | None]) -> list[dict[str, Any]]:
    """The buyer's lanes; the emotion lane carries no cells (its curve spans the columns).

    `empty`: no stage has anything in the lane (the page leaves it out unless asked to keep
    empty rows); the emotion lane is empty when no step has an emotion.
    """
    lanes, labels = [], lane_labels(f.t)
    for key, kind in BUYER_LANES:
        if kind == "emotion":
            cells: list[dict[str, Any]] = []
            empty = all(s is None or s[1].get("emotion") is None for s in cols)
        else:
            cells = [buyer_cell(key, step, f) for step in cols]
            empty = not any(c["entries"] for c in cells)
        lanes.append(
            {"key": key, "kind": kind, "label": labels[key], "cells": cells, "empty": empty}
        )
    return lanes


def buyer_cell(key: str, step: Node | None, f: Facts) -> dict[str, Any]:
    """One cell of a buyer lane. `marks`: in the pains lane of a step where some pain has a
    severity, each entry's severity marker (None where not given); else empty (a skipped
    stage's cell has neither entries nor marks). A marker's `lang` is the page's: its word
    is the toolkit's, the cell's text the project's."""
    if step is None:
        return {"skipped": True, "classes": "skipped", "entries": []}
    data = step[1]
    value = data.get(key)
    extra = emotion_class(data.get("emotion")) if key == "feeling" else ""
    if key == "pains" and data.get("pain_severity"):
        pains = pain_items(data)
        entries = [soft_breaks(v) for v, _ in pains]
        return {
            "skipped": False,
            "classes": extra,
            "entries": entries,
            "marks": [severity_mark(f.t, s, f.lang) for _, s in pains],
        }
    items = texts(value) if isinstance(value, list) else texts([value])
    return {
        "skipped": False,
        "classes": extra,
        "entries": [soft_breaks(v) for v in items],
        "marks": [],
    }


EMOTION_PAD = 24  # px above +2 and below -2 (room for a point's label)
EMOTION_UNIT = 32  # px per emotion point
EMOTION_HEIGHT = 2 * EMOTION_PAD + 4 * EMOTION_UNIT
COLUMN_UNITS = 100  # viewBox width of one column
EMOTION_LEVELS = (2, 1, 0, -1, -2)


@functools.cache
def emotion_words(t: Catalog) -> dict[int, str]:
    """Emotion -2..2 -> what the level means, for the curve's text alternative."""
    _ = t.gettext
    return {
        2: _("very positive"),
        1: _("positive"),
        0: _("neutral"),
        -1: _("negative"),
        -2: _("very negative"),
    }


def emotion_y(emotion: int) -> int:
    """Vertical position of an emotion -2..2 (+2 at the top)."""
    return EMOTION_PAD + (2 - emotion) * EMOTION_UNIT


def emotion_curve(f: Facts, cols: list[Node | None]) -> dict[str, Any]:
    """The emotion curve: points per step in viewBox units (x) and percentages (cx), a guide
    and a scale label per level, and the values per stage as text (`readout`)."""
    n = len(cols)
    words = emotion_words(f.t)
    points, readout = [], []
    for i, step in enumerate(cols):
        stage = name_of(f, f.stages[i][0])
        if step is None or step[1].get("emotion") is None:
            missing = f.t.gettext("Skipped") if step is None else f.t.gettext("no emotion given")
            readout.append({"stage": stage, "text": missing})
            continue
        e = int(step[1]["emotion"])
        points.append(
            {
                "x": i * COLUMN_UNITS + COLUMN_UNITS // 2,
                "y": emotion_y(e),
                "label_y": emotion_y(e) - 12,
                "cx": pct((i + 0.5) / n),
                "value": e,
                "text": emotion_text(e),
                "classes": emotion_class(e),
                "stage": stage,
            }
        )
        value = f.t.gettext("%(value)s (%(meaning)s)")
        readout.append(
            {"stage": stage, "text": value % {"value": emotion_text(e), "meaning": words[e]}}
        )
    return {
        "width": n * COLUMN_UNITS,
        "height": EMOTION_HEIGHT,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "guides": [
            {
                "y": emotion_y(v),
                "label_y": emotion_y(v) + 4,
                "text": emotion_text(v),
                "classes": "guide guide-zero" if v == 0 else "guide",
            }
            for v in EMOTION_LEVELS
        ],
        "skipped": [{"x": pct(i / n), "w": pct(1 / n)} for i, s in enumerate(cols) if s is None],
        "dividers": [pct(i / n) for i in range(1, n)],
        "readout": readout,
    }


TRANSITION_TOP = 24
TRANSITION_GAP = 22


def transition_arrows(f: Facts, journey: str) -> dict[str, Any]:
    """The journey's transitions as labelled bracket arrows from column to column."""
    data = f.g.nodes[nid("journey", journey)]
    index = {d["ref"]: i for i, (_, d) in enumerate(f.stages)}
    n = len(f.stages)
    known = [
        (abs(index[tr["to"]] - index[tr["from"]]), i, index[tr["from"]], index[tr["to"]], tr)
        for i, tr in enumerate(data.get("transitions") or [])
        if tr["from"] in index and tr["to"] in index
    ]
    arrows = []
    for _, _, a, b, tr in sorted(known, key=lambda k: k[:2]):  # short spans nest above long ones
        source, target = name_of(f, f.stages[a][0]), name_of(f, f.stages[b][0])
        label = text(pick(tr.get("label"), f.lang, "")) or f"{source} → {target}"
        arrows.append(
            {
                "x1": pct((a + 0.5) / n),
                "x2": pct((b + 0.5) / n),
                "xm": pct((a + b + 1) / (2 * n)),
                "y": TRANSITION_TOP + len(arrows) * TRANSITION_GAP,
                "label_y": TRANSITION_TOP + len(arrows) * TRANSITION_GAP - 6,
                "label": label,
                "title": f"{source} → {target}: {label}",
                "direction": "back" if b < a else "forward",
            }
        )
    height = TRANSITION_TOP + (len(arrows) - 1) * TRANSITION_GAP + 12 if arrows else 0
    return {"arrows": arrows, "height": height}


def funnel_cells(f: Facts, cols: list[Node | None]) -> list[dict[str, Any]]:
    """The funnel stage(s) serving each column, with their lead class."""
    cells = []
    for step in cols:
        if step is None:
            cells.append({"classes": "skipped", "stages": []})
            continue
        stages = []
        for ref in step[1].get("funnel") or []:
            node = nid("funnel_stage", ref)
            lead = [name_of(f, lc) for lc in out_refs(f.g, node, "lead_class")]
            stages.append({"label": soft_breaks(name_of(f, node)), "lead_class": ", ".join(lead)})
        cells.append({"classes": "", "stages": stages})
    return cells


Handoff = tuple[int, str, str, str, str]  # column, from role, to role, from stage, to stage


def journey_handoffs(f: Facts, cols: list[Node | None]) -> list[Handoff]:
    """The funnel's handoffs (common.handoffs, as the funnel diagram draws them) this journey
    passes, each at the column where it happens: the first column served by the handoff's
    later funnel stage, at or after the first column served by its earlier one. A handoff
    whose earlier stage the journey never reaches first is not one of this journey's."""
    served: dict[str, list[int]] = {}
    for i, step in enumerate(cols):
        for ref in (step[1].get("funnel") or []) if step else []:
            served.setdefault(ref, []).append(i)
    found = []
    for u, v, _, d in handoffs(f.g):
        before, after = served.get(d["from_stage"]), served.get(d["to_stage"])
        if not before or not after:
            continue
        at = next((i for i in after if i >= before[0]), None)
        if at is not None:
            found.append((at, u, v, d["from_stage"], d["to_stage"]))
    return found


def handoff_markers(f: Facts, found: list[Handoff], role: str, column: int) -> list[dict[str, str]]:
    """The handoff markers of one role's cell: what it receives, then what it hands on.

    `text` is shown; `detail` (the funnel stages) is for screen readers."""
    _ = f.t.gettext
    markers = []
    for direction, mine, other in (("in", 2, 1), ("out", 1, 2)):
        here = [h for h in found if h[0] == column and h[mine] == role]
        if not here:
            continue
        rank = {node: i for i, (node, _) in enumerate(nodes_of(f.g, "role"))}
        others = sorted({h[other] for h in here}, key=lambda node: rank.get(node, 0))
        roles = [name_of(f, node) for node in others]
        pairs = dict.fromkeys(
            f"{name_of(f, nid('funnel_stage', h[3]))} → {name_of(f, nid('funnel_stage', h[4]))}"
            for h in here
        )
        message = _("Handoff from %(roles)s") if direction == "in" else _("Handoff to %(roles)s")
        markers.append(
            {
                "direction": direction,
                "text": message % {"roles": _(", ").join(roles)},
                "detail": _("(funnel stage %(stages)s)") % {"stages": _(", ").join(pairs)},
            }
        )
    return markers


def role_lanes(f: Facts, cols: list[Node | None], keep_empty: bool = True) -> list[dict[str, Any]]:
    """One lane per role of the funnel (source order): handoff markers and its actions at
    each step, with KPI. Without `keep_empty`, lanes with no action and no handoff in any
    stage are left out; the seller-absent marker goes on the first lane shown."""
    acts = [f.actions[step[0]] if step else [] for step in cols]
    found = journey_handoffs(f, cols)
    lanes = []
    for role_node, role in nodes_of(f.g, "role"):
        cells = []
        for i, (step, step_acts) in enumerate(zip(cols, acts, strict=True)):
            absent = bool(step) and "seller-absent" in f.flags[step[0]]
            mine = [
                {"text": soft_breaks(text(a.get("action"))), "kpi": soft_breaks(text(a.get("kpi")))}
                for a in step_acts
                if a.get("role") == role["ref"]
            ]
            cells.append(
                {
                    "classes": cell_classes(step, [], *(["flag-seller-absent"] if absent else [])),
                    "actions": mine,
                    "handoffs": handoff_markers(f, found, role_node, i),
                    "marker": "",
                    "absent": absent,
                }
            )
        empty = not any(c["actions"] or c["handoffs"] for c in cells)
        lanes.append(
            {"key": role["ref"], "label": name_of(f, role_node), "cells": cells, "empty": empty}
        )
    shown = [lane for lane in lanes if keep_empty or not lane["empty"]]
    if not shown and lanes and any(c["absent"] for c in lanes[0]["cells"]):
        shown = lanes[:1]  # the seller-absent markers need a lane
    absent_marker = flag_labels(f.t)["seller-absent"]
    for cell in shown[0]["cells"] if shown else []:
        cell["marker"] = absent_marker if cell["absent"] else ""
    for lane in shown:
        for cell in lane["cells"]:
            del cell["absent"]
    return shown


def content_fields(g: nx.MultiDiGraph, ref: str, lang: str, t: Catalog) -> dict[str, str]:
    """How a content item shows in a content cell (make_facts works it out once per item)."""
    node = nid("content", ref)
    data = g.nodes[node]
    status = text(data.get("status"))
    return {
        "title": text(label_of(data, lang)),
        "href": safe_url(data.get("url")) or "",
        "format": text(data.get("format")),
        "status": status,
        "status_label": status_labels(t).get(status, status),
    }


def more_items(t: Catalog, n: int) -> str:
    """The link to the coverage page under a content cell that lists n items fewer."""
    msg = t.ngettext("+%(n)s more in the coverage report", "+%(n)s more in the coverage report", n)
    return msg % {"n": n}


def content_item(f: Facts, ref: str, pipeline: bool) -> dict[str, Any]:
    fields = f.content[ref]
    return {**fields, "title": soft_breaks(fields["title"]), "pipeline": pipeline}


def content_cells(f: Facts, cols: list[Node | None]) -> list[dict[str, Any]]:
    """Content per step: the published items covering it, then draft/planned pipeline items."""
    cells, gap_marker = [], flag_labels(f.t)["content-gap"]
    for step in cols:
        if step is None:
            cells.append({"classes": "skipped", "entries": [], "more": "", "marker": ""})
            continue
        gap = f.coverage[step[0]].count == 0
        shown, rest = listed_content(f.coverage[step[0]], f.content_order, f.content_ids)
        cells.append(
            {
                "classes": "flag-content-gap" if gap else "",
                "entries": [content_item(f, c, pipeline) for c, pipeline in shown],
                "more": more_items(f.t, rest) if rest else "",
                "marker": gap_marker if gap else "",
            }
        )
    return cells


def kpi_cells(f: Facts, cols: list[Node | None]) -> list[dict[str, Any]]:
    cells = []
    for step in cols:
        kpis = [
            {"role": name_of(f, nid("role", a["role"])), "text": soft_breaks(text(a.get("kpi")))}
            for a in (f.actions[step[0]] if step else [])
            if a.get("kpi")
        ]
        cells.append({"classes": "skipped" if step is None else "", "kpis": kpis})
    return cells


def row_is_empty(cells: list[dict[str, Any]], *fields: str) -> bool:
    """True when no cell of a row has anything in these fields (lists or strings)."""
    return not any(cell[name] for cell in cells for name in fields)


LANE_MIN_EM, LANE_MAX_EM = 9.5, 14.0
LANE_PAD_EM = 1.4  # the cell's padding and the side's stripe


def lane_width(labels: list[str]) -> str:
    """Width of the lane-label column in em: its longest word on one line (wide characters
    1em, others 0.62em of the bold label font), within LANE_MIN_EM..LANE_MAX_EM.

    Japanese labels have no spaces, so a whole label counts as one word: a role such as
    インサイドセールス then stays on one line, on screen and in print (the column is in em).
    """
    longest = max(
        (
            sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in word)
            for label in labels
            for word in label.split()
        ),
        default=0.0,
    )
    width = min(LANE_MAX_EM, max(LANE_MIN_EM, longest + LANE_PAD_EM))
    return f"{width:.1f}em"


def segment_name(f: Facts, ref: str | None) -> str:
    return name_of(f, nid("segment", ref)) if ref else ""
