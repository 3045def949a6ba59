"""Context builders of the deck: the compiled graph -> a Deck of positioned slides.

The words and values come from the builders of the HTML pages (toolkit.render.html,
html_context, coverage_html), so the deck says what the pages say: the stage table of the
overview, each journey's persona card and map lanes, the coverage heatmaps and the gaps with
their pipeline items and owners. This module decides what goes on which slide and where;
toolkit.render.deck.fit estimates how much room text takes, so that a map is cut into
stage groups rather than set below fit.BODY_PT.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

import networkx as nx
from babel.dates import format_date

import toolkit.render.deck.fit as fit
from toolkit.common.i18n import ui_code
from toolkit.common.spreadsheet import build_time
from toolkit.graph.build import nid, nodes_of
from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import coverage_context
from toolkit.render.deck.slides import (
    PAGES,
    Box,
    Cell,
    Chart,
    Deck,
    Page,
    Para,
    Slide,
    Span,
    Table,
    para,
    plain,
)
from toolkit.render.html import journey_title, legend_texts, persona_name, profile_card, stage_table
from toolkit.render.html_context import (
    Facts,
    Node,
    buyer_lanes,
    content_cells,
    flag_labels,
    funnel_cells,
    journey_refs,
    make_facts,
    name_of,
    page_meta,
    role_lanes,
    segment_name,
    step_columns,
    story_text,
)

BULLET = "• "
CONTENT_PER_CELL = 6  # content items a map cell lists; the rest is counted
CHART_H = 1.0  # inches: the emotion chart above a map's table
CAPTION_H = 0.32  # inches: a table's caption line
GAP = 0.12  # inches between stacked shapes
EMOTION_RANGE = (-2, 2)


# --- the deck --------------------------------------------------------------------------------


def deck_context(g: nx.MultiDiGraph, options: RenderOptions, size: str = "16:9") -> Deck:
    """Every slide: title, stage model, per journey its persona and map slides, coverage,
    gaps."""
    page = PAGES[size]
    f = make_facts(g, options)
    meta = page_meta(f, "", 0, "index")
    day = deck_date(g)
    slides: list[Slide] = [title_slide(f, meta, day), stage_slide(f, page)]
    for ref in journey_refs(g):
        slides.append(persona_slide(f, page, ref))
        slides.extend(map_slides(f, page, ref, options.show_empty_rows))
    cov = coverage_context(g, options)
    slides.extend(coverage_slides(f, page, cov))
    slides.extend(gap_slides(f, page, cov["gaps"]))
    return Deck(page, ui_code(options.lang), meta["project"], stamp(day), tuple(slides))


def deck_date(g: nx.MultiDiGraph) -> dt.date | None:
    """The deck's date: SOURCE_DATE_EPOCH when set, else the latest `updated` date of the
    project's content (a date the project holds, so the same project gives the same deck),
    else None."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return build_time().date()
    found = []
    for _, data in nodes_of(g, "content"):
        try:
            found.append(dt.date.fromisoformat(str(data.get("updated"))))
        except ValueError:
            continue
    return max(found, default=None)


def stamp(day: dt.date | None) -> dt.datetime:
    """The document's creation time: the deck's date at midnight, else build_time()."""
    if day is None:
        return build_time()
    return dt.datetime(day.year, day.month, day.day)


def date_text(day: dt.date, lang: str) -> str:
    """The date as the UI language writes it: 2026年8月1日, August 1, 2026."""
    return format_date(day, "long", locale=ui_code(lang))


# --- frame of every slide ---------------------------------------------------------------------


def subtitle_box(page: Page, words: str) -> Box:
    return Box(
        page.margin,
        page.subtitle_top,
        page.inner_w,
        page.subtitle_h,
        (para(Span(words, "muted")),),
        12,
        name="Subtitle",
    )


def legend_box(page: Page, line: Para) -> Box:
    return Box(
        page.margin, page.legend_top, page.inner_w, page.legend_h, (line,), 10, name="Legend"
    )


