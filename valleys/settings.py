"""Settings of the territory, in one documented module.

Each setting can be overridden by the environment variable named beside it.

- ``CATCHMENT_RADIUS_KM`` (``TECHVALLEY_CATCHMENT_KM``, default 30): radius of the talent
  catchment around a zone; communes whose representative point lies within it are summed.
- ``DATA_PATH`` (``TECHVALLEY_DATA``): the dataset used when no ``--data`` is given; default the
  shipped Morocco dataset, built on first use into ``geodata/build/`` (or the user cache folder
  when the package folder is read-only).
- ``EARTH_RADIUS_KM``: the mean Earth radius (IUGG) used for great-circle distances.
- ``METRIC_CRS_NORTH`` / ``METRIC_CRS_SOUTH`` / ``METRIC_CRS_SPLIT_LAT``: Merchich / Nord Maroc
  (EPSG:26191) north of 31.5°N and Sud Maroc (EPSG:26192) south of it, for metric work.
- ``TIMEZONE``: ``Africa/Casablanca`` (never a fixed offset: Morocco returns to UTC in Ramadan).
"""

from __future__ import annotations

import math
import os

#: Problems with settings read from the environment: a command or the web app refuses to start
#: while there is one (:func:`check`), rather than dying with a traceback at import.
PROBLEMS: list[str] = []


def env_number(name: str, default: float, *, kind: type = float, minimum: float = 0.0) -> float:
    """The number in environment variable ``name`` (``default`` when unset or empty).

    A value that is not a finite number above ``minimum`` is recorded in :data:`PROBLEMS` and
    the default returned, so that :func:`check` can name it.

    >>> env_number("TECHVALLEY_NOT_SET", 30.0)
    30.0
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= minimum:
        bound = f">= {minimum + 1:g}" if kind is int else f"above {minimum:g}"
        PROBLEMS.append(
            f"environment variable {name}={raw!r} is not a {'whole ' if kind is int else ''}"
            f"number {bound}; set it to e.g. {default} or unset it"
        )
        return default
    return value


def check() -> None:
    """Raise :class:`~valleys.errors.TechValleyError` naming every bad setting, if any."""
    from valleys.errors import TechValleyError

    if PROBLEMS:
        raise TechValleyError(
            "some settings are wrong; fix them and try again.", details=list(dict.fromkeys(PROBLEMS))
        )


CATCHMENT_RADIUS_KM: float = env_number("TECHVALLEY_CATCHMENT_KM", 30.0)
DATA_PATH: str | None = os.environ.get("TECHVALLEY_DATA") or None
EARTH_RADIUS_KM: float = 6371.0088
METRIC_CRS_NORTH: str = "EPSG:26191"
METRIC_CRS_SOUTH: str = "EPSG:26192"
METRIC_CRS_SPLIT_LAT: float = 31.5
TIMEZONE: str = "Africa/Casablanca"
WGS84: str = "EPSG:4326"
