"""The PDF report (toolkit/render/report.py), opened with pypdf: its pages as the layout
says, every journey's words as text, bookmarks, paper, embedded fonts, pixels, bytes."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest
from pdf import (
    A3,
    A4,
    font_descriptors,
    ink,
    outline_titles,
    page_pixels,
    page_sizes,
    reader,
    squeezed,
    texts_of,
)
from tools import needs_pdftoppm, needs_weasyprint

from toolkit.common.diagnostics import Diagnostic
from toolkit.common.i18n import translations
from toolkit.graph.build import nodes_of
from toolkit.leads.judge import Options
from toolkit.pipeline import Compiled, Pipeline, Settings, compile_project
from toolkit.render.common import RenderOptions, label_of
from toolkit.render.coverage_html import coverage_context
from toolkit.render.html import compare_context, emotion_chart, grouped_journeys
from toolkit.render.html_context import make_facts
from toolkit.render.report import (
    PAPERS,
    ReportError,
    chart_runs,
    chart_sheets,
    content_width_px,
    make_report,
    stage_groups,
    styled_svg,
    svg_style,
)

pytestmark = needs_weasyprint
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

# The layout of the report (the module's docstring), stated here on its own: per paper, map
# columns, persona cards, emotion charts, comparison journeys, heatmap rows, gaps, warnings
# and contents lines per page.
LAYOUT = {
    "a3": {"stages": 9, "personas": 3, "charts": 2, "compare": 6, "heat": 30, "gaps": 22,
           "warn": 26, "toc": 30},
    "a4": {"stages": 6, "personas": 2, "charts": 1, "compare": 4, "heat": 20, "gaps": 14,
           "warn": 18, "toc": 20},
}  # fmt: skip
MARKERS = 5  # marker shapes: journeys of one segment a chart can tell apart


@dataclass
class Made:
    compiled: Compiled
    options: RenderOptions
    pdf: bytes
    pages: int
    path: Path


def expected_charts(g: nx.MultiDiGraph) -> int:
    """One emotion chart of every journey while at most 8 and at most MARKERS per segment,
    else a chart per MARKERS journeys of a segment."""
    sizes = Counter(d.get("segment") for _, d in nodes_of(g, "journey")).values()
    if sum(sizes) <= 8 and all(n <= MARKERS for n in sizes):
        return 1 if sizes else 0
    return sum(math.ceil(n / MARKERS) for n in sizes)


def expected_pages(g: nx.MultiDiGraph, options: RenderOptions, warnings: int) -> int:
    """Cover, contents, stage model, personas, k pages per journey, comparison (emotion
    charts, grid), coverage (heatmaps, gaps), leads, appendix."""
    lay = LAYOUT[options.paper]
    stages = len(list(nodes_of(g, "stage")))
    personas = len(list(nodes_of(g, "persona")))
    journeys = len(list(nodes_of(g, "journey")))
    coverage = coverage_context(g, options)
    heat = sum(math.ceil(len(m["rows"]) / lay["heat"]) for m in coverage["matrices"])
    gaps = max(1, math.ceil(len(coverage["gaps"]) / lay["gaps"]))
    leads = 1 if options.overlay is not None else 0
    appendix = max(1, math.ceil(warnings / lay["warn"]))
    compare_entries = 3 if journeys else 0  # the section, its charts, its grid
    entries = 1 + (personas > 0) + (journeys > 0) + journeys + compare_entries + 1 + leads + 1
    contents = math.ceil(entries / lay["toc"])
    maps = journeys * math.ceil(stages / lay["stages"])
    charts = math.ceil(expected_charts(g) / lay["charts"])
    compare = math.ceil(journeys / lay["compare"])
    persona_pages = math.ceil(personas / lay["personas"])
    return (
        1 + contents + 1 + persona_pages + maps + charts + compare + heat + gaps + leads + appendix
    )


def warnings_of(compiled: Compiled) -> list[Diagnostic]:
    return [d for d in compiled.diagnostics if d.severity == "warning"]


@pytest.fixture(scope="module")
def example_report(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Made:
    """The bundled example in Japanese on A3, with the example's leads."""
    pipeline = Pipeline(Settings(repo_root, shown_as=""))
    compiled = pipeline.compiled()
    assert compiled.graph is not None
    leads = repo_root / "docs" / "examples"
    run = pipeline.judge_leads(
        compiled, leads / "leads.csv", leads / "events.csv", None, Options(None)
    )
    overlay = pipeline.lead_overlay(compiled, run)
    assert overlay is not None
    options = RenderOptions("ja", frozenset({"report"}), paper="a3", overlay=overlay)
    made = make_report(compiled.graph, options, compiled.diagnostics, jobs=2)
    path = tmp_path_factory.mktemp("report") / "example.pdf"
    path.write_bytes(made.pdf)
    return Made(compiled, options, made.pdf, made.pages, path)


