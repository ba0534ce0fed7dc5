"""Metadata normalisation shared by the text and HTML extractors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMATS = ("%a, %d %b %Y %H:%M:%S %z", "%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y")


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 or a common news date format; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    parsed = _iso(value) or _try_formats(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _try_formats(value: str) -> datetime | None:
    for fmt in _FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def clean_field(value: object) -> str | None:
    """A single-line, trimmed string, or None when empty."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def pick(metadata: Mapping[str, str], key: str, found: str | None) -> str | None:
    """Caller-supplied metadata wins over what extraction found."""
    return clean_field(metadata.get(key)) or clean_field(found)
