"""Statements: every direct quotation and reported statement in an article, with its speaker.

``find_statements`` takes one parsed article with its resolved actors and returns statements
whose speaker is given by actor key (None when the text names no speaker).

- Direct quotes come from the quotation marks (``quotes.find_quotes``: straight, curly, single,
  guillemets, nested, run on over paragraphs); the text is the words inside the marks.  A quote's
  speaker comes from the speech verb that governs it in the parse ("described them as "heroes"",
  ""A," he said"), else from a bare cue right after or before it (""A." Harris said."), else from
  the quote before or after it in the paragraph, the quote it carries on, or the paragraph before.
  A short quote nobody says (a scare quote, a title) is not a statement.
- Reported statements come from speech, cognition and attribution cues on the dependency parse
  (``speech``): the content clause of "said (that)", "accused X of", "described X as", "called
  for", "urged X to", "according to", "X's announcement that" ...; a report whose content is all
  inside quotation marks is the direct quote only, and one nested in a report of the same speaker
  ("he said he thinks ...") or said in the first person inside a quote is not told twice.
- Speakers resolve to the article's actors through mentions, pronouns and descriptions
  (``speech_speakers``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.mentions import article_resolver
from extract.nlp.quotes import Quote, find_quotes, paragraphs
from extract.nlp.speech import (
    CONTENT_DEPS,
    FIRST_PERSON,
    Lexicon,
    Range,
    according_source,
    clause_head,
    content_of,
    inverted_content,
    is_attribution_phrase,
    lexicon,
    noun_cue_parts,
    parenthetical_content,
    subject_of,
    verb_cue,
)
from extract.nlp.speech_speakers import SpeakerResolver

__all__ = ["Statement", "find_statements"]

MIN_UNATTRIBUTED_WORDS = 4  # a quote nobody is said to say must be at least this long to count
MIN_REPORTED_WORDS = 2
# how a quote may hang from the speech verb that governs it (not as its subject, nor a time phrase)
GOVERNED_DEPS = {
    "ccomp",
    "xcomp",
    "dobj",
    "obj",
    "oprd",
    "attr",
    "acomp",
    "advcl",
    "parataxis",
    "dep",
    "acl",
    "relcl",
    "appos",
    "npadvmod",
}
GOVERNED_PREPS = {"as", "of", "for", "about", "on", "with", "to"}
MAX_CLIMB = 12
# verbs of thinking, not of saying: what they govern is a belief, so a scare quote inside it is no one's words
COGNITION = {"believe", "think", "feel", "fear", "hope", "expect", "worry", "doubt", "reckon", "recognize", "recognise"}


@dataclass(frozen=True)
class Statement:
    text: str  # direct: the words inside the marks, == doc.text[start:end]; reported: the content clause
    mode: str  # "direct" | "reported"
    start: int  # character offsets into the article's clean text
    end: int
    sentence_index: int
    speaker_key: str | None = None  # an Actor.key from find_actors, or None
    cue: str | None = None  # said, told, according to, ...
    speaker_text: str | None = None  # the words naming the speaker ("he", "the ministry"), when found
    cue_start: int | None = None  # character offset of the cue word ("said"), when there is one


@dataclass
class _Attribution:
    cue: str | None
    speakers: list[str | None]
    speaker_text: str | None = None
    first_person: bool = False
    cue_start: int | None = None


@dataclass
class _Reported:
    statement: Statement
    cue_token: int
    content: Range  # first and last token of the content
    has_subject: bool = True


@dataclass
class _Article:
    doc: Any
    text: str
    lex: Lexicon
    quotes: list[Quote]
    paragraph_spans: list[tuple[int, int]]
    token_starts: list[int]
    paragraph_of: list[int]  # token -> paragraph number (-1 for tokens between paragraphs)
    quote_of: list[int]  # token -> outermost quote holding it (marks included), -1 outside
    inner_of: list[int]  # token -> innermost quote holding it, -1 outside
    sentence_starts: list[int]  # character offset of each of the parser's sentences
    sentence_start: list[int]  # token -> first token of its sentence
    sentence_end: list[int]  # token -> first token after its sentence
    paragraph_tokens: list[Range]  # paragraph -> its first and last token
    words_before: list[int]  # token -> how many words (not punctuation) come before it
    resolver: SpeakerResolver = field(repr=False)

    def token_at(self, char: int) -> int:
        """Index of the token holding character ``char`` (or the last one before it)."""
        return max(0, bisect.bisect_right(self.token_starts, char) - 1)

    def sentence_index(self, char: int) -> int:
        """Index of the parser's sentence holding ``char`` (the numbering of the sentences table)."""
        return bisect.bisect_right(self.sentence_starts, char) - 1


