"""``SQLiteLog``: the embedded default backend, one SQLite file in WAL mode.

One row per record in one table, ``events``, whose ``position`` is the rowid. The database
enforces what the log promises: ``event_id`` is unique and so is ``(stream, version)``, so
two writers (two objects, threads or processes on one file) can never store the same event
twice or number a stream twice. Each append is one ``BEGIN IMMEDIATE`` transaction, which
takes the database's write lock before the tail and the stream's version are read; writers
are serialised by SQLite and positions stay gap-free.

Reads page through the table by keyset (``WHERE position > ? ... LIMIT 1000``), so memory
stays flat on a million events and other appends may land between pages. The event's id,
type and ``occurred_at`` are kept in columns beside the canonical payload for indexing;
:meth:`~timeline.log.EventLog.verify` checks that they agree with it.

Driver errors never reach the user as :mod:`sqlite3` exceptions: a damaged file is a
:class:`~timeline.errors.CorruptLog`, a lost race is a
:class:`~timeline.errors.ConcurrencyError`, anything else (a locked or read-only file, a
full disk) a :class:`~timeline.errors.TimelineError` naming the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final, Unpack

from pendulum import DateTime

from timeline.errors import CorruptLog, InvalidArgument, TimelineError
from timeline.log._sql import ENDS, Ends, held_tail, linked_columns, read_ends, tail_of
from timeline.log.base import EventLog, LogOptions
from timeline.log.query import keyset_pages
from timeline.log.records import Recorded, StoredRecord, check_gapless, stored_recorded_at
from timeline.log.sqlite_snapshots import SQLiteSnapshotStore, synchronous_mode

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Collection, Iterator, Sequence

    from timeline.log.query import Query

__all__ = ["SCHEMA", "SCHEMA_VERSION", "SQLiteLog"]

#: The version of :data:`SCHEMA`, kept in ``timeline_meta`` under ``schema_version``.
SCHEMA_VERSION: Final = 1

#: The Merkle tree's nodes (:mod:`timeline.log.merkle_store`): derived data, written in each
#: append's transaction, and added to a log made before it kept them (schema version 1 still:
#: an older version reads the log as before, and the tree is completed on first use).
_MERKLE_TABLE: Final = """CREATE TABLE IF NOT EXISTS timeline_merkle (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID"""

#: The tables and indexes of a log. ``occurred_at`` holds canonical ISO text
#: (:func:`timeline.time.isoformat`), which sorts chronologically.
SCHEMA: Final = (
    """
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  stream TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  payload BLOB NOT NULL,
  hash TEXT NOT NULL,
  UNIQUE (stream, version)
);
CREATE INDEX IF NOT EXISTS events_type ON events (type, position);
CREATE INDEX IF NOT EXISTS events_occurred ON events (occurred_at, position);
CREATE TABLE IF NOT EXISTS timeline_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
    + _MERKLE_TABLE
)

_PAGE: Final = 1000  # rows per read query: large enough to amortise it, small in memory
_CHUNK: Final = 500  # ids per IN (...) lookup, well under SQLite's bound-parameter limit
_MERGE_TYPES: Final = 50  # up to this many types, merge their index ranges (else scan)
_CORRUPT: Final = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})

