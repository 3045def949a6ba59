"""Writer: put rendered files in place safely.

Files are written into a staging folder next to OUT, which is then swapped into place with
two renames; a failed build leaves the previous OUT untouched. OUT must be empty, absent or a
folder an earlier build made (it holds the marker file), so a build never deletes files it
did not write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

MARKER = ".journey-build"
MARKER_TEXT = b"Written by 'journey build'; every build replaces this folder's content.\n"
KEEP = frozenset({".gitkeep"})


class OutputError(Exception):
    """OUT cannot be used; the message says why."""


def check_out_dir(project: Path, out: Path) -> None:
    """Refuse an OUT that would overwrite the project's sources or someone else's files."""
    proj = project.resolve()
    dest = out.resolve()
    if dest == proj:
        raise OutputError(f"output folder {out} is the project folder itself; use {out}/output")
    for src in ("journeys", "personas"):
        if dest == proj / src or (proj / src) in dest.parents:
            raise OutputError(f"output folder {out} is inside the project's {src}/ folder")
    if dest in proj.parents:
        raise OutputError(f"output folder {out} contains the project")
    if dest.exists() and not dest.is_dir():
        raise OutputError(f"output path {out} is a file, not a folder")
    if dest.is_dir():
        foreign = [p.name for p in dest.iterdir() if p.name not in KEEP]
        if foreign and not (dest / MARKER).is_file():
            raise OutputError(
                f"output folder {out} is not empty and was not made by 'journey build'; "
                "choose an empty folder"
            )


def safe_relative(name: str) -> PurePosixPath:
    """A renderer's output path, refused when it is absolute or climbs out of OUT."""
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts or name != rel.as_posix():
        raise OutputError(f"refusing to write {name!r} outside the output folder")
    return rel


def write_file(path: Path, data: bytes) -> None:
    """One file, complete or not at all: written beside it, then renamed over it (its folder
    must exist), with the permissions a new file gets under the umask."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name in sorted(files):
        target = root.joinpath(*safe_relative(name).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])


def write_output(project: Path, out: Path, files: dict[str, bytes]) -> None:
    """Write files as the new content of OUT, replacing the previous build atomically."""
    check_out_dir(project, out)
    for name in files:
        safe_relative(name)
    dest = out.resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-", dir=dest.parent))
    try:
        write_tree(staging, {**files, MARKER: MARKER_TEXT})
        for keep in KEEP:
            if (dest / keep).is_file():
                shutil.copy2(dest / keep, staging / keep)
        _swap(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, dest: Path) -> None:
    old: Path | None = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rmdir(old)
        os.rename(dest, old)
    try:
        os.rename(staging, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    os.chmod(dest, 0o755)  # mkdtemp made the staging folder private
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def update_output(project: Path, out: Path, files: dict[str, bytes]) -> list[str]:
    """Bring OUT up to date in place: rewrite only changed files, remove stale ones.

    Used by `journey serve`, where pages stay readable while a rebuild lands: each file is
    replaced atomically on its own. Returns the paths that changed.
    """
    check_out_dir(project, out)
    dest = out.resolve()
    if not dest.is_dir():
        write_output(project, out, files)
        return sorted(files)
    wanted = {**files, MARKER: MARKER_TEXT}
    changed = _replace_changed(dest, wanted)
    for path in sorted(dest.rglob("*")):
        rel = path.relative_to(dest).as_posix()
        if path.is_file() and rel not in wanted and path.name not in KEEP:
            path.unlink()
            changed.append(rel)
    return changed


def update_files(project: Path, out: Path, files: dict[str, bytes]) -> list[str]:
    """Rewrite just these files of an existing OUT in place (each atomically), when changed.

    `journey serve` writes the page of an edited journey this way before the rest of the
    rebuild; update_output then brings the whole folder up to date.
    """
    check_out_dir(project, out)
    dest = out.resolve()
    if not (dest / MARKER).is_file():
        return []
    return _replace_changed(dest, files)


def _replace_changed(dest: Path, wanted: dict[str, bytes]) -> list[str]:
    changed = []
    for name in sorted(wanted):
        target = dest.joinpath(*safe_relative(name).parts)
        try:
            if target.read_bytes() == wanted[name]:
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(wanted[name])
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        changed.append(name)
    return changed
