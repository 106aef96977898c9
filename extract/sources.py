"""Where article URLs come from: RSS/Atom feeds, XML sitemaps and local URL lists.

``load_sources`` reads ``sources.yml``. ``discover`` fetches every feed and sitemap (the first
documents concurrently, child sitemaps one by one) and reads every URL list. It returns the
normalised article URLs, deduplicated across sources in order (the first source wins), and a
:class:`~extract.records.Rejection` for every source or URL it could not use. Feeds are parsed
by feedparser from the fetched bytes. Sitemaps are parsed by lxml with entities, DTDs and
network access turned off.

Discovery reasons: the fetch reasons of :mod:`extract.fetch` for a feed or sitemap that could
not be fetched, plus ``not_a_feed``, ``malformed_feed`` (the feed's entries are still used),
``bad_sitemap``, ``too_large`` (a gzipped sitemap that inflates past ``max_bytes``),
``sitemap_too_deep``, ``too_many_urls``, ``unreadable_list`` (missing, a folder, or not UTF-8
text: a binary file is refused whole rather than read as lines of junk), ``invalid_url`` and
``source_error`` (a bug; logged with its traceback).  ``check_url_lists`` lets the CLI refuse an
unusable list before a run starts.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import logging
import re
import zlib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import courlan
import feedparser
import yaml
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType
from lxml import etree

from .errors import UsageError
from .fetch import Fetcher, FetchResult, fetch_all
from .records import Rejection
from .settings import Settings

__all__ = [
    "KINDS",
    "Discovered",
    "Source",
    "check_url_lists",
    "discover",
    "load_sources",
    "normalize_url",
    "read_text_file",
    "url_list_path",
]

logger = logging.getLogger(__name__)

KINDS = ("feed", "sitemap", "urls")
MAX_SITEMAP_DEPTH = 3  # sitemap documents nested below and including the source's own
MAX_URL_LENGTH = 4096
GZIP_MAGIC = b"\x1f\x8b"
# Query parameters that only track the visitor. Deliberately narrower than courlan's own
# list, which also drops ids such as ``cid`` or ``uid`` and would merge distinct articles.
TRACKING_PARAM = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid"
    r"|_ga|_gl|mkt_tok|oly_anon_id|oly_enc_id|vero_id|_hsenc|_hsmi|ncid|ocid|cmpid|xtor"
    r"|sr_share|at_campaign|at_medium)$"
)
# feedparser's notes about a parse that worked: no Content-Type given, or the encoding guessed
HARMLESS_FEED_PROBLEMS = (CharacterEncodingOverride, NonXMLContentType)
_HOSTNAME = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.?$")


@dataclass(frozen=True)
class Source:
    """One place URLs come from; ``base_dir`` anchors a relative URL-list path."""

    kind: str
    location: str
    name: str | None = None
    base_dir: Path | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"source kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    @property
    def source_id(self) -> str:
        digest = hashlib.sha256(f"{self.kind}\n{self.location}".encode())
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Discovered:
    """A normalised article URL and the source that first named it."""

    url: str
    source_id: str


@dataclass
class _Harvest:
    """What one source gave: raw links with the base they resolve against, and rejections."""

    links: list[tuple[str, str | None]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)

    def reject(self, url: str, reason: str, detail: str | None = None) -> None:
        self.rejections.append(Rejection(url, "discover", reason, detail))


def read_text_file(path: Path, what: str) -> str:
    """The text of a local input file; :class:`UsageError` (one line) when it is missing, not a
    regular file, or not UTF-8 text.  A NUL byte marks a binary file even when it decodes."""
    try:
        if not path.is_file():
            if path.is_dir():
                problem = "is a directory, not a file"
            else:
                problem = "not a regular file" if path.exists() else "no such file"
            raise UsageError(f"{what} {path}: {problem}")
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{what} {path}: cannot be read ({exc.strerror or exc})") from exc
    if b"\0" in data:
        raise UsageError(f"{what} {path}: a binary file (it holds NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} {path}: not UTF-8 text (byte {exc.start} cannot be decoded)") from exc


def url_list_path(source: Source) -> Path:
    """The file a ``urls`` source names; a relative path is anchored at its ``base_dir``."""
    path = Path(source.location).expanduser()
    if not path.is_absolute() and source.base_dir is not None:
        path = source.base_dir / path
    return path


def check_url_lists(sources: Iterable[Source]) -> None:
    """Refuse (:class:`UsageError`) when a ``urls`` source's file is missing, a folder or binary."""
    for source in sources:
        if source.kind == "urls":
            read_text_file(url_list_path(source), "URL list")


