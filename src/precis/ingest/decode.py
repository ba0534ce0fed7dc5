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
# Detection scores closer than this count as a tie (charset_normalizer's scores are 0..1).
DETECTION_TIE = 0.01
WESTERN_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")
# Browsers look for a <meta charset> in the first 1024 bytes; we allow a little more.
DECLARATION_WINDOW = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode(data: bytes, origin: str) -> str:
    """Decode ``data`` as text or raise ``InputError`` saying why it is not text."""
    if not data.strip():
        raise InputError(origin, "is empty; nothing to ingest")
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
        raise InputError(origin, "holds only whitespace; nothing to ingest")
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
    matches = list(from_bytes(data))
    if not matches:
        raise InputError(
            origin, "is not valid UTF-8 and its encoding could not be detected; convert it to UTF-8"
        )
    return str(_prefer_western(matches))


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
    controls = sum(1 for ch in sample if ord(ch) < 32 and ord(ch) not in _ALLOWED_CONTROLS)
    return controls / max(1, len(sample))
