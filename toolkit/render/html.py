"""HTML renderer of `journey build`: an overview, a comparison and one journey map per journey.

Pages are self-contained (inlined CSS, inline SVG, no script, no external resources) and
printable (journey maps on A3 or A4 landscape: `RenderOptions.paper`). The context builders
here and in toolkit.render.html_context compute everything; the Jinja templates in
toolkit/render/templates only display it.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

import networkx as nx
from jinja2 import Environment

from toolkit.analyses.warnings import orphan_items, unserved_stages
from toolkit.common.i18n import Catalog
from toolkit.common.languages import ui_language
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import RenderOptions, label_of, pick
from toolkit.render.environment import make_environment, render_page
from toolkit.render.future_compare import pair_sections, state_badge
from toolkit.render.html_context import (
    Facts,
    Node,
    buyer_lanes,
    content_cells,
    emotion_class,
    emotion_curve,
    emotion_text,
    flag_badges,
    funnel_cells,
    journey_page,
    journey_refs,
    kpi_cells,
    lane_width,
    make_facts,
    name_of,
    page_meta,
    pain_items,
    pct,
    role_lanes,
    row_is_empty,
    segment_name,
    slug_path,
    stage_headers,
    step_columns,
    story_text,
    text,
    texts,
    transition_arrows,
)
from toolkit.render.notices import badge, project_notes, warning_labels


def render_html(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    journeys: Collection[str] | None = None,
    env: Environment | None = None,
    overview: bool = True,
) -> dict[str, bytes]:
    """index.html, compare.html and journeys/<ref>.html, as UTF-8 bytes.

    `journey serve` asks for a part: the pages of some journeys only (`journeys`), with or
    without the two overview pages (`overview`), with a Jinja environment it keeps.
    """
    env = env or make_environment()
    f = make_facts(graph, options)
    pages = {}
    if overview:
        pages["index.html"] = ("index.html.j2", index_context(f, options))
        pages["compare.html"] = ("compare.html.j2", compare_context(f))
    for ref in journey_refs(graph):
        if journeys is None or ref in journeys:
            pages[journey_page(ref)] = ("journey.html.j2", journey_context(f, ref, options))
    return {
        path: render_page(env, template, options.lang, context).encode("utf-8")
        for path, (template, context) in pages.items()
    }


def journey_title(f: Facts, ref: str) -> str:
    return text(pick(f.g.nodes[nid("journey", ref)].get("title"), f.lang, ref))


def persona_name(f: Facts, ref: str) -> str:
    persona = f.g.nodes[nid("journey", ref)].get("persona")
    if persona:
        return text(f.g.nodes[nid("persona", persona)]["name"])
    return f.t.gettext("Whole segment")


# --- journeys/<ref>.html ----------------------------------------------------------------------


def profile_card(f: Facts, journey: str) -> dict[str, Any]:
    """The persona card of the journey, or the segment card of a whole-segment journey."""
    _ = f.t.gettext
    data = f.g.nodes[nid("journey", journey)]
    if data.get("persona"):
        return persona_card(f, f.g.nodes[nid("persona", data["persona"])])
    seg = nid("segment", data["segment"])
    facts = [(text(k), text(v)) for k, v in (f.g.nodes[seg].get("criteria") or {}).items()]
    sections = [(_("Description"), texts([f.g.nodes[seg].get("description")]))]
    return card("segment", _("Segment"), name_of(f, seg), _("Whole segment"), facts, sections, "")


def persona_card(f: Facts, p: dict[str, Any]) -> dict[str, Any]:
    """One persona's card (p: the persona node's data)."""
    _ = f.t.gettext
    role = p.get("buying_role")
    facts = [
        (_("Segment"), segment_name(f, p.get("segment"))),
        (_("Buying role"), buying_roles(f.t).get(role, text(role)) if role else ""),
    ]
    sections = [
        (_("Goals"), texts(p.get("goals"))),
        (f.t.pgettext("persona", "Pains"), texts(p.get("pains"))),
        (_("Information sources"), texts(p.get("info_sources"))),
    ]
    title = text(pick(p.get("title"), f.lang))
    return card(
        "persona", _("Persona"), text(p.get("name")), title, facts, sections, text(p.get("quote"))
    )


def card(
    kind: str,
    kind_label: str,
    name: str,
    subtitle: str,
    facts: list[tuple[str, str]],
    sections: list[tuple[str, list[str]]],
    quote: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "kind_label": kind_label,
        "name": name,
        "subtitle": subtitle,
        "facts": [{"label": k, "value": v} for k, v in facts if v],
        "sections": [{"title": t, "entries": items} for t, items in sections if items],
        "quote": quote,
    }


@functools.cache
def buying_roles(t: Catalog) -> dict[str, str]:
    """Buying role -> its name on the persona card."""
    _ = t.gettext
    return {
        "decision-maker": _("Decision-maker"),
        "proposer": _("Proposer"),
        "influencer": _("Influencer"),
        "user": _("User"),
        "gatekeeper": _("Gatekeeper"),
    }


@functools.cache
def legend_texts(t: Catalog) -> dict[str, str]:
    """Legend key -> what the marker means."""
    _ = t.gettext
    return {
        "seller-absent": _("The seller has no action at this step: the buyer is on their own."),
        "content-gap": _(
            "No published content serves this step; draft and planned items are listed."
        ),
        "skipped": _("This journey does not pass this stage."),
        "pipeline": _("Draft or planned content, not live yet."),
        "emotion": _("Emotion from −2 (negative) to +2 (positive)."),
        "transition": _("Loops and skips beyond the stage order."),
        "handoff": _("A role hands the lead on to another (the handoffs of the funnel diagram)."),
    }


@functools.cache
def problem_states(t: Catalog) -> dict[str, str]:
    """Problem state of a customer stage -> its name."""
    _ = t.gettext
    return {
        "none": _("None"),
        "latent": _("Latent"),
        "explicit": _("Explicit"),
        "solving": _("Solving"),
        "solved": _("Solved"),
    }


def legend(f: Facts, keys: list[str]) -> list[dict[str, str]]:
    texts_of = legend_texts(f.t)
    return [{"key": k, "text": texts_of[k]} for k in keys]


def journey_downloads(f: Facts, ref: str) -> list[dict[str, str]]:
    svg = f.diagrams[ref].removesuffix(".dot") + ".svg"
    _ = f.t.gettext
    links = [
        ("svg", _("Diagram (SVG)"), svg),
        ("mermaid", _("Diagram (Mermaid)"), slug_path("mermaid", ref, suffix=".mmd")),
    ]
    return [
        {"label": label, "href": "../" + href} for fmt, label, href in links if fmt in f.formats
    ]


PAPER_SIZES = {"a3": "A3 landscape", "a4": "A4 landscape"}


def text_language(f: Facts) -> str:
    """The language of the project's free text (thinking, actions...) when it is not the
    page's: its `lang`, so that browsers break lines and read it as that language; '' else."""
    project = text(f.g.graph.get("language"))
    base = project.replace("_", "-").split("-")[0].lower()
    return project if base and base != f.lang.replace("_", "-").split("-")[0].lower() else ""


