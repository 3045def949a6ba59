"""`journey coverage --state` and `journey diff PROJECT --journeys A B` on current and
future-state journeys (tests/fixtures/future-basic)."""

from __future__ import annotations

import json

import pytest

from projects import FIXTURES, run_cli

BASIC = FIXTURES / "future-basic"


@pytest.mark.parametrize("state", ["current", "future", "all"])
def test_coverage_counts_the_journeys_of_one_state(
    capsys: pytest.CaptureFixture[str], state: str
) -> None:
    code, out, _ = run_cli(capsys, "coverage", str(BASIC), "--format", "json", "--state", state)
    assert code == 0
    assert out == (BASIC / f"expected-coverage-{state}.json").read_text(encoding="utf-8")
    journeys = {s["journey"] for s in json.loads(out)["steps"]}
    assert journeys == {
        "current": {"ann-today"},
        "future": {"ann-future"},
        "all": {"ann-today", "ann-future"},
    }[state]


def test_coverage_defaults_to_current_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "coverage", str(BASIC), "--by", "journey")
    assert code == 0
    assert "ann-today" in out and "ann-future" not in out
    assert out.endswith("Covered journey steps: 2/3 (66.7%)\n")
    code, out, _ = run_cli(capsys, "coverage", str(BASIC), "--by", "journey", "--state", "all")
    assert out.endswith("Covered journey steps: 5/6 (83.3%)\n")


def test_coverage_rejects_an_unknown_state(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "coverage", str(BASIC), "--state", "past")
    assert code == 2
    assert "'past' is not one of 'current', 'future', 'all'" in err
