"""Benchmark `journey check` and `journey build` on generated projects of size S, M and L.

    python benchmarks/run.py [--sizes S M L] [--repeat 5] [--budget 60] [--timeout 600]
                             [--json benchmarks/results.json] [--quick] [--no-mermaid]
                             [--no-serve] [--no-browser]

For each size it generates a project (benchmarks/generate.py) in a temporary folder and
measures, as medians over the repeats (fewer for slow runs, see --budget):

- the floor: a bare YAML parse of the same files with PyYAML's CSafeLoader
  (``yaml.load_all``; ``compose_all`` and the raw event stream are reported too), in-process
  and as a fresh ``python`` process;
- the Graphviz floor: one ``dot -Tsvg`` process drawing all the build's DOT files (made by a
  ``journey build --format dot`` first), wall time;
- ``journey check`` and ``journey build`` as subprocesses (``python -m toolkit``): cold
  (``--no-cache`` when the CLI has it), warm (a second run, nothing changed) and after a
  one-file edit, with the peak memory (max RSS) of each run; and edit-to-page under
  ``journey serve`` (from saving one journey file to the server's next build);
- live reload as a person sees it (benchmarks/live_reload.py): from saving one step of one
  journey to the change in the DOM of that journey's page open in headless Chromium
  (Playwright), under ``journey serve`` (skipped with --no-browser or without Chromium);
- in-process, the time of each phase (load, validate, compile, analyse, render, write), to
  attribute the subprocess times;
- per journey: HTML map + SVG diagram versus mermaid-cli rendering one Mermaid diagram.

Each cold check and cold build runs right after a run of the floor, and its ratio is the
median of those back-to-back pairs, so that load drifting on a shared machine between
measurements does not skew it; a cold build also runs right after the Graphviz floor, and
is reported over the sum of the two floors as well (the median of those triples). It also
times Graphviz's CPU alone on the build's DOT files: with the toolkit's own parse, that CPU
time over the cores bounds any cold build.

It prints the medians, the ratios the performance issue targets (met/missed on size L) and
the machine, and writes everything as JSON (after each size, so a long run keeps its data).
A command running longer than --timeout is killed; its time is then reported as a lower
bound ('>') and the later runs that need it are skipped for that size.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import live_reload  # noqa: E402
from benchmarks.generate import SIZES, generate  # noqa: E402
from benchmarks.live_reload import EDITED_JOURNEY, edit_journey  # noqa: E402

BUILD_FORMATS = "html,dot,svg,mermaid,json,csv"
STATE_PATH = "/__journey__/state"
MMDC = REPO / "tests" / "node" / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG = REPO / "tests" / "node" / "puppeteer.json"
DEFAULT_JSON = REPO / "benchmarks" / "results.json"

LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FLOOR_SCRIPT = """\
import sys, yaml
from pathlib import Path
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
for name in Path(sys.argv[1]).read_text().splitlines():
    list(yaml.load_all(Path(name).read_text(encoding="utf-8"), Loader=loader))
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- running and timing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float
    code: int
    stderr: str
    timed_out: bool = False


@dataclass
class Limits:
    timeout: float = 600.0  # seconds before a command is killed (--timeout)


LIMITS = Limits()


class CommandFailed(Exception):
    def __init__(self, cmd: list[str], run: Run) -> None:
        tail = run.stderr.strip().splitlines()[-3:]
        super().__init__(f"{' '.join(cmd[1:4])}... exited {run.code}: {' | '.join(tail)}")
        self.run = run


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.pop("COLUMNS", None)
    return env


class CommandTimedOut(CommandFailed):
    """The command ran longer than --timeout and was killed; its time is a lower bound."""


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_process(cmd: list[str], cwd: Path = REPO) -> Run:
    """Run cmd; wall time and the max RSS of the process (and the children it waited for).

    A command still running after LIMITS.timeout seconds is killed with its children.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_env(),
            start_new_session=True,
        )
        killer = threading.Timer(LIMITS.timeout, kill_group, (proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    timed_out = seconds >= LIMITS.timeout and proc.returncode == -signal.SIGKILL
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, text[-4000:], timed_out)


def run_ok(cmd: list[str]) -> Run:
    run = run_process(cmd)
    if run.timed_out:
        raise CommandTimedOut(cmd, run)
    if run.code != 0:
        raise CommandFailed(cmd, run)
    return run


def journey_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "toolkit", *args]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


T = TypeVar("T")


@dataclass(frozen=True)
class Reps:
    """How often a measurement runs: count times, or fewer once budget seconds are spent."""

    count: int
    budget: float

    def collect(self, fn: Callable[[int], T], cost: Callable[[T], float]) -> list[T]:
        out: list[T] = []
        spent = 0.0
        for i in range(self.count):
            out.append(fn(i))
            spent += cost(out[-1])
            if spent >= self.budget:
                break
        return out

    def runs(self, fn: Callable[[int], Run]) -> list[Run]:
        return self.collect(fn, lambda run: run.seconds)

    def times(self, fn: Callable[[], object]) -> list[float]:
        return self.collect(lambda _i: timed(fn), lambda seconds: seconds)


def stats(seconds: list[float], rss: list[float] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "runs": len(seconds),
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "runs_s": [round(s, 4) for s in seconds],
    }
    if rss:
        out["median_rss_mb"] = statistics.median(rss)
        out["max_rss_mb"] = max(rss)
    return out


def run_stats(runs: list[Run]) -> dict[str, Any]:
    return stats([r.seconds for r in runs], [r.rss_mb for r in runs])


def run_series(reps: Reps, fn: Callable[[int], Run]) -> dict[str, Any]:
    """Stats of repeated runs; after a timeout, the killed run's time as a lower bound."""
    try:
        return run_stats(reps.runs(fn))
    except CommandTimedOut as exc:
        return {
            "runs": 0,
            "timed_out": True,
            "median_s": exc.run.seconds,
            "median_rss_mb": exc.run.rss_mb,
            "max_rss_mb": exc.run.rss_mb,
            "note": f"killed after --timeout {LIMITS.timeout:g} s: the time is a lower bound",
        }


