"""Per-site features: distances to the nearest feature of each layer, and talent catchments.

Distances are great-circle km on a sphere of the mean Earth radius
(:data:`valleys.settings.EARTH_RADIUS_KM`), within 0.45% of the WGS84 geodesic between 21°N
and 36°N (0.3% around Rabat; worst for north-south lines in the far south). Searches run on
points as 3-D unit vectors in a k-d tree (scipy's ``cKDTree``): the chord between two unit
vectors grows with the great-circle angle, so the nearest by chord is the nearest by great
circle, and a chord radius is an exact great-circle radius. No Python loop runs over sites
times features.

For a line or polygon layer, the nearest point of the nearest geometry is found in the metric
projection of the project's convention (EPSG:26191 north of 31.5°N, EPSG:26192 south), which is
conformal, after densifying edges to 1 km (an edge is straight in longitude/latitude, as stored);
the distance to that point is then measured on the sphere. A zone inside a polygon is 0 km
from it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse
import shapely
from scipy.spatial import cKDTree

from valleys import settings
from valleys.dataset import Dataset
from valleys.errors import DatasetError, DatasetWarning
from valleys.validation import numeric_columns

#: Census shares (percent) recomputed in a catchment from counts: share -> (numerator,
#: denominator). Literacy is counted among residents aged 10 and over, higher education and
#: unemployment among the population aged 15 and over and the labour force.
SHARE_DEFINITIONS: Mapping[str, tuple[str, str]] = {
    "unemployment_pct": ("labour_unemployed", "labour_active"),
    "french_literate_pct": ("french_literate", "population_10_plus"),
    "english_literate_pct": ("english_literate", "population_10_plus"),
    "higher_education_pct": ("higher_education", "population_15_plus"),
}

#: Suffixes of shares (not summed in catchments).
SHARE_SUFFIXES: tuple[str, ...] = ("_pct", "_share", "_rate")

#: Numeric commune columns that are not counts (identifiers, coordinates, densities).
_NOT_COUNTS = frozenset({"id", "code", "lon", "lat", "x", "y", "density"})
_NOT_COUNT_SUFFIXES = ("_code", "_id", "_per_km2", "_density", "_year", "_lon", "_lat")

#: Longest edge (degrees, about 1 km) kept when a line or polygon is projected.
_SEGMENT_DEG = 0.01


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Points (degrees) as 3-D unit vectors, shape (n, 3).

    >>> unit_vectors(np.array([0.0, 90.0]), np.array([0.0, 0.0])).round(12)
    array([[1., 0., 0.],
           [0., 1., 0.]])
    """
    lon_r, lat_r = np.radians(lon), np.radians(lat)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Chord length between unit vectors -> great-circle km."""
    return 2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0)) * settings.EARTH_RADIUS_KM


def km_to_chord(km: float) -> float:
    """Great-circle km -> chord length between unit vectors."""
    return float(2.0 * np.sin(min(km / settings.EARTH_RADIUS_KM, np.pi) / 2.0))


def haversine_km(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle km between points given in degrees (element-wise).

    >>> round(float(haversine_km(np.array(-6.8), np.array(34.0), np.array(-7.6), np.array(33.6))), 1)
    86.3
    """
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2.0 * settings.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def representative_points(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Points stay; other geometries become a point guaranteed inside them (shapely's
    ``point_on_surface``). Expects EPSG:4326; aligned to ``geometry.index``."""
    geoms = geometry.array
    is_point = shapely.get_type_id(geoms) == shapely.GeometryType.POINT
    if is_point.all():
        return geometry
    out = np.asarray(geoms).copy()
    out[~is_point] = shapely.point_on_surface(out[~is_point])
    return gpd.GeoSeries(out, index=geometry.index, crs=geometry.crs)


def _lon_lat(points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    coords = shapely.get_coordinates(representative_points(points).array)
    if len(coords) != len(points) or shapely.is_empty(points.array).any():
        raise DatasetError("Every site needs a non-empty geometry to compute its features.")
    return coords[:, 0], coords[:, 1]


def _nearest_on_geometries_km(
    lon: np.ndarray, lat: np.ndarray, layer: gpd.GeoDataFrame
) -> np.ndarray:
    """Great-circle km to the nearest point of the nearest (line/polygon) geometry."""
    out = np.full(len(lon), np.nan)
    north = lat >= settings.METRIC_CRS_SPLIT_LAT
    for crs, chosen in ((settings.METRIC_CRS_NORTH, north), (settings.METRIC_CRS_SOUTH, ~north)):
        if not chosen.any():
            continue
        # densify first: an edge is straight in longitude/latitude (as stored), not in the
        # projection, and long edges bend apart by km
        dense = shapely.segmentize(layer.geometry.array, _SEGMENT_DEG)
        targets = gpd.GeoSeries(dense, crs=layer.crs).to_crs(crs).array
        sites = gpd.GeoSeries(gpd.points_from_xy(lon[chosen], lat[chosen]), crs=settings.WGS84)
        sites = sites.to_crs(crs).array
        tree = shapely.STRtree(targets)
        site_idx, target_idx = tree.query_nearest(sites, all_matches=False)
        order = np.argsort(site_idx)
        nearest = shapely.shortest_line(sites[site_idx[order]], targets[target_idx[order]])
        ends = shapely.get_coordinates(shapely.get_point(nearest, 1))
        ends_lonlat = gpd.GeoSeries(gpd.points_from_xy(ends[:, 0], ends[:, 1]), crs=crs)
        ends_lonlat = shapely.get_coordinates(ends_lonlat.to_crs(settings.WGS84).array)
        km = haversine_km(lon[chosen], lat[chosen], ends_lonlat[:, 0], ends_lonlat[:, 1])
        km[shapely.length(nearest) == 0] = 0.0  # on or inside the geometry (not a round-off)
        out[chosen] = km
    return out


def nearest_km(points: gpd.GeoSeries, layer: gpd.GeoDataFrame) -> pd.Series:
    """Great-circle km from each point to the nearest feature of ``layer``.

    Parameters
    ----------
    points
        Sites in EPSG:4326 (polygons are taken at their representative point).
    layer
        Features in EPSG:4326: points, lines or polygons (the nearest point of the geometry).

    Returns
    -------
    pandas.Series
        Aligned to ``points.index``; NaN when the layer has no feature.

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> airports = gpd.GeoDataFrame(geometry=[Point(-6.7515, 34.0515)], crs="EPSG:4326")
    >>> nearest_km(gpd.GeoSeries([Point(-6.735, 34.03)], crs="EPSG:4326"), airports).round(2)
    0    2.83
    dtype: float64
    """
    geoms = layer.geometry.array
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(points) == 0 or not usable.any():
        return pd.Series(np.nan, index=points.index, dtype=float)
    layer = layer[usable]
    lon, lat = _lon_lat(points)
    if (shapely.get_type_id(layer.geometry.array) == shapely.GeometryType.POINT).all():
        coords = shapely.get_coordinates(layer.geometry.array)
        tree = cKDTree(unit_vectors(coords[:, 0], coords[:, 1]))
        chord, _ = tree.query(unit_vectors(lon, lat), k=1, workers=-1)
        km = chord_to_km(chord)
    else:
        km = _nearest_on_geometries_km(lon, lat, layer)
    return pd.Series(km, index=points.index, dtype=float)


def count_columns(communes: pd.DataFrame) -> list[str]:
    """The numeric columns of a communes layer that are counts (summed in a catchment):
    numeric columns that are not shares (``_pct``...), identifiers, coordinates or densities.

    >>> count_columns(pd.DataFrame({"code": [1], "population": [5], "unemployment_pct": [1.0],
    ...                             "area_km2": [2.0], "province_code": [3]}))
    ['population', 'area_km2']
    """
    return [
        c for c in numeric_columns(communes)
        if c not in _NOT_COUNTS and not c.endswith(SHARE_SUFFIXES + _NOT_COUNT_SUFFIXES)
    ]


def within_radius_matrix(
    points: gpd.GeoSeries, targets: gpd.GeoSeries, *, radius_km: float
) -> scipy.sparse.csr_array:
    """Sparse (n_points, n_targets) 0/1 matrix: target's representative point within
    ``radius_km`` (great-circle) of the point's."""
    lon, lat = _lon_lat(points)
    t_lon, t_lat = _lon_lat(targets)
    site_tree = cKDTree(unit_vectors(lon, lat))
    target_tree = cKDTree(unit_vectors(t_lon, t_lat))
    found = site_tree.sparse_distance_matrix(
        target_tree, km_to_chord(radius_km), output_type="ndarray"
    )
    data = np.ones(len(found), dtype=float)
    return scipy.sparse.csr_array(
        (data, (found["i"], found["j"])), shape=(len(lon), len(t_lon))
    )


def catchment(
    points: gpd.GeoSeries,
    communes: gpd.GeoDataFrame,
    *,
    radius_km: float = settings.CATCHMENT_RADIUS_KM,
) -> pd.DataFrame:
    """Talent catchment of each point: census counts summed over the communes whose
    representative point lies within ``radius_km``, and shares recomputed from the sums.

    Parameters
    ----------
    points
        Sites in EPSG:4326 (polygons are taken at their representative point).
    communes
        Polygons (EPSG:4326) with count columns and optional share (``_pct``) columns.
    radius_km
        The catchment radius, great-circle km.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``points.index``: ``catchment_<count>`` for every count column
        (:func:`count_columns`), and ``catchment_<share>`` for every share of
        :data:`SHARE_DEFINITIONS` whose counts exist (100 * numerator / denominator). Another
        share (a numeric column ending in ``_pct``, ``_share`` or ``_rate``) is averaged
        weighted by ``population`` when the layer has it; otherwise
        it is not computed, with a :class:`~valleys.errors.DatasetWarning`. A share with a
        zero denominator is NaN.
    """
    if not radius_km > 0:
        raise DatasetError(f"The catchment radius must be a positive number of km, not {radius_km}.")
    counts = count_columns(communes)
    shares = [c for c in numeric_columns(communes) if c.endswith(SHARE_SUFFIXES)]
    matrix = within_radius_matrix(points, communes.geometry, radius_km=radius_km)
    values = communes[counts].astype(float)
    gaps = values.isna().to_numpy()
    touched = (matrix @ gaps.astype(float)) > 0  # (points, counts): a catchment with a gap
    if touched.any():
        lacking = [c for c, t in zip(counts, touched.any(axis=0), strict=True) if t]
        names = communes["name"] if "name" in communes.columns else pd.Series(communes.index)
        which = names.astype(str).to_numpy()[gaps.any(axis=1) & ((matrix.T @ touched.any(axis=1)) > 0)]
        warnings.warn(
            f"Communes layer: {len(which)} commune(s) in the catchment of "
            f"{int(touched.any(axis=1).sum())} site(s) have no value for {', '.join(lacking)} "
            f"({', '.join(which[:5])}{', ...' if len(which) > 5 else ''}); the catchment sums "
            "count it as 0.",
            DatasetWarning, stacklevel=2,
        )
    sums = matrix @ values.fillna(0.0).to_numpy()
    out = pd.DataFrame(sums, index=points.index, columns=[f"catchment_{c}" for c in counts])
    for share, (numerator, denominator) in SHARE_DEFINITIONS.items():
        if numerator in counts and denominator in counts:
            num, den = out[f"catchment_{numerator}"], out[f"catchment_{denominator}"]
            out[f"catchment_{share}"] = (100.0 * num / den.where(den > 0)).astype(float)
    not_computed = []
    for share in shares:
        if f"catchment_{share}" in out.columns:
            continue
        if "population" in counts:
            pct = communes[share].astype(float)
            weight = communes["population"].astype(float).where(pct.notna(), 0.0).fillna(0.0)
            num = matrix @ (pct.fillna(0.0) * weight).to_numpy()
            den = matrix @ weight.to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"catchment_{share}"] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        else:
            not_computed.append(share)
    if not_computed:
        warnings.warn(
            f"Communes layer: no catchment value for {', '.join(not_computed)}: a share is "
            "recomputed from counts (valleys.features.SHARE_DEFINITIONS) or weighted by a "
            "'population' column, and the layer has neither.",
            DatasetWarning, stacklevel=2,
        )
    return out


