"""One way for every command to get its pipeline (as dbt-core's cli/requires.py loads its
manifest once, in one decorator, for every command that needs it).

`@pipeline` goes under a command's click decorators: it turns the command's PROJECT argument
and --no-cache option (and --jobs, where the command has it) into a toolkit.pipeline.Pipeline
with the parse cache, the parse-ahead workers and the one-shot setting, and hands it to the
command as `pipeline=`. The command asks it for what it needs and prints.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from toolkit.load.cache import ParseCache
    from toolkit.pipeline import Compiled, Pipeline

MAX_DEFAULT_JOBS = 8


def default_jobs() -> int:
    """Render jobs when --jobs is not given: the machine's cores, at most MAX_DEFAULT_JOBS."""
    return max(1, min(MAX_DEFAULT_JOBS, os.cpu_count() or 1))


def parse_cache(no_cache: bool) -> ParseCache | None:
    """The on-disk parse cache (None with --no-cache)."""
    from toolkit.load.cache import ParseCache, default_dir

    return None if no_cache else ParseCache(default_dir())


def libyaml_note() -> str | None:
    """A note when this run parsed YAML without libyaml, None otherwise. Asked once the
    command is done, so that a check answered from the result cache never imports PyYAML."""
    if "yaml" not in sys.modules:
        return None
    from toolkit.load.sources import has_libyaml

    if has_libyaml():
        return None
    return (
        "journey: PyYAML was built without libyaml; loading is about 4x slower "
        "(reinstall PyYAML with libyaml-dev present)"
    )


def pipeline_for(
    project: Path,
    no_cache: bool = False,
    jobs: int | None = None,
    *,
    shown_as: str | None = None,
    live: bool = False,
) -> Pipeline:
    """The pipeline of a command run: caches unless --no-cache, every core, one shot."""
    from toolkit.common.machine import usable_cores
    from toolkit.pipeline import Pipeline, Settings

    ctx = click.get_current_context(silent=True)
    one_shot = bool(ctx and (ctx.find_root().obj or {}).get("one_shot")) and not live
    settings = Settings(
        project,
        shown_as,
        parse_cache(no_cache),
        jobs=jobs or default_jobs(),
        parse_jobs=usable_cores(),
        one_shot=one_shot,
        live=live,
    )
    return Pipeline(settings)


def pipeline(command: Callable[..., int]) -> Callable[..., int]:
    """Decorator: replace the command's `project`/`no_cache`/`jobs` arguments by `pipeline`."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> int:
        project = kwargs.pop("project")
        no_cache = kwargs.pop("no_cache", False)
        jobs = kwargs.pop("jobs", None)
        return command(*args, pipeline=pipeline_for(project, no_cache, jobs), **kwargs)

    return run


def compiled_or_report(pipeline: Pipeline, warnings: bool = True) -> Compiled | None:
    """The pipeline's compiled project (phases 1-4), or None once its errors are printed
    (the command then exits 1); with `warnings`, a usable project's warnings are printed."""
    from toolkit.cli.options import report

    compiled = pipeline.compiled()
    if compiled.graph is None or not compiled.ok:
        report(compiled.diagnostics, "text", err=True)
        return None
    if warnings and compiled.diagnostics:
        report(compiled.diagnostics, "text", err=True)
    return compiled