@pytest.fixture(scope="module")
def story_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("story") / "project"
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", "init", str(root), "--template", "story", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def story_report(story_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Made:
    """A `journey init --template story` project in English on A4."""
    compiled = compile_project(story_project, shown_as="")
    assert compiled.graph is not None
    options = RenderOptions("en", frozenset({"report"}), paper="a4")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        made = make_report(compiled.graph, options, compiled.diagnostics, jobs=1)
    path = tmp_path_factory.mktemp("report") / "story.pdf"
    path.write_bytes(made.pdf)
    return Made(compiled, options, made.pdf, made.pages, path)


def journey_titles(g: nx.MultiDiGraph, lang: str) -> list[str]:
    return [label_of(d, lang) for _, d in nodes_of(g, "journey")]


def step_words(g: nx.MultiDiGraph) -> list[str]:
    """Every text a journey's steps show in the map's buyer lanes."""
    out = []
    for _, d in nodes_of(g, "step"):
        for key in ("thinking", "feeling", "doing", "questions", "pains", "opportunities"):
            value = d.get(key)
            out += [str(v) for v in (value if isinstance(value, list) else [value]) if v]
    return out


@pytest.mark.parametrize("which", ["example_report", "story_report"])
def test_the_page_count_follows_the_layout(which: str, request: pytest.FixtureRequest) -> None:
    made: Made = request.getfixturevalue(which)
    g = made.compiled.graph
    assert g is not None
    pdf = reader(made.pdf)
    expected = expected_pages(g, made.options, len(warnings_of(made.compiled)))
    assert len(pdf.pages) == made.pages == expected


def test_the_example_splits_nothing_on_a3_and_every_map_on_a4(example: Compiled) -> None:
    assert example.graph is not None
    stages = len(list(nodes_of(example.graph, "stage")))
    assert stages == 9
    assert stage_groups(stages, LAYOUT["a3"]["stages"]) == [(0, 9)]
    assert stage_groups(stages, LAYOUT["a4"]["stages"]) == [(0, 5), (5, 9)]
    assert stage_groups(12, 6) == [(0, 6), (6, 12)]


@pytest.mark.parametrize("which", ["example_report", "story_report"])
def test_every_journey_title_and_step_text_is_text(
    which: str, request: pytest.FixtureRequest
) -> None:
    made: Made = request.getfixturevalue(which)
    g = made.compiled.graph
    assert g is not None
    text = squeezed("".join(texts_of(made.pdf)))
    for title in journey_titles(g, made.options.lang):
        assert squeezed(title) in text
    words = step_words(g)
    assert len(words) >= 20
    missing = [w for w in words if squeezed(w) not in text]
    assert missing == []


def test_japanese_is_text_in_a_cjk_font(example_report: Made) -> None:
    pages = texts_of(example_report.pdf)
    assert "カスタマージャーニー報告書" in pages[0]
    assert "目次" in pages[1]
    fonts = {name for name, _ in font_descriptors(reader(example_report.pdf))}
    assert any("IPAPGothic" in name for name in fonts)


