"""Command line for prospect judgment: `journey leads` and `journey selfcheck`.

Written like toolkit/cli/main.py's commands (thin: load, call, print); toolkit.cli.main loads
this module only when one of them runs. `build_overlay` serves `journey build --leads`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toolkit.analyses.selfcheck import (
    QUESTIONS,
    Result,
    answers_from_yaml,
    project_facts,
    report_data,
    report_lines,
)
from toolkit.cli import requires
from toolkit.cli.options import PROJECT_ARG, report
from toolkit.common import spreadsheet
from toolkit.leads.handoff import HANDOFF_COLUMNS
from toolkit.leads.io import Problem
from toolkit.leads.judge import Judgment, LeadsError, Options, parse_as_of
from toolkit.leads.run import RULES_FAILED
from toolkit.leads.summary import summary_lines
from toolkit.model.qualification import project_qualification
from toolkit.pipeline import Compiled
from toolkit.render.common import strip_controls
from toolkit.render.data import neutralise
from toolkit.write import write_file

if TYPE_CHECKING:
    from toolkit.pipeline import Pipeline
    from toolkit.render.overlay import LeadOverlay

MAX_SHOWN_PROBLEMS = 20
PROBLEM_COLUMNS = ("file", "row", "column", "value", "reason", "effect")
FILE_ARG = click.Path(exists=True, dir_okay=False, path_type=Path)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"expected FIELD=COLUMN, got {value!r}", param_hint=option)
        out[field.strip()] = column.strip()
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}" if value == int(value) else f"{value:.2f}"
    return neutralise(strip_controls(str(value)))


def csv_bytes(columns: tuple[str, ...], rows: list[tuple[Any, ...]], bom: bool) -> bytes:
    """CSV with cells made safe for spreadsheets (no formulas) and UTF-8 (BOM for files)."""
    return spreadsheet.csv_bytes([columns, *([_cell(c) for c in row] for row in rows)], bom)


def _problem_rows(problems: list[Problem]) -> list[tuple[Any, ...]]:
    return [(p.file, p.row, p.column, p.value, p.reason, p.effect) for p in problems]


def build_overlay(
    pipeline: Pipeline,
    compiled: Compiled,
    leads_file: Path,
    events_file: Path | None,
    rules: Path | None,
    as_of: str | None,
) -> LeadOverlay:
    """For `journey build --leads`: the overlay the build's "leads" builder renders
    (leads.html and its data). Reports rule diagnostics and input problems on standard
    error; raises click.ClickException (exit 1) when the rules or the input cannot be used."""
    try:
        moment = parse_as_of(as_of) if as_of else None
    except LeadsError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    run = pipeline.judge_leads(compiled, leads_file, events_file, rules, Options(moment))
    if run.diagnostics:
        report(run.diagnostics, "text", err=True)
    overlay = pipeline.lead_overlay(compiled, run)
    if run.judgment is None or overlay is None:
        raise click.ClickException(run.failure or RULES_FAILED)
    for p in run.judgment.problems[:MAX_SHOWN_PROBLEMS]:
        click.echo(p.render(), err=True)
    return overlay


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        out.write_bytes(data)


def _refuse_inputs(out: Path | None, inputs: list[Path | None], option: str) -> None:
    """A usage error when `out` is one of the input files (it would be overwritten)."""
    if out is None or not out.exists():
        return
    for path in inputs:
        if path is not None and path.exists() and out.samefile(path):
            raise click.BadParameter(
                f"{out} is an input file; write to another file", param_hint=option
            )


def _write_file(data: bytes, out: Path) -> None:
    """The file complete or not at all (toolkit.write.write_file); a file that cannot be
    written is an error (exit 1), not a traceback."""
    try:
        write_file(out, data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")


@click.command()
@PROJECT_ARG
@click.argument("leads_file", metavar="LEADS", type=FILE_ARG)
@click.option(
    "--events",
    "events_file",
    type=FILE_ARG,
    default=None,
    help="Behaviour events, one row each (lead id, event type, timestamp).",
)
@click.option(
    "--rules",
    type=FILE_ARG,
    default=None,
    help="A qualification YAML file (default: the project's kind: qualification).",
)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="DATE",
    help="Score as of this date or time (default: the latest event in the data).",
)
@click.option(
    "--lead-column",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Column of a lead field, e.g. budget=予算 (repeatable).",
)
@click.option(
    "--event-column",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Column of an event field: lead, type or at (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    help="Format of the judged leads (json also holds summary and problems).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the judged leads here (default: standard output).",
)
@click.option(
    "--summary",
    "summary_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the summary as JSON here.",
)
@click.option(
    "--problems",
    "problems_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write every rejected row and ignored value here (CSV).",
)
@click.option(
    "--handoff",
    "handoff_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write each prospect's handoff fields (what sales wants to know) here (CSV).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any row is rejected or value ignored.")
def leads(
    project: Path,
    leads_file: Path,
    events_file: Path | None,
    rules: Path | None,
    as_of: str | None,
    lead_column: tuple[str, ...],
    event_column: tuple[str, ...],
    fmt: str,
    out: Path | None,
    summary_out: Path | None,
    problems_out: Path | None,
    handoff_out: Path | None,
    strict: bool,
) -> int:
    """Judge the leads in LEADS (CSV or Parquet) with PROJECT's qualification rules.

    Prints each lead's score, depth, lead class, rank, buy-now/someday and customer stage
    with the rules that fired; the summary and every rejected row go to standard error.
    """
    try:
        moment = parse_as_of(as_of) if as_of else None
    except LeadsError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    options = Options(
        moment, _pairs(lead_column, "--lead-column"), _pairs(event_column, "--event-column")
    )
    _refuse_inputs(handoff_out, [leads_file, events_file, rules], "--handoff")
    pipeline = requires.pipeline_for(project)
    compiled = requires.compiled_or_report(pipeline, warnings=False)
    if compiled is None:
        return 1
    run = pipeline.judge_leads(compiled, leads_file, events_file, rules, options)
    if run.diagnostics:
        report(run.diagnostics, "text", err=True)
    if run.judgment is None:
        if run.failure != RULES_FAILED:
            click.echo(f"journey leads: {run.failure}", err=True)
        return 1
    result = run.judgment
    _emit(result, fmt, out, summary_out, problems_out)
    if handoff_out is not None:
        _write_file(csv_bytes(HANDOFF_COLUMNS, result.handoff, bom=True), handoff_out)
    return 1 if strict and result.problems else 0


def _emit(
    result: Judgment,
    fmt: str,
    out: Path | None,
    summary_out: Path | None,
    problems_out: Path | None,
) -> None:
    if fmt == "json":
        body = {
            "leads": result.records(),
            "summary": result.summary,
            "problems": [
                dict(zip(PROBLEM_COLUMNS, r, strict=True)) for r in _problem_rows(result.problems)
            ],
        }
        _write(_json(body), out)
    else:
        _write(csv_bytes(result.columns, result.rows, bom=out is not None), out)
    if summary_out is not None:
        summary_out.write_bytes(_json(result.summary))
    if problems_out is not None:
        problems_out.write_bytes(
            csv_bytes(PROBLEM_COLUMNS, _problem_rows(result.problems), bom=True)
        )
    for p in result.problems[:MAX_SHOWN_PROBLEMS]:
        click.echo(p.render(), err=True)
    rest = len(result.problems) - MAX_SHOWN_PROBLEMS
    if rest > 0:
        hint = "" if problems_out else " (--problems FILE lists all)"
        click.echo(f"... and {rest} more problem(s){hint}", err=True)
    for line in summary_lines(result.summary):
        click.echo(line, err=True)


# --- selfcheck -------------------------------------------------------------------------------


def _interactive(lang: str) -> Result:
    answers: dict[str, bool | None] = {}
    for n, q in enumerate(QUESTIONS, start=1):
        answers[q.id] = click.confirm(f"{n:>2}. {q.text(lang)}", default=False, err=True)
    return Result(answers)


@click.command()
@PROJECT_ARG
@click.option(
    "--answers",
    "answers_file",
    type=FILE_ARG,
    default=None,
    help="Answers from a YAML file (answers: {question-id or 1..10: yes/no}).",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "ja"]),
    default=None,
    help="Language of the questions (default: the project's, else en).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def selfcheck(project: Path, answers_file: Path | None, lang: str | None, fmt: str) -> int:
    """The ten-question lead-management self-check: two or more "yes" signal a problem.

    Asks in a terminal, or reads --answers FILE. For each "yes" it names the features of this
    toolkit (and of PROJECT, when it is a journey project) that address it. Exit 0 when fewer
    than two answers are "yes", 1 otherwise.
    """
    compiled = requires.pipeline_for(project).compiled() if _is_project(project) else None
    graph = compiled.graph if compiled is not None else None
    language = lang or (graph.graph.get("language") if graph is not None else None) or "en"
    language = language if language in ("en", "ja") else "en"
    if answers_file is not None:
        text = answers_file.read_bytes().decode("utf-8-sig", errors="replace")
        result, diags = answers_from_yaml(text, str(answers_file))
        if result is None:
            report(diags, "text", err=True)
            return 1
    elif _stdin_is_tty():
        result = _interactive(language)
    else:
        raise click.UsageError("no terminal to ask in: pass --answers FILE.yaml")
    has_rules = compiled is not None and project_qualification(compiled.project) is not None
    data = report_data(result, language, project_facts(graph, has_rules))
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for line in report_lines(data, language):
            click.echo(line)
    return 1 if data["verdict"] == "problem" else 0


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _is_project(path: Path) -> bool:
    return any((path / d).is_dir() for d in ("personas", "journeys"))