def find_statements(doc: Any, actors: list[Actor], mentions: list[Mention]) -> list[Statement]:
    """The direct quotes and reported statements of one parsed article, in text order."""
    if len(doc) == 0:
        return []
    article = _article(doc, actors, mentions)
    reported = _reported_statements(article)
    direct = _direct_statements(article, reported)
    statements = direct + reported
    statements.sort(key=lambda s: (s.start, s.end, s.mode, s.speaker_key or ""))
    return statements


def _article(doc: Any, actors: list[Actor], mentions: list[Mention]) -> _Article:
    text = doc.text
    spans = paragraphs(text)
    columns = doc.to_array(["IDX", "IS_ALPHA", "LIKE_NUM"]).tolist()  # no Token objects: long texts stay quick
    token_starts = [row[0] for row in columns]
    paragraph_of = []
    k = 0
    for start in token_starts:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        paragraph_of.append(k if k < len(spans) and spans[k][0] <= start else -1)
    quotes = find_quotes(text)
    quote_of, inner_of = [-1] * len(doc), [-1] * len(doc)
    for index, quote in enumerate(quotes):
        first = bisect.bisect_left(token_starts, quote.open_at)
        last = bisect.bisect_left(token_starts, quote.outer_end)
        for i in range(first, last):
            inner_of[i] = index
            if quote_of[i] == -1:
                quote_of[i] = index
    lex = lexicon()
    sentences = list(doc.sents)
    resolver = article_resolver(doc, actors, mentions)  # the one the event roles use too
    sentence_starts = [sent.start_char for sent in sentences]
    sentence_end = [0] * len(doc)  # token -> first token after its sentence
    sentence_start = [0] * len(doc)
    for sent in sentences:
        for i in range(sent.start, sent.end):
            sentence_start[i], sentence_end[i] = sent.start, sent.end
    paragraph_tokens = [(len(doc), -1)] * len(spans)
    words_before = [0] * (len(doc) + 1)
    for i, (_, alpha, number) in enumerate(columns):
        k = paragraph_of[i]
        if k != -1:
            paragraph_tokens[k] = (min(paragraph_tokens[k][0], i), i)
        words_before[i + 1] = words_before[i] + (1 if alpha or number else 0)
    return _Article(
        doc,
        text,
        lex,
        quotes,
        spans,
        token_starts,
        paragraph_of,
        quote_of,
        inner_of,
        sentence_starts,
        sentence_start,
        sentence_end,
        paragraph_tokens,
        words_before,
        resolver,
    )


# -- speakers --------------------------------------------------------------------------------


def _speakers(article: _Article, subject: Any) -> _Attribution:
    """Every actor a subject names (one per conjunct: "Vindman and Williams said")."""
    if subject is None:
        return _Attribution(None, [None])
    if subject.lower_ in FIRST_PERSON:
        return _Attribution(None, [None], subject.text, first_person=True)
    keys: list[str | None] = []
    for token in [subject, *subject.conjuncts]:
        key = article.resolver.actor_of(token)
        if key not in keys:
            keys.append(key)
    if len(keys) > 1 and None in keys:
        keys.remove(None)
    words = article.doc[subject.left_edge.i : subject.right_edge.i + 1]
    return _Attribution(None, keys, words.text if len(words) <= 12 else subject.text)


