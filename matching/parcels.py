"""Candidate parcels: buildable pieces of 0.5 to 5 km² around the national grid's peaks.

The candidate areas of :mod:`matching.suitability` are where the best cells are; they can be
thousands of km². A *parcel* is what a planner would put a zone on:

1. the **peaks** are the best cell of each candidate area (a watershed basin of the best
   cells, :func:`matching.suitability.candidate_areas`), best first;
2. around each peak the grid is **refined** to H3 resolution 9 (about 0.1 km² a cell; only
   there, never the whole country): the cells of a disk about twice the largest parcel whose
   centre is in the land get the features a zone gets (:func:`valleys.grid.cell_features`)
   and are **scored in one matrix with the national grid's cells** (and the existing zones),
   so their scores are on the grid's scale and comparable with the zones';
3. a parcel **grows** from the best refined cell, best neighbour first, while its cells score at
   least the grid's best-percentile threshold and its area stays within ``max_area_km2``; it
   keeps growing below the threshold only until it reaches ``min_area_km2``
   (:func:`grow_parcel`);
4. parcels are kept best first (their mean score) when their centre (the best cell's) is at
   least ``spacing_km`` from every parcel kept before (:func:`spaced`).

Each parcel is named by the nearest **town**, an urban commune of the communes layer, and the
commune holding it ("near Tiflet, Sidi Abderrazak"); when the commune holding it is itself a
town (a city's arrondissement is a commune in the census), by it and its province ("in
Aïn-Chock, Casablanca"). The shipped communes layer has no urban or
rural type, so a commune is urban when its census population is at least
:data:`TOWN_MIN_POPULATION` and its density at least :data:`TOWN_MIN_DENSITY` per km² (the
"urban cluster" thresholds of the EU-OECD degree of urbanisation, applied to communes; a
layer with a ``type`` column uses it instead: ``urban``/``urbaine``/``municipality``).

Examples
--------
>>> spaced(np.array([34.0, 34.05, 34.5]), np.array([-6.8, -6.8, -6.8]), spacing_km=10)
[0, 2]
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import h3
import h3.api.basic_int as h3_int
import numpy as np
import pandas as pd
import shapely

from matching.errors import RequirementsError
from matching.explain import strong_weak_words
from matching.messages import Message, message
from valleys import grid as valleys_grid
from valleys.dataset import Dataset
from valleys.settings import WGS84

__all__ = [
    "DEFAULT_MAX_AREA_KM2",
    "DEFAULT_MIN_AREA_KM2",
    "DEFAULT_PARCEL_RESOLUTION",
    "DEFAULT_SPACING_KM",
    "TOWN_MIN_DENSITY",
    "TOWN_MIN_POPULATION",
    "ParcelOptions",
    "build_parcels",
    "check_parcel_options",
    "criterion_shares",
    "grow_parcel",
    "haversine_km",
    "spaced",
    "urban_communes",
]

DEFAULT_MIN_AREA_KM2: float = 0.5
DEFAULT_MAX_AREA_KM2: float = 5.0
DEFAULT_SPACING_KM: float = 10.0
#: H3 resolution of the refined cells (about 0.105 km² a cell).
DEFAULT_PARCEL_RESOLUTION: int = 9
#: A commune is a town (urban) from this census population...
TOWN_MIN_POPULATION: int = 5_000
#: ... and this density (inhabitants per km²).
TOWN_MIN_DENSITY: float = 300.0
_URBAN_TYPES = {"urban", "urbaine", "municipality", "municipalité", "urbain"}
_EARTH_KM = 6371.0088
#: World Cylindrical Equal Area: communes' areas, and the nearest town (guessing a UTM zone
#: costs more than the whole naming)
_EQUAL_AREA = "EPSG:6933"


@dataclass(frozen=True)
class ParcelOptions:
    """How parcels are cut (checked by :func:`check_parcel_options`)."""

    min_area_km2: float = DEFAULT_MIN_AREA_KM2
    max_area_km2: float = DEFAULT_MAX_AREA_KM2
    spacing_km: float = DEFAULT_SPACING_KM
    resolution: int = DEFAULT_PARCEL_RESOLUTION


def _positive(name: str, value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise RequirementsError(f"{name} must be a positive number, not {value!r}")
    return number


def check_parcel_options(*, min_area_km2: object = DEFAULT_MIN_AREA_KM2,
                         max_area_km2: object = DEFAULT_MAX_AREA_KM2,
                         spacing_km: object = DEFAULT_SPACING_KM,
                         resolution: object = DEFAULT_PARCEL_RESOLUTION) -> ParcelOptions:
    """Checked parcel options, or a :class:`RequirementsError` naming the bad one.

    >>> check_parcel_options(spacing_km=5).spacing_km
    5.0
    >>> check_parcel_options(min_area_km2=6, max_area_km2=5)
    Traceback (most recent call last):
    ...
    matching.errors.RequirementsError: parcel area: the smallest (6 km²) is above the largest (5 km²)
    """
    low = _positive("the smallest parcel area (km²)", min_area_km2)
    high = _positive("the largest parcel area (km²)", max_area_km2)
    spacing = _positive("the spacing between parcels (km)", spacing_km)
    if low > high:
        raise RequirementsError(
            f"parcel area: the smallest ({low:g} km²) is above the largest ({high:g} km²)")
    res = valleys_grid.check_resolution(resolution)
    cell = h3.average_hexagon_area(res, unit="km^2")
    if cell > high:
        raise RequirementsError(
            f"parcel resolution {res}: a cell ({cell:.2f} km²) is larger than the largest parcel "
            f"({high:g} km²); choose a finer resolution (9: 0.1 km²)")
    return ParcelOptions(min_area_km2=low, max_area_km2=high, spacing_km=spacing, resolution=res)


# ---------------------------------------------------------------------------------------
# Pure functions


def haversine_km(lat1: np.ndarray | float, lon1: np.ndarray | float,
                 lat2: np.ndarray | float, lon2: np.ndarray | float) -> np.ndarray:
    """Great-circle distances in km (broadcast).

    >>> round(float(haversine_km(34.0, -6.8, 33.6, -7.6)), 1)
    86.3
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def spaced(lat: np.ndarray, lon: np.ndarray, *, spacing_km: float,
           count: int | None = None) -> list[int]:
    """Positions of points (given best first) kept greedily at least ``spacing_km`` apart."""
    kept: list[int] = []
    for i in range(len(lat)):
        if count is not None and len(kept) >= count:
            break
        if kept and float(np.min(haversine_km(lat[kept], lon[kept], lat[i], lon[i]))) < spacing_km:
            continue
        kept.append(i)
    return kept


