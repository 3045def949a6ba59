"""Make docs/screenshot-journey.png: the first screen of one example journey map.

Usage (from the repository root; needs Debian's chromium and the playwright package):

    python3 docs/make_screenshot.py [--journey no-ma-manager] [--lang ja] [--out PATH]

The bundled example is compiled, rendered with the HTML renderer into a temporary folder and
opened from file:// in headless chromium at 1600x1000; the screenshot is byte-stable for a
given chromium and font set.
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

from playwright.sync_api import sync_playwright  # noqa: E402

from toolkit.pipeline import compile_project  # noqa: E402
from toolkit.render.common import RenderOptions  # noqa: E402
from toolkit.render.html import render_html  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def screenshot(journey: str, lang: str, out: Path, width: int = 1600, height: int = 1000) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    compiled = compile_project(ROOT, shown_as="")
    if compiled.graph is None:
        raise SystemExit("the example project does not compile: run `journey check .`")
    pages = render_html(compiled.graph, RenderOptions(lang, frozenset({"svg", "mermaid"})))
    with tempfile.TemporaryDirectory() as tmp:
        for rel, data in pages.items():
            (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / rel).write_bytes(data)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((Path(tmp) / "journeys" / f"{journey}.html").as_uri(), wait_until="load")
            out.write_bytes(page.screenshot())
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journey", default="no-ma-manager")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-journey.png")
    args = parser.parse_args()
    screenshot(args.journey, args.lang, args.out)


if __name__ == "__main__":
    main()
