"""Command line: thin wrappers that run the pipeline and print what it found."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toolkit import __version__
from toolkit.cli.options import known_warning_codes, warn_unknown_language
from toolkit.common.diagnostics import Diagnostic, printable, promote, split
from toolkit.common.errors import EnvironmentFailure

if TYPE_CHECKING:
    from toolkit.load.cache import ParseCache
    from toolkit.pipeline import Compiled

# Heavy modules (pydantic models, networkx, renderers) are imported inside the commands that
# need them, so that a `journey check` answered from the result cache starts fast.

PROJECT_ARG = click.argument(
    "project", type=click.Path(exists=True, file_okay=False, path_type=Path), default="."
)
LANG_OPTION = click.option(
    "--lang",
    default=None,
    callback=warn_unknown_language,
    help="Output language (default: the project's).",
)
NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the caches of parses and check results (cold run).",
)


def cache_for(no_cache: bool) -> ParseCache | None:
    from toolkit.load.cache import ParseCache, default_dir
    from toolkit.load.sources import has_libyaml

    if not has_libyaml():
        click.echo(
            "journey: PyYAML was built without libyaml; loading is about 4x slower "
            "(reinstall PyYAML with libyaml-dev present)",
            err=True,
        )
    return None if no_cache else ParseCache(default_dir())


def compile_fast(project: Path, no_cache: bool) -> Compiled:
    """compile_project, with the changed sources parsed ahead on every core.

    The workers start before the models and the graph library are imported, so that
    import overlaps the parse.
    """
    from toolkit.load.sources import display_root
    from toolkit.load.workers import prefetch, usable_cores

    ahead = prefetch(project, display_root(str(project)), cache_for(no_cache), usable_cores())
    try:
        from toolkit.pipeline import compile_project

        one_shot = bool((click.get_current_context().find_root().obj or {}).get("one_shot"))
        return compile_project(project, cache=ahead, one_shot=one_shot)
    finally:
        ahead.close()


def check_key(project: Path, no_cache: bool) -> str | None:
    from toolkit.load.results import check_key as key_of

    return None if no_cache else key_of(project)


def cached_check(key: str | None) -> list[Diagnostic] | None:
    """The diagnostics of the last check of exactly these sources, if the cache has them."""
    from toolkit.load.cache import default_dir
    from toolkit.load.results import ResultCache

    return None if key is None else ResultCache(default_dir()).get(key)


def store_check(project: Path, key: str | None, diags: list[Diagnostic]) -> None:
    """Remember a check's diagnostics, unless a source changed while it ran."""
    from toolkit.load.cache import default_dir
    from toolkit.load.results import ResultCache

    if key is not None and check_key(project, False) == key:
        ResultCache(default_dir()).put(key, diags)


def _paint(d: Diagnostic, colour: bool) -> str:
    text = d.render()
    if not colour:
        return text
    return click.style(text, fg="red" if d.severity == "error" else "yellow")


def report(diags: list[Diagnostic], fmt: str, err: bool = False) -> None:
    """Print diagnostics as text lines (with a summary) or as one JSON object."""
    errors, warnings = split(diags)
    if fmt == "json":
        body = {
            "errors": [d.to_json() for d in errors],
            "warnings": [d.to_json() for d in warnings],
        }
        click.echo(json.dumps(body, ensure_ascii=False, indent=2), err=err)
        return
    stream = sys.stderr if err else sys.stdout
    colour = stream.isatty()
    for d in [*errors, *warnings]:
        click.echo(_paint(d, colour), err=err)
    click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)", err=True)


# Commands whose modules (and their heavy libraries: openpyxl, DuckDB) load only when used.
LAZY_COMMANDS = {
    "coverage": "toolkit.cli.coverage:coverage",
    "content": "toolkit.cli.coverage:content",
    "init": "toolkit.cli.workflow:init",
    "diff": "toolkit.cli.workflow:diff",
    "import": "toolkit.cli.workflow:import_",
    "export": "toolkit.cli.workflow:export",
    "leads": "toolkit.cli.leads:leads",
    "selfcheck": "toolkit.cli.leads:selfcheck",
}


