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
from dataclasses import dataclass, field
from typing import Any

from extract.nlp.actors import Actor, Mention
from extract.nlp.quotes import Quote, find_quotes, paragraphs
from extract.nlp.speech import (
    CONTENT_DEPS,
    FIRST_PERSON,
    Lexicon,
    according_source,
    clause_head,
    content_of,
    inverted_content,
    is_attribution_phrase,
    lexicon,
    noun_cue_parts,
    subject_of,
    verb_cue,
)
from extract.nlp.speech_speakers import SpeakerResolver

__all__ = ["Statement", "find_statements"]

MIN_UNATTRIBUTED_WORDS = 4  # a quote nobody is said to say must be at least this long to count
MIN_REPORTED_WORDS = 2
# how a quote may hang from the speech verb that governs it (not as its subject, nor a time phrase)
GOVERNED_DEPS = {"ccomp", "xcomp", "dobj", "obj", "oprd", "attr", "acomp", "advcl", "parataxis", "dep", "acl",
                 "relcl", "appos", "npadvmod"}
GOVERNED_PREPS = {"as", "of", "for", "about", "on", "with", "to"}
MAX_CLIMB = 12


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


@dataclass
class _Attribution:
    cue: str | None
    speakers: list[str | None]
    speaker_text: str | None = None
    first_person: bool = False


@dataclass
class _Reported:
    statement: Statement
    cue_token: int
    content: tuple[int, int]  # first and last token of the content
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
    direct = _direct_statements(article)
    reported = _reported_statements(article)
    statements = direct + reported
    statements.sort(key=lambda s: (s.start, s.end, s.mode, s.speaker_key or ""))
    return statements


def _article(doc: Any, actors: list[Actor], mentions: list[Mention]) -> _Article:
    text = doc.text
    spans = paragraphs(text)
    starts = [span[0] for span in spans]
    token_starts = [t.idx for t in doc]
    paragraph_of = []
    for t in doc:
        k = bisect.bisect_right(starts, t.idx) - 1
        paragraph_of.append(k if k >= 0 and t.idx < spans[k][1] else -1)
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
    resolver = SpeakerResolver(doc, sentences, actors, mentions, quote_of, paragraph_of, lex)
    sentence_starts = [sent.start_char for sent in sentences]
    sentence_end = [0] * len(doc)  # token -> first token after its sentence
    sentence_start = [0] * len(doc)
    for sent in sentences:
        for i in range(sent.start, sent.end):
            sentence_start[i], sentence_end[i] = sent.start, sent.end
    return _Article(doc, text, lex, quotes, spans, token_starts, paragraph_of, quote_of, inner_of, sentence_starts,
                    sentence_start, sentence_end, resolver)


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
        return attribution
    parts = noun_cue_parts(token, article.lex)
    if parts is not None:
        attribution = _speakers(article, parts[0])
        attribution.cue = token.lemma_.lower()
        return attribution
    if is_attribution_phrase(token, article.lex):
        attribution = _speakers(article, according_source(token))
        attribution.cue = f"{token.lower_} {token.nbor(1).lower_}"
        return attribution
    return None


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
    if verb_cue(token, article.lex) is not None:
        own = [c for c in token.children if c.dep_ in CONTENT_DEPS and c.idx not in inside and not c.is_punct
               and article.quote_of[c.i] == -1]
        if own:
            return None
    return _cue_attribution(article, token)


def _adjacent(article: _Article, index: int, quote: Quote) -> _Attribution | None:
    """A bare cue in the words right after the quote, else right before it (same paragraph)."""
    doc = article.doc
    lo, hi = _region(article, quote)
    following = article.quotes[index + 1] if index + 1 < len(article.quotes) else None
    after_limit = min(following.open_at, hi) if following is not None else hi
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


