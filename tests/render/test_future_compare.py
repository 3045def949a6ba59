"""compare.html's current/future pairs and the 'future' badges (toolkit.render.future_compare)."""

from __future__ import annotations

import pytest
from projects import FIXTURES

from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.future_compare import change_text, pair_sections
from toolkit.render.html import render_html
from toolkit.render.html_context import make_facts


@pytest.fixture(scope="module")
def pages() -> dict[str, dict[str, str]]:
    compiled = compile_project(FIXTURES / "future-basic", shown_as="")
    assert compiled.graph is not None
    out = {}
    for lang in ("en", "ja"):
        files = render_html(compiled.graph, RenderOptions(lang))
        out[lang] = {k: v.decode("utf-8") for k, v in files.items()}
    return out


def test_change_text() -> None:
    assert change_text(-1, 1) == "−1 → +1: +2"
    assert change_text(2, 0) == "+2 → 0: −2"
    assert change_text(1, 1) == "+1 → +1: ±0"
    assert change_text(None, 1) == ""


def test_pair_sections_context() -> None:
    compiled = compile_project(FIXTURES / "future-basic", shown_as="")
    assert compiled.graph is not None
    (pair,) = pair_sections(make_facts(compiled.graph, RenderOptions("en")))
    assert pair["current"] == {"title": "Ann today", "href": "journeys/ann-today.html", "badge": ""}
    assert pair["future"]["badge"] == "future"
    aware, consider, buy = pair["stages"]
    assert aware["delta"]["unchanged"] and aware["delta"]["emotion"] == ""
    assert (consider["number"], consider["label"]) == ("02", "Consider")
    delta = consider["delta"]
    assert delta["emotion"] == "−1 → +1: +2" and delta["emotion_classes"] == "delta-up"
    assert delta["actions_added"] == [{"role": "Marketing", "text": "Send the case study"}]
    assert delta["content_added"] == ["Case study", "Price sheet"]
    assert delta["gaps_closed"] == [{"code": "seller-absent", "label": "No seller action"}]
    assert consider["current"]["flags"] == [{"code": "seller-absent", "label": "No seller action"}]
    assert consider["future"]["actions"] == [{"role": "Marketing", "text": "Send the case study"}]
    assert buy["delta"]["gaps_closed"] == [{"code": "content-gap", "label": "No published content"}]
    assert buy["delta"]["emotion"] == "−2 → +1: +3"


def test_compare_page_shows_the_pair(pages: dict[str, dict[str, str]]) -> None:
    html = pages["en"]["compare.html"]
    assert html.count('<div class="pair-stage">') == 3
    assert "Current and future states" in html
    assert "−1 → +1: +2" in html and "−2 → +1: +3" in html
    assert html.count('class="gap-closed"') == 2
    ja = pages["ja"]["compare.html"]
    assert "現状と将来像" in ja and "解消されるギャップ" in ja


def test_future_badges_where_journeys_are_listed(pages: dict[str, dict[str, str]]) -> None:
    badge = '<span class="tag tag-future">future</span>'
    en = pages["en"]
    assert en["index.html"].count(badge) == 1
    assert en["compare.html"].count(badge) == 3  # chart legend, grid head, pair heading
    assert en["journeys/ann-future.html"].count(badge) == 1
    assert badge not in en["journeys/ann-today.html"]
    assert pages["ja"]["index.html"].count('<span class="tag tag-future">将来</span>') == 1


def test_index_coverage_counts_current_journeys_only(pages: dict[str, dict[str, str]]) -> None:
    html = pages["en"]["index.html"]
    assert '<span class="big-num">2 / 3</span>' in html
    assert "Current-state journeys · Covered steps" in html


def test_project_without_future_journeys_has_no_pair_section() -> None:
    compiled = compile_project(FIXTURES / "coverage-basic", shown_as="")
    assert compiled.graph is not None
    html = render_html(compiled.graph, RenderOptions("en"))["compare.html"].decode("utf-8")
    assert 'class="block future-pairs"' not in html and 'class="tag tag-future"' not in html
