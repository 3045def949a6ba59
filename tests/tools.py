"""Markers for tests that need a program this machine may lack: skipped with the reason and
the fix, never failed (`.ci/run` installs all of them)."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
MMDC = NODE_DIR / "node_modules" / ".bin" / "mmdc"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="graphviz 'dot' is not installed (apt-get install graphviz fonts-ipafont-gothic)",
)
needs_chromium = pytest.mark.skipif(
    chromium_path() is None, reason="chromium is not installed (apt-get install chromium)"
)
needs_mmdc = pytest.mark.skipif(
    not MMDC.exists() or chromium_path() is None,
    reason="mermaid-cli or chromium is missing "
    "(cd tests/node && PUPPETEER_SKIP_DOWNLOAD=1 npm ci; apt-get install chromium)",
)


@cache
def weasyprint_missing() -> str | None:
    """Why the PDF report cannot be made here (WeasyPrint, its libraries or pypdf), or None."""
    from toolkit.render.report import available

    return available()


needs_weasyprint = pytest.mark.skipif(
    weasyprint_missing() is not None,
    reason=f"{weasyprint_missing()} (pip install weasyprint pypdf; "
    "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)",
)
needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None,
    reason="pdftoppm is not installed (apt-get install poppler-utils)",
)
