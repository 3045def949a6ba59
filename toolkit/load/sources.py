"""Sources: find the project's YAML files and load them into plain data with locations.

Loading is one pass over PyYAML's event stream (libyaml's parser when available). Working
on events instead of constructed objects lets the loader:

- keep the line and column of every key and value (for diagnostics),
- keep every scalar as the text the author typed (no YAML 1.1 surprises such as
  ``NO`` -> False or ``1.10`` -> 1.1); typed fields are converted later by the models,
- reject duplicate keys, unknown tags and recursive aliases,
- bound nesting depth and alias expansion *before* anything is built (libyaml's composer
  crashes on very deep nesting; a few hundred bytes of aliases expand to gigabytes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from toolkit.common.diagnostics import Diagnostic, Location, error, warning
from toolkit.load.files import (
    LINE_BITS as LINE_BITS,
)
from toolkit.load.files import (
    LINE_MASK as LINE_MASK,
)
from toolkit.load.files import (
    MAX_ALIAS_CHARS as MAX_ALIAS_CHARS,
)
from toolkit.load.files import (
    MAX_ALIAS_NODES as MAX_ALIAS_NODES,
)
from toolkit.load.files import (
    MAX_DEPTH as MAX_DEPTH,
)
from toolkit.load.files import (
    MAX_FILE_BYTES as MAX_FILE_BYTES,
)
from toolkit.load.files import (
    SOURCE_DIRS as SOURCE_DIRS,
)
from toolkit.load.files import (
    YAML_SUFFIXES as YAML_SUFFIXES,
)
from toolkit.load.files import (
    Document as Document,
)
from toolkit.load.files import (
    Packed as Packed,
)
from toolkit.load.files import (
    Path_ as Path_,
)
from toolkit.load.files import (
    Pos as Pos,
)
from toolkit.load.files import (
    SourceFile as SourceFile,
)
from toolkit.load.files import (
    display_root as display_root,
)
from toolkit.load.files import (
    find_sources as find_sources,
)
from toolkit.load.files import (
    pack as pack,
)
from toolkit.load.files import (
    unpack as unpack,
)

NULLS = frozenset({"", "~", "null", "Null", "NULL"})
CORE_TAG = "tag:yaml.org,2002:"
NULL_TAG = CORE_TAG + "null"
SAFE_TAGS = frozenset(
    {"!", *(CORE_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))}
)


class LoadAbort(Exception):
    """Stops loading one file; carries the diagnostic."""

    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


def yaml_loader() -> type:
    """libyaml's loader when PyYAML was built with it, else the pure-Python one."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def has_libyaml() -> bool:
    return bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader")


def decode(raw: bytes, display: str) -> str:
    """UTF-8 (a BOM is allowed) or an `invalid-utf8` diagnostic at the first bad byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8")) + 1  # in characters, as YAML's
        raise LoadAbort(
            error(
                "invalid-utf8",
                f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                Location(display, line, col),
                "save the file as UTF-8",
            )
        ) from None


class Cache(Protocol):
    """Where parses of unchanged files are kept (see toolkit.load.cache.ParseCache)."""

    def get(self, key: str, display: str) -> tuple[list[Document], list[Diagnostic]] | None: ...

    def put(self, key: str, docs: list[Document], diags: list[Diagnostic]) -> None: ...

    def key(self, raw: bytes) -> str: ...


def read_bytes(source: SourceFile) -> bytes:
    """The file's bytes, refused before reading when it is over the size limit."""
    size = source.path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise LoadAbort(
            error(
                "file-too-large",
                f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                Location(source.display, 1, 1),
                "split it into several files",
            )
        )
    return source.path.read_bytes()


def parse_bytes(raw: bytes, display: str) -> tuple[list[Document], list[Diagnostic]]:
    """Decode and parse one file's bytes; an empty file is a warning."""
    try:
        docs, diags = parse_documents(decode(raw, display), display)
    except LoadAbort as abort:
        return [], [abort.diag]
    if not docs and not any(d.severity == "error" for d in diags):
        diags.append(
            warning(
                "empty-file",
                "file holds no YAML document",
                Location(display, 1, 1),
                "remove it or add a document with 'kind:'",
            )
        )
    return docs, diags


