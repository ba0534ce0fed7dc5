"""Storage: one SQLAlchemy Core schema for SQLite and PostgreSQL, migrated by Alembic."""

from precis.store.db import AddResult, Store

__all__ = ["AddResult", "Store"]