# --- the machine and the CLI ---------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_mb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def tool_version(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout + done.stderr).strip()
    return text.splitlines()[0] if done.returncode == 0 and text else None


def machine() -> dict[str, Any]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": affinity,
        "memory_mb": memory_mb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)) and hasattr(yaml, "CSafeLoader"),
        "graphviz": tool_version(["dot", "-V"]) if shutil.which("dot") else None,
        "mermaid_cli": tool_version([str(MMDC), "--version"]) if mmdc_available() else None,
        "toolkit_commit": tool_version(["git", "-C", str(REPO), "describe", "--always", "--dirty"]),
    }


def mmdc_available() -> bool:
    return MMDC.is_file() and os.access(MMDC, os.X_OK)


def has_no_cache(command: str) -> bool:
    done = subprocess.run(
        journey_cmd(command, "--help"),
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=REPO,
        check=False,
    )
    return "--no-cache" in done.stdout


# --- what is measured ----------------------------------------------------------------------------


def source_files(project: Path) -> list[Path]:
    """The YAML files the toolkit reads (personas/ and journeys/, hidden paths skipped)."""
    found = []
    for sub in ("personas", "journeys"):
        for path in (project / sub).rglob("*"):
            rel = path.relative_to(project)
            hidden = any(part.startswith(".") for part in rel.parts)
            if not hidden and path.suffix.lower() in (".yaml", ".yml") and path.is_file():
                found.append(path)
    return sorted(found)


def parse_all(files: list[Path], how: str) -> None:
    for path in files:
        text = path.read_text(encoding="utf-8")
        if how == "load_all":
            list(yaml.load_all(text, Loader=LOADER))
        elif how == "compose_all":
            list(yaml.compose_all(text, Loader=LOADER))
        else:
            for _ in yaml.parse(text, Loader=LOADER):
                pass


def floor_cmd(files: list[Path], work: Path) -> list[str]:
    """The floor as a command: a fresh python running yaml.load_all on every file."""
    listing = work / "files.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    return [sys.executable, "-c", FLOOR_SCRIPT, str(listing)]


def dot_floor_cmd(project: Path, work: Path, flags: Flags) -> list[str] | None:
    """The Graphviz floor as a command: one `dot -Tsvg` process over every DOT file of the
    build (written by `journey build --format dot`); None without Graphviz."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    out = work / "dot-floor"
    shutil.rmtree(out, ignore_errors=True)
    run_ok(build_cmd(project, out, *flags.build, formats="dot"))
    files = sorted(str(p) for p in (out / "diagrams").glob("*.dot"))
    return [exe, "-Tsvg", "-O", *files]


def dot_floor(cmd: list[str], reps: Reps) -> dict[str, Any]:
    """The Graphviz floor's runs (wall time), and how many DOT files it draws."""
    return {"files": len(cmd) - 3, **run_stats(reps.runs(lambda _i: run_ok(cmd)))}


def bare_parse(files: list[Path], reps: Reps, work: Path) -> dict[str, Any]:
    out = {
        how: stats(reps.times(lambda how=how: parse_all(files, how)))
        for how in ("load_all", "compose_all", "events")
    }
    cmd = floor_cmd(files, work)
    out["load_all_subprocess"] = run_stats(reps.runs(lambda _i: run_ok(cmd)))
    return out


@dataclass
class Flags:
    check: list[str] = field(default_factory=list)
    build: list[str] = field(default_factory=list)


def build_cmd(project: Path, out: Path, *extra: str, formats: str = BUILD_FORMATS) -> list[str]:
    return journey_cmd("build", str(project), "-o", str(out), "--format", formats, *extra)


def warm_up(project: Path, work: Path, flags: Flags) -> None:
    """One untimed check and build: Python bytecode and the OS file cache are ready after."""
    for cmd in (
        journey_cmd("check", str(project), *flags.check),
        build_cmd(project, work / "out-warm-up", *flags.build),
    ):
        with contextlib.suppress(CommandTimedOut):
            run_ok(cmd)
    shutil.rmtree(work / "out-warm-up", ignore_errors=True)


def cold_runs(
    project: Path,
    work: Path,
    reps: Reps,
    flags: Flags,
    warm_up_first: bool,
    floor: list[str],
    dot_floor: list[str] | None = None,
) -> dict[str, Any]:
    """Cold checks and builds, each right after a run of the floor (a build also after a run
    of the Graphviz floor, when given).

    On a shared machine the load drifts between measurements; a ratio taken from each
    (floor, command) pair run back to back is less exposed to that drift than one taken
    from medians measured minutes apart.
    """
    if warm_up_first:
        warm_up(project, work, flags)
    check = journey_cmd("check", str(project), *flags.check)
    floors: dict[str, list[float]] = {"cold_check": [], "cold_build": []}
    dot_floors: list[float] = []

    def after_floor(key: str, run: Callable[[], Run]) -> Run:
        floors[key].append(run_ok(floor).seconds)
        if key == "cold_build" and dot_floor is not None:
            dot_floors.append(run_ok(dot_floor).seconds)
        return run()

    out: dict[str, Any] = {
        "cold_check": run_series(reps, lambda _i: after_floor("cold_check", lambda: run_ok(check)))
    }

    def build(i: int) -> Run:
        dest = work / f"out-cold-{i}"
        try:
            return run_ok(build_cmd(project, dest, *flags.build))
        finally:
            shutil.rmtree(dest, ignore_errors=True)

    out["cold_build"] = run_series(reps, lambda i: after_floor("cold_build", lambda: build(i)))
    for key, series in out.items():
        paired = floors[key][: len(series.get("runs_s", []))]
        if paired:
            series["floor_runs_s"] = [round(f, 4) for f in paired]
            series["paired_ratio"] = statistics.median(
                t / f for t, f in zip(series["runs_s"], paired, strict=True)
            )
    builds = out["cold_build"]
    drawn = dot_floors[: len(builds.get("runs_s", []))]
    if drawn:
        builds["dot_floor_runs_s"] = [round(d, 4) for d in drawn]
        triples = zip(builds["runs_s"], builds["floor_runs_s"], drawn, strict=True)
        builds["paired_ratio_floors"] = statistics.median(t / (f + d) for t, f, d in triples)
    return out


