"""Failures outside the project: a tool or the machine, not the author's YAML or a bug."""

from __future__ import annotations


class EnvironmentFailure(RuntimeError):
    """Something this machine provides failed (a tool crashed, hung or is missing).

    The command line reports it with its fix and exits 2; it is never called a bug. A forked
    worker hands it back to its parent as it is (toolkit.load.workers.fork_each).
    """

    fix: str = ""
