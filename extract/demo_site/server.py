"""Serve the bundled demo news site (or any folder of static files) on a background thread.

The site's feed, sitemap and pages spell their absolute URLs ``{{BASE_URL}}``: the port is only
known once the server is bound, so the placeholder is filled in as each text file is sent.

    with serve() as site:
        feed_url = site.url("/feed.xml")

Run ``python -m extract.demo_site.server --port 8765`` to browse it by hand.
"""

from __future__ import annotations

import argparse
import logging
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

__all__ = ["PLACEHOLDER", "SITE_DIR", "DemoSite", "main", "serve"]

SITE_DIR = Path(__file__).resolve().parent / "site"
PLACEHOLDER = "{{BASE_URL}}"

LOGGER = logging.getLogger(__name__)

# text types get the placeholder filled in; everything else is sent byte for byte
_TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_RSS_TYPE = "application/rss+xml; charset=utf-8"
_BINARY_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
_WILDCARD_HOSTS = {"", "0.0.0.0"}


def content_type(path: Path, head: bytes = b"") -> str:
    """The Content-Type for a file; an ``.xml`` file whose first bytes open ``<rss`` is a feed."""
    suffix = path.suffix.lower()
    if suffix == ".xml" and b"<rss" in head[:512]:
        return _RSS_TYPE
    return _TEXT_TYPES.get(suffix) or _BINARY_TYPES.get(suffix, "application/octet-stream")


def locate(root: Path, request_path: str) -> tuple[HTTPStatus, Path | None]:
    """Map a request path to a file under ``root``: (OK, file), (NOT_FOUND, None) or (FORBIDDEN, None).

    ``..`` segments (also percent-encoded) and backslashes are refused outright rather than
    normalised away; a directory serves its ``index.html`` and is never listed.
    """
    path = unquote(urlsplit(request_path).path)
    if "\\" in path or "\x00" in path:
        return HTTPStatus.FORBIDDEN, None
    parts = path.split("/")
    if ".." in parts:
        return HTTPStatus.FORBIDDEN, None
    candidate = root.joinpath(*(part for part in parts if part not in ("", ".")))
    if candidate.is_dir():
        candidate = candidate / "index.html"
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):  # a symlink pointing out of the site
        return HTTPStatus.FORBIDDEN, None
    if not resolved.is_file():
        return HTTPStatus.NOT_FOUND, None
    return HTTPStatus.OK, resolved


class _SiteServer(ThreadingHTTPServer):
    """A threaded HTTP server that knows its site folder and its own base URL."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        super().__init__(address, _Handler)
        self.root = root
        host, port = self.server_address[:2]
        host = str(host)
        self.base_url = f"http://{'127.0.0.1' if host in _WILDCARD_HOSTS else host}:{port}"

    def handle_error(self, request: object, client_address: object) -> None:
        # a client hanging up mid-response is not worth a traceback on stderr
        LOGGER.debug("error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    server_version = "wirehouse-demo-site/0.1"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        status, file = locate(self.server.root, self.path)
        if file is None:
            self.send_error(status)
            return
        body = file.read_bytes()
        if file.suffix.lower() in _TEXT_TYPES:
            body = body.decode("utf-8").replace(PLACEHOLDER, self.server.base_url).encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type(file, body))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        LOGGER.debug("%s - %s", self.address_string(), format % args)


class DemoSite:
    """A running server; use it as a context manager so it stops on exit."""

    def __init__(self, server: _SiteServer) -> None:
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="demo-site", daemon=True
        )
        self._thread.start()
        self._stopped = False

    @property
    def base_url(self) -> str:
        """``http://host:port`` with no trailing slash, as substituted for the placeholder."""
        return self._server.base_url

    @property
    def directory(self) -> Path:
        return self._server.root

    def url(self, path: str = "/") -> str:
        """The absolute URL of a path on this site: ``site.url("/feed.xml")``."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def stop(self) -> None:
        """Stop serving and release the port; calling it twice is harmless."""
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"DemoSite({self.base_url!r}, directory={str(self.directory)!r})"


def serve(directory: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> DemoSite:
    """Start serving ``directory`` (the bundled site by default); ``port=0`` picks a free port."""
    root = Path(directory if directory is not None else SITE_DIR).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"not a directory: {root}")
    site = DemoSite(_SiteServer((host, port), root))
    LOGGER.info("serving %s at %s", root, site.base_url)
    return site


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C, printing the URLs to point the pipeline at."""
    parser = argparse.ArgumentParser(
        prog="python -m extract.demo_site.server",
        description="Serve the bundled demo news site (The Meridian Ledger).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8765, help="port, 0 for any free one (default: %(default)s)")
    parser.add_argument("--directory", type=Path, default=None, help="folder to serve (default: the bundled site)")
    args = parser.parse_args(argv)

    with serve(args.directory, args.host, args.port) as site:
        print(f"serving {site.directory}")
        print(f"base URL: {site.base_url}")
        print(f"feed:     {site.url('/feed.xml')}")
        print(f"sitemap:  {site.url('/sitemap.xml')}")
        print("press Ctrl-C to stop", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