@pytest.mark.parametrize("which", ["example_report", "story_report"])
def test_bookmarks_list_each_section_and_journey(
    which: str, request: pytest.FixtureRequest
) -> None:
    made: Made = request.getfixturevalue(which)
    g = made.compiled.graph
    assert g is not None
    pdf = reader(made.pdf)
    marks = outline_titles(pdf)
    t = translations(made.options.lang)
    under: dict[str, list[tuple[str, int]]] = {}
    section = ""
    for level, title, page in marks:
        if level == 1:
            section = title
        under.setdefault(section, []).append((title, page) if level == 2 else ("", page))
    journeys = [title for title, _ in under[t.gettext("Journey maps")][1:]]
    assert journeys == journey_titles(g, made.options.lang)
    # the comparison: its emotion chart's page, then its grid's, the first the section's
    (_, first), (chart, chart_page), (grid, grid_page) = under[t.gettext("Compare journeys")]
    assert chart == t.gettext("Emotion per customer stage")
    assert grid == t.gettext("Journeys side by side")
    assert (
        first
        == chart_page
        < grid_page
        == chart_page + math.ceil(expected_charts(g) / LAYOUT[made.options.paper]["charts"])
    )
    sections = [title for level, title, _ in marks if level == 1]
    assert sections[:2] == [t.gettext("Contents"), t.gettext("Stage model")]
    assert sections[-1] == t.gettext("Appendix: check warnings")
    # each second-level bookmark opens the page that shows its title
    texts = [squeezed(p) for p in texts_of(made.pdf)]
    for level, title, page in marks:
        if level == 2:
            assert squeezed(title) in texts[page]
    # the contents print the bookmarks' page numbers, in order
    assert "".join(str(page + 1) for _, _, page in marks[1:]) in texts[1]


def test_the_example_has_its_leads_and_every_warning(example_report: Made) -> None:
    pdf = reader(example_report.pdf)
    t = translations("ja")
    titles = [title for _, title, _ in outline_titles(pdf)]
    assert t.gettext("Leads on the journey") in titles
    text = squeezed("".join(texts_of(example_report.pdf)))
    warnings = warnings_of(example_report.compiled)
    assert len(warnings) == 4
    for w in warnings:
        assert squeezed(w.message) in text and w.code in text


@pytest.mark.parametrize(("which", "size"), [("example_report", A3), ("story_report", A4)])
def test_pages_are_landscape_a3_or_a4(which: str, size: tuple[float, float], request) -> None:
    made: Made = request.getfixturevalue(which)
    for width, height in page_sizes(reader(made.pdf)):
        assert abs(width - size[0]) <= 0.5 and abs(height - size[1]) <= 0.5


@pytest.mark.parametrize("which", ["example_report", "story_report"])
def test_every_font_is_embedded(which: str, request: pytest.FixtureRequest) -> None:
    made: Made = request.getfixturevalue(which)
    fonts = font_descriptors(reader(made.pdf))
    assert fonts
    for name, keys in fonts:
        assert keys & {"/FontFile", "/FontFile2", "/FontFile3"}, name


def test_links_stay_in_the_report_or_go_to_the_web(example_report: Made) -> None:
    pdf = reader(example_report.pdf)
    inside, outside = 0, []
    for page in pdf.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if "/Dest" in annot:
                inside += 1
            else:
                outside.append(str(annot["/A"]["/URI"]))
    assert inside >= 4 + 1  # the contents' lines, and more
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in outside)
    # the contents' first line (the stage model) opens page 3
    first = pdf.pages[1]["/Annots"][0].get_object()
    assert pdf.get_page_number(first["/Dest"][0].get_object()) == 2


def test_identical_input_gives_identical_bytes_and_fixed_dates(story_report: Made) -> None:
    g = story_report.compiled.graph
    assert g is not None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        again = make_report(g, story_report.options, story_report.compiled.diagnostics, jobs=2)
    assert again.pdf == story_report.pdf
    meta = reader(story_report.pdf).metadata
    assert meta is not None and meta["/CreationDate"] == "D:20260101000000+00'00'"
    assert "2026" in texts_of(story_report.pdf)[0]


