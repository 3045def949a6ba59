"""The state pages of `journey serve` follow: the last good build's number and the errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LiveState:
    """What the pages poll: the number of the last good build and the current errors."""

    version: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"version": self.version, "ok": not self.errors, "errors": list(self.errors)}
