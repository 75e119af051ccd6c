"""The JSON API and the map page under load, against ``techvalley serve`` on loopback.

    .venv/bin/python benchmarks/bench_api.py [--duration 20] [--clients 16] [--data PATH]
    .venv/bin/python benchmarks/bench_api.py --soak [--soak-clients 20] [--soak-duration 60]

Starts ``techvalley serve`` (waitress, ``--workers`` processes, default 2: one per core) on a
free loopback port with a fresh store and rate limits off (every client shares one IP here),
then:

1. latency: ``--clients`` concurrent clients POST ``/api/v1/shortlists`` for ``--duration``
   seconds, each request with different weights (so no two requests are alike and the result
   cache never answers), then the same with one repeated requirement (the cache answers);
   prints p50, p95, p99 and throughput. Target (issue 4): p95 < 200 ms with 16 clients.
   Named baseline: one client, one request at a time (the service time); the ratio p95 / that
   median says how much waiting the concurrency adds.
2. the map page ``GET /``: median time over ``--map-repeat`` requests and its size
   (targets: built in < 300 ms, < 2 MB with its data).
3. ``--soak``: ``--soak-clients`` clients save shortlists for ``--soak-duration`` seconds; every
   answer 201 is read back (``GET /api/v1/shortlists/<id>``) and must hold the name that was
   sent (none lost, none mixed up), and no answer may be a 500.

Loopback only; every loop is bounded by time and count. The machine may be shared: the
figures are noisy, run it again before drawing conclusions.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 100_000  # a bound besides the time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, data: str | None, threads: int, instance: str, workers: int) -> subprocess.Popen:
    env = dict(os.environ, TECHVALLEY_INSTANCE=instance, TECHVALLEY_RATELIMIT_ENABLED="0")
    command = [sys.executable, "-c", "from web.cli import main; main()", "serve", "--host", HOST,
               "--port", str(port), "--threads", str(threads), "--workers", str(workers)]
    if data:
        command += ["--data", data]
    # the server's log goes to a file: a pipe nobody reads would fill up and block the server
    log = open(Path(instance) / "serve.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"techvalley serve exited: {(Path(instance) / 'serve.log').read_text()}")
        try:
            status, _, _ = request(port, "GET", "/api/v1/openapi.json")
            if status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("techvalley serve did not start within 300 s")


def request(port: int, method: str, path: str, body: dict | None = None,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes, float]:
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    start = time.perf_counter()
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    if own:
        connection.close()
    return response.status, data, elapsed


def requirement(i: int, *, vary: bool) -> dict:
    """A BPO requirement; with ``vary``, weights differ from one request to the next."""
    w = (i % 5 + 1, (i // 5) % 5 + 1, (i // 25) % 5 + 1) if vary else (5, 4, 2)
    return {
        "name": f"bench {i}" if vary else "bench",
        "activity": "BPO",
        "headcount": 400,
        "criteria": [
            {"column": "catchment_labour_active", "direction": "benefit", "weight": w[0]},
            {"column": "catchment_french_literate_pct", "direction": "benefit", "weight": w[1]},
            {"column": "rent_mad_m2_month", "direction": "cost", "weight": w[2], "missing": "worst"},
            {"column": "airports_km", "direction": "cost", "weight": 1},
        ],
    }


def load(port: int, clients: int, duration: float, *, vary: bool) -> dict:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    counter = iter(range(10**9))

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop_at:
                break
            with lock:
                i = next(counter)
            try:
                status, _, elapsed = request(port, "POST", "/api/v1/shortlists", requirement(i, vary=vary), connection)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
                status, elapsed = -1, 0.0
            with lock:
                statuses[status] += 1
                if status == 201:
                    latencies.append(elapsed)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "n": len(latencies),
            "rps": len(latencies) / wall, "statuses": dict(statuses)}


def soak(port: int, clients: int, duration: float) -> dict:
    saved: list[tuple[str, str]] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client(c: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        for i in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= stop_at:
                break
            name = f"soak client {c} save {i}"
            body = requirement(c * 1000 + i, vary=True) | {"name": name}
            try:
                status, data, _ = request(port, "POST", "/api/v1/shortlists", body, connection)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=120)
                status, data = -1, b""
            with lock:
                statuses[status] += 1
                if status == 201:
                    saved.append((json.loads(data)["id"], name))
        connection.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lost, mixed = [], []
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    for shortlist_id, name in saved:
        status, data, _ = request(port, "GET", f"/api/v1/shortlists/{shortlist_id}", None, connection)
        if status != 200:
            lost.append(shortlist_id)
        elif json.loads(data)["requirements"].get("name") != name:
            mixed.append(shortlist_id)
    connection.close()
    return {"saved": len(saved), "lost": len(lost), "mixed": len(mixed), "statuses": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="dataset to serve (default: the shipped one)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load phase")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per process")
    parser.add_argument("--workers", type=int, default=2, help="serve processes (one per core)")
    parser.add_argument("--map-repeat", type=int, default=10)
    parser.add_argument("--soak", action="store_true", help="also run the save load test")
    parser.add_argument("--soak-clients", type=int, default=20)
    parser.add_argument("--soak-duration", type=float, default=60.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="techvalley-bench-") as instance:
        port = _free_port()
        server = start_server(port, args.data, args.threads, instance, args.workers)
        print(f"techvalley serve: {args.workers} process(es) x {args.threads} threads, rate limits off")
        try:
            # named baseline: one client, one request at a time, distinct requirements
            times = []
            for i in range(20):
                status, _, elapsed = request(port, "POST", "/api/v1/shortlists", requirement(10_000 + i, vary=True))
                assert status == 201, status
                times.append(elapsed * 1000)
            baseline = statistics.median(times)
            print(f"baseline (1 client, sequential): median {baseline:.0f} ms per POST /api/v1/shortlists")

            for label, vary in (("distinct requirements", True), ("one repeated requirement", False)):
                r = load(port, args.clients, args.duration, vary=vary)
                verdict = "OK" if r["p95"] < 200 else "over the 200 ms target"
                print(f"{args.clients} clients, {label}: p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms "
                      f"({r['p95'] / baseline:.1f}x baseline), p99 {r['p99']:.0f} ms, "
                      f"{r['rps']:.1f} req/s, n={r['n']}, statuses {r['statuses']}: {verdict}")

            sizes, map_times = [], []
            for _ in range(args.map_repeat):
                status, data, elapsed = request(port, "GET", "/")
                assert status == 200, status
                sizes.append(len(data))
                map_times.append(elapsed * 1000)
            median_map = statistics.median(map_times)
            print(f"map page GET /: median {median_map:.0f} ms (target < 300 ms: "
                  f"{'OK' if median_map < 300 else 'over'}), {sizes[-1] / 1e6:.2f} MB "
                  f"(target < 2 MB: {'OK' if sizes[-1] < 2e6 else 'over'})")

            if args.soak:
                s = soak(port, args.soak_clients, args.soak_duration)
                ok = s["lost"] == 0 and s["mixed"] == 0 and 500 not in s["statuses"]
                print(f"soak: {args.soak_clients} clients x {args.soak_duration:.0f} s: {s['saved']} saved (201), "
                      f"{s['lost']} lost, {s['mixed']} mixed up, statuses {s['statuses']}: {'OK' if ok else 'FAILED'}")
                if not ok:
                    sys.exit(1)
        finally:
            server.terminate()
            server.wait(timeout=30)
            errors = [line for line in (Path(instance) / "serve.log").read_text().splitlines()
                      if "Traceback" in line or "ERROR" in line]
            print(f"server log: {len(errors)} error lines" + (f", first: {errors[0]}" if errors else ""))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
