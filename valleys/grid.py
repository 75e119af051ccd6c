"""The national suitability grid: H3 cells over the land, with the features a zone gets.

The land is the ``land`` layer of a dataset when it has one, else the union of its ``regions``
layer. The grid at resolution ``R`` is every H3 cell of resolution ``R`` whose centre lies in the
land (the same rule as H3's own polygon fill). It is built without filling the whole country at
once, which H3 does slowly for a detailed coastline: the land is first covered by *parent* cells
of a coarse resolution (:data:`PARENT_RESOLUTION`), and the children of each parent are kept
when their centre is inside the land (shapely's ``contains_xy`` on the prepared land). Parents
are also the unit of partitioning for Dask (:func:`grid_partitions`): a partition is a run of
parents, and the grid is the same however the parents are split.

Every cell gets, like a zone (:func:`valleys.site_features`): ``lon``/``lat`` of its centre,
``<layer>_km`` for every point layer of the dataset, ``zones_km`` (the distance to the nearest
existing zone: a criterion against cannibalising, not used unless a profile names it) and the
``catchment_*`` columns when the dataset has communes. They are computed by the zones' own
implementation, :func:`valleys.features.point_features` (arrays in, arrays out; the tests
check that a cell and a zone at the same place have the same values): the cells' unit vectors
are computed once for every layer, a distance is a k-d tree query, and a catchment is a
radius query around each commune (a chunk of communes at a time) summed into the cells with
``bincount``: no cells-by-communes matrix, dense or sparse.
The grid takes about 7 s and 0.6 GB for Morocco at resolution 8
(``benchmarks/bench_suitability.py``).

Examples
--------
>>> from valleys.dataset import load_dataset
>>> cells = grid_features(load_dataset("tests/fixtures/tiny"), resolution=5)
>>> len(cells), cells.index.name
(162, 'h3')
>>> sorted(c for c in cells.columns if c.endswith("_km"))
['airports_km', 'rail_stations_km', 'zones_km']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence

import geopandas as gpd
import h3
import h3.api.basic_int as h3_int
import h3.api.numpy_int as h3_np
import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj import Geod

from valleys import settings
from valleys.dataset import Dataset
from valleys.errors import DatasetError, DatasetWarning
from valleys.features import count_columns, point_features

__all__ = [
    "BYTES_PER_CELL",
    "MAX_CELLS",
    "PARENT_RESOLUTION",
    "WARN_ABOVE_RESOLUTION",
    "cell_features",
    "cell_parents",
    "cells_in_land",
    "cells_to_polygons",
    "check_resolution",
    "estimate_cell_count",
    "grid_features",
    "grid_partitions",
    "land_geometry",
    "parent_cells",
]

#: Resolution of the parent cells that cover the land (one is about 1,770 km²): a grid of
#: resolution R is built from the children of these (of resolution min(R, 4)).
PARENT_RESOLUTION: int = 4
#: Above this resolution a grid of the whole country is warned about, with its cell count.
WARN_ABOVE_RESOLUTION: int = 9
#: The most cells the single-machine grid builds (about 8 GB at :data:`BYTES_PER_CELL`); above
#: it, use the Dask path (``partitions=``), which holds one partition per worker at a time.
MAX_CELLS: int = 20_000_000
#: Peak memory per cell of a single-machine suitability run, measured on Morocco at resolution
#: 9 (6.1 million cells, 2.4 GB at the peak of which 0.25 GB before the grid).
BYTES_PER_CELL: int = 400

_CHUNK = 1 << 20

_GEOD = Geod(ellps="WGS84")


def check_resolution(resolution: object) -> int:
    """The H3 resolution as an int, or a :class:`~valleys.errors.DatasetError`.

    >>> check_resolution(8)
    8
    >>> check_resolution(16)
    Traceback (most recent call last):
    ...
    valleys.errors.DatasetError: H3 resolution 16 is outside 0 to 15; ...
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise DatasetError(
            f"H3 resolution {resolution!r} is not a whole number; give one from 0 (cells of "
            "4.4 million km²) to 15 (cells of 0.9 m²), e.g. 8 (0.74 km²)."
        )
    if not 0 <= int(resolution) <= 15:
        raise DatasetError(
            f"H3 resolution {resolution} is outside 0 to 15; give one from 0 (cells of 4.4 "
            "million km²) to 15 (cells of 0.9 m²), e.g. 8 (0.74 km²) or 7 (5.2 km²)."
        )
    return int(resolution)


