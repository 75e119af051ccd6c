"""The inventory overlay: staff edits of zone facts, applied on top of the shipped dataset.

An overlay is a table of changes, one row per changed value (:data:`OVERLAY_COLUMNS`):
``zone_id``, ``column``, ``old_value``, ``new_value``, ``changed_by``, ``changed_at`` (ISO
datetime with its offset) and ``source`` (a source or note, required). Rows apply in order; the
last value of a (zone, column) wins; an empty ``new_value`` clears the value. ``geometry`` takes
a WKT point ``POINT (lon lat)``: the zone is then placed there and its features recomputed
(:func:`valleys.features.site_features`, the one nearest/catchment implementation). A zone id the
dataset lacks is a new zone: it needs a ``name``, a ``status`` and a ``geometry``.

The web app keeps the overlay in its store and exports it as CSV (``techvalley inventory
export``); the other commands read such a CSV with ``--overlay FILE``
(:func:`load_sites_with_overlay`). Nothing here reads the web store.

One module because the overlay is one contract: its table, the checks of each value, its CSV and
how it applies are what the web app and the command line share, and change together.

>>> edits = overlay_frame([edit("technopolis", "rent_mad_m2_month", "80", old="95",
...                             by="staff@x.ma", at="2026-01-05T10:00:00+01:00", source="call")])
>>> zones = apply_overlay(load_dataset("tests/fixtures/tiny"), edits).zones
>>> float(zones.set_index("id").loc["technopolis", "rent_mad_m2_month"])
80.0
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import wkt

from valleys.dataset import Dataset, load_dataset
from valleys.errors import TechValleyError

#: the overlay table's columns, in CSV order
OVERLAY_COLUMNS: tuple[str, ...] = (
    "zone_id", "column", "old_value", "new_value", "changed_by", "changed_at", "source",
)
#: the values of ``valleys.build.facts.ZONE_STATUSES`` (not imported: the build stays out of the
#: runtime; a test checks they agree)
STATUSES: tuple[str, ...] = ("operating", "under_development", "planned", "uncertain")
LOCATION_PRECISIONS: tuple[str, ...] = ("site", "address", "commune")
#: numbers that must be above 0 / at least 0
POSITIVE_COLUMNS: tuple[str, ...] = ("rent_mad_m2_month",)
NON_NEGATIVE_COLUMNS: tuple[str, ...] = ("available_m2",)
DATE_COLUMNS: tuple[str, ...] = (
    "rent_mad_m2_month_as_of", "available_m2_as_of", "status_as_of",
)
TEXT_COLUMNS: tuple[str, ...] = ("name", "city", "operator", "operator_contact", "notes",
                                 "location_note")
#: every column staff may change
EDITABLE_COLUMNS: tuple[str, ...] = (
    "status", *POSITIVE_COLUMNS, *NON_NEGATIVE_COLUMNS, *DATE_COLUMNS, *TEXT_COLUMNS,
    "location_precision", "geometry",
)
#: how far (degrees, about 3 km) a pinned point may lie off the simplified land outline (a
#: coastal park sits on the shore)
LAND_TOLERANCE_DEG = 0.03
#: the longest text value an edit takes
MAX_TEXT = 2000

_ZONE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")


class OverlayError(TechValleyError):
    """An overlay row or an edit is wrong; ``problem`` is a short code (``not-positive``,
    ``swapped``...), ``column`` and ``zone_id`` name where, ``value`` what was given."""

    def __init__(self, message: str, *, problem: str, column: str = "", zone_id: str = "",
                 value: str = "", details: list[str] | None = None) -> None:
        super().__init__(message, details=details)
        self.problem = problem
        self.column = column
        self.zone_id = zone_id
        self.value = value


@dataclass(frozen=True)
class Land:
    """Morocco's land (the dataset's ``land`` or ``regions`` layer), to check pinned points."""

    shape: Any  # a prepared shapely geometry, or None when the dataset has no outline

    def contains(self, lon: float, lat: float) -> bool:
        return self.shape is None or bool(self.shape.contains(shapely.Point(lon, lat)))


_LAND_CACHE: dict[int, tuple[Any, Land]] = {}


def land_of(dataset: Dataset) -> Land:
    """The land outline of ``dataset`` (cached per layer object)."""
    layer = dataset.layers.get("land")
    if layer is None:
        layer = dataset.regions
    if layer is None or layer.empty:
        return Land(None)
    cached = _LAND_CACHE.get(id(layer))
    if cached is not None and cached[0] is layer:
        return cached[1]
    shape = shapely.union_all(layer.geometry.make_valid().to_numpy()).buffer(LAND_TOLERANCE_DEG)
    shapely.prepare(shape)
    land = Land(shape)
    _LAND_CACHE.clear()  # one dataset at a time
    _LAND_CACHE[id(layer)] = (layer, land)
    return land


def edit(zone_id: str, column: str, new: Any, *, old: Any = "", by: str = "", at: str = "",
         source: str = "") -> dict[str, str]:
    """One overlay row as a dict of text (``None``/NaN become empty)."""
    return {"zone_id": zone_id, "column": column, "old_value": text_value(old),
            "new_value": text_value(new), "changed_by": by, "changed_at": at, "source": source}


def text_value(value: Any) -> str:
    """A value as the overlay stores it: text, ``""`` for missing, integers without ``.0``.

    >>> text_value(95.0), text_value(None), text_value(float("nan")), text_value(12.5)
    ('95', '', '', '12.5')
    """
    if value is None:
        return ""
    if isinstance(value, shapely.geometry.base.BaseGeometry):
        return point_wkt(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def point_wkt(geometry: Any) -> str:
    """A zone's location as ``POINT (lon lat)`` (its representative point, 6 decimals)."""
    point = geometry if geometry.geom_type == "Point" else geometry.representative_point()
    return f"POINT ({point.x:.6f} {point.y:.6f})"


