"""The PowerPoint deck (toolkit/render/deck): read back with python-pptx, its slides follow
the project (count, every step's text in its journey's map tables, the emotion chart's data,
coverage colours, gaps), its text is never below 10 pt and carries an East Asian typeface,
it is byte-identical for identical input, and LibreOffice converts it."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from lxml import etree
from pptx import Presentation
from pptx.util import Emu

from toolkit.common.labels import label_of, pick
from toolkit.graph.build import nid
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions, actions_at, journey_steps
from toolkit.render.coverage_html import coverage_context
from toolkit.render.deck import DECK_PATH, DeckUnavailable, deck_files, fit, make_deck
from toolkit.render.deck.writer import EAST_ASIAN, FILLS, LATIN
from toolkit.render.html_context import journey_refs
from toolkit.scaffold.scaffold import init_project

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
BUYER_FIELDS = ("thinking", "feeling", "doing", "questions", "touchpoints", "pains")
BUYER_FIELDS += ("opportunities",)


@pytest.fixture(scope="module")
def ja_deck(example_graph: nx.MultiDiGraph) -> bytes:
    return make_deck(example_graph, RenderOptions("ja")).data


@pytest.fixture(scope="module")
def en_a3_deck(example_graph: nx.MultiDiGraph) -> bytes:
    return make_deck(example_graph, RenderOptions("en"), "a3").data


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> nx.MultiDiGraph:
    root = tmp_path_factory.mktemp("story") / "project"
    init_project(root, "story")
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None
    return compiled.graph


def read(data: bytes) -> Any:
    return Presentation(io.BytesIO(data))


def title_of(slide: Any) -> str:
    return str(slide.shapes.title.text_frame.text)


def tables(slide: Any) -> list[list[list[str]]]:
    return [
        [[cell.text for cell in row.cells] for row in shape.table.rows]
        for shape in slide.shapes
        if shape.has_table
    ]


def charts(slide: Any) -> list[Any]:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


# --- what a journey's map slides must show, from the compiled project --------------------------


def journey_title(g: nx.MultiDiGraph, ref: str, lang: str) -> str:
    return pick(g.nodes[nid("journey", ref)].get("title"), lang, ref)


def stage_heads(g: nx.MultiDiGraph, ref: str, lang: str) -> list[str]:
    """The header of each step's column: the stage's number in the model and its label."""
    stages = sorted(
        (d for _, d in g.nodes(data=True) if d["type"] == "stage"), key=lambda d: d["order"]
    )
    number = {d["ref"]: i + 1 for i, d in enumerate(stages)}
    return [
        f"{number[d['stage']]:02d} {label_of(g.nodes[nid('stage', d['stage'])], lang)}"
        for _, d in journey_steps(g, ref)
    ]


def step_texts(g: nx.MultiDiGraph, step: str, data: dict[str, Any]) -> Iterator[str]:
    for key in BUYER_FIELDS:
        value = data.get(key)
        yield from (value if isinstance(value, list) else [value] if value else [])
    for action in actions_at(g, step):
        yield action["action"]
        if action.get("kpi"):
            yield action["kpi"]


def map_slides(prs: Any, g: nx.MultiDiGraph, ref: str, lang: str) -> list[Any]:
    title = journey_title(g, ref, lang)
    return [s for s in prs.slides if title_of(s) == title or title_of(s).startswith(title + " (")]


def check_structure(data: bytes, g: nx.MultiDiGraph, lang: str) -> dict[str, int]:
    """The deck's slides are title, stage model, per journey persona + map slides (stage
    groups x lane bands), coverage, gaps; each journey's map covers its steps in order, every
    lane once per stage group. Returns the counts it found."""
    prs = read(data)
    slides = list(prs.slides)
    expected = 2
    counts: dict[str, int] = {}
    for ref in journey_refs(g):
        maps = map_slides(prs, g, ref, lang)
        n = len(maps)
        heads = stage_heads(g, ref, lang)
        assert n >= 1
        if n > 1:
            title = journey_title(g, ref, lang)
            assert [title_of(s) for s in maps] == [f"{title} ({k}/{n})" for k in range(1, n + 1)]
        first = slides.index(maps[0])
        assert slides[first : first + n] == maps  # one after another, after the persona's
        assert title_of(slides[first - 1]) == who(g, ref, lang)
        groups: list[list[list[list[str]]]] = []  # per group: its slides' table
        for s in maps:
            (table,) = tables(s)
            if groups and groups[-1][0][0] == table[0]:
                groups[-1].append(table)
            else:
                groups.append([table])
        bands = len(groups[0])
        assert all(len(group) == bands for group in groups) and n == len(groups) * bands
        shown = [head.split("\n")[0] for group in groups for head in group[0][0][1:]]
        assert shown == heads  # every step once, in stage order
        for group in groups:  # every lane once per stage group, the same lanes in each
            assert len(lanes_of(group)) == len(set(lanes_of(group)))
            assert lanes_of(group) == lanes_of(groups[0])
        counts[ref] = n
        expected += 1 + n
    coverage = [s for s in slides if s.shapes.title and title_of(s).startswith(cov_title(lang))]
    gaps = [s for s in slides if title_of(s).startswith(gap_title(lang))]
    assert len(coverage) == 1 and len(gaps) == 1
    assert slides[-2:] == [*coverage, *gaps]
    assert len(slides) == expected + 2
    counts["slides"] = len(slides)
    return counts


def who(g: nx.MultiDiGraph, ref: str, lang: str) -> str:
    """The persona slide's title: the persona's name, or the segment's of a whole-segment
    journey."""
    data = g.nodes[nid("journey", ref)]
    if data.get("persona"):
        return str(g.nodes[nid("persona", data["persona"])]["name"])
    return label_of(g.nodes[nid("segment", data["segment"])], lang)


def lanes_of(group: list[list[list[str]]]) -> list[str]:
    return [row[0] for table in group for row in table[1:]]


def cov_title(lang: str) -> str:
    return "コンテンツのカバー状況" if lang == "ja" else "Content coverage"


def gap_title(lang: str) -> str:
    return "ギャップ (" if lang == "ja" else "Gaps ("


# --- the deck of the bundled example -----------------------------------------------------------


def test_slides_follow_the_project(
    ja_deck: bytes, en_a3_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    wide = check_structure(ja_deck, example_graph, "ja")
    a3 = check_structure(en_a3_deck, example_graph, "en")
    # A3 holds more of a map per slide: fewer slides, never more.
    assert a3["slides"] < wide["slides"]
    assert all(a3[ref] <= wide[ref] for ref in journey_refs(example_graph))
    prs = read(ja_deck)
    assert [title_of(s) for s in list(prs.slides)[:3]] == [
        "株式会社サンプル「サンプルリンク」カスタマージャーニー",
        "ステージモデル",
        "鈴木 彩",
    ]


def test_every_steps_text_is_in_a_cell_of_its_journeys_map(
    ja_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    prs = read(ja_deck)
    checked = 0
    for ref in journey_refs(example_graph):
        cells = [
            cell
            for s in map_slides(prs, example_graph, ref, "ja")
            for table in tables(s)
            for row in table
            for cell in row
        ]
        for step, data in journey_steps(example_graph, ref):
            for words in step_texts(example_graph, step, data):
                assert any(words in cell for cell in cells), (ref, words)
                checked += 1
    assert checked > 200


def test_the_emotion_chart_holds_each_journeys_emotions(
    ja_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    prs = read(ja_deck)
    for ref in journey_refs(example_graph):
        categories: list[str] = []
        values: list[float | None] = []
        for s in map_slides(prs, example_graph, ref, "ja"):
            for chart in charts(s):
                plot = chart.plots[0]
                assert len(plot.series) == 1 and plot.series[0].name == "感情曲線"
                categories += list(plot.categories)
                values += list(plot.series[0].values)
                assert chart.value_axis.minimum_scale == -2
                assert chart.value_axis.maximum_scale == 2
        steps = journey_steps(example_graph, ref)
        assert categories == stage_heads(example_graph, ref, "ja")
        assert values == [None if d.get("emotion") is None else d["emotion"] for _, d in steps]


def runs(data: bytes) -> Iterator[Any]:
    """Every text run (a:r) of every slide, as lxml elements."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if re.fullmatch(r"ppt/slides/slide\d+\.xml", name):
                yield from etree.fromstring(z.read(name)).iter(f"{A}r")


