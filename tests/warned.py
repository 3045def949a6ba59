"""A project with every warning `journey check` prints (shared by the page tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WARNING_CODES = [
    "content-gap",
    "empty-file",
    "handoff-blind",
    "orphan-content",
    "process-gap",
    "seller-absent",
    "unknown-language",
    "unpersonified-role",
    "unserved-stage",
]


def write_warned_project(root: Path) -> None:
    """tests/fixtures/warnings (seller-absent, content-gap, orphan-content, unserved-stage)
    with processes on its funnel stage 'attract' (process-gap: all six processes), an
    empty file, the language fr and sales rules naming a buying role that no persona has
    and a handoff field (interests) that no column fills: every warning of WARNING_CODES."""
    shutil.copytree(FIXTURES / "warnings", root)
    (root / "journeys/empty.yaml").write_text("", encoding="utf-8")
    (root / "journeys/project.yaml").write_text(
        "kind: project\ntitle: Warned\nlanguage: fr\n", encoding="utf-8"
    )
    funnel = root / "journeys/funnel.yaml"
    mapped = funnel.read_text(encoding="utf-8").replace(
        "    serves: [aware]\n", "    serves: [aware]\n    processes: [acquire, nurture]\n"
    )
    funnel.write_text(
        mapped + "lead_classes:\n  - {id: lead}\n  - {id: prospect}\n", encoding="utf-8"
    )
    (root / "journeys/qualification.yaml").write_text(
        "kind: qualification\n"
        "sales:\n"
        "  lead_time_months: 6\n"
        "  target_roles: [decision-maker]\n"
        "  criteria:\n"
        '    need: {values: [{value: "yes"}, {value: "no"}]}\n'
        "marketing:\n"
        "  depth_levels: [{id: shallow}, {id: deep}]\n"
        "  signals:\n"
        "    - {id: download, points: 5, depth: shallow}\n"
        "classes:\n"
        "  - {id: lead}\n"
        "  - {id: prospect, when: {known: [need]}}\n"
        "handoff: {mission: Mission, timing: When, budget: Budget note}\n",
        encoding="utf-8",
    )