@needs_pdftoppm
def test_a_journey_map_page_is_drawn(example_report: Made) -> None:
    g = example_report.compiled.graph
    assert g is not None
    marks = outline_titles(reader(example_report.pdf))
    first_map = next(page for level, _, page in marks if level == 2)
    width, height, pixels = page_pixels(str(example_report.path), first_map + 1)
    assert (width, height) == (497, 351)  # A3 landscape at 30 dpi
    share = ink(pixels) / (width * height)
    assert 0.15 < share < 0.9
    _, _, blank = page_pixels(str(example_report.path), 2)  # the contents: text on white
    assert ink(blank) / (width * height) < 0.1


def test_without_weasyprint_the_fix_is_named(
    example: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example.graph is not None
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ReportError) as caught:
        make_report(example.graph, RenderOptions("ja", frozenset({"report"})))
    assert "WeasyPrint is not usable" in str(caught.value)
    assert "apt-get install libpango-1.0-0" in caught.value.fix


# --- the comparison's emotion charts -------------------------------------------------------


def test_one_chart_while_each_journey_can_be_told_apart_else_one_per_segment() -> None:
    few = [("a", ["a1", "a2"]), (None, ["n1", "n2", "n3", "n4", "n5"])]
    assert chart_runs(few) == [
        {"segment": None, "part": 1, "parts": 1, "refs": ["a1", "a2", "n1", "n2", "n3", "n4", "n5"]}
    ]
    # a segment of six: its journeys would share a marker; nine journeys: too many
    six = [("a", [f"a{i}" for i in range(6)]), ("b", ["b0"])]
    assert [(r["segment"], r["part"], r["parts"], r["refs"]) for r in chart_runs(six)] == [
        (0, 1, 2, ["a0", "a1", "a2"]),
        (0, 2, 2, ["a3", "a4", "a5"]),
        (1, 1, 1, ["b0"]),
    ]
    assert len(chart_runs([(s, [f"{s}{i}" for i in range(3)]) for s in "abc"])) == 3
    # the benchmark's L project: 100 journeys, 10 segments of 10 -> 20 charts of 5
    large = [(f"s{k}", [f"s{k}-{i}" for i in range(10)]) for k in range(10)]
    runs = chart_runs(large)
    assert len(runs) == 20 and {len(r["refs"]) for r in runs} == {MARKERS}
    assert [r["refs"][0] for r in runs[:3]] == ["s0-0", "s0-5", "s1-0"]


@pytest.mark.parametrize("paper", ["a3", "a4"])
def test_the_chart_is_the_pages_chart_as_wide_as_the_page(example: Compiled, paper: str) -> None:
    assert example.graph is not None
    f = make_facts(example.graph, RenderOptions("ja", paper=paper))
    page = compare_context(f)["chart"]
    [sheet] = chart_sheets(f, PAPERS[paper])
    [item] = sheet["charts"]
    chart = item["chart"]
    width = content_width_px(PAPERS[paper])
    assert width - 9 < chart["width"] <= width  # 9 stages share the width right of the scale
    assert chart["width"] == chart["gutter"] + 9 * chart["col"]
    # taller than the page's: 50 (A3) or 60 (A4) px per emotion point instead of 30
    unit = {"a3": 50, "a4": 60}[paper]
    assert [g["y"] for g in chart["guides"]] == [14 + i * unit for i in range(5)]
    # the same journeys, colours, patterns, markers, legend and values as compare.html
    assert [s["classes"] for s in chart["series"]] == [s["classes"] for s in page["series"]]
    assert chart["legend"] == page["legend"]
    assert chart["table"] == page["table"] and chart["stages"] == page["stages"]
    assert item["heading"] == "" and item["title_id"] == sheet["sub_id"]
    # a chart of one segment (as the report draws many journeys): its page colour and markers
    groups = grouped_journeys(f)
    second = emotion_chart(f, groups, set(groups[1][1]), chart["col"])
    assert [s["classes"] for s in second["series"]] == ["series-1 dash-1"] * 3
    assert second["legend"] == page["legend"][1:]


