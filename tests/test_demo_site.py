"""The bundled demo site and its server: placeholder filled in, feed and sitemap sound, edges refused."""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
import pytest

from extract.demo_site import SITE_DIR, DemoSite, serve
from extract.demo_site.server import PLACEHOLDER

ARTICLES = [
    "eu-agrees-sanctions-on-shadow-fleet-tankers",
    "un-convoy-delivers-food-to-darfur-camp",
    "armenia-azerbaijan-border-talks-abu-dhabi",
    "kenya-police-fire-tear-gas-at-nairobi-protesters",
    "philippines-accuses-china-of-water-cannon-attack-near-shoal",
    "berlin-sagt-kiew-weitere-luftabwehr-zu",
    "eritrea-warns-ethiopia-over-red-sea-port-demands",
    # one event, two outlets (og:site_name Baltic Wire Service and Northern Dispatch): fct_event_story
    "lithuania-accuses-belarus-over-smuggling-balloons",
    "vilnius-summons-belarus-envoy-after-airport-closure",
]
SYNDICATED = "un-convoy-delivers-food-to-darfur-camp-syndicated"
NON_ARTICLE = "live-updates-index"
DEAD_PATH = "/news/withdrawn-story.html"
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}

# the three ways the pages state their publication date
DATE_PATTERNS = [
    re.compile(r'<meta\s+property="article:published_time"\s+content="(\d{4}-\d{2}-\d{2})'),
    re.compile(r'<time\b[^>]*\bdatetime="(\d{4}-\d{2}-\d{2})'),
    re.compile(r'"datePublished"\s*:\s*"(\d{4}-\d{2}-\d{2})'),
]


