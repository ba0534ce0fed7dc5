"""The error types a user can cause. Every message says what to do next.

The library raises these; the edges translate them (the CLI prints the message
without a traceback and exits non-zero, the web layer answers one JSON shape).
"""

from __future__ import annotations

import json


class PrecisError(Exception):
    """Base class: something the user can fix. ``status`` is the HTTP status the API uses."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(PrecisError):
    """A setting has a bad value; the message names the setting."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"setting {key}: {message}")
        self.key = key


class InputError(PrecisError):
    """An input (file, stdin, request body) cannot be read or parsed."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


def invalid_json(exc: json.JSONDecodeError) -> str:
    """``InputError`` reason for a line that is not JSON: "invalid JSON at column 10:
    unterminated string" (the decoder's own message ends in "at" where it names the place)."""
    what = exc.msg.removesuffix(" at")
    return f"invalid JSON at column {exc.colno}: {what[:1].lower()}{what[1:]}"


class ExtractionError(InputError):
    """An input was read but holds no article text."""


class NotFound(PrecisError):
    """An ID or name that does not exist."""

    status = 404

    def __init__(self, kind: str, key: object) -> None:
        listing = _LISTINGS.get(kind, "precis ls")
        super().__init__(f"no {kind} with id {key!s}; run '{listing}' to see what is stored")
        self.kind = kind
        self.key = key


# The command that lists what exists, for each kind of thing an ID can name.
_LISTINGS = {"story": "precis stories", "feed": "precis feed ls", "entity": "precis entities"}


class StoreError(PrecisError):
    """The database cannot be opened or written."""

    status = 500


class FetchError(PrecisError):
    """A URL could not be fetched (network, refused address, too large, bad status)."""

    status = 502

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
