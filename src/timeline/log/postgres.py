"""``PostgresLog``: the backend for a team, one PostgreSQL schema shared by many writers.

The log lives in three tables of the connection's current schema (the first schema of its
``search_path`` that exists), created on first open: ``timeline_events``, one row per record,
``timeline_meta``, which holds the schema version, and ``timeline_lock``, the writers' lock
(see :data:`SCHEMA`). Several logs can
share one database, one per schema.

The database enforces what the log promises. ``position`` is the primary key, ``event_id``
is unique and so is ``(stream, version)``: two writers can never store the same event twice
or number a stream twice, whatever they do. Positions are numbered by the writers
themselves, as the last position plus one, inside a transaction that first locks the one
row of the log's lock table (``SELECT ... FROM timeline_lock ... FOR UPDATE``). Writers
therefore append one at a time, and each one reads the tail only after the previous one
has committed: positions are gap-free and in commit order. (A ``bigserial`` column would
leave gaps after rolled-back transactions and hand out numbers out of commit order, so a
reader following the log by position could skip a record that commits late.) A row lock
needs the ``UPDATE`` privilege on the lock table, which holds nothing but that row: a
read-only role cannot take it, so it cannot stop the writers (an advisory lock, which any
role may take, could), while a writer's role can still be denied ``UPDATE`` and ``DELETE``
on the events: the database itself keeps them append-only. A writer waits for the lock (and
for any other lock in its transaction) at most ``lock_timeout`` seconds, then raises
:class:`~timeline.errors.LockTimeout` having written nothing. Readers take no lock and never
wait for writers.

The payload is the event's canonical bytes in a ``bytea`` column, byte for byte as hashed:
``jsonb`` would reorder keys, drop duplicate ones and normalise numbers, so the stored
document would no longer be the hashed bytes (``docs/postgres.md`` has the figures). The
event's id (``uuid``), type and ``occurred_at`` (canonical ISO text,
which sorts chronologically under the ``"C"`` collation) are kept in columns beside it for
indexing; :meth:`~timeline.log.EventLog.verify` checks that they agree with the payload.

Reads page through the table by keyset (``WHERE position > %s ... LIMIT 2000``), each page
one statement: memory stays flat on a million events, no transaction stays open between
pages, and other appends may land between them.

Every append sends ``NOTIFY`` on the log's channel (:attr:`PostgresLog.channel`) inside its
transaction, so the notification goes out exactly when the records become visible.
:meth:`PostgresLog.wait` (or a :meth:`PostgresLog.follow` thread) listens on it and delivers
new records to the log's subscriptions, so a live projection in one process follows appends
made in another.

Driver errors never reach the user as :mod:`psycopg` exceptions: a lost race is a
:class:`~timeline.errors.ConcurrencyError`, a duplicate id a
:class:`~timeline.errors.DuplicateEvent`, anything else (a refused privilege, a lost
connection) a :class:`~timeline.errors.TimelineError` naming the server and schema (never
the password).

psycopg 3 (the ``postgres`` extra) is imported when a log is opened, so ``import timeline``
works without it.
"""

from __future__ import annotations

import contextlib
import string
import threading
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Final, Unpack

from pendulum import DateTime

from timeline.errors import InvalidArgument, TimelineError
from timeline.log import _postgres_merkle
from timeline.log._postgres_connect import channel_name, described, driver, schema_url
from timeline.log._postgres_follow import Follower
from timeline.log._postgres_held import VERSION, Held, read_with_lock
from timeline.log._postgres_merkle import NOTIFY
from timeline.log._postgres_schema import SCHEMA, SCHEMA_VERSION, lock_timed_out, open_schema
from timeline.log._sql import held_tail, linked_columns, tail_of
from timeline.log.base import EventLog, LogOptions
from timeline.log.postgres_snapshots import PostgresSnapshotStore
from timeline.log.query import keyset_pages
from timeline.log.records import Recorded, StoredRecord, stored_recorded_at
from timeline.redaction import redact

if TYPE_CHECKING:
    import uuid
    from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

    import psycopg

    from timeline.log.merkle import Key, Node
    from timeline.log.query import Query

