"""The HTML pages in a real browser: Debian's chromium driven by Playwright.

Skipped only when chromium is not installed. One browser for the module; every page is
opened from file:// and must load without console errors, without any request that leaves
the output folder, and must not be blank.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from conftest import chromium_path
from playwright.sync_api import Browser, Page, sync_playwright

from toolkit.render.common import RenderOptions
from toolkit.render.html import render_html

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
JOURNEYS = ["ma-adopted-inside-sales", "ma-adopted-sales-head", "no-ma-manager", "no-ma-segment"]
PAGES = ["index.html", "compare.html", *(f"journeys/{j}.html" for j in JOURNEYS)]


def write_site(graph: nx.MultiDiGraph, out: Path, lang: str = "ja") -> Path:
    formats = frozenset({"svg", "mermaid", "json", "csv"})
    for rel, data in render_html(graph, RenderOptions(lang, formats)).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return out


@pytest.fixture(scope="module")
def site(example_graph: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site(example_graph, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    yield context.new_page()
    context.close()


def png_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG: width, height, RGB(A) rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 4 if colour == 6 else 3
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, corner = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + best) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, bpp)]


def test_png_decoder_on_a_known_image() -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    rows = b"\x00\xff\x00\x00\x00\x00\xff" + b"\x01\x10\x20\x30\x01\x01\x01"  # None, Sub
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    pixels = [b"\xff\x00\x00", b"\x00\x00\xff", b"\x10\x20\x30", b"\x11\x21\x31"]
    assert png_pixels(png) == (2, 2, pixels)


def open_checked(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Open a page, collecting console errors and requests that are not file: or data:."""
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda req: None if req.url.startswith(("file:", "data:")) else foreign.append(req.url),
    )
    page.goto(url, wait_until="load")
    return errors, foreign


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_and_is_not_blank(page: Page, site: Path, name: str) -> None:
    errors, foreign = open_checked(page, (site / name).as_uri())
    assert errors == []
    assert foreign == []
    main = page.locator("main").bounding_box()  # below the header bar: the page's own content
    assert main is not None and main["height"] > 400
    clip = {"x": main["x"], "y": main["y"], "width": 320, "height": 200}
    width, height, pixels = png_pixels(page.screenshot(clip=clip))
    assert (width, height) == (320, 200)
    inked = sum(1 for p in pixels if min(p) < 235)
    assert inked / len(pixels) > 0.05
    assert len(set(pixels)) > 16


def test_journey_grid_has_a_column_per_stage(page: Page, site: Path) -> None:
    open_checked(page, (site / "journeys/ma-adopted-inside-sales.html").as_uri())
    heads = page.locator("table.map thead th.stage-head")
    assert heads.count() == 9
    assert page.locator("table.map thead th.stage-head.skipped").count() == 4
    assert heads.nth(1).inner_text().splitlines()[:2] == ["02", "課題の認知"]
    position = page.locator("th.lane-name").first.evaluate("e => getComputedStyle(e).position")
    assert position == "sticky"
    # every emotion point sits in the middle of its stage column
    centres = []
    for i in range(heads.count()):
        if "skipped" not in (heads.nth(i).get_attribute("class") or ""):
            box = heads.nth(i).bounding_box()
            assert box is not None
            centres.append(box["x"] + box["width"] / 2)
    points = page.locator("svg.curve g.point circle")
    assert points.count() == len(centres) == 5
    for i, centre in enumerate(centres):
        box = points.nth(i).bounding_box()
        assert box is not None
        assert abs(box["x"] + box["width"] / 2 - centre) < 1.5


def test_transition_arrows_are_drawn(page: Page, site: Path) -> None:
    open_checked(page, (site / "journeys/no-ma-manager.html").as_uri())
    labels = page.locator("svg.arrows text")
    assert labels.all_text_contents() == ["比較検討へ直行", "新たな課題"]
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box is not None and box["width"] > 20
