"""`journey init`: templates shipped in the package, language choice, refusals, check + build."""

from __future__ import annotations

import dataclasses
import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from projects import run_cli as run

from toolkit.graph.build import to_node_link
from toolkit.model.schema import format_schema_text
from toolkit.pipeline import Compiled, compile_project
from toolkit.scaffold.scaffold import (
    TEMPLATES_DIR,
    InitError,
    init_project,
    modeline,
    plan_init,
    set_language,
    template_names,
    with_modelines,
)

MODELINE_UP = b"# yaml-language-server: $schema=../journey.schema.json\n"

RENDERERS = Path(__file__).resolve().parents[2] / "toolkit" / "renderers"
HAS_RENDERERS = all((RENDERERS / f"{name}.py").is_file() for name in ("html", "dot", "mermaid"))


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_templates_ship_b2b_minimal_story() -> None:
    assert {"b2b", "minimal", "story"} <= set(template_names())


def test_b2b_template_is_the_bundled_example(repo_root: Path) -> None:
    """The package copy never drifts from journeys/ and personas/ (fix: copy them over)."""
    for sub in ("journeys", "personas"):
        cmp = filecmp.dircmp(repo_root / sub, TEMPLATES_DIR / "b2b" / sub)
        assert not (cmp.left_only or cmp.right_only or cmp.diff_files or cmp.subdirs), (
            f"toolkit/scaffold/templates/b2b/{sub} differs from {sub}/; refresh the copy: "
            f"rm -r toolkit/scaffold/templates/b2b/{sub} && "
            f"cp -r {sub} toolkit/scaffold/templates/b2b/"
        )
        _, mismatch, errors = filecmp.cmpfiles(
            repo_root / sub, TEMPLATES_DIR / "b2b" / sub, cmp.common_files, shallow=False
        )
        assert not mismatch and not errors


