"""Where should the next Tech Valley go: the national grid scored like a shortlist.

The cells of :func:`valleys.grid.grid_features` (H3 cells over the land, with the features a
zone gets) are scored by the shortlist's engine: a profile in the requirements schema is
validated (:func:`matching.requirements.parse_requirements`, an unknown column is an error
naming it) and resolved (:func:`matching.requirements.resolve`: an activity's preset, AHP
weights), its constraints are applied to every cell and its criteria scored with
:func:`matching.topsis` or :func:`matching.weighted_sum` on the cells-by-criteria matrix.
The cells in the best ``percentile`` of the scored cells (ties at the threshold included) are
merged into candidate areas when they are neighbours on the H3 grid; where one connected group
holds several distinct peaks (two cities whose catchments touch) it is split between them, as a
watershed would (:func:`candidate_areas`; ``prominence=None`` keeps the plain connected
components, scipy). The areas are ranked by their best cell's score. Around the areas' peaks,
:mod:`matching.parcels` cuts candidate parcels of 0.5 to 5 km² (``parcels=False``: the areas
only).

Without a profile, :data:`DEFAULT_PROFILE` is used: the talent pool around a place and its
access, as a planner of a new zone would weigh them:

- ``catchment_labour_active`` (4) and ``catchment_higher_education`` (4): a large labour force
  with graduates within the catchment radius (30 km), the first need of every offshoring
  activity (see :mod:`matching.presets`);
- ``catchment_french_literate_pct`` (2): the language of most contracts; a cell with no one in
  its catchment scores as the worst observed share (``missing: worst``);
- ``universities_km`` (3) and ``airports_km`` (3): hiring pipelines and client visits;
- ``rail_stations_km`` (1): commuting and business travel on the rail network.

``zones_km`` (the distance to the nearest existing zone) is computed for every cell but not in
the default profile: add ``{column: zones_km, direction: benefit}`` to favour places that
existing zones do not already serve, or a constraint ``zones_km >= 20`` to keep away from them.

The Dask path (:mod:`matching.suitability_dask`, ``partitions=N``) gives the same result.

Examples
--------
>>> from valleys.dataset import load_dataset
>>> result = suitability(load_dataset("tests/fixtures/tiny"), resolution=6, percentile=10, top=3)
>>> result.to_json()["resolution"], len(result.to_json()["areas"]) <= 3
(6, True)

One module because scoring the grid, picking the best cells and merging them into areas share
one plan (:class:`ScoringPlan`) and one result (:class:`SuitabilityResult`) that the command line,
the planning page and the Dask path all read; parcels, which refine the result, live in
:mod:`matching.parcels`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import geopandas as gpd
import h3.api.basic_int as h3_int
import numpy as np
import pandas as pd
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from matching.constraints import compare
from matching.errors import RequirementsError
from matching.mcda import Normalization, topsis, weighted_sum
from matching.messages import Message, from_text, message
from matching.parcels import ParcelOptions, build_parcels, check_parcel_options
from matching.requirements import Constraint, Plan, Requirements, parse_requirements, resolve
from matching.values import check_matrix, spec_of, topsis_of_values, value_matrix
from valleys import grid as valleys_grid
from valleys.dataset import Dataset
from valleys.settings import WGS84

__all__ = [
    "DEFAULT_PERCENTILE",
    "DEFAULT_PROFILE",
    "DEFAULT_TOP",
    "OVERVIEW_RESOLUTION",
    "CellScores",
    "SuitabilityResult",
    "candidate_areas",
    "check_percentile",
    "describe_areas",
    "overview",
    "score_cells",
    "select_best",
    "suitability",
]

#: The planning profile used when none is given (the module docstring gives the rationale).
DEFAULT_PROFILE: dict[str, Any] = {
    "name": "Planning a new Tech Valley (default profile)",
    "criteria": [
        {"column": "catchment_labour_active", "direction": "benefit", "weight": 4},
        {"column": "catchment_higher_education", "direction": "benefit", "weight": 4},
        {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": 2,
         "missing": "worst"},
        {"column": "universities_km", "direction": "cost", "weight": 3},
        {"column": "airports_km", "direction": "cost", "weight": 3},
        {"column": "rail_stations_km", "direction": "cost", "weight": 1},
    ],
}
#: The best percentile of scored cells that merges into candidate areas.
DEFAULT_PERCENTILE: float = 5.0
#: Where two areas meet, the lower one stays separate when its peak rises at least this share of
#: the selected cells' score range above the meeting cell (:func:`candidate_areas`).
DEFAULT_PROMINENCE: float = 0.05
#: How many areas the result keeps.
DEFAULT_TOP: int = 10
#: Resolution of the overview (cells aggregated for a map at country zoom; about 36 km²).
OVERVIEW_RESOLUTION: int = 6

def check_percentile(percentile: object) -> float:
    """The percentile as a float in (0, 100], or a :class:`RequirementsError`.

    >>> check_percentile(2.5)
    2.5
    >>> check_percentile(0)
    Traceback (most recent call last):
    ...
    matching.errors.RequirementsError: percentile 0 is outside (0, 100]; ...
    """
    try:
        value = float(percentile)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(percentile, bool) or not 0 < value <= 100:
        raise RequirementsError(
            f"percentile {percentile!r} is outside (0, 100]; give the share of the best cells "
            f"(in percent) that merge into candidate areas, e.g. {DEFAULT_PERCENTILE:g}"
        )
    return value


# ---------------------------------------------------------------------------------------
# The plan


@dataclass
class ScoringPlan:
    """A profile resolved against the grid's columns: what every cell is scored on."""

    requirements: Requirements
    plan: Plan
    columns: list[str]
    benefit: np.ndarray
    weights: np.ndarray
    method: str
    #: "values" only when a criterion's value function is not linear (else "minmax", which
    #: gives the same scores: linear values are the min-max normalisation)
    normalization: Normalization | str

    @property
    def worst_fill(self) -> list[bool]:
        """Per criterion, whether a missing value is scored as the worst observed."""
        return [c.missing == "worst" for c in self.plan.criteria]


