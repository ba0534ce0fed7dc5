"""What every command shares: the settings and a lazily opened store."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from precis.config import Settings
from precis.store import Store


@dataclass(slots=True)
class AppContext:
    settings: Settings
    _store: Store | None = field(default=None)

    @classmethod
    def create(cls, database: str | None, env: dict[str, str] | None = None) -> AppContext:
        return cls(Settings.load(env, database_url=database_url(database)))

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.database_url, echo=self.settings.log_sql)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def database_url(value: str | None) -> str | None:
    """``--db`` takes a URL or a plain path to an SQLite file."""
    if value is None or "://" in value:
        return value
    return f"sqlite:///{Path(os.path.expanduser(value)).absolute()}"
