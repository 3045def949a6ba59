"""The coverage pages: context builders, links that resolve, the check's warnings marked,
escaping, self-containment and a size that stays small on a large project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from warned import WARNING_CODES, write_warned_project

from benchmarks.generate import generate
from toolkit.pipeline import Pipeline, Settings, compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import (
    anchor,
    cells_context,
    coverage_context,
    format_label,
    inventory_context,
    render_coverage_html,
)
from toolkit.render.notices import page_warnings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HREF = re.compile(r'href="([^"]*)"')
PAGES = ["coverage.html", "coverage-cells.html", "coverage-inventory.html"]


def graph_at(root: Path) -> nx.MultiDiGraph:
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None
    return compiled.graph


@pytest.fixture(scope="module")
def basic() -> nx.MultiDiGraph:
    return graph_at(FIXTURES / "coverage-basic")


def pages(
    g: nx.MultiDiGraph, lang: str = "en", formats: frozenset[str] = frozenset()
) -> dict[str, str]:
    files = render_coverage_html(g, RenderOptions(lang, formats))
    assert list(files) == PAGES
    return {path: data.decode("utf-8") for path, data in files.items()}


def test_context_headline_and_matrices(basic: nx.MultiDiGraph) -> None:
    ctx = coverage_context(basic, RenderOptions("en"))
    assert ctx["headline"] == {"covered": 4, "total": 7, "percent": 57, "bar": "57.143%"}
    assert [s["label"] for s in ctx["stages"]] == ["Aware", "Consider", "Buy", "Use"]
    assert [s["flags"] for s in ctx["stages"]] == [[], [], [], []]  # every stage is served
    seg, jour = ctx["matrices"]
    assert seg["kind"] == "segment" and jour["kind"] == "journey"
    big = seg["rows"][0]
    assert big["label"] == "Enterprises" and big["href"] is None
    assert [(c["classes"], c["text"], c["pipeline"], c["title"]) for c in big["cells"]] == [
        ("heat-2", "2", 0, "2 published items"),
        ("heat-1", "1", 0, "1 published item"),
        ("gap", "0", 1, "0 published items, 1 in the pipeline"),
        ("gap", "0", 0, "0 published items"),
    ]
    assert big["cells"][0]["href"] == "coverage-cells.html#cell.s.big.s1"
    assert big["cells"][0]["where"] == "Enterprises × Aware"
    ann = jour["rows"][0]
    assert ann["href"] == "journeys/ann-journey.html"
    assert ann["cells"][3] == {
        "state": "skipped",
        "classes": "skipped",
        "text": "",
        "where": "Ann's journey × Use",
        "title": "no step",
        "pipeline": 0,
        "href": None,
    }
    assert ctx["warnings"] == []
    assert ctx["pages"] == [
        {"label": "Items per cell", "href": "coverage-cells.html"},
        {"label": "Every content item (7)", "href": "coverage-inventory.html"},
    ]
    assert ctx["downloads"] == []
    with_xlsx = coverage_context(basic, RenderOptions("en", frozenset({"xlsx"})))
    assert with_xlsx["downloads"] == [{"label": "Workbook (XLSX)", "href": "data/coverage.xlsx"}]


def test_context_gaps_owners_inventory(basic: nx.MultiDiGraph) -> None:
    ctx = coverage_context(basic, RenderOptions("ja"))
    first = ctx["gaps"][0]
    assert (first["stage"], first["where"], first["view"], first["count"]) == (
        "購買",
        "大企業",
        "セグメント",
        0,
    )
    assert [(p["id"], p["status_label"]) for p in first["pipeline"]] == [("quote-big", "計画中")]
    assert first["pipeline"][0]["href"] == "coverage-inventory.html#item.quote-big"
    assert first["owners"] == ["営業"]
    assert len(ctx["gaps"]) == 5 + 3
    assert ctx["owners"][0] == {
        "role": "マーケティング",
        "status": "公開済み",
        "status_key": "published",
        "counts": [1, 1, 0, 0],
        "total": 2,
    }
    items = {i["id"]: i for i in inventory_context(basic, RenderOptions("ja"))["inventory"]}
    assert items["guide-all"]["segments"] == ["全セグメント"]
    assert items["guide-all"]["url"] == "https://example.com/guide"
    assert items["faq-nostatus"]["status"] == "ステータスなし"
    # formats and statuses in the page's language; an unusual format as written
    assert [(items[i]["format"], items[i]["status"]) for i in ("guide-all", "case-small")] == [
        ("ガイド", "公開済み"),
        ("導入事例", "下書き"),
    ]
    assert items["old-deck"]["format"] == ""
    t = coverage_context(basic, RenderOptions("en"))
    assert t["stages"][0]["label"] == "Aware"
    from toolkit.common.i18n import translations

    assert format_label(translations("en"), "whitepaper") == "white paper"
    assert format_label(translations("ja"), "Whitepaper") == "ホワイトペーパー"
    assert format_label(translations("ja"), "podcast-series") == "podcast-series"


def test_journey_cells_link_their_segment_cell(basic: nx.MultiDiGraph) -> None:
    """A journey step shares its targeted items with its segment x stage cell: its entry
    links to that cell and lists only the items its actions name beyond it."""
    details = {d["anchor"]: d for d in cells_context(basic, RenderOptions("en"))["details"]}
    assert len(details) == 8 + 7  # 2 segments x 4 stages, 7 journey steps
    ann = details["cell.j.ann-journey.s1"]
    assert ann["includes"] == {
        "href": "#cell.s.big.s1",
        "title": "Enterprises × Aware",
        "count": "2 published items",
    }
    assert ann["entries"] == [] and ann["pipeline"] == []
    big = details["cell.s.big.s1"]
    assert big["includes"] is None
    assert [e["id"] for e in big["entries"]] == ["guide-all", "onboarding"]
    assert big["entries"][0]["href"] == "coverage-inventory.html#item.guide-all"
    # Bob's segment has nothing at s4: his step lists the item his action names, in full
    bob = details["cell.j.bob-journey.s4"]
    assert bob["includes"] is None and [e["id"] for e in bob["entries"]] == ["onboarding"]
    gap = details["cell.j.small-team.s3"]
    assert (gap["includes"], gap["entries"], gap["pipeline"], gap["more"]) == (None, [], [], "")


def test_every_internal_link_resolves(basic: nx.MultiDiGraph) -> None:
    html = pages(basic, formats=frozenset({"xlsx"}))
    ids = {name: set(re.findall(r' id="([^"]+)"', page)) for name, page in html.items()}
    others: set[str] = set()
    for name, page in html.items():
        for href in HREF.findall(page):
            target, _, fragment = href.partition("#")
            if target in ("", *PAGES) and fragment:
                assert fragment in ids[target or name], (name, href)
            elif not fragment:
                others.add(href)
    assert sorted(others) == [
        "compare.html",
        "coverage-cells.html",
        "coverage-inventory.html",
        "coverage.html",
        "data/coverage.xlsx",
        "https://example.com/guide",
        "index.html",
        "journeys/ann-journey.html",
        "journeys/bob-journey.html",
        "journeys/small-team.html",
        "plan.html",
    ]
    assert 'aria-current="page">Content coverage<' in html["coverage.html"]
    assert 'aria-current="page">Content inventory<' in html["coverage-inventory.html"]
    assert 'aria-current="page"' not in html["coverage-cells.html"]
    for page in html.values():
        assert ".topbar" in page  # the shared style sheet is inlined
        assert '<a class="skip-link" href="#main">' in page and '<main id="main">' in page
        assert "leads.html" not in page  # no lead overlay: no leads page to link


def test_wide_tables_are_keyboard_scroll_regions(basic: nx.MultiDiGraph) -> None:
    html = pages(basic)
    for name, page in html.items():
        scrolls = re.findall(r'<div class="scroll"[^>]*>', page)
        for div in scrolls:
            assert 'tabindex="0"' in div and 'role="region"' in div, (name, div)
            assert "aria-label" in div, (name, div)
    assert len(re.findall(r'<div class="scroll"', html["coverage.html"])) == 4  # 2+gaps+owners
    assert len(re.findall(r'<div class="scroll"', html["coverage-inventory.html"])) == 1


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> tuple[nx.MultiDiGraph, RenderOptions]:
    """tests/fixtures/warnings plus an empty file and sales rules naming a buying role that
    no persona has: every warning `journey check` prints, with the build's options."""
    root = tmp_path_factory.mktemp("warned") / "project"
    write_warned_project(root)
    compiled = Pipeline(Settings(root, shown_as=str(root))).compiled()
    assert compiled.graph is not None and compiled.ok
    assert sorted({d.code for d in compiled.diagnostics}) == WARNING_CODES
    options = RenderOptions(
        "en",
        frozenset({"html"}),
        shown_as=str(root),
        warnings=page_warnings(compiled.diagnostics),
    )
    return compiled.graph, options


