"""Every page but the journey map, in chromium, on a projector (1280x720) and a phone
(390x844): nothing wider than the screen outside a scroll region, no word broken across
lines in the navigation and the journey list, no WCAG 2.1 AA violation (axe-core, once per
page, on the phone), a skip link first, and the compare chart, coverage marks and leads
bars drawn as their data says.

Three sites, each built once by `journey build` (and `journey diff --format html`): the
bundled example (ja, with --leads), the b2b template in English (with --leads), and a
project with every warning of `journey check` (en).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import PHONE, PROJECTOR, axe_violations, broken_words, launched, needs_axe, overflowing
from playwright.sync_api import Browser, Page
from warned import write_warned_project

from toolkit.cli.main import main

REPO = Path(__file__).resolve().parents[2]
LEADS = REPO / "docs" / "examples" / "leads.csv"
PAGES = [
    "index.html",
    "compare.html",
    "coverage.html",
    "coverage-cells.html",
    "coverage-inventory.html",
    "plan.html",
    "leads.html",
    "diff.html",
]
VIEWPORTS = {"projector": PROJECTOR, "phone": PHONE}
NAV_AND_LIST = "nav, .journeys"

pytestmark = needs_axe


def journey(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "toolkit", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def run_in_process(*args: str | Path) -> None:
    """The command line in this process (no new python to start and import the toolkit):
    the sites are only read here; test_builds_are_byte_identical compares one with a
    `python -m toolkit` build."""
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    assert exc.value.code == 0, args


def build_site(project: Path, out: Path, changed: Path, *extra: str | Path) -> Path:
    """The project's pages and Mermaid files, and diff.html against a changed copy of it."""
    run_in_process("build", project, "-o", out, "--format", "html,mermaid", *extra)
    run_in_process("diff", project, changed, "--format", "html", "-o", out / "diff.html")
    return out


