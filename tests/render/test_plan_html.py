"""plan.html: its context (toolkit/render/plan_html.py), the empty state, escaping."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import write_project

from toolkit.pipeline import compile_project
from toolkit.render.common import RenderOptions
from toolkit.render.plan_html import plan_context, render_plan_html

BASIC = Path(__file__).resolve().parents[1] / "fixtures" / "plan-basic"


@pytest.fixture(scope="module")
def context() -> dict:
    compiled = compile_project(BASIC, shown_as="")
    assert compiled.graph is not None
    return plan_context(compiled.graph, RenderOptions("en"))


def test_one_card_per_process_with_the_gap_badge(context: dict) -> None:
    assert context["mapped"] and context["summary"] == "2 of 6 processes have a gap."
    cards = {p["id"]: p for p in context["processes"]}
    assert [p["number"] for p in context["processes"]] == ["01", "02", "03", "04", "05", "06"]
    assert cards["detect"]["flags"] == [
        {"code": "process-gap", "label": "No seller action or no KPI"}
    ]
    assert [p["id"] for p in context["processes"] if p["flags"]] == ["retain-data", "detect"]
    assert cards["expand"]["sections"] == [
        {"title": "Funnel stages", "names": ["Onboard"]},
        {"title": "Roles", "names": ["Customer success", "Sales"]},
        {"title": "Lead classes", "names": []},
    ]
    assert [(c["value"], c["missing"]) for c in cards["detect"]["counts"]] == [
        (1, False),
        (0, False),
        (0, True),
    ]
    nav = context["page"]["nav"]
    assert [n["href"] for n in nav if n["current"]] == ["plan.html"]


def test_without_processes_the_page_says_how_to_start(tmp_path: Path) -> None:
    compiled = compile_project(write_project(tmp_path / "p"), shown_as="")
    assert compiled.graph is not None
    ctx = plan_context(compiled.graph, RenderOptions("ja"))
    assert not ctx["mapped"] and ctx["summary"] == ""
    assert all(p["flags"] == [] for p in ctx["processes"])  # check warns nothing either
    html = render_plan_html(compiled.graph, RenderOptions("ja"))["plan.html"].decode()
    assert "まだどのファネルステージにもマーケティングプロセスがないため" in html
    assert html.count('class="process"') == 6


def test_labels_are_escaped(tmp_path: Path) -> None:
    funnel = """\
        kind: funnel
        roles:
          - {id: marketing, label: "<script>alert(1)</script>"}
          - {id: sales}
        stages:
          - id: attract
            label: "<b>Attract</b>"
            owners: [marketing]
            serves: [aware]
            processes: acquire
        """
    root = write_project(tmp_path / "p", {"journeys/funnel.yaml": funnel})
    compiled = compile_project(root, shown_as="")
    assert compiled.graph is not None
    html = render_plan_html(compiled.graph, RenderOptions("en"))["plan.html"].decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Attract&lt;/b&gt;" in html
    again = render_plan_html(compiled.graph, RenderOptions("en"))["plan.html"].decode()
    assert again == html