def overlay_frame(rows: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """An overlay table (every :data:`OVERLAY_COLUMNS`, all text) from rows."""
    frame = pd.DataFrame([{c: text_value(r.get(c)) for c in OVERLAY_COLUMNS} for r in rows],
                         columns=list(OVERLAY_COLUMNS))
    return frame.astype(object)


# --------------------------------------------------------------------------------------------
# checking one value


def _problem(message: str, *, problem: str, column: str, zone_id: str, value: str) -> OverlayError:
    return OverlayError(f"zone {zone_id!r}, {column}: {message}", problem=problem, column=column,
                        zone_id=zone_id, value=value)


def parse_point(value: str, *, zone_id: str = "", land: Land | None = None) -> shapely.Point:
    """A ``POINT (lon lat)`` checked to lie on Morocco's land (``land``).

    Raises
    ------
    OverlayError
        Not a point, not finite, outside the land, or inside it once lon and lat are swapped
        (``problem="swapped"``).
    """
    try:
        point = wkt.loads(value)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        point = None
    if point is None or point.geom_type != "Point" or point.is_empty:
        raise _problem(f"{value!r} is not a location: give POINT (longitude latitude)",
                       problem="not-point", column="geometry", zone_id=zone_id, value=value)
    lon, lat = float(shapely.get_x(point)), float(shapely.get_y(point))
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise _problem(f"longitude {lon} / latitude {lat} are not coordinates on Earth",
                       problem="not-on-earth", column="geometry", zone_id=zone_id, value=value)
    return check_on_land(lon, lat, zone_id=zone_id, land=land)


def check_on_land(lon: float, lat: float, *, zone_id: str = "", land: Land | None = None) -> shapely.Point:
    """``Point(lon, lat)`` when it lies on ``land``; else an :class:`OverlayError` saying
    whether swapping latitude and longitude would put it there."""
    value = f"POINT ({lon} {lat})"
    if land is not None and not land.contains(lon, lat):
        if land.contains(lat, lon):
            raise _problem(
                f"latitude {lat}, longitude {lon} is outside Morocco, but swapped it is inside: "
                "latitude and longitude swapped? (Morocco: latitude about 21 to 36, longitude "
                "about -17 to -1)", problem="swapped", column="geometry", zone_id=zone_id,
                value=value)
        raise _problem(f"latitude {lat}, longitude {lon} is outside Morocco's land",
                       problem="outside-land", column="geometry", zone_id=zone_id, value=value)
    return shapely.Point(lon, lat)


def check_value(column: str, value: str, *, zone_id: str, today: date | None = None,
                land: Land | None = None) -> str:
    """Check one new value of ``column`` for zone ``zone_id``; return it normalised (text).

    An empty value clears the fact (allowed, except for a name, a status or a location).

    Raises
    ------
    OverlayError
        Naming the zone, the column and what is wrong.
    """
    value = (value or "").strip()
    if column not in EDITABLE_COLUMNS:
        raise _problem(f"this column cannot be edited (editable: {', '.join(EDITABLE_COLUMNS)})",
                       problem="not-editable", column=column, zone_id=zone_id, value=value)
    if value == "":
        if column in ("name", "status", "geometry"):
            raise _problem("a value is required", problem="required", column=column,
                           zone_id=zone_id, value=value)
        return ""
    if column in POSITIVE_COLUMNS or column in NON_NEGATIVE_COLUMNS:
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _problem(f"{value!r} is not a number", problem="not-number", column=column,
                           zone_id=zone_id, value=value)
        if column in POSITIVE_COLUMNS and number <= 0:
            raise _problem(f"{value} is not a positive number", problem="not-positive",
                           column=column, zone_id=zone_id, value=value)
        if number < 0:
            raise _problem(f"{value} is negative", problem="negative", column=column,
                           zone_id=zone_id, value=value)
        return text_value(number)
    if column in DATE_COLUMNS:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise _problem(f"{value!r} is not a date (YYYY-MM-DD)", problem="not-date",
                           column=column, zone_id=zone_id, value=value) from None
        if day > (today or date.today()):
            raise _problem(f"{value} is in the future: give the date the value was true",
                           problem="future-date", column=column, zone_id=zone_id, value=value)
        return day.isoformat()
    if column == "status" and value not in STATUSES:
        raise _problem(f"{value!r} is not a status ({', '.join(STATUSES)})", problem="not-status",
                       column=column, zone_id=zone_id, value=value)
    if column == "location_precision" and value not in LOCATION_PRECISIONS:
        raise _problem(f"{value!r} is not a location precision ({', '.join(LOCATION_PRECISIONS)})",
                       problem="not-precision", column=column, zone_id=zone_id, value=value)
    if column == "geometry":
        return point_wkt(parse_point(value, zone_id=zone_id, land=land))
    if len(value) > MAX_TEXT or any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise _problem(f"the text is longer than {MAX_TEXT} characters or has a control character",
                       problem="bad-text", column=column, zone_id=zone_id, value=value[:40])
    return value


def check_zone_id(zone_id: str) -> str:
    """A new zone's id: lower-case letters, digits and ``-`` (at most 80)."""
    if not _ZONE_ID.fullmatch(zone_id or ""):
        raise OverlayError(
            f"zone id {zone_id!r}: use lower-case letters, digits and '-' (at most 80 characters)",
            problem="bad-id", column="zone_id", zone_id=zone_id, value=zone_id)
    return zone_id


def slug(name: str) -> str:
    """A zone id made from a name.

    >>> slug("Tech Valley Fès-Meknès 2")
    'tech-valley-fes-meknes-2'
    """
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80]