def _direct_statements(article: _Article) -> list[Statement]:
    quotes, text = article.quotes, article.text
    attributions: list[_Attribution | None] = []
    for index, quote in enumerate(quotes):
        tokens = _quote_tokens(article, quote)
        attribution = _governing(article, quote, tokens) or _adjacent(article, index, quote)
        attributions.append(attribution)
    _inherit(article, attributions)
    statements: list[Statement] = []
    speakers_of_quote: dict[int, list[str | None]] = {}
    for index, quote in enumerate(quotes):
        attribution = attributions[index]
        words = text[quote.start : quote.end].split()
        if attribution is not None and attribution.first_person:
            if quote.parent is not None:
                speakers_of_quote[index] = speakers_of_quote.get(quote.parent, [None])
                continue  # "I said, 'X'" inside the speaker's own quote: the outer quote has the words
            attribution = _Attribution(attribution.cue, [None], attribution.speaker_text)
        if attribution is None:
            if len(words) < MIN_UNATTRIBUTED_WORDS or _is_title_like(words):
                continue
            attribution = _Attribution(None, [None])
        speakers_of_quote[index] = attribution.speakers
        for key in attribution.speakers:
            statements.append(
                Statement(text[quote.start : quote.end], "direct", quote.start, quote.end,
                          article.sentence_index(quote.start), key, attribution.cue, attribution.speaker_text)
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
        own = [attributions[k] for k in members]  # before any inheritance
        following: list[_Attribution | None] = [None] * len(members)
        for position in range(len(members) - 2, -1, -1):
            following[position] = own[position + 1] or following[position + 1]
        previous: _Attribution | None = None
        for position, index in enumerate(members):
            if own[position] is not None:
                previous = own[position]
                continue
            if previous is not None:
                attributions[index] = previous
            elif following[position] is not None:
                attributions[index] = following[position]
            elif _fills_paragraph(article, quotes[index]) and paragraph - 1 in by_paragraph:
                last = by_paragraph[paragraph - 1][-1]
                attributions[index] = attributions[last]


def _fills_paragraph(article: _Article, quote: Quote) -> bool:
    lo, hi = article.paragraph_spans[quote.paragraph]
    outside = article.text[lo : quote.open_at] + article.text[quote.outer_end : hi]
    return not any(c.isalpha() for c in outside)


# -- reported speech -------------------------------------------------------------------------


def _clip(article: _Article, tokens: set[int], paragraph: int) -> tuple[int, int] | None:
    """First and last token of a content span, kept to one paragraph and trimmed of punctuation
    and a leading complementizer ("that")."""
    doc = article.doc
    kept = sorted(i for i in tokens if article.paragraph_of[i] == paragraph)
    if not kept:
        return None
    first, last = kept[0], kept[-1]
    while first <= last and (doc[first].is_punct or doc[first].is_space
                             or (doc[first].dep_ == "mark" and doc[first].lower_ == "that")):
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
    return sum(1 for t in article.doc[first : last + 1] if t.is_alpha or t.like_num)


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
        content: set[int] | None = None
        cut = (token.i, token.i)  # the cue's own words, which the content never spans
        cue = verb_cue(token, lex)
        if cue is not None:
            got = content_of(token, cue[1])
            if got is not None:
                content, cue_name = got
            elif "clause" in cue[1]:
                content, cue_name = inverted_content(token), cue[0]
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
            content = {t.i for t in clause.subtree}
            cue_name = token.lemma_.lower()
        if not content or (subject is not None and subject.lower_ in FIRST_PERSON):
            continue  # nothing reported; or the author, or a quoted speaker whose quote has these words
        pieces = _pieces(article, content, cut, paragraph, token.i)
        if not pieces:
            continue
        start, end = _span_text(article, pieces[0][0], pieces[-1][1])
        text = " ".join(article.text[slice(*_span_text(article, a, b))] for a, b in pieces)
        attribution = _speakers(article, subject)
        for key in attribution.speakers:
            statement = Statement(text, "reported", start, end, article.sentence_index(start), key, cue_name,
                                  attribution.speaker_text)
            found.append(_Reported(statement, token.i, (pieces[0][0], pieces[-1][1]), subject is not None))
    return _without_repeats(found)


def _pieces(article: _Article, content: set[int], cut: tuple[int, int], paragraph: int,
            cue: int) -> list[tuple[int, int]]:
    """The content as one or two runs of tokens around the cue's own words ("A, X said, B"),
    each kept to the cue's paragraph; a run that is all inside quotation marks is left to the
    direct quote, and a run of a word or two beside a longer one is dropped."""
    pieces = []
    for part in ({i for i in content if i < cut[0]}, {i for i in content if i > cut[1]}):
        clipped = _clip(article, part, paragraph) if part else None
        if clipped is None or _word_count(article, *clipped) < MIN_REPORTED_WORDS:
            continue
        if _within_other_quote(article, *_span_text(article, *clipped), cue):
            continue
        pieces.append(clipped)
    if len(pieces) == 2 and min(_word_count(article, *p) for p in pieces) < 3:
        pieces = [max(pieces, key=lambda p: _word_count(article, *p))]
    return pieces


def _according_content(article: _Article, token: Any) -> tuple[set[int] | None, tuple[int, int]]:
    """The clause "according to X" attributes, and the phrase's own tokens."""
    doc = article.doc
    head = clause_head(token)
    phrase = {t.i for t in token.subtree} | {t.i for t in doc[token.i + 1].subtree}
    cut = (min(phrase), max(phrase))
    node = head
    for _ in range(12):  # a report already ("X said ..., according to Y"): Y is the channel, not a new statement
        cue = verb_cue(node, article.lex)
        if cue is not None and content_of(node, cue[1]) is not None:
            return None, cut
        if node.head.i == node.i:
            break
        node = node.head
    if head.i in phrase:
        return None, cut
    return {t.i for t in head.subtree} - phrase, cut


def _without_repeats(found: list[_Reported]) -> list[Statement]:
    """Drop a report nested in the content of another report by the same speaker ("he said he
    thinks ...") or by nobody named (a cue with no subject of its own is part of the content around
    it), and exact repeats."""
    kept: list[Statement] = []
    seen: set[tuple[int, int, str | None]] = set()
    by_sentence: dict[int, list[_Reported]] = {}  # a content never leaves its cue's sentence
    for item in found:
        by_sentence.setdefault(item.statement.sentence_index, []).append(item)
    for item in found:
        s = item.statement
        nested = False
        for other in by_sentence.get(s.sentence_index, ()):
            first, last = other.content
            if other is item or not first <= item.cue_token <= last:
                continue
            if not item.has_subject or (s.speaker_key is not None and other.statement.speaker_key == s.speaker_key):
                nested = True
                break
        key = (s.start, s.end, s.speaker_key)
        if nested or key in seen:
            continue
        seen.add(key)
        kept.append(s)
    return kept