def land_geometry(dataset: Dataset) -> shapely.Geometry:
    """The land the grid covers: the union of the ``land`` layer, else of ``regions``.

    Raises
    ------
    DatasetError
        When the dataset has neither layer, or they hold no polygon.
    """
    name = "land" if "land" in dataset.layers else "regions" if "regions" in dataset.layers else None
    if name is None:
        raise DatasetError(
            f"The dataset {dataset.path} has no land to grid: the suitability grid covers the "
            "union of a 'regions' layer (or a 'land' layer) of polygons, and it has neither "
            f"(layers: {', '.join(sorted(dataset.layers))}). Add a regions or land layer."
        )
    layer = dataset.layers[name]
    geoms = layer.geometry.array
    polygonal = np.isin(
        shapely.get_type_id(geoms),
        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
    ) & ~shapely.is_empty(geoms)
    where = dataset.sources.get(name, f"{dataset.path}, layer {name}")
    if not polygonal.any():
        raise DatasetError(
            f"{where}: the {name} layer has no polygon, so there is no land to grid; give it "
            "the (Multi)Polygons of the territory."
        )
    if not polygonal.all():
        rows = np.flatnonzero(~polygonal)
        warnings.warn(
            f"{where}: the {name} layer's rows {', '.join(map(str, rows[:10]))} are not polygons "
            "and are left out of the land the grid covers.",
            DatasetWarning, stacklevel=2,
        )
    land = shapely.union_all(geoms[polygonal])
    shapely.prepare(land)
    return land


def estimate_cell_count(land: shapely.Geometry, resolution: int) -> int:
    """About how many cells the grid has: the land's geodesic area over the mean cell area.

    >>> from shapely.geometry import box
    >>> estimate_cell_count(box(-7.0, 33.0, -6.0, 34.0), 5)
    41
    """
    area_km2 = abs(_GEOD.geometry_area_perimeter(land)[0]) / 1e6
    return int(round(area_km2 / h3.average_hexagon_area(resolution, unit="km^2")))


def parent_cells(land: shapely.Geometry, resolution: int) -> np.ndarray:
    """Sorted parent cells (resolution ``min(resolution, PARENT_RESOLUTION)``) whose children
    include every cell of the grid: the cells overlapping the land and their neighbours (a
    child can stick out of its parent's hexagon)."""
    parent_res = min(resolution, PARENT_RESOLUTION)
    shape = h3.geo_to_h3shape(land)  # h3 reads its __geo_interface__
    overlapping = h3_np.h3shape_to_cells_experimental(shape, parent_res, contain="overlap")
    if len(overlapping) == 0:  # land smaller than a parent: the parents of its vertices
        xy = shapely.get_coordinates(land)
        overlapping = np.unique([h3_int.latlng_to_cell(y, x, parent_res) for x, y in xy])
    ring = [h3_np.grid_disk(int(cell), 1) for cell in overlapping]
    return np.unique(np.concatenate(ring)).astype(np.uint64)


def cells_in_land(parents: Sequence[int] | np.ndarray, land: shapely.Geometry,
                  resolution: int, *, geometry: bool = True) -> gpd.GeoDataFrame | pd.DataFrame:
    """The cells of resolution ``resolution`` under ``parents`` whose centre is in the land.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``h3`` (the cells as unsigned 64-bit integers, sorted), columns ``lon``, ``lat``
        and the centre point as geometry (EPSG:4326); with ``geometry=False`` a
        :class:`pandas.DataFrame` without it (a point is about 250 bytes a cell).
    """
    parents = np.asarray(parents, dtype=np.uint64)
    if len(parents) == 0:
        children = np.empty(0, dtype=np.uint64)
    else:
        children = np.concatenate(
            [h3_np.cell_to_children(int(p), resolution) for p in parents]
        ).astype(np.uint64)
    children = np.unique(children)
    centres = np.empty((len(children), 2))
    for start in range(0, len(children), _CHUNK):  # chunks: no list of millions of tuples
        chunk = children[start:start + _CHUNK].tolist()
        centres[start:start + len(chunk)] = list(map(h3_int.cell_to_latlng, chunk))
    inside = shapely.contains_xy(land, centres[:, 1], centres[:, 0])
    cells, lat, lon = children[inside], centres[inside, 0], centres[inside, 1]
    if not geometry:
        return pd.DataFrame({"lon": lon, "lat": lat}, index=pd.Index(cells, name="h3"))
    return gpd.GeoDataFrame(
        {"lon": lon, "lat": lat},
        geometry=gpd.points_from_xy(lon, lat),
        index=pd.Index(cells, name="h3"),
        crs=settings.WGS84,
    )


