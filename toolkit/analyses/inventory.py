"""The content inventory as rows of text: one per item, in source order, header first.

A view of the compiled graph shared by the inventory export (toolkit.sheets.inventory, which
also reads edited sheets back) and the coverage workbook (toolkit.render.xlsx).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from toolkit.analyses.coverage import content_nodes
from toolkit.graph.build import nodes_of

FIELDS = ("id", "title", "format", "stages", "segments", "owner", "status", "url", "updated")
LIST_FIELDS = ("stages", "segments")
TITLE_PREFIX = "title:"
STATUSES = ("planned", "draft", "published", "retired")


def title_languages(g: nx.MultiDiGraph) -> list[str]:
    """Languages of the items' language-map titles: the project's, en, then the rest sorted."""
    found = {
        lang
        for _, d in nodes_of(g, "content")
        if isinstance(d.get("title"), dict)
        for lang in d["title"]
    }
    first = [x for x in dict.fromkeys([g.graph.get("language") or "en", "en"]) if x in found]
    return [*first, *sorted(found - set(first))]


def export_header(g: nx.MultiDiGraph) -> list[str]:
    langs = title_languages(g)
    plain = not langs or any(isinstance(d.get("title"), str) for _, d in nodes_of(g, "content"))
    titles = (["title"] if plain else []) + [TITLE_PREFIX + x for x in langs]
    return ["id", *titles, *FIELDS[2:]]


def export_rows(g: nx.MultiDiGraph) -> list[list[str]]:
    """The inventory as rows of text, header first, items in source order."""
    header = export_header(g)
    rows = [header]
    for d in content_nodes(g).values():
        title = d.get("title")
        row = []
        for col in header:
            if col == "title":
                row.append(title if isinstance(title, str) else "")
            elif col.startswith(TITLE_PREFIX):
                lang = col[len(TITLE_PREFIX) :]
                row.append(str(title.get(lang, "")) if isinstance(title, dict) else "")
            elif col == "id":
                row.append(d["ref"])
            else:
                row.append(_cell_text(d.get(col)))
        rows.append(row)
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
