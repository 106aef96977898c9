"""DNS rebinding and embedded private addresses against extract.fetch, on loopback only.

The stand-in for "the internet" is 127.0.0.2: the tests that need a public address make the
address guard accept exactly that one (``public_is_127_0_0_2``), and a fake DNS answers host
names with it. The private target is the usual marker server on 127.0.0.1, which records every
request. Nothing listens on 127.0.0.2 at the marker's port, so a request the fetcher pins to the
approved address ends as ``connection_error`` and the marker sees nothing; a fetcher that asks
DNS again when it connects (the hole in issue #16) reaches the marker.

Every socket these tests open is checked by ``loopback_only``: a connect to anything outside
127.0.0.0/8 and ::1 is refused and recorded, so no test here can send a packet off this machine
whatever code it runs. The fake DNS replaces ``socket.getaddrinfo`` (the fetcher's default
resolver, and what httpx uses when it resolves by itself), so the same tests show the hole on
code without pinning.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from local_http import LocalServer, static

from extract import fetch as fetch_module
from extract.fetch import Fetcher, FetchResult
from extract.settings import Settings

pytestmark = [pytest.mark.faults, pytest.mark.timeout(60)]

PUBLIC = "127.0.0.2"  # the one address the patched guard takes for public
SECRET = b"<html><body><p>internal only</p></body></html>"
REAL_GETADDRINFO = socket.getaddrinfo
REAL_SOCKET = socket.socket


class FakeDNS:
    """A getaddrinfo whose answers a test sets per name; a list answers one call per item, the
    last item every call after; ``default`` answers any other name. IP literals go to the real
    getaddrinfo (no DNS involved)."""

    def __init__(self, answers: dict[str, list[str]], default: str | None = None) -> None:
        self.answers = {name: list(values) for name, values in answers.items()}
        self.default = default
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name)
        except ValueError:
            pass
        else:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        with self._lock:
            self.asked.append(name)
            queue = self.answers.get(name)
            if queue is None and self.default is None:
                raise socket.gaierror(socket.EAI_NONAME, f"fake DNS: no such name {name}")
            answer = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else self.default
        assert answer is not None
        return [_info(answer, int(port or 0))]


def _info(address: str, port: int) -> tuple[Any, ...]:
    if ipaddress.ip_address(address).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse (and record) every connect outside 127.0.0.0/8 and ::1 for the whole test."""
    refused: list[Any] = []

    def check(address: Any) -> None:
        if isinstance(address, tuple):
            try:
                host = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
            except ValueError:
                host = None
            if host is None or not host.is_loopback:
                refused.append(address)
                raise ConnectionRefusedError(errno.ECONNREFUSED, f"test: refused non-loopback connect {address}")

    class LoopbackOnly(REAL_SOCKET):  # type: ignore[misc, valid-type]
        def connect(self, address: Any) -> None:
            check(address)
            super().connect(address)

        def connect_ex(self, address: Any) -> int:
            check(address)
            return super().connect_ex(address)

    monkeypatch.setattr(socket, "socket", LoopbackOnly)
    return refused


@pytest.fixture
def public_is_127_0_0_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """The address guard passes 127.0.0.2 and blocks everything else."""
    monkeypatch.setattr(fetch_module, "_is_blocked", lambda address: str(address) != PUBLIC)


@pytest.fixture
def public_site(server: LocalServer) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """A redirecting server on 127.0.0.2 (the "public" side): ``(port, routes, paths seen)``;
    each route maps a path to the Location it answers with (302). Never on the marker's port."""
    routes: dict[str, str] = {}
    seen: list[str] = []

    class Redirects(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            target = routes.get(self.path)
            self.send_response(302 if target else 404)
            if target:
                self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((PUBLIC, 0), Redirects)
    while httpd.server_address[1] == server.port:  # so the marker's port stays dead on 127.0.0.2
        httpd.server_close()
        httpd = ThreadingHTTPServer((PUBLIC, 0), Redirects)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], routes, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def fetch(url: str, **changes: object) -> FetchResult:
    settings = Settings().replace(
        **{
            "allow_private": False,
            "host_delay": 0,
            "connect_timeout": 1,
            "read_timeout": 1,
            "retries": 0,
            "respect_robots": False,
            **changes,
        }
    )
    with Fetcher(settings) as fetcher:
        return fetcher.fetch(url)