def journey_context(f: Facts, ref: str, options: RenderOptions | None = None) -> dict[str, Any]:
    """Everything the journey map template shows for one journey.

    Rows that are empty in every stage are left out unless `options.show_empty_rows`;
    `options.paper` chooses the printed page (A3 or A4 landscape)."""
    options = options or RenderOptions(f.lang)
    keep = options.show_empty_rows
    data = f.g.nodes[nid("journey", ref)]
    cols = step_columns(f, ref)
    title = text(label_of(data, f.lang))
    transitions = transition_arrows(f, ref)
    buyer = [lane for lane in buyer_lanes(f, cols) if keep or not lane["empty"]]
    roles = role_lanes(f, cols, keep)
    funnel = funnel_cells(f, cols)
    content = content_cells(f, cols)
    kpis = kpi_cells(f, cols)
    rows = {
        "funnel_row": funnel if keep or not row_is_empty(funnel, "stages") else [],
        "content_row": content
        if keep or not row_is_empty(content, "entries", "marker", "more")
        else [],
        "kpi_row": kpis if keep or not row_is_empty(kpis, "kpis") else [],
    }
    keys = ["seller-absent", "content-gap", "skipped", "pipeline", "emotion"]
    if any(cell["handoffs"] for lane in roles for cell in lane["cells"]):
        keys.append("handoff")
    _ = f.t.gettext
    lane_names = [lane["label"] for lane in [*buyer, *roles]]
    lane_names += [_("Customer stage"), _("Transitions"), _("Funnel stage"), _("Content")]
    return {
        "page": page_meta(f, title, 1, "journey"),
        "journey": {
            "ref": ref,
            "title": title,
            "badge": state_badge(f, ref),
            "segment": segment_name(f, data.get("segment")),
            "steps": sum(1 for c in cols if c),
        },
        "card": profile_card(f, ref),
        "columns": stage_headers(f, cols),
        "buyer_lanes": buyer,
        "emotion": emotion_curve(f, cols),
        "transitions": transitions,
        "role_lanes": roles,
        **rows,
        "seller_side": bool(roles) or any(rows.values()),
        "text_lang": text_language(f),
        "lane_width": lane_width(lane_names + [_("KPIs")]),
        "paper": PAPER_SIZES.get(options.paper, PAPER_SIZES["a3"]),
        "paper_class": "paper-a4" if options.paper == "a4" else "paper-a3",
        "legend": legend(f, keys + (["transition"] if transitions["arrows"] else [])),
        "downloads": journey_downloads(f, ref),
    }


