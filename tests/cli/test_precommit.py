"""The shipped pre-commit hooks (.pre-commit-hooks.yaml), run by pre-commit itself.

A team's .pre-commit-config.yaml names this repository, a rev and the hook ids (README, "Use
in a team"); here `repo:` is a temporary git repository holding a copy of this checkout's
package and manifest, so pre-commit clones it, makes its own virtualenv and pip-installs the
toolkit into it, as it would from GitHub. Offline and fast: pip has no index (only the wheels
virtualenv ships), builds the toolkit's wheel with the setuptools virtualenv seeds, and
installs no dependencies (PIP_NO_DEPS); the hook finds them in the environment running the
tests (a sitecustomize on PYTHONPATH adds its site-packages after the hook's own). One hook
environment serves every test of the module (PRE_COMMIT_HOME).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from projects import write_project

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / ".pre-commit-hooks.yaml"

try:
    import pre_commit  # noqa: F401
    import virtualenv
except ImportError:  # pragma: no cover - the test extra installs both
    virtualenv = None

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(
        virtualenv is None, reason="pre-commit is not installed (pip install -e '.[test]')"
    ),
]

BROKEN_LINE = "personas/ann.yaml:4:1: error unknown-key: unknown key 'nmae' (did you mean 'name'?)"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def committed(root: Path) -> str:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "snapshot")
    return git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository with this checkout's manifest and package: (path, commit)."""
    root = tmp_path_factory.mktemp("hooks")
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():  # LICENSE: the metadata's license-files, when it has them
            shutil.copy2(REPO / name, root / name)
    shutil.copytree(
        REPO / "toolkit", root / "toolkit", ignore=shutil.ignore_patterns("__pycache__")
    )
    return root, committed(root)


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    assert virtualenv is not None
    seed = Path(virtualenv.__file__).parent / "seed" / "wheels" / "embed"
    # The hook's interpreter appends this environment's site-packages to its path, after its
    # own (so the toolkit and setuptools it installed come first), to find the dependencies.
    paths = sysconfig.get_paths()
    site = list(dict.fromkeys([paths["purelib"], paths["platlib"]]))
    (home / "path").mkdir()
    (home / "path" / "sitecustomize.py").write_text(
        f"import sys\n\nsys.path.extend({site!r})\n", encoding="utf-8"
    )
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home / "cache"),
        "PRE_COMMIT_COLOR": "never",
        "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv"),
        "VIRTUALENV_NO_PERIODIC_UPDATE": "1",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(seed),
        "PIP_NO_DEPS": "1",
        # Build with the setuptools virtualenv put in the hook's venv, not in a fresh build
        # environment (-15 s). pip reads this switch inverted: "0" turns isolation off
        # (pypa/pip#5735).
        "PIP_NO_BUILD_ISOLATION": "0",
        "PYTHONPATH": str(home / "path"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def run_hooks(
    project: Path, hooks: tuple[Path, str], env: dict[str, str], hook_lines: str
) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` in a git repository holding `project`."""
    path, rev = hooks
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {rev}\n    hooks:\n{hook_lines}", encoding="utf-8"
    )
    committed(project)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def results(out: str) -> list[tuple[str, str]]:
    """(hook name, Passed/Failed/...) of each `name.....Result` line of pre-commit's output."""
    rows = [re.match(r"^(.+?)\.{3,}(\w+)$", line) for line in out.splitlines()]
    return [(m[1], m[2]) for m in rows if m]


def test_manifest_is_valid() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_snippet_is_a_valid_config(tmp_path: Path) -> None:
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Use in a team", 1)[1]
    snippet = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert snippet.endswith("    hooks:\n      - id: journey-check\n")
    (tmp_path / "config.yaml").write_text(snippet, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(tmp_path / "config.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_hooks_pass_a_clean_project_and_fail_a_broken_one(
    tmp_path: Path, hooks: tuple[Path, str], pre_commit_env: dict[str, str]
) -> None:
    # The three lines a team adds (README), and the coverage gate at its default threshold.
    both = "      - id: journey-check\n      - id: journey-coverage\n"
    clean = run_hooks(write_project(tmp_path / "clean"), hooks, pre_commit_env, both)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert results(clean.stdout) == [("journey check", "Passed"), ("journey coverage", "Passed")]

    persona = "kind: persona\nid: ann\nname: Ann\nnmae: Ann\n"
    broken_project = write_project(tmp_path / "broken", {"personas/ann.yaml": persona})
    check = "      - id: journey-check\n"
    broken = run_hooks(broken_project, hooks, pre_commit_env, check)
    assert broken.returncode == 1
    assert results(broken.stdout) == [("journey check", "Failed")]
    assert BROKEN_LINE in broken.stdout.splitlines()
    assert "1 error(s), 0 warning(s)" in broken.stdout


def test_coverage_hook_threshold_from_args(
    tmp_path: Path, hooks: tuple[Path, str], pre_commit_env: dict[str, str]
) -> None:
    """One of two steps without published content (50 %): the default 100 fails, 50 passes."""
    content = "kind: content\nitems:\n  - {id: guide, stages: [aware], status: published}\n"
    gap = write_project(tmp_path / "gap", {"journeys/content.yaml": content})
    twice = (
        "      - id: journey-coverage\n"
        "      - id: journey-coverage\n"
        "        name: journey coverage 50\n"
        '        args: [--fail-under, "50"]\n'
    )
    done = run_hooks(gap, hooks, pre_commit_env, twice)
    assert done.returncode == 1
    assert results(done.stdout) == [
        ("journey coverage", "Failed"),
        ("journey coverage 50", "Passed"),
    ]
    assert "Covered journey steps: 1/2 (50.0%) is below --fail-under 100%" in done.stdout