def test_warnings_are_marked_where_they_belong(
    warned: tuple[nx.MultiDiGraph, RenderOptions],
) -> None:
    graph, options = warned
    ctx = coverage_context(graph, options)
    assert ctx["warnings"] == [
        {
            "code": "unserved-stage",
            "label": "No funnel stage serves it",
            "entries": [{"text": "Retain", "href": None}],
        },
        {
            "code": "orphan-content",
            "label": "Serves no journey step",
            "entries": [
                {"text": "loyalty-mail", "href": "coverage-inventory.html#item.loyalty-mail"}
            ],
        },
        {
            "code": "unpersonified-role",
            "label": "No persona has this buying role",
            "entries": [{"text": "Decision-maker", "href": None}],
        },
    ]
    flagged = [s["label"] for s in ctx["stages"] if s["flags"]]
    assert flagged == ["Retain"]
    items = {i["id"]: i for i in inventory_context(graph, options)["inventory"]}
    assert items["loyalty-mail"]["flags"] == [
        {"code": "orphan-content", "label": "Serves no journey step"}
    ]
    assert items["old-loyalty-mail"]["flags"] == []  # retired: not an orphan
    assert items["guide"]["flags"] == []
    files = render_coverage_html(graph, options)
    html = files["coverage.html"].decode()
    assert html.count('<span class="badge badge-unserved-stage">') == 2 + 1  # 2 heatmaps, list
    assert '<section class="warning-group" id="warning-orphan-content">' in html
    assert '<li><a href="coverage-inventory.html#item.loyalty-mail">loyalty-mail</a></li>' in html
    inventory = files["coverage-inventory.html"].decode()
    assert '<tr id="item.loyalty-mail" class="status-published flag-orphan-content">' in inventory
    assert inventory.count('<span class="badge badge-orphan-content">') == 1
    assert "1 item serves no journey step." in inventory
    ja = render_coverage_html(graph, RenderOptions("ja", warnings=options.warnings))
    ja_html = ja["coverage.html"].decode()
    assert "対応するファネル段階なし" in ja_html and "この購買役割のペルソナなし" in ja_html
    assert "決裁者" in ja_html  # the buying role in the page's language


