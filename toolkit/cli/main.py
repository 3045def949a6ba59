"""Command line: thin wrappers that run the pipeline and print what it found."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit import __version__
from toolkit.cli import requires
from toolkit.cli.options import (
    LANG_OPTION,
    NO_CACHE,
    PAPER_OPTION,
    PROJECT_ARG,
    SHOW_EMPTY_ROWS,
    emit,
    known_warning_codes,
    report,
)
from toolkit.common.diagnostics import printable, promote
from toolkit.common.errors import EnvironmentFailure
from toolkit.model.outputs import OUTPUT_KINDS, output_schema, schema_text

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from toolkit.pipeline import Pipeline

# Heavy modules (pydantic models, networkx, renderers) are imported inside the commands that
# need them, so that a `journey check` answered from the result cache starts fast.


# Commands whose modules (and their heavy libraries: openpyxl, DuckDB) load only when used,
# with the first paragraph of each one's help, which `journey --help` shortens as click would
# (so listing imports none of them; a test checks each equals the command's own).
LAZY_COMMANDS = {
    "coverage": "toolkit.cli.coverage:coverage",
    "content": "toolkit.cli.coverage:content",
    "init": "toolkit.cli.workflow:init",
    "diff": "toolkit.cli.workflow:diff",
    "import": "toolkit.cli.workflow:import_",
    "export": "toolkit.cli.workflow:export",
    "leads": "toolkit.cli.leads:leads",
    "selfcheck": "toolkit.cli.leads:selfcheck",
    "report": "toolkit.cli.report:report_command",
    "plan": "toolkit.cli.plan:plan",
}
LAZY_HELP = {
    "coverage": "Content coverage of PROJECT per segment (or journey) and stage, and its gaps.",
    "content": "The content inventory as a sheet: export it, import the content team's edits.",
    "init": "Create a ready journey project in DIR from a template.",
    "diff": "Show what changed between two versions of a project (folders or git revisions).",
    "import": "Bring workshop material into the project.",
    "export": "Hand project material to a workshop, or a deck to a client.",
    "leads": "Judge the leads in LEADS (CSV or Parquet) with PROJECT's qualification rules.",
    "selfcheck": 'The ten-question lead-management self-check: two or more "yes" signal a problem.',
    "report": "Render PROJECT as one PDF report: cover, contents, stage model, personas, journey "
    "maps.",
    "plan": "The six B2B marketing processes of PROJECT: funnel stages, roles, actions, KPIs, "
    "gaps.",
}


class LazyGroup(click.Group):
    """A command group that imports a command's module the first time it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, without importing the lazy commands' modules."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS and name not in self.commands:
                stand_in = click.Command(name, help=LAZY_HELP[name])  # click shortens it
                rows.append((name, stand_in.get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Shell completion of command names (and the group's options), without importing the
        lazy commands' modules; a lazy command's own options load it (click resolves it)."""
        from click.shell_completion import CompletionItem

        items = []
        for name in self.list_commands(ctx):
            if not name.startswith(incomplete):
                continue
            if name in LAZY_COMMANDS and name not in self.commands:
                stand_in = click.Command(name, help=LAZY_HELP[name])
                items.append(CompletionItem(name, help=stand_in.get_short_help_str()))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                items.append(CompletionItem(name, help=command.get_short_help_str()))
        return [*items, *click.Command.shell_complete(self, ctx, incomplete)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attr = LAZY_COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="journey")
@click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
def cli(debug: bool) -> None:
    """Customer journeys as code: check, compile and render journey projects."""


@cli.command()
@PROJECT_ARG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    help="Text lines, JSON, GitHub Actions annotations or SARIF 2.1.0 (code scanning).",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE",
    callback=known_warning_codes,
    help="Silence a warning code (repeatable).",
)
@NO_CACHE
@requires.pipeline
def check(pipeline: Pipeline, fmt: str, strict: bool, ignore: tuple[str, ...]) -> int:
    """Validate PROJECT and report every error and warning in one run."""
    diags = promote(pipeline.check(), strict, frozenset(ignore))
    report(diags, fmt)
    return 1 if any(d.severity == "error" for d in diags) else 0


@cli.command()
@PROJECT_ARG
@NO_CACHE
@requires.pipeline
def graph(pipeline: Pipeline) -> int:
    """Print the compiled journey graph of PROJECT as networkx node-link JSON."""
    from toolkit.graph.build import to_node_link

    compiled = pipeline.compiled()
    if compiled.graph is None:
        report(compiled.diagnostics, "text", err=True)
        return 1
    import json

    click.echo(json.dumps(to_node_link(compiled.graph), ensure_ascii=False, indent=1))
    return 0


@cli.command()
@click.option(
    "--output",
    "kind",
    type=click.Choice(list(OUTPUT_KINDS)),
    default=None,
    help="Instead, the schema of a command's JSON output: " + ", ".join(OUTPUT_KINDS) + ".",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the schema to FILE (replaced whole) instead of printing it.",
)
def schema(kind: str | None, out: Path | None) -> int:
    """Print the JSON Schema of format v1 (for editors), or of a command's JSON output."""
    if kind is None:
        from toolkit.model.schema import format_schema_text

        text = format_schema_text()
    else:
        text = schema_text(output_schema(kind))
    try:
        if not emit(text.encode("utf-8"), out):
            return 0
    except OSError as exc:
        click.echo(printable(f"journey schema: cannot write {out}: {exc.strerror}"), err=True)
        return 2
    click.echo(printable(f"wrote {out}"), err=True)
    return 0


@cli.command()
@PROJECT_ARG
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default: PROJECT/output).",
)
@click.option(
    "--format",
    "formats",
    default=None,
    metavar="LIST",
    help="Comma-separated: html,svg,png,pdf,dot,mermaid,json,csv,xlsx (default: all it can "
    "make); pptx (deck.pptx, the slide deck) and report (report.pdf) only when named.",
)
@LANG_OPTION
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel jobs: Graphviz runs, and page workers beyond two (default: cores, up to 8).",
)
@NO_CACHE
@click.option(
    "--leads",
    "leads_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Overlay lead counts judged from this CSV/Parquet export (see docs/QUALIFICATION.md).",
)
@click.option(
    "--events",
    "events_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Behaviour events for --leads.",
)
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Qualification rules for --leads (default: the project's kind: qualification).",
)
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="As-of moment for --leads.")
@PAPER_OPTION
@SHOW_EMPTY_ROWS
def build(
    project: Path,
    out: Path | None,
    formats: str | None,
    lang: str | None,
    jobs: int | None,
    no_cache: bool,
    leads_file: Path | None,
    events_file: Path | None,
    rules: Path | None,
    as_of: str | None,
    paper: str,
    show_empty_rows: bool,
) -> int:
    """Render PROJECT's journey maps, diagrams and data into OUT."""
    from toolkit.render.formats import FormatError, has_dot, plan_formats
    from toolkit.write import OutputError, check_out_dir

    out_dir = out if out is not None else project / "output"
    try:
        plan = plan_formats(formats, has_dot())
    except FormatError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    try:
        check_out_dir(project, out_dir)
    except OutputError as exc:
        click.echo(f"journey build: {exc}", err=True)
        return 2
    pipeline = requires.pipeline_for(project, no_cache, jobs)
    pipeline.start()  # the workers parse while the renderers are imported
    from toolkit.render.common import RenderOptions
    from toolkit.render.notices import page_warnings

    compiled = requires.compiled_or_report(pipeline)
    if compiled is None or compiled.graph is None:
        return 1
    for note in plan.notes:
        click.echo(note, err=True)
    options = RenderOptions(
        lang or compiled.graph.graph["language"],
        plan.formats,
        shown_as=compiled.project.shown_as,
        paper=paper,
        show_empty_rows=show_empty_rows,
        warnings=page_warnings(compiled.diagnostics),
        diagnostics=tuple(compiled.diagnostics),
    )
    if leads_file is not None:
        from toolkit.cli.leads import build_overlay

        overlay = build_overlay(pipeline, compiled, leads_file, events_file, rules, as_of)
        import dataclasses

        options = dataclasses.replace(options, overlay=overlay)
    try:
        with _progress() as phase:
            files = pipeline.render(compiled.graph, options, phase)
        pipeline.write(out_dir, files)
    except OutputError as exc:
        click.echo(f"journey build: {exc}", err=True)
        return 2
    click.echo(f"wrote {len(files)} files to {out_dir}/ (open {out_dir / 'index.html'})", err=True)
    return 0


