"""Benchmark: the national suitability grid, the whole of Morocco at H3 resolution 8.

About 870,000 cells over the shipped dataset's 12 regions, from the land to ranked candidate
areas. Target: under 30 s and 4 GB on 2 cores for the four stages together (the dataset's
loading is not counted: the web app and the command load it once). Each stage is timed
separately (median of runs, and cells per second):

- grid: the parent cells over the land and their children whose centre is in the land
  (:func:`valleys.grid.parent_cells`, :func:`valleys.grid.cells_in_land`);
- features: distances to every point layer and to the zones, and the catchments
  (:func:`valleys.grid.cell_features`);
- scoring: the default planning profile with TOPSIS (:func:`matching.suitability.score_cells`);
- merging: the best 5% of the cells into candidate areas, named and outlined
  (:func:`matching.suitability.select_best`, :func:`~matching.suitability.candidate_areas`,
  :func:`~matching.suitability.describe_areas`);
- parcels: the candidate parcels around the areas' peaks (resolution 9 refined there only,
  scored with the grid, named; :func:`matching.parcels.build_parcels`).

Then the whole run, :func:`matching.suitability.suitability` as ``techvalley suitability``
calls it, with parcels (the default) against the areas-only run (``parcels=False``, the
baseline: what the command did before parcels), median of ``--runs`` each. Target: under 10 s
on 2 cores with parcels.

Baselines, named in the output:

- grid: H3's own polygon fill of the land (``h3.h3shape_to_cells``), the same cells; slow on a
  detailed coastline (40 to 80 s), so run once and only with ``--baseline``;
- features: the zones' functions (:func:`valleys.features.nearest_km` for each layer and
  :func:`valleys.features.catchment`) on the cell centres: the same implementation
  (:func:`valleys.features.point_features`) reached through GeoSeries, one layer at a time;
- merging: plain connected components (``prominence=None``), without the split between peaks.

    .venv/bin/python benchmarks/bench_suitability.py [--resolution 8] [--runs 3] [--baseline]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import warnings

import geopandas as gpd
import numpy as np

import valleys
from matching.parcels import ParcelOptions, build_parcels
from matching.suitability import (
    candidate_areas,
    describe_areas,
    score_cells,
    select_best,
    suitability,
)
from valleys import grid
from valleys.features import catchment, nearest_km


def _median(times: list[float]) -> float:
    return statistics.median(times)


def _line(stage: str, times: list[float], cells: int, baseline: float | None = None,
          name: str = "") -> str:
    median = _median(times)
    text = (f"{stage:<10} median {median:7.2f} s  {cells / median:>12,.0f} cells/s  "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    if baseline is not None:
        text += f"\n{'':<10} baseline {name}: {baseline:.2f} s, ratio {baseline / median:.1f}x"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resolution", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--percentile", type=float, default=5.0)
    parser.add_argument("--baseline", action="store_true",
                        help="also time H3's polygon fill of the land (40 to 80 s)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    dataset = valleys.load_dataset()
    resolution = args.resolution
    stages: dict[str, list[float]] = {"grid": [], "features": [], "scoring": [], "merging": [],
                                      "parcels": []}
    cpu: list[float] = []
    for _ in range(args.runs):
        cpu_start = time.process_time()
        start = time.perf_counter()
        land = grid.land_geometry(dataset)
        cells = grid.cells_in_land(grid.parent_cells(land, resolution), land, resolution,
                                   geometry=False)  # as suitability() does
        stages["grid"].append(time.perf_counter() - start)

        start = time.perf_counter()
        features = grid.cell_features(cells, dataset)
        stages["features"].append(time.perf_counter() - start)

        start = time.perf_counter()
        scored = score_cells(features)
        stages["scoring"].append(time.perf_counter() - start)

        start = time.perf_counter()
        best = select_best(scored.scores, percentile=args.percentile)
        frame = features.loc[best.index, ["lon", "lat"]].assign(score=best.to_numpy())
        labels = candidate_areas(frame["score"])
        areas = describe_areas(frame, labels, dataset, top=10)
        stages["merging"].append(time.perf_counter() - start)

        start = time.perf_counter()
        peaks = frame.assign(label=labels).sort_values("score", ascending=False,
                                                       kind="mergesort")
        peaks = peaks.groupby("label", sort=False).head(1)[["lat", "lon", "score"]]
        graded = features.assign(score=scored.scores)
        parcels, _ = build_parcels(dataset, graded, scored.plan, peaks, options=ParcelOptions(),
                                   floor=float(best.min()), top=10)
        stages["parcels"].append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)

    n = len(cells)
    total = [sum(run) for run in zip(*stages.values(), strict=True)]
    print(f"Suitability grid: Morocco at H3 resolution {resolution}, {n:,} cells, "
          f"{len(best):,} in the best {args.percentile:g}%, {labels.nunique()} areas; "
          f"{args.runs} runs")

    baseline_grid = None
    if args.baseline:
        import h3

        start = time.perf_counter()
        filled = h3.h3shape_to_cells(h3.geo_to_h3shape(land.__geo_interface__), resolution)
        baseline_grid = time.perf_counter() - start
        assert len(filled) == n, (len(filled), n)
    print(_line("grid", stages["grid"], n, baseline_grid, "h3.h3shape_to_cells (same cells)"))

    start = time.perf_counter()
    points = gpd.GeoSeries(gpd.points_from_xy(features["lon"], features["lat"]), crs="EPSG:4326")
    for layer in [*dataset.point_layers.values(), dataset.zones]:
        nearest_km(points, layer)
    catchment(points, dataset.communes, radius_km=30)
    baseline_features = time.perf_counter() - start
    print(_line("features", stages["features"], n, baseline_features,
                "valleys.features.nearest_km + catchment (the zones' path)"))
    print(_line("scoring", stages["scoring"], n))
    start = time.perf_counter()
    candidate_areas(frame["score"], prominence=None)
    baseline_merge = time.perf_counter() - start
    print(_line("merging", stages["merging"], n, baseline_merge,
                "connected components only (prominence=None)"))
    print(_line("parcels", stages["parcels"], n))
    median_total = _median(total)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    verdict = "meets" if median_total < 30 and peak_gb < 4 else "MISSES"
    print(f"{'total':<10} median {median_total:7.2f} s  {n / median_total:>12,.0f} cells/s  "
          f"(CPU {_median(cpu):.2f} s a run); peak memory {peak_gb:.2f} GB; "
          f"target < 30 s and < 4 GB: {verdict}")
    print("best areas: " + "; ".join(
        f"{row.id} {row.commune} ({row.region}) {row.score:.3f}"
        for row in areas.head(5).itertuples()))
    print("best parcels: " + "; ".join(
        f"{row.id} {row.name} {row.area_km2:.1f} km² {row.score:.3f}"
        for row in parcels.head(5).itertuples()))

    whole: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.runs):
        for with_parcels in (False, True):
            start = time.perf_counter()
            suitability(dataset, resolution=resolution, percentile=args.percentile,
                        parcels=with_parcels)
            whole[with_parcels].append(time.perf_counter() - start)
    with_parcels, areas_only = _median(whole[True]), _median(whole[False])
    verdict = "meets" if with_parcels < 10 else "MISSES"
    print(f"{'whole run':<10} median {with_parcels:7.2f} s with parcels "
          f"(runs: {', '.join(f'{t:.2f}' for t in whole[True])}); target < 10 s: {verdict}")
    print(f"{'':<10} baseline areas only (parcels=False): {areas_only:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in whole[False])}), "
          f"ratio {with_parcels / areas_only:.2f}x")
    _ = np  # numpy is imported for interactive use of the module


if __name__ == "__main__":
    main()