def test_leads_page_is_in_the_navigation_when_built(basic: nx.MultiDiGraph) -> None:
    from toolkit.render.overlay import LeadOverlay

    options = RenderOptions("en", overlay=LeadOverlay(as_of=None, total=0))
    for page in render_coverage_html(basic, options).values():
        assert '<li><a href="leads.html">Leads on the journey</a></li>' in page.decode()


def test_escaped_and_self_contained(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    model = root / "journeys/model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace(
            "{id: x, ",
            "{id: x, title: '<script>alert(1)</script>', url: 'javascript:alert(1)', "
            "format: '<b>bold</b>', ",
        ),
        encoding="utf-8",
    )
    html = pages(graph_at(root))
    for page in html.values():
        assert "<script" not in page and "javascript:" not in page and "<b>" not in page
        assert not re.search(r"\s(src|srcset)=", page)
        assert "@import" not in page and "url(http" not in page
        assert [h for h in HREF.findall(page) if "//" in h] == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html["coverage-inventory.html"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in html["coverage-inventory.html"]


def test_deterministic_and_japanese(basic: nx.MultiDiGraph) -> None:
    first = pages(basic, "ja")
    assert first == pages(basic, "ja")
    assert '<html lang="ja">' in first["coverage.html"]
    assert "セグメント × ステージ" in first["coverage.html"]


def test_example_page(example_graph: nx.MultiDiGraph) -> None:
    html = pages(example_graph, "ja")["coverage.html"]
    assert '<span class="big-num">24 / 26</span>' in html
    assert html.count('class="cell gap"') == 3  # ma-adopted x problem-aware, and two steps


def test_coverage_page_stays_small_on_a_large_project(tmp_path: Path) -> None:
    """The benchmark's M project (20 journeys x 12 stages, 500 items): coverage.html was
    1.96 MB when it held the items of every cell and the inventory; those are pages of their
    own now, so coverage.html grows with the cells only (L: 16.4 MB before, 0.36 MB now)."""
    generate(tmp_path / "m", "M")
    files = render_coverage_html(graph_at(tmp_path / "m"), RenderOptions("ja"))
    sizes = {path: len(data) for path, data in files.items()}
    assert sizes["coverage.html"] < 300_000, sizes
    assert sizes["coverage-inventory.html"] < 600 * 500, sizes  # under 600 bytes per item
    heat_cells = re.findall(rb'<td class="cell [^"]*" title=', files["coverage.html"])
    assert len(heat_cells) == 4 * 12 + 20 * 12  # segments x stages, journeys x stages


def test_anchor_refuses_non_slugs() -> None:
    assert anchor("cell", "s", "a-b", "c") == "cell.s.a-b.c"
    with pytest.raises(ValueError):
        anchor("cell", "a.b")
