"""Parse cache: the loaded documents of each YAML file, keyed by a hash of its bytes.

An unchanged file is not parsed again. Entries hold only plain data (dicts, lists, tuples,
strings, ints, None) serialised with `marshal`, which cannot run code, behind a header with
a checksum; an entry that is corrupt, truncated, from another toolkit version or otherwise
unreadable is ignored and rewritten. Writes go to a temporary file that is renamed into
place, so concurrent builds never see half an entry.

The cache lives in $JOURNEY_CACHE_DIR, else $XDG_CACHE_HOME/journey-toolkit, else
~/.cache/journey-toolkit: never inside the project, so `journey check` leaves it untouched.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.common.diagnostics import Diagnostic
from toolkit.load.files import MAX_ALIAS_NODES, MAX_DEPTH, MAX_FILE_BYTES, Document

FORMAT = 2  # 2: positions packed into ints (sources.pack)
MAGIC = b"JTC1"
# The loader's own code is part of the key: a changed loader never sees old entries.
LOADER = hashlib.sha256(
    b"".join(Path(__file__).with_name(m).read_bytes() for m in ("sources.py", "files.py"))
).hexdigest()
LIMITS = f"{MAX_FILE_BYTES} {MAX_DEPTH} {MAX_ALIAS_NODES}"
SALT = f"journey-toolkit {__version__} {FORMAT} {LOADER} {LIMITS}"


def default_dir() -> Path:
    env = os.environ.get("JOURNEY_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "journey-toolkit"


def content_key(raw: bytes) -> str:
    return hashlib.sha256(SALT.encode() + b"\0" + raw).hexdigest()


@dataclass
class ParseCache:
    root: Path

    def key(self, raw: bytes) -> str:
        return content_key(raw)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.bin"

    def has(self, key: str) -> bool:
        """Whether an entry exists (get() may still find it untrustworthy)."""
        return self._path(key).is_file()

    def get(self, key: str, display: str) -> tuple[list[Document], list[Diagnostic]] | None:
        """The cached parse of a file, or None when absent or not trustworthy."""
        stored = read_entry(self._path(key))
        if stored is None:
            return None
        try:
            return thaw(stored, display)
        except (ValueError, TypeError, KeyError, IndexError):
            return None

    def put(self, key: str, docs: list[Document], diags: list[Diagnostic]) -> None:
        """Store a parse; failures (read-only disk, full disk) are ignored."""
        write_entry(self._path(key), freeze(docs, diags))


def read_entry(path: Path) -> Any:
    """The plain data stored at path, or None when absent, corrupt or truncated."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    if len(blob) < 36 or blob[:4] != MAGIC:
        return None
    digest, payload = blob[4:36], blob[36:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write_entry(path: Path, data: Any) -> None:
    """Store plain data atomically (temporary file, then rename); failures are ignored."""
    try:
        payload = marshal.dumps(data)
    except ValueError:
        return
    blob = MAGIC + hashlib.sha256(payload).digest() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # imported when used: not on the path of a cached check

        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def freeze(docs: list[Document], diags: list[Diagnostic]) -> tuple[Any, ...]:
    return (
        FORMAT,
        [(d.index, d.data, d.values, d.keys) for d in docs],
        [(g.severity, g.code, g.message, g.line, g.column, g.hint) for g in diags],
    )


def thaw(stored: Any, display: str) -> tuple[list[Document], list[Diagnostic]]:
    version, docs, diags = stored
    if version != FORMAT:
        raise ValueError("cache format")
    out_docs = [Document(display, i, data, values, keys) for i, data, values, keys in docs]
    out_diags = [Diagnostic(s, c, m, display, ln, col, h) for s, c, m, ln, col, h in diags]
    return out_docs, out_diags


class MemoryCache:
    """Parses kept in memory between builds (`journey serve`), in front of an optional cache.

    An unchanged file gets back the very same Document objects, so later phases can
    recognise it (see project.load_project's `validated`). forget_unused() drops the
    entries the last load did not ask for.
    """

    def __init__(self, inner: ParseCache | None) -> None:
        self.inner = inner
        self.entries: dict[str, tuple[str, list[Document], list[Diagnostic]]] = {}
        self.used: set[str] = set()

    def key(self, raw: bytes) -> str:
        return content_key(raw)

    def get(self, key: str, display: str) -> tuple[list[Document], list[Diagnostic]] | None:
        held = self.entries.get(key)
        if held is not None and held[0] == display:
            self.used.add(key)
            return held[1], held[2]
        found = self.inner.get(key, display) if self.inner is not None else None
        if found is not None:
            self.entries[key] = (display, *found)
            self.used.add(key)
        return found

    def put(self, key: str, docs: list[Document], diags: list[Diagnostic]) -> None:
        shown = docs[0].file if docs else diags[0].file if diags else None
        if shown is not None:
            self.entries[key] = (shown, docs, diags)
            self.used.add(key)
        if self.inner is not None:
            self.inner.put(key, docs, diags)

    def forget_unused(self) -> None:
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.used = set()
