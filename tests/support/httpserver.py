"""A real HTTP server on 127.0.0.1 for tests: routes, corpus files, conditional GETs, faults, a request log.

    server.add("/feed.xml", body, headers={"Content-Type": "application/rss+xml", "ETag": '"v1"'})
    server.add_file("/lilog.xml", corpus / "blogs" / "lilianweng_lil-log_hugo_rss2_index.xml")
    server.add_handler("/flaky", sequence(Response(status=500), Response(body)))
    url = server.url("/feed.xml")
    server.requests_for("/feed.xml")[0].headers["if-none-match"]

Static routes answer 304 when the request's If-None-Match / If-Modified-Since match the route's ETag /
Last-Modified. Handler callables receive an Exchange and return a Response to send, or None when they
wrote (or refused to write) the answer themselves: that is how the fault helpers below work.
"""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    time: float  # time.monotonic() when the request had been read

    @property
    def route(self) -> str:
        """The path without its query string."""
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, list[str]]:
        """The query string, parsed."""
        return parse_qs(urlsplit(self.path).query)


@dataclass
class Response:
    """What a route answers."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Exchange:
    """What a handler callable gets: the request, the raw handler (wfile, connection) and the server."""

    request: Recorded
    handler: BaseHTTPRequestHandler
    server: HttpServer


Handler = Callable[[Exchange], "Response | None"]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    server: _Server

    def do_GET(self) -> None:
        owner = self.server.owner
        recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        owner._record(recorded)
        route = owner._route_for(self.path)
        if route is None:
            self.send_answer(Response(b"not found", 404, {"Content-Type": "text/plain"}))
            return
        response = route(Exchange(recorded, self, owner))
        if response is not None:
            self.send_answer(response)

    def send_answer(self, response: Response) -> None:
        """Send a whole response with a correct Content-Length."""
        self.send_response(response.status)
        names = {name.lower() for name in response.headers}
        for name, value in response.headers.items():
            self.send_header(name, value)
        if "content-length" not in names:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests assert on server.requests instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HttpServer


class HttpServer:
    """A threaded loopback HTTP server (port 0: the OS picks a free one)."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._server = _Server((host, 0), _RequestHandler)
        self._server.owner = self
        self._routes: dict[str, Handler] = {}
        self._prefixes: dict[str, Handler] = {}  # a handler for every path under a folder (an API's routes)
        self._requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        #: Set when the server closes; hanging handlers wait on it so they end with the test.
        self.stopping = threading.Event()

    # --- life cycle ---------------------------------------------------------------------------

    def start(self) -> HttpServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and release the port."""
        self.stopping.set()
        if self._thread is not None:  # shutdown() waits for a serve_forever() that must have started
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- routes -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + path

    def add(self, path: str, body: bytes = b"", status: int = 200, headers: dict[str, str] | None = None) -> str:
        """Serve a fixed response at ``path`` (304 on a matching conditional request). Returns its URL."""
        return self.add_handler(path, static(Response(body, status, dict(headers or {}))))

    def add_file(self, path: str, file: Path, content_type: str = "application/xml", **headers: str) -> str:
        """Serve a file's bytes unchanged at ``path``. Returns its URL."""
        return self.add(path, file.read_bytes(), headers={"Content-Type": content_type, **headers})

    def add_handler(self, path: str, handler: Handler) -> str:
        """Answer ``path`` with a callable (see the fault helpers). Returns its URL."""
        self._routes[path] = handler
        return self.url(path)

    def add_prefix(self, prefix: str, handler: Handler) -> str:
        """Answer every path under ``prefix`` (``/api`` serves ``/api/a/b?x=1``) with a callable. Returns its URL."""
        self._prefixes[prefix.rstrip("/") + "/"] = handler
        return self.url(prefix)

    def _route_for(self, path: str) -> Handler | None:
        found = self._routes.get(path) or self._routes.get(urlsplit(path).path)
        if found is None:
            bare = urlsplit(path).path
            found = next((h for prefix, h in self._prefixes.items() if bare.startswith(prefix)), None)
        return found

    # --- the request log -------------------------------------------------------------------------

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[Recorded]:
        """Every request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[Recorded]:
        """The requests whose path (without query) is ``path``."""
        return [r for r in self.requests if r.route == urlsplit(path).path]

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self._requests.clear()


@pytest.fixture
def http_server() -> Iterator[HttpServer]:
    """A running loopback server, closed after the test."""
    with HttpServer() as server:
        yield server


# --- handlers and faults ---------------------------------------------------------------------------


def static(response: Response) -> Handler:
    """A fixed response that honours If-None-Match / If-Modified-Since against its ETag / Last-Modified."""

    def handle(exchange: Exchange) -> Response:
        if response.status == 200 and _not_modified(exchange.request.headers, response.headers):
            kept = {k: v for k, v in response.headers.items() if k.lower() in ("etag", "last-modified")}
            return Response(b"", 304, kept)
        return response

    return handle


def sequence(*steps: Response | Handler) -> Handler:
    """The n-th request gets the n-th step; the last step repeats."""
    lock = threading.Lock()
    calls = [0]

    def handle(exchange: Exchange) -> Response | None:
        with lock:
            index = min(calls[0], len(steps) - 1)
            calls[0] += 1
        step = steps[index]
        return step if isinstance(step, Response) else step(exchange)

    return handle


def redirect(location: str, status: int = 301) -> Handler:
    """A redirect to ``location`` (a path or an absolute URL)."""
    return static(Response(b"", status, {"Location": location}))


def hang(seconds: float | None = None) -> Handler:
    """Never answer (until ``seconds`` pass or the server closes), then drop the connection."""

    def handle(exchange: Exchange) -> None:
        exchange.server.stopping.wait(seconds)
        exchange.handler.close_connection = True

    return handle


def delayed(seconds: float, response: Response) -> Handler:
    """Answer after ``seconds``."""

    def handle(exchange: Exchange) -> Response:
        exchange.server.stopping.wait(seconds)
        return response

    return handle


def reset() -> Handler:
    """Reset the connection (TCP RST) without answering."""

    def handle(exchange: Exchange) -> None:
        connection = exchange.handler.connection
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        exchange.handler.close_connection = True
        connection.close()

    return handle


def slow_body(body: bytes, chunk: int = 64, interval: float = 0.2, headers: dict[str, str] | None = None) -> Handler:
    """Send the body ``chunk`` bytes every ``interval`` seconds (each gap shorter than a read timeout)."""

    def handle(exchange: Exchange) -> None:
        h = exchange.handler
        h.send_response(200)
        for name, value in {"Content-Type": "application/xml", **(headers or {})}.items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for start in range(0, len(body), chunk):
            if exchange.server.stopping.wait(interval):
                break
            try:
                h.wfile.write(body[start : start + chunk])
                h.wfile.flush()
            except OSError:  # the client gave up: that is what the test wanted
                break
        h.close_connection = True

    return handle


def truncated(body: bytes, sent: int) -> Handler:
    """Promise the whole body in Content-Length, send only ``sent`` bytes, then close."""

    def handle(exchange: Exchange) -> None:
        h = exchange.handler
        h.send_response(200)
        h.send_header("Content-Type", "application/xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:sent])
        h.wfile.flush()
        h.close_connection = True

    return handle


def gzipped(body: bytes, headers: dict[str, str] | None = None) -> Handler:
    """The body gzip-compressed, with Content-Encoding: gzip."""
    return static(Response(gzip.compress(body), 200, {"Content-Encoding": "gzip", **(headers or {})}))


def corrupt_gzip(body: bytes) -> Handler:
    """Claims gzip, sends a gzip stream with its middle bytes scrambled."""
    packed = bytearray(gzip.compress(body))
    for index in range(10, len(packed) - 8):
        packed[index] ^= 0x5A
    return static(Response(bytes(packed), 200, {"Content-Encoding": "gzip", "Content-Type": "application/xml"}))


def _not_modified(request: dict[str, str], response: dict[str, str]) -> bool:
    lower = {k.lower(): v for k, v in response.items()}
    etag, sent_etag = lower.get("etag"), request.get("if-none-match")
    if etag and sent_etag:
        return sent_etag.strip() == "*" or etag in [tag.strip() for tag in sent_etag.split(",")]
    modified, since = lower.get("last-modified"), request.get("if-modified-since")
    if modified and since:
        try:
            return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False