def warm_runs(project: Path, out_dir: Path, reps: Reps, builds: bool) -> dict[str, Any]:
    """Second runs, nothing changed; builds=False measures check only (builds time out)."""
    check = journey_cmd("check", str(project))
    run_ok(check)
    out = {"warm_check": run_series(reps, lambda _i: run_ok(check))}
    if builds:
        build = build_cmd(project, out_dir)
        run_ok(build)
        out["warm_build"] = run_series(reps, lambda _i: run_ok(build))
    return out


def page_text(page: Path) -> str:
    """A page's HTML without the <wbr> break opportunities the map puts in long words."""
    return page.read_text(encoding="utf-8", errors="replace").replace("<wbr>", "")


def page_has(out_dir: Path, marker: str) -> bool:
    page = out_dir / "journeys" / f"{EDITED_JOURNEY}.html"
    pages = [page] if page.is_file() else list(out_dir.rglob("*.html"))
    return any(marker in page_text(p) for p in pages)


Variant = tuple[str, list[str], Path | None]  # result key, command, output folder to look in


def edit_round(project: Path, variants: list[Variant], i: int) -> dict[str, tuple[Run, bool]]:
    """One edit before each variant's run; whether the variant's page shows the edit."""
    out = {}
    for n, (key, cmd, page_dir) in enumerate(variants):
        marker = f"ベンチマーク編集{i}-{n}"
        edit_journey(project, marker)
        run = run_ok(cmd)
        out[key] = (run, page_dir is None or page_has(page_dir, marker))
    return out


def edit_runs(
    project: Path, out_dir: Path, work: Path, reps: Reps, quick: bool, builds: bool
) -> dict[str, Any]:
    """Edit one journey file, then check / rebuild all formats / rebuild HTML only."""
    html_out = work / "out-html"
    variants: list[Variant] = [("edit_build", build_cmd(project, out_dir), out_dir)]
    if not builds:
        variants = [("edit_check", journey_cmd("check", str(project)), None)]
    elif not quick:
        run_ok(build_cmd(project, html_out, formats="html"))
        variants = [
            ("edit_check", journey_cmd("check", str(project)), None),
            *variants,
            ("edit_build_html", build_cmd(project, html_out, formats="html"), html_out),
        ]
    rounds = reps.collect(
        lambda i: edit_round(project, variants, i),
        lambda done: sum(run.seconds for run, _ in done.values()),
    )
    out = {}
    for key, _, page_dir in variants:
        out[key] = run_stats([r[key][0] for r in rounds])
        if page_dir is not None:
            out[key]["page_updated"] = all(r[key][1] for r in rounds)
    return out


def serve_url(proc: subprocess.Popen[str]) -> str:
    """Wait for `journey serve` to finish its first build; its URL."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("serving ") and " at http" in line:
            return line.split(" at ", 1)[1].split()[0]
    raise RuntimeError("journey serve exited before serving")


def state_version(url: str) -> int:
    with urllib.request.urlopen(url + STATE_PATH.lstrip("/"), timeout=10) as response:
        return int(json.load(response)["version"])


def wait_version(url: str, before: int) -> None:
    deadline = time.perf_counter() + LIMITS.timeout
    while state_version(url) == before:
        if time.perf_counter() > deadline:
            raise TimeoutError("journey serve did not rebuild after the edit")
        time.sleep(0.005)


def stop_process(proc: subprocess.Popen[str], grace: float = 30) -> float:
    """SIGTERM, then SIGKILL after grace seconds; the max RSS (MB) of the process."""
    proc.send_signal(signal.SIGTERM)
    deadline = time.perf_counter() + grace
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss / 1024
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(0.05)


def wait_page(out: Path, marker: str) -> None:
    """Until the edited journey's page on disk shows the marker."""
    page = out / "journeys" / f"{EDITED_JOURNEY}.html"
    deadline = time.perf_counter() + LIMITS.timeout
    while True:
        try:
            if marker in page_text(page):
                return
        except OSError:
            pass
        if time.perf_counter() > deadline:
            raise TimeoutError("journey serve did not write the edited page")
        time.sleep(0.002)


def serve_edits(project: Path, work: Path, reps: Reps) -> dict[str, Any]:
    """Edit-to-page with `journey serve`: from saving one journey file to its page on disk
    (serve_edit), and to the end of the whole rebuild (serve_edit.rebuild)."""
    out = work / "out-serve"
    cmd = journey_cmd("serve", str(project), "--port", "0", "-o", str(out))
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=child_env(),
    )

    def one_edit(url: str, i: int) -> tuple[float, float, bool]:
        time.sleep(0.5)  # let the watcher settle
        before = state_version(url)
        marker = f"ベンチマーク編集{i}回目S"
        edit_journey(project, marker)
        start = time.perf_counter()
        wait_page(out, marker)
        page = time.perf_counter() - start
        wait_version(url, before)
        return page, time.perf_counter() - start, page_has(out, marker)

    try:
        url = serve_url(proc)
        edits = reps.collect(lambda i: one_edit(url, i), lambda done: done[1])
    finally:
        rss = stop_process(proc)
    rebuild = stats([s for _, s, _ in edits])
    return stats([p for p, _, _ in edits], [rss]) | {
        "page_updated": all(u for *_, u in edits),
        "rebuild": rebuild,
    }


# --- in-process attribution ----------------------------------------------------------------------