def key(label: str, fill: str) -> tuple[Span, ...]:
    """A legend entry: a square in the fill's colour (writer.colour_of) and its text."""
    return (Span("■ ", f"key-{fill}"), Span(label), Span("   "))


# --- title and stage model --------------------------------------------------------------------


def title_slide(f: Facts, meta: dict[str, Any], day: dt.date | None) -> Slide:
    _ = f.t.gettext
    lines = []
    if meta["client"]:
        lines.append(para(meta["client"]))
    if day is not None:
        lines.append(para(Span(date_text(day, f.lang), "muted")))
    lines.append(para(Span(_("Customer journeys"), "muted")))
    return Slide("title", meta["project"], lines=tuple(lines))


def stage_slide(f: Facts, page: Page) -> Slide:
    """The stage model: customer stages as columns; problem state, resolution story, the
    other axes and the serving funnel stages as rows (the overview page's table)."""
    _ = f.t.gettext
    model = stage_table(f)
    head = [
        Cell((para(Span(f"{c['number']} {c['label']}", "strong")),), "head")
        for c in model["columns"]
    ]
    rows = [
        (r["label"], [[BULLET + v if len(cell) > 1 else v for v in cell] for cell in r["cells"]])
        for r in model["rows"]
    ]
    top = page.body_top
    room = page.body_bottom - top
    while True:
        table = grid_table(page, top, _("Customer stage"), head, rows, _("Stage model"))
        if sum(table.heights) <= room or len(rows) <= 1 or rows[0][0] != _("Description"):
            break
        rows = rows[1:]  # the descriptions are on the overview page; the axes must show
    return Slide("stages", _("Stage model"), tables=(table,))


def grid_table(
    page: Page,
    top: float,
    corner: str,
    head: Sequence[Cell],
    rows: Sequence[tuple[str, Sequence[Sequence[str]]]],
    name: str,
) -> Table:
    """A table of a label column and equal columns, over the slide's inner width."""
    col_w = (page.inner_w - page.label_w) / max(1, len(head))
    grid = fit.Grid([[plain(p) for p in c.paras] for c in head], [([r], c) for r, c in rows])
    heights = fit.grid_heights(grid, range(len(head)), page.label_w, col_w)
    cells = [
        (Cell((para(Span(label, "strong")),), "lane"), *(text_cell(c) for c in cells_))
        for label, cells_ in rows
    ]
    return Table(
        page.margin,
        top,
        (page.label_w, *([col_w] * len(head))),
        tuple(heights),
        ((Cell((para(Span(corner, "strong")),), "head"), *head), *cells),
        name=name,
    )


def text_cell(entries: Sequence[str], fill: str = "") -> Cell:
    return Cell(tuple(para(e) for e in entries), fill)


# --- persona ----------------------------------------------------------------------------------


def persona_slide(f: Facts, page: Page, ref: str) -> Slide:
    """The journey's persona card (or segment card): who, facts, quote, goals and pains."""
    card = profile_card(f, ref)
    left_w = min(4.4, page.inner_w * 0.36)
    top, room = page.body_top, page.body_bottom - page.body_top
    sections = card["sections"]
    n = max(1, len(sections))
    right_x = page.margin + left_w + 0.3
    col_w = (page.width - page.margin - right_x - GAP * (n - 1)) / n

    who: list[Para] = []
    if card["subtitle"]:
        who.append(para(Span(card["subtitle"], "strong")))
    who += [para(Span(fact["label"] + ": ", "muted"), fact["value"]) for fact in card["facts"]]
    if card["quote"]:
        who.append(para(Span(quoted(card["quote"], f.lang))))
    lines = tuple(who)

    def section(s: dict[str, Any]) -> tuple[Para, ...]:
        return (para(Span(s["title"], "strong")), *(para(BULLET + e) for e in s["entries"]))

    pt = fitting_size(
        [[plain(p) for p in lines]] + [[plain(p) for p in section(s)] for s in sections],
        [left_w] + [col_w] * len(sections),
        room,
    )
    panel_h = fit.paragraphs_height([plain(p) for p in lines], left_w - 0.2, pt) + 0.1 * len(lines)
    panel_h = min(room, max(2.0, panel_h + 0.3))
    boxes = [
        subtitle_box(page, f"{card['kind_label']} · {journey_title(f, ref)}"),
        Box(page.margin, top, left_w, panel_h, lines, pt, "panel", card["kind_label"]),
        *(
            Box(right_x + i * (col_w + GAP), top, col_w, room, section(s), pt, name=s["title"])
            for i, s in enumerate(sections)
        ),
    ]
    return Slide("persona", card["name"], boxes=tuple(boxes))


