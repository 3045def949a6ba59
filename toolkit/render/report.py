"""The one-PDF report (`journey report`, `journey build --format report`): every page of the
HTML output, set for print by WeasyPrint and bound into one PDF.

The report reuses the HTML pages' context builders (toolkit.render.html's journey, compare,
emotion chart and index contexts, coverage_html.coverage_context, leads_overlay.leads_context)
and their markup (the shared partials in templates/: the journey map, the profile card, the
stage table, the emotion chart, the comparison grid, the heatmap, the gaps and lead tables),
so the report and the pages never drift apart; templates/report.css is its print style.

Layout, one sheet per page (`plan`), in this order:

- the cover (1 page) and the contents (ceil(entries / paper.toc_lines) pages; an entry per
  section and per journey);
- the stage model (1), the personas (ceil(personas / paper.personas));
- each journey map on k landscape pages, k = ceil(stages / paper.max_stages): a wide map is
  split by stage groups, never cut;
- the comparison: its emotion charts (chart_runs: one chart of every journey while each
  can be told apart, else a chart per segment of at most 5 journeys; CHART_PAGE charts a
  page, each as wide as the page) and its grid (ceil(journeys / paper.compare)); the
  contents and bookmarks list both under the comparison;
- the coverage heatmaps (per matrix, ceil(rows / paper.heat_rows)) and the gaps with their
  owners (ceil(gaps / paper.gap_rows), at least 1), the leads (1, with a lead overlay), and
  the appendix of check warnings (ceil(warnings / paper.warning_rows), at least 1).

Every sheet is fitted to its page: a sheet that overflows is set again in a smaller size
(its measured height over the page's) until it fits, so the page count above is exact and
the folios ("Page x of y"), contents and bookmarks are known before anything is set.

Sheets are set in parts of a few pages, each a WeasyPrint document written to PDF on its
own (forked workers set parts side by side), and the parts are bound with pypdf, which also
adds the bookmarks, turns the contents' and pages' links into links to report pages, drops
links that would leave the report for a local path, and writes fixed metadata
(SOURCE_DATE_EPOCH dates, no wall clock): identical input, identical bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import logging
import math
import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from jinja2 import Environment

from toolkit.common.diagnostics import Diagnostic
from toolkit.common.errors import EnvironmentFailure
from toolkit.common.i18n import Catalog
from toolkit.graph.build import nodes_of
from toolkit.load.workers import can_fork, fork_each, in_runs
from toolkit.render.common import RenderOptions, pick, safe_url, text
from toolkit.render.coverage_html import coverage_context
from toolkit.render.environment import TEMPLATES, make_environment, render_page
from toolkit.render.facts import Facts
from toolkit.render.html import (
    CHART_GUTTER,
    SHAPES,
    compare_context,
    emotion_chart,
    grouped_journeys,
    index_context,
    journey_context,
    persona_card,
    text_language,
)
from toolkit.render.html_context import journey_refs, make_facts, segment_name

logging.getLogger("weasyprint").addHandler(logging.NullHandler())
logging.getLogger("fontTools").addHandler(logging.NullHandler())

REPORT_PATH = "report.pdf"
PAGE_LINK = "report-page:"  # href of a link to a report page (the contents)
FIT_MARGIN = 0.96  # a refitted sheet aims this far below the page's height
FIT_TRIES = 6
PART_WEIGHT = 24  # weight of the sheets set as one WeasyPrint document (a map sheet: 4)
PX_PER_MM = 96 / 25.4
MARGIN_MM = (14.0, 12.0, 12.0, 12.0)  # top, right, bottom, left (report.css @page)
CHART_JOURNEYS = 8  # journeys the comparison's emotion chart shows at most in one chart
# per Paper.name: emotion charts on one page, px per emotion point (taller than the page's)
CHART_PAGE = {"A3": (2, 50), "A4": (1, 60)}


class ReportError(EnvironmentFailure):
    """WeasyPrint (or pypdf, or the system libraries WeasyPrint needs) is missing or broken."""

    fix = (
        "install the PDF libraries: pip install 'weasyprint>=70' pypdf; on Debian/Ubuntu also "
        "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
        "fonts-ipafont-gothic"
    )


def weasyprint_module() -> Any:
    """The weasyprint module, or ReportError with the fix when it cannot be loaded."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: a system library (Pango) is missing
        raise ReportError(f"cannot make the PDF report: WeasyPrint is not usable ({exc})") from None
    return weasyprint