class PhaseClock:
    """Collects the time between phase() calls of render_all."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.name: str | None = None
        self.start = time.perf_counter()

    def __call__(self, name: str) -> None:
        self.stop()
        self.name, self.start = name, time.perf_counter()

    def stop(self) -> None:
        if self.name is not None:
            self.times[self.name] = time.perf_counter() - self.start
            self.name = None


def render_phases(graph: Any, formats: Iterable[str], jobs: int) -> tuple[dict[str, float], Any]:
    from toolkit.render.builder import render_all
    from toolkit.render.common import RenderOptions

    clock = PhaseClock()
    options = RenderOptions(graph.graph["language"], frozenset(formats))
    # Pages and diagrams in this one process (no forked worker), so each phase is timed alone.
    files = render_all(graph, options, jobs, clock, parallel_min_nodes=sys.maxsize)
    clock.stop()
    return {f"render_{k}": v for k, v in clock.times.items()}, files


@contextlib.contextmanager
def spy(module: Any, name: str, times: dict[str, float], key: str) -> Iterator[None]:
    """Time every call of module.name (as the caller looks it up) into times[key]."""
    original = getattr(module, name)

    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - start

    setattr(module, name, timed_call)
    try:
        yield
    finally:
        setattr(module, name, original)


def check_phases(project: Path) -> tuple[dict[str, float], Any]:
    """The phases of compile_project: read+parse, validate+references, graph, analyses."""
    from toolkit.analyses.warnings import graph_warnings
    from toolkit.graph.build import compile_graph
    from toolkit.load import sources as sources_module
    from toolkit.model import project as project_module
    from toolkit.pipeline import paused_gc

    times: dict[str, float] = {}
    with paused_gc():  # as compile_project runs them
        with spy(sources_module, "read_source", times, "read_parse"):
            start = time.perf_counter()
            loaded = project_module.load_project(project, "")
            times["validate_refs"] = time.perf_counter() - start - times.get("read_parse", 0.0)
        start = time.perf_counter()
        graph = compile_graph(loaded.project)
        times["compile_graph"] = time.perf_counter() - start
        times["analyses"] = timed(lambda: graph_warnings(graph))
    return times, graph


def one_attribution(project: Path, out_dir: Path, with_build: bool, jobs: int) -> dict[str, float]:
    times, graph = check_phases(project)
    if with_build:
        from toolkit.write import write_output

        render, files = render_phases(graph, BUILD_FORMATS.split(","), jobs)
        times |= render
        times["write"] = timed(lambda: write_output(project, out_dir, files))
    return times


def warm_compile(project: Path, work: Path, reps: Reps) -> dict[str, Any]:
    """compile_project with a primed parse cache (what a warm `journey check` computes)."""
    from toolkit.load.cache import ParseCache
    from toolkit.pipeline import compile_project

    cache = ParseCache(work / "cache-inproc")
    compile_project(project, "", cache=cache)
    return stats(reps.times(lambda: compile_project(project, "", cache=cache)))


def in_process(project: Path, work: Path, settings: Settings, with_build: bool) -> dict[str, Any]:
    from toolkit.pipeline import compile_project

    reps, out_dir = settings.reps, work / "out-inproc"
    cold = reps.times(lambda: compile_project(project, ""))
    out: dict[str, Any] = {"compile_project": stats(cold)}
    attempt(out, "compile_project_warm", lambda: warm_compile(project, work, reps))
    runs = reps.collect(
        lambda _i: one_attribution(project, out_dir, with_build, settings.jobs),
        lambda times: sum(times.values()),
    )
    names = list(dict.fromkeys(k for r in runs for k in r))
    out["phases_s"] = {n: statistics.median(r.get(n, 0.0) for r in runs) for n in names}
    out["phases_runs"] = len(runs)
    return out


# --- per journey: HTML + SVG versus mermaid-cli --------------------------------------------------


def per_journey(project: Path, work: Path, reps: Reps, mermaid: bool) -> dict[str, Any]:
    from toolkit.pipeline import compile_project

    graph = compile_project(project, "").graph
    journeys = sum(1 for _, d in graph.nodes(data=True) if d["type"] == "journey")
    runs = reps.collect(
        lambda _i: render_phases(graph, ("html", "svg"), 1)[0], lambda t: sum(t.values())
    )
    html = statistics.median(r.get("render_html", 0.0) for r in runs) / journeys
    svg = (
        statistics.median(
            r.get("render_diagrams", 0.0) + r.get("render_graphviz", 0.0) for r in runs
        )
        / journeys
    )
    out: dict[str, Any] = {
        "journeys": journeys,
        "runs": len(runs),
        "html_s": html,
        "svg_s": svg,
        "html_svg_s": html + svg,
        "method": "whole-project render_all(html+svg, jobs=1) divided by the number of journeys",
    }
    out |= mermaid_cli(graph, work, reps) if mermaid else {"mermaid_cli_note": "skipped"}
    return out


def mermaid_cli(graph: Any, work: Path, reps: Reps) -> dict[str, Any]:
    if not mmdc_available():
        return {"mermaid_cli_s": None, "mermaid_cli_note": "mermaid-cli not installed"}
    from toolkit.render.common import RenderOptions
    from toolkit.render.mermaid import render_mermaid

    files = render_mermaid(graph, RenderOptions(graph.graph["language"], frozenset({"mermaid"})))
    name = next((n for n in sorted(files) if EDITED_JOURNEY in n), sorted(files)[0])
    source = work / "diagram.mmd"
    source.write_bytes(files[name])
    cmd = [str(MMDC), "-i", str(source), "-o", str(work / "diagram.svg")]
    if PUPPETEER_CONFIG.is_file():
        cmd += ["-p", str(PUPPETEER_CONFIG)]
    try:
        runs = reps.runs(lambda _i: run_ok(cmd))
    except CommandFailed as exc:
        return {"mermaid_cli_s": None, "mermaid_cli_note": f"mermaid-cli failed: {exc}"}
    seconds = statistics.median(r.seconds for r in runs)
    return {"mermaid_cli_s": seconds, "mermaid_cli_runs": len(runs), "mermaid_cli_diagram": name}


# --- Graphviz alone: a lower bound for any cold build -------------------------------------------


def graphviz_of(project: Path, work: Path, reps: Reps) -> dict[str, Any]:
    from toolkit.pipeline import compile_project

    return graphviz_alone(compile_project(project, "").graph, work, reps)


def graphviz_alone(graph: Any, work: Path, reps: Reps) -> dict[str, Any]:
    """CPU seconds that `dot` alone spends laying out the build's DOT files into SVG.

    Every cold build must spend at least this (plus its own parse) on the machine's cores,
    however its own code is written; it bounds what the cold-build target can reach.
    """
    import resource

    from toolkit.render.common import RenderOptions
    from toolkit.render.dot import render_dot

    folder = work / "dot-alone"
    folder.mkdir(exist_ok=True)
    files = render_dot(graph, RenderOptions(graph.graph["language"], frozenset({"dot", "svg"})))
    for name, data in files.items():
        (folder / Path(name).name).write_bytes(data)
    sources = sorted(str(p) for p in folder.glob("*.dot"))

    def one(_i: int) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run_ok(["dot", "-Tsvg", "-O", *sources])
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    cpu = reps.collect(one, lambda seconds: seconds)
    shutil.rmtree(folder, ignore_errors=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "files": len(sources),
        "runs": len(cpu),
        "cpu_s": statistics.median(cpu),
        "cores": cores,
    }


# --- one size ------------------------------------------------------------------------------------


@dataclass
class Settings:
    reps: Reps
    flags: Flags
    mermaid: bool
    serve: bool
    jobs: int
    quick: bool = False
    warm_up: bool = False  # one untimed check and build before the cold runs
    browser: bool = True  # live reload in headless Chromium (--no-browser: skipped)


def attempt(result: dict[str, Any], key: str, fn: Callable[[], dict[str, Any]]) -> bool:
    """Run one measurement into result[key]; on failure note the error and return False."""
    try:
        result[key] = fn()
    except Exception as exc:  # a broken toolkit must not lose the other measurements
        result.setdefault("errors", []).append(f"{key}: {type(exc).__name__}: {exc}")
        return False
    return True


@contextlib.contextmanager
def isolated_cache(folder: Path) -> Iterator[None]:
    """Point the toolkit's parse cache (here and in subprocesses) at a folder of this run."""
    before = os.environ.get("JOURNEY_CACHE_DIR")
    os.environ["JOURNEY_CACHE_DIR"] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("JOURNEY_CACHE_DIR", None)
        else:
            os.environ["JOURNEY_CACHE_DIR"] = before


