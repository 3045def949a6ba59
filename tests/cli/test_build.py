"""`journey build` end to end: files, determinism, no-dot fallback, safe writes, hostile input."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.render.data import neutralise
from toolkit.write import MARKER, OutputError, write_output

HAS_DOT = shutil.which("dot") is not None
JOURNEYS = [
    "ma-adopted-inside-sales",
    "ma-adopted-sales-head",
    "no-ma-manager",
    "no-ma-manager-future",
    "no-ma-segment",
]
DIAGRAMS = ["funnel", "overview", *JOURNEYS]


def journey(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.skipif(not HAS_DOT, reason="graphviz is not installed")
def test_build_writes_every_deliverable_and_is_deterministic(
    example_copy: Path, tmp_path: Path
) -> None:
    first = journey("build", str(example_copy), "-o", str(tmp_path / "a"))
    assert first.returncode == 0, first.stderr
    assert (
        first.stderr.splitlines()[-1]
        == f"wrote 47 files to {tmp_path / 'a'}/ (open " + str(tmp_path / "a" / "index.html") + ")"
    )
    files = tree(tmp_path / "a")
    expected = {
        "index.html",
        "compare.html",
        "coverage.html",
        "coverage-cells.html",
        "coverage-inventory.html",
        "plan.html",
        "data/coverage.xlsx",
        MARKER,
        "data/graph.json",
        "data/journeys.csv",
        *(f"journeys/{j}.html" for j in JOURNEYS),
        *(f"mermaid/{j}.mmd" for j in JOURNEYS),
        *(f"diagrams/{d}.{ext}" for d in DIAGRAMS for ext in ("dot", "svg", "png", "pdf")),
    }
    assert set(files) == expected
    assert files["diagrams/funnel.png"].startswith(b"\x89PNG")
    assert files["diagrams/funnel.pdf"].startswith(b"%PDF")
    assert journey("build", str(example_copy), "-o", str(tmp_path / "b")).returncode == 0
    assert tree(tmp_path / "b") == files


def test_without_dot_build_still_writes_the_rest(example_copy: Path, tmp_path: Path) -> None:
    done = journey("build", str(example_copy), "-o", str(tmp_path / "out"), env={"PATH": ""})
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "Graphviz" in line]
    assert notes == [
        "SVG/PNG/PDF diagrams skipped: Graphviz 'dot' is not installed "
        "(Debian/Ubuntu: apt-get install graphviz fonts-ipafont-gothic; "
        "macOS: brew install graphviz)"
    ]
    files = tree(tmp_path / "out")
    assert not [f for f in files if f.endswith((".svg", ".png", ".pdf"))]
    assert {f"diagrams/{d}.dot" for d in DIAGRAMS} <= set(files)
    assert {"index.html", "compare.html", "coverage.html", "data/journeys.csv"} <= set(files)


def test_format_option_chooses_outputs(example_copy: Path, tmp_path: Path) -> None:
    done = journey("build", str(example_copy), "-o", str(tmp_path / "o"), "--format", "json,csv")
    assert done.returncode == 0, done.stderr
    assert set(tree(tmp_path / "o")) == {MARKER, "data/graph.json", "data/journeys.csv"}
    bad = journey("build", str(example_copy), "--format", "html,gif")
    assert bad.returncode == 2
    assert "unknown format gif" in bad.stderr


def test_project_with_errors_does_not_build(example_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert journey("build", str(example_copy), "-o", str(out), "--format", "json").returncode == 0
    before = tree(out)
    stages = example_copy / "journeys" / "stages.yaml"
    stages.write_text(stages.read_text(encoding="utf-8").replace("stages:", "stagez:", 1), "utf-8")
    check = journey("check", str(example_copy))
    built = journey("build", str(example_copy), "-o", str(out), "--format", "json")
    assert built.returncode == 1 and check.returncode == 1
    errors = [line for line in check.stdout.splitlines() if " error " in line]
    assert errors and all(line in built.stderr for line in errors)
    assert tree(out) == before  # the previous build is untouched


@pytest.mark.parametrize("where", [".", "journeys/out", "personas", ".."])
def test_refuses_output_over_the_sources(example_copy: Path, where: str) -> None:
    before = tree(example_copy)
    done = journey("build", str(example_copy), "-o", str(example_copy / where), "--format", "json")
    assert done.returncode == 2
    assert done.stderr.startswith("journey build: output folder")
    assert tree(example_copy) == before


def test_refuses_a_foreign_non_empty_folder(example_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    done = journey("build", str(example_copy), "-o", str(out), "--format", "json")
    assert done.returncode == 2
    assert "not empty and was not made by 'journey build'" in done.stderr
    assert tree(out) == {"thesis.docx": b"precious"}


def test_writer_keeps_previous_output_when_writing_fails(tmp_path: Path) -> None:
    project, out = tmp_path / "p", tmp_path / "out"
    (project / "journeys").mkdir(parents=True)
    write_output(project, out, {"index.html": b"v1", "a/b.txt": b"x"})
    with pytest.raises(OutputError):
        write_output(project, out, {"index.html": b"v2", "../escape.txt": b"!"})
    assert tree(out) == {"index.html": b"v1", "a/b.txt": b"x", MARKER: tree(out)[MARKER]}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]  # no staging left over
    write_output(project, out, {"index.html": b"v2"})
    assert set(tree(out)) == {"index.html", MARKER}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+2", "'+1+2"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-2", "-2"),
        ("plain", "plain"),
    ],
)
def test_csv_cells_are_neutralised(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


HOSTILE = (
    '<script>alert(1)</script>" onmouseover="x" \'; </style><img src=x onerror=alert(2)>'
    ' "]; evil [label="x\\ %%{init: {}}%% =cmd|calc \u202e 😀 \\'
)
TEXT_KEYS = frozenset(
    {
        "label",
        "title",
        "name",
        "description",
        "thinking",
        "feeling",
        "quote",
        "action",
        "kpi",
        "client",
        "format",
        "ja",
        "en",
    }
)
LIST_KEYS = frozenset(
    {"doing", "questions", "touchpoints", "pains", "opportunities", "goals", "info_sources"}
)


def poison(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: poison(v, k) for k, v in node.items()}
    if isinstance(node, list):
        if key in LIST_KEYS:
            return [f"={HOSTILE}" for _ in node]
        return [poison(v, key) for v in node]
    if key in TEXT_KEYS and isinstance(node, str):
        return HOSTILE
    if key == "url":
        return "javascript:alert(3)"
    return node


def test_hostile_text_everywhere_builds_without_payload(example_copy: Path, tmp_path: Path) -> None:
    for path in example_copy.rglob("*.yaml"):
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump_all([poison(d) for d in docs], allow_unicode=True), "utf-8")
    formats = "html,dot,mermaid,json,csv" + (",svg" if HAS_DOT else "")
    done = journey("build", str(example_copy), "-o", str(tmp_path / "o"), "--format", formats)
    assert done.returncode == 0, done.stderr
    files = tree(tmp_path / "o")
    for name, body in files.items():
        text = body.decode("utf-8-sig")
        if name.endswith((".html", ".svg")):
            assert "<script" not in text.lower(), name
            assert "javascript:" not in text.lower(), name
            assert not re.search(r"<[^>]*\son\w+\s*=", text), name
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, name
        if name.endswith(".mmd"):
            assert "%%{" not in text and "<script" not in text, name
    rows = list(csv.reader(io.StringIO(files["data/journeys.csv"].decode("utf-8-sig"))))
    doing = [r for r in rows if r[6] == "doing"]
    assert doing and all(r[7].startswith("'=") for r in doing)


def test_the_progress_display_starts_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the build shows its progress without a refresh thread: with a second
    thread running, the render would not fork its workers (toolkit.load.workers.can_fork)
    and a build at a terminal took 9.4 s on L instead of 6.7 s."""
    import threading

    from toolkit.cli import main as cli_main

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    before = threading.active_count()
    with cli_main._progress() as phase:
        phase("diagrams")
        assert threading.active_count() == before
    assert "rendering diagrams" in term.getvalue()
