"""``techvalley serve``: the app under waitress, in one process or several.

Waitress runs one process with threads; the shortlist engine is Python-bound, so one process
uses about one core. ``workers > 1`` starts that many processes that listen on the same
address with ``SO_REUSEPORT`` (Linux, BSD): the kernel spreads connections between them. Each
loads the dataset; they share the store (SQLite in WAL mode, or PostgreSQL); rate limits and
the result cache are per process.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from typing import Any

from valleys.errors import TechValleyError


def _config(data_path: str | None) -> dict[str, Any]:
    return {"TECHVALLEY_DATA": data_path} if data_path else {}


def _listening_socket(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve_one(*, host: str, port: int, data_path: str | None, threads: int | None, reuse_port: bool = False) -> None:
    """Serve in this process (blocks)."""
    import waitress

    from web import create_app

    app = create_app(_config(data_path))
    threads = threads or int(app.config["TECHVALLEY_SERVE_THREADS"])
    data = app.extensions["techvalley_data"]
    print(f"techvalley: serving {data.dataset.path}, listening on http://{host}:{port}/ ({threads} threads)",
          file=sys.stderr, flush=True)
    try:
        if reuse_port:
            waitress.serve(app, sockets=[_listening_socket(host, port)], threads=threads,
                           ident="techvalley")
        else:
            waitress.serve(app, host=host, port=port, threads=threads, ident="techvalley")
    except (ValueError, OSError) as exc:  # a bad address, a port in use or not ours to take
        raise TechValleyError(
            f"cannot listen on {host}:{port} ({exc}); give --host an address of this machine "
            "(e.g. 127.0.0.1 or 0.0.0.0) and a free --port"
        ) from None


def serve(*, host: str, port: int, data_path: str | None = None, threads: int | None = None, workers: int = 1) -> int:
    """Serve with ``workers`` processes; returns the exit status when they stop."""
    if workers <= 1:
        serve_one(host=host, port=port, data_path=data_path, threads=threads)
        return 0
    if not hasattr(socket, "SO_REUSEPORT"):
        raise TechValleyError("--workers above 1 needs SO_REUSEPORT (Linux or BSD); use --workers 1")
    from web import create_app

    create_app(_config(data_path), load_data=False)  # the store, key and catalogue, made once
    command = [sys.executable, "-m", "web.serve", host, str(port), data_path or "", str(threads or 0)]
    children = [subprocess.Popen(command) for _ in range(workers)]

    def stop(signum: int, frame: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    try:
        while children:
            for child in list(children):
                try:
                    code = child.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    continue
                children.remove(child)
                if code not in (0, -signal.SIGTERM, -signal.SIGINT):
                    status = status or code
                    stop(0, None)  # one worker died: stop the others rather than serve half
    finally:
        stop(0, None)
    return status


def _worker_main(argv: list[str]) -> int:
    host, port, data_path, threads = argv
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        serve_one(host=host, port=int(port), data_path=data_path or None,
                  threads=int(threads) or None, reuse_port=True)
    except TechValleyError as exc:  # a user error (bad dataset or setting): a message, no traceback
        print(f"Error: {exc}", file=sys.stderr, flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