def grow_parcel(cells: np.ndarray, scores: np.ndarray, *, start: int, cell_km2: np.ndarray,
                min_km2: float, max_km2: float, floor: float) -> list[int]:
    """Positions of the contiguous cells of a parcel grown best first from ``start``.

    A neighbour (H3) joins while the area stays within ``max_km2``, and while its score is at
    least ``floor`` or the parcel is still under ``min_km2``. Cells with a NaN score never join.

    >>> c = h3_int.latlng_to_cell(34.0, -6.8, 9)
    >>> disk = np.array(h3_int.grid_disk(c, 2), dtype=np.uint64)
    >>> s = np.linspace(1, 0, len(disk))
    >>> len(grow_parcel(disk, s, start=0, cell_km2=np.full(len(disk), 0.1), min_km2=0.5,
    ...                 max_km2=1.0, floor=2.0))
    5
    """
    where = {int(c): i for i, c in enumerate(cells)}
    taken = {start}
    area = float(cell_km2[start])
    frontier: list[tuple[float, int]] = []

    def push(i: int) -> None:
        for n in h3_int.grid_ring(int(cells[i]), 1):
            j = where.get(n)
            if j is not None and j not in taken and not math.isnan(scores[j]):
                heapq.heappush(frontier, (-float(scores[j]), j))

    push(start)
    while frontier:
        negative, j = heapq.heappop(frontier)
        if j in taken:
            continue
        if -negative < floor and area >= min_km2:
            break
        if area + float(cell_km2[j]) > max_km2:
            continue
        taken.add(j)
        area += float(cell_km2[j])
        push(j)
    return sorted(taken)