__all__ = ["SCHEMA", "SCHEMA_VERSION", "PostgresLog", "schema_url"]

_PAGE: Final = 2000  # rows per read query: a round trip amortised, a few hundred kB at most
_LAST: Final = 2**63 - 1  # above every position

_COPY_FROM: Final = 8  # batches of this many records or more are sent with COPY
_RECORD: Final = "position, stream, version, recorded_at, payload, hash"
#: A record and the hash of the record before it (a primary-key lookup), for the reads that
#: are not in position order from one position on (see decode_linked).
_LINKED: Final = (
    f"{_RECORD}, (SELECT b.hash FROM {{events}} AS b WHERE b.position = e.position - 1)"  # noqa: S608  # fixed text
)
#: The columns in the order of a StoredRecord's fields.
_COLUMNS: Final = (
    "position, stream, version, recorded_at, payload, hash, event_id, type, occurred_at"
)
_INSERT: Final = f"INSERT INTO {{events}} ({_COLUMNS}) VALUES ({', '.join(['%s'] * 9)})"  # noqa: S608  # fixed text
_COPY: Final = f"COPY {{events}} ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
#: The columns' types for the binary COPY: the payload goes as raw bytes (text COPY would
#: escape every byte of it).
_COPY_TYPES: Final = ("int8", "text", "int8", "text", "bytea", "text", "uuid", "text", "text")


