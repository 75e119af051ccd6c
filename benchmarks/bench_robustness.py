"""Rank acceptability (SMAA) speed: 10,000 weight draws over 50 zones, target under 1 s.

    .venv/bin/python benchmarks/bench_robustness.py [--draws 10000] [--zones 50]
        [--criteria 8] [--repeat 5]

Prints the median wall time of :func:`matching.robustness.rank_acceptability` (every draw
scored in one batched computation) for TOPSIS and the weighted sum, and the ratio against the
named baseline: the obvious per-draw loop (``matching.topsis`` / ``matching.weighted_sum``
called once per draw, then ranked), run on the same matrix and draws in the same process. Both
give the same p_first (checked). The machine is shared: medians are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from matching import topsis, weighted_sum
from matching.robustness import competition_ranks, perturb_weights, rank_acceptability

TARGET_S = 1.0


def per_draw_loop(matrix, weights, benefit, *, method, normalization, draws, seed):
    """Baseline: one numeric-core call per draw."""
    drawn = perturb_weights(weights, draws, rng=np.random.default_rng(seed))
    core = topsis if method == "topsis" else weighted_sum
    first = np.zeros(matrix.shape[0])
    for w in drawn:
        first += competition_ranks(core(matrix, w, benefit, normalization)) == 1
    return first / draws


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--zones", type=int, default=50)
    parser.add_argument("--criteria", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    matrix = rng.uniform(1, 100, size=(args.zones, args.criteria))
    weights = rng.uniform(0.5, 5, size=args.criteria)
    benefit = rng.random(args.criteria) < 0.6
    print(f"{args.draws} draws x {args.zones} zones x {args.criteria} criteria, "
          f"median of {args.repeat} runs (target < {TARGET_S:g} s)")
    for method, normalization in (("topsis", "vector"), ("weighted_sum", "minmax")):
        options = dict(method=method, normalization=normalization, draws=args.draws, seed=1)
        batched, result = _median_time(
            lambda o=options: rank_acceptability(matrix, weights, benefit, **o), args.repeat)
        loop, loop_first = _median_time(
            lambda o=options: per_draw_loop(matrix, weights, benefit, **o),
            max(1, args.repeat // 2))
        same = np.allclose(result["p_first"], loop_first)
        verdict = "OK" if batched < TARGET_S else "OVER TARGET"
        print(f"  {method:12s} batched {batched * 1000:8.1f} ms  per-draw loop (baseline) "
              f"{loop * 1000:8.1f} ms  speed-up x{loop / batched:5.1f}  same p_first: {same}  "
              f"[{verdict}]")


if __name__ == "__main__":
    main()
