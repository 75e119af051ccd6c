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

One implementation serves zones and grid cells: :func:`point_features` (with
:func:`nearest_km_at` and :func:`catchment_at`) takes longitudes and latitudes as arrays and
gives arrays; :func:`site_features`, :func:`nearest_km` and :func:`catchment` (zones, pandas)
and :func:`valleys.grid.cell_features` (H3 cells) call it. A catchment is a radius query
around each commune on a k-d tree of the points, summed with ``bincount``
(:func:`sum_within_km`): no points-by-communes matrix.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from valleys import settings
from valleys.dataset import Dataset
from valleys.errors import DatasetError, DatasetWarning
from valleys.fact_values import measured_layer
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
#: Targets (communes) per radius query of :func:`sum_within_km`.
_TARGET_CHUNK = 256


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


def _lon_lat(points: gpd.GeoSeries, *, what: str = "site") -> tuple[np.ndarray, np.ndarray]:
    coords = shapely.get_coordinates(representative_points(points).array)
    if len(coords) != len(points) or shapely.is_empty(points.array).any():
        raise DatasetError(f"Every {what} needs a non-empty geometry to compute its features.")
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


# --------------------------------------------------------------------------------------------
# The one implementation (arrays in, arrays out): zones (site_features) and grid cells
# (valleys.grid) both call these.



def nearest_km_at(
    lon: np.ndarray, lat: np.ndarray, layer: gpd.GeoDataFrame, *, xyz: np.ndarray | None = None
) -> np.ndarray:
    """Great-circle km from points (degrees) to the nearest feature of ``layer``.

    Parameters
    ----------
    lon, lat
        The points, degrees (n,).
    layer
        Features in EPSG:4326: points (a k-d tree query on unit vectors), or lines and polygons
        (the nearest point of the nearest geometry, see the module's notes).
    xyz
        The points' :func:`unit_vectors`, when the caller has them already (many layers).

    Returns
    -------
    numpy.ndarray
        (n,) km; NaN everywhere when the layer has no usable (non-empty) feature.

    >>> from shapely.geometry import Point
    >>> rba = gpd.GeoDataFrame(geometry=[Point(-6.7515, 34.0515)], crs="EPSG:4326")
    >>> nearest_km_at(np.array([-6.735]), np.array([34.03]), rba).round(2)
    array([2.83])
    """
    geoms = layer.geometry.array
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(lon) == 0 or not usable.any():
        return np.full(len(lon), np.nan)
    if not (shapely.get_type_id(geoms[usable]) == shapely.GeometryType.POINT).all():
        return _nearest_on_geometries_km(lon, lat, layer[usable])
    coords = shapely.get_coordinates(geoms[usable])
    xyz = unit_vectors(lon, lat) if xyz is None else xyz
    chord, _ = cKDTree(unit_vectors(coords[:, 0], coords[:, 1])).query(xyz, k=1, workers=-1)
    return chord_to_km(np.asarray(chord))  # an array: xyz is 2-D


