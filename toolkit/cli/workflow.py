"""Workshop and deliverable commands: `init`, `diff`, `import sheet`, `export sheet` and
`export pptx` (in toolkit.cli.deck).

Written like the commands in toolkit.cli.main (each returns its exit code: 0 ok, 1 problems in a
project, 2 usage errors); toolkit.cli.main loads this module only when one of them runs. The
argument and the diagnostics printer they share come from toolkit.cli.options.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from toolkit.analyses.diff import DiffResult, diff_graphs, diff_journeys
from toolkit.analyses.diff_report import render_json, render_text
from toolkit.cli.deck import export_pptx
from toolkit.cli.options import PROJECT_ARG, report
from toolkit.common.diagnostics import Diagnostic, did_you_mean
from toolkit.load.revisions import RevisionError, Side, materialise
from toolkit.pipeline import compile_project
from toolkit.scaffold.scaffold import LANGUAGES, InitError, describe, init_project, template_names
from toolkit.sheets.workflow import (
    ImportRequest,
    Outcome,
    SheetUsageError,
    export_sheet,
    import_sheet,
    write_atomic,
)

LANG_OPTION = click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None, help="Language of labels (ja or en)."
)
FORCE = click.option("--force", is_flag=True, help="Replace an existing output file.")


# --- init --------------------------------------------------------------------------------------


@click.command()
@click.argument("directory", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option(
    "--template",
    "template",
    default="b2b",
    show_default=True,
    metavar="NAME",
    help="b2b, minimal or story (see --list).",
)
@LANG_OPTION
@click.option(
    "--force",
    is_flag=True,
    help="Allow a folder that is not empty (existing files are never overwritten).",
)
@click.option("--list", "list_", is_flag=True, help="List the templates and exit.")
def init(directory: Path | None, template: str, lang: str | None, force: bool, list_: bool) -> int:
    """Create a ready journey project in DIR from a template."""
    if list_:
        for name in template_names():
            info = describe(name)
            click.echo(f"{name:<10} [{info.language}] {info.description}")
        return 0
    if directory is None:
        raise click.UsageError("give the folder to create: journey init DIR")
    if template not in template_names():
        raise click.BadParameter(
            f"unknown template {template!r}; choose one of: {', '.join(template_names())}",
            param_hint="--template",
        )
    try:
        result = init_project(directory, template, lang, force)
    except InitError as exc:
        click.echo(f"journey init: {exc}", err=True)
        return 2
    for rel in result.written:
        click.echo(f"created {directory / rel}")
    for rel in result.kept:
        click.echo(f"kept    {directory / rel} (exists already)")
    click.echo("")
    click.echo("next:")
    click.echo(f"  journey check {directory}")
    click.echo(f"  journey build {directory}")
    return 0


# --- diff --------------------------------------------------------------------------------------


def _shown(diags: list[Diagnostic], side: Side) -> list[Diagnostic]:
    """Diagnostics of a side compiled with relative names, named as the user wrote the side."""
    return [
        Diagnostic(
            d.severity,
            d.code,
            d.message,
            side.name if d.file in ("", ".") else f"{side.prefix}{d.file}",
            d.line,
            d.column,
            d.hint,
        )
        for d in diags
    ]


@click.command()
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--journeys",
    nargs=2,
    metavar="A B",
    default=None,
    help="Compare two journeys of one project OLD (e.g. current and future state), by stage.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Project folder in the git repository (default: here).",
)
@LANG_OPTION
def diff(
    old: str,
    new: str | None,
    journeys: tuple[str, str] | None,
    fmt: str,
    out: Path | None,
    repo: Path | None,
    lang: str | None,
) -> int:
    """Show what changed between two versions of a project (folders or git revisions).

    With --journeys A B: between two journeys of one project OLD (a current and a future
    state), step by step, paired by customer stage."""
    if journeys is not None and new is not None:
        raise click.UsageError(
            "with --journeys give one project: journey diff PROJECT --journeys A B"
        )
    if journeys is None and new is None:  # as when NEW was a required argument
        ctx = click.get_current_context()
        param = next(p for p in ctx.command.params if p.name == "new")
        raise click.MissingParameter(ctx=ctx, param=param, param_hint="'NEW'")
    if journeys is not None:
        found = _diff_journeys(old, journeys, repo)
        if found is None:
            return 1
        return _write_diff(found, fmt, out, lang)
    assert new is not None
    try:
        with contextlib.ExitStack() as stack:
            sides = [stack.enter_context(materialise(arg, repo)) for arg in (old, new)]
            compiled = [compile_project(side.root, shown_as="") for side in sides]
            failed = [(c, s) for c, s in zip(compiled, sides, strict=True) if not c.ok]
            if failed:
                for c, side in failed:
                    report(_shown(c.diagnostics, side), "text", err=True)
                return 1
            a, b = compiled
            assert a.graph is not None and b.graph is not None
            result = diff_graphs(a.graph, b.graph, a.diagnostics, b.diagnostics, (old, new))
    except RevisionError as exc:
        raise click.UsageError(str(exc)) from None
    return _write_diff(result, fmt, out, lang)


def _diff_journeys(project: str, pair: tuple[str, str], repo: Path | None) -> DiffResult | None:
    """Two journeys of one project (a folder or a git revision) compared; None after
    reporting the project's errors. An unknown journey id is a usage error."""
    try:
        with materialise(project, repo) as side:
            compiled = compile_project(side.root, shown_as="")
            if not compiled.ok:
                report(_shown(compiled.diagnostics, side), "text", err=True)
                return None
    except RevisionError as exc:
        raise click.UsageError(str(exc)) from None
    g = compiled.graph
    assert g is not None
    known = [d["ref"] for _, d in g.nodes(data=True) if d.get("type") == "journey"]
    for ident in pair:
        if ident not in known:
            hint = did_you_mean(ident, known) or "journeys: " + (", ".join(known) or "(none)")
            raise click.UsageError(f"no journey '{ident}' in {project} ({hint})")
    return diff_journeys(g, pair[0], pair[1], compiled.diagnostics)


