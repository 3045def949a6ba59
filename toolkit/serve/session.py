"""A live-reload session, as MkDocs' `serve` runs one: build, serve, and build again after
every save, with the builder passed in as a callback.

The session knows nothing of journeys: `build(changed)` is called once with None, then with
the files each save changed; the HTTP server (toolkit.serve.server) serves the output folder
and tells open pages about the builds through the LiveState the builder updates. `report`
receives what a person should read; the command line prints it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.serve.server import Download, make_server
from toolkit.serve.state import LiveState
from toolkit.serve.watch import fingerprint, watch

# A build after a save of these files (None: the first), told whether a newer save is
# waiting: (ok, lines to show, output paths it changed).
Builder = Callable[[Collection[Path] | None, Callable[[], bool]], tuple[bool, list[str], list[str]]]


class Saves:
    """The saves the watcher saw and no build has taken yet, merged (thread-safe)."""

    def __init__(self) -> None:
        self._files: set[Path] | None = None
        self._ready = threading.Condition()

    def add(self, changed: Collection[Path]) -> None:
        with self._ready:
            self._files = {*(self._files or ()), *changed}
            self._ready.notify_all()

    def waiting(self) -> bool:
        with self._ready:
            return self._files is not None

    def take(self, timeout: float) -> frozenset[Path] | None:
        """Every file saved since the last take, or None after `timeout` seconds of quiet."""
        with self._ready:
            if self._files is None:
                self._ready.wait(timeout)
            files, self._files = self._files, None
        return None if files is None else frozenset(files)


@dataclass(frozen=True)
class Session:
    """Where to watch, what to serve, and how to build."""

    watched: Path  # the project folder: its personas/ and journeys/ are watched
    served: Path  # the output folder
    state: LiveState
    build: Builder
    report: Callable[[str], None]
    downloads: Mapping[str, Download] = field(default_factory=dict)  # made when asked for

    def build_once(
        self, changed: Collection[Path] | None, superseded: Callable[[], bool] = lambda: False
    ) -> None:
        started = time.perf_counter()
        ok, lines, written = self.build(changed, superseded)
        for line in lines:
            self.report(line)
        ms = (time.perf_counter() - started) * 1000
        if ok:
            self.report(f"built in {ms:.0f} ms, {len(written)} file(s) changed")
        else:
            self.report(f"build failed in {ms:.0f} ms; the last good output stays")

    def run(
        self, host: str, port: int, stop: threading.Event, ready: Callable[[int], None]
    ) -> None:
        """Build, serve on host:port, rebuild after every save until `stop` is set.

        `ready(port)` is called once the server listens; OSError when it cannot listen.
        The watcher runs in its own thread and only queues the saves, so that a build can
        see a newer save waiting and give the rest of its work up to it.
        """
        seen = fingerprint(self.watched)  # before the first build: a save during it counts
        self.build_once(None)
        server = make_server(host, port, self.served, self.state, downloads=self.downloads)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        ready(server.server_port)
        saves = Saves()
        watcher = threading.Thread(
            target=watch, args=(self.watched, saves.add, stop, seen), daemon=True
        )
        watcher.start()
        try:
            while not stop.is_set() and watcher.is_alive():
                changed = saves.take(timeout=0.2)
                if changed is not None:
                    self.build_once(changed, saves.waiting)
        finally:
            stop.set()
            watcher.join(timeout=2)
            server.shutdown()
            server.server_close()