# --------------------------------------------------------------------------------------------
# the table: CSV, checks, version


def read_overlay_csv(source: str | os.PathLike[str] | io.TextIOBase) -> pd.DataFrame:
    """Read an overlay CSV (as :func:`write_overlay_csv` writes it) and check its shape.

    Raises
    ------
    OverlayError
        A missing or unknown column, or a row with the wrong number of fields, naming the row
        (1 is the header) and the column.
    """
    name = str(source) if not isinstance(source, io.TextIOBase) else "overlay"
    try:
        text = (Path(source).read_text(encoding="utf-8-sig")
                if not isinstance(source, io.TextIOBase) else source.read())
    except (OSError, UnicodeDecodeError) as exc:
        raise OverlayError(f"{name}: cannot read the overlay CSV ({exc})", problem="unreadable") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise OverlayError(f"{name}: the overlay CSV is empty (it needs the header "
                           f"{','.join(OVERLAY_COLUMNS)})", problem="empty") from None
    except csv.Error as exc:
        raise OverlayError(f"{name}, row 1: not CSV ({exc})", problem="not-csv") from None
    header = [h.strip() for h in header]
    missing = [c for c in OVERLAY_COLUMNS if c not in header]
    unknown = [c for c in header if c not in OVERLAY_COLUMNS]
    if missing or unknown:
        raise OverlayError(
            f"{name}, row 1 (header): "
            + "; ".join(p for p in (f"missing column(s) {', '.join(missing)}" if missing else "",
                                    f"unknown column(s) {', '.join(unknown)}" if unknown else "") if p)
            + f" (the columns are {','.join(OVERLAY_COLUMNS)})", problem="bad-header")
    rows = []
    try:
        for number, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                raise OverlayError(
                    f"{name}, row {number}: {len(fields)} fields where the header has "
                    f"{len(header)}", problem="bad-row", column="")
            rows.append(dict(zip(header, fields, strict=True)))
    except csv.Error as exc:
        raise OverlayError(f"{name}, row {reader.line_num}: not CSV ({exc})", problem="not-csv") from None
    return overlay_frame(rows)


