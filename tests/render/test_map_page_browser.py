"""The journey map page (journeys/<id>.html) in a real browser: Debian's chromium via Playwright.

On a projector (1280x720) and a phone (390x844): the stage headers and the lane labels stay in
view while the map scrolls (one scroll region, sticky headers), no word breaks across lines,
nothing is wider than the screen outside the region, all text is 12px or more, the region and
the skip link work from the keyboard, axe-core finds no WCAG 2.1 AA violation (ja and en).
Printed to PDF: A3 or A4 landscape (`RenderOptions.paper`), the grid as wide as the page with
no text under 8pt. One site per language and paper for the module, one browser.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pypdf
import pytest
from browser import (
    JS_DIR,
    PHONE,
    PROJECTOR,
    axe_violations,
    broken_words,
    launched,
    needs_axe,
    overflowing,
)
from playwright.sync_api import Browser, Page

from toolkit.render.common import RenderOptions
from toolkit.render.html import render_html

JOURNEYS = ["ma-adopted-inside-sales", "ma-adopted-sales-head", "no-ma-manager", "no-ma-segment"]
VIEWPORTS = {"projector": PROJECTOR, "phone": PHONE}
MM = 96 / 25.4  # CSS px per mm
PAGE_MARGIN_MM = 7
PAPERS = {  # paper: (PDF page size in pt, printable width in CSS px)
    "a3": ((1190.55, 841.89), math.floor((420 - 2 * PAGE_MARGIN_MM) * MM)),
    "a4": ((841.89, 595.28), math.floor((297 - 2 * PAGE_MARGIN_MM) * MM)),
}
STAGES_JA = [
    "課題の未知",
    "課題の認知",
    "興味・関心",
    "情報収集",
    "検討",
    "購買・発注",
    "利用",
    "継続・リピート",
    "ロイヤルカスタマー化",
]


def js(name: str) -> str:
    return (JS_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sites(example_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The journey pages of the bundled example: ja (A3), en (A3) and ja on A4 paper."""
    formats = frozenset({"svg", "mermaid", "json", "csv"})
    variants = {
        "ja": RenderOptions("ja", formats),
        "en": RenderOptions("en", formats),
        "a4": RenderOptions("ja", formats, paper="a4"),
    }
    out = {}
    for name, options in variants.items():
        root = tmp_path_factory.mktemp(f"map-{name}")
        for rel, data in render_html(example_graph, options).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        out[name] = root
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as instance:
        yield instance


def open_page(browser: Browser, path: Path, viewport: dict[str, int]) -> Page:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return page


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[Page]]:
    """Pages opened by a test (open_page), closed after it."""
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


def journey(site: Path, ref: str) -> Path:
    return site / "journeys" / f"{ref}.html"


# --- scrolling: stage headers and lane labels stay in view ----------------------------------


@pytest.mark.parametrize("screen", sorted(VIEWPORTS))
@pytest.mark.parametrize("ref", JOURNEYS)
def test_stage_headers_and_lane_labels_stay_in_view_in_the_seller_lanes(
    browser: Browser, sites: dict, pages: list[Page], screen: str, ref: str
) -> None:
    page = open_page(browser, journey(sites["ja"], ref), VIEWPORTS[screen])
    pages.append(page)
    geo: dict[str, Any] = page.evaluate(js("map_scrolled.js"))
    view, region = geo["viewport"], geo["region"]
    # the map scrolled inside its region, down to the seller lanes and right to the end
    assert region["scrollTop"] > 300 and region["scrollLeft"] > 200
    # the region is at most a screen high: all of it is on the screen
    assert region["top"] >= -1 and region["bottom"] <= view["height"] + 1
    assert region["left"] >= 0 and region["right"] <= view["width"] + 1
    # the header row sits at the top of the region, every header at the same height...
    heads = geo["heads"]
    assert len(heads) == 9
    for head in heads:
        assert abs(head["top"] - region["clientTop"]) < 1.5
        assert head["bottom"] < view["height"] / 2
    # ...and the last stage's header is whole on screen, right of the lane labels
    last = heads[-1]
    assert last["left"] >= geo["corner"]["right"] - 1
    assert last["right"] <= region["clientRight"] + 1
    # each seller cell in view is under its own stage's header
    lanes = geo["sellerLanes"]
    assert lanes, "no seller lane"
    for lane in lanes:
        for i, cell in enumerate(lane["cells"]):
            assert abs(cell["left"] - heads[i]["left"]) < 1.5, (lane["text"], i)
    # the seller lanes start right under the headers; their labels stick to the left edge
    assert abs(lanes[0]["row"]["top"] - heads[0]["bottom"]) < 30
    shown = [lane for lane in lanes if lane["label"]["top"] < region["clientBottom"]]
    assert len(shown) >= 2
    for lane in shown:
        assert abs(lane["label"]["left"] - region["clientLeft"]) < 1.5, lane["text"]
        assert lane["label"]["top"] >= heads[0]["bottom"] - 1
    assert geo["corner"]["left"] == pytest.approx(region["clientLeft"], abs=1.5)