def _cue_attribution(article: _Article, token: Any) -> _Attribution | None:
    """The attribution a cue word gives: a speech verb, a speech noun with its owner, "according to"."""
    cue = verb_cue(token, article.lex)
    if cue is not None:
        attribution = _speakers(article, subject_of(token))
        attribution.cue = cue[0]
    elif (parts := noun_cue_parts(token, article.lex)) is not None:
        attribution = _speakers(article, parts[0])
        attribution.cue = token.lemma_.lower()
    elif is_attribution_phrase(token, article.lex):
        attribution = _speakers(article, according_source(token))
        attribution.cue = f"{token.lower_} {token.nbor(1).lower_}"
    else:
        return None
    attribution.cue_start = token.idx
    return attribution


# -- direct quotes ---------------------------------------------------------------------------


def _quote_tokens(article: _Article, quote: Quote) -> range:
    first = bisect.bisect_left(article.token_starts, quote.start)
    last = bisect.bisect_left(article.token_starts, quote.end)
    return range(first, last)


def _region(article: _Article, quote: Quote) -> tuple[int, int]:
    """Characters a quote's attribution may come from: its paragraph, or the quote around it."""
    if quote.parent is not None:
        parent = article.quotes[quote.parent]
        return parent.start, parent.end
    return article.paragraph_spans[quote.paragraph]


def _governing(article: _Article, quote: Quote, tokens: range) -> _Attribution | None:
    """The attribution of the speech word that governs the quote in the parse."""
    doc = article.doc
    lo, hi = _region(article, quote)
    inside = range(quote.open_at, quote.outer_end)
    best: tuple[int, _Attribution] | None = None
    for i in tokens:
        token = doc[i]
        if token.is_punct or token.is_space or (token.head.idx in inside and token.head.i != token.i):
            continue
        node, steps = token, 0
        while node.head.i != node.i and steps < MAX_CLIMB:
            child, node = node, node.head
            steps += 1
            if not lo <= node.idx < hi:
                break
            if node.idx in inside:
                continue
            if not _governed(child):
                continue
            attribution = _cue_attribution(article, node)
            if attribution is not None and attribution.cue in COGNITION and not _sentence_like(article, quote):
                break  # "X believes the 'skinny' plan ...": a word in marks inside a belief is nobody's quote
            if attribution is not None:
                if best is None or steps < best[0]:
                    best = (steps, attribution)
                break
    return best[1] if best else None


def _governed(child: Any) -> bool:
    if child.dep_ == "prep":
        return child.lower_ in GOVERNED_PREPS
    if child.dep_ == "pcomp":
        return True
    return child.dep_ in GOVERNED_DEPS


def _bare_cue(article: _Article, token: Any, quote: Quote) -> _Attribution | None:
    """A cue with nothing of its own to report ("Harris said.", "she added,"): it reports the quote."""
    inside = range(quote.open_at, quote.outer_end)
    if (cue := verb_cue(token, article.lex)) is not None:
        own = [
            c
            for c in token.children
            if c.dep_ in CONTENT_DEPS
            and c.idx not in inside
            and not c.is_punct
            and article.quote_of[c.i] == -1
            and not _addressee(c, cue[1])
        ]
        if own:
            return None
    return _cue_attribution(article, token)


def _addressee(child: Any, frames: tuple[str, ...]) -> bool:
    """Whether a cue's object is the one spoken to, not what is said: a pronoun ("he told them",
    "she assured herself"), or any object of a verb whose only object frame is the addressee of an
    infinitive ("he told reporters", "she urged voters")."""
    if child.dep_ not in ("dobj", "obj"):
        return False
    if child.pos_ == "PRON":
        return True
    return not any(frame.startswith("obj") and frame != "obj+to" for frame in frames)


