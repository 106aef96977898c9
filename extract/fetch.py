"""Polite, defensive HTTP fetching for every stage that reads the web.

Use one :class:`Fetcher` per stage run (it is thread-safe). Before each connection it checks
the address (scheme, DNS, private ranges) and robots.txt. It keeps requests to one host
``host_delay`` seconds apart and runs at most ``host_concurrency`` of them at once. Timeouts,
connection errors, 429 and 5xx are retried with exponential backoff. Redirects are followed
by hand so every hop passes the same checks. Bodies are streamed under a size cap and a
wall-clock cap. Every failure comes back as a :class:`FetchResult` with a short ``reason``;
no exception escapes :meth:`Fetcher.fetch`.

Reason codes: ``invalid_url``, ``dns_error``, ``private_address``, ``robots_disallowed``,
``timeout``, ``connection_error``, ``http_<status>``, ``too_many_redirects``, ``too_large``,
``not_html``, ``not_xml``, ``bad_encoding`` and ``fetch_error`` (a bug; logged with its
traceback).

``host_delay`` separates the moments requests are sent (after connecting), so a slow TLS
handshake on one request cannot shorten the gap the server sees. The wall-clock cap
(``connect_timeout + 2 * read_timeout`` from sending) is checked as body chunks arrive; while
waiting for the status line and headers, only ``read_timeout`` per read applies.

Connections are pinned: each host name is resolved once per connection, by the connection
itself (:class:`_PinnedBackend`, an httpcore network backend), and the socket goes to exactly the
addresses just judged, so a DNS server that answers a public address first and a private one
second (DNS rebinding) cannot steer a request anywhere unapproved; this holds on every redirect
hop. TLS still checks the certificate against the host name (SNI), not the IP. A kept-alive
connection is reused only for the same scheme, host and port and still goes to the address
approved when it was opened, so a later change of DNS answer cannot move it; idle connections
expire after httpx's keep-alive expiry (5 s). Addresses are judged with every IPv4 address an
IPv6 one carries (IPv4-mapped, IPv4-compatible, 6to4, Teredo server and client, NAT64; a
NAT64 or IPv4-mapped address of a public IPv4 host passes, the local-use NAT64 prefix never
does), and numeric host spellings that C resolvers accept (``2130706433``, ``0177.0.0.1``, ``0x7f.1``,
``127.1``) are read as the IPv4 address they name, before and whatever any resolver says.

robots.txt is parsed by protego: ``*`` and ``$`` patterns, the longest matching Allow or
Disallow wins, and ``Crawl-delay`` for our user agent raises that host's gap between requests
to ``max(host_delay, crawl-delay)``, capped at ``MAX_CRAWL_DELAY`` (logged when capped). It is
read before the first request to its origin, so the first page already waits. A robots.txt
answering 4xx allows everything; one that cannot be fetched allows everything with a warning;
a host that does not resolve, or resolves to a refused address, fails the page with that reason.

Conditional requests let a revisit of a known page cost a status line instead of a body. Pass
the :class:`Validators` a previous result returned (its ``etag`` and ``last_modified``) and every
hop for that URL carries ``If-None-Match`` and ``If-Modified-Since``; robots.txt never does. A
``304 Not Modified`` answer to such a request is a success whose ``not_modified`` is true: no body
is read and no content-type check applies, and it returns each validator the server repeated, or
else the one sent, so the caller can store them for the next visit. A server that ignores the validators
answers 200 and that is an ordinary result. A 304 to a request that carried no validators makes
no sense and stays the failure ``http_304``.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from protego import Protego

from .settings import Settings

__all__ = ["FetchResult", "Fetcher", "Validators", "fetch_all"]

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., list[tuple[Any, ...]]]  # socket.getaddrinfo's signature and result

ACCEPT_HEADERS = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "xml": "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.5,*/*;q=0.1",
}
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_MARKERS = ("xml", "rss", "atom")
XML_BINARY_TYPES = frozenset({"application/gzip", "application/x-gzip", "application/octet-stream"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is shortened to this
MAX_CRAWL_DELAY = 60.0  # seconds; a longer robots.txt Crawl-delay is shortened to this (and logged)
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 host
NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: local use, never a public host
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
UNREACHABLE = frozenset({"dns_error", "private_address"})  # a robots.txt failure the page shares
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version of a page we hold, to ask "has it changed?".

    Both are kept exactly as the server sent them (an ETag with its quotes and any ``W/``, a
    Last-Modified in its own date format), since the server compares them, not us.
    """

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)

    def request_headers(self) -> dict[str, str]:
        """The conditional headers that ask for a body only if the page changed."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class FetchResult:
    """The outcome of fetching one URL; ``body`` is set when ``ok``, except on ``not_modified``.

    ``etag`` and ``last_modified`` are the final response's validators, to send on the next visit.
    """

    url: str
    final_url: str
    status: int | None
    content_type: str | None
    body: bytes | None
    reason: str | None
    detail: str | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def not_modified(self) -> bool:
        """The page is unchanged since the validators we sent: keep what we hold."""
        return self.ok and self.status == NOT_MODIFIED


class _Failure(Exception):
    """Internal: one failed step, turned into a FetchResult at the edge of ``fetch``."""

    def __init__(
        self,
        reason: str,
        detail: str | None = None,
        *,
        retryable: bool = False,
        wait: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.retryable = retryable
        self.wait = wait
        self.status: int | None = None
        self.content_type: str | None = None

    def result(self, url: str, final_url: str) -> FetchResult:
        return FetchResult(url, final_url, self.status, self.content_type, None, self.reason, self.detail)


@dataclass(frozen=True)
class _Hop:
    """One HTTP exchange: a body, a redirect ``location``, or a 304 with neither."""

    status: int
    content_type: str | None
    body: bytes | None
    location: str | None = None
    validators: Validators = Validators()


class _HostGate:
    """Per-host politeness: a cap on requests in flight and a gap between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self._turn = threading.Lock()
        self._delay = max(0.0, delay)
        self._last: float | None = None

    def slow_to(self, delay: float) -> None:
        """Widen the gap to at least ``delay`` (a robots.txt Crawl-delay); never narrow it."""
        with self._turn:
            self._delay = max(self._delay, delay)

    def take_turn(self) -> float:
        """Block until ``delay`` has passed since the previous request to this host was sent."""
        with self._turn:
            if self._last is not None:
                remaining = self._last + self._delay - time.monotonic()
                if remaining > 0:
                    time.sleep(remaining)
            self._last = time.monotonic()
            return self._last


