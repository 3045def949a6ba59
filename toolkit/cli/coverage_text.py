"""Terminal views of coverage: rich tables (gaps in red, '0!' markers) and gap lines.

Everything here builds renderables or strings; the CLI prints them. Cells show the count of
published items, '!' marks a gap (fewer than --min) and '+N' the draft/planned pipeline;
'-' means the journey has no step at that stage. All text goes through rich.text.Text, so
labels such as '[draft]' are never read as markup; rich measures wide (Japanese) characters.
"""

from __future__ import annotations

import networkx as nx
from rich import box
from rich.table import Table
from rich.text import Text

from toolkit.analyses import coverage as cov
from toolkit.render.common import label_of

GAP_STYLE = "bold red"
PIPELINE_STYLE = "yellow"
NO_STEP = "-"


def stage_label(g: nx.MultiDiGraph, stage: str, lang: str) -> str:
    return label_of(g.nodes[f"stage:{stage}"], lang)


def row_label(g: nx.MultiDiGraph, kind: str, key: str | None, lang: str) -> str:
    if key is None:
        return {"segment": "(all segments)", "role": "(no owner)"}.get(kind, "")
    return label_of(g.nodes[f"{kind}:{key}"], lang)


def cell_text(cell: cov.Cell | None, min_items: int) -> Text:
    """'3', '0!', '1! +2' (gap with two pipeline items) or '-' (no step)."""
    if cell is None:
        return Text(NO_STEP, style="dim")
    gap = cell.is_gap(min_items)
    text = Text(f"{cell.count}!" if gap else str(cell.count), style=GAP_STYLE if gap else "")
    if cell.pipeline:
        text.append(f" +{len(cell.pipeline)}", style=PIPELINE_STYLE)
    return text


def _table(
    g: nx.MultiDiGraph, first: str, lang: str, plain: bool, labels: bool, *extra: str
) -> Table:
    table = Table(box=box.ASCII if plain else box.SIMPLE_HEAD, show_edge=not plain, pad_edge=False)
    table.add_column(Text(first), no_wrap=True)
    if labels:
        table.add_column(Text("label"), no_wrap=True)
    for name in extra:
        table.add_column(Text(name), no_wrap=True)
    for stage in cov.stage_ids(g):
        header = Text(stage_label(g, stage, lang))
        table.add_column(header, justify="right", no_wrap=plain, overflow="fold", min_width=5)
    return table


def matrix_table(
    g: nx.MultiDiGraph,
    by: str,
    lang: str,
    min_items: int = 1,
    plain: bool = False,
    labels: bool = True,
    state: str = cov.DEFAULT_STATE,
) -> Table:
    """Segments (or journeys in `state`) x stages with the count of covering items per cell."""
    rows = cov.journey_matrix(g, state=state) if by == "journey" else cov.segment_matrix(g)
    table = _table(g, by, lang, plain, labels)
    for row in rows:
        head = [Text(row.key or "(all)")]
        if labels:
            head.append(Text(row_label(g, by, row.key, lang)))
        table.add_row(*head, *(cell_text(c, min_items) for c in row.cells))
    return table


def owner_table(g: nx.MultiDiGraph, lang: str, plain: bool = False, labels: bool = True) -> Table:
    """Roles x status rows, stages as columns: items each role owns (workload, by name)."""
    table = _table(g, "role", lang, plain, labels, "status")
    for row in cov.ownership_matrix(g):
        head = [Text(row.role or "(none)")]
        if labels:
            head.append(Text(row_label(g, "role", row.role, lang)))
        counts = [Text(str(n), style="" if n else "dim") for n in row.counts]
        table.add_row(*head, Text(row.status or "-"), *counts)
    return table


def legend(by: str, min_items: int) -> str:
    if by == "owner":
        return "Content items per owner role, status and stage (an item counts at each stage)"
    gap = "0!" if min_items == 1 else f"N! (fewer than {min_items})"
    extra = f"; {NO_STEP} = no step" if by == "journey" else ""
    return f"Published items per {by} and stage ({gap} = gap; +N = draft/planned{extra})"


def gap_lines(
    g: nx.MultiDiGraph, by: str, lang: str, min_items: int = 1, state: str = cov.DEFAULT_STATE
) -> list[str]:
    """Each gap: stage, segment or journey, count, the pipeline items and their owners."""
    cells = cov.step_cells(g, state) if by == "journey" else cov.segment_cells(g)
    out = []
    for gap in cov.gaps(g, cells, min_items):
        c = gap.cell
        if by == "journey":
            where = str(c.journey)
        else:
            where = f"{row_label(g, 'segment', c.segment, lang)} ({c.segment or 'all'})"
        stage = f"{stage_label(g, c.stage, lang)} ({c.stage})"
        head = f"{stage} x {where}: {c.count} item{'s' if c.count != 1 else ''}"
        if c.journey and c.segment:
            head += f" (segment {c.segment})"
        if gap.pipeline:
            pipe = ", ".join(
                f"{p.id} ({p.status}, owner {p.owner or 'none'})" for p in gap.pipeline
            )
        else:
            pipe = "nothing in the pipeline"
        out.append(f"{head}; {pipe}")
    return out


def headline(covered: int, total: int) -> str:
    return f"Covered journey steps: {covered}/{total} ({cov.percent(covered, total):.1f}%)"
