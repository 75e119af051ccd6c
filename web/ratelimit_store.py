"""A rate-limit storage for the ``limits`` library in one SQLite file, shared by processes.

``techvalley serve --workers N`` runs N processes; with Flask-Limiter's ``memory://`` storage
each would count on its own and a client would get N times the limit. This storage keeps the
fixed-window counters in ``<instance>/ratelimits.sqlite3`` (URI
``techvalley-sqlite:///<path>``), so every process of one instance shares them: a limit means
what its setting says whatever the number of workers, and survives a restart.

Each counter is one row ``(key, count, expires)``; an increment is one ``BEGIN IMMEDIATE``
transaction (WAL journal, busy timeout), so two processes never lose each other's hits.
Expired rows count as absent and are pruned now and then. Only the fixed-window strategy is
supported (the one :func:`web.extensions.make_limiter` uses).

Examples
--------
>>> import tempfile, pathlib
>>> from limits import parse
>>> from limits.storage import storage_from_string
>>> from limits.strategies import FixedWindowRateLimiter
>>> folder = tempfile.mkdtemp()
>>> uri = f"techvalley-sqlite://{pathlib.Path(folder) / 'ratelimits.sqlite3'}"
>>> first, second = FixedWindowRateLimiter(storage_from_string(uri)), FixedWindowRateLimiter(storage_from_string(uri))
>>> [first.hit(parse("2/minute"), "client"), second.hit(parse("2/minute"), "client"),
...  first.hit(parse("2/minute"), "client")]
[True, True, False]
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from limits.storage import Storage

SCHEME = "techvalley-sqlite"
#: seconds between two prunes of expired rows (per process)
PRUNE_EVERY_S = 60.0
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ratelimit "
    "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID"
)


def storage_uri(path: Path | str) -> str:
    """The ``storage_uri`` for Flask-Limiter naming the SQLite file ``path``.

    >>> storage_uri("/srv/instance/ratelimits.sqlite3")
    'techvalley-sqlite:///srv/instance/ratelimits.sqlite3'
    """
    return f"{SCHEME}://{Path(path).resolve()}"


class SQLiteStorage(Storage):
    """Fixed-window counters in an SQLite file (one connection per thread and process)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        path = urllib.parse.urlparse(uri or "").path
        if not path:
            raise ValueError(f"{uri!r}: name the SQLite file, e.g. {SCHEME}:///srv/instance/ratelimits.sqlite3")
        self.path = Path(path)
        self._local = threading.local()
        self._next_prune = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # connections are neither shared between threads nor inherited by a forked process
        connection = getattr(self._local, "connection", None)
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a lost counter on power loss is harmless
            connection.execute(_SCHEMA)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def _write(self, sql: str, params: tuple = ()) -> list[tuple]:
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            rows = connection.execute(sql, params).fetchall()
            now = time.time()
            if now >= self._next_prune:
                self._next_prune = now + PRUNE_EVERY_S
                connection.execute("DELETE FROM ratelimit WHERE expires <= ?", (now,))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return rows

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s counter (a fresh window of ``expiry`` s if none is open)."""
        now = time.time()
        (row,) = self._write(
            "INSERT INTO ratelimit (key, count, expires) VALUES (?1, ?2, ?3 + ?4) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ?3 THEN ?2 ELSE count + ?2 END, "
            "expires = CASE WHEN expires <= ?3 THEN ?3 + ?4 ELSE expires END "
            "RETURNING count",
            (key, amount, now, expiry),
        )
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM ratelimit WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute(
            "SELECT expires FROM ratelimit WHERE key = ? AND expires > ?", (key, now)
        ).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return len(self._write("DELETE FROM ratelimit RETURNING 1"))

    def clear(self, key: str) -> None:
        self._write("DELETE FROM ratelimit WHERE key = ?", (key,))
