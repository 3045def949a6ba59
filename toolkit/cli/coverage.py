"""Commands `journey coverage` and `journey content export|import` (thin, like toolkit.cli.main).

Exit codes: 0 ok; 1 problems (errors in the project, rejected sheet rows, an edit that
would not validate, coverage below --fail-under); 2 usage.

toolkit.cli.main loads this module only when one of its commands runs; the argument and the
diagnostics printer they share come from toolkit.cli.options.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import networkx as nx
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from toolkit.analyses import coverage as cov
from toolkit.cli import coverage_text as text
from toolkit.cli import requires
from toolkit.cli.options import PROJECT_ARG, emit, report, warn_unknown_language
from toolkit.common import spreadsheet
from toolkit.common.diagnostics import Diagnostic
from toolkit.pipeline import Compiled
from toolkit.render.common import strip_controls
from toolkit.sheets.files import neutralise_csv
from toolkit.sheets.importer import FilePlan, check_on_copy, propose, unified_diff, write_plans
from toolkit.sheets.inventory import SheetError, describe, export_rows, read_sheet

SHEET_SUFFIXES = (".csv", ".xlsx", ".xlsm")
Expected = dict[str, dict[str, Any]]


def _compiled(project: Path) -> Compiled | None:
    """The compiled project, or None after reporting its errors."""
    return requires.compiled_or_report(requires.pipeline_for(project), warnings=False)


def _console(plain: bool) -> Console:
    if plain:  # not a terminal: no colour, no wrapping; '!' marks the gaps
        return Console(
            file=sys.stdout, force_terminal=False, no_color=True, width=10_000, highlight=False
        )
    return Console(file=sys.stdout, highlight=False)


@click.command()
@PROJECT_ARG
@click.option(
    "--by",
    type=click.Choice(["segment", "journey", "owner"]),
    default="segment",
    help="Rows of the matrix: segments (default), journeys, or owner roles x status.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.option(
    "--table",
    type=click.Choice(list(cov.TABLES)),
    default="steps",
    help="With --format csv: which table (journey steps, segment x stage, owners).",
)
@click.option(
    "--min",
    "min_items",
    type=click.IntRange(min=1),
    default=1,
    metavar="N",
    help="Fewer than N published items is a gap (default 1).",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Exit 1 when less than PCT percent of the journey steps are covered.",
)
@click.option(
    "--state",
    type=click.Choice(list(cov.STATES)),
    default=cov.DEFAULT_STATE,
    show_default=True,
    help="Which journeys' steps count: current-state (default), future-state or all.",
)
@click.option(
    "--lang",
    default=None,
    callback=warn_unknown_language,
    help="Label language (default: the project's).",
)
def coverage(
    project: Path,
    by: str,
    fmt: str,
    table: str,
    min_items: int,
    fail_under: float | None,
    state: str,
    lang: str | None,
) -> int:
    """Content coverage of PROJECT per segment (or journey) and stage, and its gaps."""
    compiled = _compiled(project)
    if compiled is None:
        return 1
    g = compiled.graph
    assert g is not None
    lang = lang or g.graph["language"]
    covered, total = cov.covered_share(cov.step_cells(g, state), min_items)
    if fmt == "json":
        click.echo(json.dumps(cov.coverage_json(g, state), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(cov.coverage_csv(g, table, state), nl=False)
    else:
        _print_matrix(g, by, lang, min_items, text.headline(covered, total), state)
    if fail_under is not None and cov.fails_under(covered, total, fail_under):
        click.echo(
            f"journey coverage: {text.headline(covered, total)} is below --fail-under "
            f"{fail_under:g}%",
            err=True,
        )
        return 1
    return 0


def _print_matrix(
    g: nx.MultiDiGraph, by: str, lang: str, min_items: int, head: str, state: str
) -> None:
    plain = not sys.stdout.isatty()
    console = _console(plain)
    console.print(text.legend(by, min_items), markup=False)
    console.print(
        _fitting(
            console, plain, lambda labels: _table(g, by, lang, min_items, plain, labels, state)
        )
    )
    if by != "owner":
        lines = text.gap_lines(g, by, lang, min_items, state)
        console.print(f"Gaps ({len(lines)}):" if lines else "No gaps.", markup=False)
        for line in lines:
            console.print("  " + line, markup=False, style="red" if not plain else None)
    console.print(head, markup=False)


def _table(
    g: nx.MultiDiGraph, by: str, lang: str, min_items: int, plain: bool, labels: bool, state: str
) -> Table:
    if by == "owner":
        return text.owner_table(g, lang, plain, labels)
    return text.matrix_table(g, by, lang, min_items, plain, labels, state)


def _fitting(console: Console, plain: bool, build: Callable[[bool], Table]) -> Table:
    """The table with a label column, or without it when that does not fit the terminal."""
    table = build(True)
    natural = Measurement.get(console, console.options.update(max_width=10_000), table)
    if plain or natural.maximum <= console.width:
        return table
    return build(False)


# --- content export / import -----------------------------------------------------------------


@click.group()
def content() -> None:
    """The content inventory as a sheet: export it, import the content team's edits."""


