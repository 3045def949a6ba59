"""The HTTP side of `journey serve`, a generic live-reload server: it serves only the output
folder, adds the live-reload script tag to pages, serves that script
(static/livereload.js), streams the build's steps to open pages as server-sent events and
answers the state endpoint. It knows nothing of journeys: whatever builds the folder
updates a LiveState (the CLI's builder callback is toolkit.serve.live.LiveBuild)."""

from __future__ import annotations

import contextlib
import html
import io
import json
import logging
import os
import queue
import re
import select
import selectors
import shutil
import socket
import stat
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import HTTPServer, SimpleHTTPRequestHandler
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

from toolkit.common.errors import EnvironmentFailure
from toolkit.serve.state import LiveState

log = logging.getLogger(__name__)

STATE_PATH = "/__journey__/state"  # the state as JSON, for tools and tests
SCRIPT_PATH = "/__journey__/livereload.js"  # toolkit/serve/static/livereload.js
EVENTS_PATH = "/__journey__/events"  # server-sent events: what the build wrote, the errors
HEARTBEAT = 15.0  # seconds between comments on an idle event stream
STREAM_THREAD = "journey-serve-stream"  # the name of an event stream's thread
TICK = 0.5  # seconds an event stream waits before looking whether its client left
SCRIPT_TAG = '<script src="{src}" data-boot="{boot}" data-seq="{seq}" data-file="{file}"></script>'


def livereload_js() -> bytes:
    return (resources.files("toolkit.serve") / "static" / "livereload.js").read_bytes()


WAITING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>journey serve</title></head>
<body><p>No successful build yet: fix the errors shown below and save.</p></body></html>"""

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found - journey serve</title></head>
<body><h1>Not found</h1><p>Nothing is built at this address.
<a href="/">Back to the map index</a>.</p></body></html>"""


def inject(page: bytes, boot: str, seq: int, file: str = "") -> bytes:
    """The page with the live-reload script tag before </body> (files on disk stay
    script-free): it follows the build from step SEQ of server BOOT; FILE is the page's path
    under the output folder ("" for the 404 and waiting pages)."""
    tag = SCRIPT_TAG.format(src=SCRIPT_PATH, boot=boot, seq=seq, file=html.escape(file))
    marker = b"</body>"
    at = page.rfind(marker)
    payload = tag.encode("utf-8")
    return page[:at] + payload + page[at:] if at >= 0 else page + payload


def url_parts(target: str) -> list[str] | None:
    """The path segments of a request target with '.' and '..' applied; None if malformed.

    Malformed: percent-escapes that do not decode as UTF-8, control characters (NUL
    included), or a '..' that climbs above the root.
    """
    path = target.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in decoded):
        return None
    parts: list[str] = []
    for part in decoded.split("/"):
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return parts


def locate(root: Path, parts: list[str]) -> tuple[Path, bool] | None:
    """The file or folder PARTS name below ROOT, symlinks resolved, and whether it is a folder.

    None when it is missing, outside ROOT (through a symlink), or neither a regular file nor
    a folder (a FIFO would hang the handler). ROOT must be resolved.
    """
    try:
        real = root.joinpath(*parts).resolve()
        mode = real.stat().st_mode
    except (OSError, ValueError, RuntimeError):  # too long, a loop, ...
        return None
    if not real.is_relative_to(root):
        return None
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
        return real, stat.S_ISDIR(mode)
    return None


def index_of(root: Path, parts: list[str]) -> tuple[Path, bool] | None:
    """The index.html of the folder PARTS name below ROOT, if it has one (see locate)."""
    found = locate(root, [*parts, "index.html"])
    return found if found is not None and not found[1] else None


