"""`journey check --format github|sarif`: GitHub Actions annotations and SARIF 2.1.0 for CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from projects import run_cli as run
from projects import write_project

from toolkit import __version__
from toolkit.cli.annotations import escape_data, escape_property, shown_path
from toolkit.common.codes import HELP

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "sarif-2.1.0.json"
WARN = "tests/fixtures/warnings/journeys"
WARNINGS_GITHUB = [
    f"::warning file={WARN}/ann.yaml,line=10,col=3,title=content-gap::step 'buy' of journey "
    "'ann-journey' has no published content (in the pipeline: quote-sheet)",
    f"::warning file={WARN}/ann.yaml,line=10,col=3,title=seller-absent::step 'buy' of journey "
    "'ann-journey' has no seller action (add 'actions:' or accept that the buyer is alone here)",
    f"::warning file={WARN}/content.yaml,line=9,col=9,title=orphan-content::content item "
    "'loyalty-mail' serves no journey step (target a stage and segment that a journey has, "
    "name it in an action, or retire it)",
    f"::warning file={WARN}/stages.yaml,line=7,col=9,title=unserved-stage::no funnel stage "
    "serves customer stage 'retain' (add it to a funnel stage's 'serves:')",
]
# A file name and a key that need every escape: '%', CR, LF, ':' and ',' (and a tab, which
# is neither GitHub's nor JSON's business: written as a backslash escape like the text output).
ODD_FILE = "personas/営業,a:b%.yaml"
ODD_PERSONA = 'kind: persona\nid: eigyo\nname: E\n"50%\\r\\nx:y,z\\t": 1\n'
ODD_MESSAGE = (
    "unknown key '50{}x:y,z\\x09' (allowed: kind, id, name, title, segment, buying_role, "
    "goals, pains, info_sources, quote)"
)


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


@pytest.fixture
def at_repo_root(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(repo_root)
    return repo_root


@pytest.fixture
def odd_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_project(tmp_path / "repo", {ODD_FILE: ODD_PERSONA})
    monkeypatch.chdir(root)
    return root


def sarif(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(capsys, "check", "--format", "sarif", *args)
    return code, json.loads(out), err


def errors_of(validator: Draft4Validator, log: object) -> list[str]:
    return [e.message for e in validator.iter_errors(log)]


# --- GitHub Actions workflow commands -------------------------------------------------------


def test_github_commands_of_warnings(
    capsys: pytest.CaptureFixture[str], at_repo_root: Path
) -> None:
    code, out, err = run(capsys, "check", "--format", "github", "tests/fixtures/warnings")
    assert code == 0
    assert out.splitlines() == WARNINGS_GITHUB
    assert err == "0 error(s), 4 warning(s)\n"


def test_github_strict_and_ignore(capsys: pytest.CaptureFixture[str], at_repo_root: Path) -> None:
    args = ("check", "--format", "github", "--strict", "--ignore", "seller-absent")
    code, out, err = run(capsys, *args, "tests/fixtures/warnings")
    assert code == 1
    expected = [line.replace("::warning ", "::error ", 1) for line in WARNINGS_GITHUB]
    assert out.splitlines() == [expected[0], *expected[2:]]
    assert err == "3 error(s), 0 warning(s)\n"


def test_github_line_zero_has_no_line_or_col(
    capsys: pytest.CaptureFixture[str], at_repo_root: Path
) -> None:
    code, out, _ = run(capsys, "check", "--format", "github", "tests/fixtures/missing-stages")
    assert code == 1
    assert out == (
        "::error file=tests/fixtures/missing-stages,title=missing-stages::the project has no "
        "'kind: stages' document (add one under journeys/ (see docs/FORMAT.md, kind: stages))\n"
    )


def test_github_escapes_message_and_properties(
    capsys: pytest.CaptureFixture[str], odd_project: Path
) -> None:
    code, out, _ = run(capsys, "check", "--format", "github")
    assert code == 1
    assert out == (
        "::error file=personas/営業%2Ca%3Ab%25.yaml,line=4,col=1,title=unknown-key::"
        + ODD_MESSAGE.format("%25%0D%0A")
        + "\n"
    )


def test_github_path_relative_to_cwd(
    capsys: pytest.CaptureFixture[str], odd_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An absolute PROJECT below the current directory, and a project outside it."""
    _, below, _ = run(capsys, "check", "--format", "github", str(odd_project))
    assert below.startswith(f"::error file=personas/{escape_property('営業,a:b%')}.yaml,line=4,")
    elsewhere = odd_project.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _, outside, _ = run(capsys, "check", "--format", "github", str(odd_project))
    shown = escape_property(f"{odd_project}/{ODD_FILE}")
    assert outside.startswith(f"::error file={shown},line=4,col=1,title=unknown-key::")
    _, dotted, _ = run(capsys, "check", "--format", "github", "../repo")
    assert dotted.startswith(f"::error file={escape_property('../repo/' + ODD_FILE)},line=4,")