def pypdf_module() -> Any:
    try:
        import pypdf
    except ImportError as exc:
        raise ReportError(f"cannot make the PDF report: pypdf is not installed ({exc})") from None
    return pypdf


def available() -> str | None:
    """None when the report can be made here, else why not."""
    try:
        weasyprint_module()
        pypdf_module()
    except ReportError as exc:
        return str(exc)
    return None


# --- paper and plan --------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """A landscape paper size and how much goes on one of its pages."""

    name: str  # CSS page size
    width_mm: float
    height_mm: float
    max_stages: int  # journey map columns per page; wider maps are split by stage groups
    personas: int  # persona cards per page
    compare: int  # journeys per comparison page
    heat_rows: int  # heatmap rows per page
    gap_rows: int  # gaps per page
    warning_rows: int  # warnings per page
    toc_lines: int  # contents entries per page
    map_pt: float  # type size of a journey map before fitting
    text_pt: float  # type size of the other pages before fitting

    @property
    def content_px(self) -> float:
        """The height of a page's content area in CSS px."""
        return (self.height_mm - MARGIN_MM[0] - MARGIN_MM[2]) * PX_PER_MM


PAPERS = {
    "a3": Paper("A3", 420, 297, 9, 3, 6, 30, 22, 26, 30, 7.5, 10.5),
    "a4": Paper("A4", 297, 210, 6, 2, 4, 20, 14, 18, 20, 6.5, 8.5),
}


@dataclass
class Sheet:
    """One page of the report: which partial shows it, with what, in which type size."""

    kind: str  # its partial: templates/report/_<kind>.html.j2
    data: dict[str, Any]
    size: float  # type size in pt (fitting makes it smaller)
    number: int = 0  # its page number, from 1
    folio: str = ""  # "Page x of y"


@dataclass(frozen=True)
class Entry:
    """A line of the contents and a bookmark: its level (1 section, 2 journey) and page."""

    level: int
    label: str
    page: int


@dataclass
class Plan:
    sheets: list[Sheet]
    entries: list[Entry] = field(default_factory=list)


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """items in runs of `size` (none when there are no items)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def stage_groups(n: int, most: int) -> list[tuple[int, int]]:
    """n stages cut into ceil(n / most) runs of near-equal length, as (start, end) ranges."""
    parts = max(1, math.ceil(n / most))
    base, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        end = start + base + (1 if i < extra else 0)
        out.append((start, end))
        start = end
    return out


def report_date(g: nx.MultiDiGraph, lang: str) -> str:
    """The cover's date: SOURCE_DATE_EPOCH's day, else the newest `updated` of the project's
    content, else none (no wall clock: identical input, identical report)."""
    day = source_date()
    if day is None:
        days = [d.get("updated") for _, d in nodes_of(g, "content")]
        found = sorted(str(v) for v in days if v)
        if not found:
            return ""
        try:
            day = dt.date.fromisoformat(found[-1][:10])
        except ValueError:
            return text(found[-1])
    from babel.dates import format_date

    try:
        return format_date(day, format="long", locale=lang.replace("-", "_") or "en")
    except (ValueError, LookupError):
        return day.isoformat()


def source_date() -> dt.date | None:
    moment = source_moment()
    return moment.date() if moment else None


def source_moment() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC moment, when set and valid."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC) if raw else None
    except (ValueError, OverflowError, OSError):
        return None


def persona_cards(f: Facts) -> list[dict[str, Any]]:
    """Every persona's card, as the journey page shows it (html.persona_card), in source order."""
    return [persona_card(f, p) for _node, p in nodes_of(f.g, "persona")]


