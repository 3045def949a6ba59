"""Shared browser helpers: Debian's chromium under Playwright, and axe-core's WCAG check.

axe-core is the npm package installed next to mermaid-cli in `tests/node` (`.ci/run` runs
`npm ci` there); tests that need it are skipped with the fix when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tools import NODE_DIR, chromium_path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_JS = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1600, "height": 1000}
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}

needs_axe = pytest.mark.skipif(
    not AXE_JS.exists() or chromium_path() is None,
    reason="axe-core or chromium is missing "
    "(cd tests/node && PUPPETEER_SKIP_DOWNLOAD=1 npm ci; apt-get install chromium)",
)


@contextmanager
def launched() -> Iterator[Browser]:
    """One headless chromium; skips the test when chromium is not installed."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A/AA rules on the loaded page; return its violations,
    each reduced to the rule id, impact, help text and the offending nodes' selectors."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    # resultTypes: axe still reports every node of every violation, but keeps one node of
    # each passing rule instead of all of them (only the violations are read here), which
    # takes a third to a half off each run.
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
             runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_AA_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                " ".join(n["target"]) if isinstance(n["target"], list) else n["target"]
                for n in v["nodes"]
            ][:5],
            "count": len(v["nodes"]),
        }
        for v in result["violations"]
    ]


JS_DIR = Path(__file__).resolve().parent / "js"


def broken_words(page: Page, selector: str) -> list[dict[str, Any]]:
    """Line breaks inside a word in the visible text under `selector` (empty when none)."""
    return page.evaluate((JS_DIR / "broken_words.js").read_text(encoding="utf-8"), selector)


def overflowing(page: Page) -> list[str]:
    """Elements wider than the viewport that are not inside a horizontal scroll region
    (an ancestor with overflow-x auto/scroll); empty when the page fits the screen."""
    return page.evaluate((JS_DIR / "overflowing.js").read_text(encoding="utf-8"))