def fetch(url: str) -> tuple[int, str, str]:
    """(status, content type, body) for a GET, 4xx/5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers["Content-Type"], response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode("utf-8", "replace")


def raw_status(site: DemoSite, path: str) -> tuple[int, bytes]:
    """Send ``path`` exactly as written (urllib would not, but a hostile client might)."""
    parts = urlsplit(site.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def feed_links(site: DemoSite) -> list[str]:
    return [entry.link for entry in feedparser.parse(fetch(site.url("/feed.xml"))[2]).entries]


def sitemap_locs(site: DemoSite) -> list[str]:
    root = ET.fromstring(fetch(site.url("/sitemap.xml"))[2])
    return [(loc.text or "").strip() for loc in root.iterfind("sm:url/sm:loc", SITEMAP_NS)]


def page_date(html: str) -> date | None:
    for pattern in DATE_PATTERNS:
        if match := pattern.search(html):
            return date.fromisoformat(match.group(1))
    return None


@pytest.mark.parametrize(
    ("path", "expected_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/feed.xml", "application/rss+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_text_files_get_the_real_base_url(demo_site: DemoSite, path: str, expected_type: str) -> None:
    status, content_type, body = fetch(demo_site.url(path))
    assert status == 200
    assert content_type == expected_type
    assert PLACEHOLDER not in body
    assert demo_site.base_url in body


def test_base_url_is_local_with_a_real_port(demo_site: DemoSite) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", demo_site.base_url)
    assert not demo_site.base_url.endswith(":0")
    assert demo_site.url("feed.xml") == demo_site.url("/feed.xml") == f"{demo_site.base_url}/feed.xml"


def test_feed_parses_and_lists_every_page(demo_site: DemoSite) -> None:
    parsed = feedparser.parse(fetch(demo_site.url("/feed.xml"))[2])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title.startswith("The Meridian Ledger")
    expected = {demo_site.url(f"/news/{slug}.html") for slug in [*ARTICLES, SYNDICATED, NON_ARTICLE]}
    assert len(parsed.entries) == len(expected) == 11
    assert {entry.link for entry in parsed.entries} == expected
    for entry in parsed.entries:
        assert entry.id == entry.link
        assert entry.title and entry.summary
        assert entry.published_parsed.tm_year == 2025


def test_sitemap_lists_the_articles_and_one_dead_link(demo_site: DemoSite) -> None:
    locs = sitemap_locs(demo_site)
    expected = {demo_site.url(f"/news/{slug}.html") for slug in ARTICLES} | {demo_site.url(DEAD_PATH)}
    assert len(locs) == len(expected) == 10
    assert set(locs) == expected


def test_every_listed_url_is_served_except_the_dead_link(demo_site: DemoSite) -> None:
    dead = demo_site.url(DEAD_PATH)
    urls = set(feed_links(demo_site)) | set(sitemap_locs(demo_site))
    assert dead in urls
    for url in sorted(urls - {dead}):
        status, content_type, body = fetch(url)
        assert (status, content_type) == (200, "text/html; charset=utf-8"), url
        assert PLACEHOLDER not in body
        assert f'<link rel="canonical" href="{url}">' in body, url
    assert fetch(dead)[0] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/../server.py",
        "/news/../../server.py",
        "/%2e%2e/server.py",
        "/news/%2E%2E/%2e%2e/__init__.py",
        "/..%2fserver.py",
    ],
)
def test_path_traversal_is_refused(demo_site: DemoSite, path: str) -> None:
    status, body = raw_status(demo_site, path)
    assert status == 403
    assert b"def serve" not in body and b"__all__" not in body


def test_missing_files_and_directories_are_404_never_listings(demo_site: DemoSite) -> None:
    assert fetch(demo_site.url("/no-such-page.html"))[0] == 404
    status, _, body = fetch(demo_site.url("/news/"))
    assert status == 404
    assert ARTICLES[0] not in body


def test_private_page_is_disallowed_by_robots_and_linked_from_nothing(demo_site: DemoSite) -> None:
    robots = RobotFileParser()
    robots.parse(fetch(demo_site.url("/robots.txt"))[2].splitlines())
    secret = demo_site.url("/private/secret.html")
    assert not robots.can_fetch("wirehouse", secret)
    assert robots.can_fetch("wirehouse", demo_site.url(f"/news/{ARTICLES[0]}.html"))
    assert robots.site_maps() == [demo_site.url("/sitemap.xml")]
    assert fetch(secret)[0] == 200  # served on request: only robots handling keeps a crawler out
    for file in SITE_DIR.rglob("*"):
        if file.is_file() and file.parent.name != "private":
            assert "/private/" not in file.read_text(encoding="utf-8").replace("Disallow: /private/", ""), file


def test_every_article_page_has_a_title_and_a_publication_date() -> None:
    dates = {}
    for slug in [*ARTICLES, SYNDICATED]:
        html = (SITE_DIR / "news" / f"{slug}.html").read_text(encoding="utf-8")
        assert re.search(r"<title>[^<]{10,}</title>", html), slug
        published = page_date(html)
        assert published is not None, f"{slug}: no publication date in the markup"
        assert published.year == 2025, slug
        dates[slug] = published
    assert len(set(dates.values())) == len(dates), "publication days must be distinct"


def test_exactly_one_article_is_not_in_english() -> None:
    languages = {}
    for slug in ARTICLES:
        html = (SITE_DIR / "news" / f"{slug}.html").read_text(encoding="utf-8")
        match = re.search(r'<html\b[^>]*\blang="([a-z]{2})', html)
        assert match, slug
        languages[slug] = match.group(1)
    assert sorted(languages.values()).count("en") == len(ARTICLES) - 1
    assert set(languages.values()) - {"en"} <= {"de", "fr"}


def test_trafilatura_reads_articles_and_rejects_the_link_page() -> None:
    """The properties the pipeline relies on, measured with the cleaner's own extractor."""
    trafilatura = pytest.importorskip("trafilatura")

    def extract(slug: str) -> dict:
        html = (SITE_DIR / "news" / f"{slug}.html").read_text(encoding="utf-8")
        result = trafilatura.extract(html, with_metadata=True, output_format="json", include_comments=False)
        return json.loads(result) if result else {"text": ""}

    for slug in [*ARTICLES, SYNDICATED]:
        extracted = extract(slug)
        html = (SITE_DIR / "news" / f"{slug}.html").read_text(encoding="utf-8")
        assert 350 <= len(extracted["text"].split()) <= 700, slug
        assert extracted["title"] and extracted["title"] in html, slug
        assert extracted["date"] == str(page_date(html)), slug
        assert "Advertisement" not in extracted["text"] and "cookie" not in extracted["text"].lower(), slug
    assert len(extract(NON_ARTICLE)["text"].split()) < 40


def test_serve_a_custom_folder_and_stop(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(f'<a href="{PLACEHOLDER}/a.txt">a</a>', encoding="utf-8")
    (tmp_path / "a.txt").write_text(f"home is {PLACEHOLDER}\n", encoding="utf-8")
    with serve(tmp_path) as site:
        assert fetch(site.url("/"))[2] == f'<a href="{site.base_url}/a.txt">a</a>'
        assert fetch(site.url("/a.txt"))[2] == f"home is {site.base_url}\n"
        url = site.url("/a.txt")
    site.stop()  # a second stop is harmless
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_serve_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        serve(tmp_path / "absent")
