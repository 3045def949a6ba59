"""coverage.html: the content coverage heatmap of `journey build`.

Two heatmaps (segments x stages, journeys x stages) whose cells link to the items that
cover them, the gaps with the draft/planned items that would fill them and their owners,
the per-role ownership and the inventory. The page shares style.css with the other pages;
it is self-contained (no script, no external resource). Links are internal anchors built
from slugs, relative journey pages, or item URLs passed through safe_url. The context
builders compute everything; templates/coverage.html only displays it.
"""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from toolkit import coverage as cov
from toolkit.renderers.common import RenderOptions, label_of, pick, safe_url, text
from toolkit.renderers.environment import make_environment

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
UI_TEXT: dict[str, tuple[str, str]] = {
    "coverage": ("Content coverage", "コンテンツのカバー状況"),
    "overview": ("Overview", "概要"),
    "compare": ("Compare journeys", "ジャーニー比較"),
    "headline": ("journey steps covered", "ステップをカバー"),
    "lede": (
        "Published items per segment (or journey) and customer stage. Red cells are gaps; "
        "+N counts draft and planned items that would fill them.",
        "セグメント（またはジャーニー）×顧客ステージごとの公開済みコンテンツ数。"
        "赤いセルはギャップ、+N は埋める予定の下書き・計画中コンテンツの数です。",
    ),
    "by_segment": ("Segments × stages", "セグメント × ステージ"),
    "by_journey": ("Journeys × stages", "ジャーニー × ステージ"),
    "segment": ("Segment", "セグメント"),
    "journey": ("Journey", "ジャーニー"),
    "all_segments": ("All segments", "全セグメント"),
    "no_step": ("no step", "ステップなし"),
    "gaps": ("Gaps", "ギャップ"),
    "no_gaps": ("No gaps: every cell has published content.", "ギャップはありません。"),
    "stage": ("Stage", "ステージ"),
    "where": ("Segment / journey", "セグメント / ジャーニー"),
    "pipeline": ("In the pipeline", "制作中・計画中"),
    "owners": ("Owner", "担当"),
    "nothing": ("nothing planned", "予定なし"),
    "cells": ("Items per cell", "セルごとのコンテンツ"),
    "published": ("Published", "公開済み"),
    "ownership": ("Ownership per role", "ロール別の担当コンテンツ"),
    "ownership_note": (
        "Items each role owns per stage and status (an item counts at every stage it targets).",
        "ロールごと・ステージごと・ステータスごとの担当数（複数ステージの項目は各ステージで数えます）。",
    ),
    "role": ("Role", "ロール"),
    "status": ("Status", "ステータス"),
    "inventory": ("Content inventory", "コンテンツ一覧"),
    "id": ("ID", "ID"),
    "title": ("Title", "タイトル"),
    "format": ("Format", "形式"),
    "stages": ("Stages", "ステージ"),
    "segments": ("Segments", "セグメント"),
    "updated": ("Updated", "更新日"),
    "link": ("Link", "リンク"),
    "open": ("open", "開く"),
    "workbook": ("Workbook (XLSX)", "ワークブック（XLSX）"),
    "downloads": ("Downloads", "ダウンロード"),
    "legend": ("Legend", "凡例"),
    "legend_gap": ("gap: no published item", "ギャップ：公開済みコンテンツなし"),
    "legend_covered": ("covered (darker: more items)", "カバー済み（濃いほど多い）"),
    "legend_skipped": ("the journey has no step here", "このステージにステップなし"),
    "legend_pipeline": ("+N: draft or planned items", "+N：下書き・計画中の件数"),
    "status_published": ("published", "公開済み"),
    "status_draft": ("draft", "下書き"),
    "status_planned": ("planned", "計画中"),
    "status_retired": ("retired", "公開終了"),
    "status_none": ("no status", "ステータスなし"),
    "no_owner": ("no owner", "担当なし"),
}


def ui_strings(lang: str) -> dict[str, str]:
    return {k: (ja if lang == "ja" else en) for k, (en, ja) in UI_TEXT.items()}


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


