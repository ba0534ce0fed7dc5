"""Bytes to text: refuse binary, decode UTF-8 or detect the legacy encoding."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from precis.errors import InputError

# Share of control characters (other than tab/newline/CR/FF) above which input is binary.
BINARY_CONTROL_RATIO = 0.01
_ALLOWED_CONTROLS = {9, 10, 12, 13}


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
    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            origin, "is not valid UTF-8 and its encoding could not be detected; convert it to UTF-8"
        )
    return str(best)


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ord(ch) not in _ALLOWED_CONTROLS)
    return controls / max(1, len(sample))
