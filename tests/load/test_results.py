"""The result cache of `journey check`: a check of unchanged sources is answered without loading.

Each test gets its own cache folder. A hit is proven by breaking the pipeline: a check that
still answers did not compile anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from projects import run_cli

from toolkit.common.diagnostics import Diagnostic
from toolkit.load.results import ResultCache, code_digest, project_key
from toolkit.model import project as project_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("JOURNEY_CACHE_DIR", str(folder))
    return folder


def broken_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("compiled although nothing changed")

    monkeypatch.setattr(project_module, "load_project", broken)


@pytest.mark.parametrize(
    "fixture", ["warnings", "duplicate-key", "unknown-ref", "yaml-syntax", "many-errors"]
)
def test_cached_answer_equals_a_cold_check(
    fixture: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = str(FIXTURES / fixture)
    cold = run_cli(capsys, "check", project, "--no-cache")
    assert run_cli(capsys, "check", project) == cold  # computes and stores
    broken_pipeline(monkeypatch)
    assert run_cli(capsys, "check", project) == cold  # answered from the cache
    cached_json = run_cli(capsys, "check", project, "--format", "json")
    monkeypatch.undo()
    assert cached_json == run_cli(capsys, "check", project, "--format", "json", "--no-cache")


def test_strict_and_ignore_apply_to_a_cached_answer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = str(FIXTURES / "warnings")
    assert run_cli(capsys, "check", project)[0] == 0
    broken_pipeline(monkeypatch)
    code, _, err = run_cli(capsys, "check", project, "--strict")
    assert (code, err) == (1, "4 error(s), 0 warning(s)\n")
    ignore = ("--ignore", "seller-absent", "--ignore", "content-gap")
    code, _, err = run_cli(capsys, "check", project, "--strict", *ignore)
    assert (code, err) == (1, "2 error(s), 0 warning(s)\n")


def test_an_edit_an_added_and_a_removed_file_each_miss(
    example_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = str(example_copy)
    run_cli(capsys, "check", project)
    broken_pipeline(monkeypatch)
    assert run_cli(capsys, "check", project)[0] == 0
    journey = sorted((example_copy / "journeys").rglob("*.yaml"))[-1]
    original = journey.read_bytes()

    journey.write_bytes(original + b"# a comment changes the bytes\n")
    assert run_cli(capsys, "check", project)[0] == 2  # it had to compile: a miss
    journey.write_bytes(original)
    assert run_cli(capsys, "check", project)[0] == 0  # the old answer is still there

    extra = example_copy / "personas" / "extra.yaml"
    extra.write_text("kind: persona\nid: extra\nname: Extra\n", encoding="utf-8")
    assert run_cli(capsys, "check", project)[0] == 2
    extra.unlink()
    assert run_cli(capsys, "check", project)[0] == 0
    journey.unlink()
    assert run_cli(capsys, "check", project)[0] == 2


def test_no_cache_neither_reads_nor_writes_results(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> None:
    project = str(FIXTURES / "warnings")
    run_cli(capsys, "check", project, "--no-cache")
    assert not cache_dir.exists()
    run_cli(capsys, "check", project)
    assert len(list((cache_dir / "results").glob("*.bin"))) == 1
    broken_pipeline(monkeypatch)
    assert run_cli(capsys, "check", project, "--no-cache")[0] == 2


@pytest.mark.parametrize("damage", [b"", b"JTC1" + b"\0" * 40, b"garbage" * 10])
def test_a_corrupt_entry_is_recomputed(
    damage: bytes, capsys: pytest.CaptureFixture[str], cache_dir: Path
) -> None:
    project = str(FIXTURES / "warnings")
    first = run_cli(capsys, "check", project)
    (entry,) = (cache_dir / "results").glob("*.bin")
    entry.write_bytes(damage)
    assert run_cli(capsys, "check", project) == first
    assert entry.read_bytes()[:4] == b"JTC1"  # rewritten


def test_key_covers_code_name_and_every_source(example_copy: Path) -> None:
    key = project_key(example_copy, "p", b"code")
    assert key is not None and key == project_key(example_copy, "p", b"code")
    assert project_key(example_copy, "p", b"other code") != key
    assert project_key(example_copy, "q", b"code") != key
    hidden = example_copy / "journeys" / ".draft.yaml"
    hidden.write_text("kind: persona\n", encoding="utf-8")
    assert project_key(example_copy, "p", b"code") == key  # hidden files are not sources
    stage_file = example_copy / "journeys" / "stages.yaml"
    shutil.move(stage_file, example_copy / "journeys" / "stages2.yaml")
    assert project_key(example_copy, "p", b"code") != key  # a renamed file


def test_code_digest_follows_the_code(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = code_digest(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert code_digest(tmp_path) != before


def test_prune_keeps_the_newest_entries(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path)
    diag = Diagnostic("warning", "content-gap", "m", "f.yaml", 1, 2, "h")
    for n in range(5):
        cache.put(f"{n:064x}", [diag])
        os.utime(cache._path(f"{n:064x}"), ns=(n * 10**9, n * 10**9))
    cache.prune(keep=2)
    assert sorted(p.stem for p in cache.root.glob("*.bin")) == [f"{3:064x}", f"{4:064x}"]
    assert cache.get(f"{4:064x}") == [diag]
    assert cache.get(f"{0:064x}") is None


def test_a_cached_check_does_not_import_the_heavy_libraries(
    example_copy: Path, cache_dir: Path
) -> None:
    probe = (
        "import sys\n"
        "from toolkit.cli.main import main\n"
        "try:\n"
        f"    main(['check', {str(example_copy)!r}])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = sorted(m for m in ('pydantic', 'networkx', 'jinja2') if m in sys.modules)\n"
        "print('RESULT', code, heavy, file=sys.stderr)\n"
    )
    env = {**os.environ, "JOURNEY_CACHE_DIR": str(cache_dir)}
    cmd = [sys.executable, "-c", probe]
    cold = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert "RESULT 0 ['networkx', 'pydantic']" in cold.stderr
    warm = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    assert "RESULT 0 []" in warm.stderr
    assert warm.stdout == cold.stdout
