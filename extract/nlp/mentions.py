"""One way from a token to an actor: the article's coreference, built once and shared by every layer.

``article_resolver`` builds the ``speech_speakers.SpeakerResolver`` of one parsed article (the
actor layer's mentions, proper names that spell an actor, pronouns resolved by recency,
prominence and gender, definite descriptions such as "the ministry" or "the president") and
keeps it on the parse, so the statement layer's speakers and the event coder's roles read the
same answers instead of keeping two sets of rules.  The quotation and paragraph maps it needs
are pure string work on the text (``quotes``), computed here once.
"""

from __future__ import annotations

import bisect
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.quotes import find_quotes, paragraphs
from extract.nlp.speech import lexicon
from extract.nlp.speech_speakers import SpeakerResolver

__all__ = ["article_resolver", "quote_and_paragraph_maps"]

_CACHE = "wirehouse_resolver"  # key in Doc.user_data


def quote_and_paragraph_maps(doc: Any) -> tuple[list[int], list[int]]:
    """(token -> outermost quote holding it or -1, token -> paragraph number or -1 between paragraphs)."""
    text = doc.text
    token_starts = [row[0] for row in doc.to_array(["IDX"]).reshape(-1, 1).tolist()] if len(doc) else []
    spans = paragraphs(text)
    paragraph_of: list[int] = []
    k = 0
    for start in token_starts:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        paragraph_of.append(k if k < len(spans) and spans[k][0] <= start else -1)
    quote_of = [-1] * len(doc)
    for index, quote in enumerate(find_quotes(text)):
        first = bisect.bisect_left(token_starts, quote.open_at)
        last = bisect.bisect_left(token_starts, quote.outer_end)
        for i in range(first, last):
            if quote_of[i] == -1:
                quote_of[i] = index
    return quote_of, paragraph_of


def article_resolver(doc: Any, actors: list[Actor], mentions: list[Mention]) -> SpeakerResolver:
    """The resolver of this parse and these actors: built on first use, then the same object."""
    cached = doc.user_data.get(_CACHE)
    if cached is not None and cached[0] is actors and cached[1] is mentions:
        return cached[2]
    quote_of, paragraph_of = quote_and_paragraph_maps(doc)
    resolver = SpeakerResolver(doc, list(doc.sents), actors, mentions, quote_of, paragraph_of, lexicon())
    doc.user_data[_CACHE] = (actors, mentions, resolver)
    return resolver
