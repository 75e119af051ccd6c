"""Benchmark of capacity-aware allocation: 200 investors x 50 zones (target: median < 2 s).

    .venv/bin/python benchmarks/bench_allocation.py [--repeats 3] [--time-limit 10]

Baselines: the plain integer program (``assign(..., formulation="plain")``, the default: one-zone
rows and capacity rows only) and greedy allocation (best remaining score first), fast but not
optimal. Compared with them: the same program plus per-zone cardinality inequalities
(``formulation="cardinality"``, :func:`matching.allocation.zone_cardinality_cuts`). For each
scenario and load (total zone capacity / total floor area asked), prints for both formulations
the median solve time, how many instances were proved optimal (at ``mip_rel_gap`` 1e-4) and the
largest proven gap left at the time limit; then the median time ratio cardinality / plain, the
median total score of the cardinality formulation relative to plain, and plain's relative to
greedy. Then the end-to-end ``allocate`` (200 shortlists + the solve) on
50 synthetic zones.

The instances are SYNTHETIC (``numpy`` seed per repeat): scores mix a zone quality every
investor sees (60%) with an investor-specific part (40%), 30% of the pairs are ineligible
(constraints), floor areas are log-normal around 1,500 m², capacities log-normal around the
load asked.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from matching.allocation import assign, greedy_assign

N_INVESTORS, N_ZONES = 200, 50
TARGET_S = 2.0  # the target for 200 investors x 50 zones (median)


def instance(load: float, seed: int, *, shared: float = 0.6, n_investors: int = N_INVESTORS,
             n_zones: int = N_ZONES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A synthetic instance: ``shared`` is the part of the score every investor agrees on."""
    rng = np.random.default_rng(seed)
    quality = rng.random(n_zones)
    scores = shared * quality[None, :] + (1 - shared) * rng.random((n_investors, n_zones))
    scores[rng.random(scores.shape) < 0.3] = np.nan
    demand = np.round(np.exp(rng.normal(np.log(1500), 0.6, n_investors)), -1)
    capacity = np.exp(rng.normal(np.log(5000), 0.7, n_zones))
    capacity = np.round(capacity * load * demand.sum() / capacity.sum(), -1)
    return scores, demand, capacity


def total(scores: np.ndarray, zone_of: np.ndarray) -> float:
    return float(sum(scores[i, z] for i, z in enumerate(zone_of) if z >= 0))


SCENARIOS = [
    # (label, shared part of the score, investors, zones)
    ("contested", 0.6, N_INVESTORS, N_ZONES),
    ("independent", 0.0, N_INVESTORS, N_ZONES),
    ("agency-size", 0.6, 30, 13),
]


def bench_solver(loads: list[float], repeats: int, time_limit: float,
                 scenarios: list[str] | None = None) -> None:
    print(f"assign(): {repeats} instances per row, time limit {time_limit:g} s, mip_rel_gap "
          "1e-4; baseline = formulation 'plain' (the default), vs 'cardinality'; "
          "'opt' = proved optimal, 'gap' = largest proven gap left")
    print(f"{'scenario':<12} {'size':>7} {'load':>5} {'plain s':>8} {'opt':>5} {'gap':>8} "
          f"{'card. s':>8} {'opt':>5} {'gap':>8} {'card/plain':>10} {'score c/p':>10} "
          f"{'plain/greedy':>13} {'< 2 s':>6}")
    for label, shared, n_investors, n_zones in SCENARIOS:
        if scenarios and label not in scenarios:
            continue
        for load in loads:
            runs: dict[str, dict[str, list[float]]] = {
                f: {"s": [], "gap": [], "opt": [], "total": []} for f in ("plain", "cardinality")
            }
            greedy_totals = []
            for seed in range(repeats):
                scores, demand, capacity = instance(load, seed, shared=shared,
                                                    n_investors=n_investors, n_zones=n_zones)
                for formulation, run in runs.items():
                    started = time.perf_counter()
                    zone_of, solver = assign(scores, demand, capacity, time_limit=time_limit,
                                             formulation=formulation)
                    run["s"].append(time.perf_counter() - started)
                    run["gap"].append(solver["mip_gap"])
                    run["opt"].append(solver["status"] == "optimal")
                    run["total"].append(total(scores, zone_of))
                greedy_totals.append(total(scores, greedy_assign(scores, demand, capacity)))
            new, plain = runs["cardinality"], runs["plain"]
            median_new, median_plain = statistics.median(new["s"]), statistics.median(plain["s"])
            vs_plain = statistics.median(a / max(b, 1e-12)
                                         for a, b in zip(new["total"], plain["total"], strict=True))
            vs_greedy = statistics.median(a / max(b, 1e-12) for a, b in
                                          zip(plain["total"], greedy_totals, strict=True))
            print(f"{label:<12} {n_investors:>3}x{n_zones:<3} {load:>5.2f} "
                  f"{median_plain:>8.2f} {sum(plain['opt']):>2}/{repeats:<2} "
                  f"{max(plain['gap']):>8.2g} "
                  f"{median_new:>8.2f} {sum(new['opt']):>2}/{repeats:<2} {max(new['gap']):>8.2g} "
                  f"{median_new / median_plain:>10.2f} {vs_plain:>10.4f} {vs_greedy:>13.4f} "
                  f"{'yes' if min(median_new, median_plain) < TARGET_S else 'no':>6}",
                  flush=True)


def bench_end_to_end(repeats: int, time_limit: float) -> None:
    from matching.allocation import allocate
    from matching.synthetic import synthetic_sites

    sites = synthetic_sites(N_ZONES, seed=0)
    rng = np.random.default_rng(0)
    sites["available_m2"] = np.round(np.exp(rng.normal(np.log(12000), 0.7, N_ZONES)), -1)
    columns = ["catchment_labour_active", "rent_mad_m2_month", "airports_km",
               "catchment_french_literate_pct"]
    pipeline = []
    for i in range(N_INVESTORS):
        weights = rng.integers(1, 6, len(columns))
        pipeline.append({
            "name": f"investor {i + 1}",
            "floor_area_m2": float(np.round(np.exp(rng.normal(np.log(1500), 0.6)), -1)),
            "criteria": [{"column": c, "direction": "cost" if c in ("rent_mad_m2_month",
                                                                    "airports_km") else "benefit",
                          "weight": int(w)} for c, w in zip(columns, weights, strict=True)],
        })
    times, solve = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = allocate(pipeline, sites, time_limit=time_limit)
        times.append(time.perf_counter() - started)
        solve.append(result["solver"]["seconds"])
    load = sites["available_m2"].sum() / sum(p["floor_area_m2"] for p in pipeline)
    print(f"\nallocate() end to end (200 shortlists + solve), load {load:.2f}: median "
          f"{statistics.median(times):.3f} s, of which solve {statistics.median(solve):.3f} s "
          f"({result['solver']['status']}); {len(result['assignments'])} placed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--loads", default="3,1.5,1,0.5",
                        help="comma-separated capacity / demand ratios")
    parser.add_argument("--scenarios", default="",
                        help="comma-separated subset of: "
                             + ", ".join(label for label, *_ in SCENARIOS))
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args()
    bench_solver([float(x) for x in args.loads.split(",")], args.repeats, args.time_limit,
                 [s for s in args.scenarios.split(",") if s])
    if not args.no_end_to_end:
        bench_end_to_end(max(1, args.repeats // 2), args.time_limit)


if __name__ == "__main__":
    main()