def map_sheets(
    f: Facts, ref: str, paper: Paper, options: RenderOptions | None = None
) -> list[dict[str, Any]]:
    """A journey map's pages: the map of each stage group (journey_context on those stages),
    with the stage numbers of the whole model."""
    groups = stage_groups(len(f.stages), paper.max_stages)
    out = []
    for i, (a, b) in enumerate(groups):
        part = journey_context(dataclasses.replace(f, stages=f.stages[a:b]), ref, options)
        for j, column in enumerate(part["columns"]):
            column["number"] = f"{a + j + 1:02d}"
        part["part"] = (
            f.t.gettext("Stages %(first)s–%(last)s (%(part)s of %(parts)s)")
            % {"first": f"{a + 1:02d}", "last": f"{b:02d}", "part": i + 1, "parts": len(groups)}
            if len(groups) > 1
            else ""
        )
        out.append(part)
    return out


def compare_sheets(f: Facts, paper: Paper) -> list[dict[str, Any]]:
    """The comparison grid cut into pages of paper.compare journeys, segment heads cut too."""
    whole = compare_context(f)
    owner: list[str] = []
    for group in whole["groups"]:
        owner += [group["label"]] * group["span"]
    out = []
    for start in range(0, len(whole["journeys"]), paper.compare):
        end = min(start + paper.compare, len(whole["journeys"]))
        groups: list[dict[str, Any]] = []
        for label in owner[start:end]:
            if groups and groups[-1]["label"] == label:
                groups[-1]["span"] += 1
            else:
                groups.append({"label": label, "span": 1})
        rows = [{**row, "cells": row["cells"][start:end]} for row in whole["rows"]]
        out.append(
            {**whole, "groups": groups, "journeys": whole["journeys"][start:end], "rows": rows}
        )
    return out


def chart_runs(groups: list[tuple[str | None, list[str]]]) -> list[dict[str, Any]]:
    """The journeys of each of the comparison's emotion charts, in the comparison's order.

    All journeys in one chart, as compare.html shows them, while the chart tells each apart:
    at most CHART_JOURNEYS, and no segment with more journeys than there are marker shapes
    (a segment's journeys share colour and pattern). Else one chart per segment, a larger
    segment cut into near-equal runs of at most len(SHAPES) journeys. Each run: its
    segment's index in `groups` (None: every segment), part, parts and journeys.
    """
    refs = [ref for _, members in groups for ref in members]
    fits = all(len(members) <= len(SHAPES) for _, members in groups)
    if len(refs) <= CHART_JOURNEYS and fits:
        return [{"segment": None, "part": 1, "parts": 1, "refs": refs}]
    out = []
    for index, (_, members) in enumerate(groups):
        runs = stage_groups(len(members), len(SHAPES))
        for part, (a, b) in enumerate(runs, start=1):
            out.append({"segment": index, "part": part, "parts": len(runs), "refs": members[a:b]})
    return out


def content_width_px(paper: Paper) -> float:
    """The width of a page's content area in CSS px."""
    return (paper.width_mm - MARGIN_MM[1] - MARGIN_MM[3]) * PX_PER_MM


