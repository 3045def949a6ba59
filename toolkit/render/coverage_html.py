"""coverage.html: the content coverage heatmap of `journey build`.

Two heatmaps (segments x stages, journeys x stages) whose cells link to the items that
cover them, the gaps with the draft/planned items that would fill them and their owners,
the per-role ownership and the inventory. The page shares style.css with the other pages;
it is self-contained (no script, no external resource). Links are internal anchors built
from slugs, relative journey pages, or item URLs passed through safe_url. The context
builders compute everything; templates/coverage.html only displays it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.analyses import coverage as cov
from toolkit.common.i18n import Catalog, translations
from toolkit.graph.build import nodes_of
from toolkit.render.common import (
    RenderOptions,
    label_of,
    pick,
    safe_url,
    text,
)
from toolkit.render.environment import make_environment, render_page

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")


@functools.cache
def status_labels(t: Catalog) -> dict[str, str]:
    """Content status ("none": no status) -> its name on the coverage page."""
    _ = t.gettext
    return {
        "published": t.pgettext("coverage report", "published"),
        "draft": _("draft"),
        "planned": _("planned"),
        "retired": _("retired"),
        "none": _("no status"),
    }


def anchor(*parts: str) -> str:
    """An element id from slugs joined by '.', which no slug contains (never ambiguous)."""
    for part in parts:
        if not SLUG.fullmatch(part):
            raise ValueError(f"not a slug: {part!r}")
    return ".".join(parts)


def node_label(g: nx.MultiDiGraph, kind: str, ref: str | None, lang: str, fallback: str) -> str:
    if ref is None or f"{kind}:{ref}" not in g:
        return fallback
    return text(label_of(g.nodes[f"{kind}:{ref}"], lang))


@dataclass(frozen=True)
class Page:
    """What the coverage page's builders share, worked out once per page."""

    g: nx.MultiDiGraph
    lang: str
    t: Catalog  # the UI language's catalog
    status: dict[str, str]  # status_labels(t)
    min_items: int
    labels: dict[str, str]  # node -> node_label, for the LABELLED node types
    nodes: dict[str, dict[str, Any]]  # cov.content_nodes(g)
    segment_cells: list[cov.Cell]
    step_cells: list[cov.Cell]

    def label(self, kind: str, ref: str | None, fallback: str) -> str:
        """node_label, read from the labels worked out once."""
        if ref is None:
            return fallback
        found = self.labels.get(f"{kind}:{ref}")
        return node_label(self.g, kind, ref, self.lang, fallback) if found is None else found


LABELLED = ("stage", "role", "segment", "journey")


def make_page(g: nx.MultiDiGraph, lang: str, min_items: int) -> Page:
    return Page(
        g=g,
        lang=lang,
        t=(t := translations(lang)),
        status=status_labels(t),
        min_items=min_items,
        labels={n: text(label_of(d, lang)) for kind in LABELLED for n, d in nodes_of(g, kind)},
        nodes=cov.content_nodes(g),
        segment_cells=cov.segment_cells(g),
        step_cells=cov.step_cells(g),
    )


def heat(count: int) -> str:
    """CSS class of a covered cell: heat-1 (one item) .. heat-4 (four or more)."""
    return f"heat-{min(max(count, 1), 4)}"


def cell_anchor(cell: cov.Cell) -> str:
    if cell.journey is not None:
        return anchor("cell", "j", cell.journey, cell.stage)
    return anchor("cell", "s", cell.segment or "all", cell.stage)


def matrix_cell(cell: cov.Cell | None, min_items: int, t: Catalog) -> dict[str, Any]:
    if cell is None:
        return {
            "state": "skipped",
            "classes": "skipped",
            "text": "",
            "title": t.gettext("no step"),
            "pipeline": 0,
            "href": None,
        }
    gap = cell.is_gap(min_items)
    title = ", ".join(cell.items) or t.gettext("Gaps")
    if cell.pipeline:
        title += f" | {t.gettext('In the pipeline')}: " + ", ".join(cell.pipeline)
    return {
        "state": "gap" if gap else "covered",
        "classes": "gap" if gap else heat(cell.count),
        "text": str(cell.count),
        "title": title,
        "pipeline": len(cell.pipeline),
        "href": "#" + cell_anchor(cell),
    }


def matrices(p: Page) -> list[dict[str, Any]]:
    _ = p.t.gettext
    titles = {"segment": _("Segments × stages"), "journey": _("Journeys × stages")}
    corners = {"segment": _("Segment"), "journey": _("Journey")}
    out = []
    for kind, rows in (
        ("segment", cov.segment_matrix(p.g, p.segment_cells)),
        ("journey", cov.journey_matrix(p.g, p.step_cells)),
    ):
        if not rows:
            continue
        out.append(
            {
                "kind": kind,
                "title": titles[kind],
                "corner": corners[kind],
                "rows": [
                    {
                        "label": p.label(kind, r.key, _("All segments")),
                        "ref": r.key or "",
                        "href": f"journeys/{anchor(r.key)}.html"
                        if kind == "journey" and r.key
                        else None,
                        "cells": [matrix_cell(c, p.min_items, p.t) for c in r.cells],
                    }
                    for r in rows
                ],
            }
        )
    return out


MAX_DETAIL_ITEMS = 40


def item_ref(p: Page, ident: str) -> dict[str, str]:
    """A link to one content item."""
    data = p.nodes[ident]
    status = data.get("status") or "none"
    return {
        "id": ident,
        "title": text(pick(data.get("title"), p.lang, ident)),
        "href": "#" + anchor("item", ident),
        "status": status,
        "status_label": p.status[status],
        "owner": p.label("role", data.get("owner"), ""),
    }


