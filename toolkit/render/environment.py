"""The one Jinja environment every HTML page is rendered with, in any output language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from toolkit.common.i18n import Catalog, translations

TEMPLATES = Path(__file__).resolve().parent / "templates"
CATALOG = "translations"  # the render context's catalog, read by the templates' _()


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


def catalog_of(context: Context) -> Catalog:
    found = context.get(CATALOG)
    if found is None:
        raise RuntimeError(f"a page is rendered without its catalog: pass {CATALOG}=")
    return found  # type: ignore[no-any-return]


@pass_context
def gettext(context: Context, message: str) -> str:
    return catalog_of(context).gettext(message)


@pass_context
def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return catalog_of(context).ngettext(singular, plural, n)


@pass_context
def pgettext(context: Context, msgctxt: str, message: str) -> str:
    return catalog_of(context).pgettext(msgctxt, message)


@pass_context
def npgettext(context: Context, msgctxt: str, singular: str, plural: str, n: int) -> str:
    return catalog_of(context).npgettext(msgctxt, singular, plural, n)


def make_environment() -> Environment:
    """Escaping on for every template (whatever its name), undefined names are errors.

    The templates' `_()` (Jinja's i18n extension, new style: `_("%(n)s more", n=3)`) reads
    the catalog of the page's language from the render context (`render_page` passes it), so
    one environment, its templates compiled once, renders every language (`journey serve`
    keeps one across rebuilds while the project's language may change).
    """
    env = PageEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    return env


def render_page(env: Environment, template: str, lang: str, context: dict[str, Any]) -> str:
    """A template rendered with its context and the catalog of the output language."""
    return env.get_template(template).render(context, **{CATALOG: translations(lang)})