def scoring_plan(profile: Mapping[str, Any] | Requirements | None, columns: Sequence[str], *,
                 source: str = "profile") -> ScoringPlan:
    """Validate a profile (the requirements schema) against the grid's columns.

    Raises
    ------
    RequirementsError
        An invalid profile, a column the grid does not have (named, with the closest ones), a
        text constraint (cells have numbers only), nothing to score.
    """
    dropped: list[str] = []
    if profile is None:
        data: Any = copy.deepcopy(DEFAULT_PROFILE)
        dropped = [c["column"] for c in data["criteria"] if c["column"] not in columns]
        data["criteria"] = [c for c in data["criteria"] if c["column"] not in dropped]
    else:
        data = dict(profile) if isinstance(profile, Mapping) else profile
    try:
        req = parse_requirements(data, columns=list(columns), source=source)
    except RequirementsError as exc:
        features = [c for c in columns if c not in ("lon", "lat", "geometry")]
        details = [
            # the generic hint names the zones' columns (`techvalley sites`), not the grid's
            d.split("; the dataset's columns", 1)[0] + "; grid cells have no such column"
            if "; the dataset's columns" in d else d
            for d in exc.details
        ]
        raise RequirementsError(
            exc.message, details=[*details, f"the grid's cells have: {', '.join(features)}"]
        ) from None
    plan = resolve(req, list(columns))
    plan.warnings.extend(message("warning.grid_criterion_dropped", column=column).text
                         for column in dropped)
    for i, constraint in enumerate(plan.constraints):
        _check_numeric_constraint(constraint, f"{source}: constraints[{i}]")
    if not plan.criteria:
        raise RequirementsError(
            f"{source}: nothing to score on the grid: give criteria on the cells' columns "
            f"({', '.join(c for c in columns if c not in ('lon', 'lat', 'geometry'))})"
        )
    return ScoringPlan(
        requirements=req, plan=plan, columns=[c.column for c in plan.criteria],
        benefit=np.array([c.direction == "benefit" for c in plan.criteria]),
        weights=np.asarray(plan.weights, dtype=float), method=req.method,
        normalization=_grid_normalization(req, plan),
    )


def _grid_normalization(req: Requirements, plan: Plan) -> str:
    normalization = req.normalization or "values"
    if normalization == "values" and all(spec_of(c).kind == "linear" for c in plan.criteria):
        return "minmax"  # the same scores, and what the partitioned (dask) path computes
    return normalization


def _check_numeric_constraint(constraint: Constraint, where: str) -> None:
    values = constraint.value if isinstance(constraint.value, list) else [constraint.value]
    if any(isinstance(v, str) for v in values):
        raise RequirementsError(
            f"{where} ({constraint.column} {constraint.op} {constraint.value!r}): grid cells "
            "have numbers only; compare the column with numbers"
        )


