"""Benchmark: ``matching.topsis`` against scikit-criteria's TOPSIS pipeline.

Both score the same random (1,000,000 x 10) matrix in the same run, with vector
normalisation, six benefit and four cost criteria. Prints the median wall time of each
(and the CPU time, since the machine may be shared), their ratio, and the largest absolute
difference between the two closeness vectors. Target (issue 3): at least 40x faster, equal
to 1e-9. A second baseline, the plain numpy TOPSIS of ``matching.mcda.topsis_components``,
shows what the blocked path buys.

Run::

    .venv/bin/python benchmarks/bench_topsis.py [--rows 1000000] [--criteria 10]

If ``OPENBLAS_CORETYPE`` is set (some machines set it for old OpenBLAS builds), numpy runs
a slower generic kernel; to measure the current numpy, unset it for this command only::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv/bin/python benchmarks/bench_topsis.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info

import matching
from matching import mcda


def skcriteria_topsis(matrix, weights, benefit):
    """scikit-criteria's pipeline: vector normalisation, weights summing to 1, TOPSIS."""
    from skcriteria import mkdm
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.scalers import SumScaler, VectorScaler

    pipe = mkpipe(VectorScaler(target="matrix"), SumScaler(target="weights"), TOPSIS())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns that TOPSIS has cost criteria
        decision = mkdm(matrix, np.where(benefit, max, min), weights=weights)
        return np.asarray(pipe.evaluate(decision).e_.similarity)


def plain_numpy_topsis(matrix, weights, benefit):
    return mcda.topsis_components(matrix, weights, benefit, "vector")[0]


def measure(function, repeats):
    """(median wall s, median CPU s, last result) over ``repeats`` runs after a warm-up."""
    result = function()
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--criteria", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=15, help="runs of matching.topsis")
    parser.add_argument("--baseline-repeats", type=int, default=5, help="runs of the baselines")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if name in os.environ:
            print(f"note: {name}={os.environ[name]} is set (see this script's docstring)")
    blas = [
        f"{i['internal_api']} {i['version']} {i.get('architecture')}" for i in threadpool_info()
    ]
    print(f"numpy {np.__version__}; BLAS: {', '.join(blas) or 'none found'}")
    print(f"cores available: {mcda._worker_count()}; load average: {os.getloadavg()}")

    rng = np.random.default_rng(args.seed)
    matrix = rng.uniform(1.0, 100.0, size=(args.rows, args.criteria))
    weights = rng.uniform(0.1, 1.0, size=args.criteria)
    benefit = np.arange(args.criteria) % 5 < 3  # 6 benefit, 4 cost of 10
    print(f"matrix: {args.rows:,} x {args.criteria}, {matrix.nbytes / 2**20:.0f} MiB")

    runs = [
        ("matching.topsis", lambda: matching.topsis(matrix, weights, benefit), args.repeats),
        (
            "skcriteria pipeline",
            lambda: skcriteria_topsis(matrix, weights, benefit),
            args.baseline_repeats,
        ),
        (
            "plain numpy",
            lambda: plain_numpy_topsis(matrix, weights, benefit),
            args.baseline_repeats,
        ),
    ]
    results = {}
    for name, function, repeats in runs:
        results[name] = measure(function, repeats)
        wall, cpu, _ = results[name]
        print(
            f"{name:>20}: median {wall * 1e3:9.1f} ms wall, {cpu * 1e3:9.1f} ms CPU ({repeats} runs)"
        )

    ours_wall, ours_cpu, ours = results["matching.topsis"]
    for name in ("skcriteria pipeline", "plain numpy"):
        wall, cpu, theirs = results[name]
        difference = float(np.max(np.abs(ours - theirs)))
        print(
            f"vs {name}: {wall / ours_wall:6.1f}x faster (wall), {cpu / ours_cpu:6.1f}x (CPU); "
            f"max |difference| = {difference:.1e}"
        )
    wall, _, theirs = results["skcriteria pipeline"]
    ratio, difference = wall / ours_wall, float(np.max(np.abs(ours - theirs)))
    verdict = "met" if ratio >= 40 and difference <= 1e-9 else "NOT met"
    print(f"target (>= 40x faster, equal to 1e-9): {verdict}")


if __name__ == "__main__":
    main()
