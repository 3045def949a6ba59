"""The state pages of `journey serve` follow: the last good build's number, the errors, and
which files each step of a build wrote (so that an open page knows whether it changed)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

LOG_SIZE = 256  # steps remembered; a page further behind than this simply reloads


@dataclass
class LiveState:
    """What the pages follow: the number of the last good build, the current errors, and a
    log of the files written, one entry per step of a build (`seq` counts the steps).

    `changed` is a condition on `lock`: every update notifies it, so that the event streams
    (toolkit.serve.server) wake up at once. `boot` tells this server's steps from another's,
    for a page that outlived a restart.
    """

    version: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seq: int = 0
    boot: str = field(default_factory=lambda: secrets.token_hex(4))
    log: deque[tuple[int, frozenset[str]]] = field(default_factory=lambda: deque(maxlen=LOG_SIZE))
    changed: threading.Condition = field(init=False)
    # open pages per file (their event streams), and how often each file was served
    followers: Counter[str] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "ok": not self.errors, "errors": list(self.errors)}

    def update(
        self,
        *,
        errors: list[dict[str, Any]] | None = None,
        written: Iterable[str] = (),
        built: bool = False,
        new_output: bool = False,
    ) -> None:
        """One step of a build: the files it wrote (paths relative to OUT), the errors now
        (None: unchanged) and whether a build just succeeded (`built`; counted when it
        changed the output, or when it is the first). Wakes every waiting stream."""
        paths = frozenset(written)
        with self.changed:
            if errors is not None:
                self.errors = list(errors)
            if built and (new_output or self.version == 0):
                self.version += 1
            self.seq += 1
            self.log.append((self.seq, paths))
            self.changed.notify_all()

    def follow(self, file: str, step: int) -> None:
        """An open page of FILE starts (step 1) or stops (step -1) following the build."""
        with self.lock:
            self.followers[file] += step
            if self.followers[file] <= 0:
                del self.followers[file]

    def page_served(self, file: str) -> None:
        with self.changed:
            self.served[file] += 1
            self.changed.notify_all()

    def await_pages(self, files: Iterable[str], timeout: float) -> None:
        """Wait (at most `timeout` seconds) until every open page of these files, just told
        they changed, has fetched them: the build goes on once they are on screen."""
        end = time.monotonic() + timeout
        with self.changed:
            target = {f: self.served[f] + self.followers[f] for f in files if self.followers[f]}
            while any(self.served[f] < n for f, n in target.items()):
                left = end - time.monotonic()
                if left <= 0:
                    return
                self.changed.wait(left)

    def wake(self) -> None:
        """Wake every waiting stream (the server is stopping)."""
        with self.changed:
            self.changed.notify_all()

    def position(self) -> tuple[str, int]:
        """Where a page served now starts following from: (boot, seq)."""
        with self.lock:
            return self.boot, self.seq

    def event(self, boot: str, seen: int) -> dict[str, Any]:
        """The state for a page that has seen every step up to `seen` of server `boot`:
        the errors, and the files written since (None when that is not known: another
        server, or further back than the log)."""
        with self.lock:
            return self._event(boot, seen)

    def wait(self, boot: str, seen: int, timeout: float) -> dict[str, Any] | None:
        """The event once a step after `seen` happened; None after `timeout` seconds without
        one (or when woken by `wake`)."""
        with self.changed:
            if boot == self.boot and self.seq == seen:
                self.changed.wait(timeout)
            if boot == self.boot and self.seq == seen:
                return None
            return self._event(boot, seen)

    def _event(self, boot: str, seen: int) -> dict[str, Any]:
        written: list[str] | None
        first = self.log[0][0] if self.log else self.seq + 1
        if boot != self.boot or seen > self.seq or seen + 1 < first:
            written = None
        else:
            written = sorted({p for s, paths in self.log if s > seen for p in paths})
        return {
            "boot": self.boot,
            "seq": self.seq,
            "version": self.version,
            "ok": not self.errors,
            "errors": list(self.errors),
            "written": written,
        }