def changed_copy(project: Path, dest: Path) -> Path:
    """The project's journeys and personas with a stage renamed and a draft published."""
    for sub in ("journeys", "personas"):
        shutil.copytree(project / sub, dest / sub)
    stages = dest / "journeys" / "stages.yaml"
    text = stages.read_text(encoding="utf-8")
    renamed = re.sub(r"label: \{ja: ", "label: {ja: 新", text, count=1)
    if renamed == text:
        renamed = re.sub(r"label: (\w)", r"label: New \1", text, count=1)
    stages.write_text(renamed, encoding="utf-8")
    for content in sorted((dest / "journeys").rglob("*.yaml")):
        text = content.read_text(encoding="utf-8")
        if "status: draft" in text:
            content.write_text(text.replace("status: draft", "status: published", 1), "utf-8")
            break
    return dest


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("pages")
    example = tmp / "example"
    for sub in ("journeys", "personas"):
        shutil.copytree(REPO / sub, example / sub)
    english = tmp / "english"
    run_in_process("init", english, "--template", "b2b", "--lang", "en")
    warned = tmp / "warned"
    write_warned_project(warned)
    return {
        "ja": build_site(
            example, tmp / "ja", changed_copy(example, tmp / "ja-changed"), "--leads", LEADS
        ),
        "en": build_site(
            english, tmp / "en", changed_copy(english, tmp / "en-changed"), "--leads", LEADS
        ),
        "warned": build_site(warned, tmp / "warned-out", changed_copy(warned, tmp / "w-changed")),
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as instance:
        yield instance


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


def open_page(page: Page, site: Path, name: str) -> None:
    path = site / name
    assert path.exists(), name
    page.goto(path.as_uri(), wait_until="load")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_fits_the_screen_keeps_words_whole_and_passes_axe(
    page: Page, sites: dict[str, Path], lang: str, name: str
) -> None:
    open_page(page, sites[lang], name)
    assert overflowing(page) == []
    assert broken_words(page, NAV_AND_LIST) == []
    if page.viewport_size == PHONE:  # axe once per page (3 s each); the phone's layout
        assert axe_violations(page) == []


@pytest.mark.parametrize(
    "name", ["index.html", "coverage.html", "coverage-inventory.html", "plan.html"]
)
def test_pages_with_every_warning_pass_too(page: Page, sites: dict[str, Path], name: str) -> None:
    open_page(page, sites["warned"], name)
    assert overflowing(page) == []
    assert broken_words(page, NAV_AND_LIST) == []
    if page.viewport_size == PHONE:
        assert axe_violations(page) == []
    badges = page.locator(".badge").all_inner_texts()
    expected = {
        "index.html": {
            "No funnel stage serves it",
            "Serves no journey step",
            "File holds no YAML document",
        },
        "coverage.html": {"No funnel stage serves it", "No persona has this buying role"},
        "coverage-inventory.html": {"Serves no journey step"},
        "plan.html": {"No seller action or no KPI"},
    }[name]
    assert expected <= {re.sub(r"^!\s*", "", b).strip() for b in badges}


@pytest.mark.parametrize("name", PAGES)
def test_skip_link_is_first_visible_on_focus_and_leads_to_main(
    browser: Browser, sites: dict[str, Path], name: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_page(page, sites["ja"], name)
    skip = page.locator("a.skip-link")
    assert skip.bounding_box() is None or skip.bounding_box()["y"] < 0  # type: ignore[index]
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10
    assert skip.inner_text() == "本文へスキップ"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert page.locator("main#main").count() == 1
    context.close()


def test_navigation_wraps_as_whole_items_on_a_phone(
    browser: Browser, sites: dict[str, Path]
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    open_page(page, sites["ja"], "leads.html")
    items = page.locator("nav.nav li")
    labels = items.all_inner_texts()
    assert labels == [
        "概要",
        "ジャーニー比較",
        "コンテンツのカバー状況",
        "コンテンツ一覧",
        "マーケティングプラン",
        "リードの分布",
    ]
    lines = page.evaluate(
        """() => [...document.querySelectorAll('nav.nav li a')].map(a => {
             const r = document.createRange(); r.selectNodeContents(a);
             return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; })"""
    )
    assert lines == [1] * 6  # every item on one line
    tops = {round(items.nth(i).bounding_box()["y"]) for i in range(6)}  # type: ignore[index]
    assert len(tops) >= 2  # ... and the list wraps between items
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "リードの分布"
    context.close()


def test_index_journeys_are_cards_on_a_phone_and_a_table_on_a_projector(
    browser: Browser, sites: dict[str, Path]
) -> None:
    widths = {}
    for name, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        open_page(page, sites["ja"], "index.html")
        title = page.locator(".journeys td.journey-title").first
        box = title.bounding_box()
        assert box is not None
        widths[name] = (box["width"], title.evaluate("e => getComputedStyle(e).display"))
        if name == "phone":
            label = page.locator(".journeys td[data-label]").nth(1)
            before = label.evaluate("e => getComputedStyle(e, '::before').content")
            assert before == '"ペルソナ"'
        assert page.locator('a[href="leads.html"]').count() == 2  # navigation and the index
        context.close()
    assert widths["phone"][1] == "block" and widths["phone"][0] > 300
    assert widths["projector"][1] == "table-cell"


def test_compare_chart_draws_every_journey(browser: Browser, sites: dict[str, Path]) -> None:
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    open_page(page, sites["ja"], "compare.html")
    assert page.locator("svg.emo-chart polyline.series-line").count() == 5
    assert page.locator("svg.emo-chart path.series-marker").count() == 5 + 7 + 9 + 9 + 5
    colours = page.evaluate(
        """() => [...document.querySelectorAll('svg.emo-chart g.series')].map(g =>
             [getComputedStyle(g.querySelector('polyline')).stroke,
              getComputedStyle(g.querySelector('polyline')).strokeDasharray])"""
    )
    assert colours[0] == colours[1] and colours[2] == colours[3]  # one style per segment
    assert colours[0][0] != colours[2][0] and colours[0][1] != colours[2][1]
    assert page.locator(".chart-legend ul li").count() == 5
    assert page.locator(".chart-legend .tag-future").all_inner_texts() == ["将来"]
    table = page.locator(".emotion-chart .visually-hidden table")
    assert table.locator("tbody tr").count() == 5
    assert table.locator("tbody tr").first.locator("td").all_inner_texts()[1] == "−2"
    # the stage names under the chart sit under their columns
    first = page.locator(".chart-stages li").nth(1).bounding_box()
    chart = page.locator("svg.emo-chart").bounding_box()
    assert first is not None and chart is not None
    assert abs(first["x"] + first["width"] / 2 - (chart["x"] + 40 + 120 * 1.5)) < 2
    context.close()


def test_leads_funnel_bars_follow_the_counts(browser: Browser, sites: dict[str, Path]) -> None:
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    open_page(page, sites["ja"], "leads.html")
    rows = page.locator("table.funnel-bars tbody tr")
    names = [rows.nth(i).locator("th").inner_text() for i in range(rows.count())]
    assert names == ["リード", "プロスペクト", "MQL", "SAL", "SQL", "商談"]
    fills = [page.locator(".funnel-fill").nth(i).bounding_box() for i in range(5)]
    tracks = [page.locator(".funnel-bar").nth(i).bounding_box() for i in range(5)]
    shares = [f["width"] / t["width"] for f, t in zip(fills, tracks, strict=True)]  # type: ignore[index]
    reached = [16, 10, 7, 7, 3]
    assert [round(s, 2) for s in shares] == [round(r / 16, 2) for r in reached]
    assert page.locator(".funnel-num").all_inner_texts() == ["16", "10", "7", "7", "3"]
    assert page.locator(".conv-rate").all_inner_texts() == ["62.5%", "70.0%", "100.0%", "42.9%"]
    context.close()


def test_builds_are_byte_identical(sites: dict[str, Path], tmp_path: Path) -> None:
    again = tmp_path / "again"
    example = sites["ja"].parent / "example"
    journey("build", example, "-o", again, "--format", "html,mermaid", "--leads", LEADS)
    for path in sorted(again.rglob("*")):
        if path.is_file() and path.name != ".journey-build":
            rel = path.relative_to(again)
            assert (sites["ja"] / rel).read_bytes() == path.read_bytes(), rel
