"""The suitability grid partitioned on Dask (dask-geopandas), for territories past one machine.

:func:`suitability_dask` computes what :func:`matching.suitability.suitability` computes, in
partitions: the land's parent cells (:func:`valleys.grid.grid_partitions`) are split into runs,
and each partition builds its cells and their features (a dask-geopandas GeoDataFrame, one
partition per run), so no machine holds the whole grid. The score of a cell depends on every
cell through the normalisation and the ideal points, so scoring takes two passes:

1. each partition reports, per criterion, its observed minimum and maximum (the worst value
   that ``missing: worst`` fills in) and, over its scorable cells, the count, sum, sum of
   squares, minimum and maximum; these combine exactly into the column statistics that
   :func:`matching.mcda.normalize` and TOPSIS's ideal points use;
2. each partition scores its cells with those statistics (the formulas of :mod:`matching.mcda`)
   and keeps only its cells that can be among the best ``percentile`` overall (its k best,
   k being the global count), and its overview (scores aggregated to coarse cells, which never
   straddle partitions: partitions are whole parent cells).

The driver then selects the best cells and merges them into areas exactly as on one machine.
The result equals the single-machine run (scores to floating-point round-off: sums are added
in another order). The features are persisted between the passes (on a cluster,
``dask.distributed``, they stay on the workers), or, with ``persist=False``, computed again in
the second pass so that only the partitions being worked on are in memory.

Use it when the grid does not fit in memory (more than :data:`valleys.grid.MAX_CELLS` cells,
a continent at resolution 9), or to spread a large grid over a cluster; for Morocco at
resolution 8 (870,000 cells) one machine is faster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dask
import dask.dataframe as dd
import dask_geopandas  # noqa: F401  (GeoDataFrame partitions make a dask-geopandas frame)
import geopandas as gpd
import numpy as np
import pandas as pd

from matching.errors import RequirementsError
from matching.messages import message
from matching.requirements import Requirements
from matching.suitability import (
    DEFAULT_PERCENTILE,
    DEFAULT_PROMINENCE,
    DEFAULT_TOP,
    OVERVIEW_RESOLUTION,
    ScoringPlan,
    SuitabilityResult,
    best_count,
    check_percentile,
    criterion_matrix,
    finish,
    overview,
    scoring_plan,
    select_best,
)
from valleys import grid as valleys_grid
from valleys.dataset import Dataset

__all__ = ["column_statistics", "grid_dask", "score_with_statistics", "suitability_dask"]


def grid_dask(dataset: Dataset, *, resolution: int = 8, partitions: int = 8,
              catchment_km: float | None = None):
    """The grid with its features as a dask-geopandas GeoDataFrame, ``partitions`` partitions.

    Each partition is :func:`valleys.grid.cell_features` of the cells under a run of parent
    cells; together they are :func:`valleys.grid.grid_features` (index ``h3``, sorted within a
    partition).
    """
    resolution = valleys_grid.check_resolution(resolution)
    runs = list(valleys_grid.grid_partitions(dataset, resolution=resolution,
                                             partitions=partitions, catchment_km=catchment_km))
    land = runs[0][1]
    meta = valleys_grid.cell_features(
        valleys_grid.cells_in_land(np.empty(0, dtype=np.uint64), land, resolution), dataset,
        catchment_km=catchment_km,
    )

    def build(parents: np.ndarray) -> gpd.GeoDataFrame:
        cells = valleys_grid.cells_in_land(parents, land, resolution)
        return valleys_grid.cell_features(cells, dataset, catchment_km=catchment_km)

    return dd.from_map(build, [parents for parents, _ in runs], meta=meta,
                       label="techvalley-grid", enforce_metadata=False)


# ---------------------------------------------------------------------------------------
# Pass 1: column statistics


def partition_statistics(frame: pd.DataFrame, plan: ScoringPlan) -> dict[str, Any]:
    """One partition's contribution to the column statistics (see :func:`column_statistics`)."""
    n_criteria = len(plan.columns)
    values = frame[plan.columns].to_numpy(dtype=float)
    _, scorable, excluded = criterion_matrix(frame, plan, np.full(n_criteria, np.nan))
    chosen = values[scorable]
    missing = np.isnan(chosen)
    observed = np.where(missing, 0.0, chosen)

    def nan_reduce(fn, array: np.ndarray, empty: float) -> np.ndarray:
        if array.size == 0:
            return np.full(n_criteria, empty)
        with np.errstate(all="ignore"):
            masked = np.where(np.isnan(array), empty, array)
        return fn(masked, axis=0)

    return {
        "cells": len(frame),
        "scorable": int(scorable.sum()),
        "excluded": excluded,
        "all_min": nan_reduce(np.min, values, np.inf),
        "all_max": nan_reduce(np.max, values, -np.inf),
        "sum": observed.sum(axis=0),
        "sumsq": (observed * observed).sum(axis=0),
        "min": nan_reduce(np.min, chosen, np.inf),
        "max": nan_reduce(np.max, chosen, -np.inf),
        "missing": missing.sum(axis=0),
    }