def test_escape_rules() -> None:
    assert escape_data("50% a:b,c\r\nd") == "50%25 a:b,c%0D%0Ad"
    assert escape_property("50% a:b,c\r\nd") == "50%25 a%3Ab%2Cc%0D%0Ad"
    assert escape_data("bell\x07 \u202e") == "bell\\x07 \\u202e"
    assert shown_path("a/b.yaml", "/x") == "a/b.yaml"
    assert shown_path("/x/y/b.yaml", "/x") == "y/b.yaml"
    assert shown_path("/x", "/x") == "."
    assert shown_path("/xy/b.yaml", "/x") == "/xy/b.yaml"
    assert shown_path("../z/b.yaml", "/x/y") == "../z/b.yaml"
    assert shown_path("../y/b.yaml", "/x/y") == "b.yaml"


# --- SARIF 2.1.0 ------------------------------------------------------------------------------


def test_sarif_of_warnings(
    capsys: pytest.CaptureFixture[str], at_repo_root: Path, validator: Draft4Validator
) -> None:
    code, log, err = sarif(capsys, "tests/fixtures/warnings")
    assert code == 0 and err == ""
    assert errors_of(validator, log) == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("journey", __version__)
    assert driver["informationUri"] == "https://example.invalid/journey-toolkit"
    ids = ["content-gap", "orphan-content", "seller-absent", "unserved-stage"]
    assert [r["id"] for r in driver["rules"]] == ids
    gap = driver["rules"][0]
    assert gap["shortDescription"]["text"] == HELP["content-gap"].summary
    assert gap["help"]["text"] == HELP["content-gap"].fix
    assert gap["defaultConfiguration"] == {"level": "warning"}
    got = [
        (
            r["ruleId"],
            r["ruleIndex"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run_["results"]
    ]
    at_10_3 = {"startLine": 10, "startColumn": 3}
    at_9_9 = {"startLine": 9, "startColumn": 9}
    at_7_9 = {"startLine": 7, "startColumn": 9}
    assert got == [
        ("content-gap", 0, "warning", f"{WARN}/ann.yaml", "%SRCROOT%", at_10_3),
        ("seller-absent", 2, "warning", f"{WARN}/ann.yaml", "%SRCROOT%", at_10_3),
        ("orphan-content", 1, "warning", f"{WARN}/content.yaml", "%SRCROOT%", at_9_9),
        ("unserved-stage", 3, "warning", f"{WARN}/stages.yaml", "%SRCROOT%", at_7_9),
    ]
    messages = [r["message"]["text"] for r in run_["results"]]
    assert messages == [line.split("::", 2)[2] for line in WARNINGS_GITHUB]


def test_sarif_strict_many_errors_and_line_zero(
    capsys: pytest.CaptureFixture[str], at_repo_root: Path, validator: Draft4Validator
) -> None:
    code, log, _ = sarif(capsys, "--strict", "tests/fixtures/warnings")
    assert code == 1 and errors_of(validator, log) == []
    run_ = log["runs"][0]
    assert {r["level"] for r in run_["results"]} == {"error"}  # made errors by --strict
    assert {r["defaultConfiguration"]["level"] for r in run_["tool"]["driver"]["rules"]} == {
        "warning"
    }
    code, log, _ = sarif(capsys, "tests/fixtures/many-errors")
    assert code == 1 and errors_of(validator, log) == []
    results = log["runs"][0]["results"]
    assert len(results) == 9 and {r["level"] for r in results} == {"error"}
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    code, log, _ = sarif(capsys, "tests/fixtures/missing-stages")
    assert code == 1 and errors_of(validator, log) == []
    (result,) = log["runs"][0]["results"]
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {
                    "uri": "tests/fixtures/missing-stages",
                    "uriBaseId": "%SRCROOT%",
                }
            }
        }
    ]


def test_sarif_uris_and_bytes(
    capsys: pytest.CaptureFixture[str],
    odd_project: Path,
    monkeypatch: pytest.MonkeyPatch,
    validator: Draft4Validator,
) -> None:
    code, log, _ = sarif(capsys)
    assert code == 1 and errors_of(validator, log) == []
    (result,) = log["runs"][0]["results"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "personas/%E5%96%B6%E6%A5%AD%2Ca%3Ab%25.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert result["message"]["text"] == ODD_MESSAGE.format("%\\x0d\\x0a")
    _, out1, _ = run(capsys, "check", "--format", "sarif", "--no-cache")
    _, out2, _ = run(capsys, "check", "--format", "sarif")
    assert out1 == out2  # deterministic, cached or not
    elsewhere = odd_project.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _, log, _ = sarif(capsys, str(odd_project))
    assert errors_of(validator, log) == []
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {
        "uri": odd_project.as_uri() + "/personas/%E5%96%B6%E6%A5%AD%2Ca%3Ab%25.yaml"
    }


def test_clean_project_gives_empty_run(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    validator: Draft4Validator,
) -> None:
    monkeypatch.chdir(write_project(tmp_path / "clean"))
    code, log, err = sarif(capsys)
    assert (code, err) == (0, "")
    assert errors_of(validator, log) == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
    assert log["runs"][0]["results"] == []
    assert run(capsys, "check", "--format", "github") == (0, "", "0 error(s), 0 warning(s)\n")


def test_schema_rejects_a_broken_log(validator: Draft4Validator) -> None:
    """The validator is not a no-op: a wrong level and a missing driver name are reported."""
    log = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal", "message": {}}]}],
    }
    assert len(errors_of(validator, log)) >= 2