def read_source(
    source: SourceFile, cache: Cache | None = None
) -> tuple[list[Document], list[Diagnostic]]:
    """Load one file into documents, or diagnostics explaining why not."""
    if source.refusal is not None:
        return [], [source.refusal]
    docs, diags = _read_source(source, cache)
    if source.name_problem is not None:
        return docs, [source.name_problem, *diags]
    return docs, diags


def _read_source(
    source: SourceFile, cache: Cache | None = None
) -> tuple[list[Document], list[Diagnostic]]:
    try:
        raw = read_bytes(source)
    except LoadAbort as abort:
        return [], [abort.diag]
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return [], [error("unreadable", f"cannot read file: {reason}", Location(source.display))]
    if cache is None:
        return parse_bytes(raw, source.display)
    key = cache.key(raw)
    hit = cache.get(key, source.display)
    if hit is not None:
        return hit
    docs, diags = parse_bytes(raw, source.display)
    cache.put(key, docs, diags)
    return docs, diags


def near_tab(text: str, line: int, col: int) -> bool:
    """Whether the line of a syntax error has a tab at or before the reported column."""
    lines = text.splitlines()
    return 0 < line <= len(lines) and "\t" in lines[line - 1][: col + 1]


def reader_error(exc: yaml.reader.ReaderError, text: str, display: str) -> Diagnostic:
    """A character YAML does not allow (a control character, U+FFFE, ...), where it is.

    The error's position is a character offset from PyYAML but a byte offset from libyaml,
    so the character itself is searched for: it is the first one of its kind in the text.
    """
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
    at = max(text.find(chr(code)), 0)
    line_start = text.rfind("\n", 0, at) + 1
    return error(
        "yaml-syntax",
        f"character U+{code:04X} is not allowed in YAML",
        Location(display, text.count("\n", 0, at) + 1, at - line_start + 1),
        f"remove it, or write it as the escape \\u{code:04x} inside double quotes",
    )


