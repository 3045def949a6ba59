"""Result cache: the diagnostics of a whole `journey check`, keyed by every source's bytes.

A check of a project in which nothing changed reports what the last check found without
loading anything: the key is a hash of the toolkit's own code, the project's shown name and
each source file's path and bytes, so any edit, added or removed file, or new toolkit code
misses. Entries go through the parse cache's store (checksummed, written atomically), so a
corrupt entry is a miss, never a wrong answer. Only plain data is stored.

This module is on the fast path of `journey check`: it imports nothing heavy (no pydantic,
no networkx).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.common.diagnostics import Diagnostic
from toolkit.load.cache import read_entry, write_entry
from toolkit.load.files import MAX_FILE_BYTES, display_root, find_sources

FORMAT = 1
KEEP = 64  # entries kept; older ones are removed when a new one is stored
PACKAGE = Path(__file__).resolve().parent.parent  # the toolkit package


def code_digest(package: Path = PACKAGE) -> bytes:
    """A hash of the toolkit's Python code: new code never sees old results."""
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.digest()


def project_key(root: Path, shown: str, code: bytes) -> str | None:
    """The key of a project's current sources, or None when a file cannot be read whole.

    A file over the size limit or one that cannot be read is not keyed: the full check
    reports it, and its report depends on more than the bytes.
    """
    h = hashlib.sha256(f"journey-toolkit results {__version__} {FORMAT}\0".encode())
    h.update(code)
    h.update(shown.encode() + b"\0")
    h.update(b"personas" if (root / "personas").is_dir() else b"-")
    h.update(b"journeys" if (root / "journeys").is_dir() else b"-")
    for source in find_sources(root, shown):
        if source.refusal is not None:
            return None  # the report names a link's target only by its being refused
        try:
            if source.path.stat().st_size > MAX_FILE_BYTES:
                return None
            raw = source.path.read_bytes()
        except OSError:
            return None
        h.update(source.display.encode() + b"\0")
        h.update(hashlib.sha256(raw).digest())
    return h.hexdigest()


def check_key(root: Path) -> str | None:
    """The result-cache key of `journey check ROOT` as the sources are now."""
    return project_key(root, display_root(str(root)), code_digest())


def _freeze(diags: list[Diagnostic]) -> tuple[Any, ...]:
    return (
        FORMAT,
        [(d.severity, d.code, d.message, d.file, d.line, d.column, d.hint) for d in diags],
    )


def _thaw(stored: Any) -> list[Diagnostic] | None:
    try:
        version, rows = stored
        if version != FORMAT:
            return None
        return [Diagnostic(s, c, m, f, ln, col, h) for s, c, m, f, ln, col, h in rows]
    except (TypeError, ValueError):
        return None


class ResultCache:
    """Diagnostics of whole checks, stored under root/results/."""

    def __init__(self, root: Path) -> None:
        self.root = root / "results"

    def _path(self, key: str) -> Path:
        return self.root / f"{key}.bin"

    def get(self, key: str) -> list[Diagnostic] | None:
        stored = read_entry(self._path(key))
        return None if stored is None else _thaw(stored)

    def put(self, key: str, diags: list[Diagnostic]) -> None:
        write_entry(self._path(key), _freeze(diags))
        self.prune()

    def prune(self, keep: int = KEEP) -> None:
        """Remove all but the `keep` most recently stored entries (a workshop saves often)."""
        try:
            entries = sorted((p.stat().st_mtime_ns, p.name, p) for p in self.root.glob("*.bin"))
            for *_, path in entries[:-keep] if keep else entries:
                path.unlink(missing_ok=True)
        except OSError:
            return
