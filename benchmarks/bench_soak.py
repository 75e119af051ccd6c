"""Soak: ``techvalley serve --workers 2`` under 20 clients, hostile inputs, a killed worker and parent.

    .venv/bin/python benchmarks/bench_soak.py [--seconds 60] [--clients 20] [--data PATH]

Starts ``techvalley serve --workers 2`` on a free loopback port with a temporary instance
folder, the shipped dataset (or ``--data``) and every rate limit raised for the run (the
limits stay on, so the shared SQLite counters are exercised). ``--clients`` threads then send
for ``--seconds`` seconds, each on its own keep-alive connection, a mix of:

- anonymous saves ``POST /api/v1/shortlists`` (each with a distinct name and weights);
- exports of saved shortlists through their share link (``GET /s/<token>/export/<fmt>``);
- ``POST /api/v1/rank`` (computing without storing; a 404 is tolerated where it does not exist);
- the match form (``GET /match`` for the CSRF token and cookie, then ``POST /match``);
- the hostile inputs of issue 9: a YAML alias bomb in the match form's requirements box, JSON
  nested 500 deep in the API, an integer constraint value of 10**309.

At 30 % of the time it kills one worker with SIGKILL (the supervisor must replace it); at 60 %
it kills the parent with SIGKILL (its workers must end), restarts the service on the same port
and times how long until it answers. Every process's resident memory (``VmRSS``) is sampled
every 0.5 s; a process above ``--rss-abort-gb`` is killed and the run fails (the machine is
shared). At the end every save answered 201 is read back (``GET /api/v1/shortlists/<id>``) and
compared with what was sent.

Targets (issue 9): no 500; at least 2,000 saves answered 201, every one read back intact;
each process under 1.5 GB; answering again within 5 s of the restart. Loopback only; every loop
is bounded by time and count. The machine may be shared: the figures are noisy.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_api import HOST, MAX_REQUESTS_PER_CLIENT, _free_port, requirement  # noqa: E402

RAISED = "1000000 per minute"
TARGET_SAVES = 2000
TARGET_RSS_BYTES = 1.5e9
TARGET_RESTART_S = 5.0
EXPORT_FORMATS = ("csv", "csv", "geojson", "xlsx", "html", "pdf")

#: issue 9's alias bomb: nested aliases, seven levels over a list of nine (9**8 items expanded)
ALIAS_BOMB = "\n".join(
    ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 8)]
)
DEEP_JSON = '{"name": "deep", "activity": "BPO", "about": ' + "[" * 500 + "]" * 500 + "}"
HUGE_INT = '{"name": "huge", "activity": "BPO", "constraints": [{"column": "rent_mad_m2_month", ' \
           '"op": "<=", "value": ' + str(10**309) + "}]}"


# -- processes ---------------------------------------------------------------------------------

def rss_bytes(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` so far (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False


def children(pid: int) -> set[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return {int(p) for p in path.read_text().split()}
    except (FileNotFoundError, ProcessLookupError):
        return set()


class Service:
    """``techvalley serve --workers N`` in a temporary instance, with rate limits raised."""

    def __init__(self, port: int, instance: Path, data: str | None, workers: int, threads: int) -> None:
        self.port, self.instance, self.data, self.workers, self.threads = port, instance, data, workers, threads
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def env(self) -> dict[str, str]:
        return dict(
            os.environ, TECHVALLEY_INSTANCE=str(self.instance), TECHVALLEY_RATELIMIT_ENABLED="1",
            TECHVALLEY_RATELIMIT_API=RAISED, TECHVALLEY_RATELIMIT_FORMS=RAISED, TECHVALLEY_RATELIMIT_LOGIN=RAISED,
            TECHVALLEY_ANON_SAVES_PER_DAY="100000000",
        )

    def start(self) -> float:
        """Start the service; return when it is listening (the supervisor says so), in seconds."""
        started = time.monotonic()
        self.launch()
        self.wait_listening(started)
        return time.monotonic() - started

    def launch(self) -> None:
        self.starts += 1
        log_path = self.instance / f"serve-{self.starts}.log"
        command = [sys.executable, "-c", "from web.cli import main; main()", "serve", "--host", HOST,
                   "--port", str(self.port), "--workers", str(self.workers), "--threads", str(self.threads)]
        if self.data:
            command += ["--data", self.data]
        with log_path.open("w") as log:  # a file: a pipe nobody reads would block the server
            self.process = subprocess.Popen(command, env=self.env(), stdout=subprocess.DEVNULL, stderr=log)

    def wait_listening(self, started: float) -> None:
        log_path = self.instance / f"serve-{self.starts}.log"
        deadline = started + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"techvalley serve exited: {log_path.read_text()}")
            if "listening on" in log_path.read_text():
                return
            time.sleep(0.05)
        self.stop()
        raise SystemExit("techvalley serve did not start within 300 s")

    def pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        return [self.process.pid, *sorted(children(self.process.pid))]

    def logs(self) -> str:
        return "".join(p.read_text() for p in sorted(self.instance.glob("serve-*.log")))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in self.pids():
                    os.kill(pid, signal.SIGKILL)
                self.process.wait()


# -- clients -----------------------------------------------------------------------------------

class Client:
    """One keep-alive connection with a cookie jar (for the match form's CSRF token)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, bytes, float]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
        headers = {"Content-Type": content_type} if content_type else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        start = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            return -1, b"", time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, data, time.perf_counter() - start

    def json(self, method: str, path: str, body: dict | str) -> tuple[int, bytes, float]:
        payload = body if isinstance(body, str) else json.dumps(body)
        return self.request(method, path, payload.encode(), "application/json")

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes, float]:
        status, page, _ = self.request("GET", path)
        found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page) if status == 200 else None
        if not found:
            return status if status != 200 else -2, page, 0.0
        fields = {"csrf_token": found.group(1).decode(), **fields}
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(),
                            "application/x-www-form-urlencoded")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class Run:
    """What the clients saw, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter[int]] = defaultdict(Counter)
        self.times: dict[str, list[float]] = defaultdict(list)
        self.saved: list[tuple[str, str, list[str], str]] = []  # id, name, ranked ids, share path
        self.tokens: list[str] = []
        self.counter = iter(range(10**9))

    def record(self, kind: str, status: int, elapsed: float) -> None:
        with self.lock:
            self.statuses[kind][status] += 1
            if status > 0:
                self.times[kind].append(elapsed)


def client_loop(c: int, port: int, run: Run, stop_at: float) -> None:
    rng = random.Random(c)
    client = Client(port)
    kinds = ["save"] * 60 + ["export"] * 10 + ["rank"] * 10 + ["match"] * 8 + ["bomb", "deep", "huge"] * 4
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= stop_at:
            break
        kind = rng.choice(kinds)
        with run.lock:
            i = next(run.counter)
            token = rng.choice(run.tokens) if run.tokens else None
        if kind == "export" and token is None:
            kind = "save"
        if kind == "save":
            name = f"soak {c}-{i}"
            status, data, elapsed = client.json("POST", "/api/v1/shortlists", requirement(i, vary=True) | {"name": name})
            if status == 201:
                body = json.loads(data)
                share = urllib.parse.urlsplit(body["url"]).path
                with run.lock:
                    run.saved.append((body["id"], name, [z["id"] for z in body["ranked"]], share))
                    run.tokens.append(share)
        elif kind == "export":
            status, _, elapsed = client.request("GET", f"{token}/export/{rng.choice(EXPORT_FORMATS)}")
        elif kind == "rank":
            status, _, elapsed = client.json("POST", "/api/v1/rank", requirement(i, vary=True))
        elif kind == "match":
            status, _, elapsed = client.form("/match", {"name": f"form {c}-{i}", "activity": "BPO", "headcount": "400"})
        elif kind == "bomb":
            status, _, elapsed = client.form("/match", {"requirements_text": ALIAS_BOMB})
        elif kind == "deep":
            status, _, elapsed = client.json("POST", "/api/v1/shortlists", DEEP_JSON)
        else:
            status, _, elapsed = client.json("POST", "/api/v1/shortlists", HUGE_INT)
        run.record(kind, status, elapsed)
        if status < 0:
            time.sleep(0.05)  # the service is down (a kill): do not spin
    client.close()


# -- the run -----------------------------------------------------------------------------------

def sample_rss(service: Service, peaks: dict[int, int], roles: dict[int, str], cpu: dict[int, float],
               stop: threading.Event, abort_bytes: float, aborted: list[str]) -> None:
    while not stop.wait(0.5):
        for pid in service.pids():
            rss, seconds = rss_bytes(pid), cpu_seconds(pid)
            if rss is None or seconds is None:
                continue
            cpu[pid] = seconds
            peaks[pid] = max(peaks.get(pid, 0), rss)
            roles.setdefault(pid, f"parent (start {service.starts})" if service.process and pid == service.process.pid
                             else f"worker (start {service.starts})")
            if rss > abort_bytes:
                aborted.append(f"pid {pid} at {rss / 1e9:.2f} GB")
                for victim in service.pids():
                    os.kill(victim, signal.SIGKILL)


def wait_answering(port: int, deadline_s: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < deadline_s:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.02)
    return None


def events(service: Service, seconds: float, started: float, report: dict) -> None:
    """Kill a worker at 30 %, the parent at 60 %, and restart on the same port."""
    time.sleep(max(0.0, started + 0.3 * seconds - time.monotonic()))
    before = children(service.process.pid)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    killed_at = time.monotonic()
    report["worker_killed"] = victim
    while time.monotonic() - killed_at < 120:
        now = children(service.process.pid)
        if len(now) == len(before) and victim not in now and "is serving (a replacement)" in service.logs():
            report["worker_replaced_s"] = time.monotonic() - killed_at
            break
        time.sleep(0.05)

    time.sleep(max(0.0, started + 0.6 * seconds - time.monotonic()))
    workers = children(service.process.pid)
    service.process.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    service.process.wait()
    while any(alive(pid) for pid in workers) and time.monotonic() - killed_at < 30:
        time.sleep(0.02)
    report["orphans"] = [pid for pid in workers if alive(pid)]
    report["workers_gone_s"] = time.monotonic() - killed_at
    restarted_at = time.monotonic()
    service.launch()
    report["answering_s"] = wait_answering(service.port, 120)  # the first worker ready answers
    service.wait_listening(restarted_at)
    report["listening_s"] = time.monotonic() - restarted_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (default 60)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--data", default=None, help="dataset to serve (default: the shipped one)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="waitress threads per worker")
    parser.add_argument("--rss-abort-gb", type=float, default=3.0, help="kill the service above this")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="techvalley-soak-") as folder:
        port = _free_port()
        service = Service(port, Path(folder), args.data, args.workers, args.threads)
        first_start = service.start()
        print(f"techvalley serve --workers {args.workers} --threads {args.threads} on {HOST}:{port}: "
              f"listening after {first_start:.1f} s; {args.clients} clients for {args.seconds:.0f} s")
        run, report = Run(), {}
        peaks: dict[int, int] = {}
        roles: dict[int, str] = {}
        cpu: dict[int, float] = {}
        load_before = Path("/proc/loadavg").read_text().split()[0]
        aborted: list[str] = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample_rss, args=(service, peaks, roles, cpu, stop, args.rss_abort_gb * 1e9, aborted))
        sampler.start()
        started = time.monotonic()
        stop_at = started + args.seconds
        threads = [threading.Thread(target=client_loop, args=(c, port, run, stop_at)) for c in range(args.clients)]
        killer = threading.Thread(target=events, args=(service, args.seconds, started, report))
        try:
            for t in [*threads, killer]:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - started
            load_after = Path("/proc/loadavg").read_text().split()[0]
            service_cpu = sum(cpu.values())  # includes the starts; sampled every 0.5 s
            killer.join()

            # every 201 read back, from the restarted service: name and ranked ids as answered
            lost, mixed = [], []
            reader = Client(port)
            for shortlist_id, name, ranked, _ in run.saved:
                status, data, _ = reader.request("GET", f"/api/v1/shortlists/{shortlist_id}")
                if status != 200:
                    lost.append((shortlist_id, status))
                    continue
                body = json.loads(data)
                if body["requirements"].get("name") != name or [z["id"] for z in body["ranked"]] != ranked:
                    mixed.append(shortlist_id)
            reader.close()
        finally:
            stop.set()
            sampler.join()
            service.stop()
        log = service.logs()

    totals: Counter[int] = Counter()
    for counts in run.statuses.values():
        totals.update(counts)
    saves = run.statuses["save"][201]
    max_rss = max(peaks.values(), default=0)
    answering = report.get("answering_s")
    checks = {
        "no 500": totals[500] == 0,
        f"saves answered 201 >= {TARGET_SAVES}": saves >= TARGET_SAVES,
        "every save read back intact": not lost and not mixed,
        "each process under 1.5 GB": max_rss < TARGET_RSS_BYTES and not aborted,
        "killed worker replaced": "worker_replaced_s" in report,
        "workers end with the parent": report.get("orphans") == [],
        f"answering within {TARGET_RESTART_S:.0f} s of the restart": answering is not None and answering < TARGET_RESTART_S,
    }

    print(f"\n{sum(totals.values())} requests in {wall:.0f} s ({sum(totals.values()) / wall:.1f}/s); "
          f"-1 = connection refused or cut (the kills), -2 = no form token")
    for kind in sorted(run.statuses):
        times = run.times[kind]
        median = f"median {statistics.median(times) * 1000:.0f} ms" if times else ""
        print(f"  {kind:7s} {dict(sorted(run.statuses[kind].items()))} {median}")
    print(f"all statuses: {dict(sorted(totals.items()))}; 500s: {totals[500]}")
    print(f"service CPU during the load: {service_cpu:.0f} s in {wall:.0f} s on {os.cpu_count()} cores "
          f"({service_cpu / wall / (os.cpu_count() or 1):.0%} of the machine; load average {load_before} "
          f"before, {load_after} after: others share the machine)")
    print(f"saves answered 201: {saves} ({saves / wall:.1f}/s); read back: {len(run.saved) - len(lost) - len(mixed)} "
          f"intact, {len(lost)} lost, {len(mixed)} changed")
    print(f"worker {report.get('worker_killed')} killed: replaced (serving) after "
          f"{report.get('worker_replaced_s', float('nan')):.1f} s")
    print(f"parent killed: its workers gone after {report.get('workers_gone_s', float('nan')):.2f} s, "
          f"orphans {report.get('orphans')}")
    print(f"restart on the same port: answering after {answering if answering is None else round(answering, 1)} s "
          f"(target < {TARGET_RESTART_S:.0f} s), every worker ready after {report.get('listening_s', float('nan')):.1f} s")
    print("max resident memory per process (sampled every 0.5 s):")
    for pid in sorted(peaks, key=lambda p: -peaks[p]):
        print(f"  {pid:>7} {roles.get(pid, '?'):22s} {peaks[pid] / 1e6:7.0f} MB")
    if aborted:
        print(f"ABORTED: memory above {args.rss_abort_gb} GB: {aborted}")
    errors = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
    print(f"server log: {len(errors)} error lines" + (f", first: {errors[0]}" if errors else ""))
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