def quoted(words: str, lang: str) -> str:
    return f"「{words}」" if ui_code(lang) == "ja" else f"“{words}”"


def fitting_size(boxes: Sequence[Sequence[str]], widths: Sequence[float], room: float) -> float:
    """The largest of 14, 12, 11 and 10 pt at which every box's paragraphs fit `room`."""
    for pt in (14.0, 12.0, 11.0):
        if all(
            fit.paragraphs_height(paras, w - 0.2, pt) + 0.1 * len(paras) <= room
            for paras, w in zip(boxes, widths, strict=True)
        ):
            return pt
    return fit.BODY_PT


# --- journey map ------------------------------------------------------------------------------


def map_lanes(f: Facts, cols: list[Node], show_empty: bool) -> list[tuple[Cell, list[Cell]]]:
    """The map's rows below the stage header: (label cell, one cell per step)."""
    lanes: list[tuple[Cell, list[Cell]]] = []
    for lane in buyer_lanes(f, list(cols)):
        if lane["kind"] == "emotion":
            continue  # the chart above the table
        bullet = BULLET if lane["kind"] in ("list", "chips") else ""
        cells = [buyer_cell_of(c, bullet) for c in lane["cells"]]
        lanes.append((lane_cell(lane["label"], "buyer"), cells))
    funnel = [
        text_cell(
            [s["label"] + (f" ({s['lead_class']})" if s["lead_class"] else "") for s in c["stages"]]
        )
        for c in funnel_cells(f, list(cols))
    ]
    lanes.append((lane_cell(f.t.gettext("Funnel stage"), "seller"), funnel))
    for lane in role_lanes(f, list(cols)):
        cells = []
        for c in lane["cells"]:
            paras = [para(Span(c["marker"], "alert"))] if c["marker"] else []
            for a in c["actions"]:
                paras.append(para(a["text"]))
                if a["kpi"]:
                    paras.append(para(Span("KPI ", "strong"), Span(a["kpi"], "muted")))
            fill = "flag" if "flag-seller-absent" in c["classes"] else ""
            cells.append(Cell(tuple(paras), fill))
        lanes.append((lane_cell(lane["label"], "seller"), cells))
    lanes.append((lane_cell(f.t.gettext("Content"), "seller"), content_row(f, cols)))
    if show_empty:
        return lanes
    return [(label, cells) for label, cells in lanes if any(c.paras for c in cells)]


def buyer_cell_of(cell: dict[str, Any], bullet: str) -> Cell:
    """A buyer lane's cell; a pain with a severity starts with its word, as an alert
    ("• 離脱 営業電話を…"), as the journey map marks it."""
    marks = cell.get("marks") or []
    if not marks:
        return text_cell([bullet + e for e in cell["entries"]])
    paras = [
        para(bullet, Span(mark["label"], "alert"), " " + e) if mark else para(bullet + e)
        for e, mark in zip(cell["entries"], marks, strict=True)
    ]
    return Cell(tuple(paras))


def lane_cell(label: str, side: str) -> Cell:
    return Cell((para(Span(label, "strong")),), f"lane-{side}")