def heat(count: int) -> str:
    """CSS class of a covered cell: heat-1 (one item) .. heat-4 (four or more)."""
    return f"heat-{min(max(count, 1), 4)}"


def cell_anchor(cell: cov.Cell) -> str:
    if cell.journey is not None:
        return anchor("cell", "j", cell.journey, cell.stage)
    return anchor("cell", "s", cell.segment or "all", cell.stage)


def matrix_cell(cell: cov.Cell | None, min_items: int, ui: dict[str, str]) -> dict[str, Any]:
    if cell is None:
        return {
            "state": "skipped",
            "classes": "skipped",
            "text": "",
            "title": ui["no_step"],
            "pipeline": 0,
            "href": None,
        }
    gap = cell.is_gap(min_items)
    title = ", ".join(cell.items) or ui["gaps"]
    if cell.pipeline:
        title += f" | {ui['pipeline']}: " + ", ".join(cell.pipeline)
    return {
        "state": "gap" if gap else "covered",
        "classes": "gap" if gap else heat(cell.count),
        "text": str(cell.count),
        "title": title,
        "pipeline": len(cell.pipeline),
        "href": "#" + cell_anchor(cell),
    }


def matrices(
    g: nx.MultiDiGraph, lang: str, ui: dict[str, str], min_items: int
) -> list[dict[str, Any]]:
    out = []
    for kind, rows in (("segment", cov.segment_matrix(g)), ("journey", cov.journey_matrix(g))):
        if not rows:
            continue
        out.append(
            {
                "kind": kind,
                "title": ui["by_segment" if kind == "segment" else "by_journey"],
                "corner": ui[kind],
                "rows": [
                    {
                        "label": node_label(g, kind, r.key, lang, ui["all_segments"]),
                        "ref": r.key or "",
                        "href": f"journeys/{anchor(r.key)}.html"
                        if kind == "journey" and r.key
                        else None,
                        "cells": [matrix_cell(c, min_items, ui) for c in r.cells],
                    }
                    for r in rows
                ],
            }
        )
    return out


MAX_DETAIL_ITEMS = 40


def item_ref(
    g: nx.MultiDiGraph, nodes: dict[str, dict[str, Any]], ident: str, lang: str, ui: dict[str, str]
) -> dict[str, str]:
    """A link to one content item; nodes is cov.content_nodes(g), computed once per page."""
    data = nodes[ident]
    status = data.get("status") or "none"
    return {
        "id": ident,
        "title": text(pick(data.get("title"), lang, ident)),
        "href": "#" + anchor("item", ident),
        "status": status,
        "status_label": ui[f"status_{status}"],
        "owner": node_label(g, "role", data.get("owner"), lang, ""),
    }


def cell_title(g: nx.MultiDiGraph, cell: cov.Cell, lang: str, ui: dict[str, str]) -> str:
    where = (
        node_label(g, "journey", cell.journey, lang, "")
        if cell.journey
        else node_label(g, "segment", cell.segment, lang, ui["all_segments"])
    )
    return f"{where} × {node_label(g, 'stage', cell.stage, lang, cell.stage)}"


