"""Bad input found by outside testing: each case gets a located diagnostic or a clear
message with its fix, never a traceback, and nothing of the author's machine reaches an
output. Each test here failed before its fix."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import FIXTURES, tree_digest, write_project
from projects import run_cli as run

BAD_NAME = os.fsdecode(b"caf\xe9.yaml")  # Latin-1 bytes: not UTF-8


def journey(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`journey ARGS` as a new process (what a user's terminal gets, bytes and all)."""
    repo = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(repo), **(env or {})},
        capture_output=True,
        timeout=120,
    )


def warnings_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(FIXTURES / "warnings", dest)
    return dest


# --- file names ---------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_a_located_error(tmp_path: Path) -> None:
    root = warnings_copy(tmp_path)
    (root / "personas" / BAD_NAME).write_text("kind: persona\nid: zoe\nname: Zoe\n", "utf-8")
    for command in ("check", "build"):
        proc = journey(tmp_path, command, "p", "--no-cache")
        assert proc.returncode == 1, proc.stderr
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
        lines = (proc.stdout + proc.stderr).decode("utf-8").splitlines()
        assert (
            "p/personas/caf\\xe9.yaml:1:1: error bad-file-name: file name is not valid UTF-8 "
            "or holds control characters (rename the file with printable UTF-8 characters)"
        ) in lines


def test_control_characters_of_a_file_name_never_reach_the_terminal(tmp_path: Path) -> None:
    root = warnings_copy(tmp_path)
    (root / "personas" / "a\x1b[2Jb.yaml").write_text("kind: persona\nid: [zoe\n", "utf-8")
    proc = journey(tmp_path, "check", "p", "--no-cache")
    assert proc.returncode == 1
    assert b"\x1b" not in proc.stdout + proc.stderr
    out = proc.stdout.decode("utf-8")
    assert "p/personas/a\\x1b[2Jb.yaml:1:1: error bad-file-name:" in out
    assert "p/personas/a\\x1b[2Jb.yaml:3:1: error yaml-syntax:" in out


def test_printable_escapes_what_a_terminal_would_act_on() -> None:
    from toolkit.common.diagnostics import printable

    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("x\udce9y") == "x\\xe9y"  # a byte kept by surrogateescape
    assert printable("\u202eevil\u2028") == "\\u202eevil\\u2028"
    assert printable("課題の未知\u3000（全角スペース）") == "課題の未知\u3000（全角スペース）"


# --- symbolic links -----------------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_project_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("kind: persona\nid: spy\nname: TOP-SECRET-TEXT\n", "utf-8")
    root = warnings_copy(tmp_path)
    (root / "personas" / "spy.yaml").symlink_to(secret)
    inside = root / "personas" / "ann-again.yml"
    inside.symlink_to(root / "personas" / "ann.yaml")  # inside the project: read, so a dup
    proc = journey(tmp_path, "build", "p", "-o", "out", "--format", "html,json,csv")
    assert proc.returncode == 1
    out = proc.stdout.decode() + proc.stderr.decode()
    assert (
        "p/personas/spy.yaml:1:1: error symlink-outside: symbolic link to a file outside the "
        "project; it is not read (copy the file into the project instead of linking to it)"
    ) in out
    assert "p/personas/ann.yaml:2:5: error duplicate-id" in out
    assert "TOP-SECRET-TEXT" not in out and "spy" not in out.replace("spy.yaml", "")
    assert not (tmp_path / "out").exists()
    (root / "personas" / "ann-again.yml").unlink()
    proc = journey(tmp_path, "check", "p")
    assert proc.returncode == 1
    assert proc.stdout.decode().count("error") == 1


def test_a_refused_link_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it to read would block: the check would never end
    root = warnings_copy(tmp_path)
    (root / "personas" / "spy.yaml").symlink_to(fifo)
    for command in ("check", "build"):
        proc = journey(
            tmp_path,
            command,
            "p",
            "-o" if command == "build" else "--no-cache",
            *(["out"] if command == "build" else []),
        )
        assert proc.returncode == 1
        assert b"error symlink-outside" in proc.stdout + proc.stderr


# --- alias expansion ----------------------------------------------------------------------


