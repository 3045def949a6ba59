"""The report's plan and its pure helpers (toolkit/render/report.py), without WeasyPrint."""

from __future__ import annotations

import networkx as nx
import pytest

from toolkit.render.common import RenderOptions
from toolkit.render.environment import make_environment
from toolkit.render.report import (
    PAPERS,
    Frame,
    Sheet,
    chunks,
    cut_parts,
    link_targets,
    page_html,
    plan,
    report_date,
    text_width,
)


def test_the_plan_numbers_every_page_and_points_the_contents_at_them(
    example_graph: nx.MultiDiGraph,
) -> None:
    p = plan(example_graph, RenderOptions("en", paper="a4"))
    kinds = [s.kind for s in p.sheets]
    # 9 stages on A4 (6 a page): every map on two pages
    assert kinds == [
        "cover",
        "contents",
        "stages",
        "personas",
        "personas",
        *["map"] * 10,
        "chart",
        "compare",
        "compare",
        "heatmap",
        "heatmap",
        "gaps",
        "warnings",
    ]
    assert [s.number for s in p.sheets] == list(range(1, len(kinds) + 1))
    assert p.sheets[2].folio == "Page 3 of 22"
    by_page = {s.number: s for s in p.sheets}
    titles = {e.label: e.page for e in p.entries}
    assert titles["Contents"] == 2 and titles["Stage model"] == 3 and titles["Personas"] == 4
    journeys = [e for e in p.entries if e.level == 2][:4]
    assert [e.page for e in journeys] == [6, 8, 10, 12]
    compare = [(e.level, e.label, e.page) for e in p.entries if e.page in (16, 17)]
    assert compare == [
        (1, "Compare journeys", 16),
        (2, "Emotion per customer stage", 16),
        (2, "Journeys side by side", 17),
    ]
    for e in journeys:
        assert by_page[e.page].data["journey"]["title"] == e.label
        assert by_page[e.page].data["part"] == "Stages 01–05 (1 of 2)"
        assert by_page[e.page + 1].data["part"] == "Stages 06–09 (2 of 2)"
        assert [c["number"] for c in by_page[e.page + 1].data["columns"]] == [
            "06",
            "07",
            "08",
            "09",
        ]
    contents = p.sheets[1].data["entries"]
    assert [c["href"] for c in contents[:2]] == ["report-page:3", "report-page:4"]


def test_report_links_lead_to_their_pages(example_graph: nx.MultiDiGraph) -> None:
    p = plan(example_graph, RenderOptions("ja", paper="a3"))
    targets = link_targets(p)
    maps = [s for s in p.sheets if s.kind == "map"]
    first = maps[0].data["journey"]["ref"]
    assert targets[f"journeys/{first}.html"] == maps[0].number - 1
    assert (
        targets["../coverage.html"] == next(s for s in p.sheets if s.kind == "heatmap").number - 1
    )
    assert targets["report-page:1"] == 0


def test_text_is_escaped_in_the_report_page(example_graph: nx.MultiDiGraph) -> None:
    nasty = '<script>alert("x")</script>'
    frame = Frame("en", nasty, nasty, PAPERS["a3"])
    html = page_html(
        make_environment(),
        frame,
        [
            Sheet(
                "cover", {"project": nasty, "client": nasty, "date": "", "facts": []}, 10, 1, nasty
            )
        ],
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_text_width_counts_wide_characters_as_one_em() -> None:
    assert text_width("<p>日本</p><p>ab</p>") == pytest.approx(2 + 2 * 0.55)
    assert text_width('<svg class="x"><text>無視</text></svg><style>p{}</style> ') == 0


def test_parts_hold_at_most_24_weight() -> None:
    sheets = [Sheet("map", {}, 7.5) for _ in range(7)] + [Sheet("gaps", {}, 10)] * 3
    parts = cut_parts(sheets)
    assert [len(p) for p in parts] == [6, 1 + 3]
    assert chunks([1, 2, 3], 2) == [[1, 2], [3]] and chunks([], 2) == []


def test_the_cover_date_comes_from_source_date_epoch_or_the_content(
    example_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert report_date(example_graph, "ja") == "2026年1月1日"
    assert report_date(example_graph, "en") == "January 1, 2026"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    newest = max(str(d["updated"]) for _, d in example_graph.nodes(data=True) if d.get("updated"))
    assert report_date(example_graph, "en").endswith(newest[:4])


def test_the_maps_are_set_without_the_browsers_phrase_breaks(
    example_graph: nx.MultiDiGraph,
) -> None:
    # <wbr> cuts WeasyPrint's text into boxes: twice the time, memory and bytes on L
    p = plan(example_graph, RenderOptions("ja", paper="a3"))
    maps = [s for s in p.sheets if s.kind == "map"]
    frame = Frame("ja", "p", "c", PAPERS["a3"])
    html = page_html(make_environment(), frame, maps[:1])
    broken = [
        str(entry)
        for lane in maps[0].data["buyer_lanes"]
        for cell in lane["cells"]
        for entry in cell.get("entries", [])
        if "<wbr>" in str(entry)
    ]
    assert broken  # the page's context has them
    assert "<wbr>" not in html
    assert all(entry.replace("<wbr>", "") in html for entry in broken)