# A file made when asked for (`journey serve`'s report.pdf and deck.pptx): its bytes, or None
# when there is nothing to make it from yet (no good build).
Download = Callable[[], bytes | None]
DOWNLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def handler_for(
    root: Path, state: LiveState, downloads: Mapping[str, Download] | None = None
) -> type[SimpleHTTPRequestHandler]:
    """The request handler: the files of ROOT, the files made on demand (`downloads`, by
    their path under ROOT, before the folder's own), the live-reload script, the event
    stream and the state. It knows nothing of what builds ROOT: `state` is all it follows."""
    served = root.resolve()
    on_demand = dict(downloads or {})
    script = livereload_js()

    class Handler(SimpleHTTPRequestHandler):
        answered = False  # a status line went out for the current request

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def send_response(self, code: int, message: str | None = None) -> None:
            self.answered = True
            super().send_response(code, message)

        def do_GET(self) -> None:  # noqa: N802
            self.answered = False
            try:
                self._get()
            except Exception:
                self._failed()

        def do_HEAD(self) -> None:  # noqa: N802
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)

        def _get(self) -> None:
            path, _, query = self.path.split("#", 1)[0].partition("?")
            if path == STATE_PATH:
                self._send(json.dumps(state.snapshot()).encode(), "application/json")
                return
            if path == SCRIPT_PATH:
                self._send(script, "text/javascript; charset=utf-8")
                return
            if path == EVENTS_PATH:
                if threading.current_thread().name != STREAM_THREAD:  # never hold a worker
                    self.send_error(HTTPStatus.SERVICE_UNAVAILABLE)
                    return
                self._events(parse_qs(query))
                return
            parts = url_parts(path)
            if parts is None:
                self.send_error(HTTPStatus.BAD_REQUEST, "Malformed path")
                return
            made = on_demand.get("/".join(parts))
            if made is not None:
                self._download(parts[-1], made)
                return
            found = locate(served, parts)
            if found is not None and found[1]:  # a folder: its index.html, as MkDocs does
                found = index_of(served, parts)
                if found is not None and not path.endswith("/"):
                    self._redirect(parts, query)
                    return
            if found is None:
                self._missing(parts)
            elif found[0].suffix == ".html":
                self._html(found[0])
            else:
                self._file(found[0])

        def _download(self, name: str, make: Download) -> None:
            """A file made now (it takes seconds), as an attachment; 503 with the reason
            when this machine cannot make it (a missing library), 404 before a good build."""
            try:
                body = make()
            except EnvironmentFailure as exc:
                fix = f" ({exc.fix})" if exc.fix else ""
                message = f"{exc}{fix}".encode()
                self._send(message, "text/plain; charset=utf-8", HTTPStatus.SERVICE_UNAVAILABLE)
                return
            if body is None:
                self._not_found()
                return
            ctype = DOWNLOAD_TYPES.get(Path(name).suffix, "application/octet-stream")
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Disposition", f'attachment; filename="{quote(name)}"')
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _missing(self, parts: list[str]) -> None:
            """404, or the waiting page at the root until the first good build."""
            boot, seq = state.position()
            if state.snapshot()["version"] == 0 and parts in ([], ["index.html"]):
                self._send(inject(WAITING_PAGE.encode(), boot, seq), "text/html; charset=utf-8")
            else:
                self._not_found()

        def _not_found(self) -> None:
            """404 with a link to the index; the page reloads itself after the next good build."""
            body = inject(NOT_FOUND_PAGE.encode(), *state.position())
            self._send(body, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)

        def _redirect(self, parts: list[str], query: str) -> None:
            """To the folder's address with a slash, so the page's relative links work."""
            where = "/" + "/".join(quote(part, safe="") for part in parts) + "/"
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", where + ("?" + query if query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _failed(self) -> None:
            """An unexpected error: answer 500 if nothing went out yet; close the connection."""
            log.debug("journey serve: error answering %r", self.path, exc_info=True)
            self.close_connection = True
            if not self.answered:
                with contextlib.suppress(OSError):
                    self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)

        def _html(self, page: Path) -> None:
            boot, seq = state.position()  # before reading: a later write is sent again
            try:
                body = page.read_bytes()
            except OSError:  # removed by a rebuild since it was found
                self._not_found()
                return
            file = page.relative_to(served).as_posix()
            self._send(inject(body, boot, seq, file), "text/html; charset=utf-8")
            state.page_served(file)

        def _events(self, query: dict[str, list[str]]) -> None:
            """Server-sent events until the client leaves or the server stops: at once the
            state since the step the page was served at, then one event per build step
            (files written, errors), and a comment every HEARTBEAT seconds when idle.

            LiveServer runs this on a stream thread of its own, never on a worker."""
            boot = query.get("boot", [""])[0]
            try:
                seen = int(query.get("since", ["-1"])[0])
            except ValueError:
                seen = -1
            file = query.get("file", [""])[0]
            state.follow(file, 1)
            try:
                self._stream_events(boot, seen)
            finally:
                state.follow(file, -1)

        def _stream_events(self, boot: str, seen: int) -> None:
            server = self.server
            self.close_connection = True
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            event: dict[str, Any] | None = state.event(boot, seen)
            quiet = time.monotonic()
            while not getattr(server, "stopping", False):
                if event is not None:
                    data = json.dumps(event, ensure_ascii=False)
                    self.wfile.write(f"data: {data}\n\n".encode())
                    boot, seen, quiet = event["boot"], event["seq"], time.monotonic()
                elif time.monotonic() - quiet >= HEARTBEAT:
                    self.wfile.write(b": still here\n\n")
                    quiet = time.monotonic()
                if self._client_left():
                    return
                event = state.wait(boot, seen, TICK)

        def _client_left(self) -> bool:
            """Whether the client closed the stream (or sent anything, which it should not)."""
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
            except (OSError, ValueError):
                return True
            return bool(readable)

        def _file(self, path: Path) -> None:
            try:
                source = path.open("rb")
            except OSError:
                self._not_found()
                return
            with source:
                self.send_response(HTTPStatus.OK)
                self.send_header("Content-Type", self.guess_type(str(path)))
                self.send_header("Content-Length", str(os.fstat(source.fileno()).st_size))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                shutil.copyfileobj(source, self.wfile)

        def _send(self, body: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


TIMEOUT = 5.0  # seconds for a request to arrive, and for each step of sending the answer
WORKERS = 32  # requests answered at once
MAX_STREAMS = 64  # event streams open at once, each on a thread of its own; one more gets 503
MAX_OPEN = 256  # open connections; a new one beyond this gets 503
MAX_HEAD = 64 * 1024  # bytes of request line and headers
HEAD_END = re.compile(rb"\n\r?\n")


def is_event_stream(head: bytes) -> bool:
    """Whether a request head asks for the event stream (GET EVENTS_PATH)."""
    line = head.split(b"\n", 1)[0].split()
    if len(line) < 2 or line[0] != b"GET":
        return False
    return line[1].split(b"#", 1)[0].split(b"?", 1)[0] == EVENTS_PATH.encode()


def quick_answer(sock: socket.socket, status: HTTPStatus) -> None:
    """Send a short plain-text answer if the socket takes it at once; never block or raise."""
    body = f"{status.value} {status.phrase}\n".encode()
    head = (
        f"HTTP/1.0 {status.value} {status.phrase}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        sock.send(head.encode() + body)


@dataclass
class Pending:
    """A connection whose request head is still arriving."""

    address: Any
    deadline: float
    head: bytearray = field(default_factory=bytearray)


class HeadReader:
    """One thread that reads the request heads of new connections without blocking.

    While its client is still sending the request, a connection costs a socket but no
    thread. A complete head goes to `ready`; a connection whose head is not complete
    `timeout` seconds after it arrived, that sends too much or that closes goes to `drop`
    with the status to answer (None: just close).
    """

    def __init__(
        self,
        timeout: float,
        ready: Callable[[socket.socket, Any, bytes], None],
        drop: Callable[[socket.socket, HTTPStatus | None], None],
    ) -> None:
        self.timeout = timeout
        self._ready, self._drop = ready, drop
        self._inbox: queue.SimpleQueue[tuple[socket.socket, Any]] = queue.SimpleQueue()
        self._pending: dict[socket.socket, Pending] = {}
        self._stopping = False
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        for end in (self._wake_r, self._wake_w):
            end.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._run, name="journey-serve-heads", daemon=True)
        self._thread.start()

    def add(self, sock: socket.socket, address: Any) -> None:
        self._inbox.put((sock, address))
        self._wake()

    def stop(self) -> None:
        """Drop the connections still pending and end the thread."""
        self._stopping = True
        self._wake()
        self._thread.join(timeout=5)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # already awake (buffer full) or stopped
            self._wake_w.send(b"\0")

    def _run(self) -> None:
        try:
            while not self._stopping:
                for key, _ in self._selector.select(self._wait()):
                    if key.fileobj is self._wake_r:
                        self._take_new()
                    else:
                        self._read(key.fileobj)  # type: ignore[arg-type]
                self._expire(time.monotonic())
        finally:
            self._take_new()
            self._expire(float("inf"))
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()

    def _wait(self) -> float | None:
        if not self._pending:
            return None
        return max(0.0, min(p.deadline for p in self._pending.values()) - time.monotonic())

    def _take_new(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_r.recv(4096):
                pass
        while True:
            try:
                sock, address = self._inbox.get_nowait()
            except queue.Empty:
                return
            try:
                sock.setblocking(False)
                self._selector.register(sock, selectors.EVENT_READ)
            except (OSError, ValueError):
                self._drop(sock, None)
                continue
            self._pending[sock] = Pending(address, time.monotonic() + self.timeout)

    def _read(self, sock: socket.socket) -> None:
        pending = self._pending[sock]
        try:
            data = sock.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._unwatch(sock)
            self._drop(sock, None)
            return
        start = max(0, len(pending.head) - 2)
        pending.head += data
        if HEAD_END.search(pending.head, start):
            self._unwatch(sock)
            self._ready(sock, pending.address, bytes(pending.head))
        elif len(pending.head) > MAX_HEAD:
            self._unwatch(sock)
            if b"\n" in pending.head:
                self._drop(sock, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            else:
                self._drop(sock, HTTPStatus.REQUEST_URI_TOO_LONG)

    def _expire(self, now: float) -> None:
        for sock, pending in list(self._pending.items()):
            if pending.deadline <= now:
                self._unwatch(sock)
                self._drop(sock, HTTPStatus.REQUEST_TIMEOUT if pending.head else None)

    def _unwatch(self, sock: socket.socket) -> None:
        del self._pending[sock]
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(sock)


class PrimedReader(io.RawIOBase):
    """Reads the bytes already received first, then from the socket."""

    def __init__(self, head: bytes, sock: socket.socket) -> None:
        super().__init__()
        self._head, self._sock = head, sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._head:
            return self._sock.recv_into(buffer)
        n = min(len(buffer), len(self._head))
        buffer[:n] = self._head[:n]
        self._head = self._head[n:]
        return n


class Primed:
    """A connection whose request head was read by the HeadReader, as the handler uses it."""

    def __init__(self, sock: socket.socket, head: bytes) -> None:
        self._sock, self._head = sock, head

    def makefile(self, mode: str = "r", buffering: int | None = None) -> Any:
        if mode == "rb":
            return io.BufferedReader(PrimedReader(self._head, self._sock))
        return self._sock.makefile(mode, buffering)

    def settimeout(self, value: float | None) -> None:
        self._sock.settimeout(value)

    def setsockopt(self, *args: Any) -> None:
        self._sock.setsockopt(*args)

    def sendall(self, data: Any) -> None:
        self._sock.sendall(data)

    def fileno(self) -> int:
        return self._sock.fileno()

    def __getattr__(self, name: str) -> Any:  # anything else a later Python's handler uses
        return getattr(self._sock, name)


class LiveServer(HTTPServer):
    """The HTTP server of `journey serve`: a bounded number of threads, idle clients timed out.

    New connections wait in one HeadReader thread until their request head has arrived;
    then one of at most `workers` threads answers (further complete requests queue for
    them). A connection whose request is not complete `timeout` seconds after it arrived is
    closed (with 408 if it sent part of one), and each step of sending an answer has
    `timeout` seconds too. Beyond `max_open` open connections a new one gets 503 at once.

    Event streams (EVENTS_PATH) last as long as their page: each gets a thread of its own
    instead of a worker, at most `max_streams` at once (one more gets 503; the page's
    script tries again), so open pages never hold up the files. They count as open
    connections too. shutdown() and server_close() end them: `on_stop` wakes them (the
    state's wake), and server_close waits up to a second for their threads.
    """

    request_queue_size = 128  # the listen backlog (5 by default drops bursts of connects)

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[SimpleHTTPRequestHandler],
        *,
        timeout: float = TIMEOUT,
        workers: int = WORKERS,
        max_open: int = MAX_OPEN,
        max_streams: int = MAX_STREAMS,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.request_timeout, self.max_open, self.max_streams = timeout, max_open, max_streams
        self.stopping = False
        self._on_stop = on_stop
        self._open: set[socket.socket] = set()
        self._streams: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._workers = ThreadPoolExecutor(workers, thread_name_prefix="journey-serve")
        self._heads = HeadReader(timeout, self._dispatch, self._drop)
        super().__init__(address, handler)  # calls server_close if it cannot listen

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            full = len(self._open) >= self.max_open
            if not full:
                self._open.add(request)
        if full:
            quick_answer(request, HTTPStatus.SERVICE_UNAVAILABLE)
            self.shutdown_request(request)
        else:
            self._heads.add(request, client_address)

    def _dispatch(self, sock: socket.socket, address: Any, head: bytes) -> None:
        if is_event_stream(head):
            self._start_stream(sock, address, head)
            return
        try:
            self._workers.submit(self._answer, sock, address, head)
        except RuntimeError:  # shutting down
            self._drop(sock, None)

    def _answer(self, sock: socket.socket, address: Any, head: bytes) -> None:
        try:
            sock.settimeout(self.request_timeout)
            self.finish_request(Primed(sock, head), address)  # type: ignore[arg-type]
        except Exception:
            self.handle_error(sock, address)
        finally:
            self._drop(sock, None)

    def _start_stream(self, sock: socket.socket, address: Any, head: bytes) -> None:
        with self._lock:
            full = self.stopping or len(self._streams) >= self.max_streams
            if not full:
                thread = threading.Thread(
                    target=self._stream,
                    args=(sock, address, head),
                    name=STREAM_THREAD,
                    daemon=True,
                )
                self._streams.add(thread)
        if full:
            self._drop(sock, HTTPStatus.SERVICE_UNAVAILABLE)
            return
        try:
            thread.start()
        except RuntimeError:  # no more threads on this machine
            with self._lock:
                self._streams.discard(thread)
            self._drop(sock, HTTPStatus.SERVICE_UNAVAILABLE)

    def _stream(self, sock: socket.socket, address: Any, head: bytes) -> None:
        try:
            self._answer(sock, address, head)
        finally:
            with self._lock:
                self._streams.discard(threading.current_thread())

    def _stop_streams(self) -> None:
        self.stopping = True
        if self._on_stop is not None:
            self._on_stop()

    def shutdown(self) -> None:
        self._stop_streams()
        super().shutdown()

    def _drop(self, sock: socket.socket, status: HTTPStatus | None) -> None:
        if status is not None:
            quick_answer(sock, status)
        with self._lock:
            self._open.discard(sock)
        self.shutdown_request(sock)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet (the standard one prints a traceback); a client's trouble is its own."""
        log.debug("journey serve: error on a connection from %s", client_address, exc_info=True)

    def server_close(self) -> None:
        self._stop_streams()
        super().server_close()
        self._heads.stop()
        self._workers.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            left, self._open = self._open, set()
            streams = set(self._streams)
        for sock in left:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        end = time.monotonic() + 1.0
        for thread in streams:
            thread.join(max(0.0, end - time.monotonic()))


def make_server(
    host: str,
    port: int,
    root: Path,
    state: LiveState,
    *,
    timeout: float = TIMEOUT,
    workers: int = WORKERS,
    max_open: int = MAX_OPEN,
    max_streams: int = MAX_STREAMS,
    downloads: Mapping[str, Download] | None = None,
) -> LiveServer:
    """A live-reload server for the files under ROOT and those made on demand (`downloads`):
    pages follow STATE (whatever builds ROOT updates it; see toolkit.serve.live)."""
    return LiveServer(
        (host, port),
        handler_for(root, state, downloads),
        timeout=timeout,
        workers=workers,
        max_open=max_open,
        max_streams=max_streams,
        on_stop=state.wake,
    )
