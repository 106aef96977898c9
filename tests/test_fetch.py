"""extract.fetch against a real HTTP server on 127.0.0.1 (tests/local_http.py)."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from local_http import LocalServer, redirect, sequence, slow, static, trickle

from extract.fetch import Fetcher, FetchResult, _is_blocked, fetch_all
from extract.settings import Settings

pytestmark = pytest.mark.timeout(30)

PAGE = b"<html><head><title>t</title></head><body><p>Hello.</p></body></html>"


def make_settings(**changes: object) -> Settings:
    """Short timeouts and no delays, so the whole module runs in seconds."""
    base: dict[str, object] = {
        "allow_private": True,
        "host_delay": 0,
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
        "retries": 2,
        "backoff": 0.01,
        "max_bytes": 10_000,
        "max_redirects": 3,
        "fetch_workers": 4,
        "host_concurrency": 2,
    }
    return Settings().replace(**{**base, **changes})


def fetch(url: str, accept: str = "html", **changes: object) -> FetchResult:
    with Fetcher(make_settings(**changes)) as fetcher:
        return fetcher.fetch(url, accept=accept)


def test_fetches_an_html_page(server: LocalServer) -> None:
    server.route("/page", static(PAGE))
    result = fetch(server.url("/page"))
    assert result.ok and result.reason is None and result.detail is None
    assert (result.status, result.content_type, result.body) == (200, "text/html", PAGE)
    assert result.url == result.final_url == server.url("/page")
    page_hit = next(hit for hit in server.hits if hit.path == "/page")
    assert page_hit.headers["User-Agent"] == Settings().user_agent


def test_decodes_gzip_content_encoding(server: LocalServer) -> None:
    server.route("/gz", static(gzip.compress(PAGE), headers={"Content-Encoding": "gzip"}))
    result = fetch(server.url("/gz"))
    assert result.ok and result.body == PAGE


def test_404_is_not_retried(server: LocalServer) -> None:
    result = fetch(server.url("/missing"))
    assert (result.reason, result.status, result.body) == ("http_404", 404, None)
    assert not result.ok
    assert server.count("/missing") == 1


def test_500_then_200_succeeds_on_retry(server: LocalServer) -> None:
    server.route("/flaky", sequence(static(b"oops", status=500), static(PAGE)))
    result = fetch(server.url("/flaky"))
    assert result.ok and result.body == PAGE
    assert server.count("/flaky") == 2


def test_503_gives_up_after_the_configured_retries(server: LocalServer) -> None:
    server.route("/down", static(b"busy", status=503))
    result = fetch(server.url("/down"), retries=2)
    assert (result.reason, result.status) == ("http_503", 503)
    assert server.count("/down") == 3
    assert "3 attempts" in (result.detail or "")


def test_429_waits_for_retry_after(server: LocalServer) -> None:
    server.route("/limited", sequence(static(b"", status=429, headers={"Retry-After": "0.3"}), static(PAGE)))
    started = time.monotonic()
    result = fetch(server.url("/limited"))
    assert result.ok
    times = server.times("/limited")
    assert len(times) == 2 and times[1] - times[0] >= 0.3
    assert time.monotonic() - started < 3


def test_slow_response_times_out(server: LocalServer) -> None:
    server.route("/slow", slow(3, static(PAGE)))
    started = time.monotonic()
    result = fetch(server.url("/slow"), read_timeout=0.3, retries=1)
    assert result.reason == "timeout" and result.status is None
    assert server.count("/slow") == 2
    assert time.monotonic() - started < 2


def test_trickling_body_hits_the_total_time_cap(server: LocalServer) -> None:
    # each byte arrives well inside read_timeout, but the whole exceeds connect + 2 * read
    server.route("/trickle", trickle(b"x" * 100, interval=0.05))
    started = time.monotonic()
    result = fetch(server.url("/trickle"), connect_timeout=0.2, read_timeout=0.3, retries=0)
    assert result.reason == "timeout" and "total time cap" in (result.detail or "")
    assert time.monotonic() - started < 2


def test_oversized_body_with_content_length_is_refused_early(server: LocalServer) -> None:
    server.route("/big", static(b"x" * 20_000))
    result = fetch(server.url("/big"), max_bytes=10_000)
    assert (result.reason, result.status, result.body) == ("too_large", 200, None)
    assert "content-length" in (result.detail or "")


def test_oversized_body_without_content_length_is_cut_off(server: LocalServer) -> None:
    server.route("/stream", static(b"x" * 200_000, length=False))
    result = fetch(server.url("/stream"), max_bytes=10_000)
    assert result.reason == "too_large" and "body exceeds" in (result.detail or "")


def test_gzip_bomb_is_cut_off_by_decoded_size(server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert len(bomb) < 10_000
    server.route("/bomb", static(bomb, headers={"Content-Encoding": "gzip"}))
    result = fetch(server.url("/bomb"), max_bytes=10_000)
    assert result.reason == "too_large"


def test_unknown_content_encoding_is_refused(server: LocalServer) -> None:
    server.route("/br", static(b"\x8b\x00", headers={"Content-Encoding": "br"}))
    assert fetch(server.url("/br")).reason == "bad_encoding"


def test_pdf_is_not_html(server: LocalServer) -> None:
    server.route("/doc.pdf", static(b"%PDF-1.4", content_type="application/pdf"))
    result = fetch(server.url("/doc.pdf"))
    assert (result.reason, result.status, result.content_type) == ("not_html", 200, "application/pdf")


@pytest.mark.parametrize(
    ("content_type", "accept", "reason"),
    [
        ("application/rss+xml", "xml", None),
        ("application/atom+xml; charset=utf-8", "xml", None),
        ("text/xml", "xml", None),
        ("text/plain", "xml", None),
        ("application/x-gzip", "xml", None),
        (None, "xml", None),
        ("application/pdf", "xml", "not_xml"),
        ("application/rss+xml", "html", "not_html"),
        ("application/xhtml+xml", "html", None),
        (None, "html", "not_html"),
    ],
)
def test_content_type_rules(server: LocalServer, content_type: str | None, accept: str, reason: str | None) -> None:
    server.route("/doc", static(b"<x/>", content_type=content_type))
    assert fetch(server.url("/doc"), accept=accept).reason == reason


def test_robots_txt_disallow_is_honoured_and_cached(server: LocalServer) -> None:
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    server.route("/private/page", static(PAGE))
    server.route("/public", static(PAGE))
    with Fetcher(make_settings()) as fetcher:
        blocked = fetcher.fetch(server.url("/private/page"))
        allowed = fetcher.fetch(server.url("/public"))
        again = fetcher.fetch(server.url("/private/page?x=1"))
    assert blocked.reason == "robots_disallowed" and again.reason == "robots_disallowed"
    assert allowed.ok
    assert server.count("/private/page") == 0
    assert server.count("/robots.txt") == 1


def test_robots_rules_match_our_user_agent(server: LocalServer) -> None:
    robots = b"User-agent: wirehouse\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    server.route("/robots.txt", static(robots, content_type="text/plain"))
    server.route("/page", static(PAGE))
    assert fetch(server.url("/page")).reason == "robots_disallowed"
    assert fetch(server.url("/page"), user_agent="otherbot/1.0").ok


def test_robots_can_be_ignored(server: LocalServer) -> None:
    server.route("/robots.txt", static(b"User-agent: *\nDisallow: /\n", content_type="text/plain"))
    server.route("/page", static(PAGE))
    assert fetch(server.url("/page"), respect_robots=False).ok
    assert server.count("/robots.txt") == 0


def test_missing_robots_txt_allows_all(server: LocalServer) -> None:
    server.route("/page", static(PAGE))
    assert fetch(server.url("/page")).ok
    assert server.count("/robots.txt") == 1


def test_failing_robots_txt_allows_all_and_says_so(server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    server.route("/robots.txt", static(b"", status=500))
    server.route("/page", static(PAGE))
    with caplog.at_level(logging.WARNING, logger="extract.fetch"):
        result = fetch(server.url("/page"), retries=0)
    assert result.ok
    assert any("robots.txt" in record.getMessage() and "http_500" in record.getMessage() for record in caplog.records)


def test_redirects_are_followed(server: LocalServer) -> None:
    server.route("/a", redirect("/b", status=301))
    server.route("/b", redirect(server.url("/c")))
    server.route("/c", static(PAGE))
    result = fetch(server.url("/a"))
    assert result.ok and result.final_url == server.url("/c") and result.url == server.url("/a")


def test_redirect_chain_longer_than_max_redirects(server: LocalServer) -> None:
    for n in range(5):
        server.route(f"/hop{n}", redirect(f"/hop{n + 1}"))
    server.route("/hop5", static(PAGE))
    result = fetch(server.url("/hop0"), max_redirects=3)
    assert (result.reason, result.status) == ("too_many_redirects", 302)
    assert server.count("/hop4") == 0
    assert fetch(server.url("/hop0"), max_redirects=5).ok


def test_redirect_loop(server: LocalServer) -> None:
    server.route("/ping", redirect("/pong"))
    server.route("/pong", redirect("/ping"))
    result = fetch(server.url("/ping"), max_redirects=4)
    assert result.reason == "too_many_redirects"
    assert server.count("/ping") + server.count("/pong") == 5


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.route("/away", redirect("file:///etc/passwd"))
    result = fetch(server.url("/away"))
    assert (result.reason, result.final_url) == ("invalid_url", "file:///etc/passwd")


def test_host_delay_spaces_request_starts(server: LocalServer) -> None:
    server.route("/one", static(PAGE))
    server.route("/two", static(PAGE))
    settings = make_settings(host_delay=0.3, host_concurrency=2)
    results = list(fetch_all([server.url("/one"), server.url("/two")], settings))
    assert all(result.ok for result in results)
    starts = server.times()  # robots.txt, then both pages
    assert len(starts) == 3
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    # Measured on the server, which timestamps a request only once it has accepted the
    # connection and started a thread for it: for a request sent right after connecting (the
    # first one) that adds a few milliseconds, which can only make a gap look shorter.
    assert min(gaps) >= 0.3 - 0.01, gaps


def test_host_concurrency_caps_requests_in_flight(server: LocalServer) -> None:
    server.route("/slow", slow(0.15, static(PAGE)))
    urls = [server.url(f"/slow?n={n}") for n in range(6)]
    settings = make_settings(host_concurrency=2, fetch_workers=6, respect_robots=False)
    results = list(fetch_all(urls, settings))
    assert sorted(result.url for result in results) == sorted(urls)
    assert all(result.ok for result in results)
    assert server.max_active == 2


def test_fetch_all_yields_every_url_once(server: LocalServer) -> None:
    server.route("/ok", static(PAGE))
    urls = [server.url("/ok"), server.url("/missing"), "not a url", server.url("/ok?again=1"), "ftp://x.org/"]
    results = list(fetch_all(urls, make_settings()))
    assert sorted(result.url for result in results) == sorted(urls)
    reasons = {result.url: result.reason for result in results}
    assert reasons == {
        urls[0]: None,
        urls[1]: "http_404",
        urls[2]: "invalid_url",
        urls[3]: None,
        urls[4]: "invalid_url",
    }


def test_private_addresses_are_refused_unless_allowed(server: LocalServer) -> None:
    server.route("/page", static(PAGE))
    for url in (server.url("/page"), server.url("/page", host="localhost")):
        result = fetch(url, allow_private=False)
        assert result.reason == "private_address", url
        assert "127.0.0.1" in (result.detail or "")
    assert server.hits == []
    assert fetch(server.url("/page"), allow_private=True).ok


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("93.184.216.34", False),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
        ("::ffff:8.8.8.8", False),
        # IPv4 inside IPv6: judged by the IPv4 it carries
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("2002:a00:1::", True),  # 6to4 of 10.0.0.1
        ("2002:a9fe:a9fe::1", True),  # 6to4 of 169.254.169.254
        ("2002:808:808::", False),  # 6to4 of 8.8.8.8
        ("2001:0:7f00:1::", True),  # Teredo, server 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", True),  # Teredo, client 127.0.0.1
        ("64:ff9b::7f00:1", True),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", False),  # NAT64 of 8.8.8.8 reaches 8.8.8.8, as ::ffff:8.8.8.8 does
        ("64:ff9b:1::808:808", True),  # local-use NAT64: never a public host
        ("::127.0.0.1", True),  # IPv4-compatible (deprecated)
        ("::8.8.8.8", True),
        ("::ffff:0:7f00:1", True),  # IPv4-translated
    ],
)
def test_address_guard_ranges(address: str, blocked: bool) -> None:
    assert _is_blocked(ipaddress.ip_address(address)) is blocked


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("169.254.43518", "169.254.169.254"),
        ("93.184.216.34", "93.184.216.34"),
        ("::1", "::1"),
        ("example.org", None),
        ("cafe", None),
        ("0x", None),
        ("08.0.0.1", None),
        ("256.0.0.1", None),
        ("1.2.3.4.5", None),
        ("1..2", None),
        ("127.16777216", None),
    ],
)
def test_numeric_host_spellings_name_an_address(host: str, address: str | None) -> None:
    from extract.fetch import _literal_address

    expected = ipaddress.ip_address(address) if address is not None else None
    assert _literal_address(host) == expected


def test_a_numeric_spelling_of_an_allowed_address_is_fetched(server: LocalServer) -> None:
    server.route("/page", static(PAGE))
    assert fetch(server.url("/page", host="127.1"), respect_robots=False).ok
    assert fetch(server.url("/page", host="2130706433"), respect_robots=False, allow_private=False).reason == (
        "private_address"
    )
    assert server.count("/page") == 1


class _Resolver:
    """A stand-in for DNS: every name is ``address``; records the names asked."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.asked: list[str] = []

    def __call__(self, host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        self.asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (self.address, port))]