def _adjacent(article: _Article, index: int, quote: Quote) -> _Attribution | None:
    """A bare cue in the words right after the quote, else right before it (same paragraph)."""
    doc = article.doc
    lo, hi = _region(article, quote)
    after_limit = hi
    for k in range(index + 1, len(article.quotes)):  # the next quote that is not inside this one
        if article.quotes[k].open_at >= quote.outer_end:  # (indexed, not sliced: a quote storm stays linear)
            after_limit = min(hi, article.quotes[k].open_at)
            break
    before_limit = lo
    for k in range(index - 1, -1, -1):  # the closest quote before it that is not around it
        if article.quotes[k].outer_end <= quote.open_at:
            before_limit = max(lo, article.quotes[k].outer_end)
            break
    if quote.close_at is not None:
        first = bisect.bisect_left(article.token_starts, quote.outer_end)
        if first < len(doc) and doc[first].idx < after_limit:
            for i in range(first, article.sentence_end[first]):
                token = doc[i]
                if token.idx >= after_limit:
                    break
                attribution = _bare_cue(article, token, quote)
                if attribution is not None:
                    return attribution
    last = bisect.bisect_left(article.token_starts, quote.open_at) - 1
    if last >= 0 and doc[last].idx >= before_limit:
        for i in range(last, article.sentence_start[last] - 1, -1):
            token = doc[i]
            if token.idx < before_limit:
                break
            attribution = _bare_cue(article, token, quote)
            if attribution is not None:
                return attribution
    return None


def _is_title_like(words: list[str]) -> bool:
    return len(words) > 1 and all(w[:1].isupper() for w in words if w[:1].isalpha() and len(w) > 3)


def _direct_statements(article: _Article, reported: list[Statement]) -> list[Statement]:
    quotes, text = article.quotes, article.text
    attributions: list[_Attribution | None] = []
    for index, quote in enumerate(quotes):
        tokens = _quote_tokens(article, quote)
        attribution = _governing(article, quote, tokens) or _adjacent(article, index, quote)
        attributions.append(attribution)
    _inherit(article, attributions)
    _carry_reported(article, attributions, reported)
    statements: list[Statement] = []
    for index, quote in enumerate(quotes):
        attribution = attributions[index]
        words = text[quote.start : quote.end].split()
        if not any(c.isalnum() for c in text[quote.start : quote.end]):
            continue
        if attribution is not None and attribution.first_person:
            if quote.parent is not None:
                continue  # "I said, 'X'" inside the speaker's own quote: the outer quote has the words
            attribution = _Attribution(
                attribution.cue, [None], attribution.speaker_text, cue_start=attribution.cue_start
            )
        if attribution is None:
            if len(words) < MIN_UNATTRIBUTED_WORDS or _is_title_like(words):
                continue  # a scare quote or a title
            attribution = _Attribution(None, [None])
        for key in attribution.speakers:
            statements.append(
                Statement(
                    text[quote.start : quote.end],
                    "direct",
                    quote.start,
                    quote.end,
                    article.sentence_index(quote.start),
                    key,
                    attribution.cue,
                    attribution.speaker_text,
                    attribution.cue_start,
                )
            )
    return statements


