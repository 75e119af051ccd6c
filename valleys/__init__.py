"""valleys: the territory.

Load a dataset, validate it against the dataset contract, compute per-zone features, the
incentive classes, the national suitability grid, and rebuild the shipped Morocco dataset.

>>> sites = load_sites("tests/fixtures/tiny")
>>> round(float(sites.loc["technopolis", "airports_km"]), 1)
2.8
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import geopandas as gpd

from valleys.dataset import Dataset, default_data_path, load_dataset, resolve_data_path
from valleys.errors import DatasetError, DatasetWarning, TechValleyError
from valleys.features import SHARE_DEFINITIONS, catchment, nearest_km, site_features
from valleys.sources import dataset_signature, discover_layers
from valleys.validation import Problem, numeric_columns, validate

__all__ = [
    "SHARE_DEFINITIONS",
    "Dataset",
    "DatasetError",
    "DatasetWarning",
    "Problem",
    "TechValleyError",
    "catchment",
    "default_data_path",
    "load_dataset",
    "load_sites",
    "nearest_km",
    "numeric_columns",
    "site_features",
    "validate",
]

_SITES_CACHE: dict[tuple[object, ...], gpd.GeoDataFrame] = {}
_SITES_CACHE_SIZE = 8
_SITES_LOCK = threading.Lock()  # web workers share the cache: compute each key once


def load_sites(
    path: str | os.PathLike[str] | None = None, *, catchment_km: float | None = None
) -> gpd.GeoDataFrame:
    """Load a dataset and compute its zones' features (:func:`site_features`), cached.

    The cache key is the dataset's resolved path, the modification time and size of each of
    its files, and the catchment radius: rewriting a file recomputes. Each call returns a copy.
    Warnings (repaired geometries...) are given on the first load only.

    Parameters
    ----------
    path
        As for :func:`load_dataset` (``None``: the default dataset).
    catchment_km
        The catchment radius in km (``None``: :data:`valleys.settings.CATCHMENT_RADIUS_KM`).
    """
    from valleys import settings

    # realpath, not Path.resolve: a symlink loop then reaches discover_layers, which names it
    root = Path(os.path.realpath(resolve_data_path(path)))
    radius = settings.CATCHMENT_RADIUS_KM if catchment_km is None else float(catchment_km)
    key = (str(root), dataset_signature(discover_layers(root)), radius)
    with _SITES_LOCK:
        if key not in _SITES_CACHE:
            sites = site_features(load_dataset(root), catchment_km=radius)
            if len(_SITES_CACHE) >= _SITES_CACHE_SIZE:
                _SITES_CACHE.pop(next(iter(_SITES_CACHE)))
            _SITES_CACHE[key] = sites
        return _SITES_CACHE[key].copy()
