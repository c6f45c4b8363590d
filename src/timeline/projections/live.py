"""Live projections: a projection's state, and a user's read model, kept current.

:class:`LiveProjection` keeps a projection's state in memory, equal at every moment to
``replay`` over the records it has seen. It starts from the best valid snapshot (or a full
replay), subscribes to the log and folds new events as they arrive. An event that belongs at
the end of valid time (the usual case: tonight's report, recorded tonight) is folded at
once. Anything that changes the past, a late report about an earlier time or a correction or
retraction, is not patched in: the state is marked stale and rebuilt, at the next read of
:attr:`LiveProjection.state`, by a replay from the best valid snapshot (see
:mod:`timeline.projections.snapshots`). Rebuilding is the one way to be exact for every
projection, since a projection only knows how to fold forwards.

:class:`ReadModel` keeps a user's own tables in a SQLite or PostgreSQL database current: a
handler writes each record into them, and the position reached is stored in the same
database, in the same transaction as the handler's writes. A crash (an exception, a killed process, a power cut)
therefore leaves the tables and the position together at the end of the last committed
batch: on restart the model resumes there, so no record is applied twice and none is
skipped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, Self, TypeVar

from pendulum import DateTime

from timeline.errors import InvalidArgument, LockTimeout, TimelineError, check_whole
from timeline.events import Event
from timeline.log import EventLog, Recorded
from timeline.log.base import Order
from timeline.log.snapshots import Snapshot, SnapshotStore
from timeline.log.sqlite_snapshots import connect_sqlite, synchronous_mode
from timeline.projections.base import Projection, fold
from timeline.projections.resolution import META_TYPES, instant
from timeline.projections.resolved import check_order
from timeline.projections.snapshot_replay import replay_at, save_snapshot

if TYPE_CHECKING:
    from types import ModuleType

    import psycopg

    from timeline.log import Subscription

__all__ = ["READ_MODEL_SCHEMA", "LiveProjection", "ReadModel"]

S = TypeVar("S")

#: The table a :class:`ReadModel` keeps its position in, in the user's database.
READ_MODEL_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS timeline_read_models (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL
)
"""


