"""HTML renderer of `journey build`: an overview, a comparison and one journey map per journey.

Pages are self-contained (inlined CSS, inline SVG, no script, no external resources) and
printable (A3 landscape). The context builders here and in toolkit.render.html_context
compute everything; the Jinja templates in toolkit/render/templates only display it.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

import networkx as nx
from jinja2 import Environment

from toolkit.common.i18n import Catalog
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import RenderOptions, label_of, pick
from toolkit.render.environment import make_environment, render_page
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
    make_facts,
    name_of,
    page_meta,
    pct,
    role_lanes,
    segment_name,
    slug_path,
    stage_headers,
    step_columns,
    story_text,
    text,
    texts,
    transition_arrows,
)


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
        pages["index.html"] = ("index.html.j2", index_context(f))
        pages["compare.html"] = ("compare.html.j2", compare_context(f))
    for ref in journey_refs(graph):
        if journeys is None or ref in journeys:
            pages[journey_page(ref)] = ("journey.html.j2", journey_context(f, ref))
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
        p = f.g.nodes[nid("persona", data["persona"])]
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
            "persona",
            _("Persona"),
            text(p.get("name")),
            title,
            facts,
            sections,
            text(p.get("quote")),
        )
    seg = nid("segment", data["segment"])
    facts = [(text(k), text(v)) for k, v in (f.g.nodes[seg].get("criteria") or {}).items()]
    sections = [(_("Description"), texts([f.g.nodes[seg].get("description")]))]
    return card("segment", _("Segment"), name_of(f, seg), _("Whole segment"), facts, sections, "")


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


def journey_context(f: Facts, ref: str) -> dict[str, Any]:
    """Everything the journey map template shows for one journey."""
    data = f.g.nodes[nid("journey", ref)]
    cols = step_columns(f, ref)
    title = text(label_of(data, f.lang))
    transitions = transition_arrows(f, ref)
    keys = ["seller-absent", "content-gap", "skipped", "pipeline", "emotion"]
    return {
        "page": page_meta(f, title, 1, "journey"),
        "journey": {
            "ref": ref,
            "title": title,
            "segment": segment_name(f, data.get("segment")),
            "steps": sum(1 for c in cols if c),
        },
        "card": profile_card(f, ref),
        "columns": stage_headers(f, cols),
        "buyer_lanes": buyer_lanes(f, cols),
        "emotion": emotion_curve(f, cols),
        "transitions": transitions,
        "funnel_row": funnel_cells(f, cols),
        "role_lanes": role_lanes(f, cols),
        "content_row": content_cells(f, cols),
        "kpi_row": kpi_cells(f, cols),
        "legend": legend(f, keys + (["transition"] if transitions["arrows"] else [])),
        "downloads": journey_downloads(f, ref),
    }


# --- index.html -----------------------------------------------------------------------------


def stage_table(f: Facts) -> dict[str, Any]:
    """The stage model: stages as columns; problem, story, axes and serving funnel as rows."""
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
    rows.append(
        row(_("Funnel stages serving it"), "funnel", [serving_funnel(f, n) for n, _ in f.stages])
    )
    columns = [
        {"number": f"{i + 1:02d}", "label": name_of(f, node)}
        for i, (node, _) in enumerate(f.stages)
    ]
    return {"columns": columns, "rows": rows}


def row(label: str, kind: str, cells: list[list[str]]) -> dict[str, Any]:
    return {"label": label, "kind": kind, "cells": [[c for c in cell if c] for cell in cells]}


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


def data_downloads(f: Facts) -> list[dict[str, str]]:
    _ = f.t.gettext
    links = [
        ("json", _("Journey graph (JSON)"), "data/graph.json"),
        ("csv", _("Journey steps (CSV)"), "data/journeys.csv"),
        ("report", _("Report (PDF)"), "report.pdf"),
        ("pptx", _("Slide deck (PPTX)"), "deck.pptx"),
    ]
    return [{"label": label, "href": href} for fmt, label, href in links if fmt in f.formats]


def index_context(f: Facts) -> dict[str, Any]:
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
        "coverage": ratio(
            sum(r["coverage"]["covered"] for r in rows), sum(r["coverage"]["total"] for r in rows)
        ),
        "attention": attention(f),
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
    }
