"""The :class:`EventLog` interface, the :class:`Recorded` entry and the hash chain.

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
JSON, a newline, then the event's canonical bytes. Changing, removing or reordering any
stored record breaks the chain from there on, and :meth:`EventLog.verify` names the first
position where it breaks.
"""

from __future__ import annotations

import abc
import bisect
import contextlib
import datetime as dt
import hashlib
import itertools
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, Literal, Self

import attrs
import orjson
from pendulum import DateTime

from timeline.codec import Codec, TrustedDecoder
from timeline.errors import (
    ConcurrencyError,
    CorruptLog,
    DecodeError,
    DuplicateEvent,
    InvalidEvent,
    TimelineError,
    UnknownEvent,
)
from timeline.events import Event
from timeline.log.snapshots import MemorySnapshotStore, SnapshotStore
from timeline.time import Clock, SystemClock, isoformat, parse_utc, to_utc

__all__ = [
    "GENESIS",
    "EventLog",
    "Guard",
    "Order",
    "RawRecord",
    "Recorded",
    "Subscription",
    "VerifyReport",
    "chain_hash",
    "stored_recorded_at",
]

#: The hash that the first record chains from.
GENESIS = "0" * 64

Order = Literal["recorded", "occurred"]

#: Stands for "no recorded_at read yet" (paired with text no record has).
_NEVER = DateTime(1, 1, 1, tzinfo=dt.UTC)

#: A check from an upper layer, run inside every append before anything is written.
#: It receives the log (to look up stored events) and the batch, and raises to refuse it.
Guard = Callable[["EventLog", Sequence[Event]], None]


def chain_hash(  # noqa: PLR0917  # one argument per hashed column, on the hot path
    previous: str, position: int, stream: str, version: int, recorded_at: str, payload: bytes
) -> str:
    """The SHA-256 (hex) of one record, chained to the previous record's hash."""
    header = orjson.dumps([position, stream, version, recorded_at])
    return hashlib.sha256(b"".join((previous.encode(), header, b"\n", payload))).hexdigest()


def stored_recorded_at(text: str | None, *, position: int, where: str) -> DateTime:
    """A ``recorded_at`` read back from storage, as an instant (for backends).

    Args:
        text: the stored text (a damaged row may hold another kind of value); ``None``
            where the storage holds no record at ``position``.
        position: the record's position, for the error.
        where: the log as messages name it (``"SQLite log 'x.db'"``).

    Raises:
        CorruptLog: naming the log and the position, for a missing record or text that is
            not an aware ISO-8601 time.

    >>> stored_recorded_at("2025-06-02T08:00:00.000000+00:00", position=1, where="log")
    DateTime(2025, 6, 2, 8, 0, 0, tzinfo=Timezone('UTC'))
    >>> stored_recorded_at("noon", position=3, where="SQLite log 'x.db'")
    Traceback (most recent call last):
    ...
    timeline.errors.CorruptLog: SQLite log 'x.db': recorded_at 'noon' at position 3 is not a time
    """
    if text is None:
        raise CorruptLog(
            f"{where} has no record at position {position}",
            position=position,
            reason="missing record",
        )
    try:
        return parse_utc(text, field="recorded_at")
    except (TypeError, ValueError) as e:
        raise CorruptLog(
            f"{where}: recorded_at {text!r} at position {position} is not a time",
            position=position,
            reason=f"bad recorded_at: {e}",
        ) from e


def _unreadable(position: int, error: Exception) -> CorruptLog:
    """Our error for a stored record whose payload or ``recorded_at`` cannot be decoded."""
    return CorruptLog(
        f"record at position {position} cannot be read: {error}",
        position=position,
        reason=str(error),
    )


@attrs.frozen
class Recorded:
    """One entry of the log: an event as the log recorded it.

    Attributes:
        position: global, gap-free, 1-based.
        stream: the stream it was appended to.
        version: its number within the stream, from 1.
        recorded_at: transaction time: when the log recorded it (from the log's clock).
        event: the event itself.
        hash: the hex SHA-256 chaining this record to the one before.
    """

    position: int
    stream: str
    version: int
    recorded_at: DateTime
    event: Event
    hash: str