def column_statistics(parts: list[dict[str, Any]], plan: ScoringPlan) -> dict[str, Any]:
    """Combine the partitions' statistics into the global ones.

    Returns ``worst`` (the worst observed value of each criterion over every cell), and over
    the scorable cells after filling ``missing: worst``: ``n``, ``sum``, ``sumsq``, ``min``,
    ``max``; and ``cells`` (every cell) and ``excluded`` (reason -> count).
    """
    all_min = np.min([p["all_min"] for p in parts], axis=0)
    all_max = np.max([p["all_max"] for p in parts], axis=0)
    worst = np.where(plan.benefit, all_min, all_max)
    worst = np.where(np.isfinite(worst), worst, np.nan)
    n_missing = np.sum([p["missing"] for p in parts], axis=0)
    fill = np.where(np.isnan(worst), 0.0, worst)
    total = np.sum([p["sum"] for p in parts], axis=0) + n_missing * fill
    sumsq = np.sum([p["sumsq"] for p in parts], axis=0) + n_missing * fill * fill
    low = np.min([p["min"] for p in parts], axis=0)
    high = np.max([p["max"] for p in parts], axis=0)
    low = np.where(n_missing > 0, np.minimum(low, fill), low)
    high = np.where(n_missing > 0, np.maximum(high, fill), high)
    excluded: dict[str, int] = {}
    for p in parts:
        for reason, count in p["excluded"].items():
            excluded[reason] = excluded.get(reason, 0) + count
    return {
        "worst": worst, "n": int(sum(p["scorable"] for p in parts)), "sum": total,
        "sumsq": sumsq, "min": low, "max": high, "cells": int(sum(p["cells"] for p in parts)),
        "excluded": {k: v for k, v in excluded.items() if v},
    }


# ---------------------------------------------------------------------------------------
# Pass 2: scores


