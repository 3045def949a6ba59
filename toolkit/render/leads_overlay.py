"""Lead overlay: the counts of a lead judgment laid over the journey map and funnel diagram.

`overlay(graph, summary)` turns the graph and the summary of toolkit.leads.judge.judge into plain
data (JSON-ready, documented in docs/QUALIFICATION.md, "Overlay"):

    {
      "as_of": "2026-06-29 12:30:00" | null,
      "total": 16,                                  # judged leads
      "segments": ["ma-adopted", "no-ma"],
      "stages": {stage_id: {"count": n, "by_segment": {segment: n}}},       # customer stages
      "steps": {step_node_id: {"journey", "stage", "segment", "count"}},    # journey map cells
      "funnel_stages": {funnel_stage_id: {"lead_class": id | null, "count": n | null,
                                          "reached": n | null}},
      "transitions": [{"from_stage", "to_stage", "from_class", "to_class", "from_reached",
                       "to_reached", "rate": float | null, "handoff": bool,
                       "from_roles": [...], "to_roles": [...]}],   # consecutive funnel stages
      "uncovered": {stage_id: {segment: n}}     # prospects with no content at their stage
    }

A funnel stage's `count` is the number of leads whose lead class is the stage's
`lead_class`; `reached` counts those at that class or deeper. The conversion of a step from
funnel stage A to B is reached(B's class) / reached(A's class); null when either stage has no
lead class the rules judge. `handoff` is true where the owners change (a handoff edge).

`stage_badges`, `step_badges` and `transition_labels` give short display strings for the
HTML and diagram renderers; `leads_context` the plain data that the template
toolkit/render/templates/leads.html.j2 shows; `render_leads_overlay` the build's files
(`data/leads-overlay.json`, `leads.html`).
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import networkx as nx

from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import RenderOptions, label_of, ordered
from toolkit.render.environment import make_environment, render_page

NO_SEGMENT = "(none)"


def overlay(graph: nx.MultiDiGraph, summary: dict[str, Any]) -> dict[str, Any]:
    """Per-stage volumes and per-transition conversion, as plain data."""
    stages = {
        s["id"]: {"count": s["count"], "by_segment": dict(s["by_segment"])}
        for s in summary["stages"]
    }
    classes = {c["id"]: c for c in summary["lead_classes"]}
    funnel: dict[str, dict[str, Any]] = {}
    fs_nodes = ordered(graph, "funnel_stage")
    for _, data in fs_nodes:
        lc = data.get("lead_class")
        known = classes.get(lc) if lc else None
        funnel[data["ref"]] = {
            "lead_class": lc,
            "count": known["count"] if known else None,
            "reached": known["reached"] if known else None,
        }
    handoffs = {
        (d["from_stage"], d["to_stage"])
        for _, _, d in graph.edges(data=True)
        if d["type"] == "handoff"
    }
    transitions = []
    for (_, a), (_, b) in pairwise(fs_nodes):
        fa, fb = funnel[a["ref"]], funnel[b["ref"]]
        rate = None
        if fa["reached"] and fb["reached"] is not None and fa["lead_class"] != fb["lead_class"]:
            rate = round(fb["reached"] / fa["reached"], 4)
        transitions.append(
            {
                "from_stage": a["ref"],
                "to_stage": b["ref"],
                "from_class": fa["lead_class"],
                "to_class": fb["lead_class"],
                "from_reached": fa["reached"],
                "to_reached": fb["reached"],
                "rate": rate,
                "handoff": (a["ref"], b["ref"]) in handoffs,
                "from_roles": list(a["owners"]),
                "to_roles": list(b["owners"]),
            }
        )
    steps = {}
    for node, data in nodes_of(graph, "step"):
        segment = graph.nodes[nid("journey", data["journey"])].get("segment") or NO_SEGMENT
        by_seg = stages.get(data["stage"], {}).get("by_segment", {})
        steps[node] = {
            "journey": data["journey"],
            "stage": data["stage"],
            "segment": segment,
            "count": int(by_seg.get(segment, 0)),
        }
    uncovered: dict[str, dict[str, int]] = {}
    for gap in summary.get("uncovered", []):
        uncovered.setdefault(gap["stage"], {})[gap["segment"]] = gap["leads"]
    return {
        "as_of": summary.get("as_of"),
        "total": summary["input"]["leads"]["judged"],
        "segments": list(summary.get("segments", [])),
        "stages": stages,
        "steps": steps,
        "funnel_stages": funnel,
        "transitions": transitions,
        "uncovered": uncovered,
    }


def lead_count_text(n: int, lang: str) -> str:
    """'12 leads' / '12件'."""
    return _leads(n, translations(lang))


def _leads(n: int, t: Catalog) -> str:
    return t.ngettext("%(n)s lead", "%(n)s leads", n) % {"n": f"{n:,}"}


def stage_badges(data: dict[str, Any], lang: str) -> dict[str, str]:
    """Customer stage id -> '12 leads' (all segments)."""
    t = translations(lang)
    return {sid: _leads(s["count"], t) for sid, s in data["stages"].items()}


def step_badges(data: dict[str, Any], lang: str) -> dict[str, str]:
    """Journey step node id -> '5 leads' (the journey's segment at that stage)."""
    t = translations(lang)
    return {node: _leads(s["count"], t) for node, s in data["steps"].items()}


def transition_labels(data: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(from funnel stage, to funnel stage) -> '7/11 = 63.6%' where a conversion is known."""
    out = {}
    for t in data["transitions"]:
        if t["rate"] is not None:
            out[(t["from_stage"], t["to_stage"])] = (
                f"{t['to_reached']:,}/{t['from_reached']:,} = {t['rate']:.1%}"
            )
    return out


NUMBER = "num-col"
GAP = "num-col gap flag-content-gap"  # flag-content-gap: the shading of style.css


def leads_title(lang: str) -> str:
    """The heading of leads.html (its other words are the template's)."""
    return translations(lang).gettext("Leads on the journey")


def _count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def leads_context(
    graph: nx.MultiDiGraph, data: dict[str, Any], options: RenderOptions
) -> dict[str, Any]:
    """Everything leads.html shows, as plain data: the overlay `data` of `overlay()` with
    labels in the output language, numbers as display text and the cells to mark."""
    # Imported here: toolkit.render.html_context imports this module (step_badges).
    from toolkit.render.html_context import make_facts, page_meta, text

    lang = options.lang

    def labels(kind: str) -> dict[str, str]:
        return {d["ref"]: text(label_of(d, lang)) for _, d in nodes_of(graph, kind)}

    segment, lead_class, funnel = labels("segment"), labels("lead_class"), labels("funnel_stage")
    segs = data["segments"]
    stages = []
    for _, sdata in ordered(graph, "stage"):
        st = data["stages"].get(sdata["ref"], {"count": 0, "by_segment": {}})
        gaps = data["uncovered"].get(sdata["ref"], {})
        stages.append(
            {
                "label": text(label_of(sdata, lang)),
                "total": _count(st["count"]),
                "cells": [
                    {
                        "value": _count(st["by_segment"].get(s, 0)),
                        "classes": GAP if gaps.get(s) else NUMBER,
                    }
                    for s in segs
                ],
            }
        )
    funnel_rows = []
    for _, fdata in ordered(graph, "funnel_stage"):
        fs = data["funnel_stages"].get(fdata["ref"], {})
        lc = fs.get("lead_class")
        funnel_rows.append(
            {
                "label": text(label_of(fdata, lang)),
                "lead_class": lead_class.get(lc, text(lc)) if lc else "",
                "count": _count(fs.get("count")),
                "reached": _count(fs.get("reached")),
            }
        )
    rates = transition_labels(data)
    conversions = [
        {
            "from": funnel.get(t["from_stage"], text(t["from_stage"])),
            "to": funnel.get(t["to_stage"], text(t["to_stage"])),
            "rate": rates[(t["from_stage"], t["to_stage"])],
            "handoff": bool(t["handoff"]),
        }
        for t in data["transitions"]
        if (t["from_stage"], t["to_stage"]) in rates
    ]
    return {
        "page": page_meta(make_facts(graph, options), leads_title(lang), 0, "leads"),
        "as_of": text(data["as_of"] or "-"),
        "total": _leads(data["total"], translations(lang)),
        "segments": [segment.get(s, text(s)) for s in segs],
        "stages": stages,
        "funnel": funnel_rows,
        "conversions": conversions,
    }


def render_leads_overlay(
    graph: nx.MultiDiGraph, summary: dict[str, Any], options: RenderOptions
) -> dict[str, bytes]:
    """The build's overlay files: the data as JSON and a self-contained page (leads.html.j2)."""
    data = overlay(graph, summary)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    context = leads_context(graph, data, options)
    page = render_page(make_environment(), "leads.html.j2", options.lang, context)
    return {
        "data/leads-overlay.json": (text + "\n").encode("utf-8"),
        "leads.html": page.encode("utf-8"),
    }