class LazyGroup(click.Group):
    """A command group that imports a command's module the first time it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

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
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--ignore",
    multiple=True,
    metavar="CODE",
    callback=known_warning_codes,
    help="Silence a warning code (repeatable).",
)
@NO_CACHE
def check(project: Path, fmt: str, strict: bool, ignore: tuple[str, ...], no_cache: bool) -> int:
    """Validate PROJECT and report every error and warning in one run."""
    key = check_key(project, no_cache)
    found = cached_check(key)
    if found is None:
        found = compile_fast(project, no_cache).diagnostics
        store_check(project, key, found)
    diags = promote(found, strict, frozenset(ignore))
    report(diags, fmt)
    return 1 if any(d.severity == "error" for d in diags) else 0


@cli.command()
@PROJECT_ARG
@NO_CACHE
def graph(project: Path, no_cache: bool) -> int:
    """Print the compiled journey graph of PROJECT as networkx node-link JSON."""
    from toolkit.graph.build import to_node_link

    compiled = compile_fast(project, no_cache)
    if compiled.graph is None:
        report(compiled.diagnostics, "text", err=True)
        return 1
    click.echo(json.dumps(to_node_link(compiled.graph), ensure_ascii=False, indent=1))
    return 0


@cli.command()
def schema() -> int:
    """Print the JSON Schema of format v1 (for editors)."""
    from toolkit.model.schema import format_schema

    click.echo(json.dumps(format_schema(), ensure_ascii=False, indent=2))
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
    help="Comma-separated: html,svg,png,pdf,dot,mermaid,json,csv,xlsx (default: all it can make).",
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
) -> int:
    """Render PROJECT's journey maps, diagrams and data into OUT."""
    from toolkit.render.builder import FormatError, has_dot, plan_formats, render_all
    from toolkit.render.common import RenderOptions
    from toolkit.write import OutputError, check_out_dir, write_output

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
    compiled = compile_fast(project, no_cache)
    if compiled.graph is None or not compiled.ok:
        report(compiled.diagnostics, "text", err=True)
        return 1
    if compiled.diagnostics:
        report(compiled.diagnostics, "text", err=True)
    for note in plan.notes:
        click.echo(note, err=True)
    options = RenderOptions(
        lang or compiled.graph.graph["language"],
        plan.formats,
        shown_as=compiled.project.shown_as,
    )
    overlay_files: dict[str, bytes] = {}
    if leads_file is not None:
        from toolkit.cli.leads import build_overlay

        overlay, overlay_files = build_overlay(
            compiled, leads_file, events_file, rules, as_of, options.lang
        )
        options = dataclasses.replace(options, overlay=overlay)
    try:
        with _progress() as phase:
            files = render_all(compiled.graph, options, jobs or default_jobs(), phase)
        files.update(overlay_files)
        write_output(project, out_dir, files)
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
def serve(
    project: Path,
    host: str,
    port: int,
    out: Path | None,
    formats: str,
    lang: str | None,
    no_cache: bool,
) -> int:
    """Build PROJECT, serve the output and rebuild on every save (live reload)."""
    import signal
    import threading
    import time

    from toolkit.render.builder import FormatError, has_dot, plan_formats
    from toolkit.serve.live import LiveBuild
    from toolkit.serve.server import make_server
    from toolkit.serve.watch import fingerprint, watch
    from toolkit.write import OutputError, check_out_dir

    out_dir = out if out is not None else project / "output"
    try:
        plan = plan_formats(formats, has_dot())
        check_out_dir(project, out_dir)
    except (FormatError, OutputError) as exc:
        raise click.UsageError(str(exc)) from None
    live = LiveBuild(project, out_dir, plan.formats, lang, default_jobs(), cache_for(no_cache))

    def rebuild() -> None:
        started = time.perf_counter()
        ok, lines, changed = live.rebuild()
        for line in lines:
            click.echo(line, err=True)
        ms = (time.perf_counter() - started) * 1000
        if ok:
            click.echo(f"built in {ms:.0f} ms, {len(changed)} file(s) changed", err=True)
        else:
            click.echo(f"build failed in {ms:.0f} ms; the last good output stays", err=True)

    sources = fingerprint(project)
    rebuild()
    try:
        server = make_server(host, port, out_dir, live.state)
    except OSError as exc:
        raise click.UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # Ctrl-C is the normal way to stop
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"journey serve: {host} is not loopback: anyone on the network can read the map",
            err=True,
        )
    click.echo(f"serving {out_dir} at http://{host}:{server.server_port}/ (Ctrl-C to stop)")
    sys.stdout.flush()
    try:
        watch(project, rebuild, stop, sources)
    finally:
        server.shutdown()
        server.server_close()
    click.echo("stopped", err=True)
    return 0


def default_jobs() -> int:
    return max(1, min(8, os.cpu_count() or 1))


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A one-line progress display on a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda _name: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("rendering {task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None)
        yield lambda name: progress.update(task, description=name)


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
            traceback.print_exc()
        fix = f" ({exc.fix})" if exc.fix else ""
        click.echo(printable(f"journey: {exc}{fix}"), err=True)
        code = 2
    except Exception as exc:  # the one place that turns a bug into exit 2
        if "--debug" in args:
            traceback.print_exc()
        click.echo(
            f"journey: internal error, sorry ({type(exc).__name__}: {exc}); "
            "this is a bug: please report it (rerun with --debug for the traceback)",
            err=True,
        )
        code = 2
    code = code if isinstance(code, int) else 0
    if argv is None:
        quick_exit(code)
    sys.exit(code)


def quick_exit(code: int) -> None:
    """End a command-line run without tearing down every object it loaded (a large project
    holds millions), once output is flushed and no worker process is left to wait for."""
    import multiprocessing

    if multiprocessing.active_children():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        return
    os._exit(code)