def syntax_error(exc: yaml.YAMLError, text: str, display: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        return reader_error(exc, text, display)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context else str(problem)
    if near_tab(text, line, col):
        return error(
            "yaml-tab",
            "tab character where YAML expects indentation or a value",
            Location(display, line, col),
            "indent with spaces, never tabs",
        )
    return error(
        "yaml-syntax", message, Location(display, line, col), "check indentation and quoting"
    )


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path_
    anchor: str | None
    size: int = 1
    chars: int = 0
    key: str | None = None
    key_pos: Pos | None = None
    is_merge: bool = False
    merges: list[tuple[Any, Pos]] = field(default_factory=list)
    explicit: set[str] = field(default_factory=set)
    is_map: bool = False

    def __post_init__(self) -> None:
        self.is_map = isinstance(self.container, dict)


class _Builder:
    """Turns an event stream into Documents, enforcing the loader's limits."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.docs: list[Document] = []
        self.diags: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int, int]] = {}  # value, nodes, characters
        self.alias_nodes = 0
        self.alias_chars = 0
        self.doc: Document | None = None

    def at(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1)

    def check_tag(self, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag not in SAFE_TAGS:
            shown = "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag
            self.diags.append(
                error(
                    "unsafe-tag",
                    f"tag '{shown}' is not allowed",
                    self.at(event),
                    "remove the tag; values are plain text, lists and mappings",
                )
            )

    def child_path(self) -> Path_:
        if not self.stack:
            return ()
        top = self.stack[-1]
        if not top.is_map:
            return (*top.path, len(top.container))
        return (*top.path, top.key if top.key is not None else "")

    def add(
        self, value: Any, size: int, chars: int, pos: Pos, anchor: str | None, path: Path_
    ) -> None:
        if anchor:
            self.anchors[anchor] = (value, size, chars)
        assert self.doc is not None
        if not self.stack:
            self.doc.data = value
            self.doc.values[()] = pack(pos)
            return
        top = self.stack[-1]
        top.size += size
        top.chars += chars
        if not top.is_map:
            top.container.append(value)  # type: ignore[union-attr]
            self.doc.values.setdefault(path, pack(pos))
            return
        if top.key is None:
            self.set_key(top, value, pos)
            return
        key, key_pos = top.key, top.key_pos
        top.key = None
        if top.is_merge:
            top.is_merge = False
            top.merges.append((value, pos))
            return
        if key in top.container:
            assert key_pos is not None
            first = unpack(self.doc.keys.get(path, pack(pos)))
            self.diags.append(
                error(
                    "duplicate-key",
                    f"duplicate key '{key}' (first at line {first[0]})",
                    Location(self.display, key_pos[0], key_pos[1]),
                    "each key may appear once in a mapping",
                )
            )
            return
        top.container[key] = value
        top.explicit.add(key)
        self.doc.values[path] = pack(pos)
        if key_pos is not None:
            self.doc.keys[path] = pack(key_pos)

    def set_key(self, top: _Frame, value: Any, pos: Pos) -> None:
        if isinstance(value, dict | list):
            self.diags.append(
                error(
                    "wrong-type",
                    "a mapping key must be plain text",
                    Location(self.display, *pos),
                )
            )
            value = ""
        top.key = "" if value is None else str(value)
        top.key_pos = pos

    def scalar(self, event: Any) -> None:
        # The loader's hottest function (one call per scalar): plain text is the fast path.
        tag = event.tag
        if tag is not None and tag not in SAFE_TAGS:
            self.check_tag(event)
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        text: str = event.value
        plain = (tag is None or tag == "!") and not event.style
        value: str | None = None if (plain and text in NULLS) or tag == NULL_TAG else text
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_map and top.key is None:
            top.is_merge = plain and text == "<<"
            top.chars += len(text)
            self.set_key(top, text, pos)
            return
        self.add(value, 1, len(text), pos, event.anchor, self.child_path())

    def start(self, event: Any, container: dict[str, Any] | list[Any]) -> None:
        self.check_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            raise LoadAbort(
                error(
                    "yaml-depth",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    self.at(event),
                    "flatten the structure",
                )
            )
        self.stack.append(_Frame(container, self.child_path(), event.anchor))
        assert self.doc is not None
        pos = (event.start_mark.line + 1, event.start_mark.column + 1)
        self.doc.values.setdefault(self.stack[-1].path, pack(pos))

    def end(self) -> None:
        frame = self.stack.pop()
        if isinstance(frame.container, dict):
            self.apply_merges(frame)
        assert self.doc is not None
        pos = self.doc.position(frame.path) if frame.path in self.doc.values else (1, 1)
        self.add(frame.container, frame.size, frame.chars, pos, frame.anchor, frame.path)

    def apply_merges(self, frame: _Frame) -> None:
        assert isinstance(frame.container, dict)
        for value, pos in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for src in sources:
                if not isinstance(src, dict):
                    self.diags.append(
                        error(
                            "wrong-type", "'<<' merges mappings only", Location(self.display, *pos)
                        )
                    )
                    continue
                for k, v in src.items():
                    if k not in frame.explicit and k not in frame.container:
                        frame.container[k] = v

    def alias(self, event: Any) -> None:
        name = event.anchor
        if name not in self.anchors:
            raise LoadAbort(
                error(
                    "yaml-alias",
                    f"alias '*{name}' refers to no finished anchor",
                    self.at(event),
                    "define '&" + name + "' before using it, and never inside itself",
                )
            )
        value, size, chars = self.anchors[name]
        self.alias_nodes += size
        self.alias_chars += chars
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise LoadAbort(
                error(
                    "yaml-alias",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
                    self.at(event),
                    "write the values out instead of nesting aliases",
                )
            )
        if self.alias_chars > MAX_ALIAS_CHARS:
            raise LoadAbort(
                error(
                    "yaml-alias",
                    f"aliases expand to more than {MAX_ALIAS_CHARS:,} characters",
                    self.at(event),
                    "write the values out, or refer to long texts fewer times",
                )
            )
        pos = (event.start_mark.line + 1, event.start_mark.column + 1)
        top = self.stack[-1] if self.stack else None
        if top is not None and isinstance(top.container, dict) and top.key is None:
            self.set_key(top, value, pos)
            return
        self.add(value, size, chars, pos, None, self.child_path())

    def feed(self, events: Iterator[Any]) -> None:
        handlers: dict[type, Any] = {
            yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: lambda e: self.start(e, {}),
            yaml.SequenceStartEvent: lambda e: self.start(e, []),
            yaml.MappingEndEvent: lambda _: self.end(),
            yaml.SequenceEndEvent: lambda _: self.end(),
            yaml.AliasEvent: self.alias,
            yaml.DocumentStartEvent: self.begin_document,
            yaml.DocumentEndEvent: self.end_document,
        }
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)

    def begin_document(self, _event: Any) -> None:
        self.doc = Document(self.display, len(self.docs), None)
        self.anchors = {}

    def end_document(self, _event: Any) -> None:
        assert self.doc is not None
        if self.doc.data is not None:
            self.docs.append(self.doc)
        self.doc = None


def parse_documents(text: str, display: str) -> tuple[list[Document], list[Diagnostic]]:
    """Parse YAML text into documents; syntax problems become diagnostics.

    The loader's own limits (depth, aliases) are reported the same whatever libyaml is
    installed: when libyaml stops on an error of its own, the text is parsed again with
    PyYAML's pure-Python parser (which has no limits of its own and reads ahead at most a
    line's simple key), and one of our limits that it reaches first is what is reported.
    libyaml 0.2.6, bundled with PyYAML 6.0.4, stops at 1,000 flow levels while reading
    ahead, before handing over the event at our 65th.
    """
    loader = yaml_loader()
    docs, diags, failed_at = _parse_with(loader, text, display)
    if failed_at and loader is not yaml.SafeLoader:
        # Only the text up to the end of the failing line can hold a limit reached first.
        end = _line_end(text, failed_at)
        _, again, _ = _parse_with(yaml.SafeLoader, text[:end], display)
        if again and again[-1].code in LIMIT_CODES:
            return [], again
    return docs, diags


LIMIT_CODES = frozenset({"yaml-depth", "yaml-alias"})


def _line_end(text: str, line: int) -> int:
    """Index just past the end of the 1-based `line` of text."""
    at = 0
    for _ in range(line):
        at = text.find("\n", at) + 1
        if at == 0:
            return len(text)
    return at


def _parse_with(
    loader_class: type, text: str, display: str
) -> tuple[list[Document], list[Diagnostic], int]:
    """Documents, diagnostics, and the line where the YAML parser raised an error (or 0)."""
    builder = _Builder(display)
    loader = None
    try:
        # get_event() until it returns None: yaml.parse()'s own loop, without a generator
        # and a check_event() call per event in between. (The pure-Python loader checks
        # the text when it is made, so that is inside the try as well.)
        loader = loader_class(text)
        builder.feed(iter(loader.get_event, None))
    except yaml.YAMLError as exc:
        diag = syntax_error(exc, text, display)
        return [], [*builder.diags, diag], max(diag.line, 1)
    except LoadAbort as abort:
        return [], [*builder.diags, abort.diag], 0
    finally:
        if loader is not None:
            loader.dispose()
    return builder.docs, builder.diags, 0


def iter_project_files(
    project: Path, shown_as: str, cache: Cache | None = None
) -> Iterator[tuple[list[Document], list[Diagnostic]]]:
    """The documents and loading problems of each source file, file by file."""
    for source in find_sources(project, shown_as):
        yield read_source(source, cache)
