"""The web app's start and its first pages: what ``web.data.load_app_data`` prepares pays off.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 3] [--data PATH] [--past FILE]

Each run is a fresh process (the caches are per process). For each mode it prints the median
of ``--repeat`` runs of: the start (``web.create_app``, dataset, zone features, map layers,
past investors), the first ``GET /`` after the start, the next ``GET /``, and the first and
next ``POST /api/v1/shortlists`` (a CRM requirement, so "Investors like you" runs when
``--past`` is given).

Named baseline: ``no prepare`` (``web.maps.prepare`` turned off: the first map page simplifies
the communes and regions itself). Ratio: first map page, baseline / prepared. Target: the first
map page after a start as fast as the next one (well under the 300 ms of issue 4).
The machine may be shared: the figures are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time
config = json.loads(sys.argv[1])
prepare = config.pop("prepare")
from web import maps
if not prepare:
    maps.prepare = lambda dataset: None
t0 = time.perf_counter()
from web import create_app
app = create_app(config)
t1 = time.perf_counter()
client = app.test_client()
times = {"start_s": t1 - t0}
for key in ("first_map_s", "next_map_s"):
    t = time.perf_counter(); response = client.get("/"); times[key] = time.perf_counter() - t
    assert response.status_code == 200
for i, key in enumerate(("first_api_s", "next_api_s")):
    body = {"name": f"bench {i}", "activity": "CRM", "headcount": 300 + i}
    t = time.perf_counter(); response = client.post("/api/v1/shortlists", json=body); times[key] = time.perf_counter() - t
    assert response.status_code == 201, response.get_data(as_text=True)
print(json.dumps(times))
"""


def run(config: dict, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as instance:
            child_config = dict(config, TECHVALLEY_INSTANCE=instance, TESTING=True,
                                TECHVALLEY_RATELIMIT_ENABLED=False)
            out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(child_config)], cwd=ROOT,
                                 capture_output=True, text=True, check=True, timeout=600)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", default=None, help="dataset (default: the shipped one)")
    parser.add_argument("--past", default=None, help="past investors YAML (TECHVALLEY_PAST_INVESTORS)")
    args = parser.parse_args()
    base = {"TECHVALLEY_DATA": args.data, "TECHVALLEY_PAST_INVESTORS": args.past}
    results = {mode: run(dict(base, prepare=(mode == "prepared")), args.repeat)
               for mode in ("no prepare", "prepared")}
    print(f"{'mode':<12} {'start s':>8} {'1st map s':>10} {'next map s':>11} {'1st api s':>10} {'next api s':>11}")
    for mode, r in results.items():
        print(f"{mode:<12} {r['start_s']:>8.2f} {r['first_map_s']:>10.3f} {r['next_map_s']:>11.3f} "
              f"{r['first_api_s']:>10.3f} {r['next_api_s']:>11.3f}")
    ratio = results["no prepare"]["first_map_s"] / results["prepared"]["first_map_s"]
    print(f"first map page: no prepare / prepared = {ratio:.1f}x; "
          f"start costs {results['prepared']['start_s'] - results['no prepare']['start_s']:+.2f} s")


if __name__ == "__main__":
    main()