# --- index.html -----------------------------------------------------------------------------


def stage_table(f: Facts) -> dict[str, Any]:
    """The stage model: stages as columns; problem, story, axes and serving funnel as rows.

    A stage no funnel stage serves (`unserved-stage`) is marked in its funnel cell."""
    _, stages, states = f.t.gettext, [d for _, d in f.stages], problem_states(f.t)

    def problem(d: dict[str, Any]) -> list[str]:
        return [states.get(d["problem"], text(d["problem"]))] if d.get("problem") else []

    rows = [
        row(_("Description"), "model", [[text(d.get("description"))] for d in stages]),
        row(_("Problem state"), "model", [problem(d) for d in stages]),
        row(
            _("Resolution story"),
            "model",
            [[story_text(f, s) for s in d.get("story") or []] for d in stages],
        ),
    ]
    for axis in f.g.graph.get("axes") or []:
        values = axis.get("values") or {}
        cells = [[text(pick(values.get(d["ref"]), f.lang))] for d in stages]
        rows.append(row(text(pick(axis.get("label"), f.lang, axis["id"])), "axis", cells))
    unserved = {d["ref"] for d in unserved_stages(f.g)}
    flags = [[badge(f.t, "unserved-stage")] if d["ref"] in unserved else [] for d in stages]
    rows.append(
        row(
            _("Funnel stages serving it"),
            "funnel",
            [serving_funnel(f, n) for n, _ in f.stages],
            flags,
        )
    )
    columns = [
        {"number": f"{i + 1:02d}", "label": name_of(f, node)}
        for i, (node, _) in enumerate(f.stages)
    ]
    return {"columns": columns, "rows": rows}


def row(
    label: str, kind: str, cells: list[list[str]], flags: list[list[dict[str, str]]] | None = None
) -> dict[str, Any]:
    """One row of the stage model; flags: the warning badges of each cell (none by default)."""
    return {
        "label": label,
        "kind": kind,
        "cells": [[c for c in cell if c] for cell in cells],
        "flags": flags if flags is not None else [[] for _ in cells],
    }