def _inherit(article: _Article, attributions: list[_Attribution | None]) -> None:
    """Quotes with no cue of their own take their speaker from the quotes around them."""
    quotes = article.quotes
    # a quote run on over paragraphs is one speaker's
    for index, quote in enumerate(quotes):
        if quote.continues is not None:
            chain = [quote.continues, index]
            known = next((attributions[k] for k in chain if attributions[k] is not None), None)
            for k in chain:
                if attributions[k] is None:
                    attributions[k] = known
    for index in range(len(quotes) - 1, -1, -1):  # carry the last link's speaker back up the chain
        previous = quotes[index].continues
        if previous is not None and attributions[previous] is None:
            attributions[previous] = attributions[index]
    by_paragraph: dict[int, list[int]] = {}
    for index, quote in enumerate(quotes):
        if quote.parent is None:
            by_paragraph.setdefault(quote.paragraph, []).append(index)
    for paragraph, members in sorted(by_paragraph.items()):
        letters = _letter_bounds(article.text, *article.paragraph_spans[paragraph])
        own = [attributions[k] for k in members]  # before any inheritance
        following: list[_Attribution | None] = [None] * len(members)
        for position in range(len(members) - 2, -1, -1):
            following[position] = own[position + 1] or following[position + 1]
        previous: _Attribution | None = None
        for position, index in enumerate(members):
            if own[position] is not None:
                previous = own[position]
                continue
            if not _sentence_like(article, quotes[index]):
                continue  # a word or two in quotation marks with no cue of its own: a scare quote
            if previous is not None:
                attributions[index] = previous
            elif following[position] is not None:
                attributions[index] = following[position]
            elif paragraph - 1 in by_paragraph and _fills_paragraph(quotes[index], letters):
                last = by_paragraph[paragraph - 1][-1]
                attributions[index] = attributions[last]


def _carry_reported(article: _Article, attributions: list[_Attribution | None], reported: list[Statement]) -> None:
    """A quote with no speaker yet takes the speaker of the report just before it: in its own
    paragraph ("The plan is late, she said. "We will catch up.""), or, for a paragraph that is all
    quote, at the end of a paragraph before it that has no quotes of its own."""
    quotes = article.quotes
    told = [
        s
        for s in reported
        if s.speaker_key is not None
        and s.cue_start is not None
        and article.quote_of[article.token_at(s.cue_start)] == -1
        and article.paragraph_of[article.token_at(s.cue_start)] != -1
    ]
    if not told:
        return
    told.sort(key=lambda s: max(s.cue_start or 0, s.end))
    ends = [max(s.cue_start or 0, s.end) for s in told]
    quoted_paragraphs = {q.paragraph for q in quotes}
    for index, quote in enumerate(quotes):
        if attributions[index] is not None or quote.parent is not None or quote.continues is not None:
            continue
        if not _sentence_like(article, quote):
            continue
        k = bisect.bisect_right(ends, quote.open_at) - 1
        if k < 0:
            continue
        report = told[k]
        paragraph = article.paragraph_of[article.token_at(report.cue_start or report.start)]
        between = index > 0 and quotes[index - 1].outer_end > ends[k]  # another quote came after the report
        if between:
            continue
        if paragraph != quote.paragraph:
            letters = _letter_bounds(article.text, *article.paragraph_spans[quote.paragraph])
            if paragraph != quote.paragraph - 1 or paragraph in quoted_paragraphs:
                continue
            if not _fills_paragraph(quote, letters):
                continue
        if k > 0 and told[k - 1].cue_start == report.cue_start and told[k - 1].speaker_key != report.speaker_key:
            continue  # "A and B said ...": whose words follow is not clear
        attributions[index] = _Attribution(
            report.cue, [report.speaker_key], report.speaker_text, cue_start=report.cue_start
        )


def _sentence_like(article: _Article, quote: Quote) -> bool:
    words = article.text[quote.start : quote.end].split()
    return len(words) >= MIN_UNATTRIBUTED_WORDS or article.text[quote.end - 1] in ".?!"


