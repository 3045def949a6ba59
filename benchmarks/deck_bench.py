"""Benchmark: `journey export pptx` on a generated project (default size L: 100 journeys).

    python benchmarks/deck_bench.py [--size L] [--deck-size 16:9|a3] [--repeat 1]

Generates the project (benchmarks/generate.py) into a temporary folder, compiles it once
(so the parse cache is warm, as for a user who ran `journey check`), then runs the command
as a subprocess and prints its wall time, the deck's size and slide count and the peak
memory (max RSS) of the process. The target is a deck of size L within 60 s and under 1 GB
on a 2-core machine. Not part of the test suite (a smoke test runs it on size S).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.generate import generate  # noqa: E402
from benchmarks.run import Run, journey_cmd, run_process  # noqa: E402

BUDGET_S = 60.0
BUDGET_MB = 1024.0
SLIDE = re.compile(r"ppt/slides/slide\d+\.xml")


def measure(project: Path, out: Path, deck_size: str) -> Run:
    """One `journey export pptx` run (replacing the deck of the run before)."""
    cmd = journey_cmd("export", "pptx", str(project), "-o", str(out), "--size", deck_size)
    return run_process([*cmd, "--force"])


def bench(size: str, deck_size: str, repeat: int, work: Path) -> dict[str, object]:
    project = work / "project"
    counts = generate(project, size)
    warm = run_process(journey_cmd("check", str(project)))  # fills the parse cache
    if warm.code not in (0, 1):
        raise SystemExit(f"journey check failed: {warm.stderr[-500:]}")
    out = work / "deck.pptx"
    runs = [measure(project, out, deck_size) for _ in range(repeat)]
    failed = [r for r in runs if r.code != 0]
    if failed:
        raise SystemExit(f"journey export pptx failed: {failed[0].stderr[-500:]}")
    with zipfile.ZipFile(out) as deck:
        slides = sum(1 for n in deck.namelist() if SLIDE.fullmatch(n))
    best = min(runs, key=lambda r: r.seconds)
    return {
        "size": size.upper(),
        "deck_size": deck_size,
        "journeys": counts["journeys"],
        "steps": counts["steps"],
        "seconds": round(best.seconds, 2),
        "max_rss_mb": round(max(r.rss_mb for r in runs), 1),
        "deck_mb": round(out.stat().st_size / 1e6, 2),
        "slides": slides,
        "within_budget": best.seconds <= BUDGET_S and max(r.rss_mb for r in runs) < BUDGET_MB,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="L", choices=["S", "M", "L", "s", "m", "l"])
    parser.add_argument("--deck-size", default="16:9", choices=["16:9", "a3"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="deck-bench-") as tmp:
        result = bench(args.size, args.deck_size, max(1, args.repeat), Path(tmp))
    print(json.dumps(result, indent=2))
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
