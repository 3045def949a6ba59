"""The lead overlay data for the journey map and funnel (toolkit/renderers/leads_overlay.py),
on the hand-computed fixture of tests/test_leads.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from toolkit.leads import Options, judge
from toolkit.pipeline import compile_project
from toolkit.qualification import load_rules_file
from toolkit.renderers.common import RenderOptions
from toolkit.renderers.leads_overlay import (
    overlay,
    render_leads_overlay,
    render_overlay_html,
    stage_badges,
    step_badges,
    transition_labels,
)

PROJECT = Path(__file__).resolve().parent / "fixtures" / "leads-project"


@pytest.fixture(scope="module")
def setup() -> tuple[Any, dict[str, Any]]:
    compiled = compile_project(PROJECT)
    doc, _, _ = load_rules_file(PROJECT / "rules.yaml")
    assert compiled.graph is not None and doc is not None
    result = judge(doc, compiled.graph, PROJECT / "leads.csv", PROJECT / "events.csv",
                   Options(as_of=dt.datetime(2026, 1, 31)))
    return compiled.graph, result.summary


def test_stage_and_step_volumes(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    data = overlay(graph, summary)
    assert data["total"] == 8
    assert data["stages"]["research"] == {"count": 4,
                                          "by_segment": {"small": 2, "large": 1, "(none)": 1}}
    steps = {s["stage"]: s["count"] for s in data["steps"].values()}
    assert steps == {"aware": 1, "research": 2, "decide": 1}  # journey of segment 'small'
    assert stage_badges(data, "en")["research"] == "4 leads"
    assert step_badges(data, "ja")["step:small-path/decide"] == "1件"


def test_funnel_volumes_and_handoff_conversion(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    data = overlay(graph, summary)
    assert data["funnel_stages"] == {
        "attract": {"lead_class": "lead", "count": 3, "reached": 8},
        "nurture": {"lead_class": "prospect", "count": 3, "reached": 5},
        "close": {"lead_class": "sql", "count": 2, "reached": 2},
    }
    conv = [(t["from_stage"], t["to_stage"], t["rate"], t["handoff"])
            for t in data["transitions"]]
    assert conv == [("attract", "nurture", 0.625, False), ("nurture", "close", 0.4, True)]
    assert transition_labels(data)[("nurture", "close")] == "2/5 = 40.0%"
    assert data["uncovered"] == {"decide": {"large": 1}}


def test_html_fragment_is_escaped_and_files(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    hostile = graph.copy()
    hostile.nodes["segment:large"]["label"] = "<script>alert(1)</script>"
    text = render_overlay_html(hostile, overlay(hostile, summary), "en")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.startswith('<section class="leads-overlay">')
    files = render_leads_overlay(graph, summary, RenderOptions("ja"))
    assert set(files) == {"data/leads-overlay.json", "leads.html"}
    assert json.loads(files["data/leads-overlay.json"])["total"] == 8
    assert "リードの分布" in files["leads.html"].decode("utf-8")
