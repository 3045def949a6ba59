"""WCAG 2.1 AA on every page type, checked by axe-core in Debian's chromium.

A Japanese template project (`journey init --template story`) and an English one
(`--template b2b --lang en`): each page type of each is opened at desktop size and
axe-core's WCAG 2.0/2.1 A and AA rules must find nothing. The bundled example (with a
--leads overlay, so leads.html exists), an English b2b site and the diff report are checked
the same way at phone size in test_pages_browser.py, and every journey map of the example in
Japanese and English in test_map_page_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import DESKTOP, axe_violations, launched, needs_axe
from playwright.sync_api import Browser

from toolkit.cli.main import main

pytestmark = needs_axe


def journey(*args: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 0, args


def page_types(out: Path) -> list[str]:
    """One page of each type that the build wrote (the first journey map)."""
    pages = sorted(p.relative_to(out).as_posix() for p in out.glob("*.html"))
    maps = sorted(p.relative_to(out).as_posix() for p in (out / "journeys").glob("*.html"))
    return [*pages, *maps[:1]]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("a11y")
    out = {}
    for name, template, lang in (("story-ja", "story", "ja"), ("b2b-en", "b2b", "en")):
        project = base / f"{name}-project"
        out[name] = base / name
        journey("init", str(project), "--template", template, "--lang", lang)
        journey("build", str(project), "-o", str(out[name]), "--format", "html,json,csv")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched() as b:
        yield b


# The example (with leads) and the diff page are checked the same way, at phone size, in
# test_pages_browser.py, and the example's maps in test_map_page_browser.py: here the
# templates' sites, at desktop size.
@pytest.mark.parametrize("site", ["story-ja", "b2b-en"])
def test_no_wcag_aa_violations(sites: dict[str, Path], browser: Browser, site: str) -> None:
    root = sites[site]
    pages = page_types(root)
    assert pages, root
    assert {"index.html", "compare.html", "coverage.html", "plan.html"} <= set(pages)
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        found = {}
        for rel in pages:
            page.goto((root / rel).resolve().as_uri())
            violations = axe_violations(page)
            if violations:
                found[rel] = violations
    finally:
        context.close()
    assert found == {}