def content_row(f: Facts, cols: list[Node]) -> list[Cell]:
    """Content per step: published items, then draft/planned ones (status in brackets)."""
    out = []
    for c in content_cells(f, list(cols)):
        paras = [para(Span(c["marker"], "alert"))] if c["marker"] else []
        entries = c["entries"]
        for e in entries[:CONTENT_PER_CELL]:
            status = Span(f" ({e['status_label']})", "muted") if e["pipeline"] else ""
            paras.append(para(BULLET + e["title"], status))
        hidden = max(0, len(entries) - CONTENT_PER_CELL) + int(bool(c["more"])) * more_count(c)
        if hidden:
            words = f.t.ngettext("%(n)s more not shown", "%(n)s more not shown", hidden)
            paras.append(para(Span(words % {"n": hidden}, "muted")))
        out.append(Cell(tuple(paras), "flag" if c["marker"] else ""))
    return out


def more_count(cell: dict[str, Any]) -> int:
    """How many items a content cell of the page leaves out ("+N more ..." -> N)."""
    digits = "".join(ch if ch.isdigit() else " " for ch in cell["more"]).split()
    return int(digits[0]) if digits else 0


def stage_head(f: Facts, number: int, step: Node) -> Cell:
    label = name_of(f, nid("stage", step[1]["stage"]))
    paras = [para(Span(f"{number:02d} {label}", "strong"))]
    story = story_text(f, step[1].get("story"))
    if story:
        paras.append(para(story))
    return Cell(tuple(paras), "head")


def map_slides(f: Facts, page: Page, ref: str, show_empty: bool) -> list[Slide]:
    """The journey's map: its steps as columns, the lanes as rows of a table, the emotion
    curve as a chart above the buyer's lanes. Cut into stage groups (and, when the lanes of
    one group do not fit a slide, into the buyer's and the seller's lanes) so that text
    stays at fit.BODY_PT: the slides of a group follow each other."""
    _ = f.t.gettext
    numbers = {d["ref"]: i + 1 for i, (_n, d) in enumerate(f.stages)}
    cols = [c for c in step_columns(f, ref) if c is not None]
    if not cols:
        return []
    heads = [stage_head(f, numbers[s[1]["stage"]], s) for s in cols]
    lanes = map_lanes(f, cols, show_empty)
    grid = fit.Grid(
        [[plain(p) for p in h.paras] for h in heads],
        [
            ([plain(p) for p in label.paras], [[plain(p) for p in c.paras] for c in cells])
            for label, cells in lanes
        ],
    )
    sections = [0 if label.fill == "lane-buyer" else 1 for label, _cells in lanes]
    room = page.body_bottom - page.body_top
    cut = fit.cut_grid(
        grid, sections, page.inner_w, (room - CHART_H - GAP, room), page.label_w, page.min_col
    )
    title = journey_title(f, ref)
    data = f.g.nodes[nid("journey", ref)]
    who = [w for w in (persona_name(f, ref), segment_name(f, data.get("segment"))) if w]
    sides = {0: _("Buyer"), 1: _("Seller")}
    emotion = f.t.pgettext("journey map lane", "Emotion")
    corner = Cell((para(Span(_("Customer stage"), "strong")),), "head")
    total = len(cut.groups) * len(cut.bands)
    slides = []
    for group, heights in zip(cut.groups, cut.heights, strict=True):
        widths = (page.label_w, *([cut.col_w] * len(group)))
        for b, band in enumerate(cut.bands):
            charted = b == 0 and (not band or sections[band[0]] == 0)
            top = page.body_top + (CHART_H + GAP if charted else 0.0)
            rows = (
                (corner, *(heads[j] for j in group)),
                *((lanes[i][0], *(lanes[i][1][j] for j in group)) for i in band),
            )
            table = Table(
                page.margin,
                top,
                widths,
                (heights[0], *(heights[i + 1] for i in band)),
                rows,
                name=_("Journey map"),
            )
            side = [sides[k] for k in sorted({sections[i] for i in band})]
            side = side if len(cut.bands) > 1 else []
            words = " · ".join([_("Journey map"), *side, *who])
            boxes = [subtitle_box(page, words), legend_box(page, map_legend(f))]
            charts: tuple[Chart, ...] = ()
            if charted:
                steps = [cols[j] for j in group]
                charts = (emotion_chart(page, widths, steps, [heads[j] for j in group], emotion),)
                line = (para(Span(emotion, "strong")),)
                boxes.append(Box(page.margin, page.body_top, page.label_w, CHART_H, line, 10))
            part = f" ({len(slides) + 1}/{total})" if total > 1 else ""
            slides.append(
                Slide(
                    "map",
                    title + part,
                    boxes=tuple(boxes),
                    tables=(table,),
                    charts=charts,
                )
            )
    return slides


