"""References: where each kind of document refers to other entities, read from raw data.

Used for documents that failed validation, so that their unknown references are reported in
the same run as their other errors (valid documents are checked through their models in
toolkit.model.project).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from toolkit.common.diagnostics import Location
from toolkit.load.sources import Document, Path_

ANY = "*"  # every item of a list, every value of a mapping
KEYS = "<keys>"  # every key of a mapping
IDS = "<ids>"  # a string, or every string of a list

# kind -> (path pattern, referenced entity)
PATTERNS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "stages": ((("axes", ANY, "values", KEYS), "stage"),),
    "funnel": (
        (("stages", ANY, "owners", IDS), "role"),
        (("stages", ANY, "serves", IDS), "stage"),
        (("stages", ANY, "lead_class", IDS), "lead_class"),
    ),
    "persona": ((("segment", IDS), "segment"),),
    "journey": (
        (("persona", IDS), "persona"),
        (("segment", IDS), "segment"),
        (("future_of", IDS), "journey"),
        (("steps", KEYS), "stage"),
        (("steps", ANY, "funnel", IDS), "funnel_stage"),
        (("steps", ANY, "actions", ANY, "role", IDS), "role"),
        (("steps", ANY, "actions", ANY, "content", IDS), "content"),
        (("transitions", ANY, "from", IDS), "stage"),
        (("transitions", ANY, "to", IDS), "stage"),
    ),
    "content": (
        (("items", ANY, "stages", IDS), "stage"),
        (("items", ANY, "segments", IDS), "segment"),
        (("items", ANY, "owner", IDS), "role"),
    ),
}


def _walk(node: Any, pattern: tuple[str, ...], path: Path_) -> Iterator[tuple[str, Path_, bool]]:
    """(value, path, is_key) for every string the pattern reaches; wrong shapes are skipped."""
    if not pattern:
        return
    head, rest = pattern[0], pattern[1:]
    if head == IDS:
        if isinstance(node, str):
            yield node, path, False
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    yield item, (*path, i), False
    elif head == KEYS:
        if isinstance(node, dict):
            for key in node:
                yield key, (*path, key), True
    elif head == ANY:
        items = node.items() if isinstance(node, dict) else enumerate(node or [])
        if isinstance(node, dict | list):
            for key, child in items:
                yield from _walk(child, rest, (*path, key))
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest, (*path, head))


def raw_references(doc: Document) -> Iterator[tuple[str, str, Location]]:
    """(entity kind, referenced id, location) for every reference a raw document makes."""
    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    for pattern, entity in PATTERNS.get(kind, ()) if isinstance(kind, str) else ():
        for value, path, is_key in _walk(data, pattern, ()):
            yield entity, value, doc.loc(path, key=is_key)
