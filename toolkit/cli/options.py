"""What the command modules share: arguments, options and the diagnostics printer.

Light (imported by `journey --help`): click and the diagnostics module only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from toolkit.common.diagnostics import WARNING_CODES, Diagnostic, did_you_mean, printable, split
from toolkit.common.languages import language_note, ui_language


def emit(data: bytes, out: Path | None) -> bool:
    """Bytes to standard output, or to the file `out`, complete or not at all; True when a
    file was written."""
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return False
    from toolkit.write import write_file

    write_file(out, data)
    return True


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


PROJECT_ARG = click.argument(
    "project", type=click.Path(exists=True, file_okay=False, path_type=Path), default="."
)
LANG_OPTION = click.option(
    "--lang",
    default=None,
    callback=warn_unknown_language,
    help="Output language (default: the project's).",
)
PAPER_OPTION = click.option(
    "--paper",
    type=click.Choice(["a3", "a4"]),
    default="a3",
    show_default=True,
    help="Paper size the journey maps print on (landscape).",
)
SHOW_EMPTY_ROWS = click.option(
    "--show-empty-rows",
    is_flag=True,
    help="Keep map rows that are empty in every stage (left out by default).",
)
NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the caches of parses and check results (cold run).",
)


def _paint(d: Diagnostic, colour: bool) -> str:
    text = d.render()
    if not colour:
        return text
    return click.style(text, fg="red" if d.severity == "error" else "yellow")


def report(diags: list[Diagnostic], fmt: str, err: bool = False) -> None:
    """Print diagnostics as text lines (with a summary), one JSON object, GitHub Actions
    workflow commands (with the summary) or a SARIF 2.1.0 log."""
    errors, warnings = split(diags)
    if fmt in ("github", "sarif"):
        _report_ci(diags, fmt, err)
        if fmt == "github":
            click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)", err=True)
        return
    if fmt == "json":
        body = {
            "errors": [d.to_json() for d in errors],
            "warnings": [d.to_json() for d in warnings],
        }
        import json  # imported when used: not on the path of a cached check

        click.echo(json.dumps(body, ensure_ascii=False, indent=2), err=err)
        return
    stream = sys.stderr if err else sys.stdout
    colour = stream.isatty()
    for d in [*errors, *warnings]:
        click.echo(_paint(d, colour), err=err)
    click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)", err=True)


def _report_ci(diags: list[Diagnostic], fmt: str, err: bool) -> None:
    import os  # imported when used: these formats are not on the path of a plain check

    from toolkit import __version__
    from toolkit.cli import annotations

    cwd = os.getcwd()
    if fmt == "github":
        for line in annotations.github_commands(diags, cwd):
            click.echo(line, err=err)
        return
    import json

    log = annotations.sarif_log(diags, cwd, __version__, WARNING_CODES)
    click.echo(json.dumps(log, ensure_ascii=False, indent=2), err=err)