def item_refs(p: Page) -> dict[str, dict[str, str]]:
    """item_ref of every item some cell lists (the same dict wherever the page links it)."""
    shown: set[str] = set()
    for c in [*p.segment_cells, *p.step_cells]:
        shown.update(c.items[:MAX_DETAIL_ITEMS])
        shown.update(c.pipeline)
    return {i: item_ref(p, i) for i in shown}


def cell_title(p: Page, cell: cov.Cell) -> str:
    where = (
        p.label("journey", cell.journey, "")
        if cell.journey
        else p.label("segment", cell.segment, p.t.gettext("All segments"))
    )
    return f"{where} × {p.label('stage', cell.stage, cell.stage)}"


def cell_details(p: Page, refs: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """One entry per cell that has items or pipeline: the target of the heatmap's links.

    A cell lists at most MAX_DETAIL_ITEMS items (the inventory below lists every item).
    """
    return [
        {
            "anchor": cell_anchor(c),
            "title": cell_title(p, c),
            "entries": [refs[i] for i in c.items[:MAX_DETAIL_ITEMS]],
            "pipeline": [refs[i] for i in c.pipeline[: max(0, MAX_DETAIL_ITEMS - len(c.items))]],
            "more": max(0, len(c.items) + len(c.pipeline) - MAX_DETAIL_ITEMS),
        }
        for c in [*p.segment_cells, *p.step_cells]
    ]


def gap_entries(p: Page, refs: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    _ = p.t.gettext
    out = []
    for gap in cov.gaps(p.g, [*p.segment_cells, *p.step_cells], p.min_items):
        c = gap.cell
        owners = dict.fromkeys(p.label("role", i.owner, _("no owner")) for i in gap.pipeline)
        out.append(
            {
                "stage": p.label("stage", c.stage, c.stage),
                "where": cell_title(p, c).rsplit(" × ", 1)[0],
                "view": _("Journey") if c.journey else _("Segment"),
                "count": c.count,
                "href": "#" + cell_anchor(c),
                "pipeline": [refs[i.id] for i in gap.pipeline],
                "owners": list(owners),
            }
        )
    return out


def ownership_table(p: Page) -> list[dict[str, Any]]:
    no_owner = p.t.gettext("no owner")
    return [
        {
            "role": p.label("role", r.role, no_owner),
            "status": p.status[r.status or "none"],
            "status_key": r.status or "none",
            "counts": list(r.counts),
            "total": sum(r.counts),
        }
        for r in cov.ownership_matrix(p.g)
    ]


def inventory(p: Page) -> list[dict[str, Any]]:
    all_segments = p.t.gettext("All segments")
    out = []
    for ident, d in p.nodes.items():
        segments = d.get("segments")
        out.append(
            {
                "anchor": anchor("item", ident),
                "id": ident,
                "title": text(pick(d.get("title"), p.lang, ident)),
                "format": text(d.get("format")),
                "stages": [p.label("stage", s, s) for s in d.get("stages") or []],
                "segments": [p.label("segment", s, s) for s in segments]
                if segments is not None
                else [all_segments],
                "owner": p.label("role", d.get("owner"), ""),
                "status": p.status[d.get("status") or "none"],
                "status_key": d.get("status") or "none",
                "url": safe_url(d.get("url")),
                "updated": text(d.get("updated")),
            }
        )
    return out


def page_meta(g: nx.MultiDiGraph, lang: str, t: Catalog) -> dict[str, Any]:
    coverage = t.gettext("Content coverage")
    project = text(pick(g.graph.get("title"), lang, coverage))
    nav = [(t.gettext("Overview"), "index.html"), (t.gettext("Compare journeys"), "compare.html")]
    return {
        "lang": text(lang) or "en",
        "title": f"{coverage} | {project}",
        "project": project,
        "client": text(g.graph.get("client")),
        "nav": [{"label": label, "href": href, "current": False} for label, href in nav]
        + [{"label": coverage, "href": "coverage.html", "current": True}],
    }


def coverage_context(
    g: nx.MultiDiGraph, options: RenderOptions, min_items: int = 1
) -> dict[str, Any]:
    """Everything coverage.html shows."""
    p = make_page(g, options.lang, min_items)
    covered, total = cov.covered_share(p.step_cells, min_items)
    share = cov.percent(covered, total)
    refs = item_refs(p)
    return {
        "page": page_meta(g, p.lang, p.t),
        "headline": {
            "covered": covered,
            "total": total,
            "percent": round(share),
            "bar": f"{share:.3f}".rstrip("0").rstrip(".") + "%",
        },
        "stages": [
            {"number": f"{i + 1:02d}", "label": p.label("stage", s, s)}
            for i, s in enumerate(cov.stage_ids(g))
        ],
        "matrices": matrices(p),
        "details": cell_details(p, refs),
        "gaps": gap_entries(p, refs),
        "owners": ownership_table(p),
        "inventory": inventory(p),
        "downloads": [{"label": p.t.gettext("Workbook (XLSX)"), "href": "data/coverage.xlsx"}]
        if "xlsx" in options.formats
        else [],
    }


def render_coverage_html(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build`: coverage.html, as UTF-8 bytes."""
    context = coverage_context(graph, options)
    page = render_page(make_environment(), "coverage.html", options.lang, context)
    return {"coverage.html": page.encode("utf-8")}
