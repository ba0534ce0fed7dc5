"""Bytes to text: refuse binary, decode UTF-8 or detect the legacy encoding."""

from __future__ import annotations

import codecs
import re
from typing import Any

from charset_normalizer import from_bytes

from precis.errors import InputError

# Share of control characters (other than tab/newline/CR/FF) above which input is binary.
BINARY_CONTROL_RATIO = 0.01
_ALLOWED_CONTROLS = {9, 10, 12, 13}
# The other C0 controls, counted by one regular-expression pass (a character loop in
# Python was a visible share of the time to extract a page, in a profile).
_CONTROL = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in range(32) if c not in _ALLOWED_CONTROLS) + "]"
)
# Detection scores closer than this count as a tie (charset_normalizer's scores are 0..1).
DETECTION_TIE = 0.01
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
# Latin-1 letters (no × ÷) and the typographic marks cp1252 adds, as news text uses them.
_WESTERN_CHARS = frozenset(
    [chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]
    + list("\u00a0«»°£¥©®·¿¡§¶ºª€‚„…†‡‰‹›‘’“”•–—™ŠšŒœŽžŸ")
)
# In Western European prose accented letters are a small minority of all letters.
WESTERN_ACCENT_SHARE = 0.3
# Browsers look for a <meta charset> in the first 1024 bytes; we allow a little more.
DECLARATION_WINDOW = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, origin: str) -> str:
    """Decode ``data`` as text or raise ``InputError`` saying why it is not text."""
    if not data:
        raise InputError(origin, "is empty; there is no article in it")
    if not data.strip():
        raise InputError(origin, "holds only whitespace; there is no article in it")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data[:8192] and not _is_utf16(data):
        raise InputError(origin, "looks like a binary file, not text, HTML or JSONL")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _detect(data, origin)
    if _control_ratio(text) > BINARY_CONTROL_RATIO:
        raise InputError(origin, "looks like a binary file, not text, HTML or JSONL")
    if not text.strip():
        raise InputError(origin, "holds only whitespace; there is no article in it")
    return text


def _is_utf16(data: bytes) -> bool:
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _detect(data: bytes, origin: str) -> str:
    declared = _declared_charset(data)
    if declared is not None:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong or unknown declaration: fall back to detection
    western = _plain_western(data)
    if western is not None:
        return western
    matches = list(from_bytes(data))
    if not matches:
        raise InputError(
            origin, "is not valid UTF-8 and its encoding could not be detected; convert it to UTF-8"
        )
    return str(_prefer_western(matches))


def _plain_western(data: bytes) -> str | None:
    """``data`` as Windows-1252 when that reads as ordinary Western European text.

    Statistical detection is unreliable on a short article (one "é" looks as likely to be
    cp1250 or cp1257), so the commonest legacy encoding of news text is tried first and
    kept when every non-ASCII character it yields is a Latin-1 letter or typographic
    punctuation, and such letters are a minority (Cyrillic or Greek bytes read as cp1252
    also give Latin-1 letters, but almost only those).
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = sum(1 for ch in text if ch.isalpha())
    accented = sum(1 for ch in text if ord(ch) > 127 and ch.isalpha())
    if any(ord(ch) > 127 and ch not in _WESTERN_CHARS for ch in text):
        return None
    return text if accented <= WESTERN_ACCENT_SHARE * max(1, letters) else None


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (``<meta charset=...>``)."""
    found = _META_CHARSET.search(data[:DECLARATION_WINDOW])
    return found.group(1).decode("ascii").lower() if found else None


def _prefer_western(matches: list[Any]) -> Any:
    """The best match; among near-ties, Windows-1252.

    Short Western European texts fit cp1250, cp1252 and cp1257 equally well (the accented
    letters differ, the statistics hardly do), and charset_normalizer then picks the first
    of them. Windows-1252 is by far the commonest legacy encoding of news text (WHATWG
    decodes "latin1" as windows-1252 for the same reason), so it wins a tie.
    """
    best = matches[0]
    for match in matches:
        tied = (
            match.chaos <= best.chaos + DETECTION_TIE
            and match.coherence >= best.coherence - DETECTION_TIE
        )
        if tied and match.encoding in WESTERN_ENCODINGS:
            return match
    return best


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / max(1, len(sample))