class LiveProjection(Generic[S]):
    """A projection's state, kept current as the log grows.

    Made, it replays the log as it stands (from the best valid snapshot in ``snapshots``,
    if given), then subscribes to it. Appends made through the same log object are taken in
    as they are committed; call :meth:`poll` to take in what other processes appended.

    :attr:`state` is always ``replay(log, projection, as_of=as_of, order=order)`` over the
    first :attr:`position` records. Events that extend valid time are folded as they come
    (a batch at a time); a record that changes the past (an event earlier than one already
    folded, a correction, a retraction) makes the state stale, and the next read of
    :attr:`state` rebuilds it by a replay from the best valid snapshot.

    Args:
        log: the log to follow.
        projection: the projection.
        as_of: a fixed valid-time cut (``None``: every event).
        order: ``"occurred"`` (valid time, the default) or ``"recorded"``; in recorded order
            only corrections and retractions make the state stale.
        snapshots: a store to start from and rebuild from (valid-time order only).
        batch: the most records taken in per fold.

    Raises:
        InvalidArgument: for an ``as_of`` that is not an aware datetime, an unknown
            ``order``, or ``snapshots`` with ``order="recorded"``.

    >>> import pendulum, timeline as tl
    >>> log = tl.open_log("memory:")
    >>> live = tl.LiveProjection(log, tl.Escalation())
    >>> at = pendulum.datetime(2025, 6, 1, 20)
    >>> _ = log.append([tl.DroneBarrage(occurred_at=at, launched=472)], stream="air")
    >>> live.state.drones.launched, live.position
    (472, 1)
    """

    def __init__(
        self,
        log: EventLog,
        projection: Projection[S],
        *,
        as_of: dt.datetime | None = None,
        order: Order = "occurred",
        snapshots: SnapshotStore | None = None,
        batch: int = 1000,
    ) -> None:
        if check_order(order) != "occurred" and snapshots is not None:
            raise InvalidArgument(
                "snapshots serve valid-time order only (order='occurred')",
                argument="snapshots",
                value=snapshots,
            )
        self.log = log
        self.projection = projection
        self.as_of: DateTime | None = instant(as_of, "as_of")
        self.order: Order = order
        self.snapshots = snapshots
        self._lock = threading.RLock()
        self._position = len(log)
        self._state, self._frontier = replay_at(
            log, projection, as_of=self.as_of, limit=self._position, store=snapshots, order=order
        )
        self._stale = False
        #: How many times the state was rebuilt by a replay (for tests and monitoring).
        self.rebuilds = 0
        self._subscription: Subscription = log.subscribe_batches(
            self._take, after=self._position, size=batch
        )

    # -- taking records in ------------------------------------------------------------------

    def _take(self, records: list[Recorded]) -> None:
        """Fold a batch of new records, or mark the state stale if one changes the past."""
        with self._lock:
            if not self._stale:
                fresh = self._extends(records)
                if fresh is None:
                    self._stale = True
                elif fresh:
                    self._state = fold(self.projection, self._state, fresh)
            self._position = records[-1].position

    def _extends(self, records: Iterable[Recorded]) -> list[Event] | None:
        """The events to fold at the end of the state, or ``None`` if one changes the past."""
        cut, frontier, in_valid_time = self.as_of, self._frontier, self.order == "occurred"
        fresh = []
        for record in records:
            event = record.event
            if event.TYPE in META_TYPES:
                return None
            at = event.occurred_at
            if cut is not None and at > cut:
                continue  # beyond the cut (a correction moving it back in comes as a meta)
            if in_valid_time:
                if frontier is not None and at < frontier:
                    return None  # a late report: it belongs before events already folded
                frontier = at
            fresh.append(event)
        self._frontier = frontier
        return fresh

    def _rebuild(self) -> None:
        self._state, self._frontier = replay_at(
            self.log,
            self.projection,
            as_of=self.as_of,
            limit=self._position,
            store=self.snapshots,
            order=self.order,
        )
        self._stale = False
        self.rebuilds += 1

    # -- reading ------------------------------------------------------------------------------

    @property
    def state(self) -> S:
        """The state over the first :attr:`position` records (rebuilt first if stale)."""
        with self._lock:
            if self._stale:
                self._rebuild()
            return self._state

    @property
    def position(self) -> int:
        """The last position taken in."""
        return self._position

    @property
    def stale(self) -> bool:
        """Whether the next read of :attr:`state` will rebuild it."""
        return self._stale

    def poll(self) -> int:
        """Take in what was appended elsewhere (other processes, other log objects).

        Returns:
            How many records were taken in.
        """
        return self._subscription.poll()

    def save_snapshot(self) -> Snapshot:
        """Store the current state in :attr:`snapshots`, to restart from it.

        It is stored with its valid-time cut at the latest event it holds (the projection's
        ``as_of``, if that is earlier), so later events are the tail of the next start.

        Raises:
            InvalidArgument: if the projection has no snapshot store.
        """
        if self.snapshots is None:
            raise InvalidArgument(
                "this live projection has no snapshot store", argument="snapshots", value=None
            )
        with self._lock:
            state = self.state
            cut = self._frontier if self.as_of is None else self.as_of
            if cut is not None and self.as_of is not None and self._frontier is not None:
                cut = min(self._frontier, self.as_of)
            return save_snapshot(
                self.log, self.projection, self.snapshots, state, as_of=cut, limit=self._position
            )

    def close(self) -> None:
        """Stop following the log."""
        self._subscription.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: What a read model's handler is given: its database connection (inside the batch's
#: transaction: a :class:`sqlite3.Connection`, or a ``psycopg.Connection`` for PostgreSQL)
#: and one record.
Handler = Callable[[Any, Recorded], object]

_POSTGRES_URLS: Final = ("postgresql://", "postgres://")
#: The longest a PostgreSQL read model waits, in seconds, for the lock under which read
#: models create their tables (an advisory lock, which any role may take and hold).
CREATE_LOCK_TIMEOUT: Final = 10.0


