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

import os

CATCHMENT_RADIUS_KM: float = float(os.environ.get("TECHVALLEY_CATCHMENT_KM", "30"))
DATA_PATH: str | None = os.environ.get("TECHVALLEY_DATA") or None
EARTH_RADIUS_KM: float = 6371.0088
METRIC_CRS_NORTH: str = "EPSG:26191"
METRIC_CRS_SOUTH: str = "EPSG:26192"
METRIC_CRS_SPLIT_LAT: float = 31.5
TIMEZONE: str = "Africa/Casablanca"
WGS84: str = "EPSG:4326"
