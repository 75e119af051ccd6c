"""Shortlist engine speed: one ``make_shortlist`` call on the shipped dataset, per preset.

    .venv/bin/python benchmarks/bench_shortlist.py [--draws 200] [--repeat 30] [--data PATH]

For each activity preset (ITO, CRM, BPO, ESO, KPO) the requirement documents cycle through
four headcounts (50, 200, 400, 1,000: each gives a different floor-area constraint and
incentive total), and each call is timed with ``--draws`` robustness draws (200: the JSON
API's default, ``TECHVALLEY_API_ROBUSTNESS_DRAWS``) and with none. Prints the median per call
and two ratios against named baselines:

- ``BASELINE_MS``: the previous implementation's median per preset (per-zone Python loops over
  pandas Series), measured on this machine with 200 draws on the date in ``BASELINE_DATE``;
- the same call without robustness (``robustness_draws=0``), measured in the same run: what
  the Monte-Carlo analysis adds.

Target (issue 4's API latency, p95 < 200 ms with 16 concurrent clients on 2 cores): about
10 ms per call. The machine may be shared: the figures are noisy, run it again before
drawing conclusions. ``benchmarks/bench_api.py`` measures the API itself.
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd

import valleys
from matching.shortlist import make_shortlist

ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
HEADCOUNTS = (50, 200, 400, 1000)
TARGET_MS = 10.0
#: Median ms per call of the previous implementation (200 draws, same documents), measured
#: with this script on the shared 2-core machine on BASELINE_DATE.
BASELINE_DATE = "2026-11-26"
BASELINE_MS: dict[str, float] = {
    "ITO": 41.4, "CRM": 36.9, "BPO": 38.3, "ESO": 42.9, "KPO": 42.9,
}


def _median_ms(documents, table, draws: int, repeat: int) -> float:
    times = []
    for i in range(repeat):
        document = documents[i % len(documents)]
        start = time.perf_counter()
        make_shortlist(document, table, robustness_draws=draws)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--data", default=None, help="dataset path (default: the shipped one)")
    args = parser.parse_args()

    sites = valleys.load_sites(args.data)
    # what the web app passes: the features without the geometry, built once
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    print(f"make_shortlist on {len(table)} zones, {args.draws} robustness draws, median of "
          f"{args.repeat} calls per preset (target < {TARGET_MS:g} ms); baseline: previous "
          f"implementation measured {BASELINE_DATE}")
    overall = []
    for activity in ACTIVITIES:
        documents = [{"activity": activity, "headcount": h} for h in HEADCOUNTS]
        for document in documents:  # warm up (imports, rules file, caches)
            make_shortlist(document, table, robustness_draws=args.draws)
        with_draws = _median_ms(documents, table, args.draws, args.repeat)
        without = _median_ms(documents, table, 0, args.repeat)
        overall.append(with_draws)
        baseline = BASELINE_MS.get(activity)
        versus = (f"baseline {baseline:6.1f} ms  speed-up x{baseline / with_draws:5.1f}"
                  if baseline else "no baseline")
        verdict = "OK" if with_draws < TARGET_MS else "OVER TARGET"
        print(f"  {activity}: {with_draws:6.2f} ms  (no robustness {without:6.2f} ms, draws add "
              f"{with_draws - without:5.2f} ms)  {versus}  [{verdict}]")
    mean_baseline = statistics.mean(BASELINE_MS.values())
    print(f"  all presets: median of medians {statistics.median(overall):.2f} ms, "
          f"baseline mean {mean_baseline:.1f} ms")


if __name__ == "__main__":
    main()
