"""Benchmark: `journey report` (the one-PDF report) on a generated project, as a person runs it.

    python benchmarks/report_bench.py [--size L] [--paper a3] [--jobs N] [--repeat 1]
                                      [--json benchmarks/report_results.json]

Generates the project (benchmarks/generate.py: L is 100 journeys x 12 stages), checks it once
(so the parse cache is warm, as it is after any edit), then runs `journey report` as a
subprocess and prints its wall time, the CPU time of the command and its workers, the peak
memory of the largest process (max RSS), and the PDF's pages and size. The targets for L on
this 2-core machine: under 60 s, peak memory under 1 GB. A smoke test runs it on size S.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_RSS_MB = 1024.0


def journey(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"},
        check=False,
    )


def measure(project: Path, out: Path, paper: str, jobs: int | None) -> dict[str, Any]:
    """One `journey report` run: wall and CPU seconds, peak RSS, pages and bytes.

    RUSAGE_CHILDREN's max RSS is the largest of this process's waited-for descendants
    (the command, or one of its forked workers), never their sum.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    extra = ["--jobs", str(jobs)] if jobs else []
    done = journey("report", str(project), "-o", str(out), "--paper", paper, *extra)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"journey report failed ({done.returncode}):\n{done.stderr[-2000:]}")
    pages = int(done.stderr.rsplit(" (", 1)[1].split(" pages")[0])
    return {
        "seconds": round(wall, 2),
        "cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "max_rss_mb": round(after.ru_maxrss / 1024, 1),
        "pages": pages,
        "bytes": out.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="L", choices=["S", "M", "L"])
    parser.add_argument("--paper", default="a3", choices=["a3", "a4"])
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of journey report")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="also write the runs here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="report-bench-") as work:
        project = Path(work) / "project"
        generate(project, args.size)
        journey("check", str(project))  # a warm parse cache, as after any edit
        runs = [
            measure(project, Path(work) / "report.pdf", args.paper, args.jobs)
            for _ in range(args.repeat)
        ]
    best = min(runs, key=lambda r: r["seconds"])
    met = best["seconds"] <= TARGET_SECONDS and best["max_rss_mb"] <= TARGET_RSS_MB
    print(
        f"journey report, size {args.size}, {args.paper}: {best['seconds']:.1f} s "
        f"({best['cpu_seconds']:.1f} s CPU), peak {best['max_rss_mb']:.0f} MB, "
        f"{best['pages']} pages, {best['bytes'] / 1e6:.1f} MB "
        f"[targets {TARGET_SECONDS:.0f} s, {TARGET_RSS_MB:.0f} MB: {'met' if met else 'missed'}]"
    )
    if args.json is not None:
        record = {"size": args.size, "paper": args.paper, "cores": os.cpu_count(), "runs": runs}
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
