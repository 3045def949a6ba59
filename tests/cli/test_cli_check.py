"""`journey check`, `graph` and `schema` end to end: output format, exit codes, no writes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml
from projects import FIXTURE_ERRORS, FIXTURES, tree_digest, write_project
from projects import run_cli as run

from toolkit import __version__
from toolkit.common.diagnostics import WARNING_CODES
from toolkit.model import project as project_module

LINE = re.compile(
    r"^(?P<file>[^:]+)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<sev>error|warning) "
    r"(?P<code>[a-z0-9-]+): (?P<message>.+)$"
)
WARNINGS_FIXTURE = [
    ("warning", "content-gap", "tests/fixtures/warnings/journeys/ann.yaml", 10, 3),
    ("warning", "seller-absent", "tests/fixtures/warnings/journeys/ann.yaml", 10, 3),
    ("warning", "orphan-content", "tests/fixtures/warnings/journeys/content.yaml", 9, 9),
    ("warning", "unserved-stage", "tests/fixtures/warnings/journeys/stages.yaml", 7, 9),
]


@pytest.fixture(autouse=True)
def at_repo_root(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)


def parsed(out: str) -> list[tuple[str, str, str, int, int]]:
    """(severity, code, file, line, column) of every diagnostic line; all lines must match."""
    rows = []
    for text in out.splitlines():
        m = LINE.match(text)
        assert m, f"not a diagnostic line: {text!r}"
        rows.append((m["sev"], m["code"], m["file"], int(m["line"] or 0), int(m["col"] or 0)))
    return rows


def subprocess_journey(repo_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- every failure mode: exit 1 and every error at its place ----------------------------


@pytest.mark.parametrize("case", sorted(FIXTURE_ERRORS))
def test_check_fails_on_each_failure_mode(capsys: pytest.CaptureFixture[str], case: str) -> None:
    code, out, err = run(capsys, "check", f"tests/fixtures/{case}")
    assert code == 1
    prefix = f"tests/fixtures/{case}"
    expected = sorted(
        ("error", c, prefix if f == "." else f"{prefix}/{f}", line, col)
        for c, f, line, col in FIXTURE_ERRORS[case]
    )
    assert sorted(parsed(out)) == expected
    assert err == f"{len(expected)} error(s), 0 warning(s)\n"


def test_text_line_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "tests/fixtures/unknown-kind")
    assert (code, out, err) == (
        1,
        "tests/fixtures/unknown-kind/journeys/ann.yaml:1:7: error unknown-kind: "
        "unknown kind 'jorney' (did you mean 'journey'?)\n",
        "1 error(s), 0 warning(s)\n",
    )


def test_project_level_line_has_no_position(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "./tests/fixtures/missing-funnel/")
    assert (code, out) == (
        1,
        "tests/fixtures/missing-funnel: error missing-funnel: the project has no 'kind: funnel' "
        "document (add one under journeys/ (see docs/FORMAT.md, kind: funnel))\n",
    )


def test_all_problems_in_one_run_subprocess(repo_root: Path) -> None:
    proc = subprocess_journey(repo_root, "check", "tests/fixtures/many-errors")
    assert proc.returncode == 1
    assert [(c, f, line) for _, c, f, line, _ in parsed(proc.stdout)] == [
        ("unknown-ref", "tests/fixtures/many-errors/journeys/ann.yaml", 13),
        ("bad-id", "tests/fixtures/many-errors/journeys/content.yaml", 3),
        ("invalid-value", "tests/fixtures/many-errors/journeys/content.yaml", 8),
        ("unknown-kind", "tests/fixtures/many-errors/journeys/extra.yaml", 1),
        ("duplicate-key", "tests/fixtures/many-errors/journeys/funnel.yaml", 9),
        ("out-of-range", "tests/fixtures/many-errors/journeys/stages.yaml", 8),
        ("missing-key", "tests/fixtures/many-errors/personas/ann.yaml", 1),
        ("unknown-key", "tests/fixtures/many-errors/personas/ann.yaml", 3),
        ("yaml-tab", "tests/fixtures/many-errors/personas/bob.yaml", 5),
    ]
    assert proc.stderr == "9 error(s), 0 warning(s)\n"


def billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"kind: persona\nid: bob\nname: Bob \xff\n", ("invalid-utf8", 3, 11)),
        (b"kind: persona\nid: bob\nname: Bob \x07\n", ("yaml-syntax", 3, 11)),
        (b"[" * 100_000, ("yaml-depth", 1, 65)),
        (billion_laughs(), ("yaml-alias", 6, 8)),
        (None, ("file-too-large", 1, 1)),
    ],
    ids=["invalid-utf8", "control-character", "yaml-depth", "billion-laughs", "file-too-large"],
)
def test_check_fails_on_generated_bad_files(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: bytes | None,
    expected: tuple[str, int, int],
) -> None:
    root = write_project(tmp_path / "p", {"personas/bob.yaml": content})
    if content is None:
        with (root / "personas" / "bob.yaml").open("wb") as fh:
            fh.truncate(50 * 1024 * 1024)  # sparse
    code, out, err = run(capsys, "check", str(root))
    assert code == 1
    assert parsed(out) == [("error", expected[0], f"{root}/personas/bob.yaml", *expected[1:])]
    assert err == "1 error(s), 0 warning(s)\n"


def test_check_accepts_a_bom(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbfkind: persona\nid: bob\nname: Bob\n"
    root = write_project(tmp_path / "p", {"personas/bob.yaml": bom})
    assert run(capsys, "check", str(root)) == (0, "", "0 error(s), 0 warning(s)\n")


def test_cached_and_uncached_runs_agree(capsys: pytest.CaptureFixture[str]) -> None:
    runs = [
        run(capsys, "check", *extra, "tests/fixtures/many-errors")
        for extra in ([], [], ["--no-cache"])
    ]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0][0] == 1


# --- JSON output -------------------------------------------------------------------------


def test_json_format_exact(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format", "json", "tests/fixtures/duplicate-id")
    assert code == 1 and err == ""
    assert json.loads(out) == {
        "errors": [
            {
                "severity": "error",
                "code": "duplicate-id",
                "message": "duplicate customer stage id 'aware' "
                "(also defined at tests/fixtures/duplicate-id/journeys/stages.yaml:3:9)",
                "file": "tests/fixtures/duplicate-id/journeys/stages.yaml",
                "line": 7,
                "column": 9,
                "hint": "ids must be unique within their kind",
            },
            {
                "severity": "error",
                "code": "duplicate-id",
                "message": "duplicate persona id 'ann' "
                "(also defined at tests/fixtures/duplicate-id/personas/ann-again.yaml:2:5)",
                "file": "tests/fixtures/duplicate-id/personas/ann.yaml",
                "line": 2,
                "column": 5,
                "hint": "ids must be unique within their kind",
            },
        ],
        "warnings": [],
    }


def test_json_format_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--format=json", "tests/fixtures/warnings")
    assert (code, err) == (0, "")
    body = json.loads(out)
    assert body["errors"] == []
    rows = [(w["severity"], w["code"], w["file"], w["line"], w["column"]) for w in body["warnings"]]
    assert rows == WARNINGS_FIXTURE
    assert body["warnings"][0]["message"] == (
        "step 'buy' of journey 'ann-journey' has no published content"
    )
    assert set(body["warnings"][0]) == {
        "severity",
        "code",
        "message",
        "file",
        "line",
        "column",
        "hint",
    }


# --- warnings, --strict, --ignore --------------------------------------------------------


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "tests/fixtures/warnings")
    assert code == 0
    assert parsed(out) == WARNINGS_FIXTURE
    assert err == "0 error(s), 4 warning(s)\n"


def test_strict_turns_warnings_into_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--strict", "tests/fixtures/warnings")
    assert code == 1
    assert parsed(out) == [("error", *row[1:]) for row in WARNINGS_FIXTURE]
    assert err == "4 error(s), 0 warning(s)\n"


def test_ignore_silences_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "check",
        "--ignore",
        "seller-absent",
        "--ignore",
        "orphan-content",
        "tests/fixtures/warnings",
    )
    assert code == 0
    assert parsed(out) == [WARNINGS_FIXTURE[0], WARNINGS_FIXTURE[3]]
    assert err == "0 error(s), 2 warning(s)\n"


def test_strict_with_every_warning_ignored_passes(capsys: pytest.CaptureFixture[str]) -> None:
    ignores = [
        a
        for c in ("seller-absent", "content-gap", "orphan-content", "unserved-stage")
        for a in ("--ignore", c)
    ]
    code, out, err = run(capsys, "check", "--strict", *ignores, "tests/fixtures/warnings")
    assert (code, out, err) == (0, "", "0 error(s), 0 warning(s)\n")


def test_ignore_never_silences_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--ignore", "unknown-kind", "tests/fixtures/unknown-kind")
    assert (code, out) == (2, "")
    assert "Invalid value for '--ignore': 'unknown-kind' is not a warning code" in err
    assert "errors cannot be ignored" in err


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("seller-abset", "did you mean 'seller-absent'?"),
        ("no-such-code", "one of: content-gap, empty-file, handoff-blind, missing-item"),
    ],
)
def test_ignore_rejects_an_unknown_code(
    capsys: pytest.CaptureFixture[str], code: str, hint: str
) -> None:
    exit_code, out, err = run(capsys, "check", "--ignore", code, "tests/fixtures/warnings")
    assert (exit_code, out) == (2, "")
    assert f"'{code}' is not a warning code ({hint}" in err


def test_ignore_takes_every_warning_code(capsys: pytest.CaptureFixture[str]) -> None:
    codes = [arg for code in sorted(WARNING_CODES) for arg in ("--ignore", code)]
    assert run(capsys, "check", *codes, "tests/fixtures/warnings") == (
        0,
        "",
        "0 error(s), 0 warning(s)\n",
    )


def test_empty_files_are_warnings_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "tests/fixtures/empty-file")
    assert code == 0
    assert parsed(out) == [
        ("warning", "empty-file", "tests/fixtures/empty-file/journeys/empty.yaml", 1, 1),
        ("warning", "empty-file", "tests/fixtures/empty-file/personas/todo.yaml", 1, 1),
    ]


def test_bundled_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert code == 0
    assert [row[:2] for row in parsed(out)] == [
        ("warning", "content-gap"),
        ("warning", "seller-absent"),
        ("warning", "content-gap"),
        ("warning", "seller-absent"),
    ]
    assert err == "0 error(s), 4 warning(s)\n"


# --- exit 2: usage and internal errors ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["check", "no/such/folder"], "does not exist"),
        (["check", "pyproject.toml"], "is a file"),
        (["check", "--format", "xml", "."], "'xml' is not one of"),
        (["check", "--bogus", "."], "No such option"),
        (["frobnicate"], "No such command"),
    ],
    ids=["missing-folder", "file-not-folder", "bad-format", "bad-option", "bad-command"],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert says in err


def test_missing_folder_exit_2_subprocess(repo_root: Path) -> None:
    proc = subprocess_journey(repo_root, "check", "no/such/folder")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "'no/such/folder' does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_internal_error_exit_2_with_apology(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(project_module, "load_project", broken)
    code, out, err = run(capsys, "check", "tests/fixtures/warnings", "--no-cache")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith("journey: internal error, sorry (RuntimeError: boom);")
    assert "--debug" in err
    assert "Traceback" not in err


def test_internal_error_with_debug_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(project_module, "load_project", broken)
    code, _, err = run(capsys, "--debug", "check", "tests/fixtures/warnings", "--no-cache")
    assert code == 2
    assert err.startswith("Traceback (most recent call last):")
    assert "RuntimeError: boom" in err
    assert err.splitlines()[-1].startswith("journey: internal error, sorry")


def test_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, f"journey, version {__version__}\n")


# --- inputs are never modified ----------------------------------------------------------


def test_check_never_modifies_the_project(
    capsys: pytest.CaptureFixture[str], example_copy: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "many-errors"
    shutil.copytree(FIXTURES / "many-errors", broken)
    for project, expected in ((example_copy, 0), (broken, 1)):
        before = tree_digest(project)
        assert before
        for args in (["check"], ["check"], ["check", "--format", "json", "--strict"], ["graph"]):
            code, _, _ = run(capsys, *args, str(project))
            assert code == (1 if "--strict" in args and project == example_copy else expected)
        assert tree_digest(project) == before


# --- graph and schema --------------------------------------------------------------------


def test_graph_prints_node_link_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "graph", "tests/fixtures/graph-small")
    assert code == 0
    g = nx.node_link_graph(json.loads(out), edges="edges")
    assert (g.number_of_nodes(), g.number_of_edges()) == (28, 64)
    assert sorted((u, v) for u, v, d in g.edges(data=True) if d["type"] == "handoff") == [
        ("role:ra", "role:rb"),
        ("role:ra", "role:rc"),
        ("role:rb", "role:rc"),
    ]
    assert g.nodes["persona:p1"]["file"] == "tests/fixtures/graph-small/personas/p1.yaml"


def test_graph_of_a_broken_project_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "graph", "tests/fixtures/unknown-key")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "tests/fixtures/unknown-key/journeys/ann.yaml:11:5: error unknown-key: "
        "unknown key 'emotoin' (did you mean 'emotion'?)",
        "1 error(s), 0 warning(s)",
    ]


def _as_editor_sees_it(value: Any) -> Any:
    """YAML 1.2 as yaml-language-server reads it: dates are strings, keys are strings."""
    if isinstance(value, dict):
        return {str(k): _as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_editor_sees_it(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_schema_accepts_the_example_and_rejects_typos(
    capsys: pytest.CaptureFixture[str], repo_root: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    docs = [
        _as_editor_sees_it(doc)
        for sub in ("personas", "journeys")
        for path in sorted((repo_root / sub).glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    ]
    v1 = {"content", "funnel", "journey", "persona", "project", "segments", "stages"}
    assert v1 <= {d["kind"] for d in docs}  # the example exercises every kind of format v1
    assert [list(validator.iter_errors(d)) for d in docs] == [[] for _ in docs]

    persona = next(d for d in docs if d["kind"] == "persona")
    assert validator.is_valid(persona)
    typo = {**persona, "qoute": persona["quote"]}
    del typo["quote"]
    assert not validator.is_valid(typo)
    assert not validator.is_valid({**persona, "kind": "persona", "id": "Not A Slug"})
    journey = next(d for d in docs if d["kind"] == "journey")
    first = next(iter(journey["steps"]))
    bad_step = {**journey["steps"][first], "emotoin": 1}
    assert not validator.is_valid({**journey, "steps": {**journey["steps"], first: bad_step}})
    too_sad = {**journey["steps"][first], "emotion": -3}
    assert not validator.is_valid({**journey, "steps": {**journey["steps"], first: too_sad}})
    assert not validator.is_valid({**journey, "kind": "jorney"})
