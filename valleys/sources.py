"""Find and read the layer files of a dataset, with no checks beyond "can it be read".

A dataset is a GeoPackage (every layer), a folder of GeoPackage/GeoJSON/Shapefile/GeoParquet
files (one layer per file name), or a single such file (one layer, named after the file).
:mod:`valleys.validation` checks the layers; :mod:`valleys.dataset` prepares them for use.
"""

from __future__ import annotations

import errno
import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio

from valleys.errors import DatasetError

#: File name endings read as layers, and the format each one is.
LAYER_FILE_SUFFIXES: dict[str, str] = {
    ".gpkg": "GeoPackage",
    ".geojson": "GeoJSON",
    ".shp": "Shapefile",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
}

_WHAT_A_DATASET_IS = (
    "a dataset is a GeoPackage (.gpkg) or a folder of GeoPackage, GeoJSON (.geojson), "
    "Shapefile (.shp) or GeoParquet (.parquet) files, one layer per file name, with at least "
    "a 'zones' layer"
)


@dataclass(frozen=True)
class LayerSource:
    """Where one layer of a dataset is stored.

    Attributes
    ----------
    name
        The layer's name in the dataset (``zones``, ``airports``...).
    file
        The file that holds it.
    layer
        The layer's name inside a GeoPackage, or ``None`` for single-layer formats.
    """

    name: str
    file: Path
    layer: str | None = None

    def __str__(self) -> str:
        return f"{self.file}" if self.layer is None else f"{self.file} (layer {self.layer})"


def _layer_suffix(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in LAYER_FILE_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


def _layer_stem(path: Path) -> str:
    suffix = _layer_suffix(path) or path.suffix
    return path.name[: len(path.name) - len(suffix)]


def _gpkg_layers(file: Path) -> list[str]:
    try:
        return [str(row[0]) for row in pyogrio.list_layers(file)]
    except Exception as exc:  # pyogrio raises several types for a broken file
        raise DatasetError(
            f"Cannot read the GeoPackage {file}: {exc}. Check that it is a GeoPackage "
            "(re-export it from your GIS if in doubt)."
        ) from exc


def discover_layers(path: str | os.PathLike[str]) -> list[LayerSource]:
    """List the layers of the dataset at ``path``, without reading them.

    Parameters
    ----------
    path
        A GeoPackage, a folder of layer files, or a single layer file.

    Returns
    -------
    list of LayerSource
        Sorted by layer name.

    Raises
    ------
    DatasetError
        When ``path`` does not exist, is not a dataset, or two files give the same layer name.
    """
    root = Path(path)
    try:
        root.stat()
    except FileNotFoundError:
        raise DatasetError(f"The dataset path {root} does not exist; {_WHAT_A_DATASET_IS}.") from None
    except OSError as exc:  # a symbolic link to itself (ELOOP), no permission...
        why = ("is a symbolic link that leads back to itself (a loop)"
               if exc.errno == errno.ELOOP else f"cannot be read ({exc.strerror or exc})")
        raise DatasetError(
            f"The dataset path {root} {why}; point it at a dataset: {_WHAT_A_DATASET_IS}."
        ) from None
    found: list[LayerSource] = []
    if root.is_dir():
        try:
            files = sorted(p for p in root.iterdir() if p.is_file() and _layer_suffix(p))
        except OSError as exc:
            raise DatasetError(f"Cannot list the dataset folder {root}: {exc.strerror or exc}.") from exc
        if not files:
            raise DatasetError(
                f"{root} is not a dataset: the folder holds no layer file; {_WHAT_A_DATASET_IS}."
            )
    elif _layer_suffix(root):
        files = [root]
    else:
        raise DatasetError(f"{root} is not a dataset: {_WHAT_A_DATASET_IS}.")
    for file in files:
        if _layer_suffix(file) == ".gpkg":
            names = _gpkg_layers(file)
            if not names:
                raise DatasetError(f"The GeoPackage {file} holds no layer; {_WHAT_A_DATASET_IS}.")
            if root.is_dir() and len(names) == 1:  # a folder: the file name is the layer name
                found.append(LayerSource(_layer_stem(file), file, names[0]))
            else:
                found.extend(LayerSource(name, file, name) for name in names)
        else:
            found.append(LayerSource(_layer_stem(file), file))
    by_name: dict[str, list[LayerSource]] = {}
    for source in found:
        by_name.setdefault(source.name, []).append(source)
    clashes = {name: s for name, s in by_name.items() if len(s) > 1}
    if clashes:
        raise DatasetError(
            f"The dataset {root} has more than one file for the same layer name; keep one file "
            "per layer.",
            details=[f"layer {name}: " + ", ".join(map(str, s)) for name, s in clashes.items()],
        )
    return sorted(found, key=lambda s: s.name)


def read_layer(source: LayerSource) -> gpd.GeoDataFrame:
    """Read one layer as it is stored (its own CRS, no repair, no type conversion).

    Raises
    ------
    DatasetError
        When the file cannot be read, naming the file and the reader's reason.
    """
    try:
        if LAYER_FILE_SUFFIXES[_layer_suffix(source.file) or ""] == "GeoParquet":
            gdf = gpd.read_parquet(source.file)
        else:
            with warnings.catch_warnings():
                # geopandas warns of a mixed text/number column; validation names each bad cell
                warnings.filterwarnings("ignore", message="Could not parse column", category=UserWarning)
                # GeoJSON has no date type: its text stays text (GDAL would turn a column of
                # ISO dates into dates and fail on one impossible day, naming no row)
                options = ({"DATE_AS_STRING": "YES"}
                           if LAYER_FILE_SUFFIXES[_layer_suffix(source.file) or ""] == "GeoJSON"
                           else {})
                gdf = gpd.read_file(source.file, layer=source.layer, engine="pyogrio", **options)
    except Exception as exc:  # readers raise many types; the user needs the file and the reason
        raise DatasetError(
            f"Cannot read layer {source.name} from {source}: {exc}. Check the file opens in a "
            "GIS, or re-export it."
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DatasetError(
            f"Layer {source.name} in {source} has no geometry column: every layer of a dataset "
            "holds points, lines or polygons; move tables without geometry out of the dataset."
        )
    return gdf


def dataset_files(sources: list[LayerSource]) -> list[Path]:
    """Every file the layers are stored in, Shapefile sidecars (.dbf, .prj...) included."""
    files: set[Path] = set()
    for source in sources:
        files.add(source.file)
        if source.file.suffix.lower() == ".shp":
            stem = source.file.with_suffix("")
            files.update(p for p in source.file.parent.glob(stem.name + ".*") if p.is_file())
    return sorted(files)


def dataset_version(sources: list[LayerSource]) -> str:
    """A short hash of the content of the dataset's files (12 hex digits).

    Saved shortlists record it, so that a later reader knows which data they were made with.
    """
    digest = hashlib.sha256()
    for file in dataset_files(sources):
        digest.update(file.name.encode())
        try:
            with open(file, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):  # noqa: B023
                    digest.update(block)
        except OSError as exc:
            raise DatasetError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
    return digest.hexdigest()[:12]


def dataset_signature(sources: list[LayerSource]) -> tuple[tuple[str, int, int], ...]:
    """(file, mtime, size) of every file: changes when any file is rewritten (for caches)."""
    out = []
    for file in dataset_files(sources):
        stat = file.stat()
        out.append((str(file), stat.st_mtime_ns, stat.st_size))
    return tuple(out)
