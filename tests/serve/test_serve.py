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
from toolkit.serve import server as server_module
from toolkit.serve.server import inject, make_server
from toolkit.serve.state import LiveState

# Seconds a save may take to show. Generous: the tests check behaviour on a loaded machine,
# benchmarks/live_reload.py measures speed.
DEADLINE = 30.0


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
            assert b"/__journey__/livereload.js" in body  # reloads after the next good build
        status, headers, _ = raw_get(port, "/guide?x=1")
        assert (status, headers["Location"]) == (302, "/guide/?x=1")
        status, _, body = raw_get(port, "/guide/")
        assert status == 200 and b"the guide" in body and b"/__journey__/livereload.js" in body
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
            assert b"/__journey__/livereload.js" in body
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


def test_inject_adds_script_tag_before_body_end() -> None:
    page = b"<html><body><p>x</p></body></html>"
    out = inject(page, "b00t", 7, 'journeys/a&"b.html')
    assert out == (
        b'<html><body><p>x</p><script src="/__journey__/livereload.js" data-boot="b00t" '
        b'data-seq="7" data-file="journeys/a&amp;&quot;b.html"></script></body></html>'
    )


def test_the_script_is_a_static_asset(site: Path) -> None:
    shipped = Path(server_module.__file__).parent / "static" / "livereload.js"
    with live_server(site) as port:
        status, headers, body = raw_get(port, "/__journey__/livereload.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
        assert body == shipped.read_bytes()
        assert b'role", "alert"' in body and b"EventSource" in body
        _, _, page = raw_get(port, "/journeys/a.html")
        assert b"<script>" not in page  # only the tag, no inline script
        assert b'data-file="journeys/a.html"></script></body>' in page


class Stream:
    """A plain HTTP client on the event stream: its status and the events' data, in order."""

    def __init__(self, port: int, query: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
        self.conn.request("GET", "/__journey__/events" + query)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status

    def next(self) -> dict[str, Any]:
        """The next event's data (comments skipped); fails after DEADLINE seconds."""
        while True:
            line = self.resp.fp.readline()
            assert line, "the stream ended"
            if line.startswith(b"data: "):
                return dict(json.loads(line[6:]))

    def close(self) -> None:
        self.resp.close()
        self.conn.close()


def test_the_event_stream_sends_each_build_step(site: Path) -> None:
    state = LiveState(version=1)
    with live_server(site, state) as port:
        stream = Stream(port, f"?boot={state.boot}&since=0")
        try:
            assert stream.status == 200
            assert stream.resp.getheader("Content-Type").startswith("text/event-stream")
            first = stream.next()  # at once: the state since the page was served
            assert (first["seq"], first["written"], first["errors"]) == (0, [], [])
            started = time.monotonic()
            state.update(errors=[], written=["journeys/a.html"])
            assert stream.next()["written"] == ["journeys/a.html"]
            error = {"file": "j.yaml", "line": 1, "column": 1, "code": "x", "message": "m"}
            state.update(errors=[error])
            event = stream.next()
            assert (event["ok"], event["errors"], event["written"]) == (False, [error], [])
            state.update(errors=[], written=["index.html"], built=True, new_output=True)
            event = stream.next()
            assert (event["ok"], event["version"], event["written"]) == (True, 2, ["index.html"])
            assert time.monotonic() - started < DEADLINE
        finally:
            stream.close()
        # a page from another server (or too far behind) is told to reload: written is null
        stream = Stream(port, "?boot=other&since=3")
        try:
            assert stream.next()["written"] is None
        finally:
            stream.close()


def stream_status(port: int) -> int:
    stream = Stream(port)
    stream.close()
    return stream.status


def test_event_streams_hold_no_worker_and_are_bounded(site: Path) -> None:
    state = LiveState(version=1)
    with live_server(site, state, timeout=IDLE, workers=2, max_streams=3) as port:
        streams = [Stream(port) for _ in range(3)]
        try:
            for stream in streams:
                assert stream.status == 200
                stream.next()
            asked = time.monotonic()
            for _ in range(4):  # more requests than workers, all answered at once
                assert raw_get(port, "/index.html")[0] == 200
            assert time.monotonic() - asked < 1.0
            assert raw_get(port, "/__journey__/events")[0] == 503  # one stream too many
            time.sleep(IDLE + 0.5)  # streams outlive the request timeout
            state.update(written=["index.html"])
            assert all(s.next()["written"] == ["index.html"] for s in streams)
        finally:
            for stream in streams:
                stream.close()
        wait_for(lambda: stream_status(port) == 200)  # closed streams free their places
    assert not [t for t in threading.enumerate() if t.name == "journey-serve-stream"]


def test_shutdown_ends_open_streams_within_a_second(site: Path) -> None:
    state = LiveState(version=1)
    server = make_server("127.0.0.1", 0, site, state)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    before = threading.active_count()
    streams = [Stream(server.server_port) for _ in range(5)]
    for stream in streams:
        stream.next()
    assert threading.active_count() == before + 5
    started = time.monotonic()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    assert time.monotonic() - started < 1.0
    assert not thread.is_alive()
    assert not [t for t in threading.enumerate() if t.name == "journey-serve-stream"]
    for stream in streams:
        with pytest.raises((AssertionError, OSError)):
            stream.next()  # ended
        stream.close()


def test_edit_break_fix_cycle_over_http(served: Served) -> None:
    status, index = served.get("index.html")
    assert status == 200 and "/__journey__/livereload.js" in index
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


def test_a_save_is_pushed_to_the_event_stream(served: Served) -> None:
    stream = Stream(int(served.url.rsplit(":", 1)[1].strip("/")))
    try:
        assert stream.next()["written"] is None  # no page position given: reload to be sure
        path = journey_file(served.project)
        path.write_text(retitled(path.read_text(encoding="utf-8")), encoding="utf-8")
        written: list[str] = []
        while "journeys/no-ma-manager.html" not in written:
            written = stream.next()["written"]
        assert written == ["journeys/no-ma-manager.html"]  # its page first, on its own
        assert "改訂版マップ" in served.get("journeys/no-ma-manager.html")[1]
    finally:
        stream.close()


# The page as a fresh load shows it, without the live-reload tag (its data-seq differs).
PAGE_HTML = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll("script[data-boot]").forEach((tag) => tag.remove());
  return document.head.outerHTML + body.outerHTML;
}"""


@pytest.mark.skipif(chromium_path() is None, reason="chromium is not installed")
def test_browser_follows_saves_and_shows_overlay(served: Served) -> None:
    from playwright.sync_api import sync_playwright

    path = journey_file(served.project)
    original = path.read_text(encoding="utf-8")
    address = served.url + "journeys/no-ma-manager.html"
    timeout = DEADLINE * 1000
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 800, "height": 400})
            asked: list[str] = []
            page.on("request", lambda request: asked.append(request.url))
            with page.expect_request(lambda r: "/__journey__/events?" in r.url, timeout=timeout):
                page.goto(address)  # the page opens its event stream
            page.evaluate("() => { window.sameDocument = true; window.scrollTo(0, 300); }")
            scrolled = page.evaluate("() => window.scrollY")

            path.write_text(retitled(original), encoding="utf-8")
            page.get_by_text("改訂版マップ").first.wait_for(timeout=timeout)
            assert page.evaluate("() => window.sameDocument === true")  # in place, no reload
            assert page.evaluate("() => window.scrollY") == scrolled

            path.write_text(original.replace("steps:", "stepz:", 1), encoding="utf-8")
            overlay = page.locator("#journey-live-overlay")
            overlay.wait_for(state="visible", timeout=timeout)
            assert overlay.get_attribute("role") == "alert"
            assert "unknown-key" in overlay.inner_text()
            assert "journey-no-ma-manager.yaml" in overlay.inner_text()
            assert page.get_by_text("改訂版マップ").first.is_visible()  # the last good map

            path.write_text(original, encoding="utf-8")
            overlay.wait_for(state="detached", timeout=timeout)
            page.wait_for_function(
                "() => !document.body.innerText.includes('改訂版マップ')", timeout=timeout
            )
            wait_for(lambda: served.state()["version"] >= 3)  # the whole build landed

            fresh = browser.new_page()
            fresh.goto(address)
            assert page.evaluate(PAGE_HTML) == fresh.evaluate(PAGE_HTML)  # as on disk
            assert not [url for url in asked if "/__journey__/state" in url]  # no polling
        finally:
            browser.close()
