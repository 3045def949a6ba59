"""The languages the toolkit's own words (headings, legends, statuses) are written in."""

from __future__ import annotations

from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def _catalogued() -> tuple[str, ...]:
    """Every language with a compiled catalog under toolkit/locale/, then English (the
    messages themselves): adding a language is adding its catalog (docs/TRANSLATING.md)."""
    found = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/messages.mo"))
    return (*found, "en")


UI_LANGUAGES = _catalogued()


def ui_language(tag: str) -> str | None:
    """The UI language a language tag selects ("ja-JP" -> "ja"), or None for one without."""
    base = tag.replace("_", "-").split("-")[0].lower()
    return base if base in UI_LANGUAGES else None


def language_note(tag: str) -> str:
    """Why an unknown tag falls back to English, for a warning."""
    return (
        f"language '{tag}' has no translation of the toolkit's words; pages use English "
        f"for them (known: {', '.join(UI_LANGUAGES)}, with a region such as ja-JP)"
    )
