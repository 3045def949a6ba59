"""`journey export pptx`: the project as an editable PowerPoint deck for a client.

Thin, like the other commands: the pipeline compiles, toolkit.render.deck makes the deck,
this module checks the arguments, writes the file and prints. Exit codes: 0 written; 1
errors in the project (its diagnostics, as `journey build` prints them); 2 usage, or
python-pptx missing (toolkit.render.deck.DeckUnavailable, with the fix). python-pptx is
imported only when a deck is made.
"""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli import requires
from toolkit.cli.options import PROJECT_ARG
from toolkit.common.languages import UI_LANGUAGES

SIZES = ("16:9", "a3")  # toolkit.render.deck.SIZES, without importing the renderer


@click.command("pptx")
@PROJECT_ARG
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The deck to write: FILE.pptx.",
)
@click.option(
    "--size",
    type=click.Choice(SIZES, case_sensitive=False),
    default="16:9",
    show_default=True,
    help="Slide size: widescreen 16:9, or A3 landscape (more stages per slide).",
)
@click.option(
    "--lang",
    type=click.Choice(UI_LANGUAGES),
    default=None,
    help="Language of the deck (default: the project's).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
def export_pptx(project: Path, out: Path, size: str, lang: str | None, force: bool) -> int:
    """Write PROJECT as an editable PowerPoint deck: stage model, personas, journey maps
    (native tables, the emotion curve as a chart), coverage and gaps."""
    from toolkit.render.common import RenderOptions
    from toolkit.render.deck import make_deck
    from toolkit.sheets.workflow import write_atomic

    if out.suffix.lower() != ".pptx":
        raise click.BadParameter(f"{out} is not a .pptx file name", param_hint="-o/--out")
    if (out.exists() or out.is_symlink()) and not force:
        raise click.UsageError(f"{out} exists; use --force to replace it")
    if out.exists() and not out.is_file():
        raise click.UsageError(f"{out} is not a file")
    compiled = requires.compiled_or_report(requires.pipeline_for(project))
    if compiled is None or compiled.graph is None:
        return 1
    options = RenderOptions(
        lang or compiled.graph.graph["language"],
        frozenset({"pptx"}),
        shown_as=compiled.project.shown_as,
    )
    deck = make_deck(compiled.graph, options, size.lower())
    try:
        write_atomic(out, deck.data)
    except OSError as exc:
        click.echo(f"journey export pptx: cannot write {out}: {exc.strerror}", err=True)
        return 2
    click.echo(f"wrote {out} ({deck.slides} slides)")
    return 0
