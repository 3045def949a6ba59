"""The deck benchmark (benchmarks/deck_bench.py) runs and reports what it promises."""

from __future__ import annotations

import json

import pytest

from benchmarks import deck_bench


def test_smoke_run_on_size_s(capsys: pytest.CaptureFixture[str]) -> None:
    assert deck_bench.main(["--size", "S"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["size"] == "S" and result["deck_size"] == "16:9"
    assert result["journeys"] == 2 and result["steps"] == 18
    assert result["slides"] >= 2 + 2 * 2 + 2  # title, stages, 2 x (persona, map), coverage, gaps
    assert 0 < result["seconds"] < deck_bench.BUDGET_S
    assert 0 < result["max_rss_mb"] < deck_bench.BUDGET_MB
    assert result["within_budget"] is True
