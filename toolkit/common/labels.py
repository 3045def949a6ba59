"""Labels: a node's display text in the output language, and text without control characters.

Shared by the renderers, the analyses, the lead judgment and the sheets.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def pick(label: Any, lang: str, fallback: str = "") -> str:
    """A label in the output language, then English, then the first given, then fallback."""
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    if isinstance(label, dict) and label:
        for key in (lang, "en"):
            if label.get(key):
                return str(label[key])
        return str(next(iter(label.values())))
    return fallback


def label_of(data: dict[str, Any], lang: str) -> str:
    """The display label of a node: its label, title or name, else its id."""
    for key in ("label", "title", "name"):
        if data.get(key) is not None:
            return pick(data[key], lang, str(data.get("ref", "")))
    return str(data.get("ref", ""))


def strip_controls(text: str) -> str:
    """Text without C0 control characters other than tab, newline and carriage return."""
    return CONTROL.sub("", text)
