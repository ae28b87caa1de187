"""SQLite's ``data_version``: a number that changes with every commit to the database
by another connection, in this process or another. Read on a connection that never
writes, it changes with every commit at all: a cheap test of "has anything changed"."""

from __future__ import annotations

import threading
from typing import Any

from ..store import Store


class DataVersion:
    """The ``data_version`` of one store, on a connection of its own, opened at the first
    reading and kept out of the pool (another one's number says nothing)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._conn: Any = None

    def read(self) -> int:
        with self._lock:
            if self._conn is None:
                fairy = self.store.engine.raw_connection()
                fairy.detach()  # kept here, out of the pool; closed by close()
                self._conn = fairy.dbapi_connection
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
