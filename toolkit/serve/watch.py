"""Watching the sources: call back after every save of a YAML file under the project."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from toolkit.load.sources import SOURCE_DIRS, YAML_SUFFIXES

log = logging.getLogger(__name__)


def is_source_change(changes: Iterable[tuple[Any, str]]) -> bool:
    return any(Path(path).suffix.lower() in YAML_SUFFIXES for _, path in changes)


def fingerprint(project: Path) -> tuple[tuple[str, int, int], ...]:
    """Path, size and modification time of every YAML source file."""
    out = []
    for sub in SOURCE_DIRS:
        for path in sorted((project / sub).rglob("*")):
            if path.suffix.lower() in YAML_SUFFIXES and path.is_file():
                st = path.stat()
                out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def watch(
    project: Path,
    on_change: Callable[[frozenset[Path]], None],
    stop: threading.Event,
    seen: tuple[tuple[str, int, int], ...],
) -> None:
    """Call on_change(the changed files) after every save of a YAML file under journeys/ or
    personas/ (an empty set when only the fingerprint showed a change).

    File events drive rebuilds; on every quiet tick the sources' fingerprint is compared as
    well, against `seen` (taken before the first build), which catches saves made before
    the watcher was ready.
    """
    import watchfiles

    dirs = [str(project / d) for d in SOURCE_DIRS if (project / d).is_dir()]
    for changes in watchfiles.watch(
        *dirs,
        stop_event=stop,
        debounce=60,
        step=10,
        rust_timeout=300,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        current = fingerprint(project)
        if (changes and is_source_change(changes)) or current != seen:
            seen = current
            on_change(frozenset(Path(path) for _, path in changes or ()))
