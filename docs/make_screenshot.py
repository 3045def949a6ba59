"""Make the screenshots in the README and docs from the bundled example's pages.

Usage (from the repository root; needs Debian's chromium, Graphviz and the playwright package):

    python3 docs/make_screenshot.py [--journey no-ma-manager] [--lang ja] [--out-dir docs]

The bundled example is built (every default format) into a temporary folder and opened from
file:// in headless chromium. It writes:

- screenshot-journey.png: the first screen of one journey map at 1600x1000;
- screenshot-projector.png: the same map at 1280x720, scrolled to its seller lanes (the stage
  headers and lane labels stay in view);
- screenshot-phone.png: the index at 390x844 (journeys as cards);
- screenshot-compare.png: the comparison page's emotion chart at 1600x1000;
- screenshot-diagram.png: the journey's swimlane diagram (Graphviz's PNG, as built).

Each is byte-stable for a given chromium, Graphviz and font set.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from toolkit.pipeline import compile_project  # noqa: E402
from toolkit.render.builder import render_all  # noqa: E402
from toolkit.render.common import RenderOptions  # noqa: E402
from toolkit.render.formats import has_dot, plan_formats  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def build(out: Path, lang: str) -> None:
    compiled = compile_project(ROOT, shown_as="")
    if compiled.graph is None:
        raise SystemExit("the example project does not compile: run `journey check .`")
    options = RenderOptions(lang, plan_formats(None, has_dot()).formats)
    for rel, data in render_all(compiled.graph, options, 1).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def shoot(
    browser: Browser, page_path: Path, out: Path, size: tuple[int, int], js: str = ""
) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(page_path.as_uri(), wait_until="load")
    if js:
        page.evaluate(js)
        page.wait_for_timeout(100)
    out.write_bytes(page.screenshot())
    page.close()


SCROLL_TO_SELLER = """() => {
  const region = document.getElementById('map');
  const seller = region.querySelector('tr.divider-seller, tr.side-seller');
  region.scrollIntoView();
  region.scrollTop = seller.offsetTop - region.querySelector('thead').offsetHeight;
  region.scrollLeft = region.scrollWidth / 3;
}"""
SCROLL_TO_CHART = "() => document.querySelector('.emotion-chart').scrollIntoView()"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journey", default="no-ma-manager")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    docs: Path = args.out_dir
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        build(site, args.lang)
        journey = site / "journeys" / f"{args.journey}.html"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            shoot(browser, journey, docs / "screenshot-journey.png", (1600, 1000))
            shoot(
                browser, journey, docs / "screenshot-projector.png", (1280, 720), SCROLL_TO_SELLER
            )
            shoot(browser, site / "index.html", docs / "screenshot-phone.png", (390, 844))
            compare = site / "compare.html"
            shoot(browser, compare, docs / "screenshot-compare.png", (1600, 1000), SCROLL_TO_CHART)
            browser.close()
        diagram = site / "diagrams" / f"{args.journey}.png"
        if diagram.exists():
            shutil.copyfile(diagram, docs / "screenshot-diagram.png")


if __name__ == "__main__":
    main()
