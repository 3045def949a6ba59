"""The lead overlay data for the journey map and funnel (toolkit/render/overlay.py) and its
page (toolkit/render/leads_overlay.py),
on the hand-computed fixture of tests/test_leads.py."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from toolkit.leads.judge import Options, judge
from toolkit.model.qualification import load_rules_file
from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.leads_overlay import (
    handoff_context,
    leads_context,
    leads_files,
    render_leads_overlay,
)
from toolkit.render.overlay import (
    LeadOverlay,
    funnel_volumes,
    lead_count_text,
    overlay,
    stage_badges,
    step_badges,
    transition_labels,
)

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "leads-project"


@pytest.fixture(scope="module")
def setup() -> tuple[Any, dict[str, Any]]:
    compiled = compile_project(PROJECT)
    doc, _, _ = load_rules_file(PROJECT / "rules.yaml")
    assert compiled.graph is not None and doc is not None
    result = judge(
        doc,
        compiled.graph,
        PROJECT / "leads.csv",
        PROJECT / "events.csv",
        Options(as_of=dt.datetime(2026, 1, 31)),
    )
    return compiled.graph, result.summary


def test_stage_and_step_volumes(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    data = overlay(graph, summary)
    assert isinstance(data, LeadOverlay) and data.total == 8
    assert data.stages["research"] == {
        "count": 4,
        "by_segment": {"small": 2, "large": 1, "(none)": 1},
    }
    steps = {s["stage"]: s["count"] for s in data.steps.values()}
    assert steps == {"aware": 1, "research": 2, "decide": 1}  # journey of segment 'small'
    assert stage_badges(data, "en")["research"] == "4 leads"
    assert step_badges(data, "ja")["step:small-path/decide"] == "1件"


def test_funnel_volumes_and_handoff_conversion(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    data = overlay(graph, summary)
    assert data.funnel_stages == {
        "attract": {"lead_class": "lead", "count": 3, "reached": 8},
        "nurture": {"lead_class": "prospect", "count": 3, "reached": 5},
        "close": {"lead_class": "sql", "count": 2, "reached": 2},
    }
    conv = [(t["from_stage"], t["to_stage"], t["rate"], t["handoff"]) for t in data.transitions]
    assert conv == [("attract", "nurture", 0.625, False), ("nurture", "close", 0.4, True)]
    assert transition_labels(data)[("nurture", "close")] == "2/5 = 40.0%"
    assert data.uncovered == {"decide": {"large": 1}}


# The fixture's lead classes in funnel order: leads that reached each (bar: share of the
# first), leads judged at exactly that class, conversion from the previous judged class.
CLASS_BARS = [
    ("lead", "8", "3", "100%", "", ""),
    ("prospect", "5", "3", "62.5%", "62.5%", "5/8"),
    ("sql", "2", "2", "25%", "40.0%", "2/5"),
]


def test_leads_context(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    ctx = leads_context(graph, overlay(graph, summary), RenderOptions("en"))
    assert ctx["page"] == {
        "lang": "en",
        "title": "Leads on the journey | Customer journeys",
        "project": "Customer journeys",
        "client": "",
        "nav": [
            {"label": "Overview", "href": "index.html", "current": False},
            {"label": "Compare journeys", "href": "compare.html", "current": False},
            {"label": "Content coverage", "href": "coverage.html", "current": False},
            {"label": "Content inventory", "href": "coverage-inventory.html", "current": False},
            {"label": "Marketing plan", "href": "plan.html", "current": False},
            {"label": "Leads on the journey", "href": "leads.html", "current": True},
        ],
    }
    assert (ctx["as_of"], ctx["total"]) == ("2026-01-31 00:00:00", "8 leads")
    assert ctx["segments"] == ["Small", "Large", "(none)"]
    num, gap = "num-col", "num-col gap flag-content-gap"
    assert ctx["stages"] == [
        {"label": label, "total": total, "cells": [{"value": v, "classes": c} for v, c in cells]}
        for label, total, cells in [
            ("Unaware", "0", [("0", num), ("0", num), ("0", num)]),
            ("Aware", "2", [("1", num), ("1", num), ("0", num)]),
            ("Research", "4", [("2", num), ("1", num), ("1", num)]),
            ("Decide", "2", [("1", num), ("1", gap), ("0", num)]),
        ]
    ]
    assert ctx["funnel"] == [
        {"label": "attract", "lead_class": "lead", "count": "3", "reached": "8"},
        {"label": "nurture", "lead_class": "prospect", "count": "3", "reached": "5"},
        {"label": "close", "lead_class": "sql", "count": "2", "reached": "2"},
    ]
    assert ctx["conversions"] == [
        {"from": "attract", "to": "nurture", "rate": "5/8 = 62.5%", "handoff": False},
        {"from": "nurture", "to": "close", "rate": "2/5 = 40.0%", "handoff": True},
    ]
    assert [
        (c["label"], c["reached"], c["count"], c["bar"], c["conversion"], c["conversion_of"])
        for c in ctx["classes"]
    ] == CLASS_BARS
    ja = leads_context(graph, overlay(graph, summary), RenderOptions("ja"))
    assert (ja["page"]["title"].split(" | ")[0], ja["total"], ja["segments"][0]) == (
        "リードの分布",
        "8件",
        "中小企業",
    )


def test_page_is_escaped_and_files(setup: tuple[Any, dict[str, Any]]) -> None:
    graph, summary = setup
    hostile = graph.copy()
    hostile.nodes["segment:large"]["label"] = "<script>alert(1)</script>"
    page = render_leads_overlay(hostile, summary, RenderOptions("en"))["leads.html"]
    text = page.decode("utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "://" not in text and "<link" not in text
    assert '<article class="sheet leads-overlay">' in text
    assert "<style>" in text and '<nav class="nav" aria-label="Pages">' in text  # base.html.j2
    assert '<a href="leads.html" aria-current="page">Leads on the journey</a>' in text
    # the funnel as bars: the number as text beside a bar as long as its share
    assert (
        '<th scope="row">prospect</th>\n  <td class="bar-col"><div class="bar-line">'
        '<span class="funnel-bar" aria-hidden="true"><span class="funnel-fill" '
        'style="width: 62.5%"></span></span><span class="funnel-num">5</span></div></td>'
    ) in text
    assert '<span class="conv-rate">40.0%</span> <span class="conversion-of">(2/5)</span>' in text
    # every table has a heading that names it and header cells with their scope
    assert text.count("<table") == 5 and text.count('<div class="scroll" tabindex="0"') == 5
    for name in ("lead-funnel", "stage-volume", "funnel-volume", "handoff-readiness"):
        assert f'<h2 id="{name}">' in text and f'aria-labelledby="{name}"' in text
    assert '<h3 id="handoff-missing">' in text and 'aria-labelledby="handoff-missing"' in text
    assert "<th>" not in text
    assert "as of 2026-01-31 00:00:00: 8 leads" in text
    assert (
        '<th scope="row">Decide</th><td class="num-col">2</td><td class="num-col">1</td>'
        '<td class="num-col gap flag-content-gap">1</td><td class="num-col">0</td>'
    ) in text
    assert text.count('gap flag-content-gap"') == 1
    assert "<li>attract &rarr; nurture: 5/8 = 62.5%</li>" in text
    assert (
        '<li class="handoff"><strong>nurture &rarr; close: 2/5 = 40.0%</strong> (handoff)</li>'
    ) in text
    assert render_leads_overlay(hostile, summary, RenderOptions("en"))["leads.html"] == page
    files = render_leads_overlay(graph, summary, RenderOptions("ja"))
    assert set(files) == {"data/leads-overlay.json", "leads.html"}
    assert json.loads(files["data/leads-overlay.json"])["total"] == 8
    assert "リードの分布" in files["leads.html"].decode("utf-8")


def test_overlay_is_typed_data_with_the_json_of_the_file(
    setup: tuple[Any, dict[str, Any]],
) -> None:
    graph, summary = setup
    data = overlay(graph, summary)
    plain = data.to_json()
    assert set(plain) == {
        "as_of",
        "total",
        "segments",
        "stages",
        "steps",
        "funnel_stages",
        "transitions",
        "uncovered",
        "lead_classes",
        "handoff",
    }
    assert plain["lead_classes"] == [
        {"id": "lead", "count": 3, "reached": 8},
        {"id": "prospect", "count": 3, "reached": 5},
        {"id": "sql", "count": 2, "reached": 2},
    ]
    assert plain["total"] == data.total and plain["transitions"] == data.transitions
    files = leads_files(graph, data, RenderOptions("en"))
    assert files == render_leads_overlay(graph, summary, RenderOptions("en"))
    assert json.loads(files["data/leads-overlay.json"]) == json.loads(json.dumps(plain))
    assert funnel_volumes(data, "en") == {
        "attract": "8 leads",
        "nurture": "5 leads",
        "close": "2 leads",
    }
    assert (lead_count_text(1, "en"), lead_count_text(1234, "ja")) == ("1 lead", "1,234件")


def test_handoff_readiness_on_the_page(setup: tuple[Any, dict[str, Any]]) -> None:
    """rules.yaml has no `handoff:`: the rules' columns are reused (role, need, stage,
    timeframe, budget) and mission and interests are missing for every prospect."""
    graph, summary = setup
    data = overlay(graph, summary)
    assert data.handoff is not None and data.to_json()["handoff"] == summary["handoff"]
    en = leads_context(graph, data, RenderOptions("en"))["handoff"]
    assert en["ready"] == "0 of 5 prospects ready for handoff"
    assert en["counts"] == [
        {"label": "prospects", "total": "5", "cells": ["2", "2", "1"]},
        {"label": "ready", "total": "0", "cells": ["0", "0", "0"]},
    ]
    assert [(r["label"], r["total"], r["cells"]) for r in en["missing"]] == [
        ("Organisation's mission", "5", ["2", "2", "1"]),
        ("Interests", "5", ["2", "2", "1"]),
        ("Contact's position", "0", ["0", "0", "0"]),
        ("Real problem and felt need", "2", ["1", "1", "0"]),
        ("How far consideration has gone", "5", ["2", "2", "1"]),
        ("When they will contract or start considering", "3", ["1", "1", "1"]),
        ("Budget, and when", "3", ["1", "1", "1"]),
    ]
    ja = handoff_context(data.handoff, data.segments, "ja")
    assert ja is not None and ja["ready"] == "見込み客5件のうち0件が引き継ぎ準備完了"
    assert [r["label"] for r in ja["missing"]][:2] == ["組織のミッション", "関心事"]
    assert handoff_context(None, data.segments, "en") is None
    page = leads_files(graph, data, RenderOptions("en"))["leads.html"].decode("utf-8")
    section = page[page.index('<section class="block handoff-readiness"') :]
    assert section.count("<table") == 2 and section.count('<th scope="row">') == 9
    assert '<h3 id="handoff-missing">Missing by field</h3>' in section
    older = replace(data, handoff=None)  # a summary without handoff: no section
    assert "handoff-readiness" not in leads_files(graph, older, RenderOptions("en"))[
        "leads.html"
    ].decode("utf-8")


def test_overlay_helpers_sit_below_the_renderers() -> None:
    """The overlay module imports no renderer: dot, html_context and leads_overlay read it."""
    import ast
    from pathlib import Path as P

    import toolkit.render.overlay as module

    tree = ast.parse(P(module.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in imported if m.startswith("toolkit.render")}