def sum_within_km(
    xyz: np.ndarray, targets: np.ndarray, weights: np.ndarray, *, radius_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the sum of the weights of the targets within ``radius_km`` of it.

    A radius query around each target (a chunk of targets at a time) on a k-d tree of the
    points, summed into the points with a weighted ``bincount`` per column: no
    points-by-targets matrix, dense or sparse (a few million pairs for Morocco's communes and
    its H3 cells of resolution 8).

    Parameters
    ----------
    xyz, targets
        Unit vectors (:func:`unit_vectors`) of the points (n, 3) and of the targets (m, 3).
    weights
        (m, k) the targets' values (no NaN).
    radius_km
        Great-circle km (a chord radius on unit vectors is an exact great-circle radius).

    Returns
    -------
    sums : numpy.ndarray
        (n, k) the sums.
    reached : numpy.ndarray
        (m,) how many points each target is within the radius of.

    >>> xyz = unit_vectors(np.array([-6.8, -7.6]), np.array([34.0, 33.6]))
    >>> targets = unit_vectors(np.array([-6.85, -6.5]), np.array([34.0, 34.2]))
    >>> sums, reached = sum_within_km(xyz, targets, np.array([[1.0], [10.0]]), radius_km=40)
    >>> sums.ravel().tolist(), reached.tolist()
    ([11.0, 0.0], [1, 1])
    """
    n, m = len(xyz), len(targets)
    sums = np.zeros((n, weights.shape[1]), order="F")  # columns contiguous: summed one by one
    reached = np.zeros(m, dtype=np.int64)
    if n == 0 or m == 0:
        return sums, reached
    tree = cKDTree(xyz)
    chord = km_to_chord(radius_km)
    # targets a chunk at a time: the (target, point) pairs of a chunk, Python lists, stay
    # small (about 36 million pairs for Morocco's communes and its cells of resolution 9)
    for start in range(0, m, _TARGET_CHUNK):
        stop = min(start + _TARGET_CHUNK, m)
        found = tree.query_ball_point(targets[start:stop], chord, return_sorted=False, workers=-1)
        sizes = np.fromiter(map(len, found), dtype=np.int64, count=len(found))
        reached[start:stop] = sizes
        point_of_pair = np.concatenate(
            [np.asarray(f, dtype=np.int64) for f in found] + [np.empty(0, dtype=np.int64)]
        )
        for j in range(weights.shape[1]):
            sums[:, j] += np.bincount(
                point_of_pair, weights=np.repeat(weights[start:stop, j], sizes), minlength=n
            )
    return sums, reached


def catchment_at(
    lon: np.ndarray,
    lat: np.ndarray,
    communes: gpd.GeoDataFrame,
    *,
    radius_km: float,
    xyz: np.ndarray | None = None,
    warn: bool = True,
) -> dict[str, np.ndarray]:
    """The catchment columns of :func:`catchment` at points given in degrees, as arrays.

    ``warn=False`` leaves out the warnings about communes with a missing count and shares
    that cannot be computed (:func:`valleys.grid.grid_features` warns once for the whole
    grid instead of once per partition).
    """
    if not radius_km > 0:
        raise DatasetError(f"The catchment radius must be a positive number of km, not {radius_km}.")
    counts = count_columns(communes)
    shares = [c for c in numeric_columns(communes) if c.endswith(SHARE_SUFFIXES)]
    recomputed = [
        share for share, (numerator, denominator) in SHARE_DEFINITIONS.items()
        if numerator in counts and denominator in counts
    ]
    weighted = [s for s in shares if s not in recomputed] if "population" in counts else []
    values = communes[counts].astype(float)
    columns = [values.fillna(0.0).to_numpy()]
    for share in weighted:  # another share: averaged weighted by population
        pct = communes[share].astype(float)
        weight = communes["population"].astype(float).where(pct.notna(), 0.0).fillna(0.0)
        columns.append(np.column_stack([(pct.fillna(0.0) * weight).to_numpy(), weight.to_numpy()]))
    gaps = values.isna().to_numpy()
    if warn:
        columns.append(gaps.astype(float))
    c_lon, c_lat = _lon_lat(communes.geometry, what="commune")
    sums, reached = sum_within_km(
        unit_vectors(lon, lat) if xyz is None else xyz,
        unit_vectors(c_lon, c_lat),
        np.column_stack(columns) if columns else np.empty((len(communes), 0)),
        radius_km=radius_km,
    )
    out = {f"catchment_{c}": sums[:, i] for i, c in enumerate(counts)}
    for share in recomputed:
        numerator, denominator = SHARE_DEFINITIONS[share]
        num, den = out[f"catchment_{numerator}"], out[f"catchment_{denominator}"]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"catchment_{share}"] = np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1), np.nan)
    for i, share in enumerate(weighted):
        num, den = sums[:, len(counts) + 2 * i], sums[:, len(counts) + 2 * i + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"catchment_{share}"] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    if warn:
        touched = sums[:, -len(counts):] > 0 if counts else np.zeros((len(sums), 0), bool)
        _warn_gaps(communes, counts, gaps, touched, reached)
        not_computed = [s for s in shares if s not in recomputed and s not in weighted]
        if not_computed:
            warnings.warn(
                f"Communes layer: no catchment value for {', '.join(not_computed)}: a share is "
                "recomputed from counts (valleys.features.SHARE_DEFINITIONS) or weighted by a "
                "'population' column, and the layer has neither.",
                DatasetWarning, stacklevel=3,
            )
    return out


def _warn_gaps(communes: pd.DataFrame, counts: list[str], gaps: np.ndarray, touched: np.ndarray,
               reached: np.ndarray) -> None:
    """Warn about communes with a missing count that are in some point's catchment."""
    if not touched.any():
        return
    lacking = [c for c, t in zip(counts, np.asarray(touched.any(axis=0), dtype=bool), strict=True) if t]
    names = communes["name"] if "name" in communes.columns else pd.Series(communes.index)
    which = names.astype(str).to_numpy()[gaps.any(axis=1) & (reached > 0)]
    warnings.warn(
        f"Communes layer: {len(which)} commune(s) in the catchment of "
        f"{int(touched.any(axis=1).sum())} site(s) have no value for {', '.join(lacking)} "
        f"({', '.join(which[:5])}{', ...' if len(which) > 5 else ''}); the catchment sums "
        "count it as 0.",
        DatasetWarning, stacklevel=4,
    )


def point_features(
    lon: np.ndarray,
    lat: np.ndarray,
    layers: Mapping[str, gpd.GeoDataFrame],
    communes: gpd.GeoDataFrame | None,
    *,
    radius_km: float,
    warn: bool = True,
) -> dict[str, np.ndarray]:
    """Every feature of points given in degrees: what a zone and a grid cell get.

    Returns
    -------
    dict
        ``lon``, ``lat``, ``<name>_km`` for every layer of ``layers`` (:func:`nearest_km_at`,
        to :func:`valleys.fact_values.measured_layer`: civil airports with scheduled flights),
        and the catchment columns (:func:`catchment_at`) when ``communes`` is given; arrays
        of the points' length. The points' unit vectors are computed once for them all.
    """
    xyz = unit_vectors(lon, lat)
    out: dict[str, np.ndarray] = {"lon": lon, "lat": lat}
    for name, layer in layers.items():
        out[f"{name}_km"] = nearest_km_at(lon, lat, measured_layer(name, layer), xyz=xyz)
    if communes is not None:
        out.update(catchment_at(lon, lat, communes, radius_km=radius_km, xyz=xyz, warn=warn))
    return out


# --------------------------------------------------------------------------------------------
# Zones: GeoSeries in, pandas out


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
    if len(points) == 0:
        return pd.Series(np.nan, index=points.index, dtype=float)
    lon, lat = _lon_lat(points)
    return pd.Series(nearest_km_at(lon, lat, layer), index=points.index, dtype=float)


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
    lon, lat = _lon_lat(points)
    return pd.DataFrame(catchment_at(lon, lat, communes, radius_km=radius_km), index=points.index)


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
    lon, lat = _lon_lat(sites.geometry)
    frame = pd.DataFrame(
        point_features(lon, lat, dataset.point_layers, dataset.communes, radius_km=radius),
        index=sites.index,
    )
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