class _PinnedBackend(httpcore.NetworkBackend):
    """Resolve a host once per connection, judge the answer, connect to exactly those addresses.

    httpcore hands ``connect_tcp`` the host name of the URL and later starts TLS with that same
    name, so certificates and SNI stay right while the socket itself only ever goes to an IP
    that passed :func:`_refuse_blocked` a moment before.
    """

    def __init__(self, resolver: Resolver | None, allow_private: bool) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        literal = _literal_address(host)
        addresses = [literal] if literal is not None else _resolve(host, port, self._resolver)
        if not self._allow_private:
            _refuse_blocked(host, addresses)
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in dict.fromkeys(addresses):
            try:
                # an IP literal: the standard library parses it and never consults DNS
                return self._sockets.connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # _resolve never returns an empty list
        raise error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _pinned_transport(backend: _PinnedBackend, limits: httpx.Limits) -> httpx.HTTPTransport:
    """An httpx transport whose connections all go through ``backend``.

    httpx 0.28's HTTPTransport takes no ``network_backend``, but it does all its work through
    the httpcore pool in ``_pool``; we build that pool ourselves with the same settings httpx
    would use. tests/faults/test_dns_rebinding.py fails if a new httpx stops honouring it.
    """
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=backend,
    )
    return transport


class Fetcher:
    """A thread-safe HTTP client applying every rule in the module docstring.

    ``resolver`` stands in for DNS (tests pass a fake); it is called like ``socket.getaddrinfo``,
    which is what ``None`` means, looked up at call time.
    """

    def __init__(self, settings: Settings, *, resolver: Resolver | None = None) -> None:
        self.settings = settings
        limits = httpx.Limits(
            max_connections=None,
            max_keepalive_connections=max(1, settings.fetch_workers) * 2,
        )
        self._client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout + settings.read_timeout,
            ),
            transport=_pinned_transport(_PinnedBackend(resolver, settings.allow_private), limits),
            follow_redirects=False,
            trust_env=False,
        )
        self._cap = settings.connect_timeout + 2 * settings.read_timeout
        self._lock = threading.Lock()
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, Protego | None] = {}
        self._robots_locks: dict[str, threading.Lock] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, *, accept: str = "html", validators: Validators | None = None) -> FetchResult:
        """Fetch ``url``; ``accept`` is ``"html"`` for pages or ``"xml"`` for feeds and sitemaps.

        With ``validators`` the request is conditional and may come back ``not_modified``.
        """
        if accept not in ACCEPT_HEADERS:
            raise ValueError(f"accept must be one of {sorted(ACCEPT_HEADERS)}, got {accept!r}")
        try:
            result = self._follow(url, accept, robots=self.settings.respect_robots, validators=validators)
        except Exception as exc:  # last line of defence: a bug must not stop a whole stage
            logger.exception("unexpected error fetching %s", url)
            result = FetchResult(url, url, None, None, None, "fetch_error", repr(exc))
        if not result.ok:
            logger.info("fetch %s failed: %s (%s)", url, result.reason, result.detail)
        return result

    def _follow(self, url: str, accept: str, *, robots: bool, validators: Validators | None = None) -> FetchResult:
        """Fetch ``url`` hop by hop, checking every hop; each hop carries the same validators."""
        current, status = url, None
        sent = validators or Validators()
        for _ in range(self.settings.max_redirects + 1):
            try:
                hop = self._hop(current, accept, robots=robots, validators=sent)
                if hop.location is None:
                    kept = _returned_validators(hop, sent)
                    return FetchResult(
                        url, current, hop.status, hop.content_type, hop.body, None, None, kept.etag, kept.last_modified
                    )
                status = hop.status
                current = _redirect_target(current, hop.location)
            except _Failure as failure:
                return failure.result(url, current)
        detail = f"more than {self.settings.max_redirects} redirects"
        return FetchResult(url, current, status, None, None, "too_many_redirects", detail)

    def _hop(self, url: str, accept: str, *, robots: bool, validators: Validators) -> _Hop:
        self._guard(url)
        if robots and not self._robots_allow(url):
            raise _Failure("robots_disallowed", f"robots.txt disallows {url}")
        return self._with_retries(url, accept, validators)

    def _guard(self, url: str) -> None:
        """Refuse malformed URLs and (unless allowed) hosts spelled as a non-public address.

        Only literal hosts are judged here, to fail early; names are resolved and judged when
        the connection is made (:class:`_PinnedBackend`), which is the check that counts.
        """
        host, _ = _target(url)
        literal = _literal_address(host)
        if literal is not None and not self.settings.allow_private:
            _refuse_blocked(host, [literal])

    def _robots_allow(self, url: str) -> bool:
        rules = self._robots_for(_origin(url))
        return rules is None or rules.can_fetch(url, self.settings.user_agent)

    def _robots_for(self, origin: str) -> Protego | None:
        """The origin's robots.txt rules (``None``: everything allowed), fetched once."""
        with self._lock:
            lock = self._robots_locks.setdefault(origin, threading.Lock())
        with lock:
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin)
            return self._robots[origin]

    def _load_robots(self, origin: str) -> Protego | None:
        robots_url = f"{origin}/robots.txt"
        result = self._follow(robots_url, "xml", robots=False)
        if result.ok:
            rules = Protego.parse((result.body or b"").decode("utf-8", "replace"))
            self._honour_crawl_delay(origin, rules)
            return rules
        if result.reason in UNREACHABLE and result.final_url == robots_url:
            # the host itself is refused or unknown: the page fails the same way, and nothing
            # is cached so a later URL on this host asks DNS afresh
            raise _Failure(result.reason or "dns_error", result.detail)
        if result.status is None or not 400 <= result.status < 500:
            logger.warning(
                "robots.txt at %s unavailable (%s: %s); allowing all",
                robots_url,
                result.reason,
                result.detail,
            )
        return None

    def _honour_crawl_delay(self, origin: str, rules: Protego) -> None:
        """Set the host's gap to robots.txt's Crawl-delay before its first page is requested."""
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay is None or delay <= self.settings.host_delay:
            return
        if delay > MAX_CRAWL_DELAY:
            logger.warning(
                "robots.txt at %s asks for %gs between requests; capped at %gs", origin, delay, MAX_CRAWL_DELAY
            )
            delay = MAX_CRAWL_DELAY
        else:
            logger.info("robots.txt at %s asks for %gs between requests", origin, delay)
        self._gate(origin).slow_to(delay)

    def _with_retries(self, url: str, accept: str, validators: Validators) -> _Hop:
        attempt = 0
        while True:
            try:
                return self._attempt(url, accept, validators)
            except _Failure as failure:
                if not failure.retryable or attempt >= self.settings.retries:
                    if failure.retryable:
                        failure.detail = f"{failure.detail} (after {attempt + 1} attempts)"
                    raise
                delay = _backoff(self.settings.backoff, attempt, failure.wait)
                logger.info("retrying %s in %.2fs after %s", url, delay, failure.reason)
                time.sleep(delay)
                attempt += 1

    def _attempt(self, url: str, accept: str, validators: Validators) -> _Hop:
        gate = self._gate(url)
        sent_at = [time.monotonic()]

        def trace(event: str, info: dict[str, Any]) -> None:
            # wait for this host's turn once connected, just before the request goes out, so
            # host_delay separates requests sent rather than connection attempts
            if event == "http11.send_request_headers.started":
                sent_at[0] = gate.take_turn()

        with gate.slots:
            logger.debug("GET %s", url)
            headers = {"Accept": ACCEPT_HEADERS[accept], **validators.request_headers()}
            try:
                with self._client.stream("GET", url, headers=headers, extensions={"trace": trace}) as response:
                    return self._read(response, accept, sent_at[0] + self._cap, conditional=bool(validators))
            except httpx.TimeoutException as exc:
                raise _Failure("timeout", _describe(exc), retryable=True) from None
            except httpx.TransportError as exc:
                raise _Failure("connection_error", _describe(exc), retryable=True) from None
            except httpx.InvalidURL as exc:
                raise _Failure("invalid_url", _describe(exc)) from None

    def _read(self, response: httpx.Response, accept: str, deadline: float, *, conditional: bool) -> _Hop:
        status = response.status_code
        content_type = _media_type(response.headers.get("content-type"))
        location = response.headers.get("location")
        validators = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        try:
            if status in REDIRECT_STATUSES and location:
                return _Hop(status, content_type, None, location)
            if status == NOT_MODIFIED and conditional:
                return _Hop(status, content_type, None, validators=validators)
            _check_status(status, response.headers.get("retry-after"))
            _check_type(content_type, accept)
            _check_length(response.headers.get("content-length"), self.settings.max_bytes)
            body = _read_body(response, self.settings.max_bytes, deadline)
        except _Failure as failure:
            failure.status, failure.content_type = status, content_type
            raise
        return _Hop(status, content_type, body, validators=validators)

    def _gate(self, url: str) -> _HostGate:
        key = _host_key(url)
        with self._lock:
            gate = self._gates.get(key)
            if gate is None:
                settings = self.settings
                gate = self._gates[key] = _HostGate(settings.host_concurrency, settings.host_delay)
        return gate