@cli.command()
@PROJECT_ARG
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None)
@click.option("--format", "formats", default="html,svg,mermaid,json,csv", show_default=True)
@LANG_OPTION
@NO_CACHE
@PAPER_OPTION
@SHOW_EMPTY_ROWS
def serve(
    project: Path,
    host: str,
    port: int,
    out: Path | None,
    formats: str,
    lang: str | None,
    no_cache: bool,
    paper: str,
    show_empty_rows: bool,
) -> int:
    """Build PROJECT, serve the output and rebuild on every save (live reload)."""
    import signal
    import threading

    from toolkit.render.formats import FormatError, has_dot, plan_formats
    from toolkit.serve.live import LiveBuild, on_demand_formats
    from toolkit.serve.session import Session
    from toolkit.write import OutputError, check_out_dir

    out_dir = out if out is not None else project / "output"
    try:
        plan = plan_formats(formats, has_dot())
        check_out_dir(project, out_dir)
    except (FormatError, OutputError) as exc:
        raise click.UsageError(str(exc)) from None
    live = LiveBuild(
        requires.pipeline_for(project, no_cache, live=True),
        out_dir,
        plan.formats,
        lang,
        paper=paper,
        show_empty_rows=show_empty_rows,
    )
    live.on_demand = on_demand_formats(plan.formats)
    session = Session(
        project,
        out_dir,
        live.state,
        live.rebuild,
        lambda line: click.echo(line, err=True),
        live.downloads(),
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C is the normal way to stop
        signal.signal(signum, lambda *_: stop.set())

    def ready(bound: int) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(
                f"journey serve: {host} is not loopback: anyone on the network can read the map",
                err=True,
            )
        click.echo(f"serving {out_dir} at http://{host}:{bound}/ (Ctrl-C to stop)")
        sys.stdout.flush()

    try:
        session.run(host, port, stop, ready)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    click.echo("stopped", err=True)
    return 0


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A one-line progress display on a terminal, redrawn as each builder starts; silent
    otherwise. It refreshes only when told (no refresh thread): a render forks its workers
    only while this process runs a single thread (toolkit.load.workers.can_fork)."""
    if not sys.stderr.isatty():
        yield lambda _name: None
        return
    from rich.console import Console
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("rendering {task.description}"), TimeElapsedColumn())
    with Progress(
        *columns, console=Console(stderr=True), transient=True, auto_refresh=False
    ) as progress:
        task = progress.add_task("", total=None)
        yield lambda name: progress.update(task, description=name, refresh=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: exit 0 ok, 1 problems in the project, 2 usage or internal error."""
    args = sys.argv[1:] if argv is None else argv
    try:
        # obj["one_shot"]: the process ends with this command (toolkit.pipeline.paused_gc).
        one_shot = {"one_shot": argv is None}
        code = cli.main(args=args, prog_name="journey", standalone_mode=False, obj=one_shot)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        exc.show()
        code = 2
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except EnvironmentFailure as exc:  # a tool of this machine failed: say which, and the fix
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        fix = f" ({exc.fix})" if exc.fix else ""
        click.echo(printable(f"journey: {exc}{fix}"), err=True)
        code = 2
    except Exception as exc:  # the one place that turns a bug into exit 2
        if "--debug" in args:
            import traceback

            traceback.print_exc()
        click.echo(
            f"journey: internal error, sorry ({type(exc).__name__}: {exc}); "
            "this is a bug: please report it (rerun with --debug for the traceback)",
            err=True,
        )
        code = 2
    code = code if isinstance(code, int) else 0
    note = requires.libyaml_note()
    if note is not None:
        click.echo(note, err=True)
    if argv is None:
        quick_exit(code)
    sys.exit(code)


def quick_exit(code: int) -> None:
    """End a command-line run without tearing down every object it loaded (a large project
    holds millions), once output is flushed and no worker process is left to wait for."""
    multiprocessing = sys.modules.get("multiprocessing")  # never imported: no worker exists
    if multiprocessing is not None and multiprocessing.active_children():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        return
    os._exit(code)
