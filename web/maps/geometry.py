"""Geometry for the page: simplification (in metric CRSs), rounding, GeoJSON features, the
packed polygon form (``techvalley.unpack`` in the browser), points, bounds and distances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleys import settings as valleys_settings
from web.maps.escaping import _js_json
from web.maps.values import _column, _number


def _metric_crs_masks(geoms: gpd.GeoSeries) -> list[tuple[pd.Series, str]]:
    lat = geoms.representative_point().y
    north = lat >= valleys_settings.METRIC_CRS_SPLIT_LAT
    return [
        (north, valleys_settings.METRIC_CRS_NORTH),
        (~north, valleys_settings.METRIC_CRS_SOUTH),
    ]


def _polygonal(geom: Any) -> Any:
    """The polygons of a geometry (a repaired polygon may come back as a collection)."""
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else None


def _simplified(geoms: gpd.GeoSeries, tolerance_m: float, *, coverage: bool) -> gpd.GeoSeries:
    """Simplify in the metric CRSs of the conventions; a coverage keeps shared edges shared."""
    geoms = geoms.set_crs(valleys_settings.WGS84, allow_override=True)
    if coverage:
        geoms = gpd.GeoSeries([_polygonal(g) for g in geoms], index=geoms.index, crs=geoms.crs)
    if tolerance_m <= 0 or geoms.empty:
        return geoms
    out = geoms.copy()
    for mask, crs in _metric_crs_masks(geoms):
        if not mask.any():
            continue
        part = geoms[mask].to_crs(crs)
        values = part.values
        if coverage:
            try:
                simple = shapely.coverage_simplify(np.asarray(values), tolerance_m)
            except (shapely.errors.GEOSException, TypeError):  # not a coverage: one by one
                simple = shapely.simplify(np.asarray(values), tolerance_m, preserve_topology=True)
        else:
            simple = shapely.simplify(np.asarray(values), tolerance_m, preserve_topology=True)
        out[mask] = gpd.GeoSeries(simple, index=part.index, crs=crs).to_crs(valleys_settings.WGS84)
    return out


def _rounded(geoms: Sequence, decimals: int) -> np.ndarray:
    return shapely.transform(np.asarray(geoms, dtype=object), lambda xy: np.round(xy, decimals))


def _features(
    geoms: Sequence, properties: Sequence[Mapping[str, Any]], *, decimals: int
) -> list[dict]:
    """GeoJSON features (rounded coordinates); empty geometries cannot be drawn and are left out."""
    out = []
    for geom, props in zip(_rounded(geoms, decimals), properties, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        out.append(
            {
                "type": "Feature",
                "properties": dict(props),
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return out


def _pack_ring(ring: np.ndarray, scale: int) -> list[int] | None:
    """A ring as [x0, y0, dx1, dy1, ...] in integer units of 1/scale degree (None if collapsed)."""
    q = np.round(np.asarray(ring)[:, :2] * scale).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)  # repeated points after rounding
    q = q[keep]
    if len(q) < 4:
        return None
    deltas = np.vstack([q[:1], np.diff(q, axis=0)])
    return deltas.ravel().tolist()


def _pack_polygon(polygon: shapely.Polygon, scale: int) -> list[list[int]] | None:
    exterior = _pack_ring(shapely.get_coordinates(polygon.exterior), scale)
    if exterior is None:
        return None
    rings = [exterior]
    for interior in polygon.interiors:
        ring = _pack_ring(shapely.get_coordinates(interior), scale)
        if ring is not None:
            rings.append(ring)
    return rings


def _packed_features(
    geoms: Sequence, properties: Sequence[Mapping[str, Any]], *, decimals: int
) -> str:
    """Polygons as escaped JSON in our packed form (``techvalley.unpack`` in the browser).

    Coordinates are integers of 10**-decimals degree, each ring delta-encoded: about a third of
    the size of GeoJSON with rounded coordinates. ``{"packed": 1, "scale": s, "features":
    [[properties, [polygon, ...]], ...]}`` where a polygon is a list of rings.
    """
    scale = 10**decimals
    features = []
    for geom, props in zip(geoms, properties, strict=True):
        if geom is None or shapely.is_empty(geom):
            continue
        parts = shapely.get_parts(geom)
        polygons = [
            packed
            for part in parts
            if part.geom_type == "Polygon" and (packed := _pack_polygon(part, scale)) is not None
        ]
        if polygons:
            features.append([dict(props), polygons])
    return _js_json({"packed": 1, "scale": scale, "features": features})


def _points(sites: pd.DataFrame) -> list[shapely.Point | None]:
    """A zone's point: its ``lon``/``lat`` (representative point), else its geometry's."""
    lons, lats = _column(sites, "lon"), _column(sites, "lat")
    geoms = sites.geometry if isinstance(sites, gpd.GeoDataFrame) else [None] * len(sites)
    out: list[shapely.Point | None] = []
    for lon, lat, geom in zip(lons, lats, geoms, strict=True):
        lon, lat = _number(lon), _number(lat)
        if lon is not None and lat is not None:
            out.append(shapely.Point(lon, lat))
        elif geom is not None and not shapely.is_empty(geom):
            out.append(geom.representative_point())
        else:
            out.append(None)
    return out


def _bounds(points: Sequence[shapely.Point | None]) -> list[list[float]] | None:
    usable = [p for p in points if p is not None]
    if not usable:
        return None
    xs = [p.x for p in usable]
    ys = [p.y for p in usable]
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def _dataset_bounds(dataset: Any) -> list[list[float]] | None:
    regions = getattr(dataset, "regions", None)
    if regions is None or len(regions) == 0:
        return None
    west, south, east, north = (float(v) for v in regions.total_bounds)
    return [[south, west], [north, east]]


def _haversine_km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = (np.radians(v) for v in (lon1, lat1, lon2, lat2))
    a = (
        np.sin((y2 - y1) / 2) ** 2
        + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    )
    return 2 * valleys_settings.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