def test_east_asian_runs_carry_an_east_asian_typeface_and_no_text_is_below_10pt(
    ja_deck: bytes,
) -> None:
    wide = 0
    for run in runs(ja_deck):
        words = run.find(f"{A}t").text or ""
        rpr = run.find(f"{A}rPr")
        assert int(rpr.get("sz")) >= 1000, words
        assert rpr.find(f"{A}latin").get("typeface") == LATIN
        if WIDE.search(words):
            wide += 1
            assert rpr.find(f"{A}ea").get("typeface") == EAST_ASIAN
            assert rpr.get("lang") == "ja-JP"
    assert wide > 500
    with zipfile.ZipFile(io.BytesIO(ja_deck)) as z:
        theme = z.read("ppt/theme/theme1.xml").decode()
    assert f'<a:ea typeface="{EAST_ASIAN}"/>' in theme


def test_slide_size_is_16_9_or_a3(ja_deck: bytes, en_a3_deck: bytes) -> None:
    wide, a3 = read(ja_deck), read(en_a3_deck)
    assert (wide.slide_width, wide.slide_height) == (12192000, 6858000)
    assert (round(Emu(a3.slide_width).mm), round(Emu(a3.slide_height).mm)) == (420, 297)


def test_ui_words_follow_the_language(ja_deck: bytes, en_a3_deck: bytes) -> None:
    ja, en = read(ja_deck), read(en_a3_deck)
    assert title_of(ja.slides[1]) == "ステージモデル" and title_of(en.slides[1]) == "Stage model"
    ja_lanes = {row[0] for s in list(ja.slides)[3:5] for t in tables(s) for row in t}
    en_lanes = {row[0] for s in list(en.slides)[3:5] for t in tables(s) for row in t}
    assert {"考えていること", "顧客ステージ"} <= ja_lanes
    assert {"Thinking", "Customer stage"} <= en_lanes
    legend = [sh.text_frame.text for sh in ja.slides[3].shapes if sh.name == "Legend"]
    assert legend and "売り手の接点なし" in legend[0]