def _letter_bounds(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Offsets of the first and last letter in ``text[lo:hi]`` (``(hi, lo - 1)`` when none).

    Found once per paragraph, so asking of each of a paragraph's quotes whether it fills the
    paragraph costs nothing per quote (it copied the paragraph each time: quadratic in a storm).
    """
    first = next((i for i in range(lo, hi) if text[i].isalpha()), hi)
    last = next((i for i in range(hi - 1, first - 1, -1) if text[i].isalpha()), lo - 1)
    return first, last


def _fills_paragraph(quote: Quote, letters: tuple[int, int]) -> bool:
    """Whether the quote holds every letter of its paragraph (``letters``: its ``_letter_bounds``)."""
    first, last = letters
    return first >= quote.open_at and last < quote.outer_end


# -- reported speech -------------------------------------------------------------------------


def _clip(article: _Article, first: int, last: int, paragraph: int) -> Range | None:
    """A content's tokens kept to one paragraph and trimmed of punctuation and a leading "that"."""
    doc = article.doc
    first = max(first, article.paragraph_tokens[paragraph][0])
    last = min(last, article.paragraph_tokens[paragraph][1])
    while first <= last and (
        doc[first].is_punct or doc[first].is_space or (doc[first].dep_ == "mark" and doc[first].lower_ == "that")
    ):
        first += 1
    while last >= first and (doc[last].is_space or (doc[last].is_punct and not _closes_inside(article, last, first))):
        last -= 1
    if last < first:
        return None
    return first, last


def _closes_inside(article: _Article, index: int, first: int) -> bool:
    """Whether the token at ``index`` is a closing quotation mark of a quote opened at or after ``first``."""
    quote = article.inner_of[index]
    if quote == -1:
        return False
    q = article.quotes[quote]
    return q.close_at is not None and article.doc[index].idx == q.close_at and q.open_at >= article.doc[first].idx


def _span_text(article: _Article, first: int, last: int) -> tuple[int, int]:
    doc = article.doc
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _word_count(article: _Article, first: int, last: int) -> int:
    return article.words_before[last + 1] - article.words_before[first]


def _within_other_quote(article: _Article, start: int, end: int, cue: int) -> bool:
    """Whether the content lies inside one quotation the cue is not part of (then it is direct)."""
    cue_quote = article.inner_of[cue]
    for index in {article.inner_of[article.token_at(start)], article.quote_of[article.token_at(start)]}:
        if index == -1 or index == cue_quote:
            continue
        quote = article.quotes[index]
        if quote.open_at <= start and end <= quote.outer_end:
            return True
    return False


def _reported_statements(article: _Article) -> list[Statement]:
    doc, lex = article.doc, article.lex
    found: list[_Reported] = []
    for token in doc:
        paragraph = article.paragraph_of[token.i]
        if paragraph == -1:
            continue
        content: Range | None = None
        cut = (token.i, token.i)  # the cue's own words, which the content never spans
        cue = verb_cue(token, lex)
        if cue is not None:
            got = content_of(token, cue[1])
            if got is not None:
                content, cue_name = got
            elif "clause" in cue[1]:
                content, cue_name = inverted_content(token), cue[0]
                if content is None and (aside := parenthetical_content(token)) is not None:
                    content, cut = aside  # "A, she said, B"
            subject = subject_of(token)
        elif is_attribution_phrase(token, lex):
            subject = according_source(token)
            cue_name = f"{token.lower_} {token.nbor(1).lower_}"
            content, cut = _according_content(article, token)
        else:
            parts = noun_cue_parts(token, lex)
            if parts is None:
                continue
            subject, clause = parts
            content = (clause.left_edge.i, clause.right_edge.i)
            cue_name = token.lemma_.lower()
        if content is None or (subject is not None and subject.lower_ in FIRST_PERSON):
            continue  # nothing reported; or the author, or a quoted speaker whose quote has these words
        if any(child.dep_ == "neg" for child in token.children):
            continue  # "did not say whether ...": nothing was said
        pieces = _pieces(article, content, cut, paragraph, token.i)
        if not pieces:
            continue
        start, end = _span_text(article, pieces[0][0], pieces[-1][1])
        text = " ".join(article.text[slice(*_span_text(article, a, b))] for a, b in pieces)
        attribution = _speakers(article, subject)
        for key in attribution.speakers:
            statement = Statement(
                text,
                "reported",
                start,
                end,
                article.sentence_index(start),
                key,
                cue_name,
                attribution.speaker_text,
                token.idx,
            )
            found.append(_Reported(statement, token.i, (pieces[0][0], pieces[-1][1]), subject is not None))
    return _without_repeats(found)


def _pieces(article: _Article, content: Range, cut: Range, paragraph: int, cue: int) -> list[Range]:
    """The content as one or two runs of tokens around the cue's own words ("A, X said, B"),
    each kept to the cue's paragraph; a run that is all inside quotation marks is left to the
    direct quote, and a run of a word or two beside a longer one is dropped."""
    pieces = []
    for first, last in ((content[0], min(content[1], cut[0] - 1)), (max(content[0], cut[1] + 1), content[1])):
        clipped = _clip(article, first, last, paragraph) if first <= last else None
        if clipped is None or _word_count(article, *clipped) < MIN_REPORTED_WORDS:
            continue
        if _within_other_quote(article, *_span_text(article, *clipped), cue):
            continue
        pieces.append(clipped)
    if len(pieces) == 2 and min(_word_count(article, *p) for p in pieces) < 3:
        pieces = [max(pieces, key=lambda p: _word_count(article, *p))]
    return pieces


def _according_content(article: _Article, token: Any) -> tuple[Range | None, Range]:
    """The clause "according to X" attributes, and the phrase's own tokens."""
    doc = article.doc
    head = clause_head(token)
    following = doc[token.i + 1]
    cut = (min(token.left_edge.i, following.left_edge.i), max(token.right_edge.i, following.right_edge.i))
    node = head
    for _ in range(12):  # a report already ("X said ..., according to Y"): Y is the channel, not a new statement
        cue = verb_cue(node, article.lex)
        if cue is not None and content_of(node, cue[1]) is not None:
            return None, cut
        if node.head.i == node.i:
            break
        node = node.head
    if cut[0] <= head.i <= cut[1]:
        return None, cut
    return (head.left_edge.i, head.right_edge.i), cut


def _without_repeats(found: list[_Reported]) -> list[Statement]:
    """Drop a report nested in the content of another report by the same speaker ("he said he
    thinks ...") or by nobody named (a cue with no subject of its own is part of the content around
    it), and exact repeats."""
    everyone = _Containment(found, range(len(found)))
    by_speaker: dict[str, list[int]] = {}
    for n, item in enumerate(found):
        if item.statement.speaker_key is not None:
            by_speaker.setdefault(item.statement.speaker_key, []).append(n)
    per_speaker = {key: _Containment(found, members) for key, members in by_speaker.items()}
    kept: list[Statement] = []
    seen: set[tuple[int, int, str | None]] = set()
    for n, item in enumerate(found):
        s = item.statement
        if not item.has_subject:
            nested = everyone.holds(item.cue_token, n)
        else:
            nested = s.speaker_key is not None and per_speaker[s.speaker_key].holds(item.cue_token, n)
        key = (s.start, s.end, s.speaker_key)
        if nested or key in seen:
            continue
        seen.add(key)
        kept.append(s)
    return kept


class _Containment:
    """Which contents hold a token: contents sorted by start, with the two furthest ends so far."""

    def __init__(self, found: list[_Reported], members: Iterable[int]) -> None:
        order = sorted(members, key=lambda n: found[n].content[0])
        self.starts = [found[n].content[0] for n in order]
        self.best: list[tuple[tuple[int, int], tuple[int, int]]] = []
        first, second = (-1, -1), (-1, -1)  # (end, member)
        for n in order:
            end = found[n].content[1]
            if end > first[0]:
                first, second = (end, n), first
            elif end > second[0]:
                second = (end, n)
            self.best.append((first, second))

    def holds(self, token: int, member: int) -> bool:
        """Whether a content other than ``member``'s spans ``token``."""
        k = bisect.bisect_right(self.starts, token) - 1
        if k < 0:
            return False
        first, second = self.best[k]
        return (first if first[1] != member else second)[0] >= token
