"""coverage.html and coverage-inventory.html: the content coverage pages of `journey build`.

coverage.html: the warnings about content, stages and roles (toolkit.render.notices), two
heatmaps (segments x stages, journeys x stages) whose cells link to the items that cover
them, the gaps with the draft/planned items that would fill them and their owners, the
per-role ownership and the items per cell. coverage-inventory.html: every content item, one
row each (its own page, so that coverage.html stays small on large projects: the inventory
grows with the items, coverage.html with the cells). A journey step's cell lists the items of
its segment x stage cell by a link to that cell, and its own items (those its actions name)
in full.

The pages share style.css with the other pages; they are self-contained (no script, no
external resource). Links are internal anchors built from slugs, relative journey pages, or
item URLs passed through safe_url. The context builders compute everything; the templates
coverage.html and coverage-inventory.html only display it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import networkx as nx

from toolkit.analyses import coverage as cov
from toolkit.analyses.warnings import orphan_items, unserved_stages
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
from toolkit.render.html import buying_roles
from toolkit.render.html_context import nav_links
from toolkit.render.notices import badge, project_notes, warning_labels

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
PAGE = "coverage.html"
CELLS = "coverage-cells.html"
INVENTORY = "coverage-inventory.html"


@functools.cache
def format_labels(t: Catalog) -> dict[str, str]:
    """Content format (free text; these are the usual ones) -> its name on the pages.

    A format not listed here is shown as written in the project."""
    _ = t.gettext
    return {
        "article": _("article"),
        "calculator": _("calculator"),
        "case-study": _("case study"),
        "checklist": _("checklist"),
        "community": _("community"),
        "comparison-sheet": _("comparison sheet"),
        "demo": _("demo"),
        "diagnostic": _("diagnostic"),
        "document": _("document"),
        "ebook": _("e-book"),
        "email": _("email"),
        "event": _("event"),
        "exhibition": _("exhibition"),
        "faq": _("FAQ"),
        "guide": _("guide"),
        "infographic": _("infographic"),
        "landing-page": _("landing page"),
        "newsletter": _("newsletter"),
        "onboarding-guide": _("onboarding guide"),
        "podcast": _("podcast"),
        "price-sheet": _("price sheet"),
        "proposal": _("proposal"),
        "report": _("report"),
        "seminar": _("seminar"),
        "seminar-archive": _("seminar recording"),
        "survey": _("survey"),
        "technical-document": _("technical document"),
        "template": _("template"),
        "tool": _("tool"),
        "trial": _("trial"),
        "video": _("video"),
        "web-column": _("web column"),
        "webinar": _("webinar"),
        "whitepaper": _("white paper"),
        "worksheet": _("worksheet"),
    }


def format_label(t: Catalog, value: Any) -> str:
    """A content item's format in the page's language (as written when it is not a usual one)."""
    shown = text(value)
    return format_labels(t).get(shown.strip().lower(), shown)


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
    """What the coverage pages' builders share, worked out once per page."""

    g: nx.MultiDiGraph
    lang: str
    t: Catalog  # the UI language's catalog
    status: dict[str, str]  # status_labels(t)
    min_items: int
    labels: dict[str, str]  # node -> node_label, for the LABELLED node types
    nodes: dict[str, dict[str, Any]]  # cov.content_nodes(g)
    segment_cells: list[cov.Cell]
    step_cells: list[cov.Cell]
    orphans: frozenset[str]  # content ids that serve no journey step (orphan-content)
    unserved: frozenset[str]  # stage ids no funnel stage serves (unserved-stage)

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
        orphans=frozenset(d["ref"] for d in orphan_items(g)),
        unserved=frozenset(d["ref"] for d in unserved_stages(g)),
    )


def heat(count: int) -> str:
    """CSS class of a covered cell: heat-1 (one item) .. heat-4 (four or more)."""
    return f"heat-{min(max(count, 1), 4)}"


def cell_anchor(cell: cov.Cell) -> str:
    if cell.journey is not None:
        return anchor("cell", "j", cell.journey, cell.stage)
    return anchor("cell", "s", cell.segment or "all", cell.stage)