def _write_diff(result: DiffResult, fmt: str, out: Path | None, lang: str | None) -> int:
    if fmt == "json":
        text = render_json(result)
    elif fmt == "html":
        from toolkit.render.diff_html import render_diff_html

        text = render_diff_html(result, lang)
    else:
        text = render_text(result)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_atomic(out, text.encode("utf-8"))
        click.echo(f"wrote {out}", err=True)
    return 0


# --- sheets ------------------------------------------------------------------------------------


def _finish(outcome: Outcome, verb: str) -> int:
    if outcome.diagnostics:
        report(outcome.diagnostics, "text", err=True)
    if not outcome.ok:
        return 1
    click.echo(f"{verb} {outcome.written}")
    return 0


@click.group("import")
def import_() -> None:
    """Bring workshop material into the project."""


@import_.command("sheet")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--journey", "journey_id", required=True, metavar="ID", help="The journey's id.")
@click.option(
    "--project",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML file to write (default: the journey's file, else PROJECT/journeys/journey-ID.yaml).",
)
@click.option("--persona", default=None, help="Whose journey it is (a persona id).")
@click.option("--segment", default=None, help="Or: the segment whose journey it is.")
@FORCE
def import_sheet_cmd(
    sheet: Path,
    journey_id: str,
    project: Path,
    out: Path | None,
    persona: str | None,
    segment: str | None,
    force: bool,
) -> int:
    """Turn a journey grid (CSV or XLSX) into a `kind: journey` YAML file."""
    req = ImportRequest(project, sheet, journey_id, out, persona, segment, force)
    try:
        outcome = import_sheet(req)
    except SheetUsageError as exc:
        raise click.UsageError(str(exc)) from None
    return _finish(outcome, "wrote")


@click.group("export")
def export() -> None:
    """Hand project material to a workshop, or a deck to a client."""


export.add_command(export_pptx)  # `journey export pptx` (toolkit.cli.deck)


@export.command("sheet")
@PROJECT_ARG
@click.option("--journey", "journey_id", required=True, metavar="ID", help="The journey's id.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.xlsx or FILE.csv",
)
@LANG_OPTION
@FORCE
def export_sheet_cmd(
    project: Path, journey_id: str, out: Path, lang: str | None, force: bool
) -> int:
    """Write a journey as a grid (stages as columns, lanes as rows) for a workshop."""
    try:
        outcome = export_sheet(project, journey_id, out, lang, force)
    except SheetUsageError as exc:
        raise click.UsageError(str(exc)) from None
    return _finish(outcome, "wrote")