def test_title_slide_names_project_client_and_date(
    example_graph: nx.MultiDiGraph, en_a3_deck: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = read(en_a3_deck).slides[0].placeholders[1].text_frame.text.split("\n")
    assert title_of(read(en_a3_deck).slides[0]) == 'Sample Co. "Sample Link" customer journeys'
    # the latest update of the project's content
    assert lines == ["株式会社サンプル", "August 1, 2026", "Customer journeys"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    data = make_deck(example_graph, RenderOptions("ja")).data
    prs = read(data)
    assert prs.slides[0].placeholders[1].text_frame.text.split("\n")[1] == "2026年1月1日"
    assert prs.core_properties.created == dt.datetime(2026, 1, 1)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_identical_input_gives_identical_bytes(
    ja_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    again = deck_files(example_graph, RenderOptions("ja"))
    assert list(again) == [DECK_PATH] and again[DECK_PATH] == ja_deck
    prs = read(ja_deck)
    assert prs.core_properties.created == prs.core_properties.modified == dt.datetime(2026, 8, 1)
    with zipfile.ZipFile(io.BytesIO(ja_deck)) as z:
        workbooks = [n for n in z.namelist() if n.endswith(".xlsx")]
        assert workbooks  # the charts' data, editable in PowerPoint
        inner = zipfile.ZipFile(io.BytesIO(z.read(workbooks[0])))
        assert b"2026-08-01T00:00:00Z" in inner.read("docProps/core.xml")


def test_coverage_slide_colours_each_cell_by_count_and_marks_gaps(
    ja_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    prs = read(ja_deck)
    (slide,) = [s for s in prs.slides if title_of(s) == cov_title("ja")]
    frames = [sh for sh in slide.shapes if sh.has_table]
    cov = coverage_context(example_graph, RenderOptions("ja"))
    assert len(frames) == len(cov["matrices"]) == 2
    for frame, matrix in zip(frames, cov["matrices"], strict=True):
        table = frame.table
        assert len(table.rows) == 1 + len(matrix["rows"])
        for r, row in enumerate(matrix["rows"], start=1):
            assert table.cell(r, 0).text == row["label"]
            for c, cell in enumerate(row["cells"], start=1):
                shown = table.cell(r, c)
                fill = "skipped" if cell["state"] == "skipped" else cell["classes"]
                assert str(shown.fill.fore_color.rgb) == FILLS[fill]
                if cell["state"] == "gap":
                    assert shown.text.startswith(cell["text"] + "!")
                if cell["pipeline"]:
                    assert shown.text.endswith(f"+{cell['pipeline']}")
    segments = frames[0].table  # the example's one segment gap: no item, two in the pipeline
    assert segments.cell(1, 0).text == "MA導入済み企業"
    assert segments.cell(1, 2).text == "0! +2"
    assert str(segments.cell(1, 2).fill.fore_color.rgb) == FILLS["gap"]


def test_gaps_slide_lists_each_gap_with_its_pipeline_and_owners(
    ja_deck: bytes, example_graph: nx.MultiDiGraph
) -> None:
    prs = read(ja_deck)
    (slide,) = [s for s in prs.slides if title_of(s).startswith(gap_title("ja"))]
    gaps = coverage_context(example_graph, RenderOptions("ja"))["gaps"]
    assert title_of(slide) == f"ギャップ ({len(gaps)})" and len(gaps) == 3
    ((head, *rows),) = tables(slide)
    assert head == ["ステージ", "セグメント / ジャーニー", "公開済み", "制作中・計画中", "担当"]
    assert len(rows) == len(gaps)
    for row, gap in zip(rows, gaps, strict=True):
        assert row[0] == gap["stage"] and gap["where"] in row[1]
        assert row[2] == f"{gap['count']}!"
        assert [line.removeprefix("• ") for line in row[3].split("\n")] == [
            f"{item['title']} ({item['status_label']})" for item in gap["pipeline"]
        ]
        assert row[4].split("\n") == gap["owners"] == ["マーケティング"]


def test_a_story_template_project_makes_a_deck(story: nx.MultiDiGraph) -> None:
    lang = story.graph["language"]
    data = make_deck(story, RenderOptions(lang)).data
    counts = check_structure(data, story, lang)
    assert counts["slides"] == len(read(data).slides) >= 2 + 2 * len(journey_refs(story)) + 2


def test_a_missing_python_pptx_is_an_environment_failure_with_the_fix(
    example_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pptx", None)  # import pptx raises ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "toolkit.render.deck.writer")
    with pytest.raises(DeckUnavailable) as caught:
        make_deck(example_graph, RenderOptions("ja"))
    assert "python-pptx" in str(caught.value)
    assert "pip install 'python-pptx>=1.0.2'" in caught.value.fix


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install --no-install-recommends "
    "libreoffice-impress)",
)
def test_libreoffice_converts_the_deck_to_pdf(ja_deck: bytes, tmp_path: Path) -> None:
    from pypdf import PdfReader

    deck = tmp_path / "deck.pptx"
    deck.write_bytes(ja_deck)
    assert SOFFICE is not None
    done = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pages = PdfReader(tmp_path / "deck.pdf").pages
    assert len(pages) == len(read(ja_deck).slides)
    assert "感情曲線" in pages[3].extract_text()


# --- fitting text: toolkit/render/deck/fit.py ---------------------------------------------------


def test_line_count_breaks_japanese_anywhere_and_latin_between_words() -> None:
    # 10 pt in one inch: 7.2 ems a line, so 7 wide characters
    assert fit.line_count("あいうえおかき", 1.0, 10) == 1
    assert fit.line_count("あいうえおかきく", 1.0, 10) == 2
    assert fit.line_count("", 1.0, 10) == 1
    # 0.6 em per Latin character: "aaaa " is 3 ems, two words a line
    assert fit.line_count("aaaa bbbb cccc", 1.0, 10) == 2
    assert fit.line_count("a" * 30, 1.0, 10) == 3  # a word longer than a line wraps inside
    assert fit.paragraphs_height(["あ", "い\nう"], 1.0, 10) == pytest.approx(3 * 12 / 72 + 2 / 72)


def test_balanced_groups_and_bands() -> None:
    assert fit.balanced(9, 4) == [range(0, 3), range(3, 6), range(6, 9)]
    assert fit.balanced(5, 5) == [range(0, 5)]
    assert fit.balanced(0, 3) == []
    # all rows fit the first band
    assert fit.bands_of([1, 1, 1], [0, 1], 3.0, 3.0) == [[0, 1]]
    # two sections, each fitting a band: split where the section changes
    assert fit.bands_of([0.5, 1, 1, 1, 1], [0, 0, 1, 1], 2.6, 3.0) == [[0, 1], [2, 3]]
    # a section too tall for one band is spread evenly, not filled and left over
    assert fit.bands_of([0, 1, 1, 1, 1], [0, 0, 0, 0], 3.5, 3.5) == [[0, 1], [2, 3]]


def test_a_grid_too_wide_for_one_slide_is_cut_into_stage_groups_at_10pt() -> None:
    long = ["長い文章が続きます。" * 8]
    grid = fit.Grid([["01 段階"]] * 6, [(["考え"], [long] * 6), (["行動"], [long] * 6)])
    cut = fit.cut_grid(grid, [0, 1], width=10.0, rooms=(3.0, 3.0), label_w=1.0, min_col=1.5)
    slides = len(cut.groups) * len(cut.bands)
    assert slides > 1
    assert cut.col_w >= 1.5
    for heights in cut.heights:
        for band in cut.bands:
            assert heights[0] + sum(heights[i + 1] for i in band) <= 3.0
    roomy = fit.cut_grid(grid, [0, 1], width=10.0, rooms=(30, 30), label_w=1.0, min_col=1.5)
    assert (len(roomy.groups), len(roomy.bands)) == (1, 1)


# --- small and hostile projects ----------------------------------------------------------------

HOSTILE = '<b>R&D</b> \\"quoted\\" ]]> </a:t><a:r> \\x0b tab\\there'  # YAML, double-quoted


def test_markup_and_control_characters_stay_text(tmp_path: Path) -> None:
    from projects import JOURNEY, write_project

    hostile = JOURNEY.replace("    emotion: 0\n", f'    emotion: 0\n    thinking: "{HOSTILE}"\n')
    hostile = hostile.replace("    emotion: 1\n", "")  # no emotion: a gap in the curve
    root = write_project(tmp_path / "p", {"journeys/ann.yaml": hostile})
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None, [d.render() for d in compiled.diagnostics]
    data = make_deck(compiled.graph, RenderOptions("en")).data
    prs = read(data)
    cells = [c for s in prs.slides for t in tables(s) for row in t for c in row]
    assert '<b>R&D</b> "quoted" ]]> </a:t><a:r>  tab\there' in cells  # \x0b is dropped
    (chart,) = [c for s in prs.slides for c in charts(s)]
    assert list(chart.plots[0].series[0].values) == [0.0, None]
    last = prs.slides[len(prs.slides) - 1]
    assert title_of(last) == "Gaps (0)" and not tables(last)
    assert [sh.text_frame.text for sh in last.shapes][1:] == [
        "No gaps: every cell has published content."
    ]


def test_page_markup_becomes_plain_text_in_a_run() -> None:
    from markupsafe import Markup

    from toolkit.render.deck.slides import Span, para

    assert Span(Markup("ユーザー会<wbr>カンファレンス &amp; 1 &lt; 2")).text == (
        "ユーザー会カンファレンス & 1 < 2"
    )
    assert para("• " + Markup("A<wbr>B"))[0].text == "• AB"
    assert Span("<wbr> stays as typed").text == "<wbr> stays as typed"
