"""The :class:`EventLog`: one append algorithm over a small, public storage protocol.

Every backend shares one ``append`` algorithm, written here once, so they cannot drift apart:

1. check the arguments and every event, and encode them all (an unknown type or a bad value
   fails here, before anything is locked);
2. take the backend's write lock or transaction;
3. check ``expected_version``, duplicate ids, that referenced events exist, then run the
   guards (checks from the upper layers: corrections, causality);
4. stamp ``recorded_at`` from the clock, number the records, chain their hashes, write.

Anything that fails before step 4 finishes leaves the log exactly as it was.

The hash of a record is SHA-256 over the previous record's hash (64 zeros before the
first) and this record's canonical bytes: ``[position, stream, version, recorded_at]`` as
JSON, a newline, then the event's canonical bytes (see :mod:`timeline.log.records`).
Changing, removing or reordering any stored record breaks the chain from there on, and
:meth:`EventLog.verify` names the first position where it breaks.

A backend is a subclass that implements the storage protocol, public methods all:

=============================  ===============================================================
``writing()``                  hold the write lock (a transaction); undo all if the block raises
``tail()``                     the last position, its hash and its ``recorded_at``
``stream_version(stream)``     the stream's version as stored (0 for a new stream)
``existing(ids)``              which of these event ids the storage holds
``insert(records)``            store :class:`~timeline.log.StoredRecord` rows, all or none
``scan(query)``                the records a :class:`~timeline.log.Query` asks for, decoded
``raw()``                      every stored record, undecoded, in position order (``verify``)
``find(event_id)``             the record holding an event, or ``None``
``stored_record(position)``    optional: the record at a position, undecoded (or ``None``)
``__len__()``, ``streams()``   how many records; every stream and its version
=============================  ===============================================================

and says, in :attr:`EventLog.enforces_unique_ids`, whether its storage itself refuses an
event id it already holds. ``recorded_at(position)`` and ``stored_hash(position)`` are
optional, for a store that reads one record's time or hash faster than the defaults do. It
decodes what it reads with one call, :meth:`EventLog.decode_record`.
``docs/howto/backend.md`` writes a complete backend on :mod:`dbm`.

Reads check what they serve, for every backend, in :meth:`EventLog.decode_record`: a record
is handed out only if its stored bytes, chained to the stored hash of the record before it,
hash to its own stored hash, and a missing position is reported; the decoder never builds an
event its type's validators would refuse. ``read(verify=False)`` is the forensic way round.
``append`` checks the tail record the same way before it writes on top of it (a tail it
wrote itself by its stored bytes alone, read with ``stored_record``: see ``_check_tail``).
"""

from __future__ import annotations

import abc
import bisect
import contextlib
import datetime as dt
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypedDict

from pendulum import DateTime

from timeline.codec import Codec, TrustedDecoder
from timeline.errors import (
    ConcurrencyError,
    CorruptLog,
    DuplicateEvent,
    InvalidArgument,
    TimelineError,
    UnknownEvent,
    check_whole,
)
from timeline.events import Event
from timeline.events.fields import encodable, shown
from timeline.log._append_checks import check_expected, checked_batch
from timeline.log.merkle_store import ProvableLog, grow_tree, verify_against
from timeline.log.query import Order, Query, _type_names
from timeline.log.reading import CheckedReads, _new_recorded
from timeline.log.records import (  # their old home
    GENESIS,
    RawRecord,
    Recorded,
    StoredRecord,
    VerifyReport,
    chain_hash,
    stored_recorded_at,
    verify_chain,
)
from timeline.log.snapshots import MemorySnapshotStore, SnapshotStore
from timeline.log.subscription import Subscription
from timeline.time import Clock, SystemClock, isoformat, to_utc

if TYPE_CHECKING:
    from timeline.integrity import Checkpoint
    from timeline.log.merkle import Frontier

__all__ = [
    "GENESIS",
    "EventLog",
    "Guard",
    "LogOptions",
    "Order",
    "Query",
    "RawRecord",
    "Recorded",
    "StoredRecord",
    "Subscription",
    "VerifyReport",
    "chain_hash",
    "stored_recorded_at",
]

