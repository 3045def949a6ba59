"""One broken file reports its own error, not a flood of errors about what it defines."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from toolkit.pipeline import compile_project


def broken_copy(tmp_path: Path, name: str, tail: str) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "warnings", dest)
    with (dest / "journeys" / name).open("a", encoding="utf-8") as fh:
        fh.write(tail)
    return dest


def triples(root: Path) -> list[tuple[str, str, int]]:
    return [(d.code, d.file, d.line) for d in compile_project(root, shown_as="").diagnostics]


def test_syntax_error_in_stages_is_the_only_error(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "stages.yaml", "    label: [oops\n")
    assert triples(root) == [("yaml-syntax", "journeys/stages.yaml", 10)]


def test_syntax_error_in_content_does_not_make_named_items_unknown(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "content.yaml", "  - {id: late, title: [oops\n")
    codes = [code for code, _, _ in triples(root)]
    assert codes == ["yaml-syntax"]


def test_a_real_unknown_reference_is_still_reported(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "stages.yaml", "    label: [oops\n")
    persona = root / "personas" / "ann.yaml"
    persona.write_text(persona.read_text(encoding="utf-8") + "segment: nowhere\n", "utf-8")
    codes = [code for code, _, _ in triples(root)]
    assert codes == ["yaml-syntax", "unknown-ref"]


def test_invalid_document_still_reports_its_unknown_references(tmp_path: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(FIXTURES / "warnings", root)
    journey = root / "journeys" / "ann.yaml"
    text = journey.read_text(encoding="utf-8")
    text = text.replace("emotion: 0", "emotion: 5").replace("role: marketing", "role: marketin")
    journey.write_text(text, encoding="utf-8")
    diags = compile_project(root, shown_as="").diagnostics
    assert sorted((d.code, d.line, d.column, d.hint) for d in diags) == [
        ("out-of-range", 6, 14, "use a whole number in -2..2"),
        ("unknown-ref", 8, 15, "did you mean 'marketing'?"),
    ]


def test_a_stages_file_over_the_size_limit_is_the_only_error(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "stages.yaml", "# " + "x" * (3 * 1024 * 1024) + "\n")
    assert triples(root) == [("file-too-large", "journeys/stages.yaml", 1)]


def test_a_funnel_file_over_the_size_limit_is_the_only_error(tmp_path: Path) -> None:
    root = broken_copy(tmp_path, "funnel.yaml", "\n".join(["# padding " * 20] * 20_000) + "\n")
    assert triples(root) == [("file-too-large", "journeys/funnel.yaml", 1)]