def test_the_resolver_is_injectable_and_asked_once_per_connection(server: LocalServer) -> None:
    server.route("/page", static(PAGE))
    resolver = _Resolver("127.0.0.1")
    with Fetcher(make_settings(), resolver=resolver) as fetcher:
        result = fetcher.fetch(f"http://news.test:{server.port}/page")
    assert result.ok
    assert resolver.asked == ["news.test", "news.test"]  # robots.txt, then the page (HTTP/1.0: no keep-alive)
    assert [hit.headers["Host"] for hit in server.hits] == [f"news.test:{server.port}"] * 2
    with Fetcher(make_settings(allow_private=False), resolver=resolver) as fetcher:
        refused = fetcher.fetch(f"http://news.test:{server.port}/page")
    assert (refused.reason, refused.detail) == ("private_address", "news.test resolves to 127.0.0.1")
    assert len(server.hits) == 2


def _certificates(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA and a certificate for ``name`` signed by it: (ca.pem, cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def build(subject: str, key: Any, issuer: str, signer: Any, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()), critical=False
            )
        return builder.sign(signer, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = build("test CA", ca_key, "test CA", ca_key, True)
    leaf = build(name, leaf_key, "test CA", ca_key, False)
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, list[str | None]]]:
    """HTTPS on 127.0.0.1 with a certificate for ``tls.test`` only; yields (port, SNI names seen).
    The fetcher's TLS context trusts the test CA (and nothing else)."""
    ca, cert, key = _certificates(tmp_path, "tls.test")
    names: list[str | None] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    monkeypatch.setattr(httpx, "create_ssl_context", lambda **_: ssl.create_default_context(cafile=str(ca)))
    try:
        yield httpd.server_address[1], names
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_tls_checks_the_host_name_not_the_pinned_address(tls_server: tuple[int, list[str | None]]) -> None:
    port, names = tls_server
    resolver = _Resolver("127.0.0.1")
    with Fetcher(make_settings(respect_robots=False, retries=0), resolver=resolver) as fetcher:
        good = fetcher.fetch(f"https://tls.test:{port}/page")
        wrong = fetcher.fetch(f"https://other.test:{port}/page")  # same address, not on the certificate
    assert good.ok and good.body == PAGE
    assert wrong.reason == "connection_error" and "certificate" in (wrong.detail or "").lower()
    assert names == ["tls.test", "other.test"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "javascript:alert(1)",
        "not a url",
        "http://",
        "http://[::1",
        "",
        "http://exa mple.org/",
    ],
)
def test_malformed_urls_are_invalid(url: str) -> None:
    result = fetch(url)
    assert result.reason == "invalid_url" and result.url == url


def test_unknown_host_is_a_dns_error() -> None:
    assert fetch("http://no-such-host.invalid/page").reason == "dns_error"


def test_refused_connection_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetch(f"http://127.0.0.1:{port}/", retries=1, respect_robots=False)
    assert result.reason == "connection_error" and "2 attempts" in (result.detail or "")
