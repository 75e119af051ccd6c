"""Shared test fixtures: the tiny committed datasets of ``tests/fixtures/``.

``tests/fixtures/make_fixtures.py`` rewrites them.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def tiny_data_path() -> Path:
    """A folder dataset: five zones around Rabat-Salé and Casablanca (points and polygons, one
    missing rent), ``airports``, ``rail_stations``, ``communes`` (census counts and shares) and
    ``regions``, all GeoJSON in EPSG:4326."""
    return FIXTURES / "tiny"


@pytest.fixture
def tiny_zones_only_path() -> Path:
    """A folder dataset with only a ``zones`` layer (numeric columns ``area_ha``,
    ``available_m2``, ``rent_mad_m2_month`` with one missing value)."""
    return FIXTURES / "zones_only"


@pytest.fixture
def tiny_layers(tiny_data_path: Path) -> dict:
    """The tiny dataset's layers as GeoDataFrames (fresh copies a test may change)."""
    import geopandas as gpd

    return {p.stem: gpd.read_file(p) for p in sorted(tiny_data_path.glob("*.geojson"))}


@pytest.fixture
def write_dataset(tmp_path: Path):
    """Write layers (name -> GeoDataFrame) as a dataset and return its path.

    ``write_dataset(layers, fmt="geojson")``: ``fmt`` is ``geojson``, ``shp`` or ``parquet``
    (a folder, one file per layer) or ``gpkg`` (one GeoPackage, one layer per name). Layers are
    written as given: their CRS (or none), their geometries, valid or not.
    """
    counter = iter(range(1_000_000))

    def write(layers: dict, fmt: str = "geojson") -> Path:
        with warnings.catch_warnings():  # no CRS; Shapefile field names cut to 10 characters
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            return _write(layers, fmt)

    def _write(layers: dict, fmt: str) -> Path:
        root = tmp_path / f"dataset{next(counter)}"
        if fmt == "gpkg":
            root.mkdir()
            path = root / "dataset.gpkg"
            for name, gdf in layers.items():
                gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
            return path
        root.mkdir()
        for name, gdf in layers.items():
            if fmt == "parquet":
                gdf.to_parquet(root / f"{name}.parquet")
            elif fmt == "shp":
                gdf.to_file(root / f"{name}.shp", driver="ESRI Shapefile", engine="pyogrio")
            else:
                gdf.to_file(root / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
        return root

    return write