def chart_page(made: Made) -> int:
    """The index of the page of the first emotion chart (its bookmark)."""
    t = translations(made.options.lang)
    marks = outline_titles(reader(made.pdf))
    return next(p for _, title, p in marks if title == t.gettext("Emotion per customer stage"))


def segment_labels(g: nx.MultiDiGraph, lang: str) -> list[str]:
    """Every journey's segment name as the chart's legend shows it."""
    names = {d["ref"]: label_of(d, lang) for _, d in nodes_of(g, "segment")}
    none = translations(lang).gettext("No segment")
    return sorted({names.get(d.get("segment"), none) for _, d in nodes_of(g, "journey")})


@pytest.mark.parametrize("which", ["example_report", "story_report"])
def test_the_chart_page_names_every_stage_segment_and_journey_as_text(
    which: str, request: pytest.FixtureRequest
) -> None:
    made: Made = request.getfixturevalue(which)
    g = made.compiled.graph
    assert g is not None
    text = squeezed(reader(made.pdf).pages[chart_page(made)].extract_text())
    stages = [label_of(d, made.options.lang) for _, d in nodes_of(g, "stage")]
    assert len(stages) == 9
    assert [s for s in stages if squeezed(s) not in text] == []
    labels = segment_labels(g, made.options.lang)
    assert labels and [s for s in labels if squeezed(s) not in text] == []
    titles = journey_titles(g, made.options.lang)
    assert [s for s in titles if squeezed(s) not in text] == []
    assert "+2" in text and "−2" in text  # the emotion scale


