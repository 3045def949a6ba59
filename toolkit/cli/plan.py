"""Command `journey plan`: the six marketing processes and what serves each (thin, like
toolkit.cli.coverage; the plan is toolkit.analyses.plan, the page toolkit.render.plan_html).

Exit codes: 0 ok (gaps included); 1 errors in the project (printed, like other commands);
2 usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import networkx as nx
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from toolkit.analyses import plan as planning
from toolkit.cli import requires
from toolkit.cli.options import LANG_OPTION, PROJECT_ARG, emit
from toolkit.common.i18n import translations
from toolkit.render.common import label_of

GAP_STYLE = "bold red"


@click.command()
@PROJECT_ARG
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="With --format html: file to write (default: standard output).",
)
@LANG_OPTION
def plan(project: Path, fmt: str, output: Path | None, lang: str | None) -> int:
    """The six B2B marketing processes of PROJECT: funnel stages, roles, actions, KPIs, gaps."""
    compiled = requires.compiled_or_report(requires.pipeline_for(project), warnings=False)
    if compiled is None:
        return 1
    g = compiled.graph
    assert g is not None
    lang = lang or g.graph["language"]
    plans = planning.process_plans(g)
    if fmt == "json":
        data = planning.plan_json(plans, translations(lang))
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "html":
        from toolkit.render.plan_html import plan_page

        if emit(plan_page(g, lang), output):
            click.echo(f"wrote {output}", err=True)
    else:
        _print_text(g, plans, lang)
    return 0


def _print_text(g: nx.MultiDiGraph, plans: list[planning.ProcessPlan], lang: str) -> None:
    plain = not sys.stdout.isatty()
    if plain:  # not a terminal: no colour, no wrapping
        console = Console(
            file=sys.stdout, force_terminal=False, no_color=True, width=10_000, highlight=False
        )
    else:
        console = Console(file=sys.stdout, highlight=False)
    if not planning.mapped(g):
        console.print(
            "No funnel stage lists a marketing process: add 'processes:' to the funnel "
            "stages (acquire, retain-data, nurture, detect, convert, expand).",
            markup=False,
        )
    console.print(plan_table(g, plans, lang, plain))
    gaps = [p for p in plans if p.gap]
    console.print(
        f"Gaps ({len(gaps)}): {', '.join(p.id for p in gaps)}" if gaps else "No gaps.",
        markup=False,
    )


def _names(g: nx.MultiDiGraph, kind: str, refs: tuple[str, ...], lang: str) -> Text:
    return Text(", ".join(label_of(g.nodes[f"{kind}:{ref}"], lang) for ref in refs) or "-")


def plan_table(
    g: nx.MultiDiGraph, plans: list[planning.ProcessPlan], lang: str, plain: bool
) -> Table:
    """One row per process, in order: '!' after the id and 'GAP' mark the gaps."""
    labels = planning.process_labels(translations(lang))
    table = Table(box=box.ASCII if plain else box.SIMPLE_HEAD, show_edge=not plain, pad_edge=False)
    for name in ("#", "process", "label", "funnel stages", "roles", "lead classes"):
        table.add_column(Text(name))
    for name in ("actions", "content", "kpis"):
        table.add_column(Text(name), justify="right")
    table.add_column(Text("gap"))
    for number, p in enumerate(plans, start=1):
        style = GAP_STYLE if p.gap else ""
        table.add_row(
            Text(str(number)),
            Text(p.id + ("!" if p.gap else ""), style=style),
            Text(labels[p.id]),
            _names(g, "funnel_stage", p.funnel_stages, lang),
            _names(g, "role", p.roles, lang),
            _names(g, "lead_class", p.lead_classes, lang),
            Text(str(p.actions)),
            Text(str(len(p.content))),
            Text(str(len(p.kpis))),
            Text(f"GAP: {planning.gap_reason(p)}" if p.gap else "", style=style),
        )
    return table