def serving_funnel(f: Facts, stage: str) -> list[str]:
    """Labels of the funnel stages serving a customer stage, in funnel order."""
    found = [
        (f.g.nodes[u]["order"], name_of(f, u))
        for u, _, d in f.g.in_edges(stage, data=True)
        if d["type"] == "serves"
    ]
    return [label for _, label in sorted(found)]


def ratio(covered: int, total: int) -> dict[str, Any]:
    share = covered / total if total else 0.0
    return {"covered": covered, "total": total, "percent": round(share * 100), "bar": pct(share)}


def journey_rows(f: Facts) -> list[dict[str, Any]]:
    rows = []
    for ref in journey_refs(f.g):
        steps = f.steps[ref]
        covered = sum(1 for node, _ in steps if f.coverage[node].count > 0)
        rows.append(
            {
                "title": journey_title(f, ref),
                "badge": state_badge(f, ref),
                "current": not state_badge(f, ref),
                "href": journey_page(ref),
                "persona": persona_name(f, ref),
                "segment": segment_name(f, f.g.nodes[nid("journey", ref)].get("segment")),
                "steps": len(steps),
                "coverage": ratio(covered, len(steps)),
            }
        )
    return rows


def attention(f: Facts) -> list[dict[str, Any]]:
    """Flagged steps (seller-absent, content-gap) in journey and stage order."""
    return [
        {
            "journey": journey_title(f, ref),
            "href": journey_page(ref),
            "stage": name_of(f, nid("stage", data["stage"])),
            "flags": flag_badges(f, node),
        }
        for ref in journey_refs(f.g)
        for node, data in f.steps[ref]
        if f.flags[node]
    ]


SEVERE_LEVELS = ("abandon", "workaround")  # the overview lists these, in this order


def severe_pains(f: Facts) -> list[dict[str, Any]]:
    """The overview's severe pains: a group per level of SEVERE_LEVELS (pains that make
    buyers give up, then those that need a workaround), each pain with its journey (linked
    to its page) and stage, in journey, stage and source order. No group at all when no
    pain of the project has a severity; a level without pains is a group with no items."""
    found: dict[str, list[dict[str, str]]] = {level: [] for level in SEVERE_LEVELS}
    any_severity = False
    for ref in journey_refs(f.g):
        for _node, data in f.steps[ref]:
            if not data.get("pain_severity"):
                continue
            any_severity = True
            for words, severity in pain_items(data):
                if severity in found:
                    found[severity].append(
                        {
                            "journey": journey_title(f, ref),
                            "href": journey_page(ref),
                            "stage": name_of(f, nid("stage", data["stage"])),
                            "text": words,
                        }
                    )
    if not any_severity:
        return []
    _ = f.t.gettext
    titles = {
        "abandon": _("Pains that make buyers give up"),
        "workaround": _("Pains that need a workaround"),
    }
    empty = {
        "abandon": _("No pain makes buyers give up."),
        "workaround": _("No pain needs a workaround."),
    }
    return [
        {
            "key": level,
            "title": titles[level],
            "heading": "h2" if i == 0 else "h3",  # the first group's title heads the section
            "items": found[level],
            "empty": empty[level],
        }
        for i, level in enumerate(SEVERE_LEVELS)
    ]


def data_downloads(f: Facts) -> list[dict[str, str]]:
    _ = f.t.gettext
    links = [
        ("json", _("Journey graph (JSON)"), "data/graph.json"),
        ("csv", _("Journey steps (CSV)"), "data/journeys.csv"),
        ("report", _("Report (PDF)"), "report.pdf"),
        ("pptx", _("Slide deck (PPTX)"), "deck.pptx"),
    ]
    return [{"label": label, "href": href} for fmt, label, href in links if fmt in f.formats]


