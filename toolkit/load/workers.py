"""Workers: spread CPU-bound work (YAML parsing, page rendering) over the machine's cores.

Worker processes are forked, so they start in milliseconds with everything the parent has
loaded, and they return plain data (marshal bytes, rendered files) only. Where forking is
not safe or not possible (not Linux, threads already running, one core), the same work
runs in this process: the result is identical either way, only the time differs.
"""

from __future__ import annotations

import marshal
import multiprocessing
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from toolkit.common.diagnostics import Diagnostic
from toolkit.common.errors import EnvironmentFailure
from toolkit.load.cache import ParseCache, content_key, freeze, thaw
from toolkit.load.sources import (
    MAX_FILE_BYTES,
    Document,
    SourceFile,
    find_sources,
    parse_bytes,
)

T = TypeVar("T")

# Below this many bytes of YAML to parse, forking costs more than it saves.
PARALLEL_MIN_BYTES = 256 * 1024
# Parses go back in runs, in loading order, so that validation here starts on the first
# runs while the workers parse the later ones.
RUNS_PER_JOB = 6


def can_fork() -> bool:
    """Forking is safe here: Linux, and no other thread that a fork could catch mid-lock."""
    return (
        sys.platform == "linux"
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def process_pool(jobs: int) -> Executor | None:
    """A pool of `jobs` forked workers, or None when work should stay in this process."""
    if jobs < 2 or not can_fork():
        return None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))


def in_runs(items: Sequence[T], weight: Callable[[T], int], parts: int) -> list[list[T]]:
    """Items cut, in their order, into about `parts` runs of similar total weight.

    A run ends before the item that would take it past its share by more than half of
    that item's weight, so an item heavier than a share gets a run of its own.
    """
    share = sum(weight(item) for item in items) / max(1, parts)
    runs: list[list[T]] = []
    load = 0.0
    for item in items:
        w = weight(item)
        if not runs or load + w / 2 > share:
            runs.append([])
            load = 0.0
        runs[-1].append(item)
        load += w
    return runs


# --- parsing -------------------------------------------------------------------------------


def parse_chunk(chunk: list[tuple[str, bytes]]) -> list[bytes]:
    """In a worker: parse each (display, raw) file; the result as marshal bytes per file."""
    return [marshal.dumps(freeze(*parse_bytes(raw, display))) for display, raw in chunk]


class Prefetch:
    """A parse cache whose misses are parsed ahead, on every core, while the caller goes on.

    start() reads the sources, looks each up in the wrapped cache (if any) and hands the
    misses to forked workers; loading then asks get() as it would ask the cache, and waits
    only for the files not parsed yet. Parses are also stored in the wrapped cache.
    """

    def __init__(
        self,
        inner: ParseCache | None,
        jobs: int,
        min_bytes: int | None = None,
    ) -> None:
        self.inner = inner
        self.jobs = jobs
        self.min_bytes = PARALLEL_MIN_BYTES if min_bytes is None else min_bytes
        self.pending: dict[str, tuple[Future[list[bytes]], int]] = {}
        self.pool: Executor | None = None

    def key(self, raw: bytes) -> str:
        return self.inner.key(raw) if self.inner is not None else content_key(raw)

    def start(self, sources: list[SourceFile]) -> None:
        todo: list[tuple[str, bytes, str]] = []
        for source in sources:
            if source.refusal is not None:
                continue  # read_source reports it, never reading the file
            try:
                if source.path.stat().st_size > MAX_FILE_BYTES:
                    continue
                raw = source.path.read_bytes()
            except OSError:
                continue  # read_source reports it
            key = self.key(raw)
            if self.inner is None or not self.inner.has(key):
                todo.append((source.display, raw, key))
        if not todo or sum(len(raw) for _, raw, _ in todo) < self.min_bytes:
            return
        self.pool = process_pool(min(self.jobs, len(todo)))
        if self.pool is None:
            return
        for chunk in in_runs(todo, lambda t: len(t[1]), self.jobs * RUNS_PER_JOB):
            future = self.pool.submit(parse_chunk, [(display, raw) for display, raw, _ in chunk])
            for i, (_, _, key) in enumerate(chunk):
                self.pending[key] = (future, i)

    def get(self, key: str, display: str) -> tuple[list[Document], list[Diagnostic]] | None:
        if key not in self.pending:
            return None if self.inner is None else self.inner.get(key, display)
        future, i = self.pending.pop(key)
        docs, diags = thaw(marshal.loads(future.result()[i]), display)
        if self.inner is not None:
            self.inner.put(key, docs, diags)
        return docs, diags

    def put(self, key: str, docs: list[Document], diags: list[Diagnostic]) -> None:
        if self.inner is not None:
            self.inner.put(key, docs, diags)

    def close(self) -> None:
        """Stop the workers and wait for them (and the pool's thread) to be gone."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.pending.clear()


def prefetch(
    project: Path,
    shown: str,
    inner: ParseCache | None,
    jobs: int,
    min_bytes: int | None = None,
) -> Prefetch:
    """Start parsing the project's changed sources on `jobs` cores (none when they are fewer
    than min_bytes, default PARALLEL_MIN_BYTES); see Prefetch."""
    ahead = Prefetch(inner, jobs, min_bytes)
    ahead.start(find_sources(project, shown))
    return ahead


# --- rendering -----------------------------------------------------------------------------


class WorkerError(RuntimeError):
    """A forked worker failed; carries its traceback text."""


def _child(call: Callable[[], T], conn: Connection) -> None:
    try:
        conn.send(("ok", call()))
    except BaseException as exc:  # noqa: BLE001 (reported to the parent, which raises)
        conn.send(_failure(exc, traceback.format_exc()))
    finally:
        conn.close()


def _failure(exc: BaseException, text: str) -> tuple[str, object]:
    """What a child reports: an EnvironmentFailure as itself (the parent raises it again, so
    a failing tool is reported as one), anything else as its traceback text."""
    if isinstance(exc, EnvironmentFailure):
        try:
            return ("raise", pickle.loads(pickle.dumps(exc)))
        except Exception:  # noqa: BLE001 (one that does not pickle: its text, then)
            pass
    return ("error", text)


def fork_each(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Each call's result, in order: the first runs here, every other in a forked child.

    Children inherit this process's objects (a compiled graph is not copied or pickled);
    only their results travel back, pickled through a pipe. Without fork (see can_fork)
    every call runs here, one after another.
    """
    if len(calls) < 2 or not can_fork():
        return [call() for call in calls]
    ctx = multiprocessing.get_context("fork")
    children = []
    for call in calls[1:]:
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(call, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    try:
        results = [calls[0]()]
        for child, receive in children:
            try:
                status, value = receive.recv()
            except EOFError:
                raise WorkerError(f"worker exited with code {child.exitcode}") from None
            if status == "raise" and isinstance(value, EnvironmentFailure):
                raise value
            if status != "ok":
                raise WorkerError(value)
            results.append(value)
        return results
    finally:
        for child, receive in children:
            receive.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
