"""`journey serve` end to end: live rebuild, error overlay, last good map kept, clean stop."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import chromium_path
from toolkit.serve.server import inject, make_server
from toolkit.serve.state import LiveState

DEADLINE = 2.0  # seconds within which a save must show


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str, project: Path) -> None:
        self.proc, self.url, self.project = proc, url, project

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as resp:
                return resp.status, resp.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

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


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A small output folder (no index.html in journeys/) next to a file it must not serve."""
    root = tmp_path / "site"
    (root / "journeys").mkdir(parents=True)
    (root / "index.html").write_text("<html><body>home</body></html>", encoding="utf-8")
    (root / "journeys" / "a.html").write_text("<html><body>map a</body></html>", encoding="utf-8")
    (root / "data.json").write_text('{"ok": true}', encoding="utf-8")
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return root


@contextlib.contextmanager
def live_server(root: Path, state: LiveState | None = None, **options: Any) -> Iterator[int]:
    """The `journey serve` HTTP server on a free loopback port, in this process; yields the port."""
    live = state if state is not None else LiveState(version=1)
    server = make_server("127.0.0.1", 0, root, live, **options)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def raw_get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    """GET with the request target sent exactly as given (urllib would normalise it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", target)
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/%00", 400),
        ("/index.html%00.txt", 400),
        ("/%ff%fe", 400),
        ("/journeys/%0a", 400),
        ("/../secret.txt", 400),
        ("/%2e%2e/secret.txt", 400),
        ("/journeys/..%2f..%2fsecret.txt", 400),
        ("/journeys/../../secret.txt", 400),
        pytest.param("/" + "a" * 5000, 404, id="long-name"),
        pytest.param("/x/" + "a/" * 3000, 404, id="long-path"),
        ("/escape.txt", 404),
        ("/nope.html", 404),
        ("/journeys/../index.html", 200),
        ("/data.json?x=%00", 200),
    ],
)
def test_bad_paths_get_an_answer_and_nothing_outside(
    site: Path, capfd: pytest.CaptureFixture[str], target: str, status: int
) -> None:
    with live_server(site) as port:
        got, _, body = raw_get(port, target)
        assert got == status
        assert b"top secret" not in body
        assert raw_get(port, "/data.json")[0] == 200  # the server is still up
    assert capfd.readouterr().err == ""  # no traceback


def test_folders_serve_their_index_or_404(site: Path) -> None:
    (site / "guide").mkdir()
    (site / "guide" / "index.html").write_text("<html><body>the guide</body></html>", "utf-8")
    with live_server(site) as port:
        for target in ("/journeys/", "/journeys"):
            status, headers, body = raw_get(port, target)
            assert status == 404, target
            assert b"No successful build yet" not in body
            assert b'<a href="/">' in body  # a way back to the map
            assert b"__journey__/state" in body  # reloads itself after the next good build
        status, headers, _ = raw_get(port, "/guide?x=1")
        assert (status, headers["Location"]) == (302, "/guide/?x=1")
        status, _, body = raw_get(port, "/guide/")
        assert status == 200 and b"the guide" in body and b"__journey__/state" in body
        status, _, body = raw_get(port, "/")
        assert status == 200 and b"home" in body


def test_waiting_page_only_at_the_root_before_the_first_good_build(tmp_path: Path) -> None:
    empty = tmp_path / "out"
    empty.mkdir()
    (empty / "journeys").mkdir()
    with live_server(empty, LiveState(version=0)) as port:
        for target in ("/", "/index.html"):
            status, _, body = raw_get(port, target)
            assert status == 200 and b"No successful build yet" in body, target
            assert b"__journey__/state" in body
        status, _, body = raw_get(port, "/journeys/")
        assert status == 404 and b"No successful build yet" not in body
    with live_server(empty, LiveState(version=1)) as port:
        assert raw_get(port, "/")[0] == 404


IDLE = 1.0  # the test servers' time for a request to arrive, in seconds
HALF_A_REQUEST = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # no blank line: never ends


def idle_clients(port: int, count: int, sent: bytes = HALF_A_REQUEST) -> list[socket.socket]:
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=IDLE + 3)
        client.sendall(sent)
        clients.append(client)
    return clients


def read_to_end(client: socket.socket) -> bytes:
    """All the server sends until it closes the connection (the client's timeout fails it)."""
    data = b""
    with client:
        while chunk := client.recv(4096):
            data += chunk
    return data


def test_idle_half_sent_requests_hold_no_threads_and_are_timed_out(site: Path) -> None:
    before = threading.active_count()
    with live_server(site, timeout=IDLE, workers=4) as port:
        started = time.monotonic()
        idle = idle_clients(port, 100)
        silent = idle_clients(port, 5, b"")
        time.sleep(IDLE / 2)
        for client in idle[:50]:  # a slow trickle does not buy more time
            client.sendall(b"X-More: 1\r\n")

        asked = time.monotonic()
        status, _, body = raw_get(port, "/index.html")
        assert status == 200 and b"home" in body
        assert time.monotonic() - asked < 0.5
        # the test's serve_forever thread, the server's head reader and its workers at most
        assert threading.active_count() <= before + 2 + 4

        for client in idle:
            assert read_to_end(client).startswith(b"HTTP/1.0 408 ")
        for client in silent:
            assert read_to_end(client) == b""
        assert time.monotonic() - started < IDLE + 1.5
        assert raw_get(port, "/data.json")[0] == 200


def test_a_request_head_too_long_gets_414(site: Path) -> None:
    with live_server(site, timeout=IDLE) as port:
        (client,) = idle_clients(port, 1, b"GET /" + b"a" * 70_000)
        assert read_to_end(client).startswith(b"HTTP/1.0 414 ")


def test_a_port_in_use_is_an_os_error_and_leaves_no_thread(site: Path) -> None:
    with live_server(site) as port:
        before = threading.active_count()
        with pytest.raises(OSError):
            make_server("127.0.0.1", port, site, LiveState())
        assert threading.active_count() == before


def test_connections_beyond_the_bound_get_503_at_once(site: Path) -> None:
    with live_server(site, timeout=IDLE, max_open=3) as port:
        idle = idle_clients(port, 3)
        asked = time.monotonic()
        assert raw_get(port, "/index.html")[0] == 503
        assert time.monotonic() - asked < 0.5
        for client in idle:
            read_to_end(client)
        assert raw_get(port, "/index.html")[0] == 200


class BrokenState(LiveState):
    def snapshot(self) -> dict[str, Any]:
        raise RuntimeError("boom")


def test_an_error_in_the_handler_is_a_500_not_a_dropped_connection(
    site: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    with live_server(site, BrokenState(version=1)) as port:
        status, _, body = raw_get(port, "/__journey__/state")
        assert status == 500 and b"boom" not in body
        assert raw_get(port, "/data.json")[0] == 200
    assert capfd.readouterr().err == ""


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


def test_folder_url_after_a_good_build(served: Served) -> None:
    status, body = served.get("journeys/")
    assert status == 404 and "No successful build yet" not in body
    assert '<a href="/">' in body
    assert served.get("")[0] == 200


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
