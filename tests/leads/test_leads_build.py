"""`journey build --leads`: lead volumes on the journey map, conversion on the funnel diagram."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

EXAMPLES = REPO / "docs" / "examples"


def test_build_with_leads_overlays_map_and_funnel(example_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "build",
            str(example_copy),
            "-o",
            str(out),
            "--format",
            "html,dot",
            "--leads",
            str(EXAMPLES / "leads.csv"),
            "--events",
            str(EXAMPLES / "events.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    page = (out / "journeys" / "no-ma-manager.html").read_text(encoding="utf-8")
    badges = re.findall(r'<span class="tag tag-leads">([^<]*)</span>', page)
    assert len(badges) == 9  # every step of the journey (it has all nine stages)
    assert all(re.fullmatch(r"\d+件", b) for b in badges)
    funnel = (out / "diagrams" / "funnel.dot").read_text(encoding="utf-8")
    assert "リードジェネレーション (16件)" in funnel
    assert "7/12 = 58.3%" in funnel and "3/7 = 42.9%" in funnel
    assert (out / "leads.html").is_file()


def test_build_without_leads_has_no_overlay(example_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    cmd = [sys.executable, "-m", "toolkit", "build", str(example_copy), "-o", str(out)]
    done = subprocess.run([*cmd, "--format", "html,dot"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert 'class="tag tag-leads"' not in (out / "journeys" / "no-ma-manager.html").read_text(
        "utf-8"
    )
    assert "件)" not in (out / "diagrams" / "funnel.dot").read_text("utf-8")
