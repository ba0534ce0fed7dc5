"""A URL's parts as precis names things by them: the site's host, the host's words.

One place for what the title rules (``precis.extract.titles``) and site templates
(``precis.text.templates``) both read of a URL, so that a site has one name, and so that
a malformed URL in a corpus (``http://[oops``, which ``urlsplit`` refuses) means "no
host" rather than a traceback.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

_WWW = re.compile(r"^(?:www|w\d+)\.")


def split(url: str | None) -> SplitResult | None:
    """``urlsplit(url)``, or None for no URL or one it cannot parse."""
    if not url:
        return None
    try:
        return urlsplit(url)
    except ValueError:  # e.g. "Invalid IPv6 URL"
        return None


def hostname(url: str | None) -> str | None:
    """The URL's host name (lower-cased by ``urlsplit``), or None."""
    parts = split(url)
    return parts.hostname if parts else None


def url_host(url: str | None) -> str | None:
    """A URL's host without "www." (or "w3."), the name trafilatura gives a site that
    names none."""
    host = hostname(url)
    return _WWW.sub("", host) if host else None