def cell_summary(t: Catalog, cell: cov.Cell) -> str:
    """What a heatmap cell counts, in words: '2 published, 1 in the pipeline'."""
    published = t.ngettext("%(n)s published item", "%(n)s published items", cell.count)
    out = published % {"n": cell.count}
    if cell.pipeline:
        pipe = t.ngettext("%(n)s in the pipeline", "%(n)s in the pipeline", len(cell.pipeline))
        out += ", " + pipe % {"n": len(cell.pipeline)}
    return out


def matrix_cell(
    cell: cov.Cell | None, min_items: int, t: Catalog, where: str = ""
) -> dict[str, Any]:
    """One heatmap cell: `where` names it (row × stage, for screen readers), its title says
    what it counts (the tooltip; the toolkit's words only)."""
    if cell is None:
        return {
            "state": "skipped",
            "classes": "skipped",
            "text": "",
            "where": where,
            "title": t.gettext("no step"),
            "pipeline": 0,
            "href": None,
        }
    gap = cell.is_gap(min_items)
    return {
        "state": "gap" if gap else "covered",
        "classes": "gap" if gap else heat(cell.count),
        "text": str(cell.count),
        "where": where,
        "title": cell_summary(t, cell),
        "pipeline": len(cell.pipeline),
        "href": f"{CELLS}#{cell_anchor(cell)}",
    }


def matrices(p: Page) -> list[dict[str, Any]]:
    _ = p.t.gettext
    titles = {"segment": _("Segments × stages"), "journey": _("Journeys × stages")}
    corners = {"segment": _("Segment"), "journey": _("Journey")}
    stages = [p.label("stage", s, s) for s in cov.stage_ids(p.g)]
    out = []
    for kind, rows in (
        ("segment", cov.segment_matrix(p.g, p.segment_cells)),
        ("journey", cov.journey_matrix(p.g, p.step_cells)),
    ):
        if not rows:
            continue
        matrix_rows = []
        for r in rows:
            label = p.label(kind, r.key, _("All segments"))
            matrix_rows.append(
                {
                    "label": label,
                    "ref": r.key or "",
                    "href": f"journeys/{anchor(r.key)}.html"
                    if kind == "journey" and r.key
                    else None,
                    "cells": [
                        matrix_cell(c, p.min_items, p.t, f"{label} × {stage}")
                        for c, stage in zip(r.cells, stages, strict=True)
                    ],
                }
            )
        out.append(
            {"kind": kind, "title": titles[kind], "corner": corners[kind], "rows": matrix_rows}
        )
    return out


MAX_DETAIL_ITEMS = 40


def item_ref(p: Page, ident: str) -> dict[str, str]:
    """A link to one content item (its row in the inventory page)."""
    data = p.nodes[ident]
    status = data.get("status") or "none"
    return {
        "id": ident,
        "title": text(pick(data.get("title"), p.lang, ident)),
        "href": f"{INVENTORY}#{anchor('item', ident)}",
        "status": status,
        "status_label": p.status[status],
        "owner": p.label("role", data.get("owner"), ""),
    }


def shared_cells(p: Page) -> dict[tuple[str, str | None], cov.Cell]:
    """The segment x stage cell each journey step shares its targeted items with."""
    return {(c.stage, c.segment): c for c in p.segment_cells if c.segment is not None}


