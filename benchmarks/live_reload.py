"""Live reload as a person sees it: from saving one step of one journey to the change in an
open browser page.

    python benchmarks/live_reload.py [--sizes S L] [--runs 7] [--json FILE]

For each size it generates a project (benchmarks/generate.py), starts `journey serve` on it,
opens the edited journey's page in headless Chromium (Playwright, /usr/bin/chromium or the
`chromium` on PATH; never a downloaded browser) and then, `runs` times: rewrites one step's
`thinking:` text in the journey's YAML to a unique marker, saves, and times until the marker
is in the page's DOM (`document.body.innerText`). Between edits it waits for the whole
rebuild to land, so each edit starts from a quiet server. benchmarks/run.py uses
`measure` for its `serve_live` figures (skipped with --no-browser).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.generate import EDIT_FIELD, generate  # noqa: E402

EDITED_JOURNEY = "journey-000"
RUNS = 7  # saves per size
STATE_PATH = "__journey__/state"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HAS_TEXT = "m => document.body !== null && document.body.innerText.includes(m)"


def chromium() -> str | None:
    """Debian's Chromium (or one on PATH); None when there is none or no Playwright."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    for found in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if found and os.access(found, os.X_OK):
            return found
    return None


def edit_journey(project: Path, marker: str) -> Path:
    """Rewrite the first `thinking:` of one journey file; return the file."""
    path = project / "journeys" / "journeys" / f"{EDITED_JOURNEY}.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(EDIT_FIELD))
    lines[at] = f"{EDIT_FIELD}{marker}。前回の打ち合わせを踏まえて考えを見直した。\n"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def state(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + STATE_PATH, timeout=10) as response:
        return dict(json.load(response))


def wait_rebuilt(url: str, before: int, timeout: float) -> None:
    """Until the server's last good build is newer than `before`."""
    deadline = time.perf_counter() + timeout
    while state(url)["version"] == before:
        if time.perf_counter() > deadline:
            raise TimeoutError("journey serve did not finish the rebuild")
        time.sleep(0.01)


@contextlib.contextmanager
def serving(project: Path, out: Path, timeout: float) -> Iterator[str]:
    """`journey serve` on the project; yields its URL once the first build is served."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "toolkit", "serve", str(project), "--port", "0", "-o", str(out)]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            if line.startswith("serving ") and " at http" in line:
                url = line.split(" at ", 1)[1].split()[0]
                break
        if url is None:
            raise RuntimeError("journey serve exited before serving")
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(
    project: Path,
    work: Path,
    runs: int = RUNS,
    timeout: float = 120.0,
    pace: float | None = None,
) -> dict[str, Any]:
    """Save-to-visible times (seconds) under `journey serve`, as stats, for the generated
    project in `project` (its edited journey is journey-000). With `pace`, a save every
    `pace` seconds whether the previous rebuild landed or not (a person typing on), instead
    of waiting for a quiet server before each save."""
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise RuntimeError("no Chromium with Playwright on this machine (use --no-browser)")
    out = work / "out-live"
    seconds: list[float] = []
    state_requests: list[str] = []
    with serving(project, out, timeout) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on(
                "request",
                lambda r: state_requests.append(r.url) if STATE_PATH in r.url else None,
            )
            page.goto(url + f"journeys/{EDITED_JOURNEY}.html", wait_until="load")
            page.wait_for_timeout(500)  # the page's script connects; the watcher settles
            for i in range(runs):
                before = state(url)["version"]
                marker = f"ライブ計測{i}-{time.monotonic_ns() % 1_000_000}"
                edit_journey(project, marker)
                start = time.perf_counter()
                page.wait_for_function(HAS_TEXT, arg=marker, timeout=timeout * 1000)
                seconds.append(time.perf_counter() - start)
                if pace is not None:
                    page.wait_for_timeout(max(0.0, pace - (time.perf_counter() - start)) * 1000)
                    continue
                wait_rebuilt(url, before, timeout)
                page.wait_for_timeout(300)  # a quiet moment before the next save
        finally:
            browser.close()
    return {
        "runs": len(seconds),
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "runs_s": [round(s, 4) for s in seconds],
        "state_polls": len(state_requests),
    }


def ms(result: dict[str, Any]) -> str:
    return (
        f"median {result['median_s'] * 1000:.0f} ms, min {result['min_s'] * 1000:.0f} ms, "
        f"max {result['max_s'] * 1000:.0f} ms ({result['runs']} saves; "
        f"{result['state_polls']} state polls by the page)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=str.upper, default=["S", "L"])
    parser.add_argument("--runs", type=int, default=RUNS, help=f"saves per size (default {RUNS})")
    parser.add_argument(
        "--pace",
        type=float,
        default=None,
        metavar="SECONDS",
        help="save every SECONDS without waiting for the rebuild to land",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"journey-live-{size}-") as tmp:
            work = Path(tmp)
            generate(work / "project", size)
            results[size] = measure(work / "project", work, args.runs, pace=args.pace)
        print(f"[{size}] save to visible in the browser: {ms(results[size])}", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
