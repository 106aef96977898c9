"""clean_page on real pages and on hostile input: every page gives an article or a reason."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from extract.clean import Article, clean_page
from extract.records import Rejection

PARAGRAPH = (
    "The finance ministers of the two countries met in Geneva on Tuesday to discuss a new trade "
    "agreement, officials said, after months of stalled negotiations over tariffs on steel. "
)
STORY = [
    PARAGRAPH,
    "Delegations from both capitals arrived late on Monday, and the first session ran past midnight.",
    "A spokesman for the commerce ministry said the talks had been constructive but difficult.",
    "Exporters have complained for a year that the duties made their shipments uncompetitive abroad.",
    "Opposition lawmakers accused the government of conceding too much before the meeting began.",
    "Analysts expect a framework document to be signed before the end of the summer recess.",
    "Farm groups staged a small protest outside the conference centre, carrying banners and flags.",
    "The next round of negotiations is scheduled for September in the northern port city.",
]


def _page(body: str, lang: str = "en", head: str = "") -> str:
    return (
        f"<html lang='{lang}'><head><title>Talks resume</title>{head}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Talks resume</h1>"
        f"{body}</article><footer>Copyright 2025 Example News</footer></body></html>"
    )


def _clean(html: str | bytes, settings, content_type: str = "text/html; charset=utf-8"):
    body = html.encode("utf-8") if isinstance(html, str) else html
    return clean_page(
        body,
        url="https://news.example.org/a.html",
        source_id="s1",
        content_type=content_type,
        fetched_at="2025-01-01T00:00:00",
        settings=settings,
    )


def test_article_text_and_metadata(settings) -> None:
    html = _page(
        "".join(f"<p>{p}</p>" for p in STORY[:3]),
        head="<meta property='article:published_time' content='2025-03-04T10:00:00+02:00'>"
        "<meta name='author' content='Ana Ruiz'>",
    )
    article = _clean(html, settings)
    assert isinstance(article, Article)
    assert "finance ministers" in article.text and "Copyright" not in article.text
    assert article.published_at == "2025-03-04T08:00:00"  # stored in UTC
    assert article.author == "Ana Ruiz"
    assert article.language == "en"
    assert article.n_words > 40
    assert article.article_id == _clean(html, settings).article_id  # stable


def test_too_short_page_is_rejected_with_reason(settings) -> None:
    outcome = _clean(_page("<p>Subscribe to our newsletter.</p>"), settings)
    assert isinstance(outcome, Rejection)
    assert outcome.stage == "clean" and outcome.reason in {"too_short", "no_text"}


def test_empty_and_garbage_bodies_are_rejected_not_raised(settings) -> None:
    for body in (b"", b"\x00\xff\xfe garbage \x89PNG", b"<html><body></body></html>", b"<<<<>>>>" * 1000):
        outcome = _clean(body, settings)
        assert isinstance(outcome, Rejection), body[:20]


def test_broken_markup_still_yields_text(settings) -> None:
    html = "<html><body><div><p>" + "</div><p>".join([PARAGRAPH] * 4) + "<table><tr><td>unclosed"
    outcome = _clean(html, settings)
    assert isinstance(outcome, Article)
    assert "trade agreement" in outcome.text


def test_declared_charset_is_honoured(settings) -> None:
    text = "La ministre française a déclaré que les négociations reprendront à Genève. " * 8
    html = _page(f"<p>{text}</p>", lang="fr").encode("latin-1")
    outcome = _clean(html, settings, content_type="text/html; charset=ISO-8859-1")
    assert isinstance(outcome, Article)
    assert "française" in outcome.text and "déclaré" in outcome.text
    assert outcome.language == "fr"


def test_language_comes_from_the_text_not_the_page_claim(settings) -> None:
    german = (
        "Die Außenminister beider Länder trafen sich am Dienstag in Genf, um über ein neues "
        "Handelsabkommen zu beraten, teilte das Ministerium mit. "
    ) * 5
    outcome = _clean(_page(f"<p>{german}</p>", lang="en"), settings)
    assert isinstance(outcome, Article)
    assert outcome.language == "de"


def test_near_copies_have_close_fingerprints(settings) -> None:
    body = "".join(f"<p>{p}</p>" for p in STORY)
    first = _clean(_page(body), settings)
    second = _clean(_page(body.replace("late on Monday", "late on Sunday evening")), settings)
    other = _clean(_page(body.replace(PARAGRAPH, "").replace("e", "a")), settings)
    assert bin(first.simhash ^ second.simhash).count("1") <= settings.near_duplicate_bits
    assert bin(first.simhash ^ other.simhash).count("1") > settings.near_duplicate_bits
    assert first.text_sha256 != second.text_sha256


def test_near_pairs_finds_exactly_the_hashes_within_the_bit_budget() -> None:
    import numpy as np

    from extract.fingerprint import near_pairs

    rng = np.random.default_rng(3)
    left = rng.integers(0, 2**63, size=300, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, 300, dtype=np.uint64)
    flips = [np.uint64(1) << np.uint64(b) for b in range(64)]
    right = np.array(
        [h ^ flips[k % 64] ^ flips[(k * 7 + 1) % 64] for k, h in enumerate(left[:50])]
        + list(rng.integers(0, 2**63, size=250, dtype=np.uint64)),
        dtype=np.uint64,
    )
    brute = sorted(
        (i, j)
        for i in range(len(left))
        for j in range(len(right))
        if bin(int(left[i]) ^ int(right[j])).count("1") <= 12
    )
    for block in (1 << 22, 1000, 1):  # one pass, row blocks, one row at a time
        assert near_pairs(left, right, 12, block=block).tolist() == [list(pair) for pair in brute]
    assert {(k, k) for k in range(50)} <= set(brute)  # the planted two-bit neighbours
    assert near_pairs(left, right[:0], 12).shape == (0, 2)


def test_shingle_keys_give_the_jaccard_of_the_shingles() -> None:
    from extract.fingerprint import jaccard, shingle_keys

    text = "Officials in Kyiv said the convoy reached the city on Monday after two days on the road."
    edited = text.replace("two days", "three days").replace("Monday", "Sunday")
    for a, b in ((text, edited), (text, text), ("Too short", "too short"), (text, "Nothing alike at all here.")):
        assert jaccard(shingle_keys(a), shingle_keys(b)) == jaccard(a, b)


def test_real_pages_in_many_languages_give_their_article(settings, shared: Path) -> None:
    folder = shared / "corpus" / "scrapinghub"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    articles, languages = 0, set()
    for page_id, entry in list(truth.items())[:60]:
        body = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        outcome = clean_page(
            body,
            url=entry["url"],
            source_id="corpus",
            content_type=None,
            fetched_at="2025-01-01T00:00:00",
            settings=settings,
        )
        if isinstance(outcome, Article):
            articles += 1
            languages.add(outcome.language)
            first_words = " ".join(entry["articleBody"].split()[:6])
            assert outcome.text.split() and (
                first_words[:20] in " ".join(outcome.text.split()) or outcome.n_words > 40
            ), page_id
    assert articles >= 55
    assert {"en"} < languages  # non-English pages are kept and labelled, not mangled


def test_publication_times_without_an_offset_are_kept() -> None:
    from extract.clean import _utc_iso

    assert _utc_iso("2018-10-09T00:00:00") == "2018-10-09T00:00:00"
    assert _utc_iso("2025-03-04T10:00:00+0200") == "2025-03-04T08:00:00"
    assert _utc_iso("2025-03-04") == "2025-03-04T00:00:00"
    assert _utc_iso("March 4") is None
