"""`journey serve` offers the report (and the deck, where a builder makes one) as downloads,
made when asked for from the last good build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tools import needs_weasyprint

from tests.serve.test_serve import live_server, raw_get
from toolkit.render.registry import BUILDERS
from toolkit.render.report import ReportError
from toolkit.serve.live import ON_DEMAND, LiveBuild, on_demand_formats
from toolkit.serve.state import LiveState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_server_sends_a_download_as_an_attachment(tmp_path: Path) -> None:
    calls: list[str] = []

    def make() -> bytes:
        calls.append("report")
        return b"%PDF-1.7 made now"

    with live_server(tmp_path, downloads={"report.pdf": make}) as port:
        status, headers, body = raw_get(port, "/report.pdf")
        assert status == 200 and body == b"%PDF-1.7 made now"
        assert headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
        assert raw_get(port, "/other.pdf")[0] == 404
    assert calls == ["report"]


def test_before_a_good_build_a_download_is_not_found(tmp_path: Path) -> None:
    with live_server(tmp_path, downloads={"report.pdf": lambda: None}) as port:
        assert raw_get(port, "/report.pdf")[0] == 404


def test_a_machine_without_weasyprint_answers_503_with_the_fix(tmp_path: Path) -> None:
    def make() -> bytes:
        raise ReportError("cannot make the PDF report: WeasyPrint is not usable (no pango)")

    with live_server(tmp_path, LiveState(version=1), downloads={"report.pdf": make}) as port:
        status, _, body = raw_get(port, "/report.pdf")
    assert status == 503
    assert b"WeasyPrint is not usable" in body and b"apt-get install libpango-1.0-0" in body


def test_on_demand_formats_are_those_a_builder_makes_and_the_build_does_not() -> None:
    known = {fmt for b in BUILDERS for fmt in b.formats}
    assert on_demand_formats(frozenset({"html"})) == frozenset(f for f in ON_DEMAND if f in known)
    assert "report" in on_demand_formats(frozenset({"html"}))
    assert "report" not in on_demand_formats(frozenset({"html", "report"}))
    # a deck is offered only where a "pptx" builder is registered
    assert ("pptx" in on_demand_formats(frozenset())) == ("pptx" in known)


@needs_weasyprint
def test_live_build_makes_the_report_once_per_build(tmp_path: Path) -> None:
    project = tmp_path / "project"  # a small project: what is tested is when the report is made
    shutil.copytree(FIXTURES / "graph-small", project)
    live = LiveBuild.for_project(project, tmp_path / "out", frozenset({"html"}))
    live.on_demand = frozenset({"report"})
    assert live.download("report") is None  # no build yet
    ok, _, _ = live.rebuild()
    assert ok
    assert sorted(live.downloads()) == ["report.pdf"]
    pdf = live.downloads()["report.pdf"]()
    assert pdf is not None and pdf.startswith(b"%PDF-")
    assert live.download("report") is pdf  # kept until the next build
    assert live.download("pptx") is None  # not offered
    assert not (tmp_path / "out" / "report.pdf").exists()  # never written to the folder


@pytest.mark.parametrize("name", sorted(ON_DEMAND.values()))
def test_on_demand_paths_sit_at_the_output_root(name: str) -> None:
    assert "/" not in name and name.endswith((".pdf", ".pptx"))


def test_the_index_links_the_downloads_serve_makes(example_graph) -> None:
    from toolkit.render.common import RenderOptions
    from toolkit.render.html import render_html

    served = RenderOptions("en", frozenset({"html", "json"}), on_demand=frozenset({"report"}))
    page = render_html(example_graph, served, journeys=[])["index.html"].decode()
    assert '<a href="report.pdf">Report (PDF)</a>' in page
    assert "deck.pptx" not in page
    built = RenderOptions("en", frozenset({"html", "json"}))
    assert "report.pdf" not in render_html(example_graph, built, journeys=[])["index.html"].decode()
