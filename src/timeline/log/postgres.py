"""``PostgresLog``: the backend for a team, one PostgreSQL schema shared by many writers.

The log lives in two tables of the connection's current schema (the first schema of its
``search_path`` that exists), created on first open: ``timeline_events``, one row per record,
and ``timeline_meta``, which holds the schema version (see :data:`SCHEMA`). Several logs can
share one database, one per schema.

The database enforces what the log promises. ``position`` is the primary key, ``event_id``
is unique and so is ``(stream, version)``: two writers can never store the same event twice
or number a stream twice, whatever they do. Positions are numbered by the writers
themselves, as the last position plus one, inside a transaction that first takes a
transaction-scoped *advisory lock* on the log (``pg_advisory_xact_lock``). Writers
therefore append one at a time, and each one reads the tail only after the previous one
has committed: positions are gap-free and in commit order. (A ``bigserial`` column would
leave gaps after rolled-back transactions and hand out numbers out of commit order, so a
reader following the log by position could skip a record that commits late.) The advisory
lock needs no privilege beyond ``SELECT`` and ``INSERT``, so a writer's role can be denied
``UPDATE`` and ``DELETE`` on the log: the database itself keeps it append-only. Readers
take no lock and never wait for writers.

The payload is the event's canonical bytes in a ``bytea`` column, byte for byte as hashed:
``jsonb`` would reorder keys, drop duplicate ones and normalise numbers, so the stored
document would no longer be the hashed bytes, and reading ``bytea`` back is also about 1.7
times as fast. The event's id (``uuid``), type and ``occurred_at`` (canonical ISO text,
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
import hashlib
import string
import threading
import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

from pendulum import DateTime

from timeline.errors import (
    CorruptLog,
    InvalidEvent,
    TimelineError,
)
from timeline.log.base import GENESIS, EventLog, Order, RawRecord, Recorded, stored_recorded_at
from timeline.log.postgres_snapshots import PostgresSnapshotStore
from timeline.time import isoformat

if TYPE_CHECKING:
    import datetime as dt
    import uuid
    from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
    from types import ModuleType

    import psycopg

    from timeline.codec import Codec
    from timeline.events import Event
    from timeline.log.base import Guard
    from timeline.time import Clock

__all__ = ["SCHEMA", "SCHEMA_VERSION", "PostgresLog", "schema_url"]

#: The version of :data:`SCHEMA`, kept in ``timeline_meta`` under ``schema_version``.
SCHEMA_VERSION: Final = 1

#: The tables and indexes of a log, created in the connection's current schema (``{events}``
#: and ``{meta}`` stand for the schema-qualified table names).
SCHEMA: Final = """
CREATE TABLE {events} (
  position bigint NOT NULL,
  event_id uuid NOT NULL,
  stream text COLLATE "C" NOT NULL,
  version bigint NOT NULL,
  type text COLLATE "C" NOT NULL,
  occurred_at text COLLATE "C" NOT NULL,
  recorded_at text COLLATE "C" NOT NULL,
  payload bytea NOT NULL,
  hash text COLLATE "C" NOT NULL,
  CONSTRAINT timeline_events_position PRIMARY KEY (position),
  CONSTRAINT timeline_events_event_id UNIQUE (event_id),
  CONSTRAINT timeline_events_stream_version UNIQUE (stream, version)
);
CREATE INDEX timeline_events_type ON {events} (type, position);
CREATE INDEX timeline_events_occurred ON {events} (occurred_at, position);
CREATE TABLE {meta} (key text PRIMARY KEY, value text NOT NULL)
"""

_PAGE: Final = 2000  # rows per read query: a round trip amortised, a few hundred kB at most
_LAST: Final = 2**63 - 1  # above every position
#: The high half of the advisory lock key of a log (its low half is the table's oid):
#: "time" in ASCII, so our locks are told apart from other software's in ``pg_locks``.
_LOCK_SPACE: Final = 0x74696D65 << 32
_CHANNEL_BYTES: Final = 63  # PostgreSQL truncates longer identifiers

_COPY_FROM: Final = 8  # batches of this many records or more are sent with COPY
_RECORD: Final = "position, stream, version, recorded_at, payload, hash"
_INSERT: Final = (
    "INSERT INTO {events} (position, event_id, stream, version, type, occurred_at,"
    " recorded_at, payload, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_COPY: Final = (
    "COPY {events} (position, event_id, stream, version, type, occurred_at, recorded_at,"
    " payload, hash) FROM STDIN (FORMAT BINARY)"
)
#: The columns' types for the binary COPY: the payload goes as raw bytes (text COPY would
#: escape every byte of it), a quarter of the client's CPU per row and about half the wall.
_COPY_TYPES: Final = ("int8", "uuid", "text", "int8", "text", "text", "text", "bytea", "text")


def _driver() -> ModuleType:
    """psycopg, imported on first use (it is the optional ``postgres`` extra)."""
    try:
        import psycopg  # noqa: PLC0415  # optional dependency, imported when a log is opened
    except ImportError as e:
        raise TimelineError(
            "PostgresLog needs psycopg 3: pip install 'conflict-timeline[postgres]'"
        ) from e
    return psycopg


def schema_url(url: str, schema: str) -> str:
    """``url`` with libpq's ``options`` set so that the log lives in ``schema``.

    One database can hold many logs, one per schema (the schema must exist):

    >>> schema_url("postgresql://analyst@db.example/newsroom", "war")
    'postgresql://analyst@db.example/newsroom?options=-csearch_path%3Dwar'
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    query.append(("options", f"-csearch_path={schema}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def channel_name(schema: str) -> str:
    """The ``LISTEN``/``NOTIFY`` channel of the log in ``schema``.

    ``timeline:`` and the schema's name, or (for a name too long for a channel) a digest of
    it, so that every schema's log has a channel of its own.

    >>> channel_name("newsroom")
    'timeline:newsroom'
    """
    name = f"timeline:{schema}"
    if len(name.encode()) <= _CHANNEL_BYTES:
        return name
    return "timeline:" + hashlib.sha256(schema.encode()).hexdigest()[:48]


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
        codec: encodes events; the default knows every declared type.
        clock: stamps ``recorded_at``; the system clock by default.
        guards: checks run inside every append (see :data:`~timeline.log.Guard`).
        connect_timeout: seconds to wait for the server when connecting.

    Raises:
        InvalidEvent: for a ``connect_timeout`` that makes no sense.
        CorruptLog: if the schema holds a ``timeline_events`` table that is not a log.
        TimelineError: if psycopg is missing, the server cannot be reached, the search path
            names no schema, or the role may not read (or, for a new log, create) the tables.

    Example (with a server)::

        log = PostgresLog("postgresql://analyst@db.example/newsroom?options=-csearch_path%3Dwar")
        log.append([ev], stream="talks/istanbul")
    """

    _unique_ids_enforced = True  # the unique constraint on event_id; _write reports it

    def __init__(
        self,
        url: str,
        *,
        codec: Codec | None = None,
        clock: Clock | None = None,
        guards: Iterable[Guard] = (),
        connect_timeout: float = 10.0,
    ) -> None:
        super().__init__(codec=codec, clock=clock, guards=guards)
        if type(connect_timeout) not in (int, float) or not 0 < connect_timeout < float("inf"):
            raise InvalidEvent(
                f"connect_timeout must be a number of seconds > 0, got {connect_timeout!r}",
                field="connect_timeout",
                value=connect_timeout,
            )
        self._pg = _driver()
        self._url = url
        self._connect_timeout = connect_timeout
        self._lock = threading.RLock()
        self._depth = 0  # how many _db blocks are open (a transaction is one level down)
        self._delivery = threading.RLock()
        self._listen_lock = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._following: threading.Thread | None = None
        self._stop = threading.Event()
        self._queries: dict[str, bytes] = {}
        #: The last error the :meth:`follow` thread met (it keeps trying), if any.
        self.follow_error: TimelineError | None = None
        self.schema = ""
        self.where = self._describe(url)
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

    def _describe(self, url: str) -> str:
        """The server and database of a URL, for messages: never its password."""
        try:
            params = self._pg.conninfo.conninfo_to_dict(url)
        except self._pg.ProgrammingError as e:
            raise InvalidEvent(
                f"not a PostgreSQL connection URL: {e}", field="url", value="<redacted>"
            ) from e
        self._named = bool(params.get("application_name"))
        user = f"{params['user']}@" if params.get("user") else ""
        port = f":{params['port']}" if params.get("port") else ""
        return f"postgresql://{user}{params.get('host', '')}{port}/{params.get('dbname', '')}"

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
        except self._pg.Error as e:
            raise TimelineError(f"cannot connect to PostgreSQL log {self.where}: {e}") from e

    def _error(self, error: Exception) -> TimelineError:
        """Our error for a driver error (the caller raises it ``from`` the original)."""
        where = f"{self.where} (schema {self.schema!r})" if self.schema else self.where
        message = str(error).strip().replace("\n", "; ")
        return TimelineError(f"PostgreSQL log {where}: {message}")

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
            row = conn.execute("SELECT current_schema()").fetchone()
            if row is None or row[0] is None:
                raise TimelineError(
                    f"PostgreSQL log {self.where}: the search_path names no schema that exists "
                    "(create it, or set one with the URL's options=-csearch_path=NAME)"
                )
            self.schema = str(row[0])
            version = self._schema_version(conn)
            if version is None:
                with conn.transaction():
                    # Two processes opening a new log at once: one creates, the other waits.
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtext('timeline'), hashtext(%s))",
                        (self.schema,),
                    )
                    version = self._create_schema(conn)
            if version != str(SCHEMA_VERSION):
                raise TimelineError(
                    f"PostgreSQL log {self.where} (schema {self.schema!r}) has schema version "
                    f"{version!r}; this version of timeline reads version {SCHEMA_VERSION}. "
                    "Upgrade timeline to open it."
                )
            row = conn.execute(
                "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s AND c.relname = 'timeline_events'",
                (self.schema,),
            ).fetchone()
            if row is None:
                raise CorruptLog(
                    f"PostgreSQL log {self.where} (schema {self.schema!r}) has a timeline_meta "
                    "table but no timeline_events",
                    position=1,
                    reason="no timeline_events table",
                )
            self._lock_key = _LOCK_SPACE | int(row[0])

    def _tables(self, conn: psycopg.Connection[Any]) -> set[str]:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname IN ('timeline_events', 'timeline_meta')",
            (self.schema,),
        ).fetchall()
        return {str(name) for (name,) in rows}

    def _schema_version(self, conn: psycopg.Connection[Any]) -> str | None:
        if "timeline_meta" not in self._tables(conn):
            return None
        row = conn.execute(
            self.sql("SELECT value FROM {meta} WHERE key = 'schema_version'")
        ).fetchone()
        return None if row is None else str(row[0])

    def _create_schema(self, conn: psycopg.Connection[Any]) -> str:
        """Create the tables inside the caller's transaction; return the schema version."""
        tables = self._tables(conn)
        if "timeline_meta" not in tables:
            if "timeline_events" in tables:  # someone else's table: never write into it
                raise CorruptLog(
                    f"schema {self.schema!r} of {self.where} holds a timeline_events table "
                    "but no timeline_meta: it is not a timeline log",
                    position=1,
                    reason="not a timeline log",
                )
            for statement in SCHEMA.split(";"):
                conn.execute(self.sql(statement))
            conn.execute(
                self.sql(
                    "INSERT INTO {meta} (key, value) VALUES ('schema_version', %s)"
                    " ON CONFLICT (key) DO NOTHING"
                ),
                (str(SCHEMA_VERSION),),
            )
        version = self._schema_version(conn)
        if version is None:
            raise CorruptLog(
                f"schema {self.schema!r} of {self.where} has a timeline_meta table without a "
                "schema_version",
                position=1,
                reason="no schema_version",
            )
        return version

    def close(self) -> None:
        """Stop following and close the connections.

        Idempotent; the log cannot be used afterwards.
        """
        self._stop.set()
        following, self._following = self._following, None
        if following is not None and following is not threading.current_thread():
            following.join()
        with self._listen_lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                listener.close()
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

    def append(
        self,
        events: Iterable[Event],
        *,
        stream: str,
        expected_version: int | None = None,
        recorded_at: dt.datetime | None = None,
    ) -> list[Recorded]:
        """Append events to a stream, all or none (see :meth:`EventLog.append`).

        Delivery to this log's subscriptions after the append is serialised with
        :meth:`wait` and :meth:`follow`, so no record reaches a subscription twice.

        Raises:
            InvalidEvent: also for a stream name PostgreSQL cannot store as text (one with a
                NUL character or a lone surrogate).
        """
        if isinstance(stream, str) and not _storable(stream):
            raise InvalidEvent(
                f"stream must be text PostgreSQL can store (no NUL character, no lone "
                f"surrogate), got {stream!r}",
                field="stream",
                value=stream,
            )
        with self._delivery:
            return super().append(
                events, stream=stream, expected_version=expected_version, recorded_at=recorded_at
            )

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        with self._db() as conn:
            try:
                with conn.transaction():
                    # Taken before the tail and the stream's version are read, held to the
                    # commit: the next writer reads them only after this one committed.
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
                    yield
            except _LostRaceError as race:  # raised by _write; rolled back by now
                constraint = getattr(getattr(race.error, "diag", None), "constraint_name", None)
                raise self._lost_race(
                    race.records, duplicate_id=constraint == "timeline_events_event_id"
                ) from race.error

    def _stream_version(self, stream: str) -> int:
        with self._db() as conn:
            row = conn.execute(
                self.sql("SELECT max(version) FROM {events} WHERE stream = %s"), (stream,)
            ).fetchone()
        return int(row[0] or 0) if row is not None else 0

    def _existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        with self._db() as conn:
            rows = conn.execute(
                self.sql("SELECT event_id FROM {events} WHERE event_id = ANY(%s)"), (list(ids),)
            ).fetchall()
        return {event_id for (event_id,) in rows}

    def _tail(self) -> tuple[int, str, DateTime | None]:
        with self._db() as conn:
            row = conn.execute(
                self.sql(
                    "SELECT position, hash, recorded_at FROM {events}"
                    " ORDER BY position DESC LIMIT 1"
                )
            ).fetchone()
        if row is None:
            return 0, GENESIS, None
        position, hash_, recorded_at = row
        where = f"PostgreSQL log {self.where}"
        return position, hash_, stored_recorded_at(recorded_at, position=position, where=where)

    def _write(
        self,
        records: Sequence[Recorded],
        payloads: Sequence[bytes],
        recorded_at: str,
        keys: Sequence[tuple[str, str]],
    ) -> None:
        rows = [
            (r.position, r.event.event_id, r.stream, r.version, r.event.TYPE, occurred_at,
             recorded_at, payload, r.hash)
            for r, payload, (_, occurred_at) in zip(records, payloads, keys, strict=True)
        ]  # fmt: skip
        with self._db() as conn:
            try:
                with conn.cursor() as cursor:
                    if len(rows) < _COPY_FROM:
                        cursor.executemany(self.sql(_INSERT), rows)
                    else:  # about 1.7 times as fast as executemany on batches of 1,000
                        with cursor.copy(self.sql(_COPY)) as copy:
                            copy.set_types(_COPY_TYPES)
                            for row in rows:
                                copy.write_row(row)
                    # Sent inside the transaction: delivered when (and only if) it commits.
                    cursor.execute(
                        "SELECT pg_notify(%s, %s)", (self.channel, str(records[-1].position))
                    )
            except self._pg.errors.UniqueViolation as e:
                raise _LostRaceError(e, records) from e

    def _read(
        self, after: int, stream: str | None, types: tuple[str, ...] | None, order: Order
    ) -> Iterator[Recorded]:
        return self._read_range(after, stream, types, order, None, None)

    def _read_range(  # noqa: PLR0917  # the signature EventLog._read_range fixes
        self,
        after: int,
        stream: str | None,
        types: tuple[str, ...] | None,
        order: Order,
        occurred_after: DateTime | None,
        occurred_by: DateTime | None,
    ) -> Iterator[Recorded]:
        """Build the query for the filters (fixed text and placeholders only) and page it."""
        # occurred_at is stored as canonical text, which sorts chronologically.
        low = None if occurred_after is None else isoformat(occurred_after)
        high = None if occurred_by is None else isoformat(occurred_by)
        if types is not None:  # text PostgreSQL cannot store is in no record
            types = tuple(t for t in dict.fromkeys(types) if _storable(t))
        if (stream is not None and not _storable(stream)) or types == ():
            return iter(())
        where: list[str] = []
        params: list[Any] = []
        if stream is not None:
            where.append("stream = %s")
            params.append(stream)
        if types is not None:
            where.append("type = ANY(%s)")
            params.append(list(types))
        if low is not None and order != "occurred":  # in occurred order, where pages start
            where.append("occurred_at > %s")
            params.append(low)
        if high is not None:
            where.append("occurred_at <= %s")
            params.append(high)
        filters = "".join(f" AND {clause}" for clause in where)
        if order == "occurred":
            query = self.sql(
                f"SELECT {_RECORD}, occurred_at FROM {{events}}"  # noqa: S608  # fixed text and placeholders only
                f" WHERE (occurred_at, position) > (%s, %s) AND position > %s{filters}"
                f" ORDER BY occurred_at, position LIMIT {_PAGE}"
            )
            return self._pages_occurred(query, after, params, low)
        if stream is not None:
            # Within a stream, versions grow with positions: page on the (stream, version) key.
            query = self.sql(
                f"SELECT {_RECORD} FROM {{events}} WHERE version > %s AND position > %s"  # noqa: S608  # fixed text and placeholders only
                f"{filters} ORDER BY version LIMIT {_PAGE}"
            )
            return self._pages(query, after, params, key=2, prefix=(0,))
        query = self.sql(
            f"SELECT {_RECORD} FROM {{events}} WHERE position > %s{filters}"  # noqa: S608  # fixed text and placeholders only
            f" ORDER BY position LIMIT {_PAGE}"
        )
        return self._pages(query, after, params, key=0, prefix=())

    def _fetch(self, query: bytes, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._db() as conn, conn.cursor(binary=True) as cursor:
            return cursor.execute(query, params).fetchall()

    def _pages(
        self,
        query: bytes,
        after: int,
        params: list[Any],
        *,
        key: int,
        prefix: tuple[int, ...],
    ) -> Iterator[Recorded]:
        """Page through ``query``, keyset by keyset.

        Its first placeholders are ``prefix`` (the keyset, taken from column ``key`` of each
        page's last row) and ``position > after``.
        """
        decode = self.decode_own_record
        while True:
            rows = self._fetch(query, (*prefix, after, *params))
            for row in rows:
                yield decode(*row)
            if len(rows) < _PAGE:
                return
            if prefix:
                prefix = (rows[-1][key],)
            else:
                after = rows[-1][key]

    def _pages_occurred(
        self, query: bytes, after: int, params: list[Any], low: str | None
    ) -> Iterator[Recorded]:
        """Page by ``(occurred_at, position)``; the lower bound, if any, starts the range."""
        decode = self.decode_own_record
        # Past every position at occurred_after: the range starts after that instant.
        occurred, position = ("", 0) if low is None else (low, _LAST)
        while True:
            rows = self._fetch(query, (occurred, position, after, *params))
            for p, s, v, r, payload, h, _ in rows:
                yield decode(p, s, v, r, payload, h)
            if len(rows) < _PAGE:
                return
            position, occurred = rows[-1][0], rows[-1][6]

    def _recorded_at(self, position: int) -> DateTime:
        with self._db() as conn:
            row = conn.execute(
                self.sql("SELECT recorded_at FROM {events} WHERE position = %s"), (position,)
            ).fetchone()
        text = None if row is None else row[0]
        return stored_recorded_at(text, position=position, where=f"PostgreSQL log {self.where}")

    def _raw(self) -> Iterator[RawRecord]:
        query = self.sql(
            f"SELECT {_RECORD}, event_id::text, type, occurred_at FROM {{events}}"  # noqa: S608  # fixed text
            f" WHERE position > %s ORDER BY position LIMIT {_PAGE}"
        )
        after = 0
        while True:
            rows = self._fetch(query, (after,))
            for p, s, v, r, payload, h, event_id, type_, occurred in rows:
                yield RawRecord(p, s, v, r, bytes(payload), h, event_id, type_, occurred)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def _get(self, event_id: uuid.UUID) -> Recorded | None:
        with self._db() as conn:
            row = conn.execute(
                self.sql(f"SELECT {_RECORD} FROM {{events}} WHERE event_id = %s"),  # noqa: S608  # fixed text
                (event_id,),
            ).fetchone()
        return None if row is None else self.decode_own_record(*row)

    # -- following other writers: LISTEN / NOTIFY ---------------------------------------------

    def _listening(self) -> psycopg.Connection[Any]:
        """The listening connection (under ``_listen_lock``), opened and ``LISTEN``-ing."""
        if self._conn is None:
            raise TimelineError(f"PostgreSQL log {self.where} is closed")
        if self._listener is not None and self._listener.broken:
            # Lost: listen again; what was appended meanwhile is delivered by the catch-up.
            self._listener.close()
            self._listener = None
        if self._listener is None:
            listener = self._connect(listening=True)
            try:
                listener.execute(
                    self._pg.sql.SQL("LISTEN {}").format(self._pg.sql.Identifier(self.channel))
                )
            except self._pg.Error as e:
                listener.close()
                raise self._error(e) from e
            self._listener = listener
        return self._listener

    def _deliver(self) -> int:
        """Deliver new records to every subscription; how many positions they moved on.

        As after an append, a callback that raises pauses its subscription (its error is in
        ``subscription.error`` until ``poll()`` retries it) without stopping the others.
        """
        moved = 0
        with self._delivery:
            for subscription in tuple(self._subscriptions):
                before = subscription.position
                subscription.notify()
                moved += subscription.position - before
        return moved

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
            InvalidEvent: for a negative ``timeout``.
            TimelineError: if the log is closed or the connection is lost.
        """
        if timeout is not None and (type(timeout) not in (int, float) or not timeout >= 0):
            raise InvalidEvent(
                f"timeout must be a number of seconds ≥ 0 or None, got {timeout!r}",
                field="timeout",
                value=timeout,
            )
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._listen_lock:
            self._drain(0)
            moved = self._deliver()
            while not moved:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return 0
                if self._drain(left):
                    moved = self._deliver()
        return moved

    def _drain(self, timeout: float | None) -> int:
        """Wait up to ``timeout`` for a notification, then take all those pending.

        A listening connection found lost is replaced (listening again) and counts as a
        notification, so that the caller catches up with what it may have missed.
        """
        listener = self._listening()
        try:
            got = sum(1 for _ in listener.notifies(timeout=timeout, stop_after=1))
            if got:
                got += sum(1 for _ in listener.notifies(timeout=0))
        except self._pg.OperationalError as e:
            if not listener.broken:
                raise self._error(e) from e
            self._listening()  # raises if the server cannot be reached
            return 1
        except self._pg.Error as e:
            raise self._error(e) from e
        return got

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
        if self._following is not None:
            return
        with self._listen_lock:
            self._listening()  # listen now: nothing appended from here on is missed
        self._stop.clear()
        thread = threading.Thread(
            target=self._follow,
            args=(interval,),
            name=f"timeline-follow-{self.schema}",
            daemon=True,
        )
        self._following = thread
        thread.start()

    def _follow(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                self.wait(interval)
            except TimelineError as e:  # the server is away: try again after a pause
                if self._stop.is_set():  # closed meanwhile
                    return
                self.follow_error = e
                self._stop.wait(interval)

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

    def __init__(self, error: Exception, records: Sequence[Recorded]) -> None:
        super().__init__(str(error))
        self.error = error
        self.records = records
