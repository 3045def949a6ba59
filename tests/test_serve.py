"""`journey serve` end to end: live rebuild, error overlay, last good map kept, clean stop."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import chromium_path
from toolkit.server import inject

DEADLINE = 2.0  # seconds within which a save must show


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str, project: Path) -> None:
        self.proc, self.url, self.project = proc, url, project

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def state(self) -> dict[str, Any]:
        return json.loads(self.get("__journey__/state")[1])


def wait_for(check: Callable[[], Any], timeout: float = DEADLINE) -> Any:
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.05)


@pytest.fixture
def served(example_copy: Path, tmp_path: Path) -> Iterator[Served]:
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "toolkit", "serve", str(example_copy), "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "-o", str(out), "--format", "html"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    assert match, line
    try:
        yield Served(proc, match.group(1), example_copy)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def journey_file(project: Path) -> Path:
    return project / "journeys" / "journey-no-ma-manager.yaml"


def retitled(text: str) -> str:
    """The journey file with a new title (a visible change on the map)."""
    changed = re.sub(r"(?m)^title:.*$", "title: 改訂版マップ", text, count=1)
    assert changed != text
    return changed


def test_inject_adds_script_before_body_end() -> None:
    page = b"<html><body><p>x</p></body></html>"
    out = inject(page, 7)
    assert out.startswith(b"<html><body><p>x</p><script>")
    assert out.endswith(b"</script></body></html>")
    assert b"var version = 7;" in out


def test_edit_break_fix_cycle_over_http(served: Served) -> None:
    status, index = served.get("index.html")
    assert status == 200 and "__journey__/state" in index
    assert served.state() == {"version": 1, "ok": True, "errors": []}
    path = journey_file(served.project)
    original = path.read_text(encoding="utf-8")

    path.write_text(retitled(original), encoding="utf-8")
    wait_for(lambda: served.state()["version"] == 2)
    assert "改訂版マップ" in served.get("journeys/no-ma-manager.html")[1]

    path.write_text(original.replace("steps:", "stepz:", 1), encoding="utf-8")
    errors = wait_for(lambda: served.state()["errors"])
    assert [(e["code"], e["file"].endswith("journey-no-ma-manager.yaml")) for e in errors] == [
        ("unknown-key", True)
    ]
    assert served.state()["version"] == 2
    assert "改訂版マップ" in served.get("journeys/no-ma-manager.html")[1]  # last good map

    path.write_text(original, encoding="utf-8")
    wait_for(lambda: served.state()["version"] == 3 and served.state()["ok"])
    assert "改訂版マップ" not in served.get("journeys/no-ma-manager.html")[1]


def test_serves_only_the_output_folder(served: Served) -> None:
    for probe in ("../journeys/stages.yaml", "%2e%2e/journeys/stages.yaml", "/etc/passwd"):
        status, body = served.get(probe)
        assert status == 404 or "kind:" not in body
    assert served.get("nope.html")[0] == 404


def test_ctrl_c_stops_cleanly(served: Served) -> None:
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(timeout=10) == 0


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed")
def test_browser_reloads_and_shows_overlay(served: Served) -> None:
    from playwright.sync_api import sync_playwright

    path = journey_file(served.project)
    original = path.read_text(encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.goto(served.url + "journeys/no-ma-manager.html")
            path.write_text(retitled(original), encoding="utf-8")
            page.get_by_text("改訂版マップ").first.wait_for(timeout=DEADLINE * 1000)

            path.write_text(original.replace("steps:", "stepz:", 1), encoding="utf-8")
            overlay = page.locator("#journey-live-overlay")
            overlay.wait_for(state="visible", timeout=DEADLINE * 1000)
            assert "unknown-key" in overlay.inner_text()
            assert "journey-no-ma-manager.yaml" in overlay.inner_text()
            assert page.get_by_text("改訂版マップ").first.is_visible()

            path.write_text(original, encoding="utf-8")
            overlay.wait_for(state="detached", timeout=DEADLINE * 1000)
            assert page.get_by_text("改訂版マップ").count() == 0
        finally:
            browser.close()
