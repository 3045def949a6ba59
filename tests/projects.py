"""Helpers for tests: small journey projects written into a temporary folder.

``BASE`` is a tiny valid project (two customer stages, one funnel stage per stage, one
persona, one journey, two published content items) that compiles without any error or
warning. ``write_project`` writes it, with files added, replaced (same path) or removed
(value ``None``), so each test states only what differs.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from toolkit.cli.main import main
from toolkit.common.diagnostics import Diagnostic

STAGES = """\
kind: stages
stages:
  - id: aware
    label: Aware
  - id: buy
    label: Buy
"""

FUNNEL = """\
kind: funnel
roles:
  - id: marketing
  - id: sales
stages:
  - id: attract
    owners: [marketing]
    serves: [aware]
  - id: close
    owners: [sales]
    serves: [buy]
"""

PERSONA = """\
kind: persona
id: ann
name: Ann
"""

JOURNEY = """\
kind: journey
id: ann-journey
persona: ann
steps:
  aware:
    emotion: 0
    actions:
      - role: marketing
        action: Publish a guide
  buy:
    emotion: 1
    actions:
      - role: sales
        action: Send a quote
"""

CONTENT = """\
kind: content
items:
  - id: guide
    stages: [aware]
    status: published
  - id: quote-sheet
    stages: [buy]
    status: published
