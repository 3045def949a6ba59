"""`journey --help` lists every command without importing the commands' modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from toolkit.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("networkx", "pydantic", "openpyxl", "duckdb", "jinja2", "rich", "toolkit.pipeline")


@pytest.mark.parametrize("limit", [30, 45, 72, 200])
def test_lazy_help_is_each_commands_own(limit: int) -> None:
    ctx = click.Context(cli_main.cli)
    assert set(cli_main.LAZY_HELP) == set(cli_main.LAZY_COMMANDS)
    for name in cli_main.LAZY_COMMANDS:
        command = cli_main.cli.get_command(ctx, name)
        assert command is not None
        shown = click.Command(name, help=cli_main.LAZY_HELP[name]).get_short_help_str(limit)
        assert shown == command.get_short_help_str(limit), name


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from toolkit.cli.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='journey')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    listed = [line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines()[1:-1]]
    assert listed == sorted(["build", "check", "graph", "schema", "serve", *cli_main.LAZY_COMMANDS])
