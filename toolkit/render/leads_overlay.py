"""Lead overlay page: the counts of a lead judgment laid over the journey, as leads.html.

The data is a LeadOverlay (toolkit.render.overlay, which the diagram and journey map
renderers read too); `leads_context` turns it into the plain data that the template
toolkit/render/templates/leads.html.j2 shows; `leads_files` and `render_leads_overlay` give
the build's files (`data/leads-overlay.json`, `leads.html`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import networkx as nx

from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nodes_of
from toolkit.model.qualification import HANDOFF_FIELDS
from toolkit.render.common import RenderOptions, label_of, ordered
from toolkit.render.environment import make_environment, render_page
from toolkit.render.html_context import make_facts, page_meta, text
from toolkit.render.overlay import (
    HandoffCounts,
    HandoffVolume,
    LeadOverlay,
    lead_count_text,
    transition_labels,
)
from toolkit.render.overlay import overlay as overlay
from toolkit.render.overlay import stage_badges as stage_badges
from toolkit.render.overlay import step_badges as step_badges

NUMBER = "num-col"
GAP = "num-col gap flag-content-gap"  # flag-content-gap: the shading of style.css


def leads_title(lang: str) -> str:
    """The heading of leads.html (its other words are the template's)."""
    return translations(lang).gettext("Leads on the journey")


def _count(n: int | None) -> str:
    return "" if n is None else f"{n:,}"


def _share(part: int, whole: int) -> str:
    """part / whole as a CSS percentage, three decimals at most ('0%' when whole is 0)."""
    if not whole:
        return "0%"
    return f"{100 * part / whole:.3f}".rstrip("0").rstrip(".") + "%"


def funnel_bars(graph: nx.MultiDiGraph, data: LeadOverlay, lang: str) -> list[dict[str, Any]]:
    """The lead classes of the funnel in order (lead -> prospect -> ... -> opportunity), each
    with the leads that reached it (a bar as long as its share of the first class's), the
    leads judged at exactly that class, and the conversion from the previous judged class
    (reached here / reached there). A class the rules do not judge has no bar."""
    judged = {c["id"]: c for c in data.lead_classes}
    rows, top, previous = [], 0, None
    for _, d in ordered(graph, "lead_class"):
        found = judged.get(d["ref"])
        if found is not None and not top:
            top = found["reached"]
        conversion = ""
        if found is not None and previous is not None and previous["reached"]:
            rate = found["reached"] / previous["reached"]
            conversion = f"{rate:.1%}"
        rows.append(
            {
                "label": text(label_of(d, lang)),
                "judged": found is not None,
                "reached": _count(found["reached"]) if found else "",
                "count": _count(found["count"]) if found else "",
                "bar": _share(found["reached"], top) if found else "0%",
                "conversion": conversion,
                "conversion_of": f"{_count(found['reached'])}/{_count(previous['reached'])}"
                if conversion and found and previous
                else "",
            }
        )
        previous = found if found is not None else previous
    return rows


def handoff_labels(t: Catalog) -> dict[str, str]:
    """Handoff field -> its name on the page, in HANDOFF_FIELDS order."""
    _ = t.gettext
    labels = {
        "mission": _("Organisation's mission"),
        "interests": _("Interests"),
        "position": _("Contact's position"),
        "need": _("Real problem and felt need"),
        "progress": _("How far consideration has gone"),
        "timing": _("When they will contract or start considering"),
        "budget": _("Budget, and when"),
    }
    return {name: labels[name] for name in HANDOFF_FIELDS}


def handoff_context(
    handoff: HandoffVolume | None, segments: list[str], lang: str
) -> dict[str, Any] | None:
    """The handoff readiness of leads.html: the ready share of prospects, then prospects,
    ready and missing per field, each as a total and per segment (`segments`, in the
    overlay's order). None when the judgment has no handoff part."""
    if handoff is None:
        return None
    t = translations(lang)
    parts: list[HandoffCounts] = [
        handoff["by_segment"].get(s, {"prospects": 0, "ready": 0, "missing_by_field": {}})
        for s in segments
    ]

    def row(label: str, total: int, cells: list[int]) -> dict[str, Any]:
        return {"label": label, "total": _count(total), "cells": [_count(n) for n in cells]}

    ready = t.ngettext(
        "%(ready)s of %(n)s prospect ready for handoff",
        "%(ready)s of %(n)s prospects ready for handoff",
        handoff["prospects"],
    ) % {"ready": f"{handoff['ready']:,}", "n": f"{handoff['prospects']:,}"}
    return {
        "ready": ready,
        "counts": [
            row(t.gettext("prospects"), handoff["prospects"], [p["prospects"] for p in parts]),
            row(t.gettext("ready"), handoff["ready"], [p["ready"] for p in parts]),
        ],
        "missing": [
            row(
                label,
                handoff["missing_by_field"].get(name, 0),
                [p["missing_by_field"].get(name, 0) for p in parts],
            )
            for name, label in handoff_labels(t).items()
        ],
    }


def leads_context(
    graph: nx.MultiDiGraph, data: LeadOverlay, options: RenderOptions
) -> dict[str, Any]:
    """Everything leads.html shows, as plain data: the overlay `data` with labels in the
    output language, numbers as display text and the cells to mark."""
    lang = options.lang

    def labels(kind: str) -> dict[str, str]:
        return {d["ref"]: text(label_of(d, lang)) for _, d in nodes_of(graph, kind)}

    segment, lead_class, funnel = labels("segment"), labels("lead_class"), labels("funnel_stage")
    segs = data.segments
    stages = []
    for _, sdata in ordered(graph, "stage"):
        st = data.stages.get(sdata["ref"], {"count": 0, "by_segment": {}})
        gaps = data.uncovered.get(sdata["ref"], {})
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
        fs = data.funnel_stages.get(fdata["ref"], {})
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
        for t in data.transitions
        if (t["from_stage"], t["to_stage"]) in rates
    ]
    return {
        "page": page_meta(
            make_facts(graph, replace(options, overlay=data)), leads_title(lang), 0, "leads"
        ),
        "as_of": text(data.as_of or "-"),
        "total": lead_count_text(data.total, lang),
        "segments": [segment.get(s, text(s)) for s in segs],
        "stages": stages,
        "funnel": funnel_rows,
        "conversions": conversions,
        "classes": funnel_bars(graph, data, lang),
        "handoff": handoff_context(data.handoff, segs, lang),
    }


def render_leads_overlay(
    graph: nx.MultiDiGraph, summary: dict[str, Any], options: RenderOptions
) -> dict[str, bytes]:
    """The build's overlay files of a judgment's summary (see leads_files)."""
    return leads_files(graph, overlay(graph, summary), options)


def leads_files(
    graph: nx.MultiDiGraph, data: LeadOverlay, options: RenderOptions
) -> dict[str, bytes]:
    """The build's overlay files: the data as JSON and a self-contained page (leads.html.j2)."""
    text = json.dumps(data.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
    context = leads_context(graph, data, options)
    page = render_page(make_environment(), "leads.html.j2", options.lang, context)
    return {
        "data/leads-overlay.json": (text + "\n").encode("utf-8"),
        "leads.html": page.encode("utf-8"),
    }
