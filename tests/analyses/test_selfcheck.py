"""The ten-question lead-management self-check (toolkit/analyses/selfcheck.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from toolkit.analyses.selfcheck import (
    FEATURES,
    QUESTION_IDS,
    QUESTIONS,
    Result,
    answers_from_yaml,
    parse_answer,
    project_facts,
    report_data,
    report_lines,
)
from toolkit.pipeline import Compiled

SEED_WINDOWS = Path(__file__).resolve().parents[1] / "fixtures" / "seed-003-windows.txt"


def result(*yes: str, unanswered: tuple[str, ...] = ()) -> Result:
    answers: dict[str, bool | None] = {q: q in yes for q in QUESTION_IDS}
    answers.update(dict.fromkeys(unanswered))
    return Result(answers)


def test_ten_questions_each_with_features() -> None:
    assert len(QUESTIONS) == 10 and len(set(QUESTION_IDS)) == 10
    for q in QUESTIONS:
        assert q.en.endswith("?") and q.ja.endswith("？")
        assert q.features and all(f in FEATURES for f in q.features)


def window_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def test_wording_is_our_own() -> None:
    """No 12 characters in a row of a question are the seed document's (compared by hash:
    the seed's text stays out of the repository)."""
    lines = SEED_WINDOWS.read_text(encoding="utf-8").splitlines()
    seed = {line for line in lines if line and not line.startswith("#")}
    assert len(seed) > 1000
    for q in QUESTIONS:
        body = q.ja.rstrip("？")
        windows = [body[i : i + 12] for i in range(len(body) - 11)]
        assert not [w for w in windows if window_hash(w) in seed], q.id


@pytest.mark.parametrize(
    ("yes", "unanswered", "verdict"),
    [
        ((), (), "ok"),
        (("few-web-leads",), (), "ok"),
        (("few-web-leads", "promotion-silos"), (), "problem"),
        (("few-web-leads",), ("promotion-silos",), "incomplete"),
        ((), ("promotion-silos",), "ok"),
        (QUESTION_IDS, (), "problem"),
    ],
)
def test_verdict(yes: tuple[str, ...], unanswered: tuple[str, ...], verdict: str) -> None:
    assert result(*yes, unanswered=unanswered).verdict == verdict


def test_answers_in_english_japanese_and_numbers() -> None:
    text = "answers:\n  scattered-lead-data: yes\n  2: はい\n  3: no\n  few-web-leads: いいえ\n"
    res, diags = answers_from_yaml(text, "a.yaml")
    assert diags == [] and res is not None
    assert res.yes == ["scattered-lead-data", "no-target-profile"]
    assert res.answers["no-marketing-kpi"] is False and res.answers["few-web-leads"] is False
    assert len(res.unanswered) == 6 and res.verdict == "problem"
    assert parse_answer("Y") is True and parse_answer("maybe") is None


def test_answer_file_errors_are_located() -> None:
    text = "kind: selfcheck\nanswers:\n  few-web-lead: yes\n  4: perhaps\n  11: no\nnote: x\n"
    res, diags = answers_from_yaml(text, "a.yaml")
    assert res is None
    found = {(d.code, d.line, d.hint) for d in diags}
    assert ("unknown-key", 3, "did you mean 'few-web-leads'?") in found
    assert ("invalid-value", 4, "answer yes or no (はい / いいえ)") in found
    assert any(code == "unknown-key" and line == 5 for code, line, _ in found)
    assert any(code == "unknown-key" and line == 6 for code, line, _ in found)
    res, diags = answers_from_yaml("answers: [yes]\n", "a.yaml")
    assert res is None and diags[0].code == "missing-key"


def test_features_only_for_yes_and_project_facts(example: Compiled) -> None:
    facts = project_facts(example.graph, has_rules=False)
    assert facts["personas"] == 3 and facts["segments"] == 2 and facts["handoffs"] > 0
    data = report_data(result("no-target-profile", "no-marketing-kpi"), "en", facts)
    assert data["verdict"] == "problem" and data["yes"] == 2
    by_id = {q["id"]: q for q in data["questions"]}
    assert by_id["scattered-lead-data"]["features"] == []
    personas = by_id["no-target-profile"]["features"][0]
    assert personas["id"] == "personas" and personas["status"] == "this project: 3 personas"
    quals = [f for f in by_id["no-target-profile"]["features"] if f["id"] == "qualification"]
    assert quals[0]["status"] == "not used yet in this project"


def test_report_lines_in_japanese() -> None:
    data = report_data(result("few-web-leads"), "ja", {})
    lines = report_lines(data, "ja")
    assert lines[0].startswith(" 1. [いいえ] リード情報が")
    assert lines[-1].startswith("「はい」が1個")
    assert any(line.strip().startswith("-> ") for line in lines)
