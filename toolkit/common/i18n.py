"""The toolkit's own words in the output language: gettext catalogs read with Babel.

UI text is written in English in the code and templates (`_("Overview")`); each other
language has a catalog, toolkit/locale/<lang>/LC_MESSAGES/messages.po, compiled to the
messages.mo beside it (both committed, so a plain `pip install` works). English has no
catalog: its messages are the msgids. docs/TRANSLATING.md says how to add a language.

The language follows toolkit.common.languages.ui_language: "ja", "ja-JP", "ja_JP" select
Japanese; any tag without a catalog selects English.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from babel.support import NullTranslations, Translations

from toolkit.common.languages import ui_language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language of the msgids

Catalog = gettext.NullTranslations  # Translations, or NullTranslations for English


def ui_code(lang: str) -> str:
    """The UI language a language tag selects: "ja" for "ja-JP", "en" for "fr" or ""."""
    return ui_language(lang or "") or SOURCE_LANGUAGE


def translations(lang: str) -> Catalog:
    """The catalog of the UI language a tag selects (loaded once per language)."""
    return _load(ui_code(lang))


@functools.cache
def _load(code: str) -> Catalog:
    if code == SOURCE_LANGUAGE:
        return NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [code], DOMAIN)
    if not isinstance(found, Translations):
        raise FileNotFoundError(
            f"no compiled catalog for '{code}' in {LOCALE_DIR} (messages.mo): "
            f"run `pybabel compile -d {LOCALE_DIR} -D {DOMAIN}`"
        )
    return found