"""

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Every error of every failure-mode fixture: (code, file, line, column), sorted.
FIXTURE_ERRORS: dict[str, list[tuple[str, str, int, int]]] = {
    "yaml-syntax": [("yaml-syntax", "journeys/ann.yaml", 7, 12)],
    "yaml-tab": [("yaml-tab", "journeys/ann.yaml", 6, 1)],
    "yaml-alias": [("yaml-alias", "journeys/lol.yaml", 6, 36)],
    "duplicate-key": [("duplicate-key", "personas/ann.yaml", 6, 1)],
    "unsafe-tag": [
        ("unsafe-tag", "personas/ann.yaml", 3, 7),
        ("unsafe-tag", "personas/ann.yaml", 4, 8),
        ("wrong-type", "personas/ann.yaml", 3, 7),  # the tagged value is a list, not text
    ],
    "not-a-mapping": [
        ("wrong-type", "journeys/notes.yaml", 1, 1),
        ("wrong-type", "journeys/notes.yaml", 4, 1),
    ],
    "missing-kind": [("missing-kind", "personas/bob.yaml", 2, 1)],
    "unknown-kind": [("unknown-kind", "journeys/ann.yaml", 1, 7)],
    "duplicate-kind": [("duplicate-kind", "journeys/stages.yaml", 1, 7)],
    "unknown-key": [("unknown-key", "journeys/ann.yaml", 11, 5)],
    "wrong-type": [
        ("wrong-type", "journeys/ann.yaml", 11, 14),
        ("wrong-type", "personas/ann.yaml", 4, 3),
        ("wrong-type", "personas/ann.yaml", 6, 8),
    ],
    "missing-key": [
        ("missing-key", "journeys/ann.yaml", 13, 9),
        ("missing-key", "personas/ann.yaml", 1, 1),
    ],
    "bad-id": [
        ("bad-id", "journeys/stages.yaml", 5, 9),
        ("bad-id", "personas/ann.yaml", 2, 5),
    ],
    "duplicate-id": [
        ("duplicate-id", "journeys/stages.yaml", 7, 9),
        ("duplicate-id", "personas/ann.yaml", 2, 5),
    ],
    "unknown-ref": [
        ("unknown-ref", "journeys/ann.yaml", 3, 10),
        ("unknown-ref", "journeys/ann.yaml", 5, 3),
        ("unknown-ref", "journeys/ann.yaml", 8, 13),
        ("unknown-ref", "journeys/ann.yaml", 10, 15),
        ("unknown-ref", "journeys/ann.yaml", 12, 19),
        ("unknown-ref", "journeys/funnel.yaml", 11, 19),
    ],
    "missing-stages": [("missing-stages", ".", 0, 0)],
    "missing-funnel": [("missing-funnel", ".", 0, 0)],
    "bad-transition": [("bad-transition", "journeys/ann.yaml", 18, 23)],
    "bad-future-of": [
        ("invalid-value", "journeys/journeys.yaml", 14, 8),
        ("unknown-ref", "journeys/journeys.yaml", 20, 12),
        ("bad-future-of", "journeys/journeys.yaml", 25, 12),
        ("bad-future-of", "journeys/journeys.yaml", 31, 12),
        ("bad-future-of", "journeys/journeys.yaml", 37, 12),
    ],
    "missing-segment": [("missing-segment", "personas/ann.yaml", 2, 5)],
    "out-of-range": [
        ("out-of-range", "journeys/ann.yaml", 6, 14),
        ("out-of-range", "journeys/ann.yaml", 7, 12),
        ("out-of-range", "journeys/ann.yaml", 12, 14),
        ("out-of-range", "journeys/ann.yaml", 13, 12),
        ("out-of-range", "journeys/stages.yaml", 7, 16),
    ],
    "persona-or-segment": [
        ("persona-or-segment", "journeys/both.yaml", 1, 1),
        ("persona-or-segment", "journeys/neither.yaml", 1, 1),
    ],
    "many-errors": [
        ("bad-id", "journeys/content.yaml", 3, 9),
        ("duplicate-key", "journeys/funnel.yaml", 9, 5),
        ("invalid-value", "journeys/content.yaml", 8, 13),
        ("missing-key", "personas/ann.yaml", 1, 1),
        ("out-of-range", "journeys/stages.yaml", 8, 13),
        ("unknown-key", "personas/ann.yaml", 3, 1),
        ("unknown-kind", "journeys/extra.yaml", 1, 7),
        ("unknown-ref", "journeys/ann.yaml", 13, 15),
        ("yaml-tab", "personas/bob.yaml", 5, 1),
    ],
}


BASE: dict[str, str] = {
    "journeys/stages.yaml": STAGES,
    "journeys/funnel.yaml": FUNNEL,
    "personas/ann.yaml": PERSONA,
    "journeys/ann.yaml": JOURNEY,
    "journeys/content.yaml": CONTENT,
}


def write_project(
    root: Path, files: dict[str, str | bytes | None] | None = None, *, base: bool = True
) -> Path:
    """Write BASE (unless base=False) updated with files into root; return root.

    Text values are dedented and written as UTF-8; bytes are written as they are; None
    removes a BASE file.
    """
    merged: dict[str, str | bytes | None] = {**(BASE if base else {}), **(files or {})}
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    for sub in ("personas", "journeys"):
        (root / sub).mkdir(exist_ok=True)
    return root


def triples(diags: list[Diagnostic], severity: str = "error") -> list[tuple[str, str, int]]:
    """(code, file, line) of the diagnostics of one severity, sorted."""
    return sorted((d.code, d.file, d.line) for d in diags if d.severity == severity)


def places(diags: list[Diagnostic], severity: str = "error") -> list[tuple[str, str, int, int]]:
    """(code, file, line, column) of the diagnostics of one severity, sorted."""
    return sorted((d.code, d.file, d.line, d.column) for d in diags if d.severity == severity)


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file below root (plus its mode and mtime)."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[path.relative_to(root).as_posix()] = f"{digest}:{st.st_mode:o}:{st.st_mtime_ns}"
    return out


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`journey ARGS` through toolkit.cli.main.main in this process: (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    code = exc.value.code
    assert isinstance(code, int)
    return code, out, err


def hostile_copy(
    dest: Path,
    repo: Path,
    strings: Iterable[str],
    text_keys: Iterable[str],
    doing: int,
    url: str | None = None,
) -> None:
    """A copy of repo's project whose text fields hold hostile strings, in turn.

    Every key in text_keys gets the next string; every `doing` list becomes `doing` of them;
    every `url` becomes url when given.
    """
    for sub in ("personas", "journeys"):
        shutil.copytree(repo / sub, dest / sub)
    cycle = itertools.cycle(list(strings))
    keys = frozenset(text_keys)
    for path in sorted(dest.rglob("*.yaml")):
        docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        for doc in docs:
            _poison(doc, cycle, keys, doing, url)
        path.write_text(yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False), "utf-8")


def _poison(
    node: Any, cycle: Iterator[str], keys: frozenset[str], doing: int, url: str | None
) -> None:
    if isinstance(node, dict):
        for key, value in list(node.items()):
            if key in keys:
                node[key] = next(cycle)
            elif key == "doing":
                node[key] = [next(cycle) for _ in range(doing)]
            elif key == "url" and url is not None:
                node[key] = url
            else:
                _poison(value, cycle, keys, doing, url)
    elif isinstance(node, list):
        for item in node:
            _poison(item, cycle, keys, doing, url)
