"""Make docs/screenshot-deck.png: one journey map slide of the example's PowerPoint deck.

Usage (from the repository root; needs LibreOffice and poppler-utils:
apt-get install --no-install-recommends libreoffice-impress poppler-utils):

    python3 docs/make_deck_screenshot.py [--slide 4] [--lang ja] [--dpi 120] [--out PATH]

The bundled example's deck (16:9) is converted to PDF by LibreOffice and one page is drawn
as PNG by pdftoppm. LibreOffice draws with the fonts of this machine (IPAGothic here, where
PowerPoint on Windows or a Mac uses Yu Gothic), so the picture shows the layout, not the
exact glyphs a client sees.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout without installing
    sys.path.insert(0, str(ROOT))

from toolkit.pipeline import compile_project  # noqa: E402
from toolkit.render.common import RenderOptions  # noqa: E402
from toolkit.render.deck import make_deck  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slide", type=int, default=4, help="slide number (4: a map slide)")
    parser.add_argument("--lang", default="ja")
    parser.add_argument("--dpi", type=int, default=120)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-deck.png")
    args = parser.parse_args(argv)
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print("needs soffice (LibreOffice) and pdftoppm (poppler-utils)", file=sys.stderr)
        return 2
    compiled = compile_project(ROOT, shown_as="")
    assert compiled.graph is not None
    deck = make_deck(compiled.graph, RenderOptions(args.lang))
    with tempfile.TemporaryDirectory(prefix="deck-shot-") as tmp:
        work = Path(tmp)
        (work / "deck.pptx").write_bytes(deck.data)
        profile = f"-env:UserInstallation={(work / 'profile').as_uri()}"
        convert = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", tmp]
        subprocess.run([*convert, str(work / "deck.pptx")], check=True, capture_output=True)
        page = str(args.slide)
        draw = [pdftoppm, "-png", "-singlefile", "-r", str(args.dpi), "-f", page, "-l", page]
        subprocess.run([*draw, str(work / "deck.pdf"), str(work / "shot")], check=True)
        shutil.copyfile(work / "shot.png", args.out)
    print(f"wrote {args.out} (slide {args.slide} of {deck.slides})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
