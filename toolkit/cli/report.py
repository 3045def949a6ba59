"""`journey report`: the project as one PDF (toolkit.render.report), with the lead summary
when a lead export is given. Loaded only when the command runs (toolkit.cli.main's
LAZY_COMMANDS): WeasyPrint is heavy, and only this command and `build --format report`
need it."""

from __future__ import annotations

from pathlib import Path

import click

from toolkit.cli import requires
from toolkit.cli.options import LANG_OPTION, NO_CACHE, PAPER_OPTION, PROJECT_ARG
from toolkit.write import write_file

FILE_ARG = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("report")
@PROJECT_ARG
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.pdf"),
    show_default=True,
    help="The PDF to write.",
)
@PAPER_OPTION
@LANG_OPTION
@click.option(
    "--leads",
    "leads_file",
    type=FILE_ARG,
    default=None,
    help="Add the lead summary and funnel judged from this CSV/Parquet export.",
)
@click.option("--events", "events_file", type=FILE_ARG, default=None, help="Events for --leads.")
@click.option(
    "--rules",
    type=FILE_ARG,
    default=None,
    help="Qualification rules for --leads (default: the project's kind: qualification).",
)
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As-of moment for --leads.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that set pages side by side (default: cores, up to 8).",
)
@NO_CACHE
def report_command(
    project: Path,
    out: Path,
    paper: str,
    lang: str | None,
    leads_file: Path | None,
    events_file: Path | None,
    rules: Path | None,
    as_of: str | None,
    jobs: int | None,
    no_cache: bool,
) -> int:
    """Render PROJECT as one PDF report: cover, contents, stage model, personas, journey maps.

    Then the comparison, the content coverage with its gaps and owners, the leads (with
    --leads) and an appendix of the check's warnings; landscape A3 or A4 (--paper). Needs
    WeasyPrint and its system libraries (Pango).
    """
    import dataclasses

    from toolkit.render.common import RenderOptions
    from toolkit.render.report import make_report, pypdf_module, weasyprint_module

    if events_file is not None and leads_file is None:
        raise click.UsageError("--events needs --leads")
    if rules is not None and leads_file is None:
        raise click.UsageError("--rules needs --leads")
    weasyprint_module()  # missing WeasyPrint: its fix, exit 2, before the project loads
    pypdf_module()
    if not out.parent.is_dir():
        click.echo(f"journey report: no folder {out.parent} for {out.name}", err=True)
        return 2
    pipeline = requires.pipeline_for(project, no_cache, jobs)
    compiled = requires.compiled_or_report(pipeline)
    if compiled is None or compiled.graph is None:
        return 1
    options = RenderOptions(
        lang or compiled.graph.graph["language"],
        frozenset({"report"}),
        shown_as=compiled.project.shown_as,
        paper=paper,
        diagnostics=tuple(compiled.diagnostics),
    )
    if leads_file is not None:
        from toolkit.cli.leads import build_overlay

        overlay = build_overlay(pipeline, compiled, leads_file, events_file, rules, as_of)
        options = dataclasses.replace(options, overlay=overlay)
    made = make_report(compiled.graph, options, compiled.diagnostics, pipeline.settings.jobs)
    write_file(out, made.pdf)
    click.echo(f"wrote {out} ({made.pages} pages, {len(made.pdf) // 1024} KiB)", err=True)
    return 0
