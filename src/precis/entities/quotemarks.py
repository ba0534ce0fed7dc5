"""Quotations in raw text: balanced pairs of quotation marks (``find_quotes``).

Hand-written because the rules are news conventions no tokenizer keeps: curly quotes,
guillemets and straight quotes, whose role (opening or closing) is read from the
characters around them. A quote left open at a paragraph end continues when the next
paragraph opens with a quotation mark (news style for multi-paragraph quotes); otherwise
it is dropped as unbalanced. Quotation marks inside an open curly quote are nested
quotes and do not split it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The longest run of characters one quote may span before it is judged unbalanced.
MAX_QUOTE_CHARS = 4000
_OPENERS = {"“": "”", "«": "»", "„": "“"}
_CLOSERS = frozenset("”»")
_BEFORE_OPEN = set(" \t\n([{—–-/:")
_AFTER_CLOSE = set(" \t\n.,;:!?)]}—–-")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation: ``open``/``close`` are the marks' positions, ``start``/``end`` the
    content's, trimmed of spaces and a trailing comma."""

    open: int
    close: int
    start: int
    end: int


def find_quotes(text: str) -> list[QuoteSpan]:
    """Every balanced quotation in ``text``, in order (see the module docstring)."""
    found: list[QuoteSpan] = []
    opened: int | None = None
    closer = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if opened is not None and i - opened > MAX_QUOTE_CHARS:
            i = opened + 1  # unbalanced: rescan after the stray mark
            opened = None
            continue
        if ch == "\n" and opened is not None:
            nxt = _paragraph_break(text, i)
            if nxt is not None:
                if text[nxt] in (closer_open(closer), '"'):
                    i = nxt + 1  # the quote continues in the next paragraph
                    continue
                opened = None
        elif ch in _OPENERS and (opened is None or closer == '"'):
            opened, closer = i, _OPENERS[ch]
        elif opened is not None and closer != '"' and ch == closer:
            _emit(text, opened, i, found)
            opened = None
        elif ch == '"' and (opened is None or closer == '"'):
            role = _straight_role(text, i)
            if opened is None and role != "close":
                opened, closer = i, '"'
            elif opened is not None and role == "open":
                opened = i  # the earlier mark was unbalanced
            elif opened is not None:
                _emit(text, opened, i, found)
                opened = None
        elif ch in _CLOSERS and opened is None:
            pass  # a stray closing mark
        i += 1
    return found


def closer_open(closer: str) -> str:
    """The opening mark that pairs with ``closer`` (for paragraph continuations)."""
    return {"”": "“", "»": "«", "“": "„"}.get(closer, closer)


def _paragraph_break(text: str, i: int) -> int | None:
    """Index of the first character of the next paragraph when ``i`` starts a break."""
    j = i
    newlines = 0
    while j < len(text) and text[j].isspace():
        newlines += text[j] == "\n"
        j += 1
    if j >= len(text):
        return None
    if newlines >= 2 or text[j] in '“«„"':
        return j
    return None


def _straight_role(text: str, i: int) -> str:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    opens = before in _BEFORE_OPEN and not after.isspace()
    closes = not before.isspace() and after in _AFTER_CLOSE
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _emit(text: str, opened: int, closed: int, found: list[QuoteSpan]) -> None:
    start, end = opened + 1, closed
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    if end > start and _WORD.search(text, start, end):
        found.append(QuoteSpan(opened, closed, start, end))
