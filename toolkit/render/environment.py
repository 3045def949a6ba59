"""The one Jinja environment every HTML page is rendered with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parent / "templates"


class PageEnvironment(Environment):
    """A Jinja environment that reads `x.key` of a plain dict as its key straight away.

    Template contexts are plain dicts, lists, strings and numbers. Jinja resolves `cell.text`
    by trying the attribute first, which for a dict raises (and catches) an AttributeError
    before it tries the key; on pages with tens of thousands of cells that is most of the
    rendering time. A key that a dict lacks still falls back to Jinja's own lookup (a dict
    method, else undefined, which StrictUndefined reports). No template reads a dict method by
    a name that is also a key of its dict, so every page comes out the same.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment() -> Environment:
    """Escaping on for every template (whatever its name), undefined names are errors."""
    return PageEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
