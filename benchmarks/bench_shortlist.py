"""Shortlist engine speed: one ``make_shortlist`` call on the shipped dataset, per preset.

    .venv/bin/python benchmarks/bench_shortlist.py [--draws 200] [--repeat 40] [--data PATH]
        [--against COMMIT]

For each activity preset (ITO, CRM, BPO, ESO, KPO) the requirement documents cycle through
four headcounts (50, 200, 400, 1,000: each gives a different floor-area constraint and
incentive total), and each call is timed with ``--draws`` robustness draws (200: the JSON
API's default, ``TECHVALLEY_API_ROBUSTNESS_DRAWS``) and with none. Prints the median per call
and ratios against named baselines:

- ``BASELINE_MS``: the previous implementation (commit ``BASELINE_COMMIT``: per-zone Python
  loops over pandas Series, a frame copy and join per call, a BLAS thread limit set per call),
  median per preset with 200 draws, measured with this script on the shared 2-core machine on
  ``BASELINE_DATE`` (median of three runs interleaved with runs of the new engine);
- ``--against COMMIT``: the same measurement of that commit's ``matching`` package, run now in
  a child process (``git archive``, nothing in the checkout changes): a baseline under the
  same machine load;
- the same call without robustness (``robustness_draws=0``), in the same run: what the
  Monte-Carlo analysis adds.

Target (issue 4's API latency, p95 < 200 ms with 16 concurrent clients on 2 cores): about
10 ms per call. The machine may be shared: the figures are noisy, run it again before
drawing conclusions. ``benchmarks/bench_api.py`` measures the API itself.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTIVITIES = ("ITO", "CRM", "BPO", "ESO", "KPO")
HEADCOUNTS = (50, 200, 400, 1000)
TARGET_MS = 10.0
ROOT = Path(__file__).resolve().parents[1]
#: The previous implementation and its median ms per call (200 draws, these documents).
BASELINE_COMMIT = "b63ab0a"
BASELINE_DATE = "2026-11-26"
BASELINE_MS: dict[str, float] = {
    "ITO": 17.9, "CRM": 16.6, "BPO": 16.3, "ESO": 17.3, "KPO": 16.7,
}


def _median_ms(documents, table, draws: int, repeat: int) -> float:
    from matching.shortlist import make_shortlist

    times = []
    for i in range(repeat):
        document = documents[i % len(documents)]
        start = time.perf_counter()
        make_shortlist(document, table, robustness_draws=draws)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(data: str | None, draws: int, repeat: int) -> dict[str, dict[str, float]]:
    """Per preset: median ms per call with ``draws`` and without robustness."""
    import pandas as pd

    import valleys
    from matching.shortlist import make_shortlist

    sites = valleys.load_sites(data)
    # what the web app passes: the features without the geometry, built once
    table = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    medians = {}
    for activity in ACTIVITIES:
        documents = [{"activity": activity, "headcount": h} for h in HEADCOUNTS]
        for document in documents:  # warm up (imports, rules file, caches)
            make_shortlist(document, table, robustness_draws=draws)
        medians[activity] = {"draws": _median_ms(documents, table, draws, repeat),
                             "none": _median_ms(documents, table, 0, repeat)}
    return medians


def measure_commit(commit: str, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """:func:`measure` on ``commit``'s matching package, in a child process."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "matching"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([folder, str(ROOT)]))
        command = [sys.executable, __file__, "--json", "--draws", str(args.draws),
                   "--repeat", str(args.repeat)] + (["--data", args.data] if args.data else [])
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--data", default=None, help="dataset path (default: the shipped one)")
    parser.add_argument("--against", metavar="COMMIT", default=None,
                        help=f"also measure this commit's engine now (e.g. {BASELINE_COMMIT})")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()

    if args.json:
        print(json.dumps(measure(args.data, args.draws, args.repeat)))
        return
    live = measure_commit(args.against, args) if args.against else None
    medians = measure(args.data, args.draws, args.repeat)
    print(f"make_shortlist, {args.draws} robustness draws, median of {args.repeat} calls per "
          f"preset (target < {TARGET_MS:g} ms); baseline: commit {BASELINE_COMMIT} measured "
          f"{BASELINE_DATE}" + (f", and commit {args.against} measured now" if live else ""))
    for activity, figures in medians.items():
        with_draws, without = figures["draws"], figures["none"]
        baseline = BASELINE_MS[activity]
        line = (f"  {activity}: {with_draws:6.2f} ms  (no robustness {without:5.2f} ms, draws add "
                f"{with_draws - without:5.2f} ms)  baseline {baseline:5.1f} ms: "
                f"x{baseline / with_draws:4.1f}")
        if live:
            line += (f"  {args.against} now {live[activity]['draws']:6.2f} ms: "
                     f"x{live[activity]['draws'] / with_draws:4.1f}")
        verdict = "OK" if with_draws < TARGET_MS else "OVER TARGET"
        print(f"{line}  [{verdict}]")
    overall = statistics.median(f["draws"] for f in medians.values())
    print(f"  all presets: median {overall:.2f} ms per call, baseline "
          f"{statistics.median(BASELINE_MS.values()):.1f} ms")


if __name__ == "__main__":
    main()
