"""A real HTTP server on 127.0.0.1 for tests, with routes as plain functions.

    with LocalServer() as server:
        server.route("/page", static(b"<html>...</html>"))
        server.route("/flaky", sequence(static(b"", status=500), static(b"ok")))
        fetcher.fetch(server.url("/page"))
        assert server.count("/flaky") == 2

Every request is recorded (path, headers, server-side start time; ``hit.header(name)`` reads a
header whatever its case) and the server tracks how many handlers run at once. Unknown paths
answer 404. The server speaks HTTP/1.0, so each request comes on its own connection and a body
without Content-Length ends when the connection closes.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
from urllib.request import urlopen

__all__ = [
    "Hit",
    "LocalServer",
    "Route",
    "conditional",
    "gzipped",
    "redirect",
    "reply",
    "sequence",
    "slow",
    "static",
    "trickle",
]

Route = Callable[["_Handler"], None]
WARM_UP = "/__warm-up__"


@dataclass(frozen=True)
class Hit:
    """One request as the server saw it; ``at`` is ``time.monotonic()`` when handling began."""

    path: str
    at: float
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """The request header ``name`` as sent, matched without regard to case, or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)


class LocalServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.stopping = threading.Event()
        self.max_active = 0
        self._active = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LocalServer:
        handler = type("Handler", (_Handler,), {"owner": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="local-http", daemon=True
        )
        self._thread.start()
        self._warm_up()
        return self

    def _warm_up(self) -> None:
        """One unrecorded request first, so the server's one-off start-up work (lazy imports,
        regex compiles) does not delay the first recorded request and skew timings."""
        with urlopen(self.url(WARM_UP), timeout=5) as response:
            response.read()

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """The absolute URL of ``path`` (leading slash optional; ``url("")`` is the root)."""
        return f"http://{host}:{self.port}/{path.lstrip('/')}"

    def route(self, path: str, handler: Route) -> None:
        """Serve ``path`` (with its query string, or without one to match any) by ``handler``."""
        self.routes[path] = handler

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for hit in self.hits if hit.path == path)

    def times(self, path: str | None = None) -> list[float]:
        with self._lock:
            return [hit.at for hit in self.hits if path is None or hit.path == path]

    def _enter(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)
            self._active += 1
            self.max_active = max(self.max_active, self._active)

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1


class _Handler(BaseHTTPRequestHandler):
    owner: LocalServer

    def do_GET(self) -> None:
        if self.path == WARM_UP:
            reply(self, b"warm")
            return
        self.owner._enter(Hit(self.path, time.monotonic(), dict(self.headers.items())))
        try:
            route = self.owner.routes.get(self.path) or self.owner.routes.get(urlsplit(self.path).path)
            if route is None:
                reply(self, b"not found", status=404, content_type="text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as the fetcher is meant to
        finally:
            self.owner._leave()

    def log_message(self, format: str, *args: object) -> None:
        pass


def reply(
    handler: BaseHTTPRequestHandler,
    body: bytes = b"",
    *,
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> None:
    """Send one response; ``length=False`` leaves out Content-Length (the close ends the body)."""
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def static(body: bytes = b"", **options: object) -> Route:
    """Always the same response; options as for :func:`reply`."""
    return lambda handler: reply(handler, body, **options)  # type: ignore[arg-type]


def gzipped(body: bytes, content_type: str = "application/x-gzip", **options: object) -> Route:
    """``body`` gzip-compressed, served as a file (no Content-Encoding unless given)."""
    return static(gzip.compress(body), content_type=content_type, **options)


def redirect(location: str, status: int = 302) -> Route:
    return static(b"", status=status, headers={"Location": location}, content_type=None)


def sequence(*routes: Route) -> Route:
    """The n-th request is answered by the n-th route; the last one answers the rest."""
    lock, calls = threading.Lock(), [0]

    def serve(handler: _Handler) -> None:
        with lock:
            index = min(calls[0], len(routes) - 1)
            calls[0] += 1
        routes[index](handler)

    return serve


def slow(seconds: float, then: Route) -> Route:
    """Wait ``seconds`` (less if the server stops) before answering with ``then``."""

    def serve(handler: _Handler) -> None:
        if not handler.owner.stopping.wait(seconds):
            then(handler)

    return serve


def trickle(chunks: Iterable[bytes] | bytes, interval: float, content_type: str = "text/html") -> Route:
    """Headers at once, then the body one chunk per ``interval`` seconds."""

    def serve(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.end_headers()
        pieces = [bytes([b]) for b in chunks] if isinstance(chunks, bytes) else chunks
        for piece in pieces:
            if handler.owner.stopping.wait(interval):
                return
            handler.wfile.write(piece)
            handler.wfile.flush()

    return serve


def conditional(body: bytes, etag: str, last_modified: str, content_type: str = "text/html") -> Route:
    """A page with validators: 304 (no body, the ETag repeated) when the request's validators
    still match, else 200 with ``body``, ``ETag`` and ``Last-Modified``.

    As RFC 9110 says, If-None-Match decides when present (any listed tag equal to ``etag``, weak
    or strong, or ``*``) and If-Modified-Since counts only without it (a 304 when it is not
    earlier than ``last_modified``; an unreadable date is ignored).
    """

    def serve(handler: _Handler) -> None:
        if _still_fresh(handler, etag, last_modified):
            reply(handler, status=304, content_type=None, headers={"ETag": etag}, length=False)
        else:
            reply(handler, body, content_type=content_type, headers={"ETag": etag, "Last-Modified": last_modified})

    return serve


def _still_fresh(handler: BaseHTTPRequestHandler, etag: str, last_modified: str) -> bool:
    if_none_match = handler.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = handler.headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    try:
        return parsedate_to_datetime(if_modified_since) >= parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return False
