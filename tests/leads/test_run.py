"""toolkit.leads.run: the rules chosen and checked, then one judgment, as data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from toolkit.leads.judge import Options
from toolkit.leads.run import RULES_FAILED, judge_leads
from toolkit.pipeline import Compiled


def test_judges_the_example_export_with_the_project_rules(
    example: Compiled, repo_root: Path
) -> None:
    assert example.graph is not None
    run = judge_leads(
        example.project, example.graph, repo_root / "docs/examples/leads.csv", None, None, Options()
    )
    assert run.failure is None and run.diagnostics == []
    assert run.judgment is not None
    lines = (repo_root / "docs/examples/leads.csv").read_text(encoding="utf-8").splitlines()
    assert len(run.judgment.rows) == len(lines) - 1


def test_a_project_without_rules_gives_a_diagnostic_not_a_judgment(
    example: Compiled, tmp_path: Path
) -> None:
    assert example.graph is not None
    project = dataclasses.replace(
        example.project,
        shown_as="proj",
        qualification=None,
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("id\n1\n", encoding="utf-8")
    run = judge_leads(project, example.graph, leads, None, None, Options())
    assert run.judgment is None and run.failure == RULES_FAILED
    assert [(d.code, d.file) for d in run.diagnostics] == [("missing-qualification", "proj")]


def test_an_unreadable_export_is_a_failure_with_its_reason(
    example: Compiled, tmp_path: Path
) -> None:
    assert example.graph is not None
    bad = tmp_path / "leads.csv"
    bad.write_bytes(b"\xff\xfe not utf-8\n")
    run = judge_leads(example.project, example.graph, bad, None, None, Options())
    assert run.judgment is None and run.failure is not None and run.failure != RULES_FAILED