_RECORD: Final = "position, stream, version, recorded_at, payload, hash"
_ENDS: Final = ENDS.format(events="events", mark="?", more="")
_NODE_CHUNK: Final = 400  # (level, idx) pairs per lookup: 800 parameters, under every limit
#: A record and the hash of the record before it (a lookup on the primary key), for the
#: reads that are not in position order from one position on (see decode_linked).
_LINKED: Final = (
    f"{_RECORD}, (SELECT b.hash FROM events AS b WHERE b.position = events.position - 1)"  # noqa: S608  # fixed text
)
#: The columns in the order of a StoredRecord's fields, so that a record is its own row.
_INSERT: Final = (
    "INSERT INTO events (position, stream, version, recorded_at, payload, hash, event_id,"
    " type, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _is_corruption(error: sqlite3.Error) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return any(name.startswith(code) for code in _CORRUPT)


class SQLiteLog(EventLog):
    """An event log in one SQLite file: the embedded default, for one analyst's machine.

    Opening creates the file and its schema if needed. Several ``SQLiteLog`` objects, threads
    or processes may share one file; appends are serialised by SQLite's write lock.

    Args:
        path: the database file (``":memory:"`` for a private in-memory database).
        **options: the options every log takes, ``codec``, ``clock`` and ``guards``
            (see :class:`~timeline.log.LogOptions`).
        synchronous: ``"full"`` (default) fsyncs every commit, so an acknowledged append
            survives a power cut; ``"normal"`` is faster and still never corrupts the file
            in WAL mode, but may lose the last appends on a power cut.
        busy_timeout: seconds to wait for another writer's lock before giving up.

    Raises:
        InvalidArgument: for a ``synchronous`` or ``busy_timeout`` that makes no sense.
        CorruptLog: if the file is not a SQLite database, or not a timeline log.
        TimelineError: if the file cannot be opened (a missing directory, no permission).

    >>> import pendulum, timeline as tl
    >>> log = SQLiteLog(":memory:", clock=tl.FixedClock(pendulum.datetime(2025, 6, 2)))
    >>> ev = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="Hakan Fidan",
    ...                   text="Welcome to Istanbul.")
    >>> [r.position for r in log.append([ev], stream="talks/istanbul")]
    [1]
    >>> log.verify().ok
    True
    >>> log.close()
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: str = "full",
        busy_timeout: float = 30.0,
        **options: Unpack[LogOptions],
    ) -> None:
        super().__init__(**options)
        self._counted = 0  # positions 1 to this were all there when last counted
        self._ends: Ends | None = None  # while writing: the last records (read_ends)
        mode = synchronous_mode(synchronous)
        if (
            type(busy_timeout) not in (int, float)
            or not 0 <= busy_timeout < float("inf")  # also refuses NaN
        ):
            raise InvalidArgument(
                f"busy_timeout must be a number of seconds ≥ 0, got {busy_timeout!r}",
                argument="busy_timeout",
                value=busy_timeout,
            )
        self.path = str(path)
        #: The log as messages name it.
        self.where = f"SQLite log {self.path!r}"
        self._lock = threading.RLock()
        _check_header(self.path)
        try:
            # Autocommit mode (isolation_level=None): we open every transaction ourselves.
            # One connection serves every thread, under self._lock.
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                self.path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
            )
        except sqlite3.Error as e:
            raise self._error(e, position=1) from e
        try:
            self._setup(mode)
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"SQLiteLog({self.path!r})"

    # -- connection, errors, schema -------------------------------------------------------

    def _error(self, error: sqlite3.Error, *, position: int) -> TimelineError:
        """Our error for a driver error (the caller raises it ``from`` the original)."""
        if _is_corruption(error):
            return CorruptLog(
                f"{self.where} is damaged near position {position}: {error}",
                position=position,
                reason=f"SQLite: {error}",
            )
        return TimelineError(f"{self.where}: {error}")

    @contextlib.contextmanager
    def _db(self, position: int = 1) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, with driver errors made ours.

        ``position`` is where a damaged file would first show, for the error.
        """
        with self._lock:
            conn = self._conn
            if conn is None:
                raise TimelineError(f"{self.where} is closed")
            try:
                yield conn
            except sqlite3.Error as e:
                raise self._error(e, position=position) from e
            except UnicodeDecodeError as e:  # a damaged text value, or a damaged schema
                raise CorruptLog(
                    f"{self.where} is damaged near position {position}: {e}",
                    position=position,
                    reason=f"text that is not UTF-8: {e}",
                ) from e

    def _setup(self, synchronous: str) -> None:
        with self._db() as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            version = self._schema_version(conn)
            if version is None:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    version = self._create_schema(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        if version != str(SCHEMA_VERSION):
            raise TimelineError(
                f"{self.where} has schema version {version!r}; this version of "
                f"timeline reads version {SCHEMA_VERSION}. Upgrade timeline to open it."
            )
        self._merkle = self._merkle_table()

    def _merkle_table(self) -> bool:
        """Whether the Merkle tree's table is there, adding it to a log made before it."""
        with self._lock:
            conn = self._conn
            assert conn is not None  # noqa: S101  # just opened
            try:
                conn.execute(_MERKLE_TABLE)
            except sqlite3.OperationalError:  # a read-only file: the tree is kept in memory
                return bool(
                    conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE name = 'timeline_merkle'"
                    ).fetchone()
                )
        return True

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> str | None:
        try:
            row = conn.execute(
                "SELECT value FROM timeline_meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.OperationalError:  # no such table: a new file (checked below)
            return None
        return None if row is None else str(row[0])

    def _create_schema(self, conn: sqlite3.Connection) -> str:
        """Create the schema inside the caller's transaction; return the schema version."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "timeline_meta" not in tables:
            if tables:  # someone else's database: never add our tables to it
                raise CorruptLog(
                    f"{self.path!r} is a SQLite database but not a timeline log "
                    f"(it holds the tables {sorted(tables)})",
                    position=1,
                    reason="not a timeline log",
                )
            # One statement at a time: executescript() would commit our transaction.
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO timeline_meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
        version = self._schema_version(conn)
        if version is None:
            raise CorruptLog(
                f"{self.path!r} has a timeline_meta table without a schema_version",
                position=1,
                reason="no schema_version",
            )
        return version

    def close(self) -> None:
        """Close the connection. Idempotent; the log cannot be used afterwards."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    # -- the primitives ----------------------------------------------------------------------

    def __len__(self) -> int:
        # Positions are gap-free, so the last one is the count (and costs no table scan).
        with self._db() as conn:
            row = conn.execute("SELECT MAX(position) FROM events").fetchone()
        return int(row[0] or 0)

    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""
        with self._db() as conn:
            rows = conn.execute(
                "SELECT stream, MAX(version) FROM events GROUP BY stream"
            ).fetchall()
        return dict(rows)

    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none)."""
        with self._db() as conn:
            row = conn.execute(
                "SELECT MAX(version) FROM events WHERE stream = ?", (stream,)
            ).fetchone()
        return int(row[0] or 0)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock, taken before anything is read."""
        with self._db() as conn:
            # IMMEDIATE takes the write lock now, before the tail and versions are read,
            # so no other connection can append between our checks and our write.
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Counted: the rows since the last append's count (that append's own, and
                # any other writer's), a short range of the primary key.
                summary, ends = read_ends(conn.execute(_ENDS, (self._counted,)).fetchall())
                self._counted = check_gapless(
                    self._counted,
                    summary,
                    lambda: conn.execute(
                        "SELECT position FROM events WHERE position > ? ORDER BY position",
                        (self._counted,),
                    ),
                    self.where,
                )
                self._ends = ends  # read with the lock: the append reads them here
                try:
                    yield
                finally:
                    self._ends = None
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at``."""
        if self._ends is not None:  # read with the lock (writing)
            return held_tail(self._ends, where=self.where)
        with self._db() as conn:
            row = conn.execute(
                "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
            ).fetchone()
        return tail_of(row, where=self.where)

    def existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these event ids the log holds."""
        by_text = {str(i): i for i in ids}
        texts = list(by_text)
        found: set[uuid.UUID] = set()
        with self._db() as conn:
            for start in range(0, len(texts), _CHUNK):
                chunk = texts[start : start + _CHUNK]
                rows = conn.execute(
                    f"SELECT event_id FROM events WHERE event_id IN ({_marks(chunk)})",  # noqa: S608  # only placeholders are interpolated
                    chunk,
                )
                found.update(by_text[text] for (text,) in rows)
        return found

    #: The UNIQUE index on ``event_id`` refuses a duplicate; :meth:`insert` reports it.
    enforces_unique_ids: ClassVar[bool] = True

    def insert(self, records: Sequence[StoredRecord]) -> None:
        """Insert the rows; a unique index refusing one is our error, after the rollback."""
        with self._db(records[0].position) as conn:
            try:
                conn.executemany(_INSERT, [r[:9] for r in records])
            except sqlite3.IntegrityError as e:
                # A duplicate id (the unique index is the check), or a race with software
                # that writes without BEGIN IMMEDIATE.
                conn.execute("ROLLBACK")
                raise self.refused_insert(records, duplicate_id="event_id" in str(e)) from e

    def merkle_count(self, level: int) -> int | None:
        """How many nodes of a level are stored (``None``: no table to keep them in)."""
        if not self._merkle:
            return None
        with self._db() as conn:
            row = conn.execute(
                "SELECT MAX(idx) FROM timeline_merkle WHERE level = ?", (level,)
            ).fetchone()
        return 0 if row[0] is None else int(row[0]) + 1

    def merkle_nodes(self, keys: Collection[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored nodes, from the primary key."""
        pairs = [v for key in keys for v in key]
        found: dict[tuple[int, int], bytes] = {}
        with self._db() as conn:
            for start in range(0, len(pairs), 2 * _NODE_CHUNK):
                chunk = pairs[start : start + 2 * _NODE_CHUNK]
                marks = ", ".join(["(?, ?)"] * (len(chunk) // 2))
                rows = conn.execute(  # a join: SQLite scans the table for a row-value IN
                    f"SELECT m.level, m.idx, m.hash FROM (VALUES {marks}) AS k CROSS JOIN"  # noqa: S608  # only placeholders are interpolated
                    " timeline_merkle AS m ON m.level = k.column1 AND m.idx = k.column2",
                    chunk,
                )
                found.update(((level, idx), hash_) for level, idx, hash_ in rows)
        return found

    def record_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The records' chain hashes, from the primary key."""
        wanted = list(positions)
        found: dict[int, str] = {}
        with self._db() as conn:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                found.update(
                    conn.execute(
                        f"SELECT position, hash FROM events WHERE position IN ({_marks(chunk)})",  # noqa: S608  # only placeholders are interpolated
                        chunk,
                    )
                )
        return found

    def merkle_insert(self, nodes: Sequence[tuple[int, int, bytes]]) -> None:
        """Store the nodes, in the append's transaction."""
        with self._db() as conn:
            conn.executemany(
                "INSERT INTO timeline_merkle (level, idx, hash) VALUES (?, ?, ?)", nodes
            )

    def scan(self, query: Query) -> Iterator[Recorded]:
        """The records ``query`` asks for, paged through the index that serves it."""
        if query.order == "occurred":
            return self._read_occurred(query)
        if query.stream is not None:
            return self._read_stream(query)
        types = query.types
        if types is not None and 1 < len(types) <= _MERGE_TYPES:
            return self._read_types(query)
        where = "position > ?"
        params: tuple[str, ...] = ()
        if types is not None:
            # One type: the (type, position) index serves the range; many: scan the table.
            where += f" AND {'type' if len(types) == 1 else '+type'} IN ({_marks(types)})"
            params = types
        where, params = _bounded(where, params, query)
        whole = query.types is None and query.low is None and query.high is None
        sql = f"SELECT {_RECORD if whole else _LINKED} FROM events WHERE {where} ORDER BY position LIMIT {_PAGE}"  # noqa: S608  # only fixed text and placeholders
        return self._pages(sql, query.after, lambda after: (after, *params), linked=not whole)

    def _pages(
        self,
        sql: str,
        after: int,
        arguments: Callable[[Any], Sequence[Any]],
        *,
        start: object = None,
        key: Callable[[tuple[Any, ...]], object] = itemgetter(0),
        linked: bool = False,
    ) -> Iterator[Recorded]:
        """Decode the rows of ``sql``, paged by keyset (:func:`~timeline.log.keyset_pages`).

        ``arguments(k)`` are a page's parameters for the keyset ``k``, which starts at
        ``start`` (``after`` if ``None``) and moves to ``key`` of each page's last row.
        ``linked``: each row ends with the hash of the record before it (:data:`_LINKED`).
        """
        for rows in self._keyset(sql, after, arguments, start, key):
            yield from self.decode_rows(rows, linked=linked)

    def _keyset(
        self,
        sql: str,
        after: int,
        arguments: Callable[[Any], Sequence[Any]],
        start: object,
        key: Callable[[tuple[Any, ...]], object],
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The pages of rows of :meth:`_pages` (whose first column is the position)."""

        def fetch(keys: tuple[int, object]) -> list[tuple[Any, ...]]:
            with self._db(keys[0] + 1) as conn:  # where damage would first show
                return conn.execute(sql, arguments(keys[1])).fetchall()

        first = (after, after if start is None else start)
        return keyset_pages(fetch, first, lambda row: (row[0], key(row)), _PAGE)

    def _read_types(self, query: Query) -> Iterator[Recorded]:
        """Several types in position order: merge their ranges of the (type, position) index.

        SQLite merges ``UNION ALL`` arms that are each in order, so a page touches only the
        rows it returns, however rare the types are among the rest.
        """
        types = query.types or ()
        where, extra = _bounded("type = ? AND position > ?", (), query)
        arm = f"SELECT {_LINKED} FROM events WHERE {where}"  # noqa: S608  # only fixed text and placeholders
        sql = " UNION ALL ".join([arm] * len(types)) + f" ORDER BY position LIMIT {_PAGE}"
        return self._pages(
            sql,
            query.after,
            lambda after: [p for t in types for p in (t, after, *extra)],
            linked=True,
        )

    def _read_stream(self, query: Query) -> Iterator[Recorded]:
        """One stream in position order, paged by version on the (stream, version) index.

        Within a stream, versions grow with positions, so version order is position order.
        """
        where = "stream = ? AND version > ? AND position > ?"
        params: tuple[Any, ...] = ()
        if query.types is not None:
            where += f" AND +type IN ({_marks(query.types)})"
            params = query.types
        where, params = _bounded(where, params, query)
        sql = f"SELECT {_LINKED} FROM events WHERE {where} ORDER BY version LIMIT {_PAGE}"  # noqa: S608  # only fixed text and placeholders
        stream, after = query.stream, query.after
        return self._pages(
            sql,
            after,
            lambda version: (stream, version, after, *params),
            start=0,
            key=itemgetter(2),
            linked=True,
        )

    def _read_occurred(self, query: Query) -> Iterator[Recorded]:
        """By ``occurred_at`` (ties by position), paged on the (occurred_at, position) index.

        The filters are applied to that index's rows (``+column`` keeps SQLite from choosing
        another index and sorting whole ranges on every page). The bounds are the ends of
        the index range: the first page starts just after ``occurred_after``.
        """
        where = "(occurred_at, position) > (?, ?) AND position > ?"
        params: list[Any] = []
        if query.high is not None:
            where += " AND occurred_at <= ?"
            params.append(query.high)
        if query.stream is not None:
            where += " AND +stream = ?"
            params.append(query.stream)
        if query.types is not None:
            where += f" AND +type IN ({_marks(query.types)})"
            params.extend(query.types)
        sql = (
            f"SELECT {_LINKED}, occurred_at FROM events WHERE {where}"  # noqa: S608  # only fixed text and placeholders
            f" ORDER BY occurred_at, position LIMIT {_PAGE}"
        )
        after = query.after
        # Past every position at occurred_after: the range starts after that instant.
        start = ("", 0) if query.low is None else (query.low, _LAST)
        for rows in self._keyset(
            sql, after, lambda k: (*k, after, *params), start, itemgetter(7, 0)
        ):
            yield from self.decode_rows(map(linked_columns, rows), linked=True)

    def recorded_at(self, position: int) -> DateTime:
        """The ``recorded_at`` of the record at a position, from the primary key."""
        with self._db(position) as conn:
            row = conn.execute(
                "SELECT recorded_at FROM events WHERE position = ?", (position,)
            ).fetchone()
        text = None if row is None else row[0]
        return stored_recorded_at(text, position=position, where=self.where)

    @contextlib.contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """The log's own connection, held under its lock, for tables kept beside the log.

        For companions that store derived data in the same database (snapshots, read
        models), so that they work on a private ``":memory:"`` database too. The connection
        is in autocommit mode: open your own transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)
        and close it before the block ends. Never write to the log's own tables (``events``,
        ``timeline_meta``, ``timeline_merkle``): only :meth:`append` does, and :meth:`verify`
        would report it.
        Driver errors inside the block are raised as :class:`~timeline.errors.TimelineError`.

        Raises:
            TimelineError: if the log is closed.
        """
        with self._db() as conn:
            yield conn

    def raw(self) -> Iterator[StoredRecord]:
        """Every row as stored, with its index columns (which ``verify`` checks too)."""
        sql = (
            f"SELECT {_RECORD}, event_id, type, occurred_at FROM events"  # noqa: S608  # fixed text
            f" WHERE position > ? ORDER BY position LIMIT {_PAGE}"
        )
        for rows in self._keyset(sql, 0, lambda after: (after,), None, itemgetter(0)):
            for p, s, v, r, payload, h, event_id, type_, occurred in rows:
                if type(payload) is not bytes:  # a damaged row may hold text or a number
                    payload = str(payload).encode()  # noqa: PLW2901  # normalised in place
                yield StoredRecord(p, s, v, r, payload, h, event_id, type_, occurred)

    def find(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``."""
        with self._db() as conn:
            row = conn.execute(
                f"SELECT {_LINKED} FROM events WHERE event_id = ?",  # noqa: S608  # fixed text
                (str(event_id),),
            ).fetchone()
        return None if row is None else self.decode_linked(*row)

    def stored_record(self, position: int) -> StoredRecord | None:
        """The record at a position as stored, from the primary key."""
        if self._ends is not None and position in self._ends:  # read with the lock
            return self._ends[position]
        with self._db(position) as conn:
            row = conn.execute(
                f"SELECT {_RECORD} FROM events WHERE position = ?",  # noqa: S608  # fixed text
                (position,),
            ).fetchone()
        return None if row is None else StoredRecord(*row)

    def stored_hash(self, position: int) -> str | None:
        """The hash stored with the record at a position, from the primary key."""
        if self._ends is not None and position in self._ends:  # read with the lock
            return self._ends[position].hash
        with self._db(position) as conn:
            row = conn.execute("SELECT hash FROM events WHERE position = ?", (position,)).fetchone()
        return None if row is None else str(row[0])

    def snapshot_store(self) -> SQLiteSnapshotStore:
        """Snapshots in a table of the log's own database (``timeline_snapshots``)."""
        return SQLiteSnapshotStore(self)

    def read_model_database(self) -> str | None:
        """The log's own file (``None`` for a database in memory)."""
        return None if self.path == ":memory:" else self.path


_HEADER: Final = b"SQLite format 3\x00"


def _check_header(path: str) -> None:
    """Refuse a file too short to be a SQLite database, before SQLite opens it.

    SQLite takes a one-byte file (a log cut short, say) for an empty database and would write
    a new one over it: a damaged log must be reported, never replaced. Longer files that are
    not databases SQLite refuses itself (``SQLITE_NOTADB``).

    Raises:
        CorruptLog: for such a file.
    """
    if path == ":memory:" or path.startswith("file:"):
        return
    try:
        with Path(path).open("rb") as file:
            head = file.read(len(_HEADER))
    except OSError:
        return  # missing (a new log) or unreadable: sqlite3.connect says which
    if 0 < len(head) < len(_HEADER):
        raise CorruptLog(
            f"{path!r} is not a SQLite database (it holds only {head!r}); it is left as it is",
            position=1,
            reason="not a SQLite database",
        )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


_LAST: Final = 2**63 - 1  # above every position


def _bounded(where: str, params: tuple[Any, ...], query: Query) -> tuple[str, tuple[Any, ...]]:
    """``where`` and ``params`` with the query's bounds on ``occurred_at`` added as filters.

    ``+occurred_at`` keeps SQLite on the index the rest of the query pages through
    (positions, a stream or a type), rather than sorting a range of another.
    """
    if query.low is not None:
        where += " AND +occurred_at > ?"
        params = (*params, query.low)
    if query.high is not None:
        where += " AND +occurred_at <= ?"
        params = (*params, query.high)
    return where, params
