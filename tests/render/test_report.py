"""The PDF report (toolkit/render/report.py), opened with pypdf: its pages as the layout
says, every journey's words as text, bookmarks, paper, embedded fonts, pixels, bytes."""

from __future__ import annotations

import math
import subprocess
import sys
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
    page_texts,
    reader,
    squeezed,
)
from tools import needs_pdftoppm, needs_weasyprint

from toolkit.common.diagnostics import Diagnostic
from toolkit.common.i18n import translations
from toolkit.graph.build import nodes_of
from toolkit.leads.judge import Options
from toolkit.pipeline import Compiled, Pipeline, Settings, compile_project
from toolkit.render.common import RenderOptions, label_of
from toolkit.render.coverage_html import coverage_context
from toolkit.render.report import ReportError, make_report, stage_groups

pytestmark = needs_weasyprint
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z

# The layout of the report (the module's docstring), stated here on its own: per paper, map
# columns, persona cards, comparison journeys, heatmap rows, gaps, warnings and contents
# lines per page.
LAYOUT = {
    "a3": {"stages": 9, "personas": 3, "compare": 6, "heat": 30, "gaps": 22, "warn": 26, "toc": 30},
    "a4": {"stages": 6, "personas": 2, "compare": 4, "heat": 20, "gaps": 14, "warn": 18, "toc": 20},
}


@dataclass
class Made:
    compiled: Compiled
    options: RenderOptions
    pdf: bytes
    pages: int
    path: Path


def expected_pages(g: nx.MultiDiGraph, options: RenderOptions, warnings: int) -> int:
    """Cover, contents, stage model, personas, k pages per journey, comparison, coverage
    (heatmaps, gaps), leads, appendix."""
    lay = LAYOUT[options.paper]
    stages = len(list(nodes_of(g, "stage")))
    personas = len(list(nodes_of(g, "persona")))
    journeys = len(list(nodes_of(g, "journey")))
    coverage = coverage_context(g, options)
    heat = sum(math.ceil(len(m["rows"]) / lay["heat"]) for m in coverage["matrices"])
    gaps = max(1, math.ceil(len(coverage["gaps"]) / lay["gaps"]))
    leads = 1 if options.overlay is not None else 0
    appendix = max(1, math.ceil(warnings / lay["warn"]))
    entries = 1 + (personas > 0) + (journeys > 0) + journeys + (journeys > 0) + 1 + leads + 1
    contents = math.ceil(entries / lay["toc"])
    maps = journeys * math.ceil(stages / lay["stages"])
    compare = math.ceil(journeys / lay["compare"])
    persona_pages = math.ceil(personas / lay["personas"])
    return 1 + contents + 1 + persona_pages + maps + compare + heat + gaps + leads + appendix


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
    text = squeezed("".join(page_texts(reader(made.pdf))))
    for title in journey_titles(g, made.options.lang):
        assert squeezed(title) in text
    words = step_words(g)
    assert len(words) >= 20
    missing = [w for w in words if squeezed(w) not in text]
    assert missing == []


def test_japanese_is_text_in_a_cjk_font(example_report: Made) -> None:
    pages = page_texts(reader(example_report.pdf))
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
    journeys = [(level, title) for level, title, _ in marks if level == 2]
    assert journeys == [(2, t) for t in journey_titles(g, made.options.lang)]
    t = translations(made.options.lang)
    sections = [title for level, title, _ in marks if level == 1]
    assert sections[:2] == [t.gettext("Contents"), t.gettext("Stage model")]
    assert sections[-1] == t.gettext("Appendix: check warnings")
    # each journey's bookmark opens the page that shows its title
    texts = [squeezed(p) for p in page_texts(pdf)]
    for level, title, page in marks:
        if level == 2:
            assert squeezed(title) in texts[page]


def test_the_example_has_its_leads_and_every_warning(example_report: Made) -> None:
    pdf = reader(example_report.pdf)
    t = translations("ja")
    titles = [title for _, title, _ in outline_titles(pdf)]
    assert t.gettext("Leads on the journey") in titles
    text = squeezed("".join(page_texts(pdf)))
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
    assert "2026" in page_texts(reader(story_report.pdf))[0]


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