def load_sources(path: str | PathLike[str]) -> list[Source]:
    """Read ``sources.yml``: ``{"sources": [{"kind": ..., "location": ..., "name": ...}]}``."""
    file = Path(path)
    text = read_text_file(file, "sources file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{file}: not valid YAML: {exc}") from exc
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{file}: expected a mapping with a 'sources' list")
    sources: list[Source] = []
    first: dict[str, int] = {}
    for index, entry in enumerate(entries):
        where = f"{file}: sources[{index}]"
        source = _parse_source(entry, where, file.parent)
        if source.source_id in first:
            raise ValueError(f"{where}: duplicate of sources[{first[source.source_id]}]")
        first[source.source_id] = index
        sources.append(source)
    return sources


def _parse_source(entry: Any, where: str, base_dir: Path) -> Source:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = sorted(set(entry) - {"kind", "location", "name"})
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; allowed: kind, location, name")
    kind, location, name = entry.get("kind"), entry.get("location"), entry.get("name")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(location, str) or not location.strip():
        raise ValueError(f"{where}: location must be a non-empty string")
    if name is not None and not isinstance(name, str):
        raise ValueError(f"{where}: name must be a string")
    location = location.strip()
    if kind != "urls" and normalize_url(location) is None:
        raise ValueError(f"{where}: a {kind} location must be an http(s) URL, got {location!r}")
    return Source(kind, location, name, base_dir=base_dir)


