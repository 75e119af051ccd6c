"""Map pages: build time and size of the three maps on the shipped Morocco dataset.

    .venv/bin/python benchmarks/bench_maps.py [--repeat 20]

Prints the median build time of :func:`web.maps.public_map` cold (the first page after a start:
commune and region simplification) and warm (every later page: the prepared layers are cached),
of ``site_map`` and ``score_map``, and the size of the public map's HTML with its data.
Targets (issue 4): a map page built in under 300 ms, under 2 MB.

Named baseline: the naive Folium map of the same data, ``folium.GeoJson`` of the same
simplified communes, one layer per talent indicator (rounded to 5 decimals, plain GeoJSON,
Folium's default embedding through Jinja), which is what "restyle one layer in the browser"
and "packed, delta-encoded coordinates" replace. The machine is shared: medians are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def _median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline(sites, dataset):
    import folium
    import geopandas as gpd

    from web import maps

    m = folium.Map(location=[31.8, -7.1], zoom_start=5, tiles=None)
    communes = dataset.communes
    geoms = maps._simplified(communes.geometry, maps.COMMUNE_TOLERANCE_M, coverage=True)
    geoms = maps._rounded(geoms, 5)
    for indicator in maps.TALENT_INDICATORS:
        column = indicator["column"]
        if column not in communes.columns:
            continue
        layer = gpd.GeoDataFrame(communes[["name", column]], geometry=list(geoms), crs=4326)
        folium.GeoJson(layer, name=column).add_to(m)
    for _, row in sites.iterrows():
        folium.CircleMarker([row["lat"], row["lon"]], tooltip=str(row["name"])).add_to(m)
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import valleys
    from web import maps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dataset = valleys.load_dataset()
        sites = valleys.site_features(dataset)
    ids = list(sites.index)
    shortlist = {
        "ranked": [
            {"id": sid, "rank": i + 1, "score": 1 - i / len(ids)} for i, sid in enumerate(ids[:-2])
        ],
        "excluded": [{"id": sid, "reasons": ["rent_mad_m2_month missing"]} for sid in ids[-2:]],
    }

    def cold():
        maps._PREPARED.clear()
        maps.public_map(sites, dataset)

    cold_s = _median_s(cold, max(1, min(3, args.repeat)))
    maps.prepare(dataset)
    warm_s = _median_s(lambda: maps.public_map(sites, dataset), args.repeat)
    site_s = _median_s(lambda: maps.site_map(sites, dataset, ids[0]), args.repeat)
    score_s = _median_s(lambda: maps.score_map(shortlist, sites, dataset), args.repeat)
    size = len(maps.public_map(sites, dataset).page().encode("utf-8"))

    start = time.perf_counter()
    baseline_html = _baseline(sites, dataset)
    baseline_s = time.perf_counter() - start
    baseline_size = len(baseline_html.encode("utf-8"))

    print(
        f"shipped dataset: {len(sites)} zones, {len(dataset.communes)} communes, "
        f"{len(dataset.regions)} regions"
    )
    print(f"public_map cold (prepare layers): median {cold_s * 1000:8.1f} ms")
    print(f"public_map warm:                  median {warm_s * 1000:8.1f} ms   (target < 300 ms)")
    print(f"site_map warm:                    median {site_s * 1000:8.1f} ms")
    print(f"score_map warm:                   median {score_s * 1000:8.1f} ms")
    print(f"public map page size:             {size / 1e6:8.2f} MB   (target < 2 MB)")
    print(
        f"baseline (folium.GeoJson x 4 indicators): {baseline_s * 1000:8.1f} ms, "
        f"{baseline_size / 1e6:.2f} MB"
    )
    print(
        f"ratio vs baseline: size {size / baseline_size:.3f}, warm time {warm_s / baseline_s:.3f}"
    )


if __name__ == "__main__":
    main()
