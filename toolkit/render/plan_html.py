"""plan.html: the six B2B marketing processes of `journey build` and `journey plan --format html`.

One card per process, in the order of toolkit.analyses.plan.PROCESSES: the funnel stages that
list it, their owner roles and lead classes, how many seller actions, content items and KPIs
serve it, and the `process-gap` badge (toolkit.render.notices) when `journey check` warns
about it. A project whose funnel stages list no process gets one sentence on how to start.

plan_context builds everything; plan.html.j2 only displays it.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from toolkit.analyses import plan as planning
from toolkit.common.i18n import Catalog, translations
from toolkit.render.common import RenderOptions, label_of, pick, text
from toolkit.render.environment import make_environment, render_page
from toolkit.render.html_context import nav_links
from toolkit.render.notices import badge

PAGE = "plan.html"


def _names(g: nx.MultiDiGraph, kind: str, refs: tuple[str, ...], lang: str) -> list[str]:
    return [text(label_of(g.nodes[f"{kind}:{ref}"], lang)) for ref in refs]


def plan_context(
    g: nx.MultiDiGraph, options: RenderOptions, journeys: frozenset[str] | None = None
) -> dict[str, Any]:
    """Everything plan.html shows (journeys: the ids counted; None: every journey)."""
    lang = options.lang
    t = translations(lang)
    _ = t.gettext
    heading = _("Marketing plan")
    project = text(pick(g.graph.get("title"), lang, heading))
    mapped = planning.mapped(g)
    labels = planning.process_labels(t)
    plans = planning.process_plans(g, journeys)

    def names(kind: str, refs: tuple[str, ...]) -> list[str]:
        return _names(g, kind, refs, lang)

    processes = [
        {
            "number": f"{n:02d}",
            "id": p.id,
            "label": labels[p.id],
            "sections": [
                {"title": _("Funnel stages"), "names": names("funnel_stage", p.funnel_stages)},
                {"title": _("Roles"), "names": names("role", p.roles)},
                {"title": _("Lead classes"), "names": names("lead_class", p.lead_classes)},
            ],
            "counts": [
                # missing: a zero that makes the process a gap (content does not)
                {"label": _("Seller actions"), "value": p.actions, "missing": not p.actions},
                {"label": _("Content items"), "value": len(p.content), "missing": False},
                {"label": _("KPIs"), "value": len(p.kpis), "missing": not p.kpis},
            ],
            # the badge of the `process-gap` warning, which `journey check` gives when mapped
            "flags": [badge(t, "process-gap")] if mapped and p.gap else [],
        }
        for n, p in enumerate(plans, start=1)
    ]
    gaps = sum(1 for p in processes if p["flags"])
    return {
        "page": {
            "lang": text(lang) or "en",
            "title": f"{heading} | {project}",
            "project": project,
            "client": text(g.graph.get("client")),
            "nav": nav_links(t, 0, "plan", options.overlay is not None),
        },
        "mapped": mapped,
        "summary": _summary(t, gaps) if mapped else "",
        "processes": processes,
    }


def _summary(t: Catalog, gaps: int) -> str:
    if not gaps:
        return t.gettext("No process has a gap.")
    return t.ngettext(
        "%(n)s of 6 processes has a gap.", "%(n)s of 6 processes have a gap.", gaps
    ) % {"n": gaps}


def plan_page(g: nx.MultiDiGraph, lang: str, options: RenderOptions | None = None) -> bytes:
    """plan.html as UTF-8 bytes."""
    options = options or RenderOptions(lang)
    return render_page(make_environment(), "plan.html.j2", lang, plan_context(g, options)).encode(
        "utf-8"
    )


def render_plan_html(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build`: plan.html."""
    return {PAGE: plan_page(graph, options.lang, options)}