def _normalised(matrix: np.ndarray, stats: Mapping[str, Any], benefit: np.ndarray,
                method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`matching.mcda.normalize` with global statistics, and the normalised column
    maxima and minima (the ideal points' material)."""
    low, high = np.asarray(stats["min"], float), np.asarray(stats["max"], float)
    if method == "none":
        return matrix.copy(), high.copy(), low.copy()
    if method == "minmax":
        span = high - low
        safe = np.where(span > 0, span, 1.0)
        out = np.where(benefit, matrix - low, high - matrix) / safe
        out[:, span <= 0] = 0.0
        top = np.where(span > 0, 1.0, 0.0)
        return out, top, np.zeros_like(top)
    scale = np.sqrt(stats["sumsq"]) if method == "vector" else np.asarray(stats["sum"], float)
    safe = np.where(scale != 0, scale, 1.0)
    out = matrix / safe
    out[:, scale == 0] = 0.0
    ends = np.vstack([high / safe, low / safe])
    ends[:, scale == 0] = 0.0
    return out, ends.max(axis=0), ends.min(axis=0)


def score_with_statistics(matrix: np.ndarray, plan: ScoringPlan,
                          stats: Mapping[str, Any]) -> np.ndarray:
    """Scores of some scorable cells, the normalisation and ideal points taken from the global
    statistics: the same formulas as :func:`matching.topsis` and :func:`matching.weighted_sum`."""
    weights = plan.weights / plan.weights.sum()
    benefit = plan.benefit
    if plan.method == "weighted_sum":
        normalised, _, _ = _normalised(matrix, stats, benefit, plan.normalization)
        signed = weights if plan.normalization == "minmax" else np.where(benefit, weights, -weights)
        return normalised @ signed
    ones = np.ones_like(benefit)
    normalised, high, low = _normalised(matrix, stats, ones, plan.normalization)
    weighted = normalised * weights
    high, low = high * weights, low * weights
    ideal = np.where(benefit, high, low)
    anti_ideal = np.where(benefit, low, high)
    d_plus = np.sqrt(((weighted - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - anti_ideal) ** 2).sum(axis=1))
    total = d_plus + d_minus
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)


def partition_scores(frame: pd.DataFrame, plan: ScoringPlan, stats: Mapping[str, Any]) -> pd.Series:
    """Scores of one partition's cells (NaN where not scorable), aligned to its index."""
    matrix, scorable, _ = criterion_matrix(frame, plan, np.asarray(stats["worst"], float))
    scores = np.full(len(frame), np.nan)
    if scorable.any():
        scores[scorable] = score_with_statistics(matrix[scorable], plan, stats)
    return pd.Series(scores, index=frame.index, name="score")


def _partition_best(frame: pd.DataFrame, plan: ScoringPlan, stats: Mapping[str, Any],
                    k: int) -> pd.DataFrame:
    scores = partition_scores(frame, plan, stats).dropna()
    if k == 0 or scores.empty:
        return pd.DataFrame({"lon": [], "lat": [], "score": []},
                            index=pd.Index(np.empty(0, np.uint64), name="h3"))
    values = scores.to_numpy()
    kth = np.partition(values, max(len(values) - k, 0))[max(len(values) - k, 0)]
    kept = scores[values >= kth]
    return pd.DataFrame(frame.loc[kept.index, ["lon", "lat"]]).assign(score=kept.to_numpy())


def _partition_overview(frame: pd.DataFrame, plan: ScoringPlan,
                        stats: Mapping[str, Any]) -> pd.DataFrame:
    return overview(frame, partition_scores(frame, plan, stats), resolution=OVERVIEW_RESOLUTION)


# ---------------------------------------------------------------------------------------
# The whole computation


def suitability_dask(
    dataset: Dataset,
    *,
    resolution: int = 8,
    profile: Mapping[str, Any] | Requirements | None = None,
    top: int | None = DEFAULT_TOP,
    percentile: float = DEFAULT_PERCENTILE,
    prominence: float | None = DEFAULT_PROMINENCE,
    catchment_km: float | None = None,
    partitions: int = 8,
    scheduler: str | None = None,
    persist: bool = True,
    source: str = "profile",
) -> SuitabilityResult:
    """:func:`matching.suitability.suitability` on Dask, in ``partitions`` partitions.

    Parameters
    ----------
    dataset, resolution, profile, top, percentile, prominence, catchment_km, source
        As for :func:`matching.suitability.suitability`.
    partitions
        How many partitions the land's parent cells are split into.
    scheduler
        A Dask scheduler name (``"threads"``, ``"processes"``, ``"synchronous"``); ``None``:
        Dask's current one (a ``dask.distributed`` client when one is active).
    persist
        Keep the partitions' features in memory (on the workers) between the two passes.
        ``False`` computes them twice but holds only the partitions being worked on: a grid
        larger than the memory of the machine (or cluster) then still runs.

    Returns
    -------
    SuitabilityResult
        As on one machine, with ``grid=None`` (the cells stay partitioned).
    """
    percentile = check_percentile(percentile)
    frames = grid_dask(dataset, resolution=resolution, partitions=partitions,
                       catchment_km=catchment_km)
    plan = scoring_plan(profile, list(frames.columns), source=source)
    if plan.normalization == "values":  # log or threshold: their ranges need the whole grid
        raise RequirementsError(
            f"{source}: the partitioned grid scores linear value functions only (criteria "
            + ", ".join(c.column for c in plan.plan.criteria if c.value not in (None, "linear"))
            + " name another); give them value: linear, or score the grid in one piece"
        )
    compute_options = {"scheduler": scheduler} if scheduler else {}
    with dask.config.set({"dataframe.convert-string": False}):
        if persist:
            frames = frames.persist(**compute_options)
        delayed = frames.to_delayed()
        parts = dask.compute(
            *[dask.delayed(partition_statistics)(d, plan) for d in delayed], **compute_options
        )
        stats = column_statistics(list(parts), plan)
        dropped = [c for c, w, fill in zip(plan.columns, stats["worst"], plan.worst_fill,
                                            strict=True) if fill and np.isnan(w)]
        if dropped:
            raise RequirementsError(
                f"{source}: criteria {', '.join(dropped)} have no value in any cell"
            )
        k = best_count(stats["n"], percentile)
        bests, overviews = dask.compute(
            [dask.delayed(_partition_best)(d, plan, stats, k) for d in delayed],
            [dask.delayed(_partition_overview)(d, plan, stats) for d in delayed],
            **compute_options,
        )
    candidates = pd.concat(bests)
    best_scores = select_best(candidates["score"], percentile=percentile, n_scored=stats["n"])
    best = candidates.loc[best_scores.index]
    warnings_ = list(plan.plan.warnings)
    if stats["n"] == 0:
        warnings_.append(message("warning.grid_nothing_scored").text)
    else:
        for j, column in enumerate(plan.columns):
            if stats["max"][j] - stats["min"][j] == 0:
                warnings_.append(message("warning.grid_no_variance", column=column).text)
    overview_frame = pd.concat(overviews).sort_index() if overviews else overview(
        frames.head(0), pd.Series(dtype=float))
    return finish(
        best=best, n_cells=stats["cells"], n_scored=stats["n"], percentile=percentile,
        plan=plan, dataset=dataset, top=top, resolution=valleys_grid.check_resolution(resolution),
        overview_frame=overview_frame, excluded=stats["excluded"], warnings=warnings_,
        prominence=prominence, grid=None,
    )
