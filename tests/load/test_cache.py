"""The parse cache: hits for unchanged files, never trusts a bad entry, exact diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.load.cache import ParseCache, content_key
from toolkit.load.sources import SourceFile, read_source
from toolkit.pipeline import compile_project

BROKEN = "kind: persona\nid: a\nname: A\nname: B\n"


class CountingCache(ParseCache):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.hits = 0
        self.puts = 0

    def get(self, key, display):  # type: ignore[no-untyped-def]
        found = super().get(key, display)
        self.hits += found is not None
        return found

    def put(self, key, docs, diags):  # type: ignore[no-untyped-def]
        self.puts += 1
        super().put(key, docs, diags)


def _source(tmp_path: Path, text: str, name: str = "p.yaml") -> SourceFile:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return SourceFile(path, f"personas/{name}")


def test_second_read_is_a_hit_with_identical_result(tmp_path: Path) -> None:
    cache = CountingCache(tmp_path / "cache")
    src = _source(tmp_path, "kind: persona\nid: a\nname: 'No'\ngoals: [x, y]\n")
    first = read_source(src, cache)
    second = read_source(src, cache)
    assert (cache.puts, cache.hits) == (1, 1)
    assert second == first
    assert second[0][0].data == {"kind": "persona", "id": "a", "name": "No", "goals": ["x", "y"]}
    assert second[0][0].loc(("goals", 1)).line == 4


def test_cached_diagnostics_keep_file_line_and_column(tmp_path: Path) -> None:
    cache = CountingCache(tmp_path / "cache")
    src = _source(tmp_path, BROKEN)
    read_source(src, cache)
    renamed = SourceFile(src.path, "personas/other.yaml")
    docs, diags = read_source(renamed, cache)
    assert cache.hits == 1
    assert [d.render() for d in diags] == [
        "personas/other.yaml:4:1: error duplicate-key: duplicate key 'name' (first at line 3)"
        " (each key may appear once in a mapping)"
    ]
    assert docs[0].file == "personas/other.yaml"


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-3],  # truncated
        lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:],  # flipped byte: checksum mismatch
        lambda b: b"XXXX" + b[4:],  # wrong magic
        lambda b: b"",  # empty
    ],
)
def test_corrupt_entry_is_ignored_and_rewritten(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = CountingCache(tmp_path / "cache")
    src = _source(tmp_path, "kind: persona\nid: a\nname: A\n")
    expected = read_source(src, cache)
    entry = cache._path(content_key(src.path.read_bytes()))
    entry.write_bytes(damage(entry.read_bytes()))
    assert read_source(src, cache) == expected
    assert (cache.hits, cache.puts) == (0, 2)
    assert read_source(src, cache) == expected
    assert cache.hits == 1


def test_key_depends_on_content_only(tmp_path: Path) -> None:
    assert content_key(b"a: 1\n") == content_key(b"a: 1\n")
    assert content_key(b"a: 1\n") != content_key(b"a: 2\n")


def test_compile_with_cache_equals_cold(example_copy: Path, tmp_path: Path) -> None:
    cache = CountingCache(tmp_path / "cache")
    cold = compile_project(example_copy, cache=None)
    compile_project(example_copy, cache=cache)
    warm = compile_project(example_copy, cache=cache)
    files = len(list(example_copy.rglob("*.yaml")))
    assert (cache.puts, cache.hits) == (files, files)
    assert warm.diagnostics == cold.diagnostics
    assert warm.graph is not None and cold.graph is not None
    assert dict(warm.graph.nodes(data=True)) == dict(cold.graph.nodes(data=True))


def test_no_cache_flag_neither_reads_nor_writes(example_copy: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    cache_dir = tmp_path / "cli-cache"
    env = {**os.environ, "JOURNEY_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-m", "toolkit", "check", str(example_copy)]
    cold = subprocess.run([*cmd, "--no-cache"], env=env, capture_output=True, text=True)
    assert cold.returncode == 0 and not cache_dir.exists()
    warm = subprocess.run(cmd, env=env, capture_output=True, text=True)
    sources = len(list(example_copy.rglob("*.yaml")))
    parses = [p for p in cache_dir.rglob("*.bin") if p.parent.name != "results"]
    assert warm.returncode == 0 and len(parses) == sources
    assert len(list((cache_dir / "results").glob("*.bin"))) == 1
    assert warm.stdout == cold.stdout
