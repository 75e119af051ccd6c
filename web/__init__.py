"""web: the people. Flask application factory, Folium maps, JSON API, persistence, i18n.

``web.create_app`` is imported lazily, so the ``techvalley`` console script (``web.cli``) does
not load Flask and the database layer for commands that do not need them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