def page_links(f: Facts) -> list[dict[str, str]]:
    """The other overview pages, linked from the index (the leads page when it is built)."""
    _ = f.t.gettext
    links = [
        (_("Compare journeys"), "compare.html"),
        (_("Content coverage"), "coverage.html"),
        (_("Content inventory"), "coverage-inventory.html"),
        (_("Marketing plan"), "plan.html"),
    ]
    if f.leads:
        links.append((_("Leads on the journey"), "leads.html"))
    return [{"label": label, "href": href} for label, href in links]


def project_attention(f: Facts, options: RenderOptions) -> list[dict[str, Any]]:
    """The overview's project-level warnings: the project language without the toolkit's
    words (`unknown-language`), files without a document (`empty-file`), handoff fields no
    column fills (`handoff-blind`, by the field's key), and how many content items, stages
    and buying roles the coverage page lists (`unserved-stage`, `orphan-content`,
    `unpersonified-role`), linked to them."""
    labels = warning_labels(f.t)
    notes: list[dict[str, Any]] = []
    language = text(f.g.graph.get("language"))
    if language and ui_language(language) is None:
        notes.append(
            {
                "code": "unknown-language",
                "label": labels["unknown-language"],
                "subject": language,
                "href": None,
            }
        )
    for note in project_notes(f.t, options.warnings, options.shown_as, ["empty-file"]):
        notes.append(
            {"code": note["code"], "label": note["label"], "subject": note["where"], "href": None}
        )
    for note in project_notes(f.t, options.warnings, options.shown_as, ["handoff-blind"]):
        notes.append(
            {"code": note["code"], "label": note["label"], "subject": note["subject"], "href": None}
        )
    t = f.t
    roles = project_notes(t, options.warnings, options.shown_as, ["unpersonified-role"])
    counts = [
        ("unserved-stage", len(unserved_stages(f.g))),
        ("orphan-content", len(orphan_items(f.g))),
        ("unpersonified-role", len(roles)),
    ]
    for code, n in counts:
        if n:
            subject = counted(t, code, n)
            href = f"coverage.html#warning-{code}"
            notes.append({"code": code, "label": labels[code], "subject": subject, "href": href})
    return notes


def counted(t: Catalog, code: str, n: int) -> str:
    """How many things a warning of the coverage page is about: '2 content items'."""
    if code == "unserved-stage":
        words = t.ngettext("%(n)s customer stage", "%(n)s customer stages", n)
    elif code == "orphan-content":
        words = t.ngettext("%(n)s content item", "%(n)s content items", n)
    else:
        words = t.ngettext("%(n)s buying role", "%(n)s buying roles", n)
    return words % {"n": n}


def index_context(f: Facts, options: RenderOptions | None = None) -> dict[str, Any]:
    """Everything index.html shows (options: the build's, for its project-level warnings)."""
    options = options or RenderOptions(f.lang)
    rows = journey_rows(f)
    page = page_meta(f, "", 0, "index")
    return {
        "page": page,
        "project": {
            "title": page["project"],
            "client": page["client"],
            "language": text(f.g.graph.get("language")),
        },
        "stage_table": stage_table(f),
        "journeys": rows,
        # current-state journeys only, as `journey coverage` counts by default
        "coverage": ratio(
            sum(r["coverage"]["covered"] for r in rows if r["current"]),
            sum(r["coverage"]["total"] for r in rows if r["current"]),
        ),
        "coverage_scope": f.t.gettext("All journeys")
        if all(r["current"] for r in rows)
        else f.t.gettext("Current-state journeys"),
        "attention": attention(f),
        "project_attention": project_attention(f, options),
        "severe_pains": severe_pains(f),
        "text_lang": text_language(f),
        "pages": page_links(f),
        "downloads": data_downloads(f),
    }


# --- compare.html ---------------------------------------------------------------------------