class ReadModel:
    """A user's tables in SQLite or PostgreSQL, kept current with a log, each record once.

    ``handler(connection, record)`` writes one record into the user's tables through the
    given connection. Records are applied in position order, in batches; each batch, the
    handler's writes and the new position (in the table ``timeline_read_models``, under
    ``name``) are one transaction. If the handler raises, the batch is rolled back, the
    position stays where the last batch left it, and the error propagates; if the process
    dies, the database rolls the open transaction back. Either way the next :meth:`run` starts at
    the first record not applied, so none is applied twice and none is skipped.

    The handler receives every record, corrections and retractions included (use ``types``
    to receive only some; the position still moves past the others). It must not commit or
    roll back itself, and should do nothing outside the database that a rollback cannot undo.

    Two runners of one model (two processes) never apply a record twice: each batch checks,
    inside its transaction, that the stored position is the one it started from (in
    PostgreSQL, with the position's row locked until the commit), and skips what the other
    applied.

    In PostgreSQL the handler receives a ``psycopg`` connection (placeholders are ``%s``),
    the tables are made in the connection's current schema, and ``synchronous`` is the
    server's business (it is checked, then ignored).

    Args:
        log: the log to read.
        database: the SQLite file holding the tables (it may be the log's own file), or a
            ``postgresql://`` URL; by default the log's own database, for a
            :class:`~timeline.log.SQLiteLog` on disk or a :class:`~timeline.log.PostgresLog`
            (the model's tables then sit in the log's schema).
        handler: writes one record.
        name: the model's name, under which its position is kept.
        types: only these event types reach the handler.
        batch: records per transaction.
        synchronous: ``"full"`` (default: a committed batch survives a power cut) or
            ``"normal"``.

    Raises:
        InvalidArgument: for a missing ``database`` (a log without a database of its own),
            or a bad ``batch``, ``synchronous``, ``name`` or ``types``.
        TimelineError: if the database cannot be opened.

    >>> import pathlib, tempfile, pendulum, timeline as tl
    >>> log = tl.open_log(pathlib.Path(tempfile.mkdtemp()) / "war.db")
    >>> def count(db, record):
    ...     db.execute("INSERT INTO seen (type) VALUES (?)", (record.event.TYPE,))
    >>> model = tl.ReadModel(log, handler=count, name="seen",
    ...                      setup="CREATE TABLE IF NOT EXISTS seen (type TEXT)")
    >>> _ = log.append([tl.DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1), launched=9)],
    ...                stream="air")
    >>> model.run(), model.position
    (1, 1)
    >>> model.close(); log.close()
    """

    def __init__(
        self,
        log: EventLog,
        database: str | Path | None = None,
        *,
        handler: Handler,
        name: str,
        setup: str | None = None,
        types: Iterable[str | type[Event]] | None = None,
        batch: int = 1000,
        synchronous: str = "full",
    ) -> None:
        # The log's own database unless one is named: a SQLite path, or a function opening
        # a connection to the log's PostgreSQL database.
        target = log.read_model_database() if database is None else database
        if target is None:
            raise InvalidArgument(
                "a read model needs a database file (the log keeps no file of its own)",
                argument="database",
                value=database,
            )
        check_whole(batch, "batch", least=1)
        mode = synchronous_mode(synchronous)
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgument(
                f"name must be a non-empty string, got {name!r}", argument="name", value=name
            )
        self.log = log
        self.handler = handler
        self.name = name
        self.types = None if types is None else frozenset(_type_names(types))
        self.batch = batch
        self._lock = threading.RLock()
        self._subscription: Subscription | None = None
        #: psycopg, for a model in PostgreSQL (``None`` in SQLite).
        self._pg: ModuleType | None = None
        self._conn: Any = None
        if callable(target):
            self.path = repr(log)
            self._conn = self._connect_postgres(target)
        elif str(target).startswith(_POSTGRES_URLS):
            self.path = "<postgresql>"
            self._conn = self._connect_postgres(str(target))
        else:
            self.path = str(target)
            self._conn = self._connect_sqlite(mode)
        try:
            self._create(setup)
        except BaseException:
            self.close()
            raise

    def _create(self, setup: str | None) -> None:
        """Create the position table and the user's tables, and the model's row."""
        with self._transaction() as conn:
            if self._pg is not None:
                # CREATE TABLE IF NOT EXISTS races in PostgreSQL: runners starting at once
                # would collide in the catalog, so they create one after the other, each
                # waiting at most CREATE_LOCK_TIMEOUT (any role may take an advisory lock).
                conn.execute(
                    "SELECT set_config('lock_timeout', %s, true)",
                    (f"{round(CREATE_LOCK_TIMEOUT * 1000)}ms",),
                )
                try:
                    conn.execute("SELECT pg_advisory_xact_lock(hashtext('timeline_read_models'))")
                except self._pg.errors.LockNotAvailable as e:
                    raise LockTimeout(
                        f"read model {self.name!r}: the lock that creates its tables was not "
                        f"granted within {CREATE_LOCK_TIMEOUT:g} s (another session holds it); "
                        "nothing was created, try again",
                        log=self.path,
                        timeout=CREATE_LOCK_TIMEOUT,
                    ) from e
            conn.execute(READ_MODEL_SCHEMA)
            if setup is not None:
                for statement in setup.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(
                self._marks(
                    "INSERT INTO timeline_read_models (name, position) VALUES (?, 0)"
                    " ON CONFLICT (name) DO NOTHING"
                ),
                (self.name,),
            )

    def _connect_sqlite(self, mode: str) -> sqlite3.Connection:
        try:
            conn = connect_sqlite(self.path)
            conn.execute(f"PRAGMA synchronous = {mode}")
        except sqlite3.Error as e:
            raise TimelineError(f"read model database {self.path!r}: {e}") from e
        return conn

    def _connect_postgres(self, database: str | Callable[[], Any]) -> Any:
        """A connection to the model's PostgreSQL database: a URL, or the log's connector."""
        import psycopg  # noqa: PLC0415  # the optional postgres extra, needed only here

        self._pg = psycopg
        if callable(database):
            return database()
        try:
            return psycopg.connect(database, autocommit=True)
        except psycopg.Error as e:
            raise TimelineError(f"read model {self.name!r}: cannot connect: {e}") from e

    def _marks(self, query: str) -> str:
        """The query with the placeholders of the model's database (``?`` or ``%s``)."""
        return query if self._pg is None else query.replace("?", "%s")

    def __repr__(self) -> str:
        return f"ReadModel({self.name!r}, {self.path!r})"

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """One ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back if the block raises."""
        with self._lock:
            conn = self._conn
            if conn is None:
                raise TimelineError(f"read model {self.name!r} is closed")
            if self._pg is not None:
                with self._postgres_transaction(conn) as pg:
                    yield pg
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise TimelineError(f"read model database {self.path!r}: {e}") from e
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if not conn.in_transaction:
                raise TimelineError(
                    f"read model {self.name!r}: the handler ended the transaction (it must not "
                    "commit or roll back), so its writes and the position were not kept together"
                )
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def _postgres_transaction(self, conn: psycopg.Connection[Any]) -> Iterator[Any]:
        """One PostgreSQL transaction, rolled back if the block raises; driver errors ours."""
        assert self._pg is not None  # noqa: S101  # only called for PostgreSQL
        idle = self._pg.pq.TransactionStatus.IDLE
        in_block = False  # errors of the block (the handler's) propagate as they are
        try:
            with conn.transaction():
                in_block = True
                yield conn
                in_block = False
                if conn.info.transaction_status == idle:
                    raise TimelineError(
                        f"read model {self.name!r}: the handler ended the transaction (it must "
                        "not commit or roll back), so its writes and the position were not kept "
                        "together"
                    )
        except self._pg.Error as e:
            if in_block:
                raise
            raise TimelineError(f"read model {self.name!r} ({self.path}): {e}") from e

    def _stored(self, conn: Any, *, lock: bool = False) -> int:
        query = "SELECT position FROM timeline_read_models WHERE name = ?"
        if lock and self._pg is not None:
            query += " FOR UPDATE"  # a second runner waits here until this batch commits
        row = conn.execute(self._marks(query), (self.name,)).fetchone()
        return 0 if row is None else int(row[0])

    @property
    def position(self) -> int:
        """The last position applied (as committed in the database)."""
        with self._lock:
            if self._conn is None:
                raise TimelineError(f"read model {self.name!r} is closed")
            if self._pg is None:
                return self._stored(self._conn)
            try:
                return self._stored(self._conn)
            except self._pg.Error as e:
                raise TimelineError(f"read model {self.name!r} ({self.path}): {e}") from e

    def _apply(self, records: list[Recorded]) -> int:
        """Apply a batch of consecutive records in one transaction; how many were new."""
        with self._transaction() as conn:
            stored = self._stored(conn, lock=True)
            if records[0].position > stored + 1:
                raise TimelineError(
                    f"read model {self.name!r} is at position {stored}, but was handed records "
                    f"from {records[0].position}: records would be skipped"
                )
            todo = [r for r in records if r.position > stored]
            if not todo:
                return 0
            handler, types = self.handler, self.types
            for record in todo:
                if types is None or record.event.TYPE in types:
                    handler(conn, record)
            conn.execute(
                self._marks("UPDATE timeline_read_models SET position = ? WHERE name = ?"),
                (todo[-1].position, self.name),
            )
        return len(todo)

    def run(self) -> int:
        """Apply every record after the stored position, a batch per transaction.

        Returns:
            How many records were applied.

        Raises:
            Exception: whatever the handler raised (the batch it was in is rolled back).
        """
        applied = 0
        records = self.log.read(after=self.position)
        while chunk := list(itertools.islice(records, self.batch)):
            applied += self._apply(chunk)
        return applied

    def follow(self) -> Self:
        """Catch up, then apply each append made through this log object as it is committed.

        Appends made elsewhere are applied at :meth:`poll`. If the handler raises during an
        append, the append stands and the model pauses; :meth:`poll` retries (and raises).
        """
        if self._subscription is None:
            self._subscription = self.log.subscribe_batches(
                self._apply, after=self.position, size=self.batch
            )
        return self

    def poll(self) -> int:
        """Apply what was appended since (by anyone); how many records were applied."""
        if self._subscription is None:
            return self.run()
        return self._subscription.poll()

    @property
    def error(self) -> BaseException | None:
        """The error that paused a following model, if any."""
        return None if self._subscription is None else self._subscription.error

    def close(self) -> None:
        """Stop following and close the database connection. Idempotent."""
        with self._lock:
            if self._subscription is not None:
                self._subscription.close()
                self._subscription = None
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _type_names(types: Iterable[str | type[Event]]) -> Iterator[str]:
    if isinstance(types, (str, type)):
        types = (types,)
    for t in types:
        name = t if isinstance(t, str) else getattr(t, "TYPE", None)
        if not name:
            raise InvalidArgument(
                f"types must be type tags or event classes, got {t!r}", argument="types", value=t
            )
        yield name
