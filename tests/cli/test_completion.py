"""Shell completion (click's, through `_JOURNEY_COMPLETE`) with the lazy command group."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from projects import run_cli as run

from toolkit.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]

# what each shell's script is recognised by (click's templates in click/shell_completion.py)
SCRIPTS = {
    "bash": ("_journey_completion() {", "complete -o nosort -F _journey_completion journey"),
    "zsh": ("#compdef journey", "_journey_completion() {"),
    "fish": ("function _journey_completion;", "complete --no-files --command journey"),
}


def complete(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, shell: str, words: str
) -> list[str]:
    """What `journey` answers the shell for the command line `words` (the last word is being
    typed), as the lines click prints for it."""
    monkeypatch.setenv("_JOURNEY_COMPLETE", f"{shell}_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    parts = words.split(" ")
    monkeypatch.setenv("COMP_CWORD", str(len(parts) - 1) if shell != "fish" else parts[-1])
    code, out, err = run(capsys)
    assert code == 0, err
    return out.splitlines()


@pytest.mark.parametrize("shell", list(SCRIPTS))
def test_each_shell_gets_a_script(
    shell: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_JOURNEY_COMPLETE", f"{shell}_source")
    code, out, err = run(capsys)
    assert (code, err) == (0, "")
    for needle in SCRIPTS[shell]:
        assert needle in out, (shell, needle)
    assert "_JOURNEY_COMPLETE=" + shell + "_complete" in out.replace("'", "").replace('"', "")


def test_bash_completes_a_command_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete(capsys, monkeypatch, "bash", "journey bu") == ["plain,build"]
    assert complete(capsys, monkeypatch, "bash", "journey se") == [
        "plain,selfcheck",
        "plain,serve",
    ]
    every = complete(capsys, monkeypatch, "bash", "journey ")
    assert every == [
        f"plain,{name}" for name in cli_main.cli.list_commands(click.Context(cli_main.cli))
    ]


def test_zsh_and_fish_name_a_lazy_command_with_its_help(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    short = "Judge the leads in LEADS (CSV or Parquet)..."
    assert complete(capsys, monkeypatch, "zsh", "journey lea") == ["plain", "leads", short]
    assert complete(capsys, monkeypatch, "fish", "journey lea") == [f"plain,leads\t{short}"]


def test_options_of_a_lazy_command_and_choices(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert complete(capsys, monkeypatch, "bash", "journey leads --ev") == [
        "plain,--events",
        "plain,--event-column",
    ]
    assert complete(capsys, monkeypatch, "bash", "journey coverage --by o") == ["plain,owner"]
    assert complete(capsys, monkeypatch, "bash", "journey schema --output g") == ["plain,graph"]
    assert complete(capsys, monkeypatch, "bash", "journey content ") == [
        "plain,export",
        "plain,import",
    ]


def test_completing_command_names_imports_no_command_module() -> None:
    code = (
        "import sys\n"
        "from toolkit.cli.main import main\n"
        "try:\n"
        "    main([])\n"
        "except SystemExit:\n"
        "    pass\n"
        "lazy = {m.split(':')[0] for m in __import__('toolkit.cli.main').cli.main"
        ".LAZY_COMMANDS.values()}\n"
        "print(sorted(m for m in lazy | {'duckdb', 'openpyxl', 'pydantic'} if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "_JOURNEY_COMPLETE": "bash_complete",
        "COMP_WORDS": "journey ",
        "COMP_CWORD": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert done.stdout.splitlines() == [
        f"plain,{n}" for n in sorted(cli_main.cli.commands.keys() | cli_main.LAZY_COMMANDS.keys())
    ]
    assert done.stderr.splitlines()[-1] == "[]"