@attrs.frozen
class RawRecord:
    """A record as stored, before decoding: what :meth:`EventLog.verify` checks.

    ``event_id``, ``type`` and ``occurred_at`` are the backend's copies kept beside the
    payload for indexing (``None`` where a backend keeps none); they must agree with it.
    """

    position: int
    stream: str
    version: int
    recorded_at: str
    payload: bytes
    hash: str
    event_id: str | None = None
    type: str | None = None
    occurred_at: str | None = None


@attrs.frozen
class VerifyReport:
    """What :meth:`EventLog.verify` found.

    Attributes:
        ok: whether every record is intact and the chain unbroken.
        checked: how many records were found intact (the intact prefix).
        position: the first bad position, or ``None`` when ``ok``.
        reason: what is wrong there, or ``None`` when ``ok``.
    """

    ok: bool
    checked: int
    position: int | None = None
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def _event_type_names(
    types: Iterable[str | type[Event]] | str | type[Event] | None,
) -> tuple[str, ...] | None:
    if types is None:
        return None
    if isinstance(types, (str, type)):
        types = (types,)
    names = []
    for t in types:
        name = t if isinstance(t, str) else getattr(t, "TYPE", None)
        if not name:
            raise InvalidEvent(
                f"types must be type tags or event classes, got {t!r}", field="types", value=t
            )
        names.append(name)
    return tuple(names)


class Subscription:
    """Feeds a callback every record after a position, in position order, each exactly once.

    Made by :meth:`EventLog.subscribe`. Appends made through the same log object are
    delivered as soon as they are committed; records appended by other processes (or other
    log objects on the same store) arrive at the next :meth:`poll` (or the next append made
    through this object). Delivery always reads from the log, so nothing is skipped or
    repeated, whoever wrote it.

    If the callback raises while a record is delivered after an append, the append still
    stands: the subscription keeps the error in :attr:`error`, stops at that record, and
    stays paused until :meth:`poll` is called, which retries it (and raises if it fails
    again).

    Made by :meth:`EventLog.subscribe_batches` (``batch`` set), the callback receives lists
    of up to ``batch`` consecutive records instead, and :attr:`position` moves past a list
    only once the callback has returned for it: a list whose callback raised is delivered
    again, whole, by the next :meth:`poll`.
    """

    def __init__(
        self,
        log: EventLog,
        callback: Callable[[Any], object],
        after: int,
        *,
        batch: int | None = None,
    ) -> None:
        self.log = log
        #: Called with each record (or, with ``batch``, each list of records).
        self.callback = callback
        #: The most records per call of the callback, or ``None``: one record per call.
        self.batch = batch
        #: The position of the last record delivered.
        self.position = after
        #: The error that paused the subscription, if any.
        self.error: BaseException | None = None
        self.closed = False

    def poll(self) -> int:
        """Deliver every record after :attr:`position`. Returns how many were delivered."""
        if self.closed:
            return 0
        self.error = None
        delivered = 0
        records = self.log.read(after=self.position)
        if self.batch is not None:
            while chunk := list(itertools.islice(records, self.batch)):
                self.callback(chunk)
                self.position = chunk[-1].position
                delivered += len(chunk)
            return delivered
        for record in records:
            self.callback(record)
            self.position = record.position
            delivered += 1
        return delivered

    def notify(self) -> None:
        """Called by the log after each append: deliver, keeping any error in :attr:`error`."""
        if self.error is not None:
            return
        try:
            self.poll()
        except Exception as e:  # noqa: BLE001  # the append stands; the error is kept for poll()
            self.error = e

    def close(self) -> None:
        """Stop delivering."""
        self.closed = True
        with contextlib.suppress(ValueError):
            self.log._subscriptions.remove(self)  # noqa: SLF001  # the log's own registry