def write_overlay_csv(table: pd.DataFrame, target: str | os.PathLike[str] | io.TextIOBase | None = None) -> str:
    """Write an overlay table as CSV (UTF-8, the columns of :data:`OVERLAY_COLUMNS`); return the text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OVERLAY_COLUMNS)
    for row in overlay_frame(table.to_dict("records")).itertuples(index=False):
        writer.writerow(list(row))
    text = buffer.getvalue()
    if isinstance(target, io.TextIOBase):
        target.write(text)
    elif target is not None:
        Path(target).write_text(text, encoding="utf-8")
    return text


def check_overlay(table: pd.DataFrame, zone_ids: Iterable[str], *, land: Land | None = None,
                  today: date | None = None, name: str = "overlay") -> pd.DataFrame:
    """Check every row of an overlay (values, sources, times, new zones); return it normalised.

    Every problem is reported at once, each naming the row (2 is the first after the header),
    the column and the zone.
    """
    known = set(zone_ids)
    problems: list[str] = []
    out = overlay_frame(table.to_dict("records"))
    created: dict[str, set[str]] = {}
    for i, row in enumerate(out.to_dict("records")):
        where = f"row {i + 2}"
        zone_id, column = row["zone_id"].strip(), row["column"].strip()
        if not zone_id:
            problems.append(f"{where}, column zone_id: empty")
            continue
        try:
            out.at[i, "new_value"] = check_value(column, row["new_value"], zone_id=zone_id,
                                                 today=today, land=land)
        except OverlayError as exc:
            problems.append(f"{where}, column {'column' if exc.problem == 'not-editable' else 'new_value'}: {exc.message}")
        if not row["source"].strip():
            problems.append(f"{where}, column source: zone {zone_id!r}, {column}: an edit needs a "
                            "source or a note")
        try:
            datetime.fromisoformat(row["changed_at"])
        except ValueError:
            problems.append(f"{where}, column changed_at: {row['changed_at']!r} is not an ISO "
                            "date and time (e.g. 2026-01-05T10:00:00+01:00)")
        if zone_id not in known:
            try:
                check_zone_id(zone_id)
            except OverlayError as exc:
                problems.append(f"{where}, column zone_id: {exc.message}")
            created.setdefault(zone_id, set()).add(column)
    for zone_id, columns in created.items():
        lacking = [c for c in ("name", "status", "geometry") if c not in columns]
        if lacking:
            problems.append(f"zone {zone_id!r} is not in the dataset and the overlay does not "
                            f"create it: it lacks {', '.join(lacking)}")
    if problems:
        raise OverlayError(f"{name}: {len(problems)} problem(s) in the overlay:",
                           problem="invalid", details=problems)
    return out


def overlay_version(table: pd.DataFrame) -> str:
    """A short hash of an overlay's content (8 hex digits; ``""`` for an empty overlay)."""
    if table.empty:
        return ""
    return hashlib.sha256(write_overlay_csv(table).encode("utf-8")).hexdigest()[:8]


def versioned(base: str, table: pd.DataFrame) -> str:
    """The dataset version with the overlay: ``<base>+<overlay hash>`` (``base`` without one)."""
    digest = overlay_version(table)
    return f"{base}+{digest}" if digest else base


# --------------------------------------------------------------------------------------------
# applying