def cell_details(g: nx.MultiDiGraph, lang: str, ui: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per cell that has items or pipeline: the target of the heatmap's links.

    A cell lists at most MAX_DETAIL_ITEMS items (the inventory below lists every item).
    """
    nodes = cov.content_nodes(g)
    refs = {i: item_ref(g, nodes, i, lang, ui) for i in nodes}
    return [
        {
            "anchor": cell_anchor(c),
            "title": cell_title(g, c, lang, ui),
            "entries": [refs[i] for i in c.items[:MAX_DETAIL_ITEMS]],
            "pipeline": [refs[i] for i in c.pipeline[: max(0, MAX_DETAIL_ITEMS - len(c.items))]],
            "more": max(0, len(c.items) + len(c.pipeline) - MAX_DETAIL_ITEMS),
        }
        for c in [*cov.segment_cells(g), *cov.step_cells(g)]
    ]


def gap_entries(
    g: nx.MultiDiGraph, lang: str, ui: dict[str, str], min_items: int
) -> list[dict[str, Any]]:
    cells = [*cov.segment_cells(g), *cov.step_cells(g)]
    nodes = cov.content_nodes(g)
    out = []
    for gap in cov.gaps(g, cells, min_items):
        c = gap.cell
        owners = dict.fromkeys(
            node_label(g, "role", p.owner, lang, ui["no_owner"]) for p in gap.pipeline
        )
        out.append(
            {
                "stage": node_label(g, "stage", c.stage, lang, c.stage),
                "where": cell_title(g, c, lang, ui).rsplit(" × ", 1)[0],
                "view": ui["journey" if c.journey else "segment"],
                "count": c.count,
                "href": "#" + cell_anchor(c),
                "pipeline": [item_ref(g, nodes, p.id, lang, ui) for p in gap.pipeline],
                "owners": list(owners),
            }
        )
    return out


def ownership_table(g: nx.MultiDiGraph, lang: str, ui: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "role": node_label(g, "role", r.role, lang, ui["no_owner"]),
            "status": ui[f"status_{r.status or 'none'}"],
            "status_key": r.status or "none",
            "counts": list(r.counts),
            "total": sum(r.counts),
        }
        for r in cov.ownership_matrix(g)
    ]


def inventory(g: nx.MultiDiGraph, lang: str, ui: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for ident, d in cov.content_nodes(g).items():
        segments = d.get("segments")
        out.append(
            {
                "anchor": anchor("item", ident),
                "id": ident,
                "title": text(pick(d.get("title"), lang, ident)),
                "format": text(d.get("format")),
                "stages": [node_label(g, "stage", s, lang, s) for s in d.get("stages") or []],
                "segments": [node_label(g, "segment", s, lang, s) for s in segments]
                if segments is not None
                else [ui["all_segments"]],
                "owner": node_label(g, "role", d.get("owner"), lang, ""),
                "status": ui[f"status_{d.get('status') or 'none'}"],
                "status_key": d.get("status") or "none",
                "url": safe_url(d.get("url")),
                "updated": text(d.get("updated")),
            }
        )
    return out


def page_meta(g: nx.MultiDiGraph, lang: str, ui: dict[str, str]) -> dict[str, Any]:
    project = text(pick(g.graph.get("title"), lang, ui["coverage"]))
    nav = [(ui["overview"], "index.html"), (ui["compare"], "compare.html")]
    return {
        "lang": text(lang) or "en",
        "title": f"{ui['coverage']} | {project}",
        "project": project,
        "client": text(g.graph.get("client")),
        "nav": [{"label": label, "href": href, "current": False} for label, href in nav]
        + [{"label": ui["coverage"], "href": "coverage.html", "current": True}],
    }


def coverage_context(
    g: nx.MultiDiGraph, options: RenderOptions, min_items: int = 1
) -> dict[str, Any]:
    """Everything coverage.html shows."""
    lang = options.lang
    ui = ui_strings(lang)
    covered, total = cov.covered_share(cov.step_cells(g), min_items)
    share = cov.percent(covered, total)
    stages = cov.stage_ids(g)
    return {
        "page": page_meta(g, lang, ui),
        "ui": ui,
        "headline": {
            "covered": covered,
            "total": total,
            "percent": round(share),
            "bar": f"{share:.3f}".rstrip("0").rstrip(".") + "%",
        },
        "stages": [
            {"number": f"{i + 1:02d}", "label": node_label(g, "stage", s, lang, s)}
            for i, s in enumerate(stages)
        ],
        "matrices": matrices(g, lang, ui, min_items),
        "details": cell_details(g, lang, ui),
        "gaps": gap_entries(g, lang, ui, min_items),
        "owners": ownership_table(g, lang, ui),
        "inventory": inventory(g, lang, ui),
        "downloads": [{"label": ui["workbook"], "href": "data/coverage.xlsx"}]
        if "xlsx" in options.formats
        else [],
    }


def render_coverage_html(graph: nx.MultiDiGraph, options: RenderOptions) -> dict[str, bytes]:
    """`journey build`: coverage.html, as UTF-8 bytes."""
    page = (
        make_environment().get_template("coverage.html").render(**coverage_context(graph, options))
    )
    return {"coverage.html": page.encode("utf-8")}
