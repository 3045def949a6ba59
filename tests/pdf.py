"""Reading PDFs in tests: text, outline, page sizes, fonts and a page's pixels."""

from __future__ import annotations

import functools
import io
import subprocess
from typing import Any

from pypdf import PdfReader

A3 = (1190.55, 841.89)  # landscape, pt
A4 = (841.89, 595.28)


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def squeezed(text: str) -> str:
    """Text without whitespace: words wrapped across lines in a PDF still match."""
    return "".join(text.split())


def page_texts(pdf: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def texts_of(pdf: bytes) -> list[str]:
    """Each page's text, extracted once per PDF in a test process: by poppler's pdftotext
    when it is installed (.ci/run installs poppler-utils; pypdf takes over ten times as long
    on a report's Japanese pages), else by pypdf. Both read in content-stream order
    (`-raw`) and differ in spaces only, so tests compare squeezed text or look for words."""
    return list(_texts_of(pdf))


@functools.lru_cache(maxsize=8)
def _texts_of(pdf: bytes) -> tuple[str, ...]:
    return tuple(poppler_texts(pdf) or page_texts(reader(pdf)))


def poppler_texts(pdf: bytes) -> list[str] | None:
    """Each page's text by poppler's pdftotext (one process, pages split at form feeds), or
    None without it."""
    try:
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            timeout=120,
        )
    except FileNotFoundError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8").split("\f")[: len(reader(pdf).pages)]


def outline_titles(pdf: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every bookmark, depth first."""
    out: list[tuple[int, str, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, str(item.title), pdf.get_destination_page_number(item)))

    walk(pdf.outline, 1)
    return out


def page_sizes(pdf: PdfReader) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages]


def font_descriptors(pdf: PdfReader) -> list[tuple[str, set[str]]]:
    """(font name, keys of its font descriptor) for every font of every page."""
    out = []
    for page in pdf.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts") or [])]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is not None:
                    out.append((str(part.get("/BaseFont")), set(descriptor.get_object().keys())))
    return out


def page_pixels(pdf_path: str, page: int, dpi: int = 30) -> tuple[int, int, bytes]:
    """One page drawn by pdftoppm (poppler) as (width, height, RGB bytes)."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), pdf_path],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    head, rest = ppm.split(b"\n", 1)
    assert head == b"P6"
    size, rest = rest.split(b"\n", 1)
    width, height = (int(v) for v in size.split())
    _maxval, pixels = rest.split(b"\n", 1)
    return width, height, pixels


def ink(pixels: bytes) -> int:
    """Pixels that are not (near) white."""
    return sum(1 for i in range(0, len(pixels), 3) if min(pixels[i : i + 3]) < 235)
