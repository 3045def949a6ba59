"""`journey report` and `journey build --format report` end to end, as a person runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf import A4, page_sizes, reader
from tools import needs_weasyprint

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def journey(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli-report") / "project"
    done = journey("init", str(root), "--template", "minimal", "--lang", "en")
    assert done.returncode == 0, done.stderr
    return root


@needs_weasyprint
def test_report_writes_one_pdf_on_the_paper_asked_for(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "deliverable.pdf"
    done = journey("report", str(minimal), "-o", str(out), "--paper", "a4", "--lang", "en")
    assert done.returncode == 0, done.stderr
    pdf = reader(out.read_bytes())
    pages = len(pdf.pages)
    assert f"wrote {out} ({pages} pages, " in done.stderr
    assert all(abs(w - A4[0]) <= 0.5 and abs(h - A4[1]) <= 0.5 for w, h in page_sizes(pdf))
    assert not list(tmp_path.glob(".deliverable.pdf.*"))  # no temporary file left


@needs_weasyprint
def test_build_format_report_writes_report_pdf_at_the_root(minimal: Path, tmp_path: Path) -> None:
    done = journey("build", str(minimal), "-o", str(tmp_path / "out"), "--format", "report")
    assert done.returncode == 0, done.stderr
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "report.pdf" in files and "index.html" not in files
    assert reader((tmp_path / "out" / "report.pdf").read_bytes()).pages


def test_build_makes_no_report_unless_asked(minimal: Path, tmp_path: Path) -> None:
    done = journey("build", str(minimal), "-o", str(tmp_path / "out"), "--format", "html,json")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "out" / "report.pdf").exists()


def test_a_bad_project_gives_its_diagnostics_and_exit_1(tmp_path: Path) -> None:
    done = journey("report", str(FIXTURES / "unknown-ref"), "-o", str(tmp_path / "r.pdf"))
    assert done.returncode == 1
    assert "error" in done.stderr and "unknown" in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "r.pdf").exists()


def test_events_without_leads_is_a_usage_error(minimal: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("lead_id,event,at\n", encoding="utf-8")
    done = journey("report", str(minimal), "--events", str(events))
    assert done.returncode == 2
    assert "--events needs --leads" in done.stderr


def test_without_weasyprint_the_command_names_the_fix(minimal: Path, tmp_path: Path) -> None:
    """A Python that cannot import weasyprint: exit 2, the pip and apt commands, no traceback."""
    blocker = tmp_path / "blocker"
    blocker.mkdir()
    (blocker / "weasyprint.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0'\")\n", encoding="utf-8"
    )
    path = os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])
    done = journey("report", str(minimal), "-o", str(tmp_path / "r.pdf"), env={"PYTHONPATH": path})
    assert done.returncode == 2
    assert "WeasyPrint is not usable" in done.stderr and "libpango-1.0-0" in done.stderr
    assert "pip install" in done.stderr and "apt-get install" in done.stderr
    assert "Traceback" not in done.stderr