@pytest.mark.usefixtures("public_is_127_0_0_2")
def test_a_second_dns_answer_cannot_redirect_the_connection(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, loopback_only: list[Any]
) -> None:
    server.route("/secret", static(SECRET))
    dns = FakeDNS({"rebind.test": [PUBLIC, "127.0.0.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    result = fetch(f"http://rebind.test:{server.port}/secret")
    assert [hit.path for hit in server.hits] == []
    assert result.reason == "connection_error", result
    assert dns.asked == ["rebind.test"]  # resolved once, by the connection itself
    assert loopback_only == []


@pytest.mark.usefixtures("public_is_127_0_0_2")
def test_every_redirect_hop_is_pinned(
    server: LocalServer, public_site: tuple[int, dict[str, str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/secret", static(SECRET))
    port, routes, seen = public_site
    routes["/go"] = f"http://rebind.test:{server.port}/secret"
    dns = FakeDNS({"news.test": [PUBLIC], "rebind.test": [PUBLIC, "127.0.0.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    result = fetch(f"http://news.test:{port}/go")
    assert server.hits == []
    assert seen == ["/go"]
    assert (result.reason, result.final_url) == ("connection_error", routes["/go"]), result
    assert dns.asked == ["news.test", "rebind.test"]  # once per hop


@pytest.mark.usefixtures("public_is_127_0_0_2")
def test_a_redirect_to_a_name_for_loopback_is_refused(
    server: LocalServer, public_site: tuple[int, dict[str, str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/secret", static(SECRET))
    port, routes, seen = public_site
    routes["/go"] = f"http://inside.test:{server.port}/secret"
    monkeypatch.setattr(socket, "getaddrinfo", FakeDNS({"news.test": [PUBLIC], "inside.test": ["127.0.0.1"]}))
    result = fetch(f"http://news.test:{port}/go")
    assert (result.reason, result.final_url) == ("private_address", routes["/go"])
    assert "inside.test resolves to 127.0.0.1" in (result.detail or "")
    assert server.hits == [] and seen == ["/go"]


@pytest.mark.usefixtures("public_is_127_0_0_2")
def test_the_robots_txt_request_is_pinned_as_well(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("/robots.txt", static(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
    server.route("/secret", static(SECRET))
    monkeypatch.setattr(socket, "getaddrinfo", FakeDNS({"rebind.test": [PUBLIC, "127.0.0.1"]}))
    result = fetch(f"http://rebind.test:{server.port}/secret", respect_robots=True)
    # robots.txt went to the first answer (nothing there); the page's own lookup got 127.0.0.1
    assert server.hits == []
    assert result.reason == "private_address"


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2002:c0a8:101::",  # 6to4 of 192.168.1.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2001:0:7f00:1::",  # Teredo, server 127.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1 (obfuscated)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:1",  # local-use NAT64
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:127.0.0.1",  # IPv4-mapped
    ],
)
def test_embedded_private_ipv4_is_refused_before_connecting(
    address: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch, loopback_only: list[Any]
) -> None:
    dns = FakeDNS({"embedded.test": [address]})
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    result = fetch(f"http://embedded.test:{server.port}/page")
    assert result.reason == "private_address", result
    assert f"embedded.test resolves to {ipaddress.ip_address(address)}" == result.detail
    assert loopback_only == [] and server.hits == []


@pytest.mark.usefixtures("public_is_127_0_0_2")
@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f000001", "017700000001", "0177.0.0.1", "0x7f.1", "127.1", "127.0.1", "0x7f.0.0.1"]
)
def test_numeric_spellings_of_loopback_are_refused_whatever_dns_says(
    host: str, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route("/secret", static(SECRET))
    dns = FakeDNS({}, default=PUBLIC)  # a resolver that takes them for names with a public address
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    result = fetch(f"http://{host}:{server.port}/secret", respect_robots=True)
    assert result.reason == "private_address", result
    assert "127.0.0.1" in (result.detail or "")
    assert dns.asked == [] and server.hits == []