def test_the_scroll_region_and_the_skip_link_work_from_the_keyboard(
    browser: Browser, sites: dict, pages: list[Page]
) -> None:
    page = open_page(browser, journey(sites["ja"], "ma-adopted-sales-head"), PROJECTOR)
    pages.append(page)
    region = page.locator("#map")
    assert region.get_attribute("role") == "region"
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-label") == "ジャーニーマップ"
    # Tab reaches the skip link first (within the page's skip links), shown when focused
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('skip-map')"):
            break
    link = page.locator("a.skip-map")
    assert link.inner_text() == "マップへ移動"
    box = link.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 20
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#map"
    assert page.evaluate("document.activeElement.id") == "map"
    top = region.bounding_box()
    assert top is not None and abs(top["y"]) < 2
    # the arrow keys scroll the focused region, down and right
    page.keyboard.press("End")
    page.wait_for_function("document.querySelector('#map').scrollTop > 500")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('#map').scrollLeft > 0")
    # the next Tab goes into the map
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('#map table')")


# --- words, widths, text sizes, axe -------------------------------------------------------


@pytest.mark.parametrize("screen", sorted(VIEWPORTS))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_word_breaks_and_nothing_is_wider_than_the_screen(
    browser: Browser, sites: dict, pages: list[Page], screen: str, lang: str
) -> None:
    page = open_page(browser, journey(sites[lang], JOURNEYS[0]), VIEWPORTS[screen])
    pages.append(page)
    for ref in JOURNEYS:
        page.goto(journey(sites[lang], ref).as_uri(), wait_until="load")
        assert page.locator("table.map .lane-name").count() >= 10
        assert broken_words(page, "table.map .lane-name, table.map thead") == [], ref
        # The map breaks Japanese only between phrases (<wbr>, word-break: keep-all), which
        # are also word boundaries of Intl.Segmenter's dictionary: no break inside a word,
        # next to hiragana (どうまと|めれば) or not.
        assert broken_words(page, "table.map") == [], ref
        assert overflowing(page) == [], ref


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_all_text_is_at_least_12px(
    browser: Browser, sites: dict, pages: list[Page], lang: str
) -> None:
    page = open_page(browser, journey(sites[lang], JOURNEYS[0]), PROJECTOR)
    pages.append(page)
    for ref in JOURNEYS:
        page.goto(journey(sites[lang], ref).as_uri(), wait_until="load")
        assert page.evaluate(js("small_text.js"), ["body", 12]) == [], ref
        # the check reads SVG text too: the five level labels, all under 100px
        assert len(page.evaluate(js("small_text.js"), ["svg.scale", 100])) == 5


@needs_axe
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_axe_finds_no_violation_on_any_journey_page(
    browser: Browser, sites: dict, pages: list[Page], lang: str
) -> None:
    page = open_page(browser, journey(sites[lang], JOURNEYS[0]), PROJECTOR)
    pages.append(page)
    for ref in JOURNEYS:
        page.goto(journey(sites[lang], ref).as_uri(), wait_until="load")
        assert axe_violations(page) == [], ref


