"""The error of the map builders (a user error: the web turns it into a page or a 422)."""

from __future__ import annotations

from valleys.errors import TechValleyError


class MapError(TechValleyError):
    """A map cannot be built from what was asked (e.g. a zone id that is not in the dataset)."""