def cell_features(cells: gpd.GeoDataFrame | pd.DataFrame, dataset: Dataset, *,
                  catchment_km: float | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """The features of grid cells (the output of :func:`cells_in_land`).

    The values of :func:`valleys.features.point_features` at the cell centres, as a zone
    there gets: the distance to a point layer is a k-d tree query, and the catchment sums
    come from a radius query around each commune (pairs of commune and cell within the
    radius, a few million for Morocco at resolution 8) and a weighted ``bincount`` per column.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cells`` with ``<layer>_km`` for every point layer, ``zones_km`` and the
        ``catchment_*`` columns (when the dataset has communes), aligned to ``cells.index``;
        a :class:`pandas.DataFrame` when ``cells`` has no geometry.
        Communes with a missing count are counted as 0 without a warning here
        (:func:`grid_features` warns once).
    """
    radius = settings.CATCHMENT_RADIUS_KM if catchment_km is None else float(catchment_km)
    lon, lat = cells["lon"].to_numpy(float), cells["lat"].to_numpy(float)
    layers = {**dataset.point_layers, "zones": dataset.zones}
    out = pd.DataFrame(
        point_features(lon, lat, layers, dataset.communes, radius_km=radius, warn=False),
        index=cells.index,
    )
    if isinstance(cells, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(out, geometry=cells.geometry, crs=cells.crs)
    return out


def _prepare(dataset: Dataset, resolution: object, *, max_cells: int | None,
             catchment_km: float | None) -> tuple[int, shapely.Geometry, int]:
    resolution = check_resolution(resolution)
    if catchment_km is not None and not catchment_km > 0:
        raise DatasetError(f"The catchment radius must be a positive number of km, not {catchment_km}.")
    land = land_geometry(dataset)
    estimate = estimate_cell_count(land, resolution)
    if resolution > WARN_ABOVE_RESOLUTION:
        warnings.warn(
            f"H3 resolution {resolution} gives about {estimate:,} cells for this land "
            f"(resolution {WARN_ABOVE_RESOLUTION} gives about "
            f"{estimate_cell_count(land, WARN_ABOVE_RESOLUTION):,}); it needs about "
            f"{estimate * BYTES_PER_CELL / 1e9:,.1f} GB and a long run: prefer {WARN_ABOVE_RESOLUTION} or "
            "less, or the Dask path (partitions).",
            DatasetWarning, stacklevel=3,
        )
    if max_cells is not None and estimate > max_cells:
        raise DatasetError(
            f"H3 resolution {resolution} gives about {estimate:,} cells for this land, more than "
            f"the {max_cells:,} a single machine builds; choose a coarser resolution, or use the "
            "Dask path (partitions=N, techvalley suitability --partitions N)."
        )
    _warn_commune_gaps(dataset)
    return resolution, land, estimate


def _warn_commune_gaps(dataset: Dataset) -> None:
    communes = dataset.communes
    if communes is None:
        return
    counts = count_columns(communes)
    gaps = communes[counts].isna()
    if gaps.to_numpy().any():
        names = communes["name"] if "name" in communes.columns else pd.Series(communes.index)
        which = names.astype(str)[gaps.any(axis=1).to_numpy()].tolist()
        lacking = [c for c in counts if gaps[c].any()]
        warnings.warn(
            f"Communes layer: {len(which)} commune(s) have no value for {', '.join(lacking)} "
            f"({', '.join(which[:5])}{', ...' if len(which) > 5 else ''}); the grid's catchment "
            "sums count them as 0.",
            DatasetWarning, stacklevel=3,
        )


def grid_features(dataset: Dataset, *, resolution: int = 8, catchment_km: float | None = None,
                  max_cells: int | None = MAX_CELLS,
                  geometry: bool = True) -> gpd.GeoDataFrame | pd.DataFrame:
    """The H3 grid over the dataset's land, every cell with its features.

    Parameters
    ----------
    dataset
        A loaded dataset with a ``land`` or ``regions`` layer.
    resolution
        H3 resolution, 0 to 15 (8: cells of about 0.74 km², about 870,000 for Morocco). Above
        :data:`WARN_ABOVE_RESOLUTION` a :class:`~valleys.errors.DatasetWarning` gives the
        cell count.
    catchment_km
        The catchment radius in km; ``None``: :data:`valleys.settings.CATCHMENT_RADIUS_KM`.
    max_cells
        Refuse a grid estimated larger than this (``None``: no limit).
    geometry
        Give the cells their centre point as geometry; ``False``: a :class:`pandas.DataFrame`
        (a quarter less memory: what the suitability score needs).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``h3`` (sorted cells as unsigned integers); ``lon``, ``lat``, the features of
        :func:`cell_features`, and the centre point as geometry.

    Raises
    ------
    DatasetError
        A resolution outside 0 to 15, a dataset with no land to grid, too many cells.
    """
    resolution, land, _ = _prepare(dataset, resolution, max_cells=max_cells,
                                   catchment_km=catchment_km)
    cells = cells_in_land(parent_cells(land, resolution), land, resolution, geometry=geometry)
    return cell_features(cells, dataset, catchment_km=catchment_km)


def grid_partitions(dataset: Dataset, *, resolution: int = 8, partitions: int = 8,
                    catchment_km: float | None = None) -> Iterator[tuple[np.ndarray, shapely.Geometry]]:
    """Split the grid into ``partitions`` runs of parent cells (sorted, so each run is compact).

    Yields ``(parents, land)`` pairs; ``cell_features(cells_in_land(parents, land, resolution),
    dataset)`` computes one partition, and the partitions together are :func:`grid_features`.
    Checks as :func:`grid_features` does, without the cell limit.
    """
    if isinstance(partitions, bool) or not isinstance(partitions, (int, np.integer)) or partitions < 1:
        raise DatasetError(f"partitions must be a whole number >= 1, not {partitions!r}.")
    resolution, land, _ = _prepare(dataset, resolution, max_cells=None, catchment_km=catchment_km)
    parents = parent_cells(land, resolution)
    for chunk in np.array_split(parents, min(int(partitions), max(1, len(parents)))):
        yield chunk, land


def cell_parents(cells: np.ndarray, resolution: int) -> np.ndarray:
    """The parents of resolution ``resolution`` of cells (unsigned 64-bit H3 integers, all of
    a resolution >= ``resolution``), vectorised: H3 writes a parent as its child with the
    resolution field lowered and the finer digits set to 7.

    >>> cell = h3_int.latlng_to_cell(34.0, -6.8, 9)
    >>> int(cell_parents(np.array([cell], dtype=np.uint64), 5)[0]) == h3_int.cell_to_parent(cell, 5)
    True
    """
    cells = np.asarray(cells, dtype=np.uint64)
    resolution_bits = np.uint64(0xF) << np.uint64(52)
    finer_digits = np.uint64((1 << ((15 - resolution) * 3)) - 1)
    return (cells & ~resolution_bits) | (np.uint64(resolution) << np.uint64(52)) | finer_digits


def cells_to_polygons(cells: Sequence[int] | np.ndarray) -> shapely.Geometry:
    """The union of cells as one (Multi)Polygon (H3 traces the outline; holes kept).

    >>> cell = h3_int.latlng_to_cell(34.0, -6.8, 6)
    >>> cells_to_polygons(h3_int.grid_disk(cell, 1)).geom_type
    'Polygon'
    """
    shape = h3_int.cells_to_h3shape([int(c) for c in cells])
    return shapely.geometry.shape(shape.__geo_interface__)