@pytest.mark.parametrize("template", ["b2b", "minimal", "story"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_init_then_check_has_no_errors(
    template: str, lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "new-project"
    code, out, _ = run(capsys, "init", str(dest), "--template", template, "--lang", lang)
    assert code == 0
    assert f"created {dest / 'journeys' / 'stages.yaml'}" in out
    assert out.endswith(f"next:\n  journey check {dest}\n  journey build {dest}\n")
    compiled = compile_project(dest)
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    assert compiled.project.language == lang
    code, _, err = run(capsys, "check", str(dest))
    assert code == 0 and "\n0 error(s), " in "\n" + err


def test_b2b_in_its_own_language_is_byte_identical_to_the_example(
    repo_root: Path, tmp_path: Path
) -> None:
    """Byte-identical but for the editor's modeline on top of each YAML file."""
    init_project(tmp_path / "p", "b2b")
    written = tree(tmp_path / "p")
    assert written.pop(".gitignore") == b"# build output of 'journey build'\noutput/\n"
    assert written.pop("journey.schema.json") == format_schema_text().encode("utf-8")
    expected = {
        f"{sub}/{k}": MODELINE_UP + v
        for sub in ("journeys", "personas")
        for k, v in tree(repo_root / sub).items()
    }
    assert written == expected


@pytest.mark.parametrize("template", ["b2b", "minimal", "story"])
def test_every_yaml_file_starts_with_the_modeline_to_the_schema_beside_them(
    template: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "p"
    code, out, _ = run(capsys, "init", str(dest), "--template", template)
    assert code == 0 and f"created {dest / 'journey.schema.json'}\n" in out
    _, printed, _ = run(capsys, "schema")
    assert (dest / "journey.schema.json").read_bytes() == printed.encode("utf-8")
    yaml_files = sorted(p for p in dest.rglob("*.yaml"))
    assert len(yaml_files) >= 5
    for path in yaml_files:
        first = path.read_bytes().split(b"\n", 1)[0].decode()
        schema_path = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert first == "# yaml-language-server: $schema=../journey.schema.json"
        assert schema_path == (dest / "journey.schema.json").resolve()


def test_the_modeline_is_relative_to_each_files_folder() -> None:
    assert modeline("kind.yaml") == b"# yaml-language-server: $schema=./journey.schema.json\n"
    assert modeline("journeys/a.yaml") == MODELINE_UP
    assert modeline("journeys/deep/a.yml").endswith(b"=../../journey.schema.json\n")
    files = {"journeys/a.yaml": b"\xef\xbb\xbfkind: stages\n", "notes.txt": b"x"}
    assert with_modelines(files) == {
        "journeys/a.yaml": b"\xef\xbb\xbf" + MODELINE_UP + b"kind: stages\n",
        "notes.txt": b"x",
    }


def test_the_modeline_changes_nothing_but_line_numbers(example: Compiled, tmp_path: Path) -> None:
    """The b2b project loads exactly as the bundled example, each position one line lower."""
    init_project(tmp_path / "p", "b2b")
    compiled = compile_project(tmp_path / "p", shown_as="")
    assert example.graph is not None and compiled.graph is not None
    ours, theirs = to_node_link(compiled.graph), to_node_link(example.graph)
    assert [n["line"] - 1 for n in ours["nodes"]] == [n["line"] for n in theirs["nodes"]]
    for side in (ours, theirs):
        for n in side["nodes"]:
            del n["line"]
    assert ours == theirs
    shifted = [dataclasses.replace(d, line=d.line - 1) for d in compiled.diagnostics]
    assert shifted == list(example.diagnostics) and len(shifted) >= 1


@pytest.mark.parametrize("template", ["minimal", "story"])
def test_the_written_schema_accepts_the_templates_documents(template: str, tmp_path: Path) -> None:
    """What an editor with yaml-language-server checks: every document against the schema."""
    jsonschema = pytest.importorskip("jsonschema")
    init_project(tmp_path / "p", template)
    schema = json.loads((tmp_path / "p" / "journey.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    docs = [
        json.loads(json.dumps(doc, default=str))  # YAML 1.2 as the editor reads it: dates are text
        for path in sorted((tmp_path / "p").rglob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    ]
    assert len(docs) >= 5
    assert [[e.message for e in validator.iter_errors(d)] for d in docs] == [[] for _ in docs]
    assert not validator.is_valid({**docs[0], "kindd": 1})


def test_an_existing_schema_file_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "journey.schema.json").write_text("{}")
    code, out, _ = run(capsys, "init", str(tmp_path), "--template", "minimal", "--force")
    assert code == 0
    assert f"kept    {tmp_path / 'journey.schema.json'} (exists already)" in out
    assert (tmp_path / "journey.schema.json").read_text() == "{}"


def test_lang_changes_only_the_language_line() -> None:
    ja, en = plan_init("b2b", "ja"), plan_init("b2b", "en")
    changed = [k for k in ja if ja[k] != en[k]]
    assert changed == ["journeys/project.yaml"]
    assert b"\nlanguage: en\n" in en["journeys/project.yaml"]
    with pytest.raises(InitError):
        set_language(ja, "fr")


def test_story_template_has_one_stage_per_resolution_state(tmp_path: Path) -> None:
    init_project(tmp_path / "s", "story")
    compiled = compile_project(tmp_path / "s")
    assert [s.model.story for s in compiled.project.stages] == [[n] for n in range(1, 10)]
    assert [d.code for d in compiled.diagnostics] == []


def test_minimal_template_is_minimal(tmp_path: Path) -> None:
    init_project(tmp_path / "m", "minimal")
    p = compile_project(tmp_path / "m").project
    assert (len(p.roles), len(p.funnel_stages), len(p.personas), len(p.journeys)) == (1, 1, 1, 1)
    assert not p.segments and not p.content and not p.lead_classes and not p.axes


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--list")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == template_names()
    assert "b2b        [ja]" in out and "minimal    [en]" in out


def test_refuses_a_non_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, out, err = run(capsys, "init", str(tmp_path))
    assert code == 2 and out == ""
    assert "is not empty; use --force" in err
    assert tree(tmp_path) == {"notes.txt": b"mine"}


def test_a_git_folder_alone_counts_as_empty(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = init_project(tmp_path, "minimal")
    assert "journeys/stages.yaml" in result.written


def test_force_adds_files_next_to_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    code, out, _ = run(capsys, "init", str(tmp_path), "--template", "minimal", "--force")
    assert code == 0
    assert f"kept    {tmp_path / '.gitignore'} (exists already)" in out
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert (tmp_path / ".gitignore").read_text() == "*.tmp\n"
    assert compile_project(tmp_path).ok


def test_force_never_overwrites_and_writes_nothing_on_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "stages.yaml").write_text("kind: stages\n# mine\n")
    before = tree(tmp_path)
    code, _, err = run(capsys, "init", str(tmp_path), "--template", "minimal", "--force")
    assert code == 2
    assert "already has 1 of the template's files; nothing was written" in err
    assert "  journeys/stages.yaml" in err
    assert tree(tmp_path) == before


def test_refuses_a_file_as_destination(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InitError, match="is a file"):
        init_project(tmp_path / "f", "minimal", force=True)


def test_unknown_template_and_missing_dir_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "init", str(tmp_path / "x"), "--template", "nope")
    assert code == 2 and "unknown template 'nope'" in err
    code, _, err = run(capsys, "init")
    assert code == 2 and "journey init DIR" in err
    assert not (tmp_path / "x").exists()


@pytest.mark.skipif(not HAS_RENDERERS, reason="runs once renderers html, dot, mermaid exist")
@pytest.mark.parametrize("template", ["b2b", "minimal", "story"])
def test_init_then_build(template: str, tmp_path: Path, repo_root: Path) -> None:
    dest = tmp_path / "p"
    init_project(dest, template, "en")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "toolkit",
            "build",
            str(dest),
            "--format",
            "html,dot,mermaid,json,csv",
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = dest / "output"
    assert (out / "index.html").is_file()
    assert any((out / "journeys").glob("*.html"))
    assert (out / "data" / "graph.json").is_file()
