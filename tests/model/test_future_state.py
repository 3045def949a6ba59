"""Current and future-state journeys: `state`, `future_of` and their diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest
from projects import FIXTURES, JOURNEY, run_cli, write_project

from toolkit.model.project import load_project
from toolkit.pipeline import compile_project

ROOT = FIXTURES.parent.parent


def test_each_error_line_is_exact(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run_cli(capsys, "check", "tests/fixtures/bad-future-of")
    assert code == 1
    assert out == (FIXTURES / "bad-future-of" / "expected.txt").read_text(encoding="utf-8")
    assert err == "5 error(s), 0 warning(s)\n"


SEGMENTS = """\
kind: segments
segments:
  - id: small
  - id: large
"""


def test_segment_journeys_pair_by_segment(tmp_path: Path) -> None:
    journeys = """\
        kind: journey
        id: small-today
        segment: small
        ---
        kind: journey
        id: small-later
        segment: small
        state: future
        future_of: small-today
        ---
        kind: journey
        id: large-later
        segment: large
        state: future
        future_of: small-today
        ---
        kind: journey
        id: self
        segment: large
        state: future
        future_of: self
        """
    write_project(
        tmp_path,
        {
            "journeys/segments.yaml": SEGMENTS,
            "personas/ann.yaml": "kind: persona\nid: ann\nname: Ann\nsegment: small\n",
            "journeys/more.yaml": journeys,
        },
    )
    diags = load_project(tmp_path, shown_as="").diagnostics
    assert [(d.code, d.line, d.column, d.message) for d in diags] == [
        (
            "bad-future-of",
            15,
            12,
            "future journey 'large-later' is for segment 'large', but its current journey "
            "'small-today' is for segment 'small'",
        ),
        (
            "bad-future-of",
            21,
            12,
            "'future_of' names journey 'self', which is not a current journey",
        ),
    ]


def test_future_without_future_of_is_valid_and_state_is_in_the_graph(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"journeys/later.yaml": "kind: journey\nid: later\npersona: ann\nstate: future\n"},
    )
    compiled = compile_project(tmp_path, shown_as="")
    assert compiled.ok
    g = compiled.graph
    assert g is not None
    assert g.nodes["journey:later"]["state"] == "future"
    assert "future_of" not in g.nodes["journey:later"]
    assert "state" not in g.nodes["journey:ann-journey"]


def test_explicit_current_state_compiles_like_no_state(tmp_path: Path) -> None:
    plain = compile_project(write_project(tmp_path / "a"), shown_as="").graph
    explicit = compile_project(
        write_project(tmp_path / "b", {"journeys/ann.yaml": JOURNEY + "state: current\n"}),
        shown_as="",
    ).graph
    assert plain is not None and explicit is not None
    assert dict(plain.nodes(data=True)) == dict(explicit.nodes(data=True))
