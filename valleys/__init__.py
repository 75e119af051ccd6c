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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd

# The public names are imported on first use (PEP 562), so that importing a light module of
# the package (valleys.errors, valleys.settings) does not load geopandas: the supervisor of
# `techvalley serve --workers` stays small.
_LAZY: dict[str, str] = {
    "Dataset": "valleys.dataset",
    "default_data_path": "valleys.dataset",
    "load_dataset": "valleys.dataset",
    "resolve_data_path": "valleys.dataset",
    "DatasetError": "valleys.errors",
    "DatasetWarning": "valleys.errors",
    "TechValleyError": "valleys.errors",
    "SHARE_DEFINITIONS": "valleys.features",
    "catchment": "valleys.features",
    "nearest_km": "valleys.features",
    "site_features": "valleys.features",
    "dataset_signature": "valleys.sources",
    "discover_layers": "valleys.sources",
    "Problem": "valleys.validation",
    "numeric_columns": "valleys.validation",
    "validate": "valleys.validation",
}


def __getattr__(name: str) -> Any:
    import importlib
    import importlib.util

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if not name.startswith("_") and importlib.util.find_spec(f"valleys.{name}") is not None:
        return importlib.import_module(f"valleys.{name}")  # as when every module was imported
    raise AttributeError(f"module 'valleys' has no attribute {name!r}")


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
    from valleys.dataset import load_dataset, resolve_data_path
    from valleys.features import site_features
    from valleys.sources import dataset_signature, discover_layers

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