class PostgresLog(EventLog):
    """An event log in a PostgreSQL schema: the backend for a team, many writers at once.

    Opening connects, and creates the tables in the connection's current schema if they
    are missing (choose the schema with the URL's ``options=-csearch_path=NAME``). Any
    number of ``PostgresLog`` objects, threads and processes, on any number of machines,
    may append to one log: see the module's notes on locking.

    One connection serves the log object, under a lock, so the object may be shared by
    threads (a subscription's thread included); a second connection, opened on first use,
    listens for other writers' appends (:meth:`wait`, :meth:`follow`).

    Args:
        url: a libpq connection URL (``postgresql://user@host:port/db?options=...``) or
            key-value string.
        **options: the options every log takes, ``codec``, ``clock`` and ``guards``
            (see :class:`~timeline.log.LogOptions`).
        connect_timeout: seconds to wait for the server when connecting.
        lock_timeout: the most seconds an append waits for the write lock (held by another
            writer through its commit) or any other lock, before it raises
            :class:`~timeline.errors.LockTimeout`; 10 by default.

    Raises:
        InvalidArgument: for a ``connect_timeout``, ``lock_timeout`` or URL that makes no
            sense.
        CorruptLog: if the schema holds a ``timeline_events`` table that is not a log.
        TimelineError: if psycopg is missing, the server cannot be reached, the search path
            names no schema, or the role may not read (or, for a new log, create) the tables.

    Example (with a server)::

        log = PostgresLog("postgresql://analyst@db.example/newsroom?options=-csearch_path%3Dwar")
        log.append([ev], stream="talks/istanbul")
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        lock_timeout: float = 10.0,
        **options: Unpack[LogOptions],
    ) -> None:
        super().__init__(**options)
        for name, value in (("connect_timeout", connect_timeout), ("lock_timeout", lock_timeout)):
            if type(value) not in (int, float) or not 0 < value < float("inf"):
                raise InvalidArgument(
                    f"{name} must be a number of seconds > 0, got {value!r}",
                    argument=name,
                    value=value,
                )
        #: The most seconds an append waits for a lock (see :class:`PostgresLog`).
        self.lock_timeout = float(lock_timeout)
        self._pg = driver()
        self._url = url
        self._connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._depth = 0  # how many _db blocks are open (a transaction is one level down)
        self._queries: dict[str, bytes] = {}
        self._counted = 0  # positions 1 to this were all there when last counted
        self._held: Held | None = None  # while writing: what was read with the lock
        self._last_stream: str | None = None  # the stream of the last append
        self._edge_was_stale = False  # the last append read the tree's edge (merkle_count)
        # While writing: the NOTIFY of a batch written by COPY, sent with the Merkle tree's
        # new nodes (one round trip), or before the commit where the batch completes none.
        self._notice: tuple[str, str] | None = None  # (channel, last position)
        self._follower = Follower(self)
        self.schema = ""
        self.where, self._named = described(self._pg, url)
        self._conn: psycopg.Connection[Any] | None = self._connect()
        try:
            self._setup()
        except BaseException:
            self.close()
            raise
        #: The ``LISTEN``/``NOTIFY`` channel every append notifies (see :func:`channel_name`).
        self.channel = channel_name(self.schema)

    def __repr__(self) -> str:
        return f"PostgresLog({self.where!r}, schema={self.schema!r})"

    # -- connection, errors, schema -------------------------------------------------------

    def _connect(self, *, listening: bool = False) -> psycopg.Connection[Any]:
        """A new connection, named in ``pg_stat_activity`` unless the URL names it."""
        options: dict[str, Any] = {}
        if not self._named:
            options["application_name"] = "timeline-listen" if listening else "timeline"
        try:
            return self._pg.connect(  # type: ignore[no-any-return]  # psycopg is typed; the module object is not
                self._url,
                autocommit=True,
                connect_timeout=max(1, round(self._connect_timeout)),
                **options,
            )
        except (self._pg.Error, ValueError) as e:  # ValueError: a host name IDNA refuses
            raise TimelineError(
                f"cannot connect to PostgreSQL log {self.where}: {self._scrubbed(e)}"
            ) from e

    def _error(self, error: Exception) -> TimelineError:
        """Our error for a driver error (the caller raises it ``from`` the original)."""
        where = f"{self.where} (schema {self.schema!r})" if self.schema else self.where
        message = self._scrubbed(error).strip().replace("\n", "; ")
        return TimelineError(f"PostgreSQL log {where}: {message}")

    def _scrubbed(self, error: Exception) -> str:
        """A driver error's message without the URL's password; the error itself scrubbed too.

        The driver's error is raised as the cause of ours, so a traceback prints it: where
        its message held a password, its ``args`` are replaced by the redacted message.
        """
        message = str(error)
        shown = redact(message, self._url)
        if shown != message:
            error.args = (shown,)
        return shown

    @contextlib.contextmanager
    def _db(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection, under the lock, with driver errors made ours.

        A connection that was lost (a server restart, a network cut) is replaced by a new
        one at the next use, but never inside a transaction (a nested use): the statement
        that met the loss fails, the transaction it was part of is gone, the next one works.
        """
        with self._lock:
            conn = self._conn
            if conn is None:
                raise TimelineError(f"PostgreSQL log {self.where} is closed")
            if conn.broken and not self._depth:
                fresh = self._connect()
                conn.close()
                conn = self._conn = fresh
            self._depth += 1
            try:
                yield conn
            except self._pg.Error as e:
                raise self._error(e) from e
            finally:
                self._depth -= 1

    def sql(self, template: str) -> bytes:
        """A query on the log's schema: each ``{name}`` becomes its table ``timeline_name``.

        For companions that keep tables beside the log (``{snapshots}`` is the table
        ``timeline_snapshots`` of the log's schema, quoted and qualified). Composed once per
        template and kept; values go in ``%s`` placeholders, never in the template.

        Raises:
            TimelineError: if the log is closed.
        """
        query = self._queries.get(template)
        if query is None:
            sql = self._pg.sql
            names = {
                field: sql.Identifier(self.schema, f"timeline_{field}")
                for _, field, _, _ in string.Formatter().parse(template)
                if field
            }
            with self._lock:
                if self._conn is None:
                    raise TimelineError(f"PostgreSQL log {self.where} is closed")
                query = sql.SQL(template).format(**names).as_bytes(self._conn)
            self._queries[template] = query
        return query

    def connect(self) -> psycopg.Connection[Any]:
        """A new connection (autocommit) to the log's database, as the log's URL gives it.

        For companions that need a transaction of their own (a read model); the caller
        closes it.

        Raises:
            TimelineError: if the server cannot be reached.
        """
        return self._connect()

    def _setup(self) -> None:
        with self._db() as conn:
            self.schema, self._schema_version = open_schema(self, conn)
        self._merkle = _postgres_merkle.merkle_table(self)

    def close(self) -> None:
        """Stop following and close the connections.

        Idempotent; the log cannot be used afterwards.
        """
        self._follower.close()
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """The log's own connection, held under its lock, for tables kept beside the log.

        For companions that keep derived data in the same schema (snapshots, read models).
        The connection is in autocommit mode: open a transaction (``with
        conn.transaction():``) for writes that belong together. Never write to the log's
        own tables (``timeline_events``, ``timeline_meta``): only :meth:`append` does, and
        :meth:`verify` would report it. Driver errors inside the block are raised as
        :class:`~timeline.errors.TimelineError`.

        Raises:
            TimelineError: if the log is closed.
        """
        with self._db() as conn:
            yield conn

    # -- the primitives ----------------------------------------------------------------------

    def __len__(self) -> int:
        # Positions are gap-free, so the last one is the count (read from the primary key).
        with self._db() as conn:
            row = conn.execute(self.sql("SELECT max(position) FROM {events}")).fetchone()
        return int(row[0] or 0) if row is not None else 0

    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""
        with self._db() as conn:
            rows = conn.execute(
                self.sql("SELECT stream, max(version) FROM {events} GROUP BY stream")
            ).fetchall()
        return {str(stream): int(version) for stream, version in rows}

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """One transaction holding the log's write lock (its lock row), to the commit.

        Raises:
            LockTimeout: the lock was not granted within :attr:`lock_timeout`.
            TimelineError: the log is still at schema version 1 (opened only by roles that
                may not upgrade it: ``docs/postgres.md``), or the role may not lock the row.
        """
        if self._schema_version < SCHEMA_VERSION:
            raise TimelineError(
                f"PostgreSQL log {self.where} (schema {self.schema!r}) is at schema version "
                f"{self._schema_version} and this role may not upgrade it: open it once as a "
                "role that owns its tables (which adds the writers' lock table, timeline_lock) "
                "before appending"
            )
        with self._db() as conn:
            try:
                with conn.transaction():
                    # The lock is taken before the tail and the stream's version are read,
                    # held to the commit: the next writer reads them only after this one.
                    stale, self._edge_was_stale = self._edge_was_stale, False
                    self._counted, held = read_with_lock(
                        self, conn, counted=self._counted, stream=self._last_stream, edge=stale
                    )
                    self._held = held  # the append's reads are answered from it
                    try:
                        yield
                        if self._notice is not None:  # not sent with the tree's nodes
                            conn.execute(NOTIFY, self._notice)
                    finally:
                        self._held = self._notice = None
            except _LostRaceError as race:  # raised by insert; rolled back by now
                constraint = getattr(getattr(race.error, "diag", None), "constraint_name", None)
                raise self.refused_insert(
                    race.records, duplicate_id=constraint == "timeline_events_event_id"
                ) from race.error

    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none).

        Raises:
            InvalidArgument: for a stream name PostgreSQL cannot store as text (one with a
                NUL character or a lone surrogate): ``append`` refuses it here, before
                anything is written.
        """
        if not _storable(stream):
            raise InvalidArgument(
                f"stream must be text PostgreSQL can store (no NUL character, no lone "
                f"surrogate), got {stream!r}",
                argument="stream",
                value=stream,
            )
        if self._held is not None:  # an append asks, with the lock
            self._last_stream = stream
            version = self._held.stream_version(stream)
            if version is not None:
                return version
        with self._db() as conn:
            row = conn.execute(self.sql(VERSION), (stream,)).fetchone()
        return int(row[0] or 0) if row is not None else 0

    def existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these event ids the log holds."""
        with self._db() as conn:
            rows = conn.execute(
                self.sql("SELECT event_id FROM {events} WHERE event_id = ANY(%s)"), (list(ids),)
            ).fetchall()
        return {event_id for (event_id,) in rows}

    def tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at``."""
        if self._held is not None:  # read with the lock (writing)
            return held_tail(self._held.ends, where=f"PostgreSQL log {self.where}")
        with self._db() as conn:
            row = conn.execute(
                self.sql(
                    "SELECT position, hash, recorded_at FROM {events}"
                    " ORDER BY position DESC LIMIT 1"
                )
            ).fetchone()
        return tail_of(row, where=f"PostgreSQL log {self.where}")

    #: The unique constraint on ``event_id`` refuses a duplicate; :meth:`writing` reports it.
    enforces_unique_ids: ClassVar[bool] = True

    def insert(self, records: Sequence[StoredRecord]) -> None:
        """Insert the rows (``COPY`` for a batch), and ``NOTIFY`` the log's channel."""
        rows = [
            (r.position, r.stream, r.version, r.recorded_at, r.payload, r.hash,
             r.entry.event.event_id if r.entry is not None else r.event_id, r.type, r.occurred_at)
            for r in records
        ]  # fmt: skip
        with self._db() as conn:
            try:
                # Sent inside the transaction: delivered when (and only if) it commits.
                notice = (self.channel, str(records[-1].position))
                with conn.cursor() as cursor:
                    if len(rows) < _COPY_FROM:  # the rows and the notice in one round trip
                        with conn.pipeline():
                            cursor.executemany(self.sql(_INSERT), rows)
                            cursor.execute(NOTIFY, notice)
                    else:  # COPY (faster on a batch: docs/postgres.md), which no pipeline takes
                        with cursor.copy(self.sql(_COPY)) as copy:
                            copy.set_types(_COPY_TYPES)
                            for row in rows:
                                copy.write_row(row)
                        self._notice = notice  # sent later in the transaction (writing)
            except self._pg.errors.UniqueViolation as e:
                raise _LostRaceError(e, records) from e
            except self._pg.errors.LockNotAvailable as e:  # waiting on another's row
                raise lock_timed_out(self, "a lock the insert needed") from e

    def merkle_count(self, level: int) -> int | None:
        """How many nodes of a level are stored (``None``: no table to keep them in)."""
        if not self._merkle:
            return None
        if self._held is not None:  # an append asks: its own edge of the tree was stale
            self._edge_was_stale = True
            count = self._held.merkle_count(level)
            if count is not None:
                return count
        return _postgres_merkle.merkle_count(self, level)

    def merkle_nodes(self, keys: Collection[Key]) -> dict[Key, bytes]:
        """The stored hashes of these nodes, in one statement."""
        held = self._held.merkle_nodes(keys) if self._held is not None else None
        return held if held is not None else _postgres_merkle.merkle_nodes(self, keys)

    def merkle_insert(self, nodes: Sequence[Node]) -> None:
        """Store the nodes, in the append's transaction (with its notice, where it waits)."""
        notice, self._notice = self._notice, None
        _postgres_merkle.merkle_insert(self, nodes, notice=notice)

    def record_hashes(self, positions: Sequence[int]) -> dict[int, str]:
        """The records' chain hashes, in one statement."""
        held = self._held.record_hashes(positions) if self._held is not None else None
        return held if held is not None else _postgres_merkle.record_hashes(self, positions)

    def scan(self, query: Query) -> Iterator[Recorded]:
        """Build the query for the filters (fixed text and placeholders only) and page it."""
        types = query.types
        if types is not None:  # text PostgreSQL cannot store is in no record
            types = tuple(t for t in types if _storable(t))
        stream = query.stream
        if (stream is not None and not _storable(stream)) or types == ():
            return iter(())
        low, high = query.low, query.high
        where: list[str] = []
        params: list[Any] = []
        if stream is not None:
            where.append("stream = %s")
            params.append(stream)
        if types is not None:
            where.append("type = ANY(%s)")
            params.append(list(types))
        if low is not None and query.order != "occurred":  # in occurred order, where pages start
            where.append("occurred_at > %s")
            params.append(low)
        if high is not None:
            where.append("occurred_at <= %s")
            params.append(high)
        filters = "".join(f" AND {clause}" for clause in where)
        if query.order == "occurred":
            sql = self.sql(
                f"SELECT {_LINKED}, occurred_at FROM {{events}} AS e"  # noqa: S608  # fixed text and placeholders only
                f" WHERE (occurred_at, position) > (%s, %s) AND position > %s{filters}"
                f" ORDER BY occurred_at, position LIMIT {_PAGE}"
            )
            return self._decoded_occurred(sql, query.after, params, low)
        if stream is not None:
            # Within a stream, versions grow with positions: page on the (stream, version) key.
            sql = self.sql(
                f"SELECT {_LINKED} FROM {{events}} AS e WHERE version > %s AND position > %s"  # noqa: S608  # fixed text and placeholders only
                f"{filters} ORDER BY version LIMIT {_PAGE}"
            )
            after = query.after
            pages = self._pages(sql, lambda v: (v, after, *params), 0, itemgetter(2))
            return self._decoded(pages, linked=True)
        columns = _LINKED if where else _RECORD  # in position order, each follows the last
        sql = self.sql(
            f"SELECT {columns} FROM {{events}} AS e WHERE position > %s{filters}"  # noqa: S608  # fixed text and placeholders only
            f" ORDER BY position LIMIT {_PAGE}"
        )
        pages = self._pages(sql, lambda a: (a, *params), query.after, itemgetter(0))
        return self._decoded(pages, linked=bool(where))

    def _fetch(self, query: bytes, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._db() as conn, conn.cursor(binary=True) as cursor:
            return cursor.execute(query, params).fetchall()

    def _pages(
        self,
        sql: bytes,
        arguments: Callable[[Any], Sequence[Any]],
        start: object,
        key: Callable[[tuple[Any, ...]], object],
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The pages of ``sql`` by keyset (:func:`~timeline.log.keyset_pages`).

        ``arguments(k)`` are a page's parameters for the keyset ``k``, which starts at
        ``start`` and moves to ``key`` of each page's last row.
        """
        return keyset_pages(lambda k: self._fetch(sql, arguments(k)), start, key, _PAGE)

    def _decoded(
        self, pages: Iterable[list[tuple[Any, ...]]], *, linked: bool
    ) -> Iterator[Recorded]:
        """The records of the pages' rows, checked and decoded.

        ``linked``: each row carries the hash stored before it (see :meth:`decode_rows`).
        """
        for rows in pages:
            yield from self.decode_rows(rows, linked=linked)

    def _decoded_occurred(
        self, sql: bytes, after: int, params: list[Any], low: str | None
    ) -> Iterator[Recorded]:
        """Page by ``(occurred_at, position)``; the lower bound, if any, starts the range."""
        # Past every position at occurred_after: the range starts after that instant.
        start = ("", 0) if low is None else (low, _LAST)
        for rows in self._pages(sql, lambda k: (*k, after, *params), start, itemgetter(7, 0)):
            yield from self.decode_rows(map(linked_columns, rows), linked=True)

    def recorded_at(self, position: int) -> DateTime:
        """The ``recorded_at`` of the record at a position, from the primary key."""
        with self._db() as conn:
            row = conn.execute(
                self.sql("SELECT recorded_at FROM {events} WHERE position = %s"), (position,)
            ).fetchone()
        text = None if row is None else row[0]
        return stored_recorded_at(text, position=position, where=f"PostgreSQL log {self.where}")

    def raw(self) -> Iterator[StoredRecord]:
        """Every row as stored, with its index columns (which ``verify`` checks too)."""
        query = self.sql(
            f"SELECT {_RECORD}, event_id::text, type, occurred_at FROM {{events}}"  # noqa: S608  # fixed text
            f" WHERE position > %s ORDER BY position LIMIT {_PAGE}"
        )
        for rows in self._pages(query, lambda after: (after,), 0, itemgetter(0)):
            for p, s, v, r, payload, h, event_id, type_, occurred in rows:
                yield StoredRecord(p, s, v, r, bytes(payload), h, event_id, type_, occurred)

    def find(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``."""
        with self._db() as conn:
            row = conn.execute(
                self.sql(f"SELECT {_LINKED} FROM {{events}} AS e WHERE event_id = %s"),  # noqa: S608  # fixed text
                (event_id,),
            ).fetchone()
        return None if row is None else self.decode_linked(*row)

    def stored_record(self, position: int) -> StoredRecord | None:
        """The record at a position as stored, from the primary key."""
        if self._held is not None and position in self._held.ends:  # read with the lock
            return self._held.ends[position]
        with self._db() as conn:
            row = conn.execute(
                self.sql(f"SELECT {_RECORD} FROM {{events}} WHERE position = %s"),  # noqa: S608  # fixed text
                (position,),
            ).fetchone()
        if row is None:
            return None
        p, s, v, r, payload, h = row
        return StoredRecord(p, s, v, r, bytes(payload), h)

    def stored_hash(self, position: int) -> str | None:
        """The hash stored with the record at a position, from the primary key."""
        if self._held is not None and position in self._held.ends:  # read with the lock
            return self._held.ends[position].hash
        with self._db() as conn:
            row = conn.execute(
                self.sql("SELECT hash FROM {events} WHERE position = %s"), (position,)
            ).fetchone()
        return None if row is None else str(row[0])

    # -- following other writers: LISTEN / NOTIFY (timeline.log._postgres_follow) ----------

    def wait(self, timeout: float | None = None) -> int:
        """Wait for appends (by anyone) and deliver them to this log's subscriptions.

        Listens on :attr:`channel` (from the first call on, so no append is missed between
        calls), delivers anything already appended, and otherwise blocks until another
        writer's ``NOTIFY`` arrives or ``timeout`` seconds pass. Call it in a loop in the
        process (or thread) that runs the subscriptions: a
        :class:`~timeline.projections.LiveProjection` or a following read model on this log
        then stays current with every writer.

        Args:
            timeout: the most seconds to wait; ``None`` waits as long as it takes.

        Returns:
            How many records the subscriptions moved on by (0 if ``timeout`` passed first).

        Raises:
            InvalidArgument: for a negative ``timeout``.
            TimelineError: if the log is closed or the connection is lost.
        """
        if timeout is not None and (type(timeout) not in (int, float) or not timeout >= 0):
            raise InvalidArgument(
                f"timeout must be a number of seconds ≥ 0 or None, got {timeout!r}",
                argument="timeout",
                value=timeout,
            )
        return self._follower.wait(timeout)

    def follow(self, *, interval: float = 0.5) -> None:
        """Deliver other writers' appends to the subscriptions from a thread of the log's own.

        A daemon thread calls :meth:`wait` until :meth:`close`. Subscriptions' callbacks then
        run in that thread (a :class:`~timeline.projections.LiveProjection` guards its state
        with a lock); don't also call :meth:`wait` or a subscription's ``poll()`` elsewhere.
        A callback that raises pauses its subscription (see
        :class:`~timeline.log.Subscription`). If the server cannot be reached, the thread
        keeps the error in :attr:`follow_error` and tries again every ``interval``; nothing
        appended meanwhile is lost, since delivery reads from the log. Idempotent.

        Args:
            interval: how often (seconds) the thread checks whether the log was closed.
        """
        self._follower.follow(interval)

    @property
    def follow_error(self) -> TimelineError | None:
        """The last error the :meth:`follow` thread met (it keeps trying), if any."""
        return self._follower.error

    @property
    def _following(self) -> threading.Thread | None:
        """The :meth:`follow` thread, while it runs."""
        return self._follower.thread

    def snapshot_store(self) -> PostgresSnapshotStore:
        """Snapshots in a table of the log's own schema (``timeline_snapshots``)."""
        return PostgresSnapshotStore(self)

    def read_model_database(self) -> Callable[[], psycopg.Connection[Any]]:
        """The log's own database: read models' tables sit in the log's schema."""
        return self.connect


def _storable(text: str) -> bool:
    """Whether PostgreSQL can hold the text: UTF-8 without NUL characters."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class _LostRaceError(Exception):
    """A unique constraint failed inside an append: mapped to ours after the rollback."""

    def __init__(self, error: Exception, records: Sequence[StoredRecord]) -> None:
        super().__init__(str(error))
        self.error = error
        self.records = records