def fetch_all(
    urls: Iterable[str],
    settings: Settings,
    fetcher: Fetcher | None = None,
    *,
    accept: str = "html",
    validators: Mapping[str, Validators] | None = None,
) -> Iterator[FetchResult]:
    """Fetch every URL once on ``fetch_workers`` threads; results come as they finish.

    A URL found in ``validators`` is fetched conditionally with what it maps to; others plainly.
    """
    own = fetcher is None
    active = fetcher if fetcher is not None else Fetcher(settings)
    try:
        yield from _schedule(urls, settings, active, accept, validators or {})
    finally:
        if own:
            active.close()


def _schedule(
    urls: Iterable[str], settings: Settings, fetcher: Fetcher, accept: str, validators: Mapping[str, Validators]
) -> Iterator[FetchResult]:
    """Hand URLs to workers so no host holds more than ``host_concurrency`` of them."""
    queues: dict[str, deque[str]] = {}
    for url in urls:
        queues.setdefault(_host_key(url), deque()).append(url)
    workers, per_host = max(1, settings.fetch_workers), max(1, settings.host_concurrency)
    running: dict[Future[FetchResult], tuple[str, str]] = {}
    busy: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
        while queues or running:
            for host in list(queues):
                queue = queues[host]
                while queue and len(running) < workers and busy.get(host, 0) < per_host:
                    url = queue.popleft()
                    job = pool.submit(fetcher.fetch, url, accept=accept, validators=validators.get(url))
                    running[job] = (host, url)
                    busy[host] = busy.get(host, 0) + 1
                if not queue:
                    del queues[host]
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                host, url = running.pop(future)
                busy[host] -= 1
                yield _outcome(future, url)


