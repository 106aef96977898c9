"""A misbehaving news site on 127.0.0.1: every way a real site goes wrong, in one server.

    with serve_hostile() as site:
        run the pipeline on site.feeds
        for url, expected in site.expected.items(): ...

Three good English articles sit among a page that hangs, one that drips a byte every half
second, a redirect loop, a streamed body larger than any sane cap, a gzip bomb, pages in
windows-1251 and latin-1 labelled UTF-8 (and one not labelled at all), binary bytes labelled
HTML, a route that answers 503 once and then the article, a 404, and a robots.txt with a
wildcard rule (``Disallow: /*?print=``) and a folder rule.  A second feed, the feed bomb, lists
thousands of URLs (most of them dead, some repeated), junk that is not a web URL at all, an
over-long URL, a closed port and the good articles again.

``expected`` says, per discovered URL, how it must end: ``ARTICLE`` or the stage and reason of
its rejection (for a few, any of several reasons: see ``Outcome``).  Every sleep is bounded and
wakes when the server stops; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape

from local_http import LocalServer, redirect, sequence, slow, static, trickle

__all__ = [
    "ARTICLE",
    "GOOD_ARTICLES",
    "HostileSite",
    "Outcome",
    "article_html",
    "serve_hostile",
]

ARTICLE = "article"
MAX_BYTES = 200_000  # the run's WIREHOUSE_MAX_BYTES: the huge body and the bomb pass it many times
N_DEAD = 2000  # distinct dead URLs in the feed bomb (which still fits under MAX_BYTES)
N_REPEATS = 300  # dead URLs listed a second time


@dataclass(frozen=True)
class Outcome:
    """How one URL must end: an article, or a rejection at ``stage`` for one of ``reasons``."""

    stage: str | None
    reasons: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def article(cls) -> Outcome:
        return cls(None, frozenset({ARTICLE}))

    @classmethod
    def rejected(cls, stage: str, *reasons: str) -> Outcome:
        return cls(stage, frozenset(reasons))


GOOD_ARTICLES: dict[str, tuple[str, str, list[str]]] = {
    "/news/good-1.html": (
        "Harbour authority approves new ferry terminal after two years of hearings",
        "2025-09-29",
        [
            "The harbour authority voted on Monday to approve a new ferry terminal on the eastern quay, "
            "ending two years of public hearings in which residents argued over noise, traffic and the "
            "fate of a row of fishermen's sheds that date from the nineteenth century.",
            "The terminal will replace a pier that engineers closed last winter after divers found cracks "
            "in its concrete piles. Commuters have since crossed the bay on a single chartered boat, and "
            "queues at the temporary landing have stretched past the market hall on most mornings.",
            "Board chair Miriam Okafor said the design keeps the sheds and moves the car park inland. "
            "Construction is expected to start in the spring and to cost about forty million euros, "
            "shared between the city, the regional government and a European transport fund.",
        ],
    ),
    "/news/good-2.html": (
        "Drought forces farmers in the southern valley to sell cattle early",
        "2025-09-30",
        [
            "Farmers across the southern valley are selling cattle months ahead of the usual autumn "
            "markets as a third dry summer in a row leaves pastures brown and reservoirs at less than a "
            "fifth of their capacity, the regional farmers' union said on Tuesday.",
            "Auction houses in three market towns reported record numbers of animals and falling prices. "
            "One dealer said buyers from the north had stopped coming because transport costs now exceed "
            "what a young steer fetches, leaving local abattoirs as the only bidders.",
            "The agriculture ministry promised emergency feed subsidies last month, but union leaders "
            "say the money has not arrived. They plan to meet the minister in the capital next week to "
            "ask for a water-sharing plan that would reopen irrigation channels closed since June.",
        ],
    ),
    "/news/good-3.html": (
        "City library reopens with a rooftop reading room and longer hours",
        "2025-10-01",
        [
            "The central library reopened on Wednesday after an eighteen-month renovation that added a "
            "rooftop reading room, a workshop for repairing old books and opening hours that run until ten "
            "at night on weekdays, the city's culture department announced.",
            "More than two thousand people queued along the avenue before the doors opened. Children were "
            "given their first library cards at a desk in the lobby, and a string quartet from the music "
            "school played on the stairs while visitors explored the refurbished galleries.",
            "Head librarian Tomas Lindqvist said the longer hours respond to students who had asked for a "
            "quiet place to work in the evenings. The renovation was paid for by a municipal bond and a "
            "donation from a foundation set up by a local shipping family.",
        ],
    ),
}

FLAKY = (
    "Rail operator restores night trains to the coast after a summer of cancellations",
    "2025-10-02",
    [
        "The national rail operator will run night trains to the coast again from next month, after a "
        "summer in which more than half of the scheduled services were cancelled because of a shortage "
        "of drivers and a dispute over overtime pay, the company told reporters on Thursday.",
        "Passenger groups welcomed the news but said the operator must publish its staffing figures. "
        "Hotels in the resort towns lost bookings in August when travellers could not be sure that a "
        "train would leave at all, and several festivals moved their dates into the autumn.",
        "The transport minister said a new agreement with the drivers' union adds forty trainees a year "
        "and pays a bonus for night shifts. The first sleeper carriages, refurbished in a workshop near "
        "the border, are due back on the line in the second week of November.",
    ],
)

PRIVATE_MEMO = (
    "Editors' memo on the ferry terminal coverage",
    "2025-09-28",
    [
        "This page sits in the private folder that robots.txt closes to crawlers. A crawler that reads it "
        "has ignored the site's rules, and the fault suite counts every request the server sees for it, "
        "so a single fetch of this memo fails the test that checks the robots rules are honoured.",
        "The memo repeats itself so that it is long enough to pass the article filter if it were ever "
        "fetched: the editors ask reporters to check every figure twice, to call the harbour authority "
        "before publishing, and to keep the fishermen's sheds in the story.",
    ],
)

RUSSIAN = (
    "Городской совет утвердил новый бюджет на строительство мостов",
    [
        "Городской совет в понедельник утвердил бюджет на строительство двух новых мостов через реку, "
        "завершив многомесячные споры между депутатами о стоимости проекта и сроках работ. По словам "
        "председателя комиссии по транспорту, работы начнутся весной и продлятся около трёх лет.",
        "Жители северного района давно жалуются на пробки у старой переправы, которую закрывают каждую "
        "зиму из-за льда. Новые мосты должны сократить дорогу до центра города почти вдвое, а "
        "строительство обойдётся городской казне примерно в два миллиарда рублей.",
    ],
)

RUSSIAN_2 = (
    "В северном порту завершилась забастовка докеров",
    [
        "Докеры северного порта в среду проголосовали за прекращение забастовки, которая на две недели "
        "остановила разгрузку контейнерных судов. Профсоюз сообщил, что администрация порта согласилась "
        "повысить зарплату и нанять дополнительных рабочих для ночных смен.",
        "Во время забастовки у причалов скопилось больше тридцати судов, а магазины области жаловались на "
        "нехватку товаров. Руководство порта обещает, что очередь из кораблей исчезнет к концу месяца, "
        "если погода позволит работать круглые сутки.",
    ],
)

FRENCH = (
    "Élection municipale : les électeurs de la vallée appelés aux urnes dimanche",
    [
        "Les électeurs de la vallée sont appelés aux urnes dimanche pour une élection municipale anticipée, "
        "après la démission du maire et de la moitié de son conseil à la suite d'un désaccord sur le "
        "financement d'une nouvelle école et d'un gymnase près de la gare.",
        "Trois listes se présentent. La première promet de rénover le marché couvert, la deuxième veut "
        "réduire les impôts locaux, et la troisième, menée par une infirmière de l'hôpital régional, "
        "défend un réseau de navettes gratuites entre les villages et le centre-ville.",
    ],
)


def article_html(title: str, paragraphs: list[str], date: str | None = None, meta_charset: bool = True) -> str:
    """A plain news page: head with title and date, one <article> of paragraphs."""
    head = '<meta charset="utf-8">' if meta_charset else ""
    if date:
        head += f'<meta property="article:published_time" content="{date}T08:00:00+00:00">'
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head>{head}<title>{escape(title)}</title></head>"
        f"<body><header><a href='/'>The Hostile Herald</a></header>"
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        f"<footer>© The Hostile Herald</footer></body></html>"
    )


def _html_bytes(title: str, date: str | None, paragraphs: list[str]) -> bytes:
    """A story as (title, date, paragraphs), the shape of the tables above, in UTF-8."""
    return article_html(title, paragraphs, date).encode("utf-8")


def _stream(total: int, chunk: int = 64 * 1024):  # type: ignore[no-untyped-def]
    """A body of ``total`` bytes in ``chunk``-sized writes, without Content-Length."""

    def serve(handler) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.end_headers()
        piece = b"<p>" + b"filler " * (chunk // 7) + b"</p>"
        sent = 0
        while sent < total and not handler.owner.stopping.is_set():
            handler.wfile.write(piece)
            sent += len(piece)

    return serve


def _gzip_bomb(inflated: int) -> bytes:
    """A few kilobytes of gzip that inflate to ``inflated`` bytes of HTML."""
    return gzip.compress(b"<html><body><p>" + b"a" * inflated + b"</p></body></html>", compresslevel=9)


def _feed(base: str, title: str, links: list[str]) -> bytes:
    items = "".join(f"<item><link>{escape(link)}</link></item>" for link in links)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{base}/</link><description>hostile</description>{items}"
        "</channel></rss>"
    ).encode()


@dataclass
class HostileSite:
    """The running server, its two feeds, and how each URL the feeds name must end."""

    server: LocalServer
    feed: str
    bomb_feed: str
    expected: dict[str, Outcome]
    junk: list[str]  # feed-bomb links that are no http(s) URL: never discovered, never fetched
    long_url: str  # over MAX_URL_LENGTH: rejected at discovery as invalid_url

    def url(self, path: str) -> str:
        return self.server.url(path)

    @property
    def feeds(self) -> list[str]:
        return [self.feed, self.bomb_feed]


def _routes(server: LocalServer) -> dict[str, Outcome]:
    """Install every route; return the expected outcome per path listed in the main feed."""
    for path, (title, date, paragraphs) in GOOD_ARTICLES.items():
        server.route(path, static(_html_bytes(title, date, paragraphs)))
    server.route("/private/memo.html", static(_html_bytes(*PRIVATE_MEMO)))
    server.route(
        "/robots.txt",
        static(
            b"User-agent: *\nDisallow: /*?print=\nDisallow: /private/\n",
            content_type="text/plain",
        ),
    )
    server.route("/hang.html", slow(60, static(_html_bytes(*PRIVATE_MEMO))))
    server.route("/drip.html", trickle(b"<html><body>" + b"." * 200, 0.5))
    server.route("/loop/a.html", redirect("/loop/b.html"))
    server.route("/loop/b.html", redirect("/loop/a.html"))
    server.route("/huge.html", _stream(40 * MAX_BYTES))
    server.route(
        "/bomb.html",
        static(_gzip_bomb(100 * MAX_BYTES), headers={"Content-Encoding": "gzip"}),
    )
    title, paragraphs = RUSSIAN
    server.route("/cp1251.html", static(article_html(title, paragraphs, "2025-09-27", False).encode("cp1251")))
    server.route(
        "/unlabelled-cp1251.html",
        static(article_html(*RUSSIAN_2, "2025-09-26", False).encode("cp1251"), content_type="text/html"),
    )
    title, paragraphs = FRENCH
    server.route("/latin1.html", static(article_html(title, paragraphs, "2025-09-25", False).encode("latin-1")))
    server.route("/binary.html", static(random.Random(7).randbytes(50_000)))
    server.route(
        "/flaky.html",
        sequence(static(b"busy, try again", status=503, content_type="text/plain"), static(_html_bytes(*FLAKY))),
    )
    return {
        **{path: Outcome.article() for path in GOOD_ARTICLES},
        "/flaky.html": Outcome.article(),
        "/hang.html": Outcome.rejected("fetch", "timeout"),
        "/drip.html": Outcome.rejected("fetch", "timeout"),
        "/loop/a.html": Outcome.rejected("fetch", "too_many_redirects"),
        "/huge.html": Outcome.rejected("fetch", "too_large"),
        "/bomb.html": Outcome.rejected("fetch", "too_large", "bad_encoding"),
        "/binary.html": Outcome.rejected("clean", "no_text", "extract_error", "too_short"),
        "/missing.html": Outcome.rejected("fetch", "http_404"),
        "/private/memo.html": Outcome.rejected("fetch", "robots_disallowed"),
        "/news/good-1.html?print=1": Outcome.rejected("fetch", "robots_disallowed"),
        # mislabelled encodings: readable text (checked by the test) or a recorded reason
        "/cp1251.html": Outcome(None, frozenset({ARTICLE, "bad_encoding", "no_text", "too_short"})),
        "/unlabelled-cp1251.html": Outcome(None, frozenset({ARTICLE, "bad_encoding", "no_text", "too_short"})),
        "/latin1.html": Outcome(None, frozenset({ARTICLE, "bad_encoding", "no_text", "too_short"})),
    }


@contextmanager
def serve_hostile() -> Iterator[HostileSite]:
    """Serve the hostile site until the block ends (every handler thread wakes and returns)."""
    with LocalServer() as server:
        by_path = _routes(server)
        expected = {server.url(path): outcome for path, outcome in by_path.items()}
        dead = [server.url(f"/gone/{i}.html") for i in range(N_DEAD)]
        closed_port = "http://127.0.0.1:1/"
        long_url = server.url("/long/" + "x" * 5000 + ".html")
        junk = [
            "javascript:alert(document.cookie)",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "ftp://127.0.0.1/pub/story.html",
            "mailto:editor@example.invalid",
        ]
        expected.update({url: Outcome.rejected("fetch", "http_404") for url in dead})
        expected[closed_port] = Outcome.rejected("fetch", "connection_error")
        good = [server.url(path) for path in GOOD_ARTICLES]
        bomb = dead + dead[:N_REPEATS] + junk + [closed_port, long_url] + good
        rss = "application/rss+xml"
        server.route(
            "/feed.xml",
            static(_feed(server.url(""), "Hostile Herald", list(expected)[: len(by_path)]), content_type=rss),
        )
        server.route("/feed-bomb.xml", static(_feed(server.url(""), "Feed bomb", bomb), content_type=rss))
        yield HostileSite(server, server.url("/feed.xml"), server.url("/feed-bomb.xml"), expected, junk, long_url)
