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
    assert (
        journeys
        == {
            "current": {"ann-today"},
            "future": {"ann-future"},
            "all": {"ann-today", "ann-future"},
        }[state]
    )


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


PAIR = ("--journeys", "ann-today", "ann-future")


@pytest.mark.parametrize(
    "fmt, name", [("text", "expected-diff.txt"), ("json", "expected-diff.json")]
)
def test_diff_of_two_journeys(capsys: pytest.CaptureFixture[str], fmt: str, name: str) -> None:
    code, out, err = run_cli(capsys, "diff", str(BASIC), *PAIR, "--format", fmt)
    assert (code, err) == (0, "")
    assert out == (BASIC / name).read_text(encoding="utf-8")


def test_diff_of_two_journeys_has_the_shape_of_a_versions_diff(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pair = json.loads((BASIC / "expected-diff.json").read_text(encoding="utf-8"))
    versions = json.loads((FIXTURES / "diff-basic" / "expected.json").read_text(encoding="utf-8"))
    assert pair.keys() == versions.keys()
    assert pair["coverage"].keys() == versions["coverage"].keys()
    assert pair["changes"][0].keys() == versions["changes"][0].keys()
    assert pair["coverage"]["steps"][0].keys() == versions["coverage"]["steps"][0].keys()
    steps = [c["id"] for c in pair["changes"] if c["kind"] == "step"]
    assert steps == ["consider", "buy"]  # paired by customer stage
    assert pair["warnings"]["new"] == []
    assert [(w["code"], w["entity"]) for w in pair["warnings"]["resolved"]] == [
        ("seller-absent", "consider"),
        ("content-gap", "buy"),
    ]


def test_diff_of_two_journeys_as_html_file(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "d.html"
    code, out, err = run_cli(capsys, "diff", str(BASIC), *PAIR, "--format", "html", "-o", str(page))
    assert (code, out, err) == (0, "", f"wrote {page}\n")
    html = page.read_text(encoding="utf-8")
    assert '<strong>Consider</strong> <span class="id">consider</span>' in html
    assert "consider/marketing#1" in html


@pytest.mark.parametrize(
    "args, message",
    [
        ((str(BASIC), str(BASIC), *PAIR), "with --journeys give one project"),
        ((str(BASIC), "--journeys", "ann-today", "ann-futur"), "no journey 'ann-futur' in "),
        ((str(BASIC),), "Missing argument 'NEW'"),
    ],
)
def test_diff_usage_errors(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli(capsys, "diff", *args)
    assert (code, out) == (2, "")
    assert message in err