class EventLog(abc.ABC):
    """An append-only, hash-chained log of events in streams.

    Backends implement a handful of storage primitives; ``append``, ``read``, ``verify`` and
    the checks are shared. Use :func:`timeline.open_log` to open one by URL.

    Args:
        codec: encodes events; the default knows every declared type.
        clock: stamps ``recorded_at``; :class:`~timeline.time.SystemClock` by default.
        guards: checks run inside every append (see :data:`Guard`).
    """

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
        self._subscriptions: list[Subscription] = []
        # For decode_own_record: the trusted decoder, and the last recorded_at read (records
        # appended together share it).
        self._trusted: TrustedDecoder | None = None
        self._recorded: tuple[str, DateTime] = ("", _NEVER)

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
            ConcurrencyError: ``expected_version`` is stale.
            DuplicateEvent: an event id is already in the log, or twice in the batch.
            UnknownEvent: an event refers to an event the log does not hold.
            UnknownEventType: an event's type is not registered with the codec.
            InvalidEvent: something that is not an event, or a bad stream name.
            CorruptLog: the log's storage is damaged; nothing is written on top of it.
        """
        batch, ids = self._checked_batch(events, stream, expected_version)
        stamped = None if recorded_at is None else to_utc(recorded_at, field="recorded_at")
        encode = self.codec.encode_keyed
        encoded = [encode(e) for e in batch]
        payloads = [payload for payload, _, _ in encoded]
        if not batch:
            return []
        with self._writing():
            actual = self._stream_version(stream)
            if expected_version is not None and expected_version != actual:
                raise ConcurrencyError(
                    f"stream {stream!r} is at version {actual}, not the expected {expected_version}",
                    stream=stream,
                    expected=expected_version,
                    actual=actual,
                )
            self._check_new_and_known(batch, ids)
            for guard in self.guards:
                guard(self, batch)
            position, previous, last_recorded = self._tail()
            now = stamped if stamped is not None else to_utc(self.clock.now(), field="recorded_at")
            if last_recorded is not None and now < last_recorded:
                now = last_recorded  # transaction time never runs backwards
            stamp = isoformat(now)
            records = []
            for version, (event, payload) in enumerate(
                zip(batch, payloads, strict=True), actual + 1
            ):
                position += 1
                previous = chain_hash(previous, position, stream, version, stamp, payload)
                records.append(Recorded(position, stream, version, now, event, previous))
            self._write(records, payloads, stamp, [(i, o) for _, i, o in encoded])
        for subscription in tuple(self._subscriptions):
            subscription.notify()
        return records

    @staticmethod
    def _checked_batch(
        events: Iterable[Event], stream: str, expected_version: int | None
    ) -> tuple[tuple[Event, ...], set[uuid.UUID]]:
        """The batch as a tuple and its ids, after checking the arguments of ``append``."""
        batch = tuple(events)
        if not isinstance(stream, str) or not stream.strip():
            raise InvalidEvent(
                f"stream must be a non-empty string, got {stream!r}", field="stream", value=stream
            )
        if expected_version is not None and (
            type(expected_version) is not int or expected_version < 0
        ):
            raise InvalidEvent(
                f"expected_version must be a whole number ≥ 0 or None, got {expected_version!r}",
                field="expected_version",
                value=expected_version,
            )
        seen: set[uuid.UUID] = set()
        for i, event in enumerate(batch):
            if not isinstance(event, Event):
                raise InvalidEvent(
                    f"events[{i}] is not an Event, got {event!r}", field=f"events[{i}]", value=event
                )
            if event.event_id in seen:
                raise DuplicateEvent(
                    f"event id {event.event_id} appears twice in one batch", event_id=event.event_id
                )
            seen.add(event.event_id)
        return batch, seen

    #: Whether the storage itself refuses a second record with an id it holds (a unique
    #: index) and ``_write`` raises :class:`DuplicateEvent` for it: then append looks up
    #: only the ids the batch refers to, not every id in it.
    _unique_ids_enforced: bool = False

    def _check_new_and_known(self, batch: Sequence[Event], ids: set[uuid.UUID]) -> None:
        referenced = {ref for event in batch for ref in event.references()}
        if self._unique_ids_enforced:
            stored = self._existing(referenced) if referenced else set()
        else:
            stored = self._existing(ids | referenced)
        for event in batch if not self._unique_ids_enforced else ():
            if event.event_id in stored:
                raise DuplicateEvent(
                    f"event id {event.event_id} is already in the log", event_id=event.event_id
                )
        earlier: set[uuid.UUID] = set()
        for event in batch:
            for ref in event.references():
                if ref not in stored and ref not in earlier:
                    raise UnknownEvent(
                        f"{type(event).__name__} {event.event_id} refers to event {ref}, "
                        "which is not in the log (nor earlier in this batch)",
                        event_id=ref,
                    )
            earlier.add(event.event_id)

    def _lost_race(self, records: Sequence[Recorded], *, duplicate_id: bool) -> TimelineError:
        """Our error for a unique constraint the storage enforced on insert (after rollback).

        For backends whose storage refuses a second record with an id or a stream version it
        holds. ``duplicate_id``: the constraint broken was the one on event ids, so an event
        of the batch is already in the log; otherwise another writer (software that does not
        take the log's lock) appended to the stream meanwhile.
        """
        if duplicate_id:
            stored = self._existing([r.event.event_id for r in records])
            event_id = next(
                (r.event.event_id for r in records if r.event.event_id in stored),
                records[0].event.event_id,
            )
            return DuplicateEvent(f"event id {event_id} is already in the log", event_id=event_id)
        stream = records[0].stream
        expected = records[0].version - 1
        actual = self._stream_version(stream)
        return ConcurrencyError(
            f"stream {stream!r} was appended to by another writer during this append "
            f"(now at version {actual}, expected {expected})",
            stream=stream,
            expected=expected,
            actual=actual,
        )

    def read(
        self,
        after: int = 0,
        *,
        stream: str | None = None,
        types: Iterable[str | type[Event]] | str | type[Event] | None = None,
        order: Order = "recorded",
        occurred_after: dt.datetime | None = None,
        occurred_by: dt.datetime | None = None,
    ) -> Iterator[Recorded]:
        """Stream the records lazily, in constant memory.

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

        The two ``occurred_`` bounds filter on the event as stored: they know nothing of
        corrections (replay resolves those). ``SQLiteLog`` serves them from its
        ``(occurred_at, position)`` index, so a narrow window of valid time costs what it
        yields; the other backends filter their in-memory index.

        Raises:
            InvalidEvent: for a bad ``order`` or ``after``, or a naive bound.
            CorruptLog: on reaching a record that cannot be read; everything before it has
                been yielded.
        """
        if order not in ("recorded", "occurred"):
            raise InvalidEvent(
                f"order must be 'recorded' or 'occurred', got {order!r}", field="order", value=order
            )
        if type(after) is not int or after < 0:
            raise InvalidEvent(
                f"after must be a whole number ≥ 0, got {after!r}", field="after", value=after
            )
        types_ = _event_type_names(types)
        if occurred_after is None and occurred_by is None:
            return self._read(after, stream, types_, order)
        low = None if occurred_after is None else to_utc(occurred_after, field="occurred_after")
        high = None if occurred_by is None else to_utc(occurred_by, field="occurred_by")
        if low is not None and high is not None and high <= low:
            return iter(())
        return self._read_range(after, stream, types_, order, low, high)

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
        return bisect.bisect_right(positions, cut, key=self._recorded_at)

    def _recorded_at(self, position: int) -> DateTime:
        """The ``recorded_at`` of the record at a position (backends may answer faster)."""
        record = next(self._read(position - 1, None, None, "recorded"), None)
        if record is None:
            raise CorruptLog(
                f"position {position} cannot be read", position=position, reason="missing"
            )
        return record.recorded_at

    def verify(self) -> VerifyReport:
        """Walk the hash chain and report the first position that is not intact.

        Detects truncation (a record cut short or missing at the end of a file), a changed
        byte, a removed, inserted or reordered record.
        """
        previous = GENESIS
        expected = 1
        versions: dict[str, int] = {}
        try:
            for raw in self._raw():
                reason = self._check_raw(raw, expected, previous, versions)
                if reason is not None:
                    return VerifyReport(
                        ok=False, checked=expected - 1, position=expected, reason=reason
                    )
                previous = raw.hash
                versions[raw.stream] = raw.version
                expected += 1
        except CorruptLog as e:
            return VerifyReport(
                ok=False, checked=expected - 1, position=e.position, reason=e.reason
            )
        return VerifyReport(ok=True, checked=expected - 1)

    @staticmethod
    def _check_raw(  # noqa: PLR0911  # one return per kind of damage
        raw: RawRecord, expected: int, previous: str, versions: dict[str, int]
    ) -> str | None:
        if raw.position != expected:
            return f"position {raw.position} found where {expected} was expected (missing or reordered record)"
        if not (
            type(raw.stream) is str
            and type(raw.version) is int
            and type(raw.recorded_at) is str
            and type(raw.hash) is str
        ):  # a damaged row: a column holding a value of another kind
            return (
                f"stored columns of the wrong kind: stream {raw.stream!r}, version "
                f"{raw.version!r}, recorded_at {raw.recorded_at!r}, hash {raw.hash!r}"
            )
        if (
            chain_hash(
                previous, raw.position, raw.stream, raw.version, raw.recorded_at, raw.payload
            )
            != raw.hash
        ):
            return "hash mismatch: the record or one before it was changed"
        if raw.version != versions.get(raw.stream, 0) + 1:
            return f"stream {raw.stream!r} version {raw.version} does not follow {versions.get(raw.stream, 0)}"
        if raw.event_id is not None or raw.type is not None or raw.occurred_at is not None:
            try:
                body = orjson.loads(raw.payload)
            except orjson.JSONDecodeError:
                return "payload is not JSON"
            for column, key in (
                (raw.event_id, "event_id"),
                (raw.type, "type"),
                (raw.occurred_at, "occurred_at"),
            ):
                if column is not None and body.get(key) != column:
                    return f"stored {key} {column!r} does not match the payload's {body.get(key)!r}"
        return None

    def decode_record(  # noqa: PLR0917  # one argument per stored column, on the hot path
        self,
        position: int,
        stream: str,
        version: int,
        recorded_at: str,
        payload: bytes | dict[str, Any],
        hash_: str,
    ) -> Recorded:
        """Build a :class:`Recorded` from stored columns (for backends).

        ``payload`` is the event's canonical bytes, or the mapping already parsed from them
        (a backend that stores the event inside a larger JSON document).

        Raises:
            CorruptLog: if the payload cannot be decoded.
        """
        try:
            if isinstance(payload, dict):
                event = self.codec.from_dict(payload)
            else:
                event = self.codec.decode(payload)
            at = parse_utc(recorded_at, field="recorded_at")
        except (DecodeError, InvalidEvent, ValueError) as e:
            raise _unreadable(position, e) from e
        return Recorded(position, stream, version, at, event, hash_)

    def decode_own_record(  # noqa: PLR0917  # decode_record's arguments, on the hot path
        self,
        position: int,
        stream: str,
        version: int,
        recorded_at: str,
        payload: bytes,
        hash_: str,
    ) -> Recorded:
        """:meth:`decode_record` for a record this log wrote itself, without re-validating.

        For backends that store the canonical bytes :meth:`append` wrote, in storage only the
        log writes (``SQLiteLog``, ``PostgresLog``): the event was validated before it was
        stored, so it is built by the codec's :class:`~timeline.codec.TrustedDecoder` (the same
        event, about three times as fast). Never for bytes from elsewhere (imports, a file people edit): those
        go through :meth:`decode_record`. See ``docs/decisions.md``.

        Raises:
            CorruptLog: if the payload cannot be decoded.
        """
        trusted = self._trusted
        if trusted is None or trusted.codec is not self.codec:
            trusted = self._trusted = TrustedDecoder(self.codec)
        try:
            event = trusted.decode(payload)
            text, at = self._recorded  # one tuple, so threads never see half of it
            if recorded_at != text:
                at = parse_utc(recorded_at, field="recorded_at")
                self._recorded = (recorded_at, at)
        except (DecodeError, InvalidEvent, ValueError) as e:
            raise _unreadable(position, e) from e
        return Recorded(position, stream, version, at, event, hash_)

    # -- lookups built on the primitives ----------------------------------------------------

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
            InvalidEvent: for a ``size`` that is not a whole number ≥ 1.

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
        if type(size) is not int or size < 1:
            raise InvalidEvent(
                f"size must be a whole number ≥ 1, got {size!r}", field="size", value=size
            )
        subscription = Subscription(self, callback, after, batch=size)
        subscription.poll()
        self._subscriptions.append(subscription)
        return subscription

    def get(self, event_id: uuid.UUID) -> Recorded:
        """The record holding an event.

        Raises:
            UnknownEvent: if the log does not hold it.
        """
        record = self._get(event_id)
        if record is None:
            raise UnknownEvent(f"event {event_id} is not in the log", event_id=event_id)
        return record

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, uuid.UUID) and bool(self._existing((event_id,)))

    def head(self) -> Recorded | None:
        """The last record, or ``None`` for an empty log."""
        n = len(self)
        return next(self._read(n - 1, None, None, "recorded"), None) if n else None

    def stream_version(self, stream: str) -> int:
        """The stream's current version: how many events it holds (0 if none)."""
        return self._stream_version(stream)

    def close(self) -> None:
        """Release the backend's resources (files, connections). Idempotent."""
        return

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what a backend implements -------------------------------------------------------

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many records the log holds."""

    @abc.abstractmethod
    def streams(self) -> dict[str, int]:
        """Every stream and its current version."""

    @abc.abstractmethod
    def _writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the write lock (a transaction); undo everything if the block raises."""

    @abc.abstractmethod
    def _stream_version(self, stream: str) -> int:
        """The stream's version as stored (inside the write lock when appending)."""

    @abc.abstractmethod
    def _existing(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these ids the log holds."""

    @abc.abstractmethod
    def _tail(self) -> tuple[int, str, DateTime | None]:
        """The last position, its hash and its ``recorded_at`` (0, GENESIS, None if empty)."""

    @abc.abstractmethod
    def _write(
        self,
        records: Sequence[Recorded],
        payloads: Sequence[bytes],
        recorded_at: str,
        keys: Sequence[tuple[str, str]],
    ) -> None:
        """Store the records (inside the write lock); all or none.

        ``keys`` holds each event's id and ``occurred_at`` as its payload spells them.
        """

    @abc.abstractmethod
    def _read(
        self, after: int, stream: str | None, types: tuple[str, ...] | None, order: Order
    ) -> Iterator[Recorded]:
        """The records, filtered and ordered, decoded lazily."""

    def _read_range(  # noqa: PLR0917  # _read's arguments and the two bounds
        self,
        after: int,
        stream: str | None,
        types: tuple[str, ...] | None,
        order: Order,
        occurred_after: DateTime | None,
        occurred_by: DateTime | None,
    ) -> Iterator[Recorded]:
        """The records :meth:`_read` gives whose ``occurred_at`` is within the bounds.

        This default filters :meth:`_read`; backends override it to use an index.
        """
        for record in self._read(after, stream, types, order):
            at = record.event.occurred_at
            if occurred_by is not None and at > occurred_by:
                if order == "occurred":
                    return
                continue
            if occurred_after is None or at > occurred_after:
                yield record

    @abc.abstractmethod
    def _raw(self) -> Iterator[RawRecord]:
        """Every stored record in position order, undecoded (may raise :class:`CorruptLog`)."""

    @abc.abstractmethod
    def _get(self, event_id: uuid.UUID) -> Recorded | None:
        """The record holding an event, or ``None``."""

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