def bench_size(size: str, work: Path, settings: Settings) -> dict[str, Any]:
    project = work / "project"
    result: dict[str, Any] = {}
    log(f"[{size}] generating")
    start = time.perf_counter()
    result["counts"] = generate(project, size)
    result["generate_s"] = time.perf_counter() - start
    files = source_files(project)
    gc.collect()
    gc.freeze()  # this process's own objects do not slow the garbage collector in-process
    log(f"[{size}] {len(files)} files, {result['counts']['bytes']:,} bytes: bare parse")
    attempt(result, "bare_parse", lambda: bare_parse(files, settings.reps, work))
    with isolated_cache(work / "cache"):
        drawn: list[list[str] | None] = [None]
        if shutil.which("dot"):
            log(f"[{size}] Graphviz floor: one dot process over the build's DOT files")

            def graphviz_floor() -> dict[str, Any]:
                drawn[0] = dot_floor_cmd(project, work, settings.flags)
                return dot_floor(drawn[0], settings.reps) if drawn[0] else {}

            attempt(result, "graphviz_floor", graphviz_floor)
        measure_cli(size, project, work, settings, result, drawn[0])
        built = "cold_build" in result["cli"] and not result["cli"]["cold_build"].get("timed_out")
        log(f"[{size}] in-process attribution")
        attempt(result, "in_process", lambda: in_process(project, work, settings, built))
        if built:
            log(f"[{size}] per journey: HTML + SVG vs mermaid-cli")
            attempt(
                result,
                "per_journey",
                lambda: per_journey(project, work, settings.reps, settings.mermaid),
            )
            if shutil.which("dot"):
                log(f"[{size}] Graphviz alone on the build's DOT files")
                attempt(result, "graphviz", lambda: graphviz_of(project, work, settings.reps))
    result["ratios"] = ratios(result)
    result["lower_bounds"] = lower_bounds(result)
    return result


def measure_cli(
    size: str,
    project: Path,
    work: Path,
    settings: Settings,
    result: dict[str, Any],
    dot_floor: list[str] | None = None,
) -> None:
    out_dir, rep, flags = work / "out-warm", settings.reps, settings.flags
    cli: dict[str, Any] = {}
    result["cli"] = cli
    log(f"[{size}] cold check and build")
    floor = floor_cmd(source_files(project), work)

    def cold() -> dict[str, Any]:
        return cold_runs(project, work, rep, flags, settings.warm_up, floor, dot_floor)

    if not attempt(cli, "cold", cold):
        flatten_cli(result)
        return
    builds = not dig(cli, "cold", "cold_build", "timed_out")
    if not builds:
        log(f"[{size}] the cold build timed out: builds are not measured again")
    log(f"[{size}] warm runs")
    if attempt(cli, "warm", lambda: warm_runs(project, out_dir, rep, builds)):
        log(f"[{size}] one-file edit")
        edits = lambda: edit_runs(project, out_dir, work, rep, settings.quick, builds)  # noqa: E731
        attempt(cli, "edit", edits)
        if builds and settings.serve and not settings.quick:
            log(f"[{size}] one-file edit under journey serve")
            attempt(cli, "serve", lambda: {"serve_edit": serve_edits(project, work, rep)})
            if settings.browser and live_reload.chromium() is not None:
                log(f"[{size}] live reload in headless Chromium")
                runs = max(rep.count, live_reload.RUNS)
                live = lambda: {"serve_live": live_reload.measure(project, work, runs)}  # noqa: E731
                attempt(cli, "live", live)
            elif settings.browser:
                log(f"[{size}] no Chromium with Playwright: live reload not measured")
    flatten_cli(result)