def grouped_journeys(f: Facts) -> list[tuple[str | None, list[str]]]:
    """Journeys grouped by segment: segments in source order, then journeys without one."""
    by_segment: dict[str | None, list[str]] = {}
    for ref in journey_refs(f.g):
        by_segment.setdefault(f.g.nodes[nid("journey", ref)].get("segment"), []).append(ref)
    order: list[str | None] = [d["ref"] for _, d in nodes_of(f.g, "segment")]
    order += [s for s in by_segment if s not in order]
    return [(s, by_segment[s]) for s in order if s in by_segment]


def compare_cell(f: Facts, step: Node | None, group_start: bool = False) -> dict[str, Any]:
    """One journey at one stage: emotion, feeling, doing and the seller's actions."""
    start = ["group-start"] if group_start else []
    if step is None:
        return {
            "skipped": True,
            "classes": " ".join(["skipped", *start]),
            "emotion": None,
            "feeling": "",
            "doing": [],
            "actions": [],
            "flags": [],
        }
    node, data = step
    e = data.get("emotion")
    badges = flag_badges(f, node)
    return {
        "skipped": False,
        "classes": " ".join([*start, *(f"flag-{b['code']}" for b in badges)]),
        "emotion": None if e is None else {"text": emotion_text(e), "classes": emotion_class(e)},
        "feeling": text(data.get("feeling")),
        "doing": texts(data.get("doing")),
        "actions": [
            {"role": name_of(f, nid("role", a["role"])), "text": text(a.get("action"))}
            for a in f.actions[node]
        ],
        "flags": badges,
    }


CHART_COL = 120  # px per customer stage
CHART_GUTTER = 40  # px left of the first stage: the emotion scale
CHART_UNIT = 30  # px per emotion point
CHART_PAD = 14  # px above +2 and below -2
MARKER = 5.0  # marker radius, px
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")
DASHES = 5  # line patterns .dash-0 .. .dash-4 in style.css
SERIES_COLOURS = 8  # colours .series-0 .. .series-7 in style.css


def chart_y(emotion: int, unit: int = CHART_UNIT) -> int:
    """Vertical position of an emotion -2..2 in the comparison chart (+2 at the top)."""
    return CHART_PAD + (2 - emotion) * unit


