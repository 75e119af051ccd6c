"""Check a dataset against the dataset contract, and say every problem, not only the first.

:func:`validate` reports and repairs nothing: errors (the dataset cannot be used as it is) and
warnings (it can, but something looks wrong), one :class:`Problem` each, naming the file, the
layer, the row and the column. :func:`check_layers` is the same check on layers already read;
:func:`valleys.load_dataset` uses it before repairing what can be repaired.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from valleys import fact_values as facts
from valleys import settings
from valleys.errors import DatasetError
from valleys.sources import LayerSource, discover_layers, read_layer

#: Numeric columns of the shipped dataset (zones and census), numeric whatever their values.
SHIPPED_NUMERIC_COLUMNS: frozenset[str] = frozenset(
    {
        "area_ha", "office_floor_m2", "available_m2", "rent_mad_m2_month", "students",
        "population", "population_10_plus", "population_15_plus", "labour_active",
        "labour_employed", "labour_unemployed", "french_literate", "english_literate",
        "higher_education", "unemployment_pct", "french_literate_pct", "english_literate_pct",
        "higher_education_pct",
    }
)

#: A column whose name ends in a unit is numeric.
UNIT_SUFFIXES: tuple[str, ...] = (
    "_km", "_km2", "_m", "_m2", "_ha", "_mad", "_eur", "_usd", "_pct", "_count", "_month",
    "_year", "_years", "_min", "_seats", "_jobs",
)

#: Columns that are never criteria, even when their values look like numbers: identifiers and
#: the shipped dataset's text columns (``opened`` holds years and dates alike).
NEVER_NUMERIC: frozenset[str] = frozenset(
    {
        "id", "name", "geometry", "code", "city", "commune", "commune_code", "province",
        "region", "operator", "status", "opened", "activities", "shared_services",
        "incentive_zone_class", "location_precision", "location_note", "notes", "source",
        "rent_note", "students_note", "census_match", *facts.AIRPORT_SERVICE_COLUMNS,
    }
)

#: Geometry types a zone may have (the contract); others are warned about.
ZONE_GEOMETRY_TYPES: frozenset[str] = frozenset({"Point", "Polygon", "MultiPolygon"})

#: Layers that give no ``<layer>_km`` feature (see :attr:`valleys.dataset.Dataset.point_layers`).
BASE_LAYERS: frozenset[str] = frozenset({"zones", "communes", "regions", "land"})

#: How far (degrees, about 20 km) a zone may lie outside the ``regions`` layer before a warning.
REGIONS_TOLERANCE_DEG: float = 0.2

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem of a dataset.

    Attributes
    ----------
    level
        ``"error"`` (the dataset breaks the contract) or ``"warning"``.
    file
        The file (or dataset path) concerned.
    layer, row, column
        Where: the layer name, the row (the zone ``id``, or the 1-based row number when there
        is no usable id) and the column, each ``None`` when it does not apply.
    message
        What is wrong and what to do.
    kind
        A short machine name (``"no-crs"``, ``"invalid-geometry"``, ``"text-in-numeric"``...).

    Examples
    --------
    >>> print(Problem("error", "zones.geojson", "zones", "z1", "rent_mad_m2_month",
    ...               "text 'cheap' in a numeric column", kind="text-in-numeric"))
    error: zones.geojson: layer zones, row 'z1', column rent_mad_m2_month: text 'cheap' in a numeric column
    """

    level: Level
    file: str
    layer: str | None
    row: str | int | None
    column: str | None
    message: str
    kind: str = "other"

    def __str__(self) -> str:
        where = []
        if self.layer is not None:
            where.append(f"layer {self.layer}")
        if isinstance(self.row, str):
            where.append(f"row {self.row!r}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        located = f"{self.file}: " + (", ".join(where) + ": " if where else "")
        return f"{self.level}: {located}{self.message}"


def _is_blank(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values.isna()
    return values.isna() | values.astype("string").str.strip().eq("").fillna(True)


def _as_numbers(values: pd.Series) -> pd.Series:
    """Values as floats; blanks and text become NaN."""
    if pd.api.types.is_bool_dtype(values):
        return pd.Series(np.nan, index=values.index)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    return pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype(float)


def numeric_columns(gdf: pd.DataFrame) -> list[str]:
    """The numeric columns of a layer, by the dataset contract's rule.

    A column is numeric when it is a shipped numeric column, when its name ends in a unit
    (:data:`UNIT_SUFFIXES`), or when at least half of its non-empty values are numbers.
    Identifiers, the shipped text columns (:data:`NEVER_NUMERIC`) and the geometry never are;
    nor are boolean or date columns (``<column>_as_of`` included, even when it holds years).

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_columns(pd.DataFrame({"id": ["1", "2"], "name": ["a", "b"],
    ...     "rent_mad_m2_month": ["cheap", None], "seats": ["120", "n/a"], "city": ["Rabat", "Salé"],
    ...     "notes": [None, None]}))
    ['rent_mad_m2_month', 'seats']
    """
    out = []
    geometry_name = getattr(gdf, "_geometry_column_name", None)
    for column in gdf.columns:
        name = str(column)
        if name in NEVER_NUMERIC or column == geometry_name or facts.as_of_columns([name]):
            continue  # a date column (``2007``) is a date, not a number
        values = gdf[column]
        if isinstance(values.dtype, gpd.array.GeometryDtype):
            continue
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if name in SHIPPED_NUMERIC_COLUMNS or name.endswith(UNIT_SUFFIXES):
            out.append(name)
            continue
        if pd.api.types.is_numeric_dtype(values):
            out.append(name)
            continue
        present = ~_is_blank(values)
        if present.any() and _as_numbers(values[present]).notna().mean() >= 0.5:
            out.append(name)
    return out


#: Columns that name a row in messages, in order of preference.
ROW_ID_COLUMNS: tuple[str, ...] = ("id", "code")


def row_labels(gdf: pd.DataFrame) -> list[str | int]:
    """How each row is named in messages: its ``id`` (else its ``code``) when it has one, else
    its 1-based number.

    >>> row_labels(pd.DataFrame({"id": ["a", None, " "], "code": ["x", "y", "z"]}))
    ['a', 2, 3]
    >>> row_labels(pd.DataFrame({"code": ["01.511.01.0"], "name": ["Anjra"]}))
    ['01.511.01.0']
    """
    numbers: list[str | int] = list(range(1, len(gdf) + 1))
    column = next((c for c in ROW_ID_COLUMNS if c in gdf.columns), None)
    if column is None:
        return numbers
    ids = gdf[column]
    blank = _is_blank(ids).to_numpy()
    return [n if b else str(v) for n, b, v in zip(numbers, blank, ids.tolist(), strict=True)]


def _crs_envelope(crs: CRS) -> tuple[float, float, float, float] | None:
    """The CRS's area of use as (minx, miny, maxx, maxy) in the CRS's own x/y order."""
    area = crs.area_of_use
    if area is None:
        return None
    if crs.is_geographic:
        return area.west, area.south, area.east, area.north
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    bounds = to_crs.transform_bounds(area.west, area.south, area.east, area.north, densify_pts=21)
    if not np.all(np.isfinite(bounds)):
        return None
    return tuple(float(b) for b in bounds)  # type: ignore[return-value]


def _geometry_problems(
    name: str, gdf: gpd.GeoDataFrame, file: str, labels: list[str | int]
) -> list[Problem]:
    out: list[Problem] = []
    geoms = gdf.geometry.array
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for i in np.flatnonzero(empty):
        out.append(Problem(
            "error", file, name, labels[i], "geometry",
            "empty or missing geometry: give the row a location (a point or a polygon) or "
            "delete the row", kind="empty-geometry",
        ))
    # NaN or infinite coordinates (GeoJSON's NaN/Infinity tokens): no location at all, and
    # make_valid cannot repair them (GEOS raises), so they are an error of their own
    coords, rows = shapely.get_coordinates(geoms, return_index=True)  # x, y: 2D rows have z NaN
    not_finite = np.zeros(len(geoms), dtype=bool)
    not_finite[rows[~np.isfinite(coords).all(axis=1)]] = True
    not_finite &= ~empty
    for i in np.flatnonzero(not_finite):
        out.append(Problem(
            "error", file, name, labels[i], "geometry",
            "coordinates that are not finite numbers (NaN or Infinity): give the row its real "
            "location (longitude, latitude) or delete the row", kind="non-finite-coordinates",
        ))
    invalid = ~empty & ~not_finite & ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        for i, reason in zip(np.flatnonzero(invalid), reasons, strict=True):
            out.append(Problem(
                "error", file, name, labels[i], "geometry",
                f"invalid geometry ({reason}), e.g. a self-intersecting polygon: fix it in a GIS "
                "(QGIS: Fix geometries); loading for use repairs it with make_valid",
                kind="invalid-geometry",
            ))
    if name == "zones":
        kinds = gdf.geometry.geom_type
        for i in np.flatnonzero(~empty & ~kinds.isin(ZONE_GEOMETRY_TYPES).to_numpy()):
            out.append(Problem(
                "warning", file, name, labels[i], "geometry",
                f"a zone should be a Point or a (Multi)Polygon, not a {kinds.iloc[i]}: its "
                "representative point is used", kind="zone-geometry-type",
            ))
    return out


def _area_of_use_problems(
    name: str, gdf: gpd.GeoDataFrame, file: str, labels: list[str | int]
) -> list[Problem]:
    crs = gdf.crs
    envelope = _crs_envelope(crs) if crs is not None else None
    if envelope is None or gdf.empty:
        return []
    minx, miny, maxx, maxy = envelope
    # 1% of the envelope's size as slack: areas of use are rounded
    slack_x, slack_y = 0.01 * (maxx - minx), 0.01 * (maxy - miny)
    bounds = shapely.bounds(gdf.geometry.array)
    present = np.isfinite(bounds).all(axis=1)
    outside = present & (
        (bounds[:, 0] < minx - slack_x) | (bounds[:, 2] > maxx + slack_x)
        | (bounds[:, 1] < miny - slack_y) | (bounds[:, 3] > maxy + slack_y)
    )
    area = crs.area_of_use
    what = f"{crs.to_string()} ({area.name})" if area is not None else crs.to_string()
    return [
        Problem(
            "warning", file, name, labels[i], "geometry",
            f"coordinates ({bounds[i, 0]:.6g}, {bounds[i, 1]:.6g}) lie outside the area of use "
            f"of the layer's CRS {what}: latitude and longitude may be swapped, or the layer "
            "declares the wrong CRS", kind="outside-area-of-use",
        )
        for i in np.flatnonzero(outside)
    ]


def _numeric_problems(
    name: str, gdf: gpd.GeoDataFrame, file: str, labels: list[str | int]
) -> list[Problem]:
    out: list[Problem] = []
    for column in numeric_columns(gdf):
        values = gdf[column]
        numbers = _as_numbers(values)
        text = (~_is_blank(values) & numbers.isna()).to_numpy()
        for i in np.flatnonzero(text):
            out.append(Problem(
                "error", file, name, labels[i], column,
                f"text {str(values.iloc[i])!r} in a numeric column: write a number (with a dot "
                "for decimals, no unit) or leave it empty for a missing value",
                kind="text-in-numeric",
            ))
        infinite = np.isinf(numbers.to_numpy(dtype=float, na_value=np.nan))
        for i in np.flatnonzero(infinite):
            out.append(Problem(
                "error", file, name, labels[i], column,
                f"{values.iloc[i]!r} is not a finite number: write the value, or leave it empty "
                "for a missing value",
                kind="not-finite",
            ))
        present = numbers.dropna()
        if len(present) >= 2 and present.nunique() == 1:
            out.append(Problem(
                "warning", file, name, None, column,
                f"numeric column with no variance (every value is {present.iloc[0]:g}): it "
                "cannot tell the rows apart", kind="no-variance",
            ))
    return out


def _fact_value_problems(
    name: str, gdf: gpd.GeoDataFrame, file: str, labels: list[str | int]
) -> list[Problem]:
    """The columns the contract gives a meaning (:mod:`valleys.fact_values`): a location
    precision of the vocabulary, ``civil``/``scheduled`` booleans, dates not in the future."""
    out: list[Problem] = []
    today = facts.today_in_morocco()
    checks: list[tuple[str, Callable[[object], str | None], str]] = [
        (c, facts.precision_problem, "unknown-location-precision")
        for c in ("location_precision",) if c in gdf.columns]
    checks += [(c, facts.boolean_problem, "not-boolean") for c in facts.AIRPORT_SERVICE_COLUMNS
               if c in gdf.columns]
    checks += [(c, lambda v: facts.as_of_problem(v, today=today), "bad-as-of")
               for c in facts.as_of_columns(gdf.columns)]
    for column, problem_of, kind in checks:
        for i, value in enumerate(gdf[column].tolist()):
            message = problem_of(value)
            if message is not None:
                out.append(Problem("error", file, name, labels[i], column, message, kind=kind))
    return out


def _zone_id_problems(gdf: gpd.GeoDataFrame, file: str) -> list[Problem]:
    out: list[Problem] = []
    for column in ("id", "name"):
        if column not in gdf.columns:
            out.append(Problem(
                "error", file, "zones", None, column,
                f"the zones layer has no '{column}' column: add one (every zone needs a unique "
                "text id and a name)", kind=f"no-{column}-column",
            ))
    if gdf.empty:
        out.append(Problem(
            "warning", file, "zones", None, None,
            "the zones layer has no rows: there is nothing to rank", kind="no-zones-rows",
        ))
    if "id" not in gdf.columns:
        return out
    ids = gdf["id"]
    blank = _is_blank(ids).to_numpy()
    for i in np.flatnonzero(blank).tolist():
        out.append(Problem(
            "error", file, "zones", i + 1, "id",
            "empty id: give every zone a unique text id", kind="empty-id",
        ))
    text_ids = ids.astype(str).str.strip()
    rows_by_id: dict[str, list[int]] = {}
    for i, value in enumerate(text_ids):
        if not blank[i]:
            rows_by_id.setdefault(value, []).append(i + 1)
    for value, rows in rows_by_id.items():
        if len(rows) > 1:
            out.append(Problem(
                "error", file, "zones", value, "id",
                f"duplicate id: rows {', '.join(map(str, rows))} share it; ids must be unique",
                kind="duplicate-id",
            ))
    return out


def check_layer(name: str, gdf: gpd.GeoDataFrame, *, file: str) -> list[Problem]:
    """Every problem of one layer, as read from its file (in its own CRS).

    Parameters
    ----------
    name
        The layer's name in the dataset (``zones`` gets the zone checks: id, name, geometry type).
    gdf
        The layer as read, before any reprojection or repair.
    file
        The file named in messages.
    """
    out: list[Problem] = []
    if name == "zones":
        out.extend(_zone_id_problems(gdf, file))
    labels = row_labels(gdf)
    if gdf.crs is None:
        out.append(Problem(
            "error", file, name, None, None,
            "the layer has no CRS: declare one (a .prj file beside a Shapefile, the SRS of a "
            "GeoPackage layer, the 'crs' of GeoParquet metadata), e.g. EPSG:4326 for "
            "longitude/latitude", kind="no-crs",
        ))
    out.extend(_geometry_problems(name, gdf, file, labels))
    out.extend(_area_of_use_problems(name, gdf, file, labels))
    out.extend(_numeric_problems(name, gdf, file, labels))
    out.extend(_fact_value_problems(name, gdf, file, labels))
    return out


def _outside_regions_problems(
    zones: gpd.GeoDataFrame, regions: gpd.GeoDataFrame, file: str
) -> list[Problem]:
    """Zones far from every region: in EPSG:4326 a swapped lon/lat stays inside the CRS's area
    of use (the whole world), so this is the check that catches it there."""
    if zones.crs is None or regions.crs is None or zones.empty or regions.empty:
        return []
    zone_geoms = zones.geometry.array
    region_geoms = regions.geometry.array
    usable_zones = ~(shapely.is_missing(zone_geoms) | shapely.is_empty(zone_geoms))
    usable_zones &= shapely.is_valid(zone_geoms)
    usable_regions = ~(shapely.is_missing(region_geoms) | shapely.is_empty(region_geoms))
    usable_regions &= shapely.is_valid(region_geoms)
    if not usable_zones.any() or not usable_regions.any():
        return []
    points = zones[usable_zones].geometry.to_crs(settings.WGS84).representative_point()
    tree = shapely.STRtree(regions[usable_regions].geometry.to_crs(settings.WGS84).array)
    near = tree.query(points.array, predicate="dwithin", distance=REGIONS_TOLERANCE_DEG)
    inside = np.zeros(len(points), dtype=bool)
    inside[near[0]] = True
    labels = row_labels(zones)
    rows = np.flatnonzero(usable_zones)[~inside]
    return [
        Problem(
            "warning", file, "zones", labels[i], "geometry",
            f"the zone lies outside every polygon of the regions layer (at lon "
            f"{points.iloc[j].x:.5f}, lat {points.iloc[j].y:.5f}): latitude and longitude may "
            "be swapped, or the layer declares the wrong CRS", kind="outside-regions",
        )
        for j, i in zip(np.flatnonzero(~inside), rows, strict=True)
    ]


def check_layers(
    layers: Mapping[str, gpd.GeoDataFrame], files: Mapping[str, str], *, dataset: str
) -> list[Problem]:
    """Every problem of a set of layers read from a dataset (per layer, then across layers)."""
    out: list[Problem] = []
    if "zones" not in layers:
        present = ", ".join(sorted(layers)) or "none"
        out.append(Problem(
            "error", dataset, None, None, None,
            f"no 'zones' layer (layers found: {present}): the candidate sites must be a layer "
            "named zones (zones.geojson, zones.gpkg, a GeoPackage layer 'zones'...)",
            kind="no-zones",
        ))
    for name, gdf in layers.items():
        out.extend(check_layer(name, gdf, file=files[name]))
    if "zones" in layers and "regions" in layers:
        out.extend(_outside_regions_problems(layers["zones"], layers["regions"], files["zones"]))
    return out


def validate(path: str | os.PathLike[str] | None = None) -> list[Problem]:
    """Check the dataset at ``path`` against the dataset contract; repair nothing.

    Parameters
    ----------
    path
        A GeoPackage or a folder of layer files; ``None`` means the default dataset.

    Returns
    -------
    list of Problem
        Every problem found (errors and warnings), in file order; empty when all is well.
        A path that is not a dataset, or a file that cannot be read, is an error too.

    Examples
    --------
    >>> for problem in validate("no/such/folder"):
    ...     print(problem)  # doctest: +ELLIPSIS
    error: no/such/folder: The dataset path no/such/folder does not exist; a dataset is ...
    """
    from valleys.dataset import resolve_data_path

    where = str(path) if path is not None else "the default dataset"
    try:
        root = resolve_data_path(path)
        where = str(root)
        sources: list[LayerSource] = discover_layers(root)
    except DatasetError as exc:
        return [Problem("error", where, None, None, None, str(exc), kind="not-a-dataset")]
    layers: dict[str, gpd.GeoDataFrame] = {}
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for source in sources:
        try:
            layers[source.name] = read_layer(source)
            files[source.name] = str(source.file)
        except DatasetError as exc:
            problems.append(Problem(
                "error", str(source.file), source.name, None, None, str(exc), kind="unreadable",
            ))
    unread = {p.layer for p in problems}
    checked = check_layers(layers, files, dataset=str(root))
    if "zones" in unread:  # unreadable, not missing
        checked = [p for p in checked if p.kind != "no-zones"]
    return problems + checked