def site_features(dataset: Dataset, *, catchment_km: float | None = None) -> gpd.GeoDataFrame:
    """The zones of a dataset with their features.

    Parameters
    ----------
    dataset
        A loaded dataset (:func:`valleys.load_dataset`).
    catchment_km
        The catchment radius in km; ``None`` means :data:`valleys.settings.CATCHMENT_RADIUS_KM`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone, indexed by the zone ``id`` (text; the ``id`` column is kept): every
        attribute, ``lon``/``lat`` of the representative point, ``<layer>_km`` for every layer
        of :attr:`~valleys.dataset.Dataset.point_layers`, and the ``catchment_*`` columns when
        the dataset has a ``communes`` layer.

    Examples
    --------
    >>> from valleys.dataset import load_dataset
    >>> sites = site_features(load_dataset("tests/fixtures/tiny"))
    >>> sites.loc["technopolis", ["airports_km", "rail_stations_km"]].round(1).tolist()
    [2.8, 9.5]
    """
    radius = settings.CATCHMENT_RADIUS_KM if catchment_km is None else catchment_km
    zones = dataset.zones
    sites = zones.copy()
    sites.index = pd.Index(zones["id"].astype(str).to_numpy())
    points = representative_points(sites.geometry)
    lon, lat = _lon_lat(points)
    features: dict[str, pd.Series] = {
        "lon": pd.Series(lon, index=sites.index),
        "lat": pd.Series(lat, index=sites.index),
    }
    for name, layer in dataset.point_layers.items():
        features[f"{name}_km"] = nearest_km(points, layer)
    frame = pd.DataFrame(features, index=sites.index)
    if dataset.communes is not None:
        frame = frame.join(catchment(points, dataset.communes, radius_km=radius))
    clashes = [c for c in frame.columns if c in sites.columns]
    if clashes:
        warnings.warn(
            f"Zones layer: the columns {', '.join(clashes)} are computed features; the zones' "
            "own values are replaced.",
            DatasetWarning, stacklevel=2,
        )
        sites = sites.drop(columns=clashes)
    geometry_name = sites.geometry.name
    attributes = sites.drop(columns=geometry_name)
    out = gpd.GeoDataFrame(
        pd.concat([attributes, frame, sites[[geometry_name]]], axis=1),
        geometry=geometry_name, crs=zones.crs,
    )
    # where the figures come from: shortlists and exports record it
    out.attrs.update(path=dataset.path, version=dataset.version, sources=dict(dataset.sources))
    return out