def num(value: float) -> str:
    """A coordinate with at most one decimal: 12.0 -> '12', 12.25 -> '12.2'."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def marker_path(shape: str, x: float, y: float, r: float = MARKER) -> str:
    """The SVG path of a marker of that shape centred on (x, y)."""
    if shape == "circle":
        arc = f"a{num(r)},{num(r)} 0 1,0"
        return f"M{num(x - r)},{num(y)}{arc} {num(2 * r)},0{arc} {num(-2 * r)},0z"
    q, d, h = r * 0.9, r * 1.3, r * 1.15
    corners = {
        "square": [(-q, -q), (q, -q), (q, q), (-q, q)],
        "diamond": [(0, -d), (d, 0), (0, d), (-d, 0)],
        "triangle": [(0, -r * 1.2), (h, r * 0.9), (-h, r * 0.9)],
        "triangle-down": [(0, r * 1.2), (h, -r * 0.9), (-h, -r * 0.9)],
    }[shape]
    return "M" + "L".join(f"{num(x + dx)},{num(y + dy)}" for dx, dy in corners) + "z"


def emotion_chart(
    f: Facts,
    groups: list[tuple[str | None, list[str]]],
    shown: Collection[str] | None = None,
    col: int = CHART_COL,
    unit: int = CHART_UNIT,
) -> dict[str, Any]:
    """Every journey's emotion curve over the shared customer stages, in one chart.

    One series per journey: its colour and dash pattern tell its segment (the n-th segment
    of the comparison), its marker shape the journey within the segment; markers of the
    journeys of a stage sit side by side so that equal emotions do not hide each other.
    `table` holds the same values as text (for screen readers).

    shown: only these journeys (the report's charts of a part of the comparison), each in
    the colour, pattern and marker it has in the whole chart; col: px per stage, unit: px per
    emotion point (the report fits the chart to its page).
    """
    _ = f.t.gettext
    n = len(f.stages)
    refs = [ref for _, members in groups for ref in members if shown is None or ref in shown]
    spread = min(8.0, 70.0 * col / CHART_COL / max(1, len(refs)))
    series, legend = [], []
    k = 0
    for g_index, (segment, members) in enumerate(groups):
        entries = []
        for j, ref in enumerate(members):
            if shown is not None and ref not in shown:
                continue
            shape, offset = SHAPES[j % len(SHAPES)], (k - (len(refs) - 1) / 2) * spread
            title = journey_title(f, ref)
            points = []
            for i, step in enumerate(step_columns(f, ref)):
                if step is None or step[1].get("emotion") is None:
                    continue
                e = int(step[1]["emotion"])
                x, y = CHART_GUTTER + (i + 0.5) * col + offset, chart_y(e, unit)
                stage = name_of(f, f.stages[i][0])
                points.append(
                    {
                        "x": num(x),
                        "y": num(y),
                        "d": marker_path(shape, x, y),
                        "title": f"{title} · {stage}: {emotion_text(e)}",
                    }
                )
            classes = f"series-{g_index % SERIES_COLOURS} dash-{g_index % DASHES}"
            series.append(
                {
                    "classes": classes,
                    "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
                    "points": points,
                }
            )
            entries.append(
                {
                    "title": title,
                    "badge": state_badge(f, ref),
                    "href": journey_page(ref),
                    "classes": classes,
                    "marker": marker_path(shape, 18, 8),
                }
            )
            k += 1
        if entries:
            label = segment_name(f, segment) or _("No segment")
            legend.append({"label": label, "journeys": entries})
    stages = [name_of(f, node) for node, _ in f.stages]
    return {
        "width": CHART_GUTTER + n * col,
        "height": chart_y(-2, unit) + CHART_PAD,
        "col": col,
        "gutter": CHART_GUTTER,
        "guides": [
            {"y": chart_y(v, unit), "text_y": chart_y(v, unit) + 4, "text": emotion_text(v)}
            for v in (2, 1, 0, -1, -2)
        ],
        "dividers": [CHART_GUTTER + i * col for i in range(1, n)],
        "stages": [{"number": f"{i + 1:02d}", "label": s} for i, s in enumerate(stages)],
        "series": series,
        "legend": legend,
        "table": {
            "stages": stages,
            "rows": [
                {
                    "title": journey_title(f, ref),
                    "values": [
                        _("Skipped")
                        if step is None
                        else emotion_text(int(step[1]["emotion"]))
                        if step[1].get("emotion") is not None
                        else "–"
                        for step in step_columns(f, ref)
                    ],
                }
                for ref in refs
            ],
        },
    }


def compare_context(f: Facts) -> dict[str, Any]:
    groups = grouped_journeys(f)
    refs = [ref for _, members in groups for ref in members]
    starts = {members[0] for _, members in groups}
    columns = {ref: step_columns(f, ref) for ref in refs}
    return {
        "page": page_meta(f, f.t.gettext("Compare journeys"), 0, "compare"),
        "groups": [
            {"label": segment_name(f, seg) or f.t.gettext("No segment"), "span": len(members)}
            for seg, members in groups
        ],
        "journeys": [
            {
                "classes": "group-start" if ref in starts else "",
                "title": journey_title(f, ref),
                "badge": state_badge(f, ref),
                "href": journey_page(ref),
                "persona": persona_name(f, ref),
            }
            for ref in refs
        ],
        "rows": [
            {
                "label": name_of(f, node),
                "number": f"{i + 1:02d}",
                "cells": [compare_cell(f, columns[ref][i], ref in starts) for ref in refs],
            }
            for i, (node, _) in enumerate(f.stages)
        ],
        "legend": legend(f, ["seller-absent", "content-gap", "skipped", "emotion"]),
        "chart": emotion_chart(f, groups),
        "pairs": pair_sections(f),
    }
