"""Parsing on several cores (toolkit.load.workers): the documents and diagnostics of one."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from toolkit.load.cache import ParseCache
from toolkit.load.sources import find_sources
from toolkit.load.workers import Prefetch, can_fork, in_runs, prefetch
from toolkit.pipeline import compile_project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
needs_fork = pytest.mark.skipif(not can_fork(), reason="forking workers needs Linux")


def test_in_runs_keeps_order_and_evens_the_weight() -> None:
    items = ["aaaa", "b", "cc", "ddd", "e", "ffff"]
    assert in_runs(items, len, 2) == [["aaaa", "b", "cc"], ["ddd", "e", "ffff"]]
    assert in_runs(items, len, 4) == [["aaaa"], ["b", "cc"], ["ddd", "e"], ["ffff"]]
    assert in_runs(items, len, 1) == [items]
    assert in_runs(items, len, 10) == [[x] for x in items]
    assert in_runs([], len, 2) == []


@needs_fork
@pytest.mark.parametrize("fixture", ["many-errors", "yaml-syntax", "duplicate-key", "warnings"])
def test_parallel_parse_gives_the_same_result(fixture: str) -> None:
    root = FIXTURES / fixture
    alone = compile_project(root, "p")
    ahead = prefetch(root, "p", None, 2, min_bytes=0)
    assert ahead.pool is not None and ahead.pending  # the work really went to workers
    together = compile_project(root, "p", cache=ahead)
    ahead.close()
    assert can_fork()  # no thread of the pool is left behind
    assert together.diagnostics == alone.diagnostics
    assert [e.model for e in together.project.journeys] == [e.model for e in alone.project.journeys]


@needs_fork
def test_parallel_parses_fill_the_parse_cache(example_copy: Path, tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / "cache")
    ahead = prefetch(example_copy, "", cache, 2, min_bytes=0)
    sources = len(find_sources(example_copy, ""))
    assert len(ahead.pending) == sources
    compiled = compile_project(example_copy, cache=ahead)
    ahead.close()
    assert compiled.ok
    assert len(list((tmp_path / "cache").rglob("*.bin"))) == sources
    again = prefetch(example_copy, "", cache, 2, min_bytes=0)
    assert not again.pending and again.pool is None  # every file is a cache hit now


def test_small_projects_and_one_core_stay_in_process(example_copy: Path) -> None:
    assert prefetch(example_copy, "", None, 2).pool is None  # under PARALLEL_MIN_BYTES
    assert prefetch(example_copy, "", None, 1, min_bytes=0).pool is None


def test_no_fork_while_other_threads_run(example_copy: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not can_fork()
        ahead = Prefetch(None, 2, min_bytes=0)
        ahead.start(find_sources(example_copy, ""))
        assert ahead.pool is None and not ahead.pending
    finally:
        stop.set()
        thread.join()


@needs_fork
def test_a_started_pipeline_parses_ahead_and_load_takes_the_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from toolkit.load import workers
    from toolkit.pipeline import Pipeline, Settings

    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0)
    root = FIXTURES / "warnings"
    pipeline = Pipeline(Settings(root, "p", parse_jobs=2))
    pipeline.start()
    ahead = pipeline.ahead
    assert ahead is not None and ahead.pool is not None and ahead.pending
    compiled = pipeline.compiled()
    assert pipeline.ahead is None and ahead.pool is None and not ahead.pending
    assert can_fork()  # the pool and its thread are gone
    alone = compile_project(root, "p")
    assert compiled.diagnostics == alone.diagnostics
    assert [e.model for e in compiled.project.journeys] == [e.model for e in alone.project.journeys]


def test_one_core_or_a_live_pipeline_starts_nothing() -> None:
    from toolkit.pipeline import Pipeline, Settings

    one = Pipeline(Settings(FIXTURES / "warnings", "p", parse_jobs=1))
    one.start()
    assert one.ahead is None
    live = Pipeline(Settings(FIXTURES / "warnings", "p", parse_jobs=2, live=True))
    live.start()
    assert live.ahead is None


def test_build_starts_parsing_before_it_imports_the_renderers(
    example_copy: Path, tmp_path: Path
) -> None:
    """The parse workers are forked while the process is small, and the renderers' import
    (pydantic, networkx, Jinja2) overlaps the parse; openpyxl only comes with xlsx."""
    probe = (
        "import sys\n"
        "import toolkit.pipeline as P\n"
        "seen = []\n"
        "start = P.Pipeline.start\n"
        "def spy(self):\n"
        "    heavy = ('pydantic', 'networkx', 'jinja2', 'openpyxl', 'toolkit.render.registry')\n"
        "    seen.append(sorted(m for m in heavy if m in sys.modules))\n"
        "    start(self)\n"
        "P.Pipeline.start = spy\n"
        "from toolkit.cli.main import main\n"
        "try:\n"
        f"    main(['build', {str(example_copy)!r}, '-o', {str(tmp_path / 'out')!r},"
        " '--format', 'html,json', '--no-cache'])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('RESULT', code, seen[0], 'openpyxl' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "RESULT 0 [] False" in done.stderr, done.stderr[-2000:]
