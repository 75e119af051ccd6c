"""GeoJSON: a FeatureCollection in WGS84, one feature per zone with its own geometry."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from matching.export.sections import flat_rows
from matching.export.view import ExportError, read_shortlist


def to_geojson(shortlist: dict, sites: Any = None, *, top: int | None = None, lang: str = "en") -> str:
    """A GeoJSON FeatureCollection (WGS84) with one feature per zone, ranked then excluded.

    The geometry is the zone's own (point or polygon) from ``sites``, which is required; the
    properties are the flat columns of :func:`to_csv` (without the formula prefix); the
    feature ``id`` is the zone id.
    """
    import geopandas as gpd

    view = read_shortlist(shortlist, sites, top=None, lang=lang, need_sites=True, machine=True)
    assert view.sites is not None
    frame = flat_rows(view, view.ranked, with_location=True)
    if frame.empty:
        return json.dumps({"type": "FeatureCollection", "features": []}) + "\n"
    frame.index = pd.Index(frame["id"].tolist())
    geometry = gpd.GeoSeries(view.sites.geometry.loc[frame.index].values, index=frame.index,
                             crs=view.sites.crs)
    gdf = gpd.GeoDataFrame(frame.astype(object).where(frame.notna(), None), geometry=geometry)
    if gdf.crs is None:
        raise ExportError("The sites have no CRS: load them with valleys.load_sites (EPSG:4326).")
    return gdf.to_json(na="null", drop_id=False, to_wgs84=True, ensure_ascii=False) + "\n"
