"""``techvalley serve``: the app under waitress, in one process or several.

The process that starts binds and listens on ``--host``/``--port`` first, before it loads
anything: a port already in use (another instance, another program) fails at once with exit
status 2 and a message naming the address, and nothing is announced as listening. No socket
option lets a second instance share the port.

``--workers 1``: that process loads the app and serves it with waitress's threads (about one
core: the shortlist engine is Python-bound).

``--workers N`` (N > 1): the process becomes a supervisor; it loads nothing itself. It starts
N worker processes (``python -m web.serve``) that inherit its one listening socket, each load
the app and the dataset and accept connections from it (the kernel hands each connection to one
of them; until a worker is ready, connections wait in the socket's queue). The first worker
makes the store (schema, secret key, compiled catalogue) as it loads; the others import their
modules meanwhile and create their app once it is ready, so no two make the store at once and
the service answers as soon as the first is ready. The supervisor prints ``listening on ...``
once, when every worker is ready (workers print nothing of their own on start). Then:

- a worker that dies (crash, kill) is restarted, after a pause that doubles with each
  consecutive early death (1 s up to 30 s); the service keeps answering through the others;
- a worker that fails while loading its app with a user error (a bad dataset or setting: exit
  status 2) stops the whole service with status 2 and its message on stderr, once, at start or
  on a restart: restarting would fail the same way. Any other failure before the first
  ``listening`` stops it with status 1; later, a replacement that dies before it is ready is
  retried up to :data:`MAX_START_FAILURES` times in a row, then the service stops with status 1;
- SIGTERM or SIGINT stops every worker (SIGKILL after :data:`STOP_GRACE_S`) and exits 0;
- workers die with the supervisor, however it ends (``kill -9`` included): on Linux the kernel
  sends them SIGTERM when it dies (``prctl(PR_SET_PDEATHSIG)``), and a watchdog thread in each
  worker that sees its parent change also ends it (elsewhere, within a second). No orphan keeps
  serving an old dataset, and the port is free again when they are gone.

Workers share the store (SQLite in WAL mode, or PostgreSQL) and the rate-limit counters
(``<instance>/ratelimits.sqlite3``); the result cache is per process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from valleys.errors import TechValleyError

#: consecutive start failures (exits before ready, other than status 2) before giving up
MAX_START_FAILURES = 5
#: seconds a worker must have served to reset the restart pause
HEALTHY_AFTER_S = 60.0
RESTART_PAUSE_S = (1.0, 30.0)
#: seconds the workers get to stop on SIGTERM before SIGKILL
STOP_GRACE_S = 10.0
#: a worker that dies before it is ready, with this status, had a user error: no restart
USER_ERROR = 2
_PR_SET_PDEATHSIG = 1


def _config(data_path: str | None) -> dict[str, Any]:
    return {"TECHVALLEY_DATA": data_path} if data_path else {}


def bind(host: str, port: int) -> socket.socket:
    """A socket bound and listening on ``host``:``port`` (raises a clear error if it cannot be).

    ``SO_REUSEADDR`` only lets a restart take the port while old connections are in TIME_WAIT;
    on Linux it never lets two sockets listen on one port.
    """
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TechValleyError(
            f"cannot listen on {host}:{port} ({exc}); give --host an address of this machine "
            "(e.g. 127.0.0.1 or 0.0.0.0)"
        ) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        hint = ("another program (or another techvalley serve) is using it: stop it or give "
                "another --port") if exc.errno == errno.EADDRINUSE else (
                "give --host an address of this machine (e.g. 127.0.0.1 or 0.0.0.0) and a port "
                "you may use (1024 or above without privileges)")
        raise TechValleyError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); {hint}") from None
    return sock


def _waitress(app: Any, sock: socket.socket, threads: int) -> None:
    """Serve ``app`` on the listening ``sock`` until SIGTERM or SIGINT (which end the loop)."""
    import logging

    from waitress.server import create_server

    logging.basicConfig()  # waitress's warnings (a full task queue) on stderr
    create_server(app, sockets=[sock], threads=threads, ident="techvalley").run()


def _announce(data_path: Any, host: str, port: int, detail: str) -> None:
    print(f"techvalley: serving {data_path}, listening on http://{host}:{port}/ ({detail})",
          file=sys.stderr, flush=True)


def serve_one(*, host: str, port: int, data_path: str | None, threads: int | None) -> None:
    """Bind, load the app, then serve in this process (blocks)."""
    sock = bind(host, port)
    from web import create_app

    app = create_app(_config(data_path))
    threads = threads or int(app.config["TECHVALLEY_SERVE_THREADS"])
    _announce(app.extensions["techvalley_data"].dataset.path, host, port, f"{threads} threads")
    _waitress(app, sock, threads)


@dataclass
class _Worker:
    process: subprocess.Popen
    ready_fd: int  # read end of the pipe the worker writes "R" to when ready ("E" + why if not)
    started: float = field(default_factory=time.monotonic)
    ready: bool = False
    announced: bool = False
    error: str = ""


class _Supervisor:
    """Starts, watches and restarts the worker processes around one listening socket."""

    def __init__(self, sock: socket.socket, *, workers: int, host: str, port: int,
                 data_path: str | None, threads: int | None, dataset: str) -> None:
        self.sock, self.count, self.host, self.port = sock, workers, host, port
        self.data_path, self.threads = data_path, threads
        self.dataset = dataset
        self.workers: list[_Worker] = []
        self.go_write = -1
        self.stopping = False
        self.start_failures = 0
        self.pause = RESTART_PAUSE_S[0]

    def spawn(self, go_fd: int = -1) -> _Worker:
        """Start a worker; with ``go_fd``, it imports the app's modules, then waits for that
        pipe to close (the store is ready) before it creates the app."""
        read_fd, write_fd = os.pipe()
        command = [sys.executable, "-m", "web.serve", str(self.sock.fileno()), str(write_fd), str(go_fd),
                   str(os.getpid()), self.data_path or "", str(self.threads or 0)]
        try:
            process = subprocess.Popen(command, pass_fds=[fd for fd in (self.sock.fileno(), write_fd, go_fd) if fd >= 0])
        finally:
            os.close(write_fd)
        return _Worker(process, read_fd)

    def start(self) -> None:
        """Start the workers: the first makes the store (schema, key, catalogue) as it loads
        the app; the others import meanwhile and create theirs once it is ready (no race)."""
        go_read, self.go_write = os.pipe()
        try:
            self.workers = [self.spawn(go_read if i else -1) for i in range(self.count)]
        finally:
            os.close(go_read)

    def _go(self) -> None:
        if self.go_write >= 0:
            os.close(self.go_write)
            self.go_write = -1

    def _check_ready(self, worker: _Worker) -> None:
        if worker.ready_fd < 0 or not select.select([worker.ready_fd], [], [], 0)[0]:
            return
        message = os.read(worker.ready_fd, 65536)
        if message.startswith(b"E"):  # a user error: read it whole (the worker exits now)
            while chunk := os.read(worker.ready_fd, 65536):
                message += chunk
            worker.error = message[1:].decode("utf-8", "replace")
        worker.ready = message.startswith(b"R")
        if worker.ready and message[1:]:
            self.dataset = message[1:].decode("utf-8", "replace")
        os.close(worker.ready_fd)  # "R" + dataset: ready; "E" + message: a user error; nothing: it died
        worker.ready_fd = -1

    def _forget(self, worker: _Worker) -> None:
        if worker.ready_fd >= 0:
            os.close(worker.ready_fd)
            worker.ready_fd = -1
        self.workers.remove(worker)

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def _terminate_all(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        for worker in list(self.workers):
            self._forget(worker)

    def _restart_delay(self, worker: _Worker) -> float:
        """The pause before replacing ``worker``: it doubles while workers die young."""
        if time.monotonic() - worker.started >= HEALTHY_AFTER_S:
            self.pause = RESTART_PAUSE_S[0]
        delay, self.pause = self.pause, min(self.pause * 2, RESTART_PAUSE_S[1])
        return delay

    def run(self) -> int:
        """Supervise until stopped (signal) or a worker cannot start; return the exit status."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        announced = False
        restart_at: float | None = None
        try:
            while not self.stopping:
                for worker in list(self.workers):
                    self._check_ready(worker)
                    if worker.ready and announced and not worker.announced:
                        print(f"techvalley: worker {worker.process.pid} is serving (a replacement)",
                              file=sys.stderr, flush=True)
                    worker.announced = worker.ready  # before the first announcement: covered by it
                    code = worker.process.poll()
                    if code is None or self.stopping:
                        continue
                    self._check_ready(worker)  # what it wrote just before it ended
                    self._forget(worker)
                    if not worker.ready:
                        if code == USER_ERROR:  # a bad dataset or setting: one message, no restarts
                            print(f"Error: {worker.error}", file=sys.stderr, flush=True)
                            return USER_ERROR
                        self.start_failures += 1
                        if not announced or self.start_failures >= MAX_START_FAILURES:
                            print(f"techvalley: a worker failed to start (status {code}); stopping",
                                  file=sys.stderr, flush=True)
                            return 1
                    delay = self._restart_delay(worker)
                    restart_at = min(restart_at or float("inf"), time.monotonic() + delay)
                    print(f"techvalley: worker {worker.process.pid} exited (status {code}); "
                          f"starting another in {delay:.0f} s", file=sys.stderr, flush=True)
                if any(w.ready for w in self.workers):
                    self._go()
                if restart_at is not None and time.monotonic() >= restart_at and not self.stopping:
                    restart_at = None
                    while len(self.workers) < self.count:
                        self.workers.append(self.spawn())
                if len(self.workers) == self.count and all(w.ready for w in self.workers):
                    self.start_failures = 0
                    if not announced:
                        announced = True
                        pids = ", ".join(str(w.process.pid) for w in self.workers)
                        _announce(self.dataset, self.host, self.port, f"{self.count} worker processes: {pids}")
                waiting = [w.ready_fd for w in self.workers if w.ready_fd >= 0]
                if waiting:  # wake up as soon as a worker is ready (or dies while loading)
                    select.select(waiting, [], [], 0.2)
                else:
                    time.sleep(0.2)
        finally:
            self._terminate_all()
            self._go()
        return 0