def chart_sheets(f: Facts, paper: Paper) -> list[dict[str, Any]]:
    """The comparison's emotion charts (chart_runs), CHART_PAGE to a page, each as wide
    as the page: its stage columns share the width left of the emotion scale."""
    groups = grouped_journeys(f)
    per_page, unit = CHART_PAGE.get(paper.name, CHART_PAGE["A4"])
    col = max(1, int((content_width_px(paper) - CHART_GUTTER) // max(1, len(f.stages))))
    charts = []
    for run in chart_runs(groups):
        heading = ""
        if run["segment"] is not None:
            segment = groups[run["segment"]][0]
            heading = segment_name(f, segment) or f.t.gettext("No segment")
            if run["parts"] > 1:
                heading = f.t.gettext("%(segment)s (%(part)s of %(parts)s)") % {
                    "segment": heading,
                    "part": run["part"],
                    "parts": run["parts"],
                }
        chart = emotion_chart(f, groups, set(run["refs"]), col, unit)
        charts.append(
            {"heading": heading, "chart": chart, "id": f"emotion-chart-{len(charts) + 1}"}
        )
    out = []
    for i, page in enumerate(chunks(charts, per_page), start=1):
        sub_id = f"emotion-charts-{i}"
        # a chart without a heading of its own is named by the page's
        shown = [{**c, "title_id": c["id"] if c["heading"] else sub_id} for c in page]
        out.append({"charts": shown, "sub_id": sub_id})
    return out


def warning_rows(diagnostics: Sequence[Diagnostic]) -> list[dict[str, str]]:
    """The check's warnings (errors never reach a report), in the order the check gives."""
    return [
        {
            "location": text(str(d.location)),
            "code": text(d.code),
            "message": text(d.message),
            "hint": text(d.hint),
        }
        for d in diagnostics
        if d.severity == "warning"
    ]


def section_names(t: Catalog) -> dict[str, str]:
    _ = t.gettext
    return {
        "contents": _("Contents"),
        "stages": _("Stage model"),
        "personas": _("Personas"),
        "maps": _("Journey maps"),
        "compare": _("Compare journeys"),
        "chart": _("Emotion per customer stage"),
        "grid": _("Journeys side by side"),
        "coverage": _("Content coverage"),
        "leads": _("Leads on the journey"),
        "warnings": _("Appendix: check warnings"),
    }


def plan(
    g: nx.MultiDiGraph,
    options: RenderOptions,
    diagnostics: Sequence[Diagnostic] = (),
) -> Plan:
    """Every page of the report in order, numbered, with the contents and bookmarks."""
    paper = PAPERS.get(options.paper, PAPERS["a3"])
    f = make_facts(g, options)
    t = f.t
    names = section_names(t)
    sheets: list[Sheet] = []
    marks: list[tuple[int, str, int]] = []  # level, label, index of its first sheet

    def add(kind: str, data: dict[str, Any], size: float, mark: str = "", level: int = 1) -> None:
        if mark:
            marks.append((level, mark, len(sheets)))
        sheets.append(Sheet(kind, data, size))

    index = index_context(f)
    stage_table = index["stage_table"]
    add(
        "stages",
        {"title": names["stages"], "stage_table": stage_table},
        paper.text_pt,
        names["stages"],
    )
    cards = persona_cards(f)
    for i, group in enumerate(chunks(cards, paper.personas)):
        data = {
            "title": names["personas"],
            "cards": list(group),
            "first": i == 0,
            "text_lang": text_language(f),
        }
        add("personas", data, paper.text_pt, names["personas"] if i == 0 else "")
    refs = journey_refs(g)
    for k, ref in enumerate(refs):
        for i, part in enumerate(map_sheets(f, ref, paper, options)):
            if k == 0 and i == 0:
                marks.append((1, names["maps"], len(sheets)))
            add("map", part, paper.map_pt, part["journey"]["title"] if i == 0 else "", 2)
    for i, part in enumerate(chart_sheets(f, paper) if refs else []):
        if i == 0:
            marks.append((1, names["compare"], len(sheets)))
        data = {**part, "title": names["compare"], "sub": names["chart"]}
        add("chart", data, paper.text_pt, names["chart"] if i == 0 else "", 2)
    for i, part in enumerate(compare_sheets(f, paper) if refs else []):
        data = {**part, "title": names["compare"], "sub": names["grid"]}
        add("compare", data, paper.text_pt, names["grid"] if i == 0 else "", 2)
    coverage = coverage_context(g, options)
    first = True
    for matrix in coverage["matrices"]:
        for rows in chunks(matrix["rows"], paper.heat_rows):
            data = {
                "title": names["coverage"],
                "headline": coverage["headline"],
                "stages": coverage["stages"],
                "matrix": {**matrix, "rows": list(rows)},
                "first": first,
            }
            add("heatmap", data, paper.text_pt, names["coverage"] if first else "")
            first = False
    gaps = coverage["gaps"]
    for rows in chunks(gaps, paper.gap_rows) or [[]]:
        data = {"title": names["coverage"], "gaps": list(rows), "count": len(gaps)}
        add("gaps", data, paper.text_pt, names["coverage"] if first else "")
        first = False
    if options.overlay is not None:
        from toolkit.render.leads_overlay import leads_context

        data = {"title": names["leads"], **leads_context(g, options.overlay, options)}
        add("leads", data, paper.text_pt, names["leads"])
    warnings = warning_rows(diagnostics)
    for i, rows in enumerate(chunks(warnings, paper.warning_rows) or [[]]):
        data = {"title": names["warnings"], "rows": list(rows), "count": len(warnings)}
        add("warnings", data, paper.text_pt, names["warnings"] if i == 0 else "")

    # The front: the cover and the contents, whose length follows from the marks.
    toc_pages = max(1, math.ceil(len(marks) / paper.toc_lines))
    front = 1 + toc_pages
    entries = [Entry(level, label, front + at + 1) for level, label, at in marks]
    project = text(pick(g.graph.get("title"), f.lang, t.gettext("Customer journeys")))
    cover = {
        "project": project,
        "client": text(g.graph.get("client")),
        "date": report_date(g, f.lang),
        "facts": [
            (t.gettext("Journeys"), len(refs)),
            (t.gettext("Personas"), len(cards)),
            (t.gettext("Customer stages"), len(f.stages)),
        ],
    }
    toc = [
        Sheet(
            "contents",
            {
                "title": names["contents"],
                "entries": [
                    {
                        "level": e.level,
                        "label": e.label,
                        "page": e.page,
                        "href": f"{PAGE_LINK}{e.page}",
                    }
                    for e in run
                ],
                "first": i == 0,
            },
            paper.text_pt,
        )
        for i, run in enumerate(chunks(entries, paper.toc_lines) or [[]])
    ]
    all_sheets = [Sheet("cover", cover, paper.text_pt), *toc, *sheets]
    total = len(all_sheets)
    for n, sheet in enumerate(all_sheets, start=1):
        sheet.number = n
        sheet.folio = t.gettext("Page %(page)s of %(pages)s") % {"page": n, "pages": total}
    return Plan(all_sheets, [Entry(1, names["contents"], 2), *entries])


# --- setting the sheets ----------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """What every part of one report shares: the page's words and the paper."""

    lang: str
    project: str
    client: str
    paper: Paper


SVG_OPEN = re.compile(r'<svg class="[^"]*"[^>]*>')
# a sheet's opening tag, with its type size (report.html.j2), or a chart's
SHEET_OR_SVG = re.compile(
    r'<section class="sheet [^"]*"[^>]*? style="font-size: ([0-9.]+)pt">|' + SVG_OPEN.pattern
)


@functools.cache
def svg_style() -> str:
    """The charts' style as an SVG <style> element (templates/report-svg.css)."""
    css = (TEMPLATES / "report-svg.css").read_text(encoding="utf-8")
    return f"<style>{re.sub(r'/[*].*?[*]/', '', css, flags=re.S).strip()}</style>"


def styled_svg(html: str) -> str:
    """The page with the charts' style inside every classed <svg>, and the type size of the
    chart's sheet as the chart's font size, so that report-svg.css can size text in em of
    the sheet (WeasyPrint styles an inline SVG only from its own <style>; neither the page's
    CSS nor its font size reach into it)."""
    style = svg_style()
    size = ""

    def put(m: re.Match[str]) -> str:
        nonlocal size
        if m.group(1) is not None:
            size = m.group(1)
            return m.group(0)
        return (
            m.group(0) + style + (f"<style>svg {{ font-size: {size}pt; }}</style>" if size else "")
        )

    return SHEET_OR_SVG.sub(put, html)


def page_html(env: Environment, frame: Frame, sheets: Sequence[Sheet]) -> str:
    context = {
        "page": {
            "lang": text(frame.lang) or "en",
            "title": frame.project,
            "project": frame.project,
            "client": frame.client,
        },
        "paper": {"name": frame.paper.name, "key": frame.paper.name.lower()},
        "sheets": sheets,
    }
    html = render_page(env, "report.html.j2", frame.lang, context)
    # The maps' phrase breaks (<wbr>, html_context.soft_breaks) are for the browser: in
    # WeasyPrint each one cuts a cell's text into separate boxes and text runs, which set
    # the L report in twice the time, memory and bytes.
    return styled_svg(html.replace("<wbr>", ""))


@dataclass
class SetPart:
    """Set sheets: PDFs and, per sheet in order, (index of its PDF, its page there)."""

    pdfs: list[bytes]
    pages: list[list[tuple[int, int]]]


def set_sheets(
    weasyprint: Any, env: Environment, frame: Frame, sheets: list[Sheet], tries: int = 0
) -> SetPart:
    """Set sheets as one document; sheets that overflow their page are set again, smaller,
    until each fits its page (at most FIT_TRIES times)."""
    doc = weasyprint.HTML(string=page_html(env, frame, sheets)).render()
    spans = sheet_spans(doc.pages, [f"sheet-{s.number}" for s in sheets])
    fits = [i for i, (first, last, _) in enumerate(spans) if first == last]
    out = SetPart([], [[] for _ in sheets])
    if fits:
        keep = [doc.pages[spans[i][0]] for i in fits]
        out.pdfs.append(doc.copy(keep).write_pdf())
        for page, i in enumerate(fits):
            out.pages[i] = [(0, page)]
    over = [i for i in range(len(sheets)) if i not in fits]
    if not over:
        return out
    again = []
    for i in over:
        first, last, end = spans[i]
        needed = (last - first) * frame.paper.content_px + end
        shrink = frame.paper.content_px / max(needed, 1.0) * FIT_MARGIN
        size = round(sheets[i].size * min(shrink, FIT_MARGIN), 2)
        again.append(dataclasses.replace(sheets[i], size=size))
    if tries >= FIT_TRIES:  # cannot happen short of a page of unbreakable text: keep all pages
        pdf_index = len(out.pdfs)
        out.pdfs.append(doc.write_pdf())
        for i in over:
            first, last, _ = spans[i]
            out.pages[i] = [(pdf_index, p) for p in range(first, last + 1)]
        return out
    sub = set_sheets(weasyprint, env, frame, again, tries + 1)
    base = len(out.pdfs)
    out.pdfs += sub.pdfs
    for i, pages in zip(over, sub.pages, strict=True):
        out.pages[i] = [(base + p, page) for p, page in pages]
    return out


def sheet_spans(pages: Sequence[Any], ids: Sequence[str]) -> list[tuple[int, int, float]]:
    """Per sheet id: the page it starts on, the page its end marker is on, and how far down
    its page content area that marker is (CSS px)."""
    where: dict[str, tuple[int, float]] = {}
    for n, page in enumerate(pages):
        for name, box in page.anchors.items():
            where.setdefault(name, (n, box[1]))
    out = []
    for ident in ids:
        first, top = where[ident]
        last, end = where.get(f"{ident}-end", (first, top))
        out.append((first, last, end - MARGIN_MM[0] * PX_PER_MM))
    return out


# Type size (pt) times the square root of a sheet's text, in em of width (text_width), at
# which the dense sheets start on A3: a map or comparison with more text starts smaller, so
# that it mostly fits at once instead of being set twice (calibrated on the bundled example
# and the benchmark's L project: it errs small, and fitting still catches a miss). A4 pages
# hold half the area: sqrt(1/2) of it.
FIRST_SIZE = {"map": 320.0, "compare": 380.0}
TAGS = re.compile(r"<svg.*?</svg>|<style>.*?</style>|<[^>]+>|\s+", re.S)


def text_width(html: str) -> float:
    """The width of a page's text set on one line, in em: wide (CJK) characters 1, others
    0.55 (SVG charts and styles left out)."""
    plain = TAGS.sub("", html)
    wide = sum(1 for ch in plain if unicodedata.east_asian_width(ch) in "WF")
    return wide + 0.55 * (len(plain) - wide)


def first_size(env: Environment, frame: Frame, sheet: Sheet) -> float:
    """The type size a sheet is first set in: its base size, or less for a dense sheet."""
    factor = FIRST_SIZE.get(sheet.kind)
    if factor is None:
        return sheet.size
    width = text_width(page_html(env, frame, [sheet]))
    scale = 1.0 if frame.paper.name == "A3" else math.sqrt(0.5)
    return round(min(sheet.size, factor * scale / math.sqrt(max(width, 1.0))), 2)


def set_parts(frame: Frame, parts: list[list[Sheet]]) -> list[SetPart]:
    """Set parts one after another in this process (a forked worker's share)."""
    weasyprint = weasyprint_module()
    env = make_environment()
    out = []
    for part in parts:
        sized = [dataclasses.replace(s, size=first_size(env, frame, s)) for s in part]
        out.append(set_sheets(weasyprint, env, frame, sized))
    return out


def sheet_weight(sheet: Sheet) -> int:
    return 4 if sheet.kind == "map" else 1


def cut_parts(sheets: list[Sheet]) -> list[list[Sheet]]:
    """Sheets in runs of at most PART_WEIGHT weight (one WeasyPrint document each: its
    memory is freed before the next one is set)."""
    parts: list[list[Sheet]] = []
    load = PART_WEIGHT
    for sheet in sheets:
        w = sheet_weight(sheet)
        if load + w > PART_WEIGHT:
            parts.append([])
            load = 0
        parts[-1].append(sheet)
        load += w
    return parts


def set_report(frame: Frame, sheets: list[Sheet], jobs: int) -> list[tuple[bytes, int]]:
    """Every sheet set, as (PDF, page) in order. Where this process can fork, parts are set
    by up to `jobs` forked workers and none here: a worker's memory goes when it ends, so
    this process holds only the project, the plan and the PDFs it binds."""
    parts = cut_parts(sheets)
    forked = can_fork()
    workers = max(1, min(jobs, len(parts))) if forked else 1
    shares = in_runs(parts, lambda p: sum(sheet_weight(s) for s in p), workers)
    calls: list[Callable[[], list[SetPart]]] = [
        (lambda share=share: set_parts(frame, share)) for share in shares
    ]
    if forked:
        calls = [list, *calls]  # fork_each runs its first call here: nothing
    results = [part for share in fork_each(calls) for part in share]
    pdfs: list[bytes] = []
    pages: list[tuple[bytes, int]] = []
    for part in results:
        base = len(pdfs)
        pdfs += part.pdfs
        for sheet_pages in part.pages:
            pages += [(pdfs[base + p], page) for p, page in sheet_pages]
    return pages


# --- binding ---------------------------------------------------------------------------------


def link_targets(p: Plan) -> dict[str, int]:
    """Links of the pages' markup that lead to a report page (0-based): contents entries,
    journey titles (journeys/<ref>.html) and the coverage page."""
    targets = {f"{PAGE_LINK}{s.number}": s.number - 1 for s in p.sheets}
    for s in p.sheets:
        if s.kind == "map":
            ref = s.data["journey"]["ref"]
            for href in (f"journeys/{ref}.html", f"../journeys/{ref}.html", f"{ref}.html"):
                targets.setdefault(href, s.number - 1)
        elif s.kind == "heatmap":
            for href in ("coverage.html", "../coverage.html"):
                targets.setdefault(href, s.number - 1)
    return targets


def bind(
    set_pages: list[tuple[bytes, int]],
    p: Plan,
    targets: dict[str, int],
    meta: dict[str, str],
    lang: str,
) -> bytes:
    """The set pages as one PDF with bookmarks, report-internal links and fixed metadata."""
    pypdf = pypdf_module()
    from pypdf.generic import ArrayObject, NameObject, TextStringObject

    writer = pypdf.PdfWriter()
    readers: dict[int, Any] = {}
    for pdf, page in set_pages:
        reader = readers.get(id(pdf))
        if reader is None:
            reader = readers[id(pdf)] = pypdf.PdfReader(io.BytesIO(pdf))
        writer.add_page(reader.pages[page])
    pages = writer.pages
    for page in pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = action.get("/URI") if action is not None else None
            if uri is None:
                continue  # a link inside one part (its target is not in the report)
            target = targets.get(str(uri))
            if target is not None and target < len(pages):
                del annot["/A"]
                annot[NameObject("/Dest")] = ArrayObject(
                    [pages[target].indirect_reference, NameObject("/Fit")]
                )
                kept.append(ref)
            elif safe_url(str(uri)) == str(uri):
                kept.append(ref)
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page["/Annots"]
    parent = None
    for entry in p.entries:
        if entry.page - 1 >= len(pages):
            continue
        item = writer.add_outline_item(
            title=entry.label,
            page_number=entry.page - 1,
            parent=parent if entry.level > 1 else None,
        )
        if entry.level == 1:
            parent = item
    writer.page_mode = "/UseOutlines"
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    writer.add_metadata(meta)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_date(moment: dt.datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def metadata(project: str, client: str) -> dict[str, str]:
    """Title, author and fixed producer; dates only from SOURCE_DATE_EPOCH (no wall clock)."""
    meta = {"/Title": project, "/Producer": "journey-toolkit", "/Creator": "journey-toolkit"}
    if client:
        meta["/Author"] = client
    moment = source_moment()
    if moment is not None:
        meta["/CreationDate"] = meta["/ModDate"] = pdf_date(moment)
    return meta


@dataclass(frozen=True)
class Report:
    pdf: bytes
    pages: int


def make_report(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    diagnostics: Sequence[Diagnostic] = (),
    jobs: int = 1,
) -> Report:
    """The report's PDF and its page count (see the module); ReportError without
    WeasyPrint or pypdf."""
    weasyprint_module()
    pypdf_module()
    p = plan(graph, options, diagnostics)
    paper = PAPERS.get(options.paper, PAPERS["a3"])
    cover = p.sheets[0].data
    frame = Frame(options.lang, cover["project"], cover["client"], paper)
    targets = link_targets(p)
    set_pages = set_report(frame, p.sheets, jobs)
    for sheet in p.sheets:
        sheet.data = {}  # the contexts are set: only the PDFs are bound
    meta = metadata(cover["project"], cover["client"])
    pdf = bind(set_pages, p, targets, meta, text(options.lang) or "en")
    return Report(pdf, len(set_pages))


def render_report(
    graph: nx.MultiDiGraph,
    options: RenderOptions,
    diagnostics: Sequence[Diagnostic] = (),
    jobs: int = 1,
) -> bytes:
    """The report as PDF bytes (make_report)."""
    return make_report(graph, options, diagnostics, jobs).pdf


def page_count(
    graph: nx.MultiDiGraph, options: RenderOptions, diagnostics: Sequence[Diagnostic] = ()
) -> int:
    """How many pages the report has (the plan's; the PDF has as many)."""
    return len(plan(graph, options, diagnostics).sheets)