def emotion_chart(
    page: Page, widths: Sequence[float], steps: Sequence[Node], heads: Sequence[Cell], series: str
) -> Chart:
    """The emotion curve over the group's steps: its plot area sits over the stage columns
    of the table below (the value axis' labels over the label column)."""
    total = sum(widths)
    left = page.margin + page.label_w * 0.6
    width = total - page.label_w * 0.6
    return Chart(
        left,
        page.body_top,
        width,
        CHART_H,
        tuple(plain(h.paras[0]) for h in heads),
        series,
        tuple(None if s[1].get("emotion") is None else int(s[1]["emotion"]) for s in steps),
        *EMOTION_RANGE,
        plot_left=(page.label_w * 0.4) / width,
        plot_width=(total - page.label_w) / width,
        name=series,
    )


def map_legend(f: Facts) -> Para:
    flags, texts_of = flag_labels(f.t), legend_texts(f.t)
    return (
        *key(flags["seller-absent"], "flag"),
        *key(flags["content-gap"], "flag"),
        Span(texts_of["emotion"], "muted"),
    )


# --- coverage ---------------------------------------------------------------------------------


def coverage_slides(f: Facts, page: Page, cov: dict[str, Any]) -> list[Slide]:
    """The coverage heatmaps (segments x stages, then journeys x stages): published items
    per cell, coloured by count, gaps red and marked "!"; rows beyond a slide continue on
    the next one, under the same header."""
    _ = f.t.gettext
    title = _("Content coverage")
    stages = [
        Cell((para(Span(f"{s['number']} {s['label']}", "strong")),), "head") for s in cov["stages"]
    ]
    label_w = min(2.6, page.inner_w * 0.2)
    col_w = (page.inner_w - label_w) / max(1, len(stages))
    head_h = max((fit.cell_height([plain(p) for p in c.paras], col_w) for c in stages), default=0.3)
    blocks = []
    for matrix in cov["matrices"]:
        rows = []
        for r in matrix["rows"]:
            cells = [heat_cell(c) for c in r["cells"]]
            label = Cell((para(r["label"]),), "lane-buyer")
            rows.append(((label, *cells), fit.cell_height([r["label"]], label_w)))
        corner = Cell((para(Span(matrix["corner"], "strong")),), "head")
        blocks.append((matrix["title"], (corner, *stages), rows))
    headline = cov["headline"]
    covered = f"{headline['covered']}/{headline['total']}"
    summary = f"{covered} {_('journey steps covered')} ({headline['percent']}%)"
    legend = (
        *key(_("gap: no published item"), "gap"),
        *key(_("covered (darker: more items)"), "heat-3"),
        *key(_("the journey has no step here"), "skipped"),
        Span(_("+N: draft or planned items"), "muted"),
    )
    pages = paged_blocks(page, blocks, head_h, (label_w, *([col_w] * len(stages))))
    slides = []
    for i, shapes in enumerate(pages):
        part = f" ({i + 1}/{len(pages)})" if len(pages) > 1 else ""
        slides.append(
            Slide(
                "coverage",
                title + part,
                boxes=(subtitle_box(page, summary), *shapes[0], legend_box(page, legend)),
                tables=shapes[1],
            )
        )
    return slides


def heat_cell(cell: dict[str, Any]) -> Cell:
    """A heatmap cell of the coverage page as a coloured table cell."""
    if cell["state"] == "skipped":
        return Cell((para("–"),), "skipped", "center")
    mark = "!" if cell["state"] == "gap" else ""
    pipeline = Span(f" +{cell['pipeline']}", "muted") if cell["pipeline"] else ""
    style = "alert" if mark else "strong"
    return Cell((para(Span(cell["text"] + mark, style), pipeline),), cell["classes"], "center")


