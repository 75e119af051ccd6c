"""Export speed: every shortlist format for a national-size shortlist (default 60 zones).

    .venv/bin/python benchmarks/bench_export.py [--zones 60] [--criteria 8] [--top 10]
        [--repeat 5]

Builds a synthetic zones table and its shortlist with the real engine
(:func:`matching.shortlist.make_shortlist`, 1,000 robustness draws), then prints the median
wall time of each format of :mod:`matching.export`, its output size, and the ratio against the
named baseline: ``json.dumps`` of the same shortlist (the least any export can cost). The web
app renders a download on request, so the PDF dossier is the figure to watch: a target of
under 1 s for 10 zone pages. The machine is shared: medians are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import geopandas as gpd
import numpy as np
from shapely.geometry import Point

from matching import export
from matching.shortlist import make_shortlist

PDF_TARGET_S = 1.0


def synthetic(zones: int, criteria: int, seed: int = 0) -> tuple[gpd.GeoDataFrame, dict]:
    rng = np.random.default_rng(seed)
    columns = [f"criterion_{j}_km" for j in range(criteria)]
    data = {"id": [f"z{i}" for i in range(zones)],
            "name": [f"Zone {i} — Fès-Meknès" for i in range(zones)],
            "city": ["Fès"] * zones, "source": ["S1 S2"] * zones,
            "rent_mad_m2_month": rng.uniform(50, 160, zones),
            "incentive_zone_class": rng.choice(["p2i_primary", "p2i_secondary"], zones)}
    data |= {c: rng.uniform(1, 100, zones) for c in columns}
    points = [Point(x, y) for x, y in zip(rng.uniform(-9, -2, zones), rng.uniform(30, 35, zones),
                                           strict=True)]
    sites = gpd.GeoDataFrame(data, geometry=points, crs="EPSG:4326")
    sites.index = sites["id"]
    sites["lon"], sites["lat"] = sites.geometry.x, sites.geometry.y
    requirements = {
        "name": "Benchmark", "headcount": 300,
        "constraints": [{"column": "rent_mad_m2_month", "op": "<=", "value": 140}],
        "criteria": [{"column": c, "direction": "cost" if j % 2 else "benefit", "weight": j + 1}
                     for j, c in enumerate(columns)],
        "robustness": {"draws": 1000, "seed": 0},
    }
    return sites, make_shortlist(requirements, sites)


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=60)
    parser.add_argument("--criteria", type=int, default=8)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sites, shortlist = synthetic(args.zones, args.criteria)
    print(f"{args.zones} zones ({len(shortlist['ranked'])} ranked), {args.criteria} criteria, "
          f"top {args.top}, median of {args.repeat}")
    base, _ = median_time(lambda: json.dumps(shortlist), args.repeat)
    print(f"{'baseline json.dumps':24} {base * 1000:9.1f} ms")
    for fmt in export.FORMATS:
        top = args.top if fmt in export.HUMAN_FORMATS else None
        seconds, out = median_time(lambda fmt=fmt, top=top: export.export(shortlist, fmt, sites, top=top),
                                   args.repeat)
        size = len(out.encode() if isinstance(out, str) else out)
        print(f"{fmt:24} {seconds * 1000:9.1f} ms  {size / 1024:8.1f} KiB  x{seconds / base:8.0f}")
        if fmt == "pdf":
            verdict = "meets" if seconds < PDF_TARGET_S else "MISSES"
            print(f"{'':24} pdf {verdict} the {PDF_TARGET_S:.0f} s target for {args.top} zone pages")
    seconds, _ = median_time(lambda: export.to_pdf(shortlist, sites), max(1, args.repeat // 2))
    print(f"{'pdf, every zone':24} {seconds * 1000:9.1f} ms  ({len(shortlist['ranked'])} zone pages)")


if __name__ == "__main__":
    main()
