"""The reader: server-rendered pages, a JSON API under ``/api/`` and a little JavaScript."""

from precis.web.app import create_app

__all__ = ["create_app"]
