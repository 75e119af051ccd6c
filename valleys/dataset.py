"""Load a dataset for use: every layer in EPSG:4326, numeric columns as numbers, zone ids as text.

Loading checks the dataset contract (:mod:`valleys.validation`) and refuses a dataset with
errors, except the ones it can repair when ``repair=True``: an invalid geometry (repaired with
``make_valid``) and an empty geometry outside the zones layer (the row is left out); each repair
is announced by a :class:`~valleys.errors.DatasetWarning` naming the rows.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleys import settings
from valleys.errors import DatasetError, DatasetWarning
from valleys.fact_values import AIRPORT_SERVICE_COLUMNS, as_boolean, as_of_columns, iso_as_of
from valleys.sources import dataset_version, discover_layers, read_layer
from valleys.validation import BASE_LAYERS, Problem, check_layers, numeric_columns

#: Warnings that loading for use repeats (the others are for ``techvalley validate``).
_LOAD_WARNING_KINDS = frozenset({"outside-area-of-use", "outside-regions", "zone-geometry-type"})


@dataclass
class Dataset:
    """A loaded dataset.

    Attributes
    ----------
    layers
        Layer name -> GeoDataFrame, every one in EPSG:4326.
    path
        The dataset's path.
    version
        A short hash of the content of its files (saved shortlists record it).
    sources
        Layer name -> the file it was read from.
    """

    layers: dict[str, gpd.GeoDataFrame]
    path: str
    version: str
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def zones(self) -> gpd.GeoDataFrame:
        """The candidate sites (the ``zones`` layer)."""
        return self.layers["zones"]

    @property
    def communes(self) -> gpd.GeoDataFrame | None:
        """The ``communes`` layer (census polygons), or ``None``."""
        return self.layers.get("communes")

    @property
    def regions(self) -> gpd.GeoDataFrame | None:
        """The ``regions`` layer (base map and land), or ``None``."""
        return self.layers.get("regions")

    @property
    def point_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The layers that give a ``<layer>_km`` feature: all but zones, communes, regions, land."""
        return {name: gdf for name, gdf in self.layers.items() if name not in BASE_LAYERS}


def default_data_path() -> Path:
    """The dataset used when none is given: ``$TECHVALLEY_DATA``, else the shipped one
    (:func:`valleys.paths.default_data_path`, which builds it on first use).

    Raises
    ------
    DatasetError
        When the shipped dataset is not available or cannot be built.
    """
    if settings.DATA_PATH:
        return Path(settings.DATA_PATH).expanduser()
    try:
        from valleys.paths import default_data_path as shipped
    except ImportError as exc:
        raise DatasetError(
            "No dataset was given and the shipped Morocco dataset is not available in this "
            "installation: give a dataset path (--data PATH) or set TECHVALLEY_DATA."
        ) from exc
    return Path(shipped())


def resolve_data_path(path: str | os.PathLike[str] | None) -> Path:
    """``path`` as a :class:`~pathlib.Path`, or the default dataset's when ``None``."""
    return default_data_path() if path is None else Path(path)


def _repair_geometries(name: str, gdf: gpd.GeoDataFrame, problems: list[Problem]) -> gpd.GeoDataFrame:
    invalid = [p for p in problems if p.layer == name and p.kind == "invalid-geometry"]
    empty = [p for p in problems if p.layer == name and p.kind == "empty-geometry"]
    if not invalid and not empty:
        return gdf
    geoms = gdf.geometry.array
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bad = ~missing & ~shapely.is_valid(geoms)
    if bad.any():
        gdf = gdf.copy()
        fixed = np.asarray(geoms).copy()
        fixed[bad] = shapely.make_valid(fixed[bad])
        gdf = gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
        rows = ", ".join(str(p.row) for p in invalid)
        warnings.warn(
            f"Layer {name} ({invalid[0].file}): repaired the invalid geometry of rows {rows} with "
            "make_valid; fix them at the source (techvalley validate lists them).",
            DatasetWarning, stacklevel=3,
        )
    if missing.any():
        rows = ", ".join(str(p.row) for p in empty)
        warnings.warn(
            f"Layer {name} ({empty[0].file}): left out rows {rows}, which have no geometry; "
            "give them a location or delete them.",
            DatasetWarning, stacklevel=3,
        )
        gdf = gdf[~missing]
    return gdf


def prepare_layer(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A checked layer made ready for use: EPSG:4326, numbers as numbers, zone ids as text,
    ``civil``/``scheduled`` as booleans and every ``<column>_as_of`` as ISO text (``2007``,
    ``2008-10-11``: as precise as written, whatever the file format made of it)."""
    gdf = gdf.to_crs(settings.WGS84) if gdf.crs is not None else gdf
    gdf = gdf.copy()
    for column in numeric_columns(gdf):
        values = gdf[column]
        if not pd.api.types.is_numeric_dtype(values):
            gdf[column] = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    for column in as_of_columns(gdf.columns):
        gdf[column] = pd.Series([iso_as_of(v) for v in gdf[column].tolist()], index=gdf.index,
                                dtype="str")
    for column in AIRPORT_SERVICE_COLUMNS:
        if column in gdf.columns:
            gdf[column] = pd.array([as_boolean(v) for v in gdf[column].tolist()], dtype=bool)
    if "id" in gdf.columns:
        gdf["id"] = gdf["id"].astype(str).str.strip()
    return gdf.reset_index(drop=True)


def load_dataset(path: str | os.PathLike[str] | None = None, *, repair: bool = True) -> Dataset:
    """Load a dataset for use.

    Parameters
    ----------
    path
        A GeoPackage, a folder of GeoPackage/GeoJSON/Shapefile/GeoParquet files (one layer per
        file name) or a single layer file; ``None`` means the default dataset.
    repair
        Repair invalid geometries with ``make_valid`` (and leave out rows with no geometry
        outside the zones layer), warning which rows; when ``False`` they are errors.

    Returns
    -------
    Dataset
        Every layer in EPSG:4326.

    Raises
    ------
    DatasetError
        For every error of the dataset contract at once (the message lists them).

    Examples
    --------
    >>> from pathlib import Path
    >>> ds = load_dataset(Path("tests/fixtures/tiny"))
    >>> sorted(ds.layers), list(ds.point_layers)
    (['airports', 'communes', 'rail_stations', 'regions', 'zones'], ['airports', 'rail_stations'])
    >>> ds.zones.crs.to_epsg(), ds.zones["id"].iloc[0]
    (4326, 'technopolis')
    """
    root = resolve_data_path(path)
    sources = discover_layers(root)
    raw = {source.name: read_layer(source) for source in sources}
    files = {source.name: str(source.file) for source in sources}
    problems = check_layers(raw, files, dataset=str(root))

    def repairable(p: Problem) -> bool:
        if not repair:
            return False
        return p.kind == "invalid-geometry" or (p.kind == "empty-geometry" and p.layer != "zones")

    errors = [p for p in problems if p.level == "error" and not repairable(p)]
    if errors:
        raise DatasetError(
            f"The dataset {root} breaks the dataset contract ({len(errors)} "
            f"error{'s' if len(errors) > 1 else ''}); fix them and check with "
            f"`techvalley validate {root}`:",
            details=[str(p) for p in errors],
        )
    for p in problems:
        if p.level == "warning" and p.kind in _LOAD_WARNING_KINDS:
            warnings.warn(str(p), DatasetWarning, stacklevel=2)
    layers = {
        name: prepare_layer(name, _repair_geometries(name, gdf, problems))
        for name, gdf in raw.items()
    }
    return Dataset(layers=layers, path=str(root), version=dataset_version(sources), sources=files)