Block = tuple[str, tuple[Cell, ...], list[tuple[tuple[Cell, ...], float]]]


def paged_blocks(
    page: Page, blocks: Sequence[Block], head_h: float, widths: tuple[float, ...]
) -> list[tuple[list[Box], list[Table]]]:
    """Tables (each under its caption, if any) stacked down the slides: a table's rows
    continue on the next slide, under its caption and header again, when a slide is full."""
    pages: list[tuple[list[Box], list[Table]]] = [([], [])]
    top = page.body_top
    for caption, head, rows in blocks:
        caption_h = CAPTION_H if caption else 0.0
        start = 0
        while start < len(rows):
            room = page.body_bottom - top - caption_h - head_h
            taken, used = 0, 0.0
            for _, h in rows[start:]:
                if taken and used + h > room:
                    break
                taken, used = taken + 1, used + h
            if used > room and pages[-1][1]:  # not one row fits below the tables there
                pages.append(([], []))
                top = page.body_top
                continue
            boxes, tables = pages[-1]
            if caption:
                line = (para(Span(caption, "strong")),)
                boxes.append(Box(page.margin, top, page.inner_w, caption_h, line, 12, name=caption))
            chunk = rows[start : start + taken]
            tables.append(
                Table(
                    page.margin,
                    top + caption_h,
                    widths,
                    (head_h, *(h for _, h in chunk)),
                    (head, *(r for r, _ in chunk)),
                    name=caption,
                )
            )
            top += caption_h + head_h + used + GAP * 2
            start += taken
            if start < len(rows):
                pages.append(([], []))
                top = page.body_top
    return pages


# --- gaps -------------------------------------------------------------------------------------


def gap_slides(f: Facts, page: Page, gaps: list[dict[str, Any]]) -> list[Slide]:
    """The content gaps (as on the coverage page and in `journey coverage`): where, how many
    published items, the draft/planned items that would fill them and their owner roles."""
    _ = f.t.gettext
    title = f"{_('Gaps')} ({len(gaps)})"
    if not gaps:
        note = Box(
            page.margin,
            page.body_top,
            page.inner_w,
            0.5,
            (para(_("No gaps: every cell has published content.")),),
            14,
        )
        return [Slide("gaps", title, boxes=(note,))]
    shares = (0.17, 0.25, 0.08, 0.33, 0.17)
    widths = tuple(page.inner_w * s for s in shares)
    head = tuple(
        Cell((para(Span(w, "strong")),), "head")
        for w in (
            _("Stage"),
            _("Segment / journey"),
            _("Published"),
            _("In the pipeline"),
            _("Owner"),
        )
    )
    nothing = _("nothing planned")
    rows = []
    for gap in gaps:
        pipeline = tuple(
            para(BULLET + i["title"], Span(f" ({i['status_label']})", "muted"))
            for i in gap["pipeline"]
        ) or (para(Span(nothing, "muted")),)
        cells = (
            Cell((para(gap["stage"]),), "lane-buyer"),
            Cell((para(Span(gap["view"] + " ", "muted"), gap["where"]),)),
            Cell((para(Span(str(gap["count"]) + "!", "alert")),), "gap", "center"),
            Cell(pipeline),
            Cell(tuple(para(o) for o in gap["owners"])),
        )
        h = max(
            fit.cell_height([plain(p) for p in c.paras], w)
            for c, w in zip(cells, widths, strict=True)
        )
        rows.append((cells, h))
    head_h = max(
        fit.cell_height([plain(p) for p in c.paras], w) for c, w in zip(head, widths, strict=True)
    )
    pages = paged_blocks(page, [("", head, rows)], head_h, widths)
    slides = []
    for i, (boxes, tables) in enumerate(pages):
        part = f" ({i + 1}/{len(pages)})" if len(pages) > 1 else ""
        slides.append(Slide("gaps", title + part, boxes=tuple(boxes), tables=tuple(tables)))
    return slides
