"""Snapshots in SQLite: :class:`SQLiteSnapshotStore`, in the log's own database or a sidecar.

What :meth:`timeline.log.SQLiteLog.snapshot_store` gives (the log's own database) and
:meth:`timeline.log.JsonlLog.snapshot_store` (a sidecar file beside the log).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final, Protocol

from timeline.codec import Codec
from timeline.errors import InvalidArgument, TimelineError
from timeline.log.snapshots import Snapshot, TableSnapshotStore, _key_columns

__all__ = [
    "SNAPSHOT_SCHEMA",
    "SQLiteDatabase",
    "SQLiteSnapshotStore",
    "connect_sqlite",
    "synchronous_mode",
]


class SQLiteDatabase(Protocol):
    """What the store uses of a :class:`~timeline.log.SQLiteLog`: its path, codec, connection."""

    @property
    def path(self) -> str:
        """The database file (``":memory:"`` for one in memory)."""

    @property
    def codec(self) -> Codec:
        """Writes the events inside states."""

    def connection(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """The log's connection, for one block."""


#: The table a :class:`SQLiteSnapshotStore` keeps its snapshots in. ``as_of`` and
#: ``known_at`` are canonical ISO text (``NULL``: no cut); ``head`` is the hash of the record
#: at ``position`` (the genesis hash for 0); ``state`` is the :class:`StateCodec` bytes.
SNAPSHOT_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS timeline_snapshots (
  name TEXT NOT NULL,
  version INTEGER NOT NULL,
  as_of TEXT,
  position INTEGER NOT NULL,
  known_at TEXT,
  head TEXT NOT NULL,
  created TEXT NOT NULL,
  state BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS timeline_snapshots_key
  ON timeline_snapshots (name, version, as_of, position);
"""


#: The ``synchronous`` settings a SQLite database (a log, or one of derived data) may take.
_SYNCHRONOUS: Final = {"full": "FULL", "normal": "NORMAL"}


def synchronous_mode(value: object) -> str:
    """SQLite's ``PRAGMA synchronous`` value for ``"full"`` or ``"normal"`` (any case).

    Raises:
        InvalidArgument: for anything else.
    """
    mode = _SYNCHRONOUS.get(value.lower()) if isinstance(value, str) else None
    if mode is None:
        raise InvalidArgument(
            f"synchronous must be 'full' or 'normal', got {value!r}",
            argument="synchronous",
            value=value,
        )
    return mode


def connect_sqlite(path: str) -> sqlite3.Connection:
    """A connection to a SQLite database of derived data (snapshots, a read model's tables).

    In autocommit mode (each user of it writes its own ``BEGIN IMMEDIATE`` ... ``COMMIT``),
    usable from any thread, waiting for a lock rather than failing at once, in WAL mode so
    that readers never block the writer.

    Raises:
        sqlite3.Error: if the database cannot be opened.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


_SQLITE_WHERE: Final = "name = ? AND version = ? AND as_of IS ? AND position = ?"


class SQLiteSnapshotStore(TableSnapshotStore):
    """Snapshots in a SQLite table (:data:`SNAPSHOT_SCHEMA`), each written in one transaction.

    Given a :class:`~timeline.log.SQLiteLog`, it uses the log's own database through the
    log's connection (:meth:`~timeline.log.SQLiteLog.connection`), so the snapshots live and
    travel with the log, ``":memory:"`` logs included. Given a path, it opens that database
    (a sidecar file, for a log kept elsewhere).

    The last ``cache`` states saved or loaded are kept decoded in memory (states are
    immutable, so sharing them is safe): a session that asks several questions near one
    snapshot reads and decodes it once.

    Args:
        target: a :class:`~timeline.log.SQLiteLog`, or the path of a database file.
        codec: writes events inside states; the log's codec by default.
        cache: how many decoded states to keep (0: none).

    Raises:
        TimelineError: if the database cannot be opened or written.
    """

    def __init__(
        self, target: SQLiteDatabase | str | Path, *, codec: Codec | None = None, cache: int = 2
    ) -> None:
        self._log = None if isinstance(target, (str, Path)) else target
        self._own: sqlite3.Connection | None = None
        if self._log is not None:
            self.path = self._log.path
            codec = codec if codec is not None else self._log.codec
        else:
            self.path = str(target)
            try:
                self._own = connect_sqlite(self.path)
            except sqlite3.Error as e:
                raise TimelineError(f"snapshot store {self.path!r}: {e}") from e
        super().__init__(codec, cache)
        with self._connection() as conn:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timeline_snapshots'"
            ).fetchone()
            if exists is not None:  # nothing to write: a read-only file still serves reads
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in SNAPSHOT_SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def __repr__(self) -> str:
        return f"SQLiteSnapshotStore({self.path!r})"

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        if self._log is not None:
            with self._lock, self._log.connection() as conn:
                yield conn
            return
        with self._lock:
            if self._own is None:
                raise TimelineError(f"snapshot store {self.path!r} is closed")
            try:
                yield self._own
            except sqlite3.Error as e:
                raise TimelineError(f"snapshot store {self.path!r}: {e}") from e

    def close(self) -> None:
        """Close the database it opened (a log's connection is the log's to close)."""
        with self._lock:
            own, self._own = self._own, None
            if own is not None:
                own.close()
            super().close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _replace(self, snapshot: Snapshot, row: tuple[Any, ...]) -> None:
        with self._transaction() as conn:
            _delete_row(conn, snapshot)
            conn.execute(
                "INSERT INTO timeline_snapshots (name, version, as_of, position, known_at,"
                " head, created, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )

    def _stored_state(self, snapshot: Snapshot) -> bytes | None:
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT state FROM timeline_snapshots WHERE {_SQLITE_WHERE} AND head = ?",  # noqa: S608  # fixed text
                (*_key_columns(snapshot), snapshot.head),
            ).fetchone()
        return None if row is None else row[0]

    def _rows(self, name: str, version: int | None) -> Iterable[tuple[Any, ...]]:
        sql = (
            "SELECT name, version, as_of, position, known_at, head, created"
            " FROM timeline_snapshots WHERE name = ?"
        )
        params: tuple[Any, ...] = (name,)
        if version is not None:
            sql += " AND version = ?"
            params = (name, version)
        with self._connection() as conn:
            return conn.execute(sql + " ORDER BY version, as_of, position", params).fetchall()

    def _delete(self, snapshot: Snapshot) -> bool:
        with self._transaction() as conn:
            return _delete_row(conn, snapshot)


def _delete_row(conn: sqlite3.Connection, snapshot: Snapshot) -> bool:
    """Delete the snapshot with this key; whether there was one."""
    cursor = conn.execute(
        f"DELETE FROM timeline_snapshots WHERE {_SQLITE_WHERE}",  # noqa: S608  # fixed text
        _key_columns(snapshot),
    )
    return cursor.rowcount > 0