def serve(*, host: str, port: int, data_path: str | None = None, threads: int | None = None, workers: int = 1) -> int:
    """Serve with ``workers`` processes; returns the exit status when they stop."""
    if workers <= 1:
        serve_one(host=host, port=port, data_path=data_path, threads=threads)
        return 0
    sock = bind(host, port)
    supervisor = _Supervisor(sock, workers=workers, host=host, port=port, data_path=data_path,
                             threads=threads, dataset=data_path or "the shipped dataset")
    try:
        supervisor.start()
        return supervisor.run()
    finally:
        sock.close()


def _die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends (Linux: a signal from the kernel; else a watchdog)."""
    libc_name = ctypes.util.find_library("c")
    if sys.platform.startswith("linux") and libc_name:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request above took effect
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _worker_main(argv: list[str]) -> int:
    listen_fd, ready_fd, go_fd, parent, data_path, threads = argv
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGINT, lambda signum, frame: sys.exit(0))
    _die_with_parent(int(parent))
    sock = socket.socket(fileno=int(listen_fd))
    import web.api  # noqa: F401  (the slow imports, while the first worker makes the store)
    import web.app  # noqa: F401
    import web.match  # noqa: F401

    if int(go_fd) >= 0:
        os.read(int(go_fd), 1)  # returns when the supervisor closes the pipe: the first is ready
        os.close(int(go_fd))
    try:
        from web import create_app

        app = create_app(_config(data_path or None))
    except TechValleyError as exc:  # a user error: the supervisor prints it once, no traceback
        os.write(int(ready_fd), b"E" + str(exc).encode("utf-8"))
        return USER_ERROR
    os.write(int(ready_fd), b"R" + str(app.extensions["techvalley_data"].dataset.path).encode("utf-8"))
    os.close(int(ready_fd))
    _waitress(app, sock, int(threads) or int(app.config["TECHVALLEY_SERVE_THREADS"]))
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
