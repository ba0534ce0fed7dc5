"""URL normalisation, so that one article reached through two feeds is stored once.

courlan lowercases the scheme and host, drops default ports, sorts the query and strips
tracking parameters (utm_*, fbclid, ...); the fragment never names a different article,
so it is dropped too.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import courlan


def normalise_url(url: str) -> str:
    """The canonical form of an http(s) URL; other strings come back trimmed."""
    url = url.strip()
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # "http://[oops": not a URL the parser accepts; keep it as given
        return url
    if scheme.lower() not in {"http", "https"}:
        return url
    try:
        cleaned = courlan.normalize_url(url, strict=False)
    except ValueError:  # courlan raises on some malformed URLs; keep the original then
        cleaned = url
    parts = urlsplit(cleaned)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))