def criterion_shares(reference: np.ndarray, rows: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """For each row and criterion, the share of the reference cells it beats (direction-aware:
    a cost criterion is beaten by a lower value). NaN in the reference is not counted.

    >>> criterion_shares(np.array([[1.0], [2.0], [3.0], [4.0]]), np.array([[3.5]]),
    ...                  np.array([True])).tolist()
    [[0.75]]
    """
    out = np.full(rows.shape, np.nan)
    for j in range(reference.shape[1]):
        column = reference[:, j]
        column = column[~np.isnan(column)]
        if not len(column):
            continue
        for i in range(rows.shape[0]):
            value = rows[i, j]
            if np.isnan(value):
                continue
            beaten = column < value if benefit[j] else column > value
            out[i, j] = float(beaten.mean())
    return out


def urban_communes(communes: gpd.GeoDataFrame) -> np.ndarray:
    """Which communes are towns (module docstring): a ``type`` column when the layer has one,
    else census population and density."""
    if "type" in communes.columns:
        kinds = communes["type"].astype(str).str.strip().str.lower()
        return kinds.isin(_URBAN_TYPES).to_numpy()
    if "population" not in communes.columns:
        return np.ones(len(communes), dtype=bool)
    area_km2 = communes.geometry.to_crs(_EQUAL_AREA).area / 1e6
    population = pd.to_numeric(communes["population"], errors="coerce").to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = population / np.asarray(area_km2, dtype=float)
    return (population >= TOWN_MIN_POPULATION) & (density >= TOWN_MIN_DENSITY)


# ---------------------------------------------------------------------------------------
# The thin layer


def _disk_cells(peaks_lat: Sequence[float], peaks_lon: Sequence[float], *,
                resolution: int, rings: int) -> tuple[np.ndarray, np.ndarray]:
    """The refined cells around each peak (cells, and the peak each belongs to)."""
    cells, owner = [], []
    for k, (lat, lon) in enumerate(zip(peaks_lat, peaks_lon, strict=True)):
        disk = h3_int.grid_disk(h3_int.latlng_to_cell(float(lat), float(lon), resolution), rings)
        cells.extend(disk)
        owner.extend([k] * len(disk))
    return np.asarray(cells, dtype=np.uint64), np.asarray(owner, dtype=np.int64)


def _rings_for(resolution: int, max_km2: float) -> int:
    """The rings of a disk of about twice the largest parcel (a parcel can lean one way)."""
    need = 2 * max_km2 / h3.average_hexagon_area(resolution, unit="km^2")
    k = 1
    while 3 * k * (k + 1) + 1 < need and k < 40:
        k += 1
    return k


def _names(lat: np.ndarray, lon: np.ndarray, dataset: Dataset) -> dict[str, list[Any]]:
    from matching.suitability import _place_names

    out = _place_names(lon, lat, dataset)
    towns: list[Any] = [None] * len(lat)
    communes = dataset.communes
    if communes is not None and "name" in communes.columns and len(lat):
        urban = communes[urban_communes(communes)]
        if len(urban):
            points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
            _, nearest = urban.to_crs(_EQUAL_AREA).sindex.nearest(
                points.to_crs(_EQUAL_AREA).array, return_all=False)
            names = urban["name"].astype(str).to_numpy()
            towns = [str(names[i]) for i in nearest]
    out["town"] = towns
    return out


def build_parcels(dataset: Dataset, grid: pd.DataFrame, plan: Any, peaks: pd.DataFrame, *,
                  options: ParcelOptions, floor: float | None, top: int | None,
                  catchment_km: float | None = None,
                  ) -> tuple[gpd.GeoDataFrame, list[list[Message]]]:
    """The parcels around the peaks, best first, and each one's messages.

    Parameters
    ----------
    dataset
        The dataset (land, communes, regions, zones).
    grid
        The scored national grid (features and ``score``; :attr:`SuitabilityResult.grid`).
    plan
        The :class:`matching.suitability.ScoringPlan` the grid was scored with.
    peaks
        The areas' best cells, best first: columns ``lat``, ``lon``, ``score``.
    options
        :func:`check_parcel_options`.
    floor
        The grid's best-percentile threshold (a parcel grows on cells at least this good).
    top
        How many parcels to keep (``None``: every peak's).

    Returns
    -------
    (geopandas.GeoDataFrame, list)
        Columns ``id``, ``name`` (English: "near TOWN, COMMUNE", or "in COMMUNE, PROVINCE"
        when the commune is itself the town), ``town``, ``commune``,
        ``province``, ``region``, ``lat``, ``lon`` (the best cell's centre), ``area_km2``,
        ``cells``, ``score`` (mean of its cells), ``best_score``, ``zones_km``,
        ``nearest_zone``, ``compared``, ``strongest``, ``weakest`` (English sentences) and
        the outline; and per parcel its messages (name, comparison, strongest, weakest).
    """
    from matching.suitability import score_cells

    empty = gpd.GeoDataFrame({"id": pd.Series(dtype=str)}, geometry=[], crs=WGS84)
    if grid is None or peaks.empty:
        return empty, []
    # more peaks than parcels: refining may move a centre, and spacing drops some
    ranked = peaks.iloc[spaced(peaks["lat"].to_numpy(float), peaks["lon"].to_numpy(float),
                               spacing_km=options.spacing_km)]
    if top is not None:
        ranked = ranked.iloc[: 2 * top + 2]
    land = valleys_grid.land_geometry(dataset)
    rings = _rings_for(options.resolution, options.max_area_km2)
    cells, owner = _disk_cells(ranked["lat"].to_numpy(float), ranked["lon"].to_numpy(float),
                               resolution=options.resolution, rings=rings)
    centres = np.array([h3_int.cell_to_latlng(int(c)) for c in cells]).reshape(-1, 2)
    inside = shapely.contains_xy(land, centres[:, 1], centres[:, 0])
    cells, owner, centres = cells[inside], owner[inside], centres[inside]
    refined = pd.DataFrame({"lon": centres[:, 1], "lat": centres[:, 0]})
    refined = pd.DataFrame(valleys_grid.cell_features(refined, dataset, catchment_km=catchment_km))
    zones = dataset.zones
    zone_points = zones.geometry.representative_point() if len(zones) else None
    zone_frame = pd.DataFrame({
        "lon": np.asarray(zone_points.x if zone_points is not None else [], dtype=float),
        "lat": np.asarray(zone_points.y if zone_points is not None else [], dtype=float)})
    zone_features = pd.DataFrame(valleys_grid.cell_features(zone_frame, dataset,
                                                             catchment_km=catchment_km))
    # only what the profile reads (criteria and constraints): a copy of the grid is costly
    wanted = {*plan.columns, *(c.column for c in plan.plan.constraints)}
    features = [c for c in refined.columns if c in grid.columns and c in wanted]
    # one matrix with the national grid: the refined cells and the zones on its scale
    union = pd.concat([grid[features], refined[features], zone_features[features]],
                      ignore_index=True)
    scores = score_cells(union, plan.requirements).scores.to_numpy()
    n_grid = len(grid)
    refined_scores = scores[n_grid:n_grid + len(refined)]
    zone_scores = scores[n_grid + len(refined):]
    cell_km2 = np.array([h3_int.cell_area(int(c), unit="km^2") for c in cells])
    floor_value = -math.inf if floor is None else float(floor)

    built = []
    for k in range(len(ranked)):
        mine = np.flatnonzero(owner == k)
        if not len(mine) or np.all(np.isnan(refined_scores[mine])):
            continue
        local = refined_scores[mine]
        start = int(np.nanargmax(local))
        chosen = mine[grow_parcel(cells[mine], local, start=start, cell_km2=cell_km2[mine],
                                  min_km2=options.min_area_km2, max_km2=options.max_area_km2,
                                  floor=floor_value)]
        area = float(cell_km2[chosen].sum())
        if area < options.min_area_km2:
            continue  # a peak on a sliver of land: no parcel fits
        built.append({"cells": chosen, "best": mine[start], "area_km2": area,
                      "score": float(np.nanmean(refined_scores[chosen])),
                      "best_score": float(refined_scores[mine[start]])})
    built.sort(key=lambda b: -b["score"])
    lat = np.array([centres[b["best"], 0] for b in built])
    lon = np.array([centres[b["best"], 1] for b in built])
    keep = spaced(lat, lon, spacing_km=options.spacing_km, count=top)
    built = [built[i] for i in keep]
    lat, lon = lat[keep], lon[keep]
    if not built:
        return empty, []
    names = _names(lat, lon, dataset)

    columns = list(plan.columns)
    reference = grid.loc[grid["score"].notna(), columns].to_numpy(float) \
        if "score" in grid.columns else grid[columns].to_numpy(float)
    rows = refined.iloc[[b["best"] for b in built]][columns].to_numpy(float)
    shares = criterion_shares(reference, rows, np.asarray(plan.benefit, dtype=bool))
    zone_names = (zones["name"].astype(str).to_numpy() if "name" in zones.columns
                  else np.array([str(i) for i in zones.index])) if len(zones) else np.array([])
    rows_out, messages_out = [], []
    for i, b in enumerate(built):
        msgs = [_name(names["town"][i], names["commune"][i],
                      names["province"][i] or names["region"][i])]
        msgs.extend(_compare(b["score"], zone_names, zone_scores))
        strong = weak = None
        if not np.all(np.isnan(shares[i])):
            strong, weak = int(np.nanargmax(shares[i])), int(np.nanargmin(shares[i]))
        words = strong_weak_words(columns, rows[i], strong, weak)
        msgs.extend(words)
        nearest_zone, zones_km = None, math.nan
        if len(zone_frame):
            d = haversine_km(zone_frame["lat"].to_numpy(), zone_frame["lon"].to_numpy(),
                             lat[i], lon[i])
            nearest_zone, zones_km = str(zone_names[int(np.argmin(d))]), float(np.min(d))
        by_code = {m.code: m.text for m in msgs}
        compared = next((m.text for m in msgs[1:] if m.code.startswith("parcel.")), None)
        rows_out.append({
            "id": f"parcel-{i + 1}", "name": msgs[0].text, "town": names["town"][i],
            "commune": names["commune"][i], "province": names["province"][i],
            "region": names["region"][i], "lat": float(lat[i]), "lon": float(lon[i]),
            "area_km2": b["area_km2"], "cells": len(b["cells"]), "score": b["score"],
            "best_score": b["best_score"], "zones_km": zones_km, "nearest_zone": nearest_zone,
            "compared": compared, "strongest": by_code.get("criterion.strongest"),
            "weakest": by_code.get("criterion.weakest"),
        })
        messages_out.append(msgs)
    outlines = [valleys_grid.cells_to_polygons(cells[b["cells"]]) for b in built]
    return gpd.GeoDataFrame(pd.DataFrame(rows_out), geometry=outlines, crs=WGS84), messages_out


def _name(town: str | None, commune: str | None, province: str | None) -> Message:
    """ "near TOWN, COMMUNE"; "in COMMUNE, PROVINCE" when the commune is the town itself (a
    city's arrondissement, a town's own land; the region when the province is not known)."""
    commune = commune or town or ""
    if town and town != commune or not province:
        return message("parcel.name", town=town or commune, commune=commune)
    return message("parcel.in_town", commune=commune, province=province)


def _score(value: float) -> float:
    """A score rounded to the three decimals its sentence shows."""
    return round(float(value), 3)


def _compare(score: float, names: np.ndarray, scores: np.ndarray) -> list[Message]:
    """How a parcel's score compares with the zones' on the same profile and scale."""
    ok = ~np.isnan(scores)
    if not ok.any():
        return []
    names, scores = names[ok], scores[ok]
    below = scores <= score
    if below.all():
        best = int(np.argmax(scores))
        return [message("parcel.above_zones", score=_score(score), zone=str(names[best]),
                        zone_score=_score(scores[best]))]
    if not below.any():
        low = int(np.argmin(scores))
        return [message("parcel.below_zones", score=_score(score), zone=str(names[low]),
                        zone_score=_score(scores[low]))]
    match = int(np.flatnonzero(below)[np.argmax(scores[below])])
    return [message("parcel.as_good_as", score=_score(score), zone=str(names[match]),
                    zone_score=_score(scores[match]))]