@functools.cache
def text_sizes(pdf: bytes, index: int) -> list[tuple[str, float, float, float]]:
    """(text, size, x, y) of each text run of a page: size as the content stream scales it
    (pt for the page's text; a chart's own units inside its SVG), x and y in pt from the
    bottom left. Read once per page (the tests of a map page share it)."""
    out: list[tuple[str, float, float, float]] = []

    def seen(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        a, b, c, d, e, f = tm
        m = [
            a * cm[0] + b * cm[2],
            a * cm[1] + b * cm[3],
            c * cm[0] + d * cm[2],
            c * cm[1] + d * cm[3],
            e * cm[0] + f * cm[2] + cm[4],
            e * cm[1] + f * cm[3] + cm[5],
        ]
        if text.strip():
            scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
            out.append((text.strip(), size * scale, m[4], m[5]))

    reader(pdf).pages[index].extract_text(visitor_text=seen)
    return out


def test_the_chart_pages_words_are_7_pt_or_more_on_a4(story_report: Made) -> None:
    page = chart_page(story_report)
    sizes = [(text, size) for text, size, _, _ in text_sizes(story_report.pdf, page)]
    words = [(text, size) for text, size in sizes if not text.startswith("Page ")]
    assert len(words) >= 9 + 2  # stage numbers and names, the legend
    assert min(size for _, size in words) >= 7.0, sorted(words, key=lambda w: w[1])[:3]


def colour_share(pixels: bytes, rgb: tuple[int, int, int], near: int = 40) -> int:
    """Pixels within `near` of a colour on every channel."""
    return sum(
        1
        for i in range(0, len(pixels), 3)
        if all(abs(pixels[i + k] - rgb[k]) <= near for k in range(3))
    )


SEGMENT_COLOURS = [(0x00, 0x72, 0xB2), (0xC2, 0x4E, 0x00)]  # .series-0, .series-1


@needs_pdftoppm
def test_the_chart_is_drawn_in_the_segments_colours(example_report: Made) -> None:
    page = chart_page(example_report)
    _, _, pixels = page_pixels(str(example_report.path), page + 1)
    blue, orange = (colour_share(pixels, rgb) for rgb in SEGMENT_COLOURS)
    # two curves of each segment and their legend swatches, across the page
    assert blue > 120 and orange > 120, (blue, orange)
    _, _, grid = page_pixels(str(example_report.path), page + 2)
    assert colour_share(grid, SEGMENT_COLOURS[0]) < blue / 10  # the grid has no curves


def test_each_chart_gets_the_style_and_its_sheets_type_size() -> None:
    html = (
        '<section class="sheet sheet-map" id="sheet-5" data-folio="x" style="font-size: 6.5pt">'
        '<svg class="scale" width="100%"><text>+2</text></svg><svg><g></g></svg></section>'
        '<section class="sheet sheet-chart" id="sheet-6" style="font-size: 10.5pt">'
        '<svg class="emo-chart" width="9"></svg></section>'
    )
    out = styled_svg(html)
    style = svg_style()
    assert out.count(style) == 2  # classed charts only
    assert (
        f'<svg class="scale" width="100%">{style}<style>svg {{ font-size: 6.5pt; }}</style>' in out
    )
    assert (
        f'<svg class="emo-chart" width="9">{style}<style>svg {{ font-size: 10.5pt; }}</style>'
        in out
    )
    assert "<svg><g></g></svg>" in out


# --- the journey map's print details ------------------------------------------------------

LEVELS = {"+2", "+1", "0", "−1", "−2"}


def test_the_maps_emotion_scale_follows_the_sheets_type_size(example_report: Made) -> None:
    """The scale's labels are .9em of their sheet: in the curve's units (px, 4/3 of a pt)
    1.2 times the lane names' size, on sheets set in different sizes."""
    t = translations("ja")
    lane = t.pgettext("journey map lane", "Emotion")
    marks = outline_titles(reader(example_report.pdf))
    pages = [p for level, _, p in marks if level == 2][0:4:2]  # the first and third maps
    ratios, sizes = [], set()
    for page in pages:
        runs = text_sizes(example_report.pdf, page)
        [name] = [size for text, size, _, _ in runs if text == lane]
        x_scale = min(x for text, _, x, _ in runs if text in LEVELS)
        scale = [size for text, size, x, _ in runs if text in LEVELS and x == x_scale]
        assert len(scale) == 5
        ratios += [size / name for size in scale]
        sizes.add(round(name, 2))
    assert len(sizes) >= 2  # the example's maps are set in more than one size
    assert all(abs(r - 1.2) < 0.01 for r in ratios), ratios


MAGENTA = (0xA1, 0x1D, 0x7A)  # the handoff colour


@needs_pdftoppm
def test_a_handoff_out_has_the_hollow_icon_and_in_the_filled_one(example_report: Made) -> None:
    t = translations("ja")
    out_word = t.gettext("Handoff to %(roles)s").replace("%(roles)s", "")
    in_word = t.gettext("Handoff from %(roles)s").replace("%(roles)s", "")
    page = next(p for level, _, p in outline_titles(reader(example_report.pdf)) if level == 2)
    dpi, page_height = 300, A3[1]
    counts: dict[str, list[int]] = {"out": [], "in": []}
    for text, size, x, y in text_sizes(example_report.pdf, page):
        direction = "out" if text.endswith(out_word) else "in" if text.endswith(in_word) else ""
        if not direction:
            continue
        # the icon: 1.1em wide, .25em left of the words, from .2em below the baseline
        left, top = (x - 1.3 * size) * dpi / 72, (page_height - y - 0.95 * size) * dpi / 72
        side = round(1.1 * size * dpi / 72)
        ppm = subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1),
             "-x", str(round(left)), "-y", str(round(top)), "-W", str(side), "-H", str(side),
             str(example_report.path)],
            capture_output=True, check=True, timeout=120,
        ).stdout  # fmt: skip
        pixels = ppm.split(b"\n", 3)[3]
        counts[direction].append(colour_share(pixels, MAGENTA, 60))
    assert len(counts["out"]) >= 2 and len(counts["in"]) >= 1, counts
    # a filled disc has far more of the colour than a ring with an arrow
    assert min(counts["in"]) > 1.5 * max(counts["out"]) > 0, counts