def test_emotion_curve_has_room_level_labels_and_text(
    browser: Browser, sites: dict, pages: list[Page]
) -> None:
    page = open_page(browser, journey(sites["ja"], "no-ma-manager"), PROJECTOR)
    pages.append(page)
    curve = page.locator("svg.curve")
    box = curve.bounding_box()
    assert box is not None and box["height"] == 176
    # five level labels in the lane column, each on its guide line, 32px apart
    labels = page.locator("svg.scale text")
    assert labels.all_text_contents() == ["+2", "+1", "0", "−1", "−2"]
    guides = page.locator("svg.curve line.guide")
    assert guides.count() == 5
    ys = []
    for i in range(5):
        label, guide = labels.nth(i).bounding_box(), guides.nth(i).bounding_box()
        assert label is not None and guide is not None
        assert abs(label["y"] + label["height"] / 2 - guide["y"]) < 4
        ys.append(guide["y"])
    assert [round(b - a) for a, b in zip(ys, ys[1:], strict=False)] == [32, 32, 32, 32]
    # the values per stage as text, which the picture points to
    assert curve.get_attribute("role") == "img"
    assert curve.get_attribute("aria-describedby") == "emotion-values"
    values = page.locator("#emotion-values li").all_text_contents()
    assert values[0] == "課題の未知: 0（ニュートラル）"
    assert values[4] == "検討: −2（とてもネガティブ）"
    assert len(values) == 9


def test_handoffs_show_on_the_seller_lanes(
    browser: Browser, sites: dict, pages: list[Page]
) -> None:
    page = open_page(browser, journey(sites["ja"], "ma-adopted-inside-sales"), PROJECTOR)
    pages.append(page)
    into = page.locator("tr.lane-role p.handoff-in")
    assert into.count() == 2
    # visible: the icon and the short text; for screen readers also the funnel stages
    assert into.first.text_content() == (
        "マーケティングから引き継ぎ"
        " （ファネルステージ：リードナーチャリング → クオリフィケーション）"
    )
    hidden = into.first.locator(".visually-hidden").bounding_box()
    assert hidden is not None and hidden["width"] <= 1 and hidden["height"] <= 1
    icon = into.first.locator("svg.handoff-icon").bounding_box()
    assert icon is not None and icon["width"] >= 14
    # it sits in the inside sales lane, in the column of 04 情報収集
    row = into.first.locator("xpath=ancestor::tr").locator("th").inner_text()
    assert row == "インサイドセールス"
    cell = into.first.locator("xpath=ancestor::td").bounding_box()
    head = page.locator("thead th.stage-head").nth(3).bounding_box()
    assert cell is not None and head is not None and cell["x"] == head["x"]


# --- print ----------------------------------------------------------------------------------


def pdf_runs(pdf: bytes) -> list[tuple[int, str, float, float, float]]:
    """Text runs of a PDF: (page, text, font size in pt, x, page width)."""
    runs: list[tuple[int, str, float, float, float]] = []
    for number, pdf_page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages):
        width = float(pdf_page.mediabox.width)

        def visit(text: str, cm: list, tm: list, _font: Any, size: float) -> None:
            if text.strip():
                scale = math.hypot(tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                runs.append((number, text.strip(), size * scale, x, width))  # noqa: B023

        pdf_page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_prints_on_landscape_paper_a_page_wide_with_no_text_under_8pt(
    browser: Browser, sites: dict, pages: list[Page], paper: str
) -> None:
    (size, printable) = PAPERS[paper]
    site = sites["a4" if paper == "a4" else "ja"]
    page = open_page(browser, journey(site, "no-ma-manager"), PROJECTOR)
    pages.append(page)
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2  # the map goes on over pages, never shrunk to fit one
    for pdf_page in reader.pages:
        assert float(pdf_page.mediabox.width) == pytest.approx(size[0], abs=1)
        assert float(pdf_page.mediabox.height) == pytest.approx(size[1], abs=1)
    runs = pdf_runs(pdf)
    assert min(run[2] for run in runs) >= 7.9  # no text under 8pt: nothing was shrunk
    assert all(0 <= x < width for _, _, _, x, width in runs)
    first_page = "".join(run[1] for run in runs if run[0] == 0)
    assert all(stage in first_page for stage in STAGES_JA)  # every column on the page
    # the same page in print media at the printable width: the map fits it
    page.set_viewport_size({"width": printable, "height": 1000})
    page.emulate_media(media="print")
    fit = page.evaluate(js("print_fit.js"))
    assert fit["columns"] == 9
    assert fit["document"] <= printable and fit["table"] <= printable + 0.5
    assert fit["spill"] == [] and fit["outside"] == []
    assert page.evaluate(js("small_text.js"), ["main", 8 * 96 / 72]) == []
    assert broken_words(page, "table.map .lane-name") == []
