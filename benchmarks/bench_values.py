"""What value functions (issue 12) add: to ``make_shortlist`` and to the 1M x 10 TOPSIS core.

    .venv/bin/python benchmarks/bench_values.py [--draws 200] [--repeat 30] [--rows 1000000]
        [--skip-core] [--skip-shortlist] [--data PATH]

Two measurements, each against a named baseline run in the same process, interleaved (the
machine is shared: what matters is the ratio, measured under the same load):

- ``make_shortlist`` on the shipped dataset, per activity preset, with ``--draws`` robustness
  draws (200, the API's default) and with none. New: the default ``normalization: values``
  (each criterion through its preset's value function). Baseline ``vector``: the same
  requirement with ``normalization: vector``, the published normalisation and the default
  before issue 12 (the preset's value functions are then not applied).
- The numeric core on a random (``--rows`` x 10) matrix, six benefit and four cost criteria.
  Baseline ``topsis-vector``: ``matching.topsis(matrix, weights, benefit, "vector")``, the
  core as the suitability grid called it. New (``matching.values.topsis_of_values``, what the
  grid now calls): ``values-linear``, every criterion ``linear`` (the blocked TOPSIS with
  ``minmax``, no copy); ``values-mixed``, two ``log``, two ``threshold`` and six ``linear``
  criteria (those four computed block by block in the blocked TOPSIS's second pass). For
  scale: ``core_inputs`` (a copy of the matrix with the four columns computed, then
  ``topsis(..., "minmax")``) and ``value_matrix`` (every value materialised, then ``none``).

Prints medians (ms) and the ratio new / baseline; the target is under 1.10.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np

TARGET_RATIO = 1.10
ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")


def interleaved(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median ms per call of each function, the functions called in turn ``repeat`` times
    (after one warm-up call each)."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(values) for name, values in times.items()}


def shortlist_figures(data: str | None, draws: int, repeat: int) -> None:
    import valleys
    from matching.shortlist import make_shortlist

    sites = valleys.load_sites(data)
    print(f"make_shortlist on {len(sites)} zones, median of {repeat} interleaved calls "
          f"(baseline: normalization vector, the same requirement)")
    ratios = []
    for activity in ACTIVITIES:
        row = []
        for n_draws in (draws, 0):
            medians = interleaved({
                "values": lambda n=n_draws, a=activity: make_shortlist(
                    {"activity": a}, sites, robustness_draws=n),
                "vector": lambda n=n_draws, a=activity: make_shortlist(
                    {"activity": a, "normalization": "vector"}, sites, robustness_draws=n),
            }, repeat)
            ratio = medians["values"] / medians["vector"]
            ratios.append(ratio)
            row.append(f"{n_draws:>3} draws: values {medians['values']:6.2f} ms, vector "
                       f"{medians['vector']:6.2f} ms, x{ratio:4.2f}")
        print(f"  {activity}: " + ";  ".join(row))
    overall = statistics.median(ratios)
    verdict = "met" if overall < TARGET_RATIO else "NOT met"
    print(f"  median ratio over presets and draws: x{overall:.3f} (target < x{TARGET_RATIO}: "
          f"{verdict})")


def core_figures(rows: int, repeat: int) -> None:
    from matching import mcda
    from matching.values import ValueSpec, core_inputs, topsis_of_values, value_matrix

    rng = np.random.default_rng(0)
    matrix = rng.uniform(1.0, 100.0, size=(rows, 10))
    weights = rng.uniform(0.1, 1.0, size=10)
    benefit = np.arange(10) % 5 < 3  # 6 benefit, 4 cost
    linear = [ValueSpec("linear", bool(b)) for b in benefit]
    mixed = list(linear)
    mixed[0] = ValueSpec("log", bool(benefit[0]))
    mixed[1] = ValueSpec("log", bool(benefit[1]))
    mixed[3] = ValueSpec("threshold", bool(benefit[3]),
                         *((20.0, 80.0) if benefit[3] else (80.0, 20.0)))
    mixed[4] = ValueSpec("threshold", bool(benefit[4]),
                         *((20.0, 80.0) if benefit[4] else (80.0, 20.0)))
    print(f"numeric core: {rows:,} x 10 ({matrix.nbytes / 2**20:.0f} MiB), cores "
          f"{mcda._worker_count()}, median of {repeat} interleaved runs "
          f"(baseline: topsis-vector)")
    medians = interleaved({
        "topsis-vector": lambda: mcda.topsis(matrix, weights, benefit, "vector"),
        "values-linear": lambda: topsis_of_values(matrix, weights, linear),
        "values-mixed": lambda: topsis_of_values(matrix, weights, mixed),
        "core_inputs": lambda: mcda.topsis(*core_inputs(matrix, weights, mixed), "minmax"),
        "value_matrix": lambda: mcda.topsis(value_matrix(matrix, mixed), weights,
                                            np.ones(10, bool), "none"),
    }, repeat)
    base = medians["topsis-vector"]
    for name, ms in medians.items():
        print(f"  {name:>14}: {ms:8.1f} ms  x{ms / base:5.2f}")
    for name in ("values-linear", "values-mixed"):
        verdict = "met" if medians[name] / base < TARGET_RATIO else "NOT met"
        print(f"  {name}: x{medians[name] / base:.3f} (target < x{TARGET_RATIO}: {verdict})")
    check = np.abs(topsis_of_values(matrix, weights, mixed)
                   - mcda.topsis(value_matrix(matrix, mixed), weights, np.ones(10, bool), "none"))
    print(f"  values-mixed against value_matrix: max |difference| {check.max():.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30, help="calls of make_shortlist")
    parser.add_argument("--core-repeat", type=int, default=15, help="runs of the core")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--data", default=None, help="dataset (default: the shipped one)")
    parser.add_argument("--skip-core", action="store_true")
    parser.add_argument("--skip-shortlist", action="store_true")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()}")
    if not args.skip_shortlist:
        shortlist_figures(args.data, args.draws, args.repeat)
    if not args.skip_core:
        core_figures(args.rows, args.core_repeat)


if __name__ == "__main__":
    main()