def own_items(cell: cov.Cell, shared: cov.Cell | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(published, pipeline) items a cell lists itself: a journey step lists those its
    actions name beyond its segment x stage cell (which it links to), any other cell all."""
    if shared is None:
        return cell.items, cell.pipeline
    items, pipeline = set(shared.items), set(shared.pipeline)
    return (
        tuple(i for i in cell.items if i not in items),
        tuple(i for i in cell.pipeline if i not in pipeline),
    )


def cell_shared(
    p: Page, cell: cov.Cell, shared: dict[tuple[str, str | None], cov.Cell]
) -> cov.Cell | None:
    """The segment x stage cell whose items a journey step's cell includes (None: own list)."""
    if cell.journey is None:
        return None
    found = shared.get((cell.stage, cell.segment))
    if found is None or not (found.items or found.pipeline):
        return None
    if not set(found.items) <= set(cell.items):
        return None
    return found if set(found.pipeline) <= set(cell.pipeline) else None


def item_refs(p: Page) -> dict[str, dict[str, str]]:
    """item_ref of every item some cell lists (the same dict wherever the page links it)."""
    shown: set[str] = set()
    shared = shared_cells(p)
    for c in [*p.segment_cells, *p.step_cells]:
        items, pipeline = own_items(c, cell_shared(p, c, shared))
        shown.update(items[:MAX_DETAIL_ITEMS])
        shown.update(pipeline)
    shown.update(p.orphans)
    return {i: item_ref(p, i) for i in sorted(shown)}


def cell_title(p: Page, cell: cov.Cell) -> str:
    where = (
        p.label("journey", cell.journey, "")
        if cell.journey
        else p.label("segment", cell.segment, p.t.gettext("All segments"))
    )
    return f"{where} × {p.label('stage', cell.stage, cell.stage)}"


def cell_details(p: Page, refs: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """One entry per cell: the target of the heatmap's links.

    A segment x stage cell lists its items; a journey step's cell links to its segment x
    stage cell ("includes") and lists only the items its actions name beyond it. A cell
    lists at most MAX_DETAIL_ITEMS items (the inventory page lists every item).
    """
    shared = shared_cells(p)
    out = []
    for c in [*p.segment_cells, *p.step_cells]:
        base = cell_shared(p, c, shared)
        items, pipeline = own_items(c, base)
        out.append(
            {
                "anchor": cell_anchor(c),
                "title": cell_title(p, c),
                "includes": None
                if base is None
                else {
                    "href": "#" + cell_anchor(base),
                    "title": cell_title(p, base),
                    "count": cell_summary(p.t, base),
                },
                "entries": [refs[i] for i in items[:MAX_DETAIL_ITEMS]],
                "pipeline": [refs[i] for i in pipeline[: max(0, MAX_DETAIL_ITEMS - len(items))]],
                "more": more_text(p.t, len(items) + len(pipeline) - MAX_DETAIL_ITEMS),
            }
        )
    return out


def more_text(t: Catalog, n: int) -> str:
    """The last entry of a cell that lists n items fewer than it has ('' when none)."""
    if n <= 0:
        return ""
    msg = t.ngettext(
        "+%(n)s more in the content inventory", "+%(n)s more in the content inventory", n
    )
    return msg % {"n": n}


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
                "href": f"{CELLS}#{cell_anchor(c)}",
                "pipeline": [refs.get(i.id) or item_ref(p, i.id) for i in gap.pipeline],
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
    orphan = [badge(p.t, "orphan-content")]
    out = []
    for ident, d in p.nodes.items():
        segments = d.get("segments")
        out.append(
            {
                "anchor": anchor("item", ident),
                "id": ident,
                "title": text(pick(d.get("title"), p.lang, ident)),
                "format": format_label(p.t, d.get("format")),
                "stages": [p.label("stage", s, s) for s in d.get("stages") or []],
                "segments": [p.label("segment", s, s) for s in segments]
                if segments is not None
                else [all_segments],
                "owner": p.label("role", d.get("owner"), ""),
                "status": p.status[d.get("status") or "none"],
                "status_key": d.get("status") or "none",
                "url": safe_url(d.get("url")),
                "updated": text(d.get("updated")),
                "flags": orphan if ident in p.orphans else [],
            }
        )
    return out


def stage_columns(p: Page) -> list[dict[str, Any]]:
    """The heatmaps' stage headers; a stage no funnel stage serves is marked."""
    unserved = [badge(p.t, "unserved-stage")]
    return [
        {
            "number": f"{i + 1:02d}",
            "label": p.label("stage", s, s),
            "flags": unserved if s in p.unserved else [],
        }
        for i, s in enumerate(cov.stage_ids(p.g))
    ]


def warning_groups(
    p: Page, refs: dict[str, dict[str, str]], options: RenderOptions
) -> list[dict[str, Any]]:
    """The coverage page's warnings, one group per code that has any: stages no funnel
    stage serves, content serving no journey step, buying roles of the sales rules that no
    persona has (each entry the thing's name and, for items, a link to its row)."""
    labels = warning_labels(p.t)
    roles = buying_roles(p.t)
    stages = [
        {"text": p.label("stage", s, s), "href": None}
        for s in cov.stage_ids(p.g)
        if s in p.unserved
    ]
    orphans = [
        {"text": refs[i]["title"], "href": refs[i]["href"]} for i in p.nodes if i in p.orphans
    ]
    notes = project_notes(p.t, options.warnings, options.shown_as, ["unpersonified-role"])
    people = [{"text": roles.get(n["subject"], n["subject"]), "href": None} for n in notes]
    groups = [
        ("unserved-stage", stages),
        ("orphan-content", orphans),
        ("unpersonified-role", people),
    ]
    return [
        {"code": code, "label": labels[code], "entries": entries}
        for code, entries in groups
        if entries
    ]


def page_meta(
    g: nx.MultiDiGraph, lang: str, t: Catalog, current: str, leads: bool
) -> dict[str, Any]:
    """Title, header and navigation of a coverage page (current: coverage, cells, inventory)."""
    coverage = t.gettext("Content coverage")
    project = text(pick(g.graph.get("title"), lang, coverage))
    headings = {"cells": t.gettext("Items per cell"), "inventory": t.gettext("Content inventory")}
    heading = headings.get(current, coverage)
    return {
        "lang": text(lang) or "en",
        "title": f"{heading} | {project}",
        "project": project,
        "client": text(g.graph.get("client")),
        "nav": nav_links(t, 0, current, leads),
    }


def coverage_context(
    g: nx.MultiDiGraph, options: RenderOptions, min_items: int = 1, p: Page | None = None
) -> dict[str, Any]:
    """Everything coverage.html shows."""
    p = p or make_page(g, options.lang, min_items)
    covered, total = cov.covered_share(p.step_cells, p.min_items)
    share = cov.percent(covered, total)
    refs = {i: item_ref(p, i) for i in p.nodes if i in p.orphans}
    return {
        "page": page_meta(g, p.lang, p.t, "coverage", options.overlay is not None),
        "headline": {
            "covered": covered,
            "total": total,
            "percent": round(share),
            "bar": f"{share:.3f}".rstrip("0").rstrip(".") + "%",
        },
        "stages": stage_columns(p),
        "warnings": warning_groups(p, refs, options),
        "matrices": matrices(p),
        "gaps": gap_entries(p, refs),
        "owners": ownership_table(p),
        "pages": [
            {"label": p.t.gettext("Items per cell"), "href": CELLS},
            {
                "label": p.t.gettext("Every content item (%(n)s)") % {"n": len(p.nodes)},
                "href": INVENTORY,
            },
        ],
        "downloads": [{"label": p.t.gettext("Workbook (XLSX)"), "href": "data/coverage.xlsx"}]
        if "xlsx" in options.formats
        else [],
    }


def cells_context(
    g: nx.MultiDiGraph, options: RenderOptions, min_items: int = 1, p: Page | None = None
) -> dict[str, Any]:
    """Everything coverage-cells.html shows: the items of every heatmap cell."""
    p = p or make_page(g, options.lang, min_items)
    return {
        "page": page_meta(g, p.lang, p.t, "cells", options.overlay is not None),
        "details": cell_details(p, item_refs(p)),
        "coverage_href": PAGE,
        "inventory_href": INVENTORY,
    }


def inventory_context(
    g: nx.MultiDiGraph, options: RenderOptions, min_items: int = 1, p: Page | None = None
) -> dict[str, Any]:
    """Everything coverage-inventory.html shows: every content item."""
    p = p or make_page(g, options.lang, min_items)
    return {
        "page": page_meta(g, p.lang, p.t, "inventory", options.overlay is not None),
        "inventory": inventory(p),
        "orphans": len(p.orphans),
        "coverage_href": PAGE,
    }


def render_coverage_html(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build`: coverage.html, coverage-cells.html and coverage-inventory.html, as
    UTF-8 bytes."""
    p = make_page(graph, options.lang, 1)
    env = make_environment()
    pages = {
        PAGE: ("coverage.html", coverage_context(graph, options, p=p)),
        CELLS: ("coverage-cells.html", cells_context(graph, options, p=p)),
        INVENTORY: ("coverage-inventory.html", inventory_context(graph, options, p=p)),
    }
    return {
        path: render_page(env, template, options.lang, context).encode("utf-8")
        for path, (template, context) in pages.items()
    }
