"""Benchmark: per-site features of 100,000 synthetic sites.

Against 1,500 communes (polygons with census counts) and 50 infrastructure points in three
layers (airports, rail stations, universities), spread over Morocco's extent. Target: under 2 s
(median of runs) on 2 cores for :func:`valleys.site_features`.

Baseline: the same features with geopandas in a projected CRS (EPSG:26191), ``sjoin_nearest``
for the distances and ``sjoin(predicate="dwithin")`` + ``groupby`` for the catchment sums (planar
distances, so not even the same figures: it is the obvious way, and the yardstick).

    .venv/bin/python benchmarks/bench_features.py [--sites 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from valleys.dataset import Dataset
from valleys.features import site_features

COUNTS = ["population", "population_10_plus", "population_15_plus", "labour_active",
          "labour_employed", "labour_unemployed", "french_literate", "english_literate",
          "higher_education"]


def synthetic_dataset(n_sites: int, n_communes: int = 1500, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)

    def lonlat(n):  # denser in the north-west, as Morocco is
        return rng.uniform(-10.0, -1.5, n), 27.5 + 8.5 * rng.beta(2.5, 1.2, n)

    lon, lat = lonlat(n_sites)
    zones = gpd.GeoDataFrame(
        {"id": [f"z{i}" for i in range(n_sites)], "name": [f"site {i}" for i in range(n_sites)],
         "rent_mad_m2_month": rng.uniform(40, 150, n_sites)},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326",
    )
    c_lon, c_lat = lonlat(n_communes)
    population = rng.integers(2_000, 400_000, n_communes)
    communes = gpd.GeoDataFrame(
        {"id": [f"c{i}" for i in range(n_communes)],
         **{c: (population * rng.uniform(0.05, 0.9, n_communes)).round() for c in COUNTS[1:]},
         "population": population},
        geometry=shapely.buffer(shapely.points(c_lon, c_lat), 0.05, quad_segs=4), crs="EPSG:4326",
    )
    layers = {"zones": zones, "communes": communes}
    for name, n in (("airports", 15), ("rail_stations", 20), ("universities", 15)):
        p_lon, p_lat = lonlat(n)
        layers[name] = gpd.GeoDataFrame(
            {"id": [f"{name}{i}" for i in range(n)]}, geometry=gpd.points_from_xy(p_lon, p_lat),
            crs="EPSG:4326",
        )
    return Dataset(layers=layers, path="<synthetic>", version="synthetic")


def baseline(dataset: Dataset, radius_km: float = 30.0) -> pd.DataFrame:
    """geopandas in EPSG:26191: sjoin_nearest per layer, sjoin dwithin + groupby for sums."""
    crs = "EPSG:26191"
    sites = dataset.zones[["id", "geometry"]].to_crs(crs)
    out = pd.DataFrame(index=sites.index)
    for name, layer in dataset.point_layers.items():
        joined = gpd.sjoin_nearest(sites, layer[["geometry"]].to_crs(crs), distance_col="d")
        out[f"{name}_km"] = joined.groupby(level=0)["d"].first() / 1000.0
    centres = dataset.communes.copy()
    centres["geometry"] = centres.geometry.representative_point()
    centres = centres.to_crs(crs)
    pairs = gpd.sjoin(sites, centres[COUNTS + ["geometry"]], predicate="dwithin",
                      distance=radius_km * 1000.0)
    sums = pairs.groupby(level=0)[COUNTS].sum()
    return out.join(sums.add_prefix("catchment_"))


def median_seconds(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    dataset = synthetic_dataset(args.sites)
    site_features(dataset)  # warm-up (imports, PROJ database)
    ours = median_seconds(lambda: site_features(dataset), args.runs)
    base = median_seconds(lambda: baseline(dataset), max(1, args.runs // 2))
    sites = site_features(dataset)
    pairs = sites["catchment_population"].describe()
    print(f"{args.sites:,} sites, {len(dataset.communes):,} communes, "
          f"{sum(len(g) for g in dataset.point_layers.values())} infrastructure points")
    print(f"valleys.site_features            median {ours:7.3f} s  (target < 2 s)"
          f"  {'OK' if ours < 2 else 'OVER TARGET'}")
    print(f"baseline geopandas sjoin (26191) median {base:7.3f} s")
    print(f"ratio baseline / ours: {base / ours:.1f}x")
    print(f"catchment_population: mean {pairs['mean']:,.0f}, max {pairs['max']:,.0f}")


if __name__ == "__main__":
    main()