@content.command("export")
@PROJECT_ARG
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output; xlsx needs a file on a terminal).",
)
def export(project: Path, fmt: str, output: Path | None) -> int:
    """Write PROJECT's content inventory as CSV or XLSX (one row per item)."""
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        raise click.UsageError("an XLSX workbook is binary: give -o FILE.xlsx")
    compiled = _compiled(project)
    if compiled is None:
        return 1
    assert compiled.graph is not None
    if fmt == "xlsx":
        from toolkit.render.xlsx import inventory_workbook

        data = inventory_workbook(compiled.graph)
    else:
        csv_text = inventory_csv(export_rows(compiled.graph))
        # a byte-order mark in files so spreadsheet programs read them as UTF-8
        data = csv_text.encode("utf-8-sig" if output is not None else "utf-8")
    if emit(data, output):
        click.echo(f"wrote {len(compiled.project.content)} items to {output}", err=True)
    return 0


def inventory_csv(rows: list[list[str]]) -> str:
    """CSV text; cells that a spreadsheet would run as formulas get a leading apostrophe."""
    return spreadsheet.csv_text(
        [neutralise_csv(strip_controls(cell)) for cell in row] for row in rows
    )


@content.command("import")
@PROJECT_ARG
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--write", is_flag=True, help="Write the changes (default: only show them).")
@click.option(
    "--delete-missing", is_flag=True, help="Delete items the sheet lacks (default: keep them)."
)
@click.option("--sheet", default=None, help="XLSX sheet (default: 'inventory', else the first).")
def import_(project: Path, file: Path, write: bool, delete_missing: bool, sheet: str | None) -> int:
    """Update PROJECT's content items from FILE (CSV or XLSX), showing the diff first."""
    if file.suffix.lower() not in SHEET_SUFFIXES:
        raise click.BadParameter(f"'{file}' is not a .csv or .xlsx file", param_hint="FILE")
    compiled = _compiled(project)
    if compiled is None:
        return 1
    try:
        table = read_sheet(file, str(file), sheet)
    except SheetError as exc:
        report([exc.diagnostic], "text", err=True)
        return 1
    proposal = propose(project, compiled.project, table, delete_missing)
    for change in proposal.changes:
        click.echo(describe(change))
    click.echo(unified_diff(proposal.plans), nl=False)
    if proposal.diagnostics:
        report(proposal.diagnostics, "text", err=True)
    if proposal.unsafe:
        msg = f"cannot edit the YAML safely: {proposal.unsafe}"
        click.echo(f"journey content import: {msg}", err=True)
        return 1
    if not proposal.writable:
        click.echo(
            f"journey content import: the sheet has {proposal.errors} error(s); nothing written",
            err=True,
        )
        return 1
    return _apply(project, proposal.plans, proposal.expected, write)


def _apply(project: Path, plans: list[FilePlan], expected: Expected, write: bool) -> int:
    """Check the edit on a copy, then write it when asked; 1 when refused."""
    if not plans:
        click.echo("no changes to the YAML", err=True)
        return 0
    problems: list[Diagnostic] = check_on_copy(project, plans, expected)
    if problems:
        click.echo(
            "journey content import: the edited project would not load; nothing written", err=True
        )
        report(problems, "text", err=True)
        return 1
    if not write:
        click.echo(f"{len(plans)} file(s) would change; run again with --write to apply", err=True)
        return 0
    problems = write_plans(project, plans, expected)
    if problems:
        click.echo(
            "journey content import: the written project did not load; originals restored", err=True
        )
        report(problems, "text", err=True)
        return 1
    click.echo(f"wrote {len(plans)} file(s): {', '.join(p.rel for p in plans)}", err=True)
    return 0
