"""coverage.html: context builders, links that resolve, escaping and self-containment."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import networkx as nx
import pytest

from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.coverage_html import anchor, coverage_context, render_coverage_html

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HREF = re.compile(r'href="([^"]*)"')


def graph_at(root: Path) -> nx.MultiDiGraph:
    compiled = compile_project(root, shown_as="")
    assert compiled.ok and compiled.graph is not None
    return compiled.graph


@pytest.fixture(scope="module")
def basic() -> nx.MultiDiGraph:
    return graph_at(FIXTURES / "coverage-basic")


def page(g: nx.MultiDiGraph, lang: str = "en", formats: frozenset[str] = frozenset()) -> str:
    files = render_coverage_html(g, RenderOptions(lang, formats))
    assert list(files) == ["coverage.html"]
    return files["coverage.html"].decode("utf-8")


def test_context_headline_and_matrices(basic: nx.MultiDiGraph) -> None:
    ctx = coverage_context(basic, RenderOptions("en"))
    assert ctx["headline"] == {"covered": 4, "total": 7, "percent": 57, "bar": "57.143%"}
    assert [s["label"] for s in ctx["stages"]] == ["Aware", "Consider", "Buy", "Use"]
    seg, jour = ctx["matrices"]
    assert seg["kind"] == "segment" and jour["kind"] == "journey"
    big = seg["rows"][0]
    assert big["label"] == "Enterprises" and big["href"] is None
    assert [(c["classes"], c["text"], c["pipeline"]) for c in big["cells"]] == [
        ("heat-2", "2", 0),
        ("heat-1", "1", 0),
        ("gap", "0", 1),
        ("gap", "0", 0),
    ]
    assert big["cells"][0]["href"] == "#cell.s.big.s1"
    ann = jour["rows"][0]
    assert ann["href"] == "journeys/ann-journey.html"
    assert ann["cells"][3] == {
        "state": "skipped",
        "classes": "skipped",
        "text": "",
        "title": "no step",
        "pipeline": 0,
        "href": None,
    }
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
    assert first["owners"] == ["営業"]
    assert len(ctx["gaps"]) == 5 + 3
    assert ctx["owners"][0] == {
        "role": "マーケティング",
        "status": "公開済み",
        "status_key": "published",
        "counts": [1, 1, 0, 0],
        "total": 2,
    }
    items = {i["id"]: i for i in ctx["inventory"]}
    assert items["guide-all"]["segments"] == ["全セグメント"]
    assert items["guide-all"]["url"] == "https://example.com/guide"
    assert items["faq-nostatus"]["status"] == "ステータスなし"


def test_every_internal_link_resolves(basic: nx.MultiDiGraph) -> None:
    html = page(basic, formats=frozenset({"xlsx"}))
    ids = set(re.findall(r' id="([^"]+)"', html))
    hrefs = HREF.findall(html)
    fragments = [h[1:] for h in hrefs if h.startswith("#")]
    assert fragments and all(f in ids for f in fragments)
    others = sorted({h for h in hrefs if not h.startswith("#")})
    assert others == [
        "compare.html",
        "coverage.html",
        "data/coverage.xlsx",
        "https://example.com/guide",
        "index.html",
        "journeys/ann-journey.html",
        "journeys/bob-journey.html",
        "journeys/small-team.html",
    ]
    assert 'aria-current="page">Content coverage<' in html
    assert ".topbar" in html  # the shared style sheet is inlined


def test_escaped_and_self_contained(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "coverage-nosegments", root)
    model = root / "journeys/model.yaml"
    model.write_text(
        model.read_text(encoding="utf-8").replace(
            "{id: x, ",
            "{id: x, title: '<script>alert(1)</script>', url: 'javascript:alert(1)', ",
        ),
        encoding="utf-8",
    )
    html = page(graph_at(root))
    assert "<script" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"\s(src|srcset)=", html)
    assert "@import" not in html and "url(http" not in html
    assert [h for h in HREF.findall(html) if "//" in h] == []


def test_deterministic_and_japanese(basic: nx.MultiDiGraph) -> None:
    first = page(basic, "ja")
    assert first == page(basic, "ja")
    assert '<html lang="ja">' in first and "セグメント × ステージ" in first


def test_example_page(example_graph: nx.MultiDiGraph) -> None:
    html = page(example_graph, "ja")
    assert '<span class="big-num">24 / 26</span>' in html
    assert html.count('class="cell gap"') == 3  # ma-adopted x problem-aware, and two steps


def test_anchor_refuses_non_slugs() -> None:
    assert anchor("cell", "s", "a-b", "c") == "cell.s.a-b.c"
    with pytest.raises(ValueError):
        anchor("cell", "a.b")