def normalize_url(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL with a lower-case host, no fragment and no tracking parameters.

    Relative URLs resolve against ``base``. Returns None for anything unusable.
    """
    if not isinstance(url, str):
        return None
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH or any(ord(ch) < 32 for ch in text):
        return None
    try:
        parts = urlsplit(urljoin(base, text) if base else text)
        bare = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
        final = urlsplit(courlan.normalize_url(bare))
        final.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None
    if final.scheme not in ("http", "https") or not _valid_host(final.hostname):
        return None
    return urlunsplit((final.scheme, final.netloc, final.path or "/", _clean_query(parts.query), ""))


def _valid_host(host: str | None) -> bool:
    if not host:
        return False
    if _HOSTNAME.match(host):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _clean_query(query: str) -> str:
    """Drop tracking parameters and sort the rest by name, so equal queries compare equal."""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if not TRACKING_PARAM.match(key.lower())]
    return urlencode(sorted(kept, key=lambda pair: pair[0]))


def discover(
    sources: Iterable[Source], settings: Settings, fetcher: Fetcher | None = None
) -> tuple[list[Discovered], list[Rejection]]:
    """Every article URL the sources name, deduplicated in order, and what was rejected."""
    own = fetcher is None
    active = fetcher if fetcher is not None else Fetcher(settings)
    try:
        return _discover(list(sources), settings, active)
    finally:
        if own:
            active.close()


def _discover(sources: list[Source], settings: Settings, fetcher: Fetcher) -> tuple[list[Discovered], list[Rejection]]:
    remote = dict.fromkeys(source.location for source in sources if source.kind != "urls")
    fetched = {result.url: result for result in fetch_all(remote, settings, fetcher, accept="xml")}
    found: list[Discovered] = []
    rejections: list[Rejection] = []
    seen: set[str] = set()
    for source in sources:
        harvest = _harvest(source, fetched.get(source.location), settings, fetcher)
        rejections.extend(harvest.rejections)
        new = 0
        for raw, base in harvest.links:
            url = normalize_url(raw, base)
            if url is None:
                rejections.append(Rejection(raw[:MAX_URL_LENGTH], "discover", "invalid_url"))
            elif url not in seen:
                seen.add(url)
                found.append(Discovered(url, source.source_id))
                new += 1
        logger.info("%s %s: %d links, %d new", source.kind, source.location, len(harvest.links), new)
    return found, rejections


def _harvest(source: Source, result: FetchResult | None, settings: Settings, fetcher: Fetcher) -> _Harvest:
    harvest = _Harvest()
    try:
        if source.kind == "urls":
            _read_list(source, harvest)
        elif result is None:
            harvest.reject(source.location, "fetch_error", "no fetch result")
        elif not result.ok:
            harvest.reject(source.location, result.reason or "fetch_error", result.detail)
        elif source.kind == "feed":
            _read_feed(source, result, harvest)
        else:
            _read_sitemaps(source, result, settings, fetcher, harvest)
    except Exception as exc:  # one broken source must not stop discovery of the others
        logger.exception("unexpected error reading %s %s", source.kind, source.location)
        harvest.reject(source.location, "source_error", repr(exc))
    return harvest


def _read_list(source: Source, harvest: _Harvest) -> None:
    """A local file: one URL per line; blank lines and ``#`` comments ignored."""
    try:
        text = read_text_file(url_list_path(source), "URL list")
    except UsageError as exc:
        harvest.reject(source.location, "unreadable_list", str(exc))
        return
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            harvest.links.append((line, None))


def _read_feed(source: Source, result: FetchResult, harvest: _Harvest) -> None:
    """RSS or Atom, parsed from the fetched bytes (a stream, so feedparser never opens a URL)."""
    parsed = feedparser.parse(io.BytesIO(result.body or b""), response_headers={"content-location": result.final_url})
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        harvest.reject(source.location, "not_a_feed", str(problem or "no RSS or Atom content"))
        return
    if problem is not None and not isinstance(problem, HARMLESS_FEED_PROBLEMS):
        logger.warning("feed %s is malformed (%s); using what parsed", source.location, problem)
        harvest.reject(source.location, "malformed_feed", str(problem))
    skipped = 0
    for entry in parsed.entries:
        link = entry.get("link")
        if isinstance(link, str) and link.strip():
            harvest.links.append((link, result.final_url))
        else:
            skipped += 1
    if skipped:
        logger.info("feed %s: %d entries without a link skipped", source.location, skipped)


def _read_sitemaps(source: Source, first: FetchResult, settings: Settings, fetcher: Fetcher, harvest: _Harvest) -> None:
    """A sitemap or sitemap index, breadth first; children count against the URL budget."""
    budget = settings.max_sitemap_urls
    pending: deque[tuple[str, int, FetchResult | None]] = deque([(first.url, 1, first)])
    visited: set[str] = set()
    while pending:
        url, depth, result = pending.popleft()
        if url in visited:
            continue
        visited.add(url)
        root = _load_sitemap(url, result or fetcher.fetch(url, accept="xml"), settings, harvest)
        if root is None:
            continue
        kind = etree.QName(root).localname
        if kind not in ("urlset", "sitemapindex"):
            harvest.reject(url, "bad_sitemap", f"root element <{kind}> is not a sitemap")
            continue
        if kind == "sitemapindex" and depth >= MAX_SITEMAP_DEPTH:
            harvest.reject(url, "sitemap_too_deep", f"index nested deeper than {depth} levels")
            continue
        for loc in _locs(root, "sitemap" if kind == "sitemapindex" else "url"):
            if budget <= 0:
                limit = settings.max_sitemap_urls
                harvest.reject(source.location, "too_many_urls", f"stopped at {limit} URLs")
                return
            budget -= 1
            if kind == "urlset":
                harvest.links.append((loc, url))
                continue
            child = normalize_url(loc, url)
            if child is None:
                harvest.reject(loc[:MAX_URL_LENGTH], "invalid_url", f"child sitemap in {url}")
            else:
                pending.append((child, depth + 1, None))


def _load_sitemap(url: str, result: FetchResult, settings: Settings, harvest: _Harvest) -> etree._Element | None:
    """The parsed root of one sitemap document, or None after recording why not."""
    if not result.ok:
        harvest.reject(url, result.reason or "fetch_error", result.detail)
        return None
    data = result.body or b""
    if data.startswith(GZIP_MAGIC):
        try:
            data = _gunzip(data, settings.max_bytes)
        except zlib.error as exc:
            harvest.reject(url, "bad_sitemap", f"bad gzip: {exc}")
            return None
        except OverflowError:
            harvest.reject(url, "too_large", f"inflates past {settings.max_bytes} bytes")
            return None
    try:
        root = etree.fromstring(data, parser=_sitemap_parser())
    except etree.XMLSyntaxError as exc:
        harvest.reject(url, "bad_sitemap", str(exc))
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        harvest.reject(url, "bad_sitemap", "a sitemap may not declare a DTD")
        return None
    return root


def _sitemap_parser() -> etree.XMLParser:
    """A fresh parser per document (lxml parsers are not shared across threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _gunzip(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body, raising OverflowError past ``limit`` bytes."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise OverflowError(limit)
    return out


def _locs(root: etree._Element, item: str) -> list[str]:
    """The ``<loc>`` texts of ``<item>`` children, whatever namespace the sitemap uses."""
    locs = []
    for element in root:
        if not isinstance(element.tag, str) or etree.QName(element).localname != item:
            continue
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).localname == "loc":
                text = (child.text or "").strip()
                if text:
                    locs.append(text)
                break
    return locs
