"""The cache without Redis: a SQLite file of its own, shared by every worker of one machine.

Rate-limit counters (blocra.ratelimits) and cached answers used to live in a table of the main
database, so a request that only reads waited behind any writer holding SQLite's write lock just to
count itself. Here they live in a separate small file with its own connections (one per thread and
process), in WAL mode with a short busy timeout, and every statement commits on its own: no request's
transaction ever holds this file's lock, and nothing on the main database can block it. Every
gunicorn worker of the machine opens the same file, so counts are shared; several machines need
Redis (REDIS_URL). Integers are stored as SQL integers so `incr` is one atomic UPDATE; other values
are pickled, as Django's own caches do. Failures raise `sqlite3.Error` (or OSError when the file's
directory cannot be made): callers decide whether that refuses a request.
"""

import itertools
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from blocra.clock import clock

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires)",
)
_LIVE = "(expires IS NULL OR expires > ?)"
# Expired entries are removed (and MAX_ENTRIES enforced) on one write in this many, not on every write.
_CULL_EVERY = 256
_SQL_INT = range(-(2**63), 2**63)


def _encode(value: Any) -> int | bytes:
    if type(value) is int and value in _SQL_INT:
        return value
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _decode(stored: int | bytes) -> Any:
    # Only this application writes the file (like Django's file-based cache, it trusts its pickles).
    return stored if isinstance(stored, int) else pickle.loads(stored)  # noqa: S301


class SQLiteCache(BaseCache):
    """Django cache backend on the SQLite file LOCATION; OPTIONS: MAX_ENTRIES, CULL_FREQUENCY and
    `busy_timeout` (seconds to wait for another writer of the file, default 1)."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.path = Path(location)
        self.busy_timeout = float(params.get("OPTIONS", {}).get("busy_timeout", 1.0))
        self._local = threading.local()
        self._writes = itertools.count()

    # --- connections -------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit (isolation_level=None): each statement is its own short transaction.
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        try:
            self._use_wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _use_wal(self, connection: sqlite3.Connection) -> None:
        """Switch the file to WAL unless it is already. Workers opening a new file at once race to switch
        it, and SQLite answers the losers "database is locked" at once, without waiting out the busy
        timeout: they try again until the busy timeout has passed."""
        deadline = clock().monotonic() + self.busy_timeout
        while True:
            try:
                if str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or clock().monotonic() >= deadline:
                    raise
                clock().sleep(0.01)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (a new one after a fork); dropped after an error, so the next call
        starts afresh (the file may have been replaced or its disk freed)."""
        local = self._local
        if getattr(local, "connection", None) is None or local.pid != os.getpid():
            local.connection, local.pid = self._connect(), os.getpid()
        connection: sqlite3.Connection = local.connection
        try:
            yield connection
        except sqlite3.Error:
            local.connection = None
            connection.close()
            raise

    def _wrote(self, db: sqlite3.Connection) -> None:
        if next(self._writes) % _CULL_EVERY:
            return
        db.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))
        (count,) = db.execute("SELECT COUNT(*) FROM cache").fetchone()
        if count > self._max_entries:
            # Down to MAX_ENTRIES less its 1/CULL_FREQUENCY (0: everything), the soonest to expire first.
            keep = 0 if self._cull_frequency == 0 else self._max_entries - self._max_entries // self._cull_frequency
            db.execute(
                "DELETE FROM cache WHERE key IN (SELECT key FROM cache ORDER BY expires IS NULL, expires LIMIT ?)",
                (count - keep,),
            )

    # --- the cache API -----------------------------------------------------------------------------

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            row = db.execute(f"SELECT value FROM cache WHERE key = ? AND {_LIVE}", (key, time.time())).fetchone()  # noqa: S608
        return default if row is None else _decode(row[0])

    def set(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            db.execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, _encode(value), self.get_backend_timeout(timeout)),
            )
            self._wrote(db)

    def add(self, key: Any, value: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        """Store `value` unless a live entry holds `key`; True when stored. Atomic across processes."""
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            # The upsert replaces only an expired entry; a live one makes it change nothing.
            cursor = db.execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires "
                "WHERE cache.expires IS NOT NULL AND cache.expires <= ?",
                (key, _encode(value), self.get_backend_timeout(timeout), time.time()),
            )
            self._wrote(db)
        return cursor.rowcount == 1

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        """Add `delta` to a live integer entry in one statement; ValueError when there is none."""
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            row = db.execute(
                f"UPDATE cache SET value = value + ? WHERE key = ? AND {_LIVE} AND typeof(value) = 'integer' "  # noqa: S608
                "RETURNING value",
                (delta, key, time.time()),
            ).fetchone()
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def touch(self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            cursor = db.execute(
                f"UPDATE cache SET expires = ? WHERE key = ? AND {_LIVE}",  # noqa: S608
                (self.get_backend_timeout(timeout), key, time.time()),
            )
        return cursor.rowcount == 1

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with self._db() as db:
            cursor = db.execute(f"DELETE FROM cache WHERE key = ? AND {_LIVE}", (key, time.time()))  # noqa: S608
        return cursor.rowcount == 1

    def clear(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM cache")