def constraint_mask(frame: pd.DataFrame, plan: ScoringPlan) -> np.ndarray:
    """Cells passing every constraint (a missing value fails unless ``missing: ignore``)."""
    ok = np.ones(len(frame), dtype=bool)
    for constraint in plan.plan.constraints:
        x = frame[constraint.column].to_numpy(dtype=float)
        values = constraint.value if isinstance(constraint.value, list) else [constraint.value]
        passes = compare(x, constraint.op, values)  # the zones' comparison (shortlists)
        missing = np.isnan(x)
        ok &= np.where(missing, constraint.missing == "ignore", passes)
    return ok


# ---------------------------------------------------------------------------------------
# Scoring


@dataclass
class CellScores:
    """Scores of the grid cells: ``scores`` (NaN for a cell that is not scored), why cells
    were not scored (``excluded``: reason -> count) and the plan."""

    scores: pd.Series
    plan: ScoringPlan
    excluded: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def criterion_matrix(frame: pd.DataFrame, plan: ScoringPlan,
                     worst: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The (cells, criteria) matrix with ``missing: worst`` filled from ``worst``, and the
    cells that can be scored (constraints passed, no missing value where it excludes)."""
    matrix = frame[plan.columns].to_numpy(dtype=float, copy=True)
    scorable = constraint_mask(frame, plan)
    excluded = {"constraints": int((~scorable).sum())}
    for j, (column, fill) in enumerate(zip(plan.columns, plan.worst_fill, strict=True)):
        missing = np.isnan(matrix[:, j])
        if fill:
            matrix[missing, j] = worst[j]
        elif missing.any():
            excluded[f"{column} missing"] = int((missing & scorable).sum())
            scorable &= ~missing
    return matrix, scorable, excluded


def worst_values(frame: pd.DataFrame, plan: ScoringPlan) -> np.ndarray:
    """The worst observed value of each criterion over all cells (NaN when none is observed)."""
    values = frame[plan.columns].to_numpy(dtype=float)
    if len(values) == 0:
        return np.full(len(plan.columns), np.nan)
    # fmin/fmax skip NaN, and give NaN for a column with no value (without a warning)
    # typed: a ufunc's reduce is Any, which numpy's stubs match to where(condition)'s overload
    high: np.ndarray = np.fmax.reduce(values, axis=0)
    low: np.ndarray = np.fmin.reduce(values, axis=0)
    return np.where(plan.benefit, low, high)


def score_cells(cells: pd.DataFrame, profile: Mapping[str, Any] | Requirements | None = None, *,
                source: str = "profile") -> CellScores:
    """Score grid cells with a profile (default :data:`DEFAULT_PROFILE`).

    Parameters
    ----------
    cells
        The cells and their features (:func:`valleys.grid.grid_features`).
    profile
        Requirements (schema of ``DESIGN.md``): constraints on the cells' numeric columns and
        criteria; ``None`` for the default planning profile.
    source
        What to call the profile in messages (its file name).

    Returns
    -------
    CellScores
        ``scores`` aligned to ``cells.index`` (NaN where a cell is excluded).
    """
    plan = scoring_plan(profile, list(cells.columns), source=source)
    worst = worst_values(cells, plan)
    dropped = [c for c, w, fill in zip(plan.columns, worst, plan.worst_fill, strict=True)
               if fill and np.isnan(w)]
    if dropped:
        raise RequirementsError(f"{source}: criteria {', '.join(dropped)} have no value in any cell")
    matrix, scorable, excluded = criterion_matrix(cells, plan, worst)
    warnings_: list[str] = list(plan.plan.warnings)
    scores = np.full(len(cells), np.nan)
    if scorable.any():
        chosen = matrix[scorable]
        if plan.normalization == "values":  # value functions other than linear
            specs = [spec_of(c) for c in plan.plan.criteria]
            check_matrix(chosen, specs, plan.columns, source=source)
            if plan.method == "weighted_sum":
                scores[scorable] = weighted_sum(value_matrix(chosen, specs), plan.weights,
                                                np.ones_like(plan.benefit), "none")
            else:
                scores[scorable] = topsis_of_values(chosen, plan.weights, specs)
        elif plan.method == "weighted_sum":
            scores[scorable] = weighted_sum(chosen, plan.weights, plan.benefit,
                                            cast(Normalization, plan.normalization))
        else:
            scores[scorable] = topsis(chosen, plan.weights, plan.benefit,
                                      cast(Normalization, plan.normalization))
        for j, column in enumerate(plan.columns):
            if np.ptp(chosen[:, j]) == 0:
                warnings_.append(message("warning.grid_no_variance", column=column).text)
    else:
        warnings_.append(message("warning.grid_nothing_scored").text)
    return CellScores(scores=pd.Series(scores, index=cells.index, name="score"), plan=plan,
                      excluded={k: v for k, v in excluded.items() if v}, warnings=warnings_)


# ---------------------------------------------------------------------------------------
# Merging


def best_count(n_scored: int, percentile: float) -> int:
    """How many cells the best ``percentile`` of ``n_scored`` holds (at least one).

    >>> best_count(869_545, 1.0), best_count(10, 1.0), best_count(0, 5.0)
    (8696, 1, 0)
    """
    if n_scored == 0:
        return 0
    return max(1, math.ceil(n_scored * percentile / 100.0))


def select_best(scores: pd.Series, *, percentile: float = DEFAULT_PERCENTILE,
                n_scored: int | None = None) -> pd.Series:
    """The scores of the cells in the best ``percentile`` of the scored cells: the k best
    (k = ceil(n x percentile / 100), n the scored cells) and every cell tied with the k-th.

    ``n_scored`` is n when ``scores`` holds only some of the scored cells (the candidates of
    the Dask partitions); by default, the non-missing scores.

    >>> select_best(pd.Series([0.1, 0.9, None, 0.5, 0.9]), percentile=25).index.tolist()
    [1, 4]
    """
    scored = scores.dropna()
    n = len(scored) if n_scored is None else int(n_scored)
    k = min(best_count(n, check_percentile(percentile)), len(scored))
    if k == 0:
        return scored.iloc[:0]
    values = scored.to_numpy()
    threshold = np.partition(values, len(values) - k)[len(values) - k]
    return scored[values >= threshold]


def _neighbour_pairs(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of positions in ``cells`` that are H3 neighbours (both directions)."""
    n = len(cells)
    order = np.argsort(cells)
    sorted_cells = cells[order]
    rings = [h3_int.grid_ring(int(c), 1) for c in cells]
    sizes = np.fromiter(map(len, rings), dtype=np.int64, count=n)
    flat = np.fromiter((x for ring in rings for x in ring), dtype=np.uint64, count=int(sizes.sum()))
    source = np.repeat(np.arange(n), sizes)
    pos = np.clip(np.searchsorted(sorted_cells, flat), 0, max(n - 1, 0))
    found = sorted_cells[pos] == flat
    return source[found], order[pos[found]]


def candidate_areas(best: pd.Series, *,
                    prominence: float | None = DEFAULT_PROMINENCE) -> pd.Series:
    """Label the given cells (index: H3 cells, values: scores) by candidate area.

    Neighbouring cells merge into one area. With ``prominence=None`` an area is a connected
    component of the neighbour graph (scipy). With a number, a component that holds several
    distinct peaks is split between them, as a watershed would: the cells are taken best first
    and each joins the area of its best neighbour already taken; where two areas meet, the lower
    one is absorbed only if its peak stands less than ``prominence`` x (best score - lowest
    score of the cells) above the meeting cell. So two cities whose catchments touch stay two
    areas, and a bump on a city's slope does not become an area of its own.

    Returns
    -------
    pandas.Series
        Integer labels aligned to ``best.index``.

    Examples
    --------
    >>> centre = h3_int.latlng_to_cell(34.0, -6.8, 7)
    >>> far = h3_int.latlng_to_cell(33.6, -7.6, 7)
    >>> ring = h3_int.grid_disk(centre, 1)
    >>> labels = candidate_areas(pd.Series(1.0, index=[*ring, far]))
    >>> labels.nunique(), int(labels.iloc[-1]) != int(labels.iloc[0])
    (2, True)
    """
    cells = np.asarray(best.index, dtype=np.uint64)
    n = len(cells)
    if n == 0:
        return pd.Series(np.empty(0, dtype=np.int64), index=best.index)
    source, target = _neighbour_pairs(cells)
    if prominence is None:
        graph = scipy.sparse.coo_array((np.ones(len(source)), (source, target)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        return pd.Series(labels, index=best.index)
    scores = best.to_numpy(dtype=float)
    span = float(scores.max() - scores.min())
    min_rise = float(prominence) * span
    # neighbours of each cell, as CSR lists
    by_source = np.argsort(source, kind="stable")
    starts = np.searchsorted(source[by_source], np.arange(n + 1))
    neighbours = target[by_source]
    order = np.lexsort((cells, -scores))  # best first; ties: the smaller H3 index first
    root = np.full(n, -1, dtype=np.int64)  # union-find parent of each taken cell's area root
    peak = np.full(n, np.nan)

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = int(root[i])
        return i

    for i in order:
        i = int(i)
        taken = [int(j) for j in neighbours[starts[i]:starts[i + 1]] if root[j] >= 0]
        areas = sorted({find(j) for j in taken}, key=lambda r: (-peak[r], cells[r]))
        if not areas:
            root[i], peak[i] = i, scores[i]
            continue
        main = areas[0]
        root[i] = main
        for other in areas[1:]:
            if peak[other] - scores[i] < min_rise:
                root[other] = main
    labels = np.array([find(i) for i in range(n)])
    return pd.Series(np.unique(labels, return_inverse=True)[1], index=best.index)


def describe_areas(best: pd.DataFrame, labels: pd.Series, dataset: Dataset | None, *,
                   top: int | None = DEFAULT_TOP) -> gpd.GeoDataFrame:
    """One row per candidate area, best first, with its outline.

    Parameters
    ----------
    best
        The selected cells: index H3, columns ``score``, ``lon``, ``lat``.
    labels
        :func:`candidate_areas` of them.
    dataset
        Names the commune and region of each area's best cell (``None``: no names).
    top
        Keep the ``top`` best areas (``None``: all).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id`` (``area-1``, ...), ``lat``/``lon`` (the centre of the area's best
        cell), ``area_km2``, ``score`` (the best cell's), ``mean_score``, ``cells``,
        ``best_cell`` (H3, hexadecimal), ``commune``, ``province`` and ``region`` of the
        best cell (the polygon holding it, else the nearest), and the outline.
    """
    frame = best.assign(area=labels.to_numpy(), h3=np.asarray(best.index, dtype=np.uint64))
    frame = frame.reset_index(drop=True)
    # best cell of each area: highest score, then the smallest H3 index (deterministic)
    frame = frame.sort_values(["score", "h3"], ascending=[False, True], kind="mergesort")
    peaks = frame.drop_duplicates("area").set_index("area")
    stats = frame.groupby("area").agg(cells=("h3", "size"), mean_score=("score", "mean"))
    peaks = peaks.join(stats)
    peaks = peaks.sort_values(["score", "cells", "h3"], ascending=[False, False, True],
                              kind="mergesort")
    if top is not None:
        peaks = peaks.iloc[:top]
    members = {area: frame.loc[frame["area"] == area, "h3"].to_numpy() for area in peaks.index}
    area_km2 = [sum(h3_int.cell_area(int(c), unit="km^2") for c in members[a]) for a in peaks.index]
    outlines = [valleys_grid.cells_to_polygons(members[a]) for a in peaks.index]
    out = gpd.GeoDataFrame(
        {
            "id": [f"area-{i + 1}" for i in range(len(peaks))],
            "lat": peaks["lat"].to_numpy(float),
            "lon": peaks["lon"].to_numpy(float),
            "area_km2": np.asarray(area_km2, dtype=float),
            "score": peaks["score"].to_numpy(float),
            "mean_score": peaks["mean_score"].to_numpy(float),
            "cells": peaks["cells"].to_numpy(int),
            "best_cell": [h3_int.int_to_str(int(c)) for c in peaks["h3"]],
        },
        geometry=outlines, crs=WGS84,
    )
    names = _place_names(out["lon"].to_numpy(float), out["lat"].to_numpy(float), dataset)
    for column, values in names.items():
        out[column] = values
    return out


def _place_names(lon: np.ndarray, lat: np.ndarray, dataset: Dataset | None) -> dict[str, list]:
    """The commune and region of points: the polygon holding each, else the nearest."""
    out: dict[str, list] = {"commune": [None] * len(lon), "province": [None] * len(lon),
                            "region": [None] * len(lon)}
    if dataset is None or len(lon) == 0:
        return out
    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84)
    layers = {"commune": dataset.communes, "region": dataset.regions}
    for column, layer in layers.items():
        if layer is None or "name" not in layer.columns or layer.empty:
            continue
        where = np.full(len(lon), -1)
        idx_point, idx_layer = layer.sindex.query(points.array, predicate="within")
        where[idx_point] = idx_layer
        lost = np.flatnonzero(where < 0)
        if len(lost):  # on the coast, between polygons: the nearest one
            _, nearest = layer.sindex.nearest(points.array[lost], return_all=False)
            where[lost] = nearest
        names = layer["name"].astype(str).to_numpy()
        out[column] = [str(names[i]) for i in where]
        if column == "commune" and "province" in layer.columns:
            provinces = layer["province"].astype(str).to_numpy()
            out["province"] = [str(provinces[i]) for i in where]
    if dataset.regions is None and dataset.communes is not None and "region" in dataset.communes:
        regions = dataset.communes["region"].astype(str).to_numpy()
        by_name = dict(zip(dataset.communes["name"].astype(str), regions, strict=False))
        out["region"] = [by_name.get(c) for c in out["commune"]]
    return out


def overview(cells: pd.DataFrame, scores: pd.Series, *,
             resolution: int = OVERVIEW_RESOLUTION) -> pd.DataFrame:
    """The scores aggregated to coarser cells, for a map at country zoom.

    Returns
    -------
    pandas.DataFrame
        Index: the parent cells (unsigned integers) of ``resolution`` (or the cells
        themselves when they are coarser); columns ``max_score``, ``mean_score``.
    """
    scored = scores.dropna()
    if scored.empty:
        return pd.DataFrame({"max_score": np.empty(0), "mean_score": np.empty(0)},
                            index=pd.Index(np.empty(0, dtype=np.uint64), name="h3"))
    cells_ = np.asarray(scored.index, dtype=np.uint64)
    cell_res = h3_int.get_resolution(int(cells_[0]))
    if cell_res <= resolution:
        parents = cells_
    else:
        parents = valleys_grid.cell_parents(cells_, resolution)
    frame = pd.DataFrame({"parent": parents, "score": scored.to_numpy()})
    grouped = frame.groupby("parent", sort=True)["score"].agg(["max", "mean"])
    grouped.columns = ["max_score", "mean_score"]
    grouped.index.name = "h3"
    return grouped


# ---------------------------------------------------------------------------------------
# The whole computation


@dataclass
class SuitabilityResult:
    """The outcome of :func:`suitability`.

    Attributes
    ----------
    resolution, cells
        The grid's H3 resolution and number of cells.
    scored
        How many cells were scored (the others are excluded by the profile).
    percentile, threshold
        The best percentile and the lowest score in it.
    areas
        The candidate areas, best first (:func:`describe_areas`), with their outlines.
    best
        The selected cells (index H3; ``score``, ``lon``, ``lat``, ``area`` id).
    overview
        Max and mean scores per cell of :data:`OVERVIEW_RESOLUTION` (for maps).
    plan
        The resolved profile.
    grid
        The scored cells with their features, without geometry (single-machine runs; ``None``
        on Dask).
    """

    resolution: int
    cells: int
    scored: int
    percentile: float
    threshold: float | None
    areas: gpd.GeoDataFrame
    best: pd.DataFrame
    overview: pd.DataFrame
    plan: ScoringPlan
    excluded: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    grid: pd.DataFrame | None = None
    #: the best cell of every area (not only the ``top``), best first: ``lat``, ``lon``,
    #: ``score`` (index H3); where parcels are cut
    peaks: pd.DataFrame | None = None
    #: the candidate parcels, best first (:func:`matching.parcels.build_parcels`); ``None``
    #: when not cut (``parcels=False``, the Dask path)
    parcels: gpd.GeoDataFrame | None = None
    #: each parcel's messages (name, comparison with the zones, strongest, weakest criteria)
    parcel_messages: list[list[Message]] = field(default_factory=list)

    def parcels_json(self) -> list[dict[str, Any]]:
        """The parcels as plain JSON, best first (``docs/suitability.md``)."""
        if self.parcels is None:
            return []
        out = []
        for row, msgs in zip(self.parcels.itertuples(index=False), self.parcel_messages,
                             strict=True):
            west, south, east, north = (round(float(v), 6) for v in row.geometry.bounds)
            out.append({
                "id": row.id, "name": row.name, "town": row.town, "commune": row.commune,
                "province": row.province, "region": row.region,
                "lat": round(float(row.lat), 6), "lon": round(float(row.lon), 6),
                "area_km2": round(float(row.area_km2), 3), "cells": int(row.cells),
                "score": float(row.score), "best_score": float(row.best_score),
                "zones_km": None if math.isnan(row.zones_km) else round(float(row.zones_km), 2),
                "nearest_zone": row.nearest_zone, "bounds": [south, west, north, east],
                "messages": [m.as_json() for m in msgs],
            })
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``techvalley suitability --format json``: ``resolution``, ``cells``,
        ``areas`` (``id``, ``lat``, ``lon``, ``area_km2``, ``score``, ``commune``,
        ``region``, and ``province``, ``mean_score``, ``cells``, ``best_cell``), best first; and what the
        run used (``scored``, ``percentile``, ``threshold``, ``method``, ``weights``,
        ``excluded``, ``warnings``, and ``messages``: the warnings as data); ``parcels``
        (:meth:`parcels_json`, empty when they were not cut)."""
        areas = []
        for row in self.areas.itertuples(index=False):
            areas.append({
                "id": row.id, "lat": round(float(row.lat), 6), "lon": round(float(row.lon), 6),
                "area_km2": round(float(row.area_km2), 3), "score": float(row.score),
                "commune": row.commune, "province": row.province, "region": row.region,
                "mean_score": float(row.mean_score), "cells": int(row.cells),
                "best_cell": row.best_cell,
            })
        return {
            "resolution": self.resolution,
            "cells": self.cells,
            "areas": areas,
            "parcels": self.parcels_json(),
            "scored": self.scored,
            "percentile": self.percentile,
            "threshold": None if self.threshold is None else float(self.threshold),
            "method": self.plan.method,
            "normalization": self.plan.normalization,
            "weights": {c: float(w) for c, w in zip(self.plan.columns, self.plan.weights,
                                                     strict=True)},
            "excluded": dict(self.excluded),
            "warnings": list(self.warnings),
            # the same as data (docs/requirements.md, "Messages"); the dask engine writes the
            # same sentences as text, so both read them back from their templates
            "messages": [(from_text(w) or Message("text", {}, w)).as_json()
                         for w in self.warnings],
        }

    def layer(self, view: str = "areas") -> gpd.GeoDataFrame:
        """The areas or the parcels (``view``) as a GeoDataFrame with outlines."""
        if view == "parcels":
            if self.parcels is None:
                return gpd.GeoDataFrame({"id": pd.Series(dtype=str)}, geometry=[], crs=WGS84)
            return self.parcels
        return self.areas

    def to_geojson(self, view: str = "areas") -> str:
        """The areas (or the parcels) as a GeoJSON FeatureCollection: outlines, and the
        attributes of :meth:`to_json` (a parcel's sentences in English)."""
        return self.layer(view).to_json(na="null", show_bbox=False, drop_id=True,
                                         ensure_ascii=False)


def finish(*, best: pd.DataFrame, n_cells: int, n_scored: int, percentile: float,
           plan: ScoringPlan, dataset: Dataset, top: int | None, resolution: int,
           overview_frame: pd.DataFrame, excluded: dict[str, int], warnings: list[str],
           prominence: float | None = DEFAULT_PROMINENCE,
           grid: pd.DataFrame | None = None) -> SuitabilityResult:
    """Merge the selected cells into areas and assemble the result (both engines)."""
    best = best.sort_index()
    labels = candidate_areas(best["score"], prominence=prominence)
    areas = describe_areas(best[["score", "lon", "lat"]], labels, dataset, top=top)
    area_of = dict(zip(areas["best_cell"], areas["id"], strict=True))
    peak = best.assign(label=labels).sort_values("score", ascending=False, kind="mergesort")
    first_cells = peak.groupby("label", sort=False).head(1)
    label_to_area = {int(lbl): area_of.get(h3_int.int_to_str(int(cell)))
                     for cell, lbl in zip(first_cells.index, first_cells["label"], strict=True)}
    best = best.assign(area=[label_to_area.get(int(x)) for x in labels.to_numpy()])
    threshold = float(best["score"].min()) if len(best) else None
    peaks = best.loc[first_cells.index, ["lat", "lon", "score"]]
    order = np.lexsort((np.asarray(peaks.index, dtype=np.uint64), -peaks["score"].to_numpy()))
    peaks = peaks.iloc[order]  # best first; ties: the smaller H3 index first
    return SuitabilityResult(
        resolution=resolution, cells=n_cells, scored=n_scored, percentile=percentile,
        threshold=threshold, areas=areas, best=best, overview=overview_frame, plan=plan,
        excluded=excluded, warnings=warnings, grid=grid, peaks=peaks,
    )


def suitability(
    dataset: Dataset,
    *,
    resolution: int = 8,
    profile: Mapping[str, Any] | Requirements | None = None,
    top: int | None = DEFAULT_TOP,
    percentile: float = DEFAULT_PERCENTILE,
    prominence: float | None = DEFAULT_PROMINENCE,
    catchment_km: float | None = None,
    partitions: int | None = None,
    source: str = "profile",
    parcels: bool = True,
    parcel_options: ParcelOptions | None = None,
) -> SuitabilityResult:
    """Score the national grid and merge its best cells into ranked candidate areas.

    Parameters
    ----------
    dataset
        A loaded dataset with a ``regions`` (or ``land``) layer.
    resolution
        H3 resolution, 0 to 15 (default 8: about 0.74 km² a cell).
    profile
        Requirements to score the cells with (``None``: :data:`DEFAULT_PROFILE`).
    top
        How many areas to keep, best first (``None``: all).
    percentile
        The best percentile of scored cells that merges into areas (0 < p <= 100).
    prominence
        Splits an area between its distinct peaks (:func:`candidate_areas`); ``None``: an
        area is every connected group of selected cells.
    catchment_km
        The catchment radius (``None``: :data:`valleys.settings.CATCHMENT_RADIUS_KM`).
    partitions
        ``None``: one machine. A number: the grid in that many partitions on Dask
        (:func:`matching.suitability_dask.suitability_dask`), the same result.
    source
        What to call the profile in messages.
    parcels
        Cut candidate parcels around the areas' peaks (:mod:`matching.parcels`; the ``top``
        best); not on the Dask path (a warning says so).
    parcel_options
        Their area and spacing (:func:`matching.parcels.check_parcel_options`; ``None``: the
        defaults, 0.5 to 5 km², 10 km apart).

    Raises
    ------
    valleys.DatasetError
        A resolution outside 0 to 15, no land to grid.
    RequirementsError
        A bad profile (an unknown column...), a bad percentile or ``top``.
    """
    percentile = check_percentile(percentile)
    if prominence is not None and not (isinstance(prominence, (int, float))
                                       and 0 <= prominence <= 1):
        raise RequirementsError(f"prominence must be a number from 0 to 1, not {prominence!r}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer))
                            or top < 1):
        raise RequirementsError(f"top must be a whole number >= 1, not {top!r}")
    options = parcel_options if parcel_options is not None else ParcelOptions()
    if parcels:  # checked before the grid's seconds
        options = check_parcel_options(
            min_area_km2=options.min_area_km2, max_area_km2=options.max_area_km2,
            spacing_km=options.spacing_km, resolution=options.resolution)
    if partitions is not None:
        from matching.suitability_dask import suitability_dask

        result = suitability_dask(dataset, resolution=resolution, profile=profile, top=top,
                                  percentile=percentile, prominence=prominence,
                                  catchment_km=catchment_km,
                                  partitions=partitions, source=source)
        if parcels:
            result.warnings.append(message("warning.grid_parcels_one_machine").text)
        return result
    resolution = valleys_grid.check_resolution(resolution)
    cells = valleys_grid.grid_features(dataset, resolution=resolution,
                                       catchment_km=catchment_km, geometry=False)
    scored = score_cells(cells, profile, source=source)
    best = select_best(scored.scores, percentile=percentile)
    best_frame = cells.loc[best.index, ["lon", "lat"]].assign(score=best.to_numpy())
    overview_frame = overview(cells, scored.scores)
    cells["score"] = scored.scores  # our own frame: no copy of a million rows
    result = finish(
        best=pd.DataFrame(best_frame), n_cells=len(cells),
        n_scored=int(scored.scores.notna().sum()), percentile=percentile, plan=scored.plan,
        dataset=dataset, top=top, resolution=resolution,
        overview_frame=overview_frame, excluded=scored.excluded,
        warnings=scored.warnings, prominence=prominence, grid=cells,
    )
    if parcels and result.peaks is not None:
        result.parcels, result.parcel_messages = build_parcels(
            dataset, cells, scored.plan, result.peaks, options=options,
            floor=result.threshold, top=top, catchment_km=catchment_km)
    return result