def test_aliases_of_a_long_text_stop_check_and_build(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    long = "x" * 200_000
    persona = (
        f'kind: persona\nid: bob\nname: &n "{long}"\nnotes: [' + ", ".join(["*n"] * 9_000) + "]\n"
    )
    root = write_project(tmp_path / "p", {"personas/bob.yaml": persona})
    for command in (["check"], ["build", "-o", str(tmp_path / "out")]):
        code, out, err = run(capsys, *command, str(root))
        assert code == 1
        text = out + err
        assert f"{root}/personas/bob.yaml:4:49: error yaml-alias: aliases expand to more " in text
    assert not (tmp_path / "out").exists()


# --- outputs carry no path of the author's machine ----------------------------------------


def test_graph_json_names_files_relative_to_the_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = warnings_copy(tmp_path)
    out = tmp_path / "out"
    code, _, _ = run(capsys, "build", str(root), "-o", str(out), "--format", "json")
    assert code == 0
    data = json.loads((out / "data" / "graph.json").read_text("utf-8"))
    files = {node["file"] for node in data["nodes"] if "file" in node}
    assert files == {
        "journeys/ann.yaml",
        "journeys/content.yaml",
        "journeys/funnel.yaml",
        "journeys/stages.yaml",
        "personas/ann.yaml",
    }
    assert str(tmp_path) not in (out / "data" / "graph.json").read_text("utf-8")


# --- a failing or hanging Graphviz is the machine's problem, not a bug --------------------


def fake_dot(tmp_path: Path, body: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    dot.write_text(f"#!/bin/sh\n{body}\n", "utf-8")
    dot.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_a_failing_dot_is_reported_with_its_fix(tmp_path: Path) -> None:
    warnings_copy(tmp_path)
    out = tmp_path / "out"
    assert journey(tmp_path, "build", "p", "-o", "out", "--format", "html").returncode == 0
    before = tree_digest(out)
    env = fake_dot(tmp_path, 'echo "Error: something broke" >&2\nexit 3')
    proc = journey(tmp_path, "build", "p", "-o", "out", "--format", "html,svg", env=env)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert "internal error" not in err and "this is a bug" not in err
    assert "journey: graphviz 'dot -Tsvg' failed on diagrams/" in err
    assert (
        ".dot: exit 3: Error: something "
        "broke (Graphviz failed, not the project: check that 'dot -V' works and reinstall "
        "graphviz (apt-get install graphviz), or build without images: "
        "--format html,dot,mermaid,json,csv)"
    ) in err
    assert tree_digest(out) == before


def test_a_hanging_dot_is_stopped_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.render import dot

    root = warnings_copy(tmp_path)
    for key, value in fake_dot(tmp_path, "exec sleep 30").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(dot, "DOT_TIMEOUT", 1)
    out = tmp_path / "out"
    code, _, err = run(capsys, "build", str(root), "-o", str(out), "--format", "svg", "--jobs", "1")
    assert code == 2
    assert re.search(
        r"^journey: graphviz 'dot -Tsvg' failed on diagrams/[a-z-]+\.dot: timed out "
        r"after 1 s \(Graphviz failed, not the project",
        err,
        re.M,
    )
    assert "this is a bug" not in err
    assert not out.exists()


# --- languages ----------------------------------------------------------------------------


def test_an_unknown_project_language_is_a_warning(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"journeys/project.yaml": "kind: project\nlanguage: xx\n"})
    from toolkit.model.project import load_project

    diags = load_project(root, shown_as="").diagnostics
    assert [(d.severity, d.code, d.file, d.line, d.column) for d in diags] == [
        ("warning", "unknown-language", "journeys/project.yaml", 2, 11)
    ]
    assert diags[0].message.startswith("language 'xx' has no translation of the toolkit's words")
    for tag in ("ja", "en", "ja-JP", "en_GB"):
        (root / "journeys" / "project.yaml").write_text(f"kind: project\nlanguage: {tag}\n")
        assert load_project(root, shown_as="").diagnostics == []


def test_an_unknown_lang_option_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = warnings_copy(tmp_path)
    code, _, err = run(
        capsys, "build", str(root), "-o", str(tmp_path / "o"), "--lang", "xx", "--format", "json"
    )
    assert code == 0
    assert err.startswith("journey: warning: language 'xx' has no translation")
    code, _, err = run(capsys, "coverage", str(root), "--lang", "xx")
    assert code == 0
    assert "journey: warning: language 'xx' has no translation" in err


# --- journey serve keeps serving --------------------------------------------------------


def test_serve_reports_a_bad_file_name_and_keeps_the_last_good_build(tmp_path: Path) -> None:
    from toolkit.serve.live import LiveBuild

    root = warnings_copy(tmp_path)
    out = tmp_path / "out"
    live = LiveBuild.for_project(root, out, frozenset({"html", "json"}), None, 1, None)
    ok, _, _ = live.rebuild()
    assert ok
    before = tree_digest(out)
    (root / "personas" / BAD_NAME).write_text("kind: persona\nid: zoe\nname: Zoe\n", "utf-8")
    ok, lines, changed = live.rebuild()
    assert (ok, changed) == (False, [])
    assert f"{root}/personas/caf\\xe9.yaml:1:1: error bad-file-name" in lines[0]
    assert [e["code"] for e in live.state.errors] == ["bad-file-name"]
    json.dumps(live.state.errors).encode("utf-8")  # what the page is sent: encodable
    assert tree_digest(out) == before
    data = json.loads((out / "data" / "graph.json").read_text("utf-8"))
    assert all(not n["file"].startswith("/") for n in data["nodes"] if "file" in n)


def test_serve_reports_a_failing_dot_and_keeps_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from toolkit.serve.live import LiveBuild

    root = warnings_copy(tmp_path)
    for key, value in fake_dot(tmp_path, "echo broken >&2\nexit 1").items():
        monkeypatch.setenv(key, value)
    live = LiveBuild.for_project(root, tmp_path / "out", frozenset({"html", "svg"}), None, 1, None)
    ok, lines, changed = live.rebuild()
    assert (ok, changed) == (False, [])
    assert re.match(
        r"journey serve: graphviz 'dot -Tsvg' failed on diagrams/[a-z-]+\.dot: exit 1: broken "
        r"\(Graphviz failed, not the project",
        lines[-1],
    )
    assert [e["code"] for e in live.state.errors] == ["tool-failed"]
    assert not (tmp_path / "out").exists()
