"""A scriptable HTTP server on 127.0.0.1: the scaffolding under the loopback carrier fakes.

What belongs here: the server's life cycle (a ``ThreadingHTTPServer`` on a port
the OS picks, served from a daemon thread, shut down on exit), recording every
request, scripted faults (an answer, a slow answer, a dropped connection, a
body cut short) and writing answers.  What must not: any carrier's API, its
auth or its body format; each fake (``tnorder.adapters.telnyx.fake.FakeTelnyx``,
``tests.support.fake_bandwidth.FakeBandwidth``) subclasses :class:`LoopbackServer`
and :class:`LoopbackHandler` and answers in its carrier's shapes.

It lives in the package (standard library and attrs only, never pytest)
because ``tnorder demo --carrier telnyx-fake`` runs a shipped fake; it never
talks to anything but its own socket.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["Fault", "LoopbackHandler", "LoopbackServer", "Recorded"]


@attrs.frozen
class Recorded:
    """One request a fake received (path below the API root, query, headers, body)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


def _bytes(body: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(body, dict):
        return json.dumps(body).encode()
    return body.encode() if isinstance(body, str) else body


@attrs.frozen
class Fault:
    """A scripted answer; build it with the class methods."""

    kind: str
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0

    @classmethod
    def answer(cls, status: int, body: bytes | str | dict[str, Any] = b"", **headers: str) -> Self:
        """Answer ``status`` with ``body`` (a dict is sent as JSON) and ``headers``."""
        return cls("answer", status, _bytes(body), tuple(headers.items()))

    @classmethod
    def normal(cls) -> Self:
        """Answer this request normally (to script a later one)."""
        return cls("normal")

    @classmethod
    def slow(cls, seconds: float) -> Self:
        """Apply the request at once but answer only after ``seconds`` (past the read timeout)."""
        return cls("slow", seconds=seconds)

    @classmethod
    def drop(cls, *, applied: bool = False) -> Self:
        """Close the connection without answering (after applying the request if ``applied``)."""
        return cls("drop_applied" if applied else "drop")

    @classmethod
    def cut(cls, body: bytes | str) -> Self:
        """Promise a longer body than is sent, then close the connection."""
        return cls("cut", 200, _bytes(body))


class LoopbackServer:
    """A fake's server: start and stop it, script faults, read what it received.

    Subclasses set :attr:`handler` (their :class:`LoopbackHandler`),
    :attr:`root` (the API's path in :attr:`base_url`, ``"/v2"``) and, when
    recorded paths start deeper, :attr:`path_prefix`; they call
    ``super().__init__()`` and hold their carrier's state.  Use as a context manager or call
    :meth:`start` / :meth:`stop`.
    """

    handler: ClassVar[type[LoopbackHandler]]
    root: ClassVar[str] = ""
    path_prefix: ClassVar[str | None] = None
    """What is cut off the front of a recorded path (default: ``root + "/"``)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._faults: list[tuple[str, re.Pattern[str], deque[Fault]]] = []
        # Reentrant: a fake's own methods take it and call each other.
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> Self:
        """Listen on 127.0.0.1 at a port the OS picks, serving from a daemon thread."""
        handler = type("Handler", (self.handler,), {"owner": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A stuck handler (a slow-answer fault) must not hold up stop().
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake slow answers and close the socket."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port><root>``: the base URL to configure an adapter with."""
        if self._server is None:
            raise RuntimeError("start the fake first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.root}"

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking at once when the server stops."""
        self._stopping.wait(seconds)

    # -- scripting ------------------------------------------------------------

    def inject(self, method: str, path: str, *faults: Fault) -> None:
        """Serve ``faults`` (in order) to requests matching ``method`` and ``path``
        (a regex searched in the path below the API root, e.g. ``"^orders$"``)."""
        with self._lock:
            self._faults.append((method.upper(), re.compile(path), deque(faults)))

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """Recorded requests, optionally filtered (``path`` is a regex)."""
        return [
            r
            for r in list(self.requests)
            if (method is None or r.method == method.upper())
            and (path is None or re.search(path, r.path))
        ]

    def next_fault(self, method: str, path: str) -> Fault | None:
        """The next scripted fault for a request, if any (taken off its queue)."""
        with self._lock:
            for wanted, pattern, queue in self._faults:
                if wanted == method and pattern.search(path) and queue:
                    return queue.popleft()
        return None


class LoopbackHandler(BaseHTTPRequestHandler):
    """Serves one connection of a :class:`LoopbackServer`.

    :meth:`handle_request` records the request, checks :meth:`authorized`,
    serves a scripted fault or :meth:`answer`, and writes the answer.
    Subclasses implement :meth:`answer` and :meth:`unauthorized`, may
    override :meth:`authorized`, and set :attr:`content_type`; ``do_<METHOD>``
    methods call :meth:`handle_request` (GET, POST and DELETE here).
    """

    owner: LoopbackServer
    protocol_version = "HTTP/1.1"
    content_type: ClassVar[str] = "application/octet-stream"

    def setup(self) -> None:
        super().setup()
        # Small writes without Nagle's delay: keeps loopback round trips fast.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet tests and demo

    def do_GET(self) -> None:
        self.handle_request("GET")

    def do_POST(self) -> None:
        self.handle_request("POST")

    def do_DELETE(self) -> None:
        self.handle_request("DELETE")

    # -- what a fake decides --------------------------------------------------

    def authorized(self) -> bool:
        """Whether the request's credentials are the fake's."""
        return True

    def unauthorized(self) -> tuple[int, bytes]:
        """The carrier's answer to bad credentials: (status, body)."""
        raise NotImplementedError

    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        """The carrier's answer to a request: (status, body, extra headers)."""
        raise NotImplementedError

    # -- plumbing -------------------------------------------------------------

    def handle_request(self, method: str) -> None:
        """Record the request, then serve a scripted fault or the fake's answer."""
        fake = self.owner
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        prefix = fake.root + "/" if fake.path_prefix is None else fake.path_prefix
        sub = parts.path[len(prefix) :] if parts.path.startswith(prefix) else parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        headers = {k.lower(): v for k, v in self.headers.items()}
        fake.requests.append(Recorded(method, sub, query, headers, raw))
        if not self.authorized():
            self.send(*self.unauthorized())
            return
        fault = fake.next_fault(method, sub)
        if fault is not None:
            if fault.kind == "answer":
                self.send(fault.status, fault.body, dict(fault.headers))
                return
            if fault.kind == "drop":
                self.drop()
                return
            if fault.kind == "cut":
                self.send_response(200)
                self.send_header("Content-Type", self.content_type)
                self.send_header("Content-Length", str(len(fault.body) + 500))
                self.end_headers()
                self.wfile.write(fault.body)
                self.wfile.flush()
                self.drop()
                return
        status, body, extra = self.answer(method, sub, query, raw)
        if fault is not None and fault.kind == "slow":
            fake.wait(fault.seconds)  # applied already; only the answer is late
        if fault is not None and fault.kind == "drop_applied":
            self.drop()
            return
        self.send(status, body, extra)

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """Write an answer; a scripted ``Date`` replaces the real one (empty: none at all)."""
        try:
            if "Date" in (headers or {}):
                self.log_request(status)
                self.send_response_only(status)
            else:
                self.send_response(status)
            self.send_header("Content-Type", self.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                if value:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test); nothing to answer

    def drop(self) -> None:
        """Close the connection without (finishing) an answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
