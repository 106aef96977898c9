"""extract.sources: loading sources.yml, normalising URLs, and discovery against a real server."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path

import pytest
from local_http import LocalServer, gzipped, static

from extract.records import Rejection
from extract.settings import Settings
from extract.sources import Discovered, Source, discover, load_sources, normalize_url

pytestmark = pytest.mark.timeout(30)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML = "application/xml"


def make_settings(**changes: object) -> Settings:
    base: dict[str, object] = {
        "allow_private": True,
        "host_delay": 0,
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
        "retries": 0,
        "backoff": 0.01,
        "max_bytes": 100_000,
    }
    return Settings().replace(**{**base, **changes})


def run(*sources: Source, **changes: object) -> tuple[list[str], list[Rejection]]:
    found, rejections = discover(sources, make_settings(**changes))
    return [item.url for item in found], rejections


def reasons(rejections: list[Rejection]) -> list[tuple[str, str]]:
    return [(rejection.url, rejection.reason) for rejection in rejections]


def urlset(*locs: str) -> bytes:
    items = "".join(f"<url><loc>{loc}</loc><lastmod>2024-01-01</lastmod></url>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">{items}</urlset>'.encode()


def sitemap_index(*locs: str) -> bytes:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>'.encode()


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News</title><link>http://news.example/</link>
<item><title>One</title><link>http://News.Example/2024/one?utm_source=rss&amp;utm_medium=feed</link></item>
<item><title>Two</title><link>/2024/two#comments</link></item>
<item><title>No link</title><description>nothing to follow</description></item>
<item><title>One again</title><link>http://news.example/2024/one</link></item>
<item><title>Bad</title><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom news</title><id>urn:x</id>
<updated>2024-01-01T00:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><updated>2024-01-01T00:00:00Z</updated>
  <link rel="alternate" href="https://atom.example/a?fbclid=zzz&amp;page=2"/></entry>
<entry><title>B</title><id>urn:b</id><updated>2024-01-01T00:00:00Z</updated>
  <link rel="alternate" type="text/html" href="https://atom.example/b"/></entry>
</feed>"""

