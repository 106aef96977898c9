"""Quotation marks: every quoted span of a text, found in one linear pass, paragraph by paragraph.

``find_quotes`` pairs straight ("..." '...'), curly (“...” ‘...’) and guillemet («...» ‹...›)
marks with a stack, tells apostrophes (don't, Tays' car) from single quotes by the characters
around them, nests single quotes inside double ones, links newswire quotes that run over a
paragraph break (a paragraph left open, the next one opening again), and drops marks that never
pair.  No quote crosses a paragraph break or runs longer than ``MAX_QUOTE_CHARS``, so a stray mark
cannot swallow the rest of an article.  Pure string work: no parse needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_QUOTE_CHARS", "Quote", "find_quotes", "paragraphs"]

MAX_QUOTE_CHARS = 3000  # longer than any quoted paragraph a newspaper prints

DOUBLE, SINGLE = "double", "single"
# mark -> (family, role): role "open", "close" or "either" (decided by the characters around it)
MARKS: dict[str, tuple[str, str]] = {
    '"': (DOUBLE, "either"),
    "\u201c": (DOUBLE, "open"),  # “
    "\u201d": (DOUBLE, "close"),  # ”
    "\u201e": (DOUBLE, "open"),  # „
    "\u201f": (DOUBLE, "open"),  # ‟
    "\u00ab": (DOUBLE, "open"),  # «
    "\u00bb": (DOUBLE, "close"),  # »
    "'": (SINGLE, "either"),
    "\u2018": (SINGLE, "open"),  # ‘
    "\u2019": (SINGLE, "close"),  # ’ (also the typographic apostrophe)
    "\u201b": (SINGLE, "open"),  # ‛
    "\u2039": (SINGLE, "open"),  # ‹
    "\u203a": (SINGLE, "close"),  # ›
}
OPENING_PUNCT = set("([{<\u2014\u2013-/:")
CLOSING_PUNCT = set(".,;:!?)]}>\u2014\u2013-/\u2026*")
_MARK_RE = re.compile("[" + re.escape("".join(MARKS)) + "]")


@dataclass(frozen=True)
class Quote:
    """One quoted span: ``start``/``end`` bound the words inside the marks (trimmed)."""

    start: int
    end: int
    open_at: int  # offset of the opening mark
    close_at: int | None  # offset of the closing mark; None when the quote runs on to the next paragraph
    paragraph: int
    depth: int = 0  # 0 for a top-level quote, 1 inside another quote, ...
    parent: int | None = None  # index (in find_quotes' list) of the enclosing quote
    continues: int | None = None  # index of the quote in the previous paragraph that this one carries on

    @property
    def outer_end(self) -> int:
        """Offset just past the closing mark (or the content's end when the quote runs on)."""
        return self.close_at + 1 if self.close_at is not None else self.end


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of text that holds something other than white space."""
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def _can_open(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (before.isspace() or before in OPENING_PUNCT or before in MARKS) and not after.isspace()


def _can_close(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return not before.isspace() and (after.isspace() or after in CLOSING_PUNCT or after in MARKS)


def _role(text: str, i: int, lo: int, hi: int) -> str | None:
    """'open', 'close', 'either' or None (an apostrophe or a mark standing alone)."""
    family, role = MARKS[text[i]]
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    if family == SINGLE and before.isalnum() and after.isalnum():
        return None  # don't, can’t, O'Brien
    opens, closes = _can_open(text, i, lo, hi), _can_close(text, i, lo, hi)
    if role == "open":
        if not opens and not closes:
            return None  # standing alone between spaces: a stray mark
        return "open" if opens else "either"
    if role == "close":
        if family == SINGLE:
            return "close" if closes else None  # ’ opening a word is an elision ('90s), not a quote
        return "close" if closes or not opens else "either"
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    if opens and closes:
        return "either"
    if family == DOUBLE and before.isspace() and after.isspace():
        return "close"  # 'ourselves? " she wrote': a loose closing mark (it closes only what is open)
    return None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:\u2014\u2013-"):
        end -= 1
    return start, end


@dataclass
class _Open:
    family: str
    at: int
    depth: int
    parent: int | None  # index of the enclosing quote in the output, once known
    slot: int  # index reserved for this quote in the output


def find_quotes(text: str) -> list[Quote]:
    """Every quoted span of ``text``, in order of the opening mark."""
    found: dict[int, Quote] = {}
    slots = 0
    pending_run_on: int | None = None  # an open top-level quote left at the end of the previous paragraph
    for number, (lo, hi) in enumerate(paragraphs(text)):
        stack: list[_Open] = []
        carried = pending_run_on
        pending_run_on = None
        for match in _MARK_RE.finditer(text, lo, hi):
            i = match.start()
            role = _role(text, i, lo, hi)
            if role is None:
                continue
            family = MARKS[text[i]][0]
            while stack and i - stack[0].at > MAX_QUOTE_CHARS:
                stack.clear()  # a mark that never closed: forget it rather than swallow the text
            open_index = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].family == family), None)
            if family == SINGLE and open_index is not None and any(o.family == DOUBLE for o in stack[open_index:]):
                open_index = None  # a single quote opened outside the current double quote cannot close here
            closes = role == "close" or (role == "either" and open_index is not None)
            if closes and open_index is not None:
                closing = stack[open_index]
                for inner in stack[open_index + 1 :]:  # inner quotes never closed end with this one
                    start, end = _trimmed(text, inner.at + 1, i)
                    if end > start:
                        found[inner.slot] = Quote(start, end, inner.at, i, number, inner.depth, inner.parent)
                del stack[open_index:]
                start, end = _trimmed(text, closing.at + 1, i)
                if end > start:
                    continues = carried if closing.depth == 0 and closing.at == _first_mark(text, lo, hi) else None
                    found[closing.slot] = Quote(
                        start, end, closing.at, i, number, closing.depth, closing.parent, continues
                    )
                continue
            if closes:
                continue  # a closing mark with nothing open: stray
            if family == DOUBLE and any(o.family == DOUBLE for o in stack):
                # a second opening double mark while one is open: the first one never closed
                first = next(k for k, o in enumerate(stack) if o.family == DOUBLE)
                del stack[first:]
            parent = stack[-1].slot if stack else None
            stack.append(_Open(family, i, len(stack), parent, slots))
            slots += 1
        # the paragraph ends: a top-level double quote still open runs on if the next paragraph
        # opens a quote again (newswire style); everything else still open never closed
        if stack and stack[0].family == DOUBLE and stack[0].depth == 0 and _next_opens(text, hi):
            outer = stack[0]
            start, end = _trimmed(text, outer.at + 1, hi)
            if end > start and hi - outer.at <= MAX_QUOTE_CHARS:
                continues = carried if outer.at == _first_mark(text, lo, hi) else None
                found[outer.slot] = Quote(start, end, outer.at, None, number, 0, None, continues)
                pending_run_on = outer.slot
    ordered = sorted(found)
    renumber = {slot: index for index, slot in enumerate(ordered)}
    quotes = []
    for slot in ordered:
        q = found[slot]
        parent = renumber.get(q.parent) if q.parent is not None else None
        continues = renumber.get(q.continues) if q.continues is not None else None
        quotes.append(
            Quote(
                q.start,
                q.end,
                q.open_at,
                q.close_at,
                q.paragraph,
                q.depth if parent is not None else 0,
                parent,
                continues,
            )
        )
    return quotes


def _first_mark(text: str, lo: int, hi: int) -> int:
    """Offset of the paragraph's first non-space character."""
    i = lo
    while i < hi and text[i].isspace():
        i += 1
    return i


def _next_opens(text: str, hi: int) -> bool:
    """Whether the paragraph after offset ``hi`` starts with an opening double quotation mark."""
    i = hi
    n = len(text)
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] not in MARKS or MARKS[text[i]][0] != DOUBLE:
        return False
    j = text.find("\n", i)
    return _role(text, i, i, n if j < 0 else j) in ("open", "either")
