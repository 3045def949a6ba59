"""`journey diff`: entity changes by kind and id, coverage and warning deltas, git revisions,
the self-contained HTML page."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from projects import run_cli as run
from projects import write_project

from toolkit.analyses.diff import (
    DiffResult,
    EntityChange,
    FieldChange,
    diff_actions,
    diff_graphs,
    diff_kind,
    field_changes,
    segment_stage_items,
)
from toolkit.analyses.diff_report import render_text
from toolkit.pipeline import Compiled, compile_project
from toolkit.render.diff_html import diff_context, field_name, render_diff_html, value_lines

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = FIXTURES / "diff-basic"
MOVED = FIXTURES / "diff-moved"
HAS_GIT = shutil.which("git") is not None


def graph_of(root: Path) -> Compiled:
    compiled = compile_project(root, shown_as="")
    assert compiled.ok, [d.render() for d in compiled.diagnostics]
    return compiled


def diff_dirs(old: Path, new: Path) -> DiffResult:
    a, b = graph_of(old), graph_of(new)
    return diff_graphs(a.graph, b.graph, a.diagnostics, b.diagnostics, ("old", "new"))


# --- fixture pairs with exact expected changes ---------------------------------------------------


EXPECTED_CHANGES = [
    ("stage", "aware", "changed"),
    ("stage", "retain", "added"),
    ("funnel_stage", "keep", "added"),
    ("role", "success", "added"),
    ("segment", "small", "changed"),
    ("persona", "ann", "changed"),
    ("journey", "ann-journey", "changed"),
    ("step", "ann-journey/aware", "changed"),
    ("step", "ann-journey/retain", "added"),
    ("action", "ann-journey/aware/marketing#2", "removed"),
    ("action", "ann-journey/buy/sales#1", "added"),
    ("action", "ann-journey/buy/sales#2", "changed"),
    ("content", "quote-sheet", "changed"),
    ("content", "renewal-mail", "added"),
    ("content", "old-flyer", "removed"),
]


def test_basic_pair_lists_every_change_by_kind_and_id() -> None:
    result = diff_dirs(BASIC / "old", BASIC / "new")
    assert [(c.kind, c.id, c.change) for c in result.changes] == EXPECTED_CHANGES
    fields = {(c.kind, c.id): c.fields for c in result.changes}
    assert fields[("stage", "aware")] == (
        FieldChange("label", "Aware", {"en": "Aware", "ja": "認知"}),
    )
    assert fields[("segment", "small")] == (FieldChange("criteria", "1-50", "1-99", "employees"),)
    assert fields[("persona", "ann")] == (FieldChange("goals", ["Grow"], ["Grow", "Hire"]),)
    assert fields[("journey", "ann-journey")] == (
        FieldChange("title", "Ann's journey", "Ann's path"),
    )
    assert fields[("step", "ann-journey/aware")] == (
        FieldChange("thinking", "Something is off", "Something is wrong"),
    )
    assert fields[("action", "ann-journey/buy/sales#2")] == (
        FieldChange("kpi", "10 quotes a month", "12 quotes a month"),
    )
    assert fields[("content", "quote-sheet")] == (FieldChange("status", "draft", "published"),)


def test_basic_pair_coverage_and_warning_deltas() -> None:
    result = diff_dirs(BASIC / "old", BASIC / "new")
    cells = {c.key: (c.old, c.new, c.added, c.removed) for c in result.segment_stage}
    assert cells == {
        ("small", "aware"): (("guide", "old-flyer"), ("guide",), (), ("old-flyer",)),
        ("small", "buy"): ((), ("quote-sheet",), ("quote-sheet",), ()),
        ("small", "retain"): (None, ("renewal-mail",), ("renewal-mail",), ()),
        ("large", "aware"): (("guide", "old-flyer"), ("guide",), (), ("old-flyer",)),
        ("large", "retain"): (None, ("renewal-mail",), ("renewal-mail",), ()),
    }
    steps = {c.key: (c.old, c.new) for c in result.steps}
    assert steps == {
        ("ann-journey", "aware"): (("guide", "old-flyer"), ("guide",)),
        ("ann-journey", "buy"): ((), ("quote-sheet",)),
        ("ann-journey", "retain"): (None, ("renewal-mail",)),
    }
    assert [(w.code, w.entity) for w in result.new_warnings] == [
        ("seller-absent", "step:ann-journey/retain")
    ]
    assert [(w.code, w.entity) for w in result.resolved_warnings] == [
        ("content-gap", "step:ann-journey/buy")
    ]


@pytest.mark.parametrize("fmt, name", [("text", "expected.txt"), ("json", "expected.json")])
def test_basic_pair_cli_output_is_exact(
    fmt: str, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BASIC)
    code, out, _ = run(capsys, "diff", "old", "new", "--format", fmt)
    expected = (BASIC / name).read_text(encoding="utf-8")
    assert code == 0
    if fmt == "json":
        assert json.loads(out) == json.loads(expected)
    else:
        assert out == expected


def test_moved_text_and_restyled_yaml_is_no_change(capsys: pytest.CaptureFixture[str]) -> None:
    result = diff_dirs(MOVED / "old", MOVED / "new")
    assert result.empty
    code, out, _ = run(capsys, "diff", str(MOVED / "old"), str(MOVED / "new"))
    assert code == 0 and out.splitlines()[-1] == "no changes"
    code, out, _ = run(capsys, "diff", str(MOVED / "old"), str(MOVED / "new"), "--format", "json")
    body = json.loads(out)
    assert body["changes"] == [] and body["warnings"] == {"new": [], "resolved": []}
    assert body["coverage"] == {"segment_stage": [], "steps": []}


def test_example_against_its_copy_is_no_change(repo_root: Path, example_copy: Path) -> None:
    assert diff_dirs(repo_root, example_copy).empty


def test_errors_on_either_side_exit_1_with_diagnostics(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(FIXTURES)
    code, out, err = run(capsys, "diff", "diff-basic/old", "unknown-ref")
    assert code == 1 and out == ""
    assert re.search(r"^unknown-ref/\S+\.yaml:\d+:\d+: error unknown-ref: ", err, re.M)


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.html"
    code, out, _ = run(
        capsys,
        "diff",
        str(BASIC / "old"),
        str(BASIC / "new"),
        "--format",
        "html",
        "-o",
        str(target),
    )
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# --- units ---------------------------------------------------------------------------------------


def test_ordered_kinds_report_only_moved_entities() -> None:
    old = {"a": {}, "b": {}, "c": {}, "d": {}}
    new = {"a": {}, "c": {}, "d": {}, "b": {}}
    changes = diff_kind("stage", old, new)
    assert changes == [
        EntityChange("stage", "b", "changed", None, (FieldChange("position", 2, 4),))
    ]


def test_mapping_fields_report_each_entry_that_differs() -> None:
    old = {"label": {"ja": "認知", "en": "Aware"}, "criteria": {"a": "1"}, "name": "x"}
    new = {"label": {"ja": "認知", "en": "Aware!"}, "criteria": {"b": "2"}, "name": {"en": "x"}}
    assert field_changes(old, new) == (
        FieldChange("label", "Aware", "Aware!", "en"),
        FieldChange("criteria", None, "2", "b"),
        FieldChange("criteria", "1", None, "a"),
        FieldChange("name", "x", {"en": "x"}),
    )
    assert field_name(FieldChange("label", "a", "b", "en"), "ja") == "ラベル (en)"


def test_actions_align_by_text_within_journey_stage_role() -> None:
    key = ("j", "s", "sales")

    def act(text: str, kpi: str | None = None) -> dict[str, object]:
        return {"action": text, "content": [], "kpi": kpi}

    old = {key: [act("Quote", "10"), act("Visit")]}
    new = {key: [act("Call"), act("Quote", "12"), act("Visit")]}
    assert [(c.id, c.change, c.fields) for c in diff_actions(old, new)] == [
        ("j/s/sales#1", "added", ()),
        ("j/s/sales#2", "changed", (FieldChange("kpi", "10", "12"),)),
    ]


def test_segment_stage_items_without_segments(tmp_path: Path) -> None:
    graph = graph_of(write_project(tmp_path / "p")).graph
    assert segment_stage_items(graph) == {
        (None, "aware"): ("guide",),
        (None, "buy"): ("quote-sheet",),
    }


# --- git revisions -------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def commit_pair(repo: Path, project: Path) -> None:
    """Commit diff-basic/old as the project, then diff-basic/new over it."""
    git(repo, "init", "-q")
    for side in ("old", "new"):
        for sub in ("journeys", "personas"):
            shutil.rmtree(project / sub, ignore_errors=True)
            # fresh mtimes: same-size files with copied mtimes can look unchanged to git
            shutil.copytree(BASIC / side / sub, project / sub, copy_function=shutil.copy)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", side)
    git(repo, "tag", "v1", "HEAD~1")


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_revisions_match_the_folder_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    commit_pair(repo, repo)
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "diff", "HEAD~1", "HEAD")
    expected = (BASIC / "expected.txt").read_text(encoding="utf-8")
    assert code == 0
    assert out == expected.replace("journey diff old -> new", "journey diff HEAD~1 -> HEAD")
    code, out, _ = run(capsys, "diff", "v1", ".", "--format", "json")
    assert code == 0 and json.loads(out)["summary"] == {"added": 6, "removed": 2, "changed": 7}


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_revisions_of_a_project_in_a_subfolder_with_repo_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    project = repo / "clients" / "acme"
    project.mkdir(parents=True)
    commit_pair(repo, project)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "diff", "HEAD~1", "HEAD", "--repo", str(project))
    assert code == 0 and "+ ann-journey/retain" in out


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
@pytest.mark.parametrize("rev", ["no-such-rev", "HEAD~9", "--output=x", "-p"])
def test_bad_revision_is_a_usage_error(
    rev: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    commit_pair(tmp_path, tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "diff", "--", rev, "HEAD")
    assert code == 2 and out == ""
    assert f"{rev!r} is neither a folder nor a git revision" in err
    assert not (tmp_path / "x").exists()


def test_revision_outside_a_repository_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = run(capsys, "diff", "HEAD~1", "HEAD")
    assert code == 2 and "not inside a git repository" in err


# --- HTML ----------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & "q" \'s <img src=x onerror=alert(1)>'


def hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    old = write_project(tmp_path / "old")
    bad = json.dumps(HOSTILE)
    new = write_project(
        tmp_path / "new",
        {
            "journeys/stages.yaml": f"""\
                kind: stages
                stages:
                  - id: aware
                    label: {bad}
                  - id: buy
                    label: Buy
                """,
            "journeys/content.yaml": f"""\
                kind: content
                items:
                  - id: guide
                    title: {bad}
                    stages: [aware]
                    status: published
                    url: "javascript:alert(1)"
                  - id: quote-sheet
                    stages: [buy]
                    status: published
                """,
        },
    )
    return old, new


def test_html_escapes_hostile_text_and_is_self_contained(tmp_path: Path) -> None:
    old, new = hostile_pair(tmp_path)
    result = diff_dirs(old, new)
    page = render_diff_html(result, "en")
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;q&#34; &#39;s" in page
    # the only link is the skip link to the page's own main content
    assert re.findall(r"<[^>]*\b(?:src|href)\s*=[^>]*>", page) == [
        '<a class="skip-link" href="#main">'
    ]
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "javascript:alert(1)" in page  # shown as text only, never as a link


def test_html_context_labels_in_the_project_language() -> None:
    result = diff_dirs(BASIC / "old", BASIC / "new")
    ja = diff_context(result, "ja")
    assert ja["heading"] == "old 以降のジャーニーマップの変更点"
    stage = ja["sections"][0]
    assert stage["title"] == "カスタマーステージ"
    assert stage["entries"][0]["label"] == "認知"
    assert stage["entries"][0]["fields"] == [
        {"name": "ラベル", "old": ["Aware"], "new": ["en: Aware", "ja: 認知"]}
    ]
    en = diff_context(result)  # default: the new side's project language (en)
    assert en["page"]["lang"] == "en" and en["sections"][0]["entries"][0]["label"] == "Aware"
    steps = next(s for s in en["sections"] if s["kind"] == "step")
    assert steps["entries"][0]["label"] == "Ann's path / Aware"
    assert en["segment_stage"][0] == {
        "first": "Small companies",
        "second": "Aware",
        "old": "2",
        "new": "1",
        "added": [],
        "removed": ["old-flyer"],
    }


def test_html_renders_an_empty_diff() -> None:
    page = render_diff_html(diff_dirs(MOVED / "old", MOVED / "new"), "ja")
    assert "変更はありません。" in page and '<html lang="ja">' in page


def test_value_lines() -> None:
    assert value_lines(None) == ["—"]
    assert value_lines(["a", "b"]) == ["a", "b"]
    assert value_lines({"ja": "認知", "en": "Aware"}) == ["ja: 認知", "en: Aware"]
    assert value_lines(2) == ["2"]
    assert value_lines("bell\x07") == ["bell"]


def test_usage_without_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "diff", "only-one")
    assert code == 2 and "Missing argument" in err


# --- pain severity (FORMAT.md extension 4) -------------------------------------------------------


def test_a_changed_pain_severity_is_reported_per_pain(tmp_path: Path) -> None:
    old = shutil.copytree(FIXTURES / "pain-severity", tmp_path / "old")
    new = shutil.copytree(FIXTURES / "pain-severity", tmp_path / "new")
    ann = new / "journeys" / "ann.yaml"
    text = ann.read_text(encoding="utf-8")
    text = text.replace("severity: workaround", "severity: abandon")  # Export needs a script
    text = text.replace("{text: No time to read, severity: trivial}", "No time to read")
    text = text.replace(
        "{text: Demo only on request}", "{text: Demo only on request, severity: trivial}"
    )
    ann.write_text(text, encoding="utf-8")
    team = new / "journeys" / "team.yaml"  # no severity left in the team's journey
    words = team.read_text(encoding="utf-8")
    team.write_text(re.sub(r"\{text: ([^,]*), severity: \w+\}", r"\1", words), encoding="utf-8")
    result = diff_dirs(old, new)
    steps = [c for c in result.changes if c.kind == "step"]
    assert [(c.id, [(f.name, f.old, f.new) for f in c.fields]) for c in steps] == [
        ("ann/aware", [("pain_severity.No time to read", "trivial", None)]),
        (
            "ann/compare",
            [
                ("pain_severity.Export needs a script", "workaround", "abandon"),
                ("pain_severity.Demo only on request", None, "trivial"),
            ],
        ),
        (
            "team/compare",
            [
                ("pain_severity.Security review stalls", "abandon", None),
                ("pain_severity.Slow answers", "workaround", None),
            ],
        ),
    ]
    assert [c.change for c in result.changes] == ["changed"] * 3  # the pains' texts stay
    lines = render_text(result).splitlines()
    assert '      pain_severity.Export needs a script: "workaround" -> "abandon"' in lines
    change = steps[1].fields[0]
    assert field_name(change, "ja") == "ペインの深刻度 (Export needs a script)"
