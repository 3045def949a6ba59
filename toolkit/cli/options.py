"""Option callbacks shared by the command modules (light: imported by `journey --help`)."""

from __future__ import annotations

import click

from toolkit.common.diagnostics import WARNING_CODES, did_you_mean, printable
from toolkit.common.languages import language_note, ui_language


def warn_unknown_language(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    """--lang: a language the toolkit's words are not written in is a warning, not an error."""
    if value is not None and ui_language(value) is None:
        click.echo(printable(f"journey: warning: {language_note(value)}"), err=True)
    return value


def known_warning_codes(
    _ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """--ignore: only warning codes; a typo must not silence nothing in silence."""
    for code in value:
        if code not in WARNING_CODES:
            hint = did_you_mean(code, WARNING_CODES) or "one of: " + ", ".join(
                sorted(WARNING_CODES)
            )
            raise click.BadParameter(
                printable(f"'{code}' is not a warning code ({hint}); errors cannot be ignored")
            )
    return value