def _outcome(future: Future[FetchResult], url: str) -> FetchResult:
    try:
        return future.result()
    except Exception as exc:  # a custom fetcher may raise; the batch goes on
        logger.exception("unexpected error fetching %s", url)
        return FetchResult(url, url, None, None, None, "fetch_error", repr(exc))


def _returned_validators(hop: _Hop, sent: Validators) -> Validators:
    """The validators a final hop leaves us: a 304 may omit one it did not change (RFC 9110
    requires only the ETag), so the one we sent stays; a 200 is taken as it came."""
    if hop.status != NOT_MODIFIED:
        return hop.validators
    returned = hop.validators
    return Validators(returned.etag or sent.etag, returned.last_modified or sent.last_modified)


def _target(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL, or ``invalid_url``."""
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise _Failure("invalid_url", f"not a usable URL: {url!r}"[:300])
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _Failure("invalid_url", str(exc)) from None
    if parts.scheme not in DEFAULT_PORTS:
        raise _Failure("invalid_url", f"unsupported scheme {parts.scheme!r}")
    if not parts.hostname:
        raise _Failure("invalid_url", "no host")
    return parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _resolve(host: str, port: int, resolver: Resolver | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to, or ``dns_error``; ``None`` asks socket.getaddrinfo."""
    lookup = resolver if resolver is not None else socket.getaddrinfo
    try:
        infos = lookup(host, port, type=socket.SOCK_STREAM)
        addresses = [ipaddress.ip_address(str(info[4][0])) for info in infos]
    except (OSError, UnicodeError, ValueError) as exc:
        raise _Failure("dns_error", f"{host}: {exc}") from None
    if not addresses:
        raise _Failure("dns_error", f"{host}: no addresses")
    return addresses


def _refuse_blocked(host: str, addresses: list[IPAddress]) -> None:
    """``private_address`` if any address is not public: one bad answer taints the name."""
    blocked = [address for address in addresses if _is_blocked(address)]
    if blocked:
        raise _Failure("private_address", f"{host} resolves to {blocked[0]}")


def _literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself: an IP literal or a numeric IPv4 spelling, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return _numeric_ipv4(host)


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """What inet_aton makes of ``host``: ``2130706433``, ``0177.0.0.1``, ``0x7f.1`` and ``127.1``
    are all 127.0.0.1 to C resolvers, so they are judged as that, whatever DNS would say."""
    parts = (host[:-1] if host.endswith(".") else host).split(".")
    values = [_inet_number(part) for part in parts]
    if not 1 <= len(values) <= 4 or any(value is None for value in values):
        return None
    *head, last = [value for value in values if value is not None]
    if any(value > 0xFF for value in head) or last >= 1 << 8 * (5 - len(values)):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << 8 * (3 - index)
    return ipaddress.IPv4Address(number)


def _inet_number(part: str) -> int | None:
    """One part of an inet_aton spelling: decimal, octal (leading 0) or hex (leading 0x)."""
    text = part.lower()
    base, digits = (16, text[2:]) if text.startswith("0x") else (8, text[1:]) if text.startswith("0") else (10, text)
    if text == "0":
        return 0
    if not digits or any(char not in "0123456789abcdef"[:base] for char in digits):
        return None
    return int(digits, base)


def _is_blocked(address: IPAddress) -> bool:
    """True for anything but a public unicast address, judging every IPv4 address an IPv6 one
    carries: IPv4-mapped and NAT64 stand for their IPv4 host alone; IPv4-compatible, 6to4 and
    Teredo (server and client) are blocked if any IPv4 inside is, or if they are not public."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in NAT64_LOCAL:
            return True
        translated = address.ipv4_mapped or _nat64_host(address)
        if translated is not None:
            return _is_blocked(translated)
        if any(_is_blocked(inner) for inner in _embedded_ipv4(address)):
            return True
    return _not_public(address)


def _nat64_host(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address not in NAT64_PREFIX:
        return None
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses inside an IPv4-compatible, 6to4 or Teredo address."""
    inner: list[ipaddress.IPv4Address] = []
    if address in IPV4_COMPATIBLE:
        inner.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        inner.append(address.sixtofour)
    if address.teredo is not None:
        inner.extend(address.teredo)
    return inner


def _not_public(address: IPAddress) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except (TypeError, ValueError):
        return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def _redirect_target(current: str, location: str) -> str:
    try:
        target = urljoin(current, location.strip())
    except ValueError as exc:
        raise _Failure("invalid_url", f"bad redirect {location!r}: {exc}"[:300]) from None
    return target.split("#", 1)[0]


def _backoff(backoff: float, attempt: int, retry_after: float | None) -> float:
    delay = backoff * 2**attempt
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return delay


def _retry_after(value: str | None) -> float | None:
    """Seconds from a numeric Retry-After header (HTTP dates are ignored)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None


def _media_type(value: str | None) -> str | None:
    media = (value or "").split(";", 1)[0].strip().lower()
    return media or None


def _check_status(status: int, retry_after: str | None) -> None:
    if status == 429 or status >= 500:
        raise _Failure(f"http_{status}", retryable=True, wait=_retry_after(retry_after))
    if not 200 <= status < 300:
        raise _Failure(f"http_{status}")


def _check_type(content_type: str | None, accept: str) -> None:
    if accept == "html":
        if content_type not in HTML_TYPES:
            raise _Failure("not_html", f"content type {content_type or 'missing'}")
    elif not _is_xmlish(content_type):
        raise _Failure("not_xml", f"content type {content_type}")


def _is_xmlish(content_type: str | None) -> bool:
    """Feeds, sitemaps and robots.txt: XML, RSS, Atom, any text, gzip, or unlabelled."""
    if content_type is None or content_type.startswith("text/"):
        return True
    return content_type in XML_BINARY_TYPES or any(m in content_type for m in XML_MARKERS)


def _check_length(value: str | None, limit: int) -> None:
    try:
        length = int(value) if value is not None else None
    except ValueError:
        return
    if length is not None and length > limit:
        raise _Failure("too_large", f"content-length {length} exceeds {limit} bytes")


def _read_body(response: httpx.Response, limit: int, deadline: float) -> bytes:
    """Stream the body, decoding gzip/deflate ourselves so the cap counts decoded bytes."""
    decoder = _decoder(response.headers.get("content-encoding"))
    body = bytearray()
    for chunk in response.iter_raw():
        if decoder is not None:
            chunk = _inflate(decoder, chunk, limit - len(body) + 1)
        body += chunk
        if len(body) > limit:
            raise _Failure("too_large", f"body exceeds {limit} bytes")
        if time.monotonic() > deadline:
            raise _Failure("timeout", "response exceeded the total time cap", retryable=True)
    if decoder is not None:
        body += decoder.flush()
        if len(body) > limit:
            raise _Failure("too_large", f"body exceeds {limit} bytes")
    return bytes(body)


def _decoder(encoding: str | None) -> zlib._Decompress | None:
    value = (encoding or "").strip().lower()
    if value in ("", "identity"):
        return None
    if value in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    raise _Failure("bad_encoding", f"unsupported content-encoding {value!r}")


def _inflate(decoder: zlib._Decompress, data: bytes, room: int) -> bytes:
    try:
        return decoder.decompress(data, room)
    except zlib.error as exc:
        raise _Failure("bad_encoding", f"cannot decode body: {exc}") from None


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
