"""The deck benchmark (benchmarks/deck_bench.py) runs and reports what it promises."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks import deck_bench

SCRIPT = Path(deck_bench.__file__)


def test_smoke_run_on_size_s() -> None:
    # As a person runs it, in a fresh python: the peak memory it reports is that of the
    # `journey export pptx` child, which on Linux starts as a copy of the process that
    # spawned it, so run from a long-lived test worker it would count the worker's memory.
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--size", "S"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["size"] == "S" and result["deck_size"] == "16:9"
    assert result["journeys"] == 2 and result["steps"] == 18
    assert result["slides"] >= 2 + 2 * 2 + 2  # title, stages, 2 x (persona, map), coverage, gaps
    assert 0 < result["seconds"] < deck_bench.BUDGET_S
    assert 0 < result["max_rss_mb"] < deck_bench.BUDGET_MB
    assert result["within_budget"] is True