def flatten_cli(result: dict[str, Any]) -> None:
    cli = result["cli"]
    errors = cli.pop("errors", [])
    for group in ("cold", "warm", "edit", "serve", "live"):
        cli.update(cli.pop(group, {}))
    if errors:
        result.setdefault("errors", []).extend(errors)


def dig(data: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def edit_to_page(result: dict[str, Any]) -> float | None:
    """Saving one journey file to its new page: under `journey serve`, else `journey build`."""
    serve = dig(result, "cli", "serve_edit", "median_s")
    return serve if serve is not None else dig(result, "cli", "edit_build", "median_s")


def lower_bounds(result: dict[str, Any]) -> list[str]:
    """The ratios computed from a timed-out run: true values are at least this large."""
    cli = result.get("cli", {})
    out = [
        f"{key}_over_parse"
        for key in ("cold_check", "cold_build", "warm_check")
        if dig(cli, key, "timed_out")
    ]
    if dig(cli, "serve_edit") is None and dig(cli, "edit_build", "timed_out"):
        out.append("edit_to_page_s")
    return out


def is_lower_bound(result: dict[str, Any], path: tuple[str, ...]) -> bool:
    if path[0] == "ratios":
        return path[-1] in result.get("lower_bounds", [])
    return bool(dig(result, *path[:-1], "timed_out"))


def ratios(result: dict[str, Any]) -> dict[str, float | None]:
    floor = dig(result, "bare_parse", "load_all_subprocess", "median_s")
    floor_inproc = dig(result, "bare_parse", "load_all", "median_s")
    cli = result.get("cli", {})
    med = {k: dig(cli, k, "median_s") for k in ("cold_check", "cold_build", "warm_check")}
    return {
        "edit_to_page_s": edit_to_page(result),
        "cold_check_over_parse": paired(cli, "cold_check", floor),
        "cold_build_over_parse": paired(cli, "cold_build", floor),
        "warm_check_over_parse": ratio(med["warm_check"], floor),
        "inproc_check_over_parse": ratio(
            dig(result, "in_process", "compile_project", "median_s"), floor_inproc
        ),
        "mermaid_cli_over_html_svg": ratio(
            dig(result, "per_journey", "mermaid_cli_s"), dig(result, "per_journey", "html_svg_s")
        ),
        "cold_build_bound_over_parse": ratio(build_bound(result), floor),
        "cold_build_over_floors": over_floors(result, floor),
    }


def over_floors(result: dict[str, Any], floor: float | None) -> float | None:
    """The cold build over the sum of the floors (parse + Graphviz): the median of its
    back-to-back triples (see cold_runs), else its median over the floors' medians."""
    value = dig(result, "cli", "cold_build", "paired_ratio_floors")
    if value is not None:
        return float(value)
    drawn = dig(result, "graphviz_floor", "median_s")
    both = floor + drawn if floor is not None and drawn is not None else None
    return ratio(dig(result, "cli", "cold_build", "median_s"), both)


def paired(cli: dict[str, Any], key: str, floor: float | None) -> float | None:
    """A cold command over the floor: the median of its back-to-back pairs (see cold_runs),
    else its median over the floor's median."""
    value = dig(cli, key, "paired_ratio")
    return value if value is not None else ratio(dig(cli, key, "median_s"), floor)


def build_bound(result: dict[str, Any]) -> float | None:
    """Seconds no cold build can beat on these cores: (own parse + Graphviz CPU) / cores."""
    dot_cpu = dig(result, "graphviz", "cpu_s")
    parse = dig(result, "in_process", "phases_s", "read_parse")
    cores = dig(result, "graphviz", "cores")
    if dot_cpu is None or parse is None or not cores:
        return None
    return float((dot_cpu + parse) / cores)


# --- targets, table, JSON ------------------------------------------------------------------------

# name, result path, comparison, limit, unit
TARGETS: list[tuple[str, tuple[str, ...], str, float, str]] = [
    ("cold check / bare parse", ("ratios", "cold_check_over_parse"), "<=", 1.3, "x"),
    ("cold build / bare parse", ("ratios", "cold_build_over_parse"), "<=", 1.6, "x"),
    (
        "cold build / (parse + Graphviz floors)",
        ("ratios", "cold_build_over_floors"),
        "<=",
        1.2,
        "x",
    ),
    ("warm check / bare parse", ("ratios", "warm_check_over_parse"), "<=", 0.2, "x"),
    ("edit-to-page (journey serve)", ("ratios", "edit_to_page_s"), "<", 0.3, "s"),
    ("save to visible in the browser (serve)", ("cli", "serve_live", "median_s"), "<", 0.3, "s"),
    (
        "peak build memory (cold build max RSS)",
        ("cli", "cold_build", "median_rss_mb"),
        "<",
        600,
        "MB",
    ),
    (
        "mermaid-cli / (HTML+SVG) per journey",
        ("ratios", "mermaid_cli_over_html_svg"),
        ">=",
        10,
        "x",
    ),
]
TARGET_SIZE = "L"


def targets(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, path, op, limit, unit in TARGETS:
        result = sizes.get(TARGET_SIZE, {})
        value = dig(result, *path)
        bound = value is not None and is_lower_bound(result, path)
        met = None
        if value is not None:
            met = value <= limit if op == "<=" else value < limit if op == "<" else value >= limit
            if bound and (met or op == ">="):
                met = None  # a lower bound under the limit decides nothing
        out.append(
            {
                "target": name,
                "size": TARGET_SIZE,
                "value": value,
                "lower_bound": bound,
                "op": op,
                "limit": limit,
                "unit": unit,
                "met": met,
            }
        )
    return out


ROWS: list[tuple[str, tuple[str, ...], float, str]] = [
    ("files", ("counts", "files"), 1, "{:.0f}"),
    ("YAML size (MB)", ("counts", "bytes"), 1 / 1e6, "{:.2f}"),
    ("journeys / steps / actions", (), 1, ""),
    ("bare parse load_all, in-process (s)", ("bare_parse", "load_all", "median_s"), 1, "{:.3f}"),
    (
        "bare parse compose_all, in-process (s)",
        ("bare_parse", "compose_all", "median_s"),
        1,
        "{:.3f}",
    ),
    ("bare parse events only, in-process (s)", ("bare_parse", "events", "median_s"), 1, "{:.3f}"),
    (
        "bare parse load_all, subprocess (s) [floor]",
        ("bare_parse", "load_all_subprocess", "median_s"),
        1,
        "{:.3f}",
    ),
    (
        "Graphviz alone, one dot process over the DOT files (s) [floor 2]",
        ("graphviz_floor", "median_s"),
        1,
        "{:.3f}",
    ),
    ("cold check (s)", ("cli", "cold_check", "median_s"), 1, "{:.3f}"),
    ("cold build (s)", ("cli", "cold_build", "median_s"), 1, "{:.3f}"),
    ("warm check (s)", ("cli", "warm_check", "median_s"), 1, "{:.3f}"),
    ("warm build (s)", ("cli", "warm_build", "median_s"), 1, "{:.3f}"),
    ("check after one-file edit (s)", ("cli", "edit_check", "median_s"), 1, "{:.3f}"),
    ("build after one-file edit (s)", ("cli", "edit_build", "median_s"), 1, "{:.3f}"),
    ("HTML-only build after edit (s)", ("cli", "edit_build_html", "median_s"), 1, "{:.3f}"),
    ("journey serve: edit-to-page on disk (s)", ("cli", "serve_edit", "median_s"), 1, "{:.3f}"),
    (
        "journey serve: edit-to-whole-rebuild (s)",
        ("cli", "serve_edit", "rebuild", "median_s"),
        1,
        "{:.3f}",
    ),
    (
        "journey serve: save to visible in browser (ms)",
        ("cli", "serve_live", "median_s"),
        1000,
        "{:.0f}",
    ),
    ("  fastest save to visible (ms)", ("cli", "serve_live", "min_s"), 1000, "{:.0f}"),
    ("  slowest save to visible (ms)", ("cli", "serve_live", "max_s"), 1000, "{:.0f}"),
    ("peak RSS cold check (MB)", ("cli", "cold_check", "median_rss_mb"), 1, "{:.1f}"),
    ("peak RSS cold build (MB)", ("cli", "cold_build", "median_rss_mb"), 1, "{:.1f}"),
    ("peak RSS journey serve (MB)", ("cli", "serve_edit", "median_rss_mb"), 1, "{:.1f}"),
    (
        "peak RSS bare parse (MB)",
        ("bare_parse", "load_all_subprocess", "median_rss_mb"),
        1,
        "{:.1f}",
    ),
    (
        "in-process compile_project, no cache (s)",
        ("in_process", "compile_project", "median_s"),
        1,
        "{:.3f}",
    ),
    (
        "in-process compile_project, warm cache (s)",
        ("in_process", "compile_project_warm", "median_s"),
        1,
        "{:.3f}",
    ),
    ("per journey HTML (ms)", ("per_journey", "html_s"), 1000, "{:.1f}"),
    ("per journey SVG, dot+graphviz (ms)", ("per_journey", "svg_s"), 1000, "{:.1f}"),
    ("per journey mermaid-cli (ms)", ("per_journey", "mermaid_cli_s"), 1000, "{:.0f}"),
    ("ratio cold check / floor", ("ratios", "cold_check_over_parse"), 1, "{:.2f}"),
    ("ratio cold build / floor", ("ratios", "cold_build_over_parse"), 1, "{:.2f}"),
    (
        "ratio cold build / (floor + floor 2)",
        ("ratios", "cold_build_over_floors"),
        1,
        "{:.2f}",
    ),
    ("ratio warm check / floor", ("ratios", "warm_check_over_parse"), 1, "{:.2f}"),
    ("ratio in-process check / load_all", ("ratios", "inproc_check_over_parse"), 1, "{:.2f}"),
    ("ratio mermaid-cli / HTML+SVG", ("ratios", "mermaid_cli_over_html_svg"), 1, "{:.1f}"),
    ("Graphviz alone on the DOT files, CPU (s)", ("graphviz", "cpu_s"), 1, "{:.3f}"),
    (
        "ratio cold-build bound / floor",
        ("ratios", "cold_build_bound_over_parse"),
        1,
        "{:.2f}",
    ),
]


def cell(result: dict[str, Any], path: tuple[str, ...], scale: float, fmt: str, repeat: int) -> str:
    """One table cell; '(n)' after a median of fewer runs than --repeat (over budget)."""
    if not path:
        c = result.get("counts", {})
        return f"{c.get('journeys', '-')}/{c.get('steps', '-')}/{c.get('actions', '-')}"
    value = dig(result, *path)
    if value is None:
        return "-"
    if is_lower_bound(result, path):
        return ">" + fmt.format(value * scale)
    runs = dig(result, *path[:-1], "runs") if path[-1] == "median_s" else None
    short = f" ({runs})" if isinstance(runs, int) and runs < repeat else ""
    return fmt.format(value * scale) + short


def table(sizes: dict[str, Any], repeat: int) -> list[str]:
    names = list(sizes)
    width = max(len(r[0]) for r in ROWS)
    lines = [f"{'median of runs':<{width}}" + "".join(f"{n:>14}" for n in names)]
    for label, path, scale, fmt in ROWS:
        cells = "".join(f"{cell(sizes[n], path, scale, fmt, repeat):>14}" for n in names)
        lines.append(f"{label:<{width}}{cells}")
    phase_names = list(
        dict.fromkeys(p for n in names for p in (dig(sizes[n], "in_process", "phases_s") or {}))
    )
    for phase in phase_names:
        path = ("in_process", "phases_s", phase)
        cells = "".join(f"{cell(sizes[n], path, 1, '{:.3f}', repeat):>14}" for n in names)
        lines.append(f"{'  in-process ' + phase + ' (s)':<{width}}{cells}")
    runs = "/".join(str(dig(sizes[n], "in_process", "phases_runs") or "-") for n in names)
    lines.append(
        f"(in-process phases: median of {runs} runs; '(n)': median of n < {repeat} runs; "
        "'>': killed at --timeout, a lower bound)"
    )
    return lines


def target_lines(rows: list[dict[str, Any]]) -> list[str]:
    out = [f"Targets (size {TARGET_SIZE}):"]
    for t in rows:
        value = "not measured" if t["value"] is None else f"{t['value']:.3g} {t['unit']}"
        value = (">" if t.get("lower_bound") else "") + value
        verdict = {True: "MET", False: "MISSED", None: "-"}[t["met"]]
        out.append(
            f"  {t['target']:<42} {value:>14}  target {t['op']} {t['limit']:g} "
            f"{t['unit']:<3} {verdict}"
        )
    return out


def machine_lines(info: dict[str, Any]) -> list[str]:
    return [
        f"Machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable), "
        f"{(info['memory_mb'] or 0) / 1024:.1f} GiB RAM, {info['os']}",
        f"Python {info['python']}, PyYAML {info['pyyaml']} (libyaml: "
        f"{'yes' if info['libyaml'] else 'no'}), Graphviz: {info['graphviz'] or 'not installed'}, "
        f"mermaid-cli: {info['mermaid_cli'] or 'not installed'}, toolkit {info['toolkit_commit']}",
    ]


def report(data: dict[str, Any]) -> list[str]:
    lines = machine_lines(data["machine"])
    lines += [f"Note: {n}" for n in data["notes"]]
    repeat = data["settings"]["repeat"]
    lines += ["", *table(data["sizes"], repeat), "", *target_lines(data["targets"])]
    for size, result in data["sizes"].items():
        lines += [f"[{size}] error: {e}" for e in result.get("errors", [])]
    return lines


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", nargs="+", type=str.upper, choices=sorted(SIZES), default=["S", "M", "L"]
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="stop repeating a measurement once its runs took this many seconds (default 60)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="kill a command after this many seconds; its time is then a lower bound",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--no-mermaid", action="store_true", help="skip mermaid-cli")
    parser.add_argument("--no-serve", action="store_true", help="skip `journey serve`")
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="skip the live reload in headless Chromium (needs Playwright and Chromium)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: no warm-up run, no check/HTML-only after an edit, no serve",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=max(1, min(8, os.cpu_count() or 1)),
        help="Graphviz jobs for the in-process build (the CLI's default)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="generate into this folder and keep it (default: a temp folder)",
    )
    return parser.parse_args(argv)