def latest_values(table: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Zone id -> column -> the value the overlay leaves (its last row for that pair)."""
    values: dict[str, dict[str, str]] = {}
    for row in table.itertuples(index=False):
        values.setdefault(str(row.zone_id), {})[str(row.column)] = str(row.new_value)
    return values


def apply_to_zones(zones: gpd.GeoDataFrame, table: pd.DataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The zones layer with an (already checked) overlay applied, and the ids of the zones it
    moved or created (their features must be recomputed).

    Numeric columns stay numbers; a moved zone becomes the point it was pinned to.
    """
    out = zones.copy()
    geometry_name = out.geometry.name
    ids = out["id"].astype(str).tolist()
    moved: list[str] = []
    numeric = set(POSITIVE_COLUMNS) | set(NON_NEGATIVE_COLUMNS)
    for zone_id, values in latest_values(table).items():
        if zone_id not in ids:
            new_row: dict[str, Any] = {c: (np.nan if pd.api.types.is_numeric_dtype(out[c]) else None)
                       for c in out.columns if c != geometry_name}
            new_row["id"] = zone_id
            point = wkt.loads(values["geometry"])
            out = gpd.GeoDataFrame(
                pd.concat([out, gpd.GeoDataFrame([{**new_row, geometry_name: point}],
                                                 geometry=geometry_name, crs=out.crs)],
                          ignore_index=True),
                geometry=geometry_name, crs=zones.crs)
            ids.append(zone_id)
        position = ids.index(zone_id)
        label = out.index[position]
        for column, value in values.items():
            if column == "geometry":
                out.loc[[label], geometry_name] = gpd.GeoSeries([wkt.loads(value)], index=[label],
                                                                crs=out.crs)
                moved.append(zone_id)
                continue
            if column not in out.columns:
                out[column] = np.nan if column in numeric else None
                if column not in numeric:
                    out[column] = out[column].astype(object)
            if column in numeric:
                out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
                out.loc[label, column] = float(value) if value else np.nan
            else:
                if not pd.api.types.is_object_dtype(out[column]):
                    out[column] = out[column].astype(object)
                out.loc[label, column] = value if value else None
    return out, list(dict.fromkeys(moved))


def apply_overlay(dataset: Dataset, table: pd.DataFrame, *, name: str = "overlay",
                  today: date | None = None) -> Dataset:
    """``dataset`` with the overlay applied to its zones (checked first: :func:`check_overlay`).

    The other layers are the same objects (caches keyed on them stay valid); the version
    becomes :func:`versioned`.
    """
    if table.empty:
        return dataset
    checked = check_overlay(table, dataset.zones["id"].astype(str), land=land_of(dataset),
                            today=today, name=name)
    zones, _ = apply_to_zones(dataset.zones, checked)
    return replace(dataset, layers={**dataset.layers, "zones": zones},
                   version=versioned(dataset.version, checked))


def overlay_sites(base_sites: gpd.GeoDataFrame, dataset: Dataset, table: pd.DataFrame, *,
                  catchment_km: float | None = None, name: str = "overlay",
                  today: date | None = None) -> tuple[Dataset, gpd.GeoDataFrame]:
    """The overlaid dataset and its zones with features, from the base ones.

    Without a moved or new zone the base features are kept and only the facts change; else the
    features are recomputed with :func:`valleys.features.site_features`.
    """
    from valleys.features import site_features

    if table.empty:
        return dataset, base_sites
    checked = check_overlay(table, dataset.zones["id"].astype(str), land=land_of(dataset),
                            today=today, name=name)
    zones, moved = apply_to_zones(dataset.zones, checked)
    overlaid = replace(dataset, layers={**dataset.layers, "zones": zones},
                       version=versioned(dataset.version, checked))
    if moved:
        sites = site_features(overlaid, catchment_km=catchment_km)
    else:
        sites = base_sites.copy()
        attributes = zones.drop(columns=zones.geometry.name).set_index(
            pd.Index(zones["id"].astype(str).to_numpy()))
        for column in attributes.columns:
            if column.endswith("_km") or column.startswith("catchment_") or column in ("lon", "lat"):
                continue  # computed features: a move (not this path) changes them
            sites[column] = attributes[column].reindex(sites.index)
        sites.attrs = dict(base_sites.attrs)
    sites.attrs["version"] = overlaid.version
    return overlaid, sites


def load_sites_with_overlay(path: str | os.PathLike[str] | None, overlay: str | os.PathLike[str] | None,
                            *, catchment_km: float | None = None) -> gpd.GeoDataFrame:
    """:func:`valleys.load_sites`, with an exported overlay CSV applied when ``overlay`` is given
    (the command line's ``--overlay FILE``)."""
    from valleys import load_sites

    sites = load_sites(path, catchment_km=catchment_km)
    if overlay is None:
        return sites
    table = read_overlay_csv(overlay)
    dataset = load_dataset(path)
    _, out = overlay_sites(sites, dataset, table, catchment_km=catchment_km, name=str(overlay))
    return out


__all__ = [
    "EDITABLE_COLUMNS",
    "OVERLAY_COLUMNS",
    "STATUSES",
    "Land",
    "OverlayError",
    "apply_overlay",
    "apply_to_zones",
    "check_overlay",
    "check_value",
    "edit",
    "land_of",
    "latest_values",
    "load_sites_with_overlay",
    "overlay_frame",
    "overlay_sites",
    "overlay_version",
    "read_overlay_csv",
    "versioned",
    "write_overlay_csv",
]