#: Stands for "no recorded_at read yet" (paired with text no record has).
_NEVER = DateTime(1, 1, 1, tzinfo=dt.UTC)

#: A check from an upper layer, run inside every append before anything is written.
#: It receives the log (to look up stored events) and the batch, and raises to refuse it.
Guard = Callable[["EventLog", Sequence[Event]], None]

_new_stored = tuple.__new__  # builds a StoredRecord without its keyword-handling __new__


class LogOptions(TypedDict, total=False):
    """What every log takes after its own options: :class:`EventLog`'s, handed on unchanged."""

    codec: Codec | None
    clock: Clock | None
    guards: Iterable[Guard]


class EventLog(CheckedReads, ProvableLog):
    """An append-only, hash-chained log of events in streams.

    Backends implement the storage protocol (see the module's table); ``append``,
    ``read``, ``verify`` and the checks are shared. Use :func:`timeline.open_log` to open
    one by URL.

    Args:
        codec: encodes events; the default knows every declared type.
        clock: stamps ``recorded_at``; :class:`~timeline.time.SystemClock` by default.
        guards: checks run inside every append (see :data:`Guard`).
    """

    #: Part of the storage protocol: whether the storage itself refuses a record whose
    #: event id it already holds (a unique index), with :meth:`insert` raising
    #: :class:`~timeline.errors.DuplicateEvent` (see :meth:`refused_insert`). Then
    #: ``append`` looks up only the ids the batch refers to; otherwise (the default) it
    #: also looks up every id of the batch through :meth:`existing` before inserting.
    enforces_unique_ids: ClassVar[bool] = False

    def __init__(
        self,
        *,
        codec: Codec | None = None,
        clock: Clock | None = None,
        guards: Iterable[Guard] = (),
    ) -> None:
        self.codec = codec if codec is not None else Codec()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.guards: tuple[Guard, ...] = tuple(guards)
        #: Derived data that upper layers keep for this log while it is open, by name (the
        #: corrections index of :mod:`timeline.projections.resolution`): it goes with the
        #: log, so no layer needs a process-wide table of logs.
        self.derived: dict[str, object] = {}
        self._subscriptions: list[Subscription] = []
        # Held while records are delivered to the subscriptions (after an append, or by a
        # backend following other writers), so that no record reaches one twice.
        self._delivery = threading.RLock()
        # For decode_record: the trusted decoder, and the last recorded_at read (records
        # appended together share it).
        self._trusted: TrustedDecoder | None = None
        self._recorded: tuple[str, DateTime] = ("", _NEVER)
        # The position and stored hash of the last record checked: in a read in position
        # order, the record before the one being read (so no lookup is needed).
        self._last: tuple[int, str] = (0, GENESIS)
        # The position and hash of the last record this object appended (see _check_tail).
        self._written: tuple[int, str] = (0, GENESIS)
        # The stored Merkle tree's right edge after that append: the next append on that same
        # tail grows the tree from it.
        self._edge: Frontier | None = None

    # -- the shared algorithm -------------------------------------------------------------

    def append(
        self,
        events: Iterable[Event],
        *,
        stream: str,
        expected_version: int | None = None,
        recorded_at: dt.datetime | None = None,
    ) -> list[Recorded]:
        """Append events to a stream, all or none.

        Args:
            events: the events, in order.
            stream: the stream's name ("talks/istanbul").
            expected_version: the stream's version as the writer last saw it (0 for a new
                stream); ``None`` skips the check.
            recorded_at: back-fill: the transaction time to record instead of the clock's
                ``now()`` (an importer replaying a data set's revisions at their commit
                times). Like the clock's, it never runs backwards: an instant before the
                last record's ``recorded_at`` is raised to it.

        Returns:
            The :class:`Recorded` entries, in order.

        Raises:
            ConcurrencyError: ``expected_version`` is stale (an empty batch too: it writes
                nothing, but says whether the stream is where the writer thought).
            DuplicateEvent: an event id is already in the log, or twice in the batch.
            UnknownEvent: an event refers to an event the log does not hold.
            UnknownEventType: an event's type is not registered with the codec.
            InvalidEvent: an event the codec cannot encode.
            InvalidArgument: ``events`` not an iterable of events, a bad stream name (blank,
                or with an unpaired surrogate) or ``expected_version``.
            CorruptLog: the log's storage is damaged; nothing is written on top of it.
        """
        batch, ids = checked_batch(events, stream, expected_version)
        stamped = None if recorded_at is None else to_utc(recorded_at, field="recorded_at")
        encode = self.codec.encode_keyed
        encoded = [encode(e) for e in batch]
        if not batch:  # nothing to write, but a stale expected_version is still refused
            check_expected(stream, expected_version, self.stream_version(stream))
            return []
        with self.writing():
            actual = self.stream_version(stream)
            check_expected(stream, expected_version, actual)
            self._check_new_and_known(batch, ids)
            for guard in self.guards:
                guard(self, batch)
            position, previous, last_recorded = self.tail()
            if position:
                self._check_tail(position, previous)
            edge = self._edge if (position, previous) == self._written else None
            now = stamped if stamped is not None else to_utc(self.clock.now(), field="recorded_at")
            if last_recorded is not None and now < last_recorded:
                now = last_recorded  # transaction time never runs backwards
            stamp = isoformat(now)
            records = []
            stored = []
            for version, (event, (payload, event_id, occurred)) in enumerate(
                zip(batch, encoded, strict=True), actual + 1
            ):
                position += 1
                previous = chain_hash(previous, position, stream, version, stamp, payload)
                record = _new_recorded(position, stream, version, now, event, previous)
                records.append(record)
                stored.append(
                    _new_stored(
                        StoredRecord,
                        (position, stream, version, stamp, payload, previous, event_id,
                         event.TYPE, occurred, record),
                    )
                )  # fmt: skip
            self.insert(stored)
            edge = grow_tree(self, stored, edge)  # the Merkle tree, in the same transaction
        # Committed: the next read after it starts here, and the next append on top of it
        # need only hash its bytes again (see _check_tail) and grows the tree from its edge.
        self._last = self._written = (position, previous)
        self._edge = edge
        with self._delivery:
            for subscription in tuple(self._subscriptions):
                subscription.notify()
        return records

    def _check_tail(self, position: int, hash_: str) -> None:
        """Refuse to write on top of a tail record that is not intact.

        The tail is read back and checked as every read checks a record (its bytes against
        its hash, chained to the record before it, which must exist; its event decoded),
        from its stored columns where the backend gives them (:meth:`stored_record`), else
        through :meth:`scan`. The record this object appended last needs only the first
        check: bytes that give the hash it wrote are the bytes it wrote, of an event it
        checked, so decoding them again finds nothing.

        Raises:
            CorruptLog: naming the tail's position, or the missing one before it.
        """
        stored = self.stored_record(position)
        if stored is not None and stored.hash == hash_:
            before = GENESIS if position == 1 else self.stored_hash(position - 1)
            if before is not None and (position, hash_) != self._written:
                self.decode_record(*stored[:6], before)  # raises CorruptLog, as a read does
                return
            with contextlib.suppress(TypeError, AttributeError):  # a damaged row: below
                if before is not None and chain_hash(before, *stored[:5]) == hash_:
                    return
        record = next(self.scan(Query(position - 1)), None)
        if record is None or record.position != position or record.hash != hash_:
            raise CorruptLog(
                f"the last record, at position {position}, cannot be read back as the tail "
                "names it: the log was changed behind its back; nothing is written on top",
                position=position,
                reason="tail record missing or changed",
            )

    def _check_new_and_known(self, batch: Sequence[Event], ids: set[uuid.UUID]) -> None:
        referenced = {ref for event in batch for ref in event.references()}
        enforced = self.enforces_unique_ids
        if enforced:
            stored = self.existing(referenced) if referenced else set()
        else:
            stored = self.existing(ids | referenced)
        for event in batch if not enforced else ():
            if event.event_id in stored:
                raise DuplicateEvent(
                    f"event id {event.event_id} is already in the log", event_id=event.event_id
                )
        earlier: set[uuid.UUID] = set()
        for event in batch if referenced else ():  # most batches refer to nothing
            for ref in event.references():
                if ref not in stored and ref not in earlier:
                    raise UnknownEvent(
                        f"{type(event).__name__} {event.event_id} refers to event {ref}, "
                        "which is not in the log (nor earlier in this batch)",
                        event_id=ref,
                    )
            earlier.add(event.event_id)

    def read(  # the filters of design.md's read
        self,
        after: int = 0,
        *,
        stream: str | None = None,
        types: Iterable[str | type[Event]] | str | type[Event] | None = None,
        order: Order = "recorded",
        occurred_after: dt.datetime | None = None,
        occurred_by: dt.datetime | None = None,
        verify: bool = True,
    ) -> Iterator[Recorded]:
        """Stream the records lazily, in constant memory, each checked before it is served.

        Args:
            after: only records with a position greater than this.
            stream: only this stream.
            types: only these event types (tags or classes).
            order: ``"recorded"`` (by position) or ``"occurred"`` (by ``occurred_at``, ties by
                position).
            occurred_after: only events whose stored ``occurred_at`` is strictly later than
                this (an exclusive lower bound; an aware datetime).
            occurred_by: only events whose stored ``occurred_at`` is at or before this (an
                inclusive upper bound, as ``as_of`` is; an aware datetime).
            verify: ``True`` (the default): every record is checked as it streams (its
                stored bytes against its hash, chained to the record before it, which must
                exist; in a filtered read, that it is what the filters asked for), and the
                first that fails raises :class:`~timeline.errors.CorruptLog`. ``False``
                is for forensic tools: the stored records are read in position order
                through :meth:`raw`, whatever their hashes and gaps, and each is decoded
                (a payload that does not decode to a valid event still raises).

        The two ``occurred_`` bounds filter on the event as stored: they know nothing of
        corrections (replay resolves those). ``SQLiteLog`` serves them from its
        ``(occurred_at, position)`` index, so a narrow window of valid time costs what it
        yields; the other backends filter their in-memory index.

        Raises:
            InvalidArgument: for a bad ``order``, ``after``, ``stream`` or ``types``. A
                stream or type name with an unpaired surrogate, which no backend can hold,
                matches nothing.
            InvalidEvent: for a naive bound.
            CorruptLog: on reaching a record that is missing, changed or cannot be read;
                everything before it has been yielded.
        """
        if verify is not True and verify is not False:
            raise InvalidArgument(
                f"verify must be True or False, got {verify!r}", argument="verify", value=verify
            )
        if order not in ("recorded", "occurred"):
            raise InvalidArgument(
                f"order must be 'recorded' or 'occurred', got {order!r}",
                argument="order",
                value=order,
            )
        check_whole(after, "after")
        if stream is not None and not isinstance(stream, str):
            raise InvalidArgument(
                f"stream must be a string or None, got {shown(stream)}",
                argument="stream",
                value=stream,
            )
        if stream is not None and not encodable(stream):
            return iter(())  # no backend can hold such a stream: it matches nothing
        query = Query(
            after,
            stream,
            _type_names(types),
            order,
            None if occurred_after is None else to_utc(occurred_after, field="occurred_after"),
            None if occurred_by is None else to_utc(occurred_by, field="occurred_by"),
        )
        if query.empty:
            return iter(())
        if not verify:
            return query.select(self._unchecked())
        if query == Query(after):  # every record after a position: the chain checks them
            return self.scan(query)
        return query.served(self.scan(query))

    def _unchecked(self) -> Iterator[Recorded]:
        """Every stored record, decoded without the checks of reads (``verify=False``)."""
        for r in self.raw():
            yield self._decode_stored(
                r.position, r.stream, r.version, r.recorded_at, r.payload, r.hash
            )

    def position_at(self, known_at: dt.datetime) -> int:
        """The last position recorded at or before ``known_at`` (0 if none was).

        Transaction time never runs backwards along the log, so ``known_at`` cuts it at a
        position: the records with ``recorded_at <= known_at`` are exactly positions 1 to
        this one. Found by bisection, reading about log2(len) records.

        Raises:
            InvalidEvent: for a naive ``known_at``.

        >>> import pendulum
        >>> from timeline.log.memory import MemoryLog
        >>> from timeline.events import Statement
        >>> from timeline.time import FixedClock
        >>> log = MemoryLog(clock=FixedClock(pendulum.datetime(2025, 6, 2, 8)))
        >>> said = [Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A", text="x")]
        >>> _ = log.append(said, stream="s")
        >>> log.position_at(pendulum.datetime(2025, 6, 2, 7)), log.position_at(pendulum.datetime(2025, 6, 2, 8))
        (0, 1)
        """
        cut = to_utc(known_at, field="known_at")
        positions = range(1, len(self) + 1)
        return bisect.bisect_right(positions, cut, key=self.recorded_at)

    def verify(self, against: Checkpoint | None = None) -> VerifyReport:
        """Walk the hash chain and report the first position that is not intact.

        Detects truncation (a record cut short or missing at the end of a file), a changed
        byte, a removed, inserted or reordered record.

        Args:
            against: a checkpoint (:meth:`checkpoint`) this log must extend: its first
                ``size`` records must have its Merkle root, recomputed from the records.
                That also finds what the chain alone cannot: a rewrite whose hashes were
                recomputed after it, or records removed from the end. Check the
                checkpoint's signature yourself (:func:`timeline.integrity.verify_signature`).
                A root that differs names no position (``report.position`` is ``None``).
        """
        if against is not None:
            return verify_against(self, against)
        return verify_chain(self.raw())

    def refused_insert(
        self, records: Sequence[StoredRecord], *, duplicate_id: bool
    ) -> TimelineError:
        """Our error for a unique constraint the storage enforced in :meth:`insert`.

        For backends whose storage refuses a second record with an id or a stream version
        it holds: call it after rolling back, and raise what it returns ``from`` the
        driver's error. ``duplicate_id``: the constraint broken was the one on event ids.
        Where an event of the batch is now in the log, that is the error (a
        :class:`~timeline.errors.DuplicateEvent`); otherwise another writer (software that
        does not take the log's lock) appended meanwhile (a
        :class:`~timeline.errors.ConcurrencyError`).
        """
        ids = [uuid.UUID(str(r.event_id)) for r in records]
        stored = self.existing(ids)  # the other writer may have stored an event of ours
        if duplicate_id or stored:
            event_id = next((i for i in ids if i in stored), ids[0])
            return DuplicateEvent(f"event id {event_id} is already in the log", event_id=event_id)
        stream = records[0].stream
        expected = records[0].version - 1
        actual = self.stream_version(stream)
        return ConcurrencyError(
            f"stream {stream!r} was appended to by another writer during this append "
            f"(now at version {actual}, expected {expected})",
            stream=stream,
            expected=expected,
            actual=actual,
        )

    # -- lookups built on the protocol ------------------------------------------------------

    def subscribe(self, callback: Callable[[Recorded], object], *, after: int = 0) -> Subscription:
        """Catch up from a position, then follow the log.

        ``callback`` is called with every record after ``after`` (at once, in order), then with
        each record appended later (see :class:`Subscription`).

        >>> import pendulum
        >>> from timeline.log.memory import MemoryLog
        >>> from timeline.events import Statement
        >>> log, seen = MemoryLog(), []
        >>> sub = log.subscribe(lambda rec: seen.append(rec.position))
        >>> _ = log.append([Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A",
        ...                           text="x")], stream="s")
        >>> seen
        [1]
        """
        subscription = Subscription(self, callback, after)
        subscription.poll()
        self._subscriptions.append(subscription)
        return subscription

    def subscribe_batches(
        self,
        callback: Callable[[list[Recorded]], object],
        *,
        after: int = 0,
        size: int = 1000,
    ) -> Subscription:
        """Like :meth:`subscribe`, but the callback receives lists of consecutive records.

        Each list holds up to ``size`` records, in position order; an append of many events
        arrives in few calls, so a consumer can do its work (a fold, a database transaction)
        once per list rather than once per record.

        Raises:
            InvalidArgument: for a ``size`` that is not a whole number ≥ 1.

        >>> import pendulum
        >>> from timeline.log.memory import MemoryLog
        >>> from timeline.events import Statement
        >>> log, seen = MemoryLog(), []
        >>> sub = log.subscribe_batches(lambda recs: seen.append([r.position for r in recs]))
        >>> _ = log.append([Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A",
        ...                           text=t) for t in "xyz"], stream="s")
        >>> seen
        [[1, 2, 3]]
        """
        check_whole(size, "size", least=1)
        subscription = Subscription(self, callback, after, batch=size)
        subscription.poll()
        self._subscriptions.append(subscription)
        return subscription

    def get(self, event_id: uuid.UUID) -> Recorded:
        """The record holding an event, checked as every read checks it.

        Raises:
            UnknownEvent: if the log does not hold it.
            CorruptLog: if the record was changed or the one before it is missing, or the
                storage found another event under this id.
        """
        record = self.find(event_id)
        if record is None:
            raise UnknownEvent(f"event {event_id} is not in the log", event_id=event_id)
        if record.event.event_id != event_id:
            raise CorruptLog(
                f"the log's index holds event {event_id} at position {record.position}, "
                f"whose record holds event {record.event.event_id}",
                position=record.position,
                reason="index does not match the record",
            )
        return record

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, uuid.UUID) and bool(self.existing((event_id,)))

    def head(self) -> Recorded | None:
        """The last record, or ``None`` for an empty log."""
        n = len(self)
        return next(self.scan(Query(n - 1)), None) if n else None

    def recorded_at(self, position: int) -> DateTime:
        """The ``recorded_at`` of the record at a position (for :meth:`position_at`).

        Part of the protocol, optional: this default reads the record through
        :meth:`scan`; a backend with an index answers faster.

        Raises:
            CorruptLog: if there is no record at the position, or it cannot be read.
        """
        record = next(self.scan(Query(position - 1)), None)
        if record is None:
            raise CorruptLog(
                f"position {position} cannot be read", position=position, reason="missing"
            )
        return record.recorded_at

    def close(self) -> None:
        """Release the backend's resources (files, connections). Idempotent."""
        return

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the storage protocol: what a backend implements ------------------------------------

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many records the log holds."""

    @abc.abstractmethod
    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""

    @abc.abstractmethod
    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none).

        Inside :meth:`writing`, the version as stored under the write lock.
        """

    @abc.abstractmethod
    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the write lock (a transaction) for one append; undo everything if it raises.

        ``append`` reads the tail and versions, runs its checks and calls :meth:`insert`
        inside it; no other writer may append between.
        """

    @abc.abstractmethod
    def tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at``; ``(0, GENESIS, None)`` if empty.

        Read the stored text with :func:`~timeline.log.stored_recorded_at`.
        """

    @abc.abstractmethod
    def existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these event ids the storage holds."""

    @abc.abstractmethod
    def insert(self, records: Sequence[StoredRecord]) -> None:
        """Store the records (inside :meth:`writing`), all or none.

        Keep each record's ``recorded_at`` and ``payload`` exactly as given: :meth:`verify`
        recomputes the hashes from them.
        """

    @abc.abstractmethod
    def scan(self, query: Query) -> Iterator[Recorded]:
        """The records ``query`` asks for, in its order, decoded lazily.

        ``query`` is checked; :meth:`Query.select` answers it by filtering records in
        position order, for a backend without indexes. Decode with :meth:`decode_record`.
        """

    @abc.abstractmethod
    def raw(self) -> Iterator[StoredRecord]:
        """Every stored record in position order, undecoded: what :meth:`verify` checks.

        May raise :class:`~timeline.errors.CorruptLog` where the storage is damaged.
        """

    @abc.abstractmethod
    def find(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``."""

    def stored_record(self, position: int) -> StoredRecord | None:  # noqa: ARG002  # the default
        """The record at a position as stored, undecoded; ``None`` if there is none.

        Part of the protocol, optional: ``append`` reads the tail with it (and checks the
        tail it wrote itself without decoding it). This default reads none (``None``), and
        ``append`` reads the tail through :meth:`scan`.
        """
        return None

    # -- derived data: what a backend keeps beside the log --------------------------------

    def snapshot_store(self) -> SnapshotStore:
        """A store for snapshots of this log's projections; here a new one in memory.

        Backends that keep a file or a database give a store that lives beside the log
        (and outlives the process). Keep the store: each call of this default makes another.
        """
        return MemorySnapshotStore()

    def read_model_database(self) -> str | Callable[[], Any] | None:
        """Where a read model keeps its tables when none is named.

        A SQLite file's path, a function that opens a connection to the log's own
        PostgreSQL database, or ``None`` (here: the log has no database of its own).
        """
        return None