def notes(flags: Flags) -> list[str]:
    out = [
        "floor = bare parse: yaml.load_all(CSafeLoader) of every file in a fresh python "
        "process; CLI ratios divide subprocess times by it (cold check and cold build: "
        "the median ratio of runs each made right after a floor run)",
        "floor 2 = Graphviz alone: one `dot -Tsvg -O` process over every DOT file of the "
        "build (wall time; the build may run several at once); a cold build runs right after "
        "both floors, and 'cold build / (parse + Graphviz floors)' is the median of those "
        "triples",
        f"build formats: {BUILD_FORMATS} (no PNG/PDF); cold = --no-cache (when supported) "
        "and a fresh output folder; one untimed check and build run before the first size "
        "(bytecode); the generated files are in the OS file cache",
        "each median is over --repeat runs, fewer when a measurement's runs exceed --budget "
        "seconds in total ('runs' in the JSON)",
        "warm = a second run with nothing changed (cache allowed); "
        "edit = one journey file's text changed, then check / build into the warm output; "
        "serve = `journey serve` running, time from saving the file to the new build's state",
        "live reload = `journey serve` running with the edited journey's page open in headless "
        "Chromium: time from saving one step's text to that text in the page's DOM "
        "(benchmarks/live_reload.py; median/min/max over at least 7 saves)",
        "peak memory = max RSS of the process (os.wait4), children it waited for included",
        "in-process times call toolkit functions directly in this process (imports warm, "
        "the process's earlier objects frozen out of the garbage collector)",
    ]
    for command, flag in (("check", flags.check), ("build", flags.build)):
        if not flag:
            out.append(
                f"'journey {command}' has no --no-cache option yet: cold runs are plain "
                "runs (there is no cache to bypass)"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    flags = Flags(
        check=["--no-cache"] if has_no_cache("check") else [],
        build=["--no-cache"] if has_no_cache("build") else [],
    )
    reps = Reps(max(1, args.repeat), args.budget)
    LIMITS.timeout = args.timeout
    settings = Settings(reps, flags, not args.no_mermaid, not args.no_serve, args.jobs, args.quick)
    settings.browser = not args.no_browser
    signal.signal(signal.SIGTERM, interrupted)
    data: dict[str, Any] = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "sizes": args.sizes,
            "repeat": reps.count,
            "budget_s": reps.budget,
            "timeout_s": LIMITS.timeout,
            "formats": BUILD_FORMATS,
            "quick": settings.quick,
            "no_cache_flag": {"check": bool(flags.check), "build": bool(flags.build)},
            "bare_parse_method": f"yaml.load_all(Loader=yaml.{LOADER.__name__})",
            "jobs": settings.jobs,
        },
        "notes": notes(flags),
        "sizes": {},
    }
    for n, size in enumerate(args.sizes):
        settings.warm_up = n == 0 and not settings.quick
        data["sizes"][size] = run_size(size, args.keep, settings)
        data["targets"] = targets(data["sizes"])
        write_json(args.json, data)  # after each size, so a long run keeps what it measured
    print("\n".join(report(data)))
    print(f"\nwrote {args.json}")
    return 0


def interrupted(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds, so temporary folders are removed


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run_size(size: str, keep: Path | None, settings: Settings) -> dict[str, Any]:
    if keep is not None:
        work = keep / size
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        return bench_size(size, work, settings)
    with tempfile.TemporaryDirectory(prefix=f"journey-bench-{size}-") as tmp:
        return bench_size(size, Path(tmp), settings)


if __name__ == "__main__":
    sys.exit(main())
