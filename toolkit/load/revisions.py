"""Revisions: a project as it was at a git revision, materialised into a temporary folder.

`journey diff OLD NEW` takes a folder or a git revision for each side. A revision is looked
up in the repository that holds the project folder (the current directory, or --repo); its
personas/ and journeys/ below that folder are extracted with `git archive` (no shell, the
revision resolved to a commit first, the archive unpacked with tarfile's data filter).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from toolkit.load.sources import SOURCE_DIRS, display_root

GIT_TIMEOUT = 60


class RevisionError(Exception):
    """The argument is neither a folder nor a usable git revision; the message says why."""


@dataclass(frozen=True)
class Side:
    """One side of a diff: the folder to compile and how to name its files."""

    root: Path
    name: str  # as the user wrote it
    prefix: str  # shown before a project-relative file name: 'old/' or 'HEAD~1:'


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, env=env, check=False
        )
    except FileNotFoundError:
        raise RevisionError("git is not installed, so only folders can be compared") from None
    except subprocess.TimeoutExpired:
        raise RevisionError(f"git {args[0]} took longer than {GIT_TIMEOUT}s") from None


def _out(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8", "replace").strip()


def _err(proc: subprocess.CompletedProcess[bytes]) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else "no message"


@dataclass(frozen=True)
class Repo:
    top: Path  # the work tree's top folder
    prefix: str  # the project folder relative to top, posix, '' or ending in '/'


def find_repo(project: Path) -> Repo:
    if not project.is_dir():
        raise RevisionError(f"--repo {project} is not a folder")
    top = _git(["rev-parse", "--show-toplevel"], project)
    if top.returncode != 0:
        raise RevisionError(
            f"{project} is not inside a git repository ({_err(top)}); "
            "give folders, or the project's repository with --repo PATH"
        )
    prefix = _git(["rev-parse", "--show-prefix"], project)
    return Repo(Path(_out(top)), _out(prefix))


def resolve_commit(repo: Repo, rev: str) -> str:
    """The commit id a revision names; a RevisionError when it names none."""
    if not rev or rev.startswith("-") or any(c in rev for c in "\0\n"):
        raise RevisionError(f"{rev!r} is neither a folder nor a git revision")
    proc = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], repo.top)
    if proc.returncode != 0:
        raise RevisionError(
            f"{rev!r} is neither a folder nor a git revision of {repo.top} "
            "(try a commit, a tag, a branch or HEAD~1)"
        )
    return _out(proc)


def present_dirs(repo: Repo, commit: str) -> list[str]:
    """The project's source folders that exist at the commit, as paths from the top."""
    found = []
    for sub in SOURCE_DIRS:
        path = f"{repo.prefix}{sub}"
        proc = _git(["cat-file", "-t", f"{commit}:{path}"], repo.top)
        if proc.returncode == 0 and _out(proc) == "tree":
            found.append(path)
    return found


def extract(repo: Repo, commit: str, paths: list[str], dest: Path) -> None:
    """Unpack the paths of the commit into dest (keeping their path from the top)."""
    if not paths:
        return
    proc = _git(["archive", "--format=tar", commit, "--", *paths], repo.top)
    if proc.returncode != 0:
        raise RevisionError(f"git archive failed for {commit[:12]}: {_err(proc)}")
    with tarfile.open(fileobj=io.BytesIO(proc.stdout), mode="r:") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # Python < 3.11.4: regular files and folders with safe names only
            members = [m for m in tar.getmembers() if _safe_member(m)]
            tar.extractall(dest, members=members)


def _safe_member(member: tarfile.TarInfo) -> bool:
    path = PurePosixPath(member.name)
    return (member.isfile() or member.isdir()) and not path.is_absolute() and ".." not in path.parts


@contextlib.contextmanager
def materialise(arg: str, repo_dir: Path | None = None) -> Iterator[Side]:
    """The side a diff argument names: an existing folder as is, else a git revision."""
    path = Path(arg)
    if path.is_dir():
        shown = display_root(arg)
        yield Side(path, arg, f"{shown}/" if shown else "")
        return
    repo = find_repo(repo_dir if repo_dir is not None else Path.cwd())
    commit = resolve_commit(repo, arg)
    with tempfile.TemporaryDirectory(prefix="journey-diff-") as tmp:
        dest = Path(tmp)
        extract(repo, commit, present_dirs(repo, commit), dest)
        root = dest.joinpath(*PurePosixPath(repo.prefix).parts) if repo.prefix else dest
        root.mkdir(parents=True, exist_ok=True)
        yield Side(root, arg, f"{arg}:{repo.prefix}")