MALFORMED_RSS = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Broken &nbsp; feed</title>
<item><title>Kept</title><link>http://broken.example/kept</link></item>
<item><title>Also kept</title><link>http://broken.example/also</link></item>
<item><title>Unclosed <b>bold</title>
</channel>"""


# --- normalize_url -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("HTTP://Example.COM/a/b?utm_source=x&id=3&fbclid=z#frag", None, "http://example.com/a/b?id=3"),
        ("https://example.com/x?gclid=1&b=2&a=1", None, "https://example.com/x?a=1&b=2"),
        ("https://example.com/story?cid=42&uid=7", None, "https://example.com/story?cid=42&uid=7"),
        ("https://example.com", None, "https://example.com/"),
        ("https://example.com:443/a", None, "https://example.com/a"),
        ("  https://example.com/a  ", None, "https://example.com/a"),
        ("/2024/story", "https://example.com/feed.xml", "https://example.com/2024/story"),
        ("story#top", "https://example.com/news/", "https://example.com/news/story"),
        ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
        ("http://127.0.0.1:8000/p", None, "http://127.0.0.1:8000/p"),
        ("http://[::1]:8000/p", None, "http://[::1]:8000/p"),
        ("javascript:alert(1)", None, None),
        ("mailto:someone@example.com", None, None),
        ("ftp://example.com/file", None, None),
        ("/relative/without/base", None, None),
        ("not a url", None, None),
        ("http://exa mple.com/", None, None),
        ("http://example.com:99999/", None, None),
        ("http://", None, None),
        ("", None, None),
        ("https://example.com/" + "a" * 5000, None, None),
    ],
)
def test_normalize_url(url: str, base: str | None, expected: str | None) -> None:
    assert normalize_url(url, base) == expected


def test_source_id_is_stable() -> None:
    source = Source("feed", "https://example.com/feed.xml", name="Example")
    expected = hashlib.sha256(b"feed\nhttps://example.com/feed.xml").hexdigest()[:16]
    assert source.source_id == expected
    assert Source("feed", "https://example.com/feed.xml").source_id == expected
    assert Source("sitemap", "https://example.com/feed.xml").source_id != expected


# --- load_sources ------------------------------------------------------------------------


def test_load_sources(tmp_path: Path) -> None:
    file = tmp_path / "sources.yml"
    file.write_text(
        "sources:\n"
        "  - {kind: feed, location: 'https://example.com/feed.xml', name: Example}\n"
        "  - {kind: sitemap, location: 'https://example.com/sitemap.xml'}\n"
        "  - {kind: urls, location: lists/urls.txt, name: hand-picked}\n",
        encoding="utf-8",
    )
    sources = load_sources(file)
    assert [(s.kind, s.location, s.name) for s in sources] == [
        ("feed", "https://example.com/feed.xml", "Example"),
        ("sitemap", "https://example.com/sitemap.xml", None),
        ("urls", "lists/urls.txt", "hand-picked"),
    ]
    assert sources[2].base_dir == tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- just a list\n", "expected a mapping with a 'sources' list"),
        ("sources: nope\n", "expected a mapping with a 'sources' list"),
        ("sources:\n  - {kind: rss, location: 'https://x.org/f'}\n", "sources[0]: kind must be one of feed"),
        ("sources:\n  - {kind: feed}\n", "sources[0]: location must be a non-empty string"),
        ("sources:\n  - {kind: feed, location: '/local/file'}\n", "must be an http(s) URL"),
        ("sources:\n  - {kind: feed, location: 'https://x.org/f', url: y}\n", "unknown keys ['url']"),
        ("sources:\n  - {kind: feed, location: 'https://x.org/f', name: [1]}\n", "name must be a string"),
        ("sources:\n  - feed\n", "sources[0]: expected a mapping, got str"),
        (
            "sources:\n  - {kind: feed, location: 'https://x.org/f'}\n  - {kind: feed, location: 'https://x.org/f'}\n",
            "sources[1]: duplicate of sources[0]",
        ),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_load_sources_errors_are_clear(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "sources.yml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as raised:
        load_sources(file)
    assert message in str(raised.value) and str(file) in str(raised.value)


def test_source_kind_is_validated() -> None:
    with pytest.raises(ValueError, match="kind"):
        Source("rss", "https://example.com/feed")


# --- feeds -------------------------------------------------------------------------------


def test_rss_feed(server: LocalServer) -> None:
    server.route("/feed.xml", static(RSS, content_type="application/rss+xml"))
    source = Source("feed", server.url("/feed.xml"))
    found, rejections = discover([source], make_settings())
    assert found == [
        Discovered("http://news.example/2024/one", source.source_id),
        Discovered(server.url("/2024/two"), source.source_id),
    ]
    assert reasons(rejections) == [("javascript:alert(1)", "invalid_url")]


def test_atom_feed(server: LocalServer) -> None:
    server.route("/atom", static(ATOM, content_type="application/atom+xml"))
    urls, rejections = run(Source("feed", server.url("/atom")))
    assert urls == ["https://atom.example/a?page=2", "https://atom.example/b"]
    assert rejections == []


def test_malformed_feed_yields_what_it_can_and_records_the_problem(server: LocalServer) -> None:
    server.route("/broken", static(MALFORMED_RSS, content_type="text/xml"))
    urls, rejections = run(Source("feed", server.url("/broken")))
    assert urls[:2] == ["http://broken.example/kept", "http://broken.example/also"]
    assert [(r.stage, r.reason) for r in rejections] == [("discover", "malformed_feed")]
    assert rejections[0].url == server.url("/broken") and rejections[0].detail


def test_html_page_is_not_a_feed(server: LocalServer) -> None:
    server.route("/page", static(b"<html><body><a href='/x'>x</a></body></html>"))
    urls, rejections = run(Source("feed", server.url("/page")))
    assert urls == []
    assert reasons(rejections) == [(server.url("/page"), "not_a_feed")]


def test_json_is_refused_by_the_fetcher(server: LocalServer) -> None:
    server.route("/feed.json", static(b'{"items": []}', content_type="application/json"))
    _, rejections = run(Source("feed", server.url("/feed.json")))
    assert reasons(rejections) == [(server.url("/feed.json"), "not_xml")]


def test_feed_body_is_never_opened_as_a_url_or_file(server: LocalServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_bytes(RSS)
    server.route("/points-at-url", static(server.url("/secret").encode(), content_type="text/plain"))
    server.route("/points-at-file", static(str(secret).encode(), content_type="text/plain"))
    urls, rejections = run(Source("feed", server.url("/points-at-url")), Source("feed", server.url("/points-at-file")))
    assert urls == [] and {r.reason for r in rejections} == {"not_a_feed"}
    assert server.count("/secret") == 0


def test_failed_feed_fetch_is_a_discover_rejection(server: LocalServer) -> None:
    urls, rejections = run(Source("feed", server.url("/gone.xml")))
    assert urls == []
    assert rejections == [Rejection(server.url("/gone.xml"), "discover", "http_404", None)]


# --- sitemaps ----------------------------------------------------------------------------


def test_sitemap_urlset(server: LocalServer) -> None:
    server.route(
        "/sitemap.xml", static(urlset("https://site.example/a", "https://site.example/b?utm_x=1"), content_type=XML)
    )
    urls, rejections = run(Source("sitemap", server.url("/sitemap.xml")))
    assert urls == ["https://site.example/a", "https://site.example/b"]
    assert rejections == []


def test_sitemap_index_with_plain_and_gzipped_children(server: LocalServer) -> None:
    server.route("/index.xml", static(sitemap_index(server.url("/one.xml"), "/two.xml.gz"), content_type=XML))
    server.route("/one.xml", static(urlset("https://site.example/1", "https://site.example/2"), content_type=XML))
    server.route("/two.xml.gz", gzipped(urlset("https://site.example/3")))
    urls, rejections = run(Source("sitemap", server.url("/index.xml")))
    assert urls == ["https://site.example/1", "https://site.example/2", "https://site.example/3"]
    assert rejections == []


def test_gzipped_root_sitemap(server: LocalServer) -> None:
    server.route("/sitemap.xml.gz", gzipped(urlset("https://site.example/z")))
    urls, rejections = run(Source("sitemap", server.url("/sitemap.xml.gz")))
    assert urls == ["https://site.example/z"] and rejections == []


def test_gzip_bomb_sitemap_is_too_large(server: LocalServer) -> None:
    server.route("/bomb.xml.gz", gzipped(urlset("https://site.example/x") + b" " * 5_000_000))
    urls, rejections = run(Source("sitemap", server.url("/bomb.xml.gz")), max_bytes=100_000)
    assert urls == []
    assert reasons(rejections) == [(server.url("/bomb.xml.gz"), "too_large")]


def billion_laughs(levels: int) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, levels + 1)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE urlset [\n' + "\n".join(entities) + "\n]>\n"
        f'<urlset xmlns="{SITEMAP_NS}"><url><loc>https://site.example/&lol{levels};</loc></url></urlset>'
    ).encode()


@pytest.mark.parametrize("levels", [3, 9])
def test_entity_expansion_is_refused(server: LocalServer, levels: int) -> None:
    server.route("/laughs.xml", static(billion_laughs(levels), content_type=XML))
    started = time.monotonic()
    urls, rejections = run(Source("sitemap", server.url("/laughs.xml")))
    assert urls == []
    assert reasons(rejections) == [(server.url("/laughs.xml"), "bad_sitemap")]
    assert time.monotonic() - started < 2


def test_external_entities_are_not_loaded(server: LocalServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("https://leak.example/secret", encoding="utf-8")
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f'<urlset xmlns="{SITEMAP_NS}"><url><loc>&xxe;</loc></url></urlset>'
    ).encode()
    server.route("/xxe.xml", static(doc, content_type=XML))
    urls, rejections = run(Source("sitemap", server.url("/xxe.xml")))
    assert urls == [] and [r.reason for r in rejections] == ["bad_sitemap"]


def test_unparseable_sitemap(server: LocalServer) -> None:
    server.route("/junk.xml", static(b"<urlset><url><loc>https://x.example/", content_type=XML))
    server.route("/html.xml", static(b"<html><body>hi</body></html>", content_type="text/html"))
    server.route("/bad.xml.gz", static(b"\x1f\x8b garbage", content_type="application/x-gzip"))
    urls, rejections = run(*(Source("sitemap", server.url(p)) for p in ("/junk.xml", "/html.xml", "/bad.xml.gz")))
    assert urls == []
    assert [r.reason for r in rejections] == ["bad_sitemap"] * 3


def test_sitemap_nesting_is_bounded(server: LocalServer) -> None:
    for level in range(1, 5):
        server.route(f"/level{level}.xml", static(sitemap_index(f"/level{level + 1}.xml"), content_type=XML))
    server.route("/level5.xml", static(urlset("https://site.example/deep"), content_type=XML))
    urls, rejections = run(Source("sitemap", server.url("/level1.xml")))
    assert urls == []
    assert reasons(rejections) == [(server.url("/level3.xml"), "sitemap_too_deep")]
    assert server.count("/level4.xml") == 0


def test_sitemap_index_loop_ends(server: LocalServer) -> None:
    server.route("/a.xml", static(sitemap_index("/b.xml", "/page-urls.xml"), content_type=XML))
    server.route("/b.xml", static(sitemap_index("/a.xml"), content_type=XML))
    server.route("/page-urls.xml", static(urlset("https://site.example/p"), content_type=XML))
    urls, _ = run(Source("sitemap", server.url("/a.xml")))
    assert urls == ["https://site.example/p"]
    assert server.count("/a.xml") == 1 and server.count("/b.xml") == 1


def test_sitemap_url_budget(server: LocalServer) -> None:
    locs = [f"https://site.example/{n}" for n in range(10)]
    server.route("/big.xml", static(urlset(*locs), content_type=XML))
    urls, rejections = run(Source("sitemap", server.url("/big.xml")), max_sitemap_urls=4)
    assert urls == locs[:4]
    assert reasons(rejections) == [(server.url("/big.xml"), "too_many_urls")]


def test_failed_child_sitemap_is_rejected_and_siblings_still_read(server: LocalServer) -> None:
    server.route("/index.xml", static(sitemap_index("/missing.xml", "/ok.xml"), content_type=XML))
    server.route("/ok.xml", static(urlset("https://site.example/ok"), content_type=XML))
    urls, rejections = run(Source("sitemap", server.url("/index.xml")))
    assert urls == ["https://site.example/ok"]
    assert reasons(rejections) == [(server.url("/missing.xml"), "http_404")]


# --- URL lists and the whole discovery ----------------------------------------------------


def test_url_list(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# hand-picked\n\nhttps://list.example/a\n   https://list.example/b#x  \n# https://list.example/c\nnope\n",
        encoding="utf-8",
    )
    urls, rejections = run(Source("urls", "urls.txt", base_dir=tmp_path))
    assert urls == ["https://list.example/a", "https://list.example/b"]
    assert reasons(rejections) == [("nope", "invalid_url")]


def test_missing_url_list(tmp_path: Path) -> None:
    urls, rejections = run(Source("urls", str(tmp_path / "absent.txt")))
    assert urls == [] and [r.reason for r in rejections] == ["unreadable_list"]


def test_urls_are_deduplicated_across_sources_first_wins(server: LocalServer, tmp_path: Path) -> None:
    server.route("/feed.xml", static(RSS, content_type="application/rss+xml"))
    server.route(
        "/sitemap.xml", static(urlset("http://news.example/2024/one", "https://only.example/s"), content_type=XML)
    )
    listing = tmp_path / "urls.txt"
    listing.write_text("https://only.example/s?utm_campaign=x\nhttps://only.example/list\n", encoding="utf-8")
    feed = Source("feed", server.url("/feed.xml"))
    sitemap = Source("sitemap", server.url("/sitemap.xml"))
    urls = Source("urls", str(listing))
    found, _ = discover([feed, sitemap, urls], make_settings())
    assert [(d.url, d.source_id) for d in found] == [
        ("http://news.example/2024/one", feed.source_id),
        (server.url("/2024/two"), feed.source_id),
        ("https://only.example/s", sitemap.source_id),
        ("https://only.example/list", urls.source_id),
    ]


def test_discovery_goes_on_past_broken_sources(server: LocalServer, tmp_path: Path) -> None:
    server.route("/feed.xml", static(RSS, content_type="application/rss+xml"))
    sources = [
        Source("feed", server.url("/nope.xml")),
        Source("sitemap", "http://no-such-host.invalid/sitemap.xml"),
        Source("urls", str(tmp_path / "absent.txt")),
        Source("feed", server.url("/feed.xml")),
    ]
    urls, rejections = run(*sources)
    assert urls == ["http://news.example/2024/one", server.url("/2024/two")]
    assert [r.reason for r in rejections] == ["http_404", "dns_error", "unreadable_list", "invalid_url"]
    assert all(r.stage == "discover" for r in rejections)


def test_gzip_content_encoded_sitemap(server: LocalServer) -> None:
    body = gzip.compress(urlset("https://site.example/enc"))
    server.route("/enc.xml", static(body, content_type=XML, headers={"Content-Encoding": "gzip"}))
    urls, _ = run(Source("sitemap", server.url("/enc.xml")))
    assert urls == ["https://site.example/enc"]
