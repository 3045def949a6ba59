"""Pain severity on the pages (FORMAT.md extension 4): the journey map's markers, the
overview's list of severe pains, the deck's words, and outputs unchanged without severities."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from projects import FIXTURES

from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.deck.context import buyer_cell_of
from toolkit.render.html import index_context, journey_context, render_html, severe_pains
from toolkit.render.html_context import buyer_lanes, make_facts, step_columns

PROJECT = FIXTURES / "pain-severity"


def compiled(root: Path) -> nx.MultiDiGraph:
    result = compile_project(root, shown_as="")
    assert result.ok, [d.render() for d in result.diagnostics]
    return result.graph


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return compiled(PROJECT)


@pytest.fixture(scope="module")
def pages(graph: nx.MultiDiGraph) -> dict[str, dict[str, str]]:
    """Both languages' pages of the fixture, rendered once."""
    return {
        lang: {p: b.decode("utf-8") for p, b in render_html(graph, RenderOptions(lang)).items()}
        for lang in ("en", "ja")
    }


def expected_list() -> list[list[str]]:
    lines = (PROJECT / "expected" / "index-pains.txt").read_text(encoding="utf-8").splitlines()
    return [[part.strip() for part in line.split("|")] for line in lines if line[:1] != "#"]


def test_the_overview_lists_abandon_then_workaround_pains(graph: nx.MultiDiGraph) -> None:
    groups = severe_pains(make_facts(graph, RenderOptions("en")))
    found = [
        [g["key"], item["journey"], item["stage"], item["text"]]
        for g in groups
        for item in g["items"]
    ]
    assert found == expected_list()
    assert [(g["key"], g["title"], g["heading"]) for g in groups] == [
        ("abandon", "Pains that make buyers give up", "h2"),
        ("workaround", "Pains that need a workaround", "h3"),
    ]
    hrefs = [item["href"] for g in groups for item in g["items"]]
    assert hrefs == [
        "journeys/ann.html",
        "journeys/ann.html",
        "journeys/team.html",
        "journeys/ann.html",
        "journeys/team.html",
    ]


def test_the_overview_section_in_japanese(pages: dict[str, dict[str, str]]) -> None:
    page = pages["ja"]["index.html"]
    section = page[page.index('<section class="block severe-pains"') :]
    section = section[: section.index("</section>")]
    assert '<h2 id="pains-abandon">離脱につながるペイン</h2>' in section
    assert '<h3 id="pains-workaround">回避策が必要なペイン</h3>' in section
    items = re.findall(r'<span class="pain-text" lang="en">([^<]*)</span>', section)
    assert items == [row[3] for row in expected_list()]
    assert section.count('<a href="journeys/ann.html">アンの購買</a>') == 3
    # the section comes before the stage model
    assert page.index("severe-pains") < page.index('id="stage-model"')


def test_the_journey_map_marks_each_pain_with_a_word(
    pages: dict[str, dict[str, str]], graph: nx.MultiDiGraph
) -> None:
    facts = make_facts(graph, RenderOptions("ja"))
    lane = next(x for x in buyer_lanes(facts, step_columns(facts, "ann")) if x["key"] == "pains")
    marks = [[m and m["key"] for m in cell["marks"]] for cell in lane["cells"]]
    assert marks == [[None, "trivial"], ["abandon", "workaround", None], ["abandon"]]
    page = pages["ja"]["journeys/ann.html"]
    found = re.findall(
        r'<li class="pain pain-(\w+)"><span class="severity severity-\1" lang="ja">'
        r'<span class="severity-icon" aria-hidden="true">(.)</span>'
        r'<span class="visually-hidden">深刻度: </span>([^<]+)</span> ([^<]+)</li>',
        page,
    )
    assert found == [
        ("trivial", "–", "些細", "No time to read"),
        ("abandon", "✕", "離脱", "Pricing is hidden"),
        ("workaround", "!", "回避策が必要", "Export needs a script"),
        ("abandon", "✕", "離脱", "Contract in paper only"),
    ]
    assert "<li>Ads everywhere</li>" in page and "<li>Demo only on request</li>" in page
    en = pages["en"]["journeys/ann.html"]
    assert en.count(">Gives up</span>") == 2 and en.count(">Workaround needed</span>") == 1
    assert "lang=" not in en[en.index('class="severity severity-trivial"') :][:40]
    # the team's journey marks only its compare step
    assert pages["en"]["journeys/team.html"].count('class="pain pain-') == 2


def test_the_deck_starts_a_severe_pain_with_its_word(graph: nx.MultiDiGraph) -> None:
    facts = make_facts(graph, RenderOptions("ja"))
    lane = next(x for x in buyer_lanes(facts, step_columns(facts, "ann")) if x["key"] == "pains")
    cell = buyer_cell_of(lane["cells"][1], "• ")
    assert [[(s.text, s.style) for s in p] for p in cell.paras] == [
        [("• ", ""), ("離脱", "alert"), (" Pricing is hidden", "")],
        [("• ", ""), ("回避策が必要", "alert"), (" Export needs a script", "")],
        [("• Demo only on request", "")],
    ]


def test_mappings_without_severity_build_as_strings(tmp_path: Path) -> None:
    """{text: x} is "x": no pain_severity, no overview section, the same page bytes."""
    plain = shutil.copytree(PROJECT, tmp_path / "plain")
    mapped = shutil.copytree(PROJECT, tmp_path / "mapped")
    for root, form in ((plain, "{}"), (mapped, "{{text: {}}}")):
        for name in ("ann.yaml", "team.yaml"):
            path = root / "journeys" / name
            text = re.sub(r", severity: \w+", "", path.read_text(encoding="utf-8"))
            text = text.replace("        severity: workaround\n", "")
            text = re.sub(r"\{text: ([^}]*)\}", "\\1", text).replace("- text: ", "- ")
            text = re.sub(
                r"(- |pains: )(?!\{)([A-Z][^\n]*)",
                lambda m, form=form: m[1] + form.format(m[2]),
                text,
            )
            path.write_text(text, encoding="utf-8")
    graphs = [compiled(plain), compiled(mapped)]
    assert all("pain_severity" not in d for g in graphs for _, d in g.nodes(data=True))
    first, second = (render_html(g, RenderOptions("en")) for g in graphs)
    assert first == second
    assert b'<section class="block severe-pains"' not in first["index.html"]
    assert b'<li class="pain ' not in first["journeys/ann.html"]
    assert index_context(make_facts(graphs[0], RenderOptions("en")))["severe_pains"] == []
    text = (mapped / "journeys" / "ann.yaml").read_text(encoding="utf-8")
    assert "{text: Pricing is hidden}" in text and "severity:" not in text


def test_only_trivial_severities_give_empty_groups(tmp_path: Path) -> None:
    root = shutil.copytree(PROJECT, tmp_path / "p")
    for name in ("ann.yaml", "team.yaml"):
        path = root / "journeys" / name
        text = re.sub(r"severity: \w+", "severity: trivial", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    groups = severe_pains(make_facts(compiled(root), RenderOptions("en")))
    assert [(g["key"], g["items"], g["empty"]) for g in groups] == [
        ("abandon", [], "No pain makes buyers give up."),
        ("workaround", [], "No pain needs a workaround."),
    ]
    journey_context(make_facts(compiled(root), RenderOptions("en")), "ann")  # renders
