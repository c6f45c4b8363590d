"""The one resolution of corrections and retractions, and the per-log cache that feeds it.

:class:`Resolution` answers, for the meta events added to it in recorded order, which events
are withdrawn and how each event reads once corrected. Every layer that needs the answer
uses it: replay, snapshots, history, the correction guard and the causality guard.

:class:`MetaIndex` keeps, per log, the meta events read so far (they are few) and their
resolution, so a second replay, snapshot check or guard call reads only the new ones:
:func:`meta_index` gives the one index of a log (held weakly: it goes with the log).

A transaction-time cut is made one way, :func:`cut_position`: ``known_at`` becomes the last
position recorded by then (transaction time never runs backwards along the log), and every
later step compares positions.
"""

from __future__ import annotations

import bisect
import datetime as dt
import operator
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, TypeGuard, TypeVar

import attrs
from pendulum import DateTime

from timeline.codec import Codec
from timeline.errors import DecodeError, InvalidArgument, InvalidEvent
from timeline.events import CausalLinkRetracted, Correction, Event, Retraction
from timeline.log import GENESIS, EventLog, Recorded
from timeline.time import to_utc

__all__ = [
    "META_TYPES",
    "MetaIndex",
    "Resolution",
    "apply_changes",
    "cut_position",
    "instant",
    "meta_index",
    "target_of",
]

T = TypeVar("T")

#: The event types resolved before folding (never shown to a projection).
META_TYPES: Final = (Correction.TYPE, Retraction.TYPE, CausalLinkRetracted.TYPE)


def target_of(event: Event) -> uuid.UUID:
    """The id a correction or retraction acts on.

    Raises:
        InvalidEvent: if ``event`` is neither.
    """
    if isinstance(event, Correction):
        return event.corrects
    if isinstance(event, Retraction):
        return event.retracts
    if isinstance(event, CausalLinkRetracted):
        return event.link
    raise InvalidEvent(  # only meta events are ever added
        f"{type(event).__name__} {event.event_id} is not a correction or a retraction",
        field="type",
        value=event.TYPE,
        event_id=event.event_id,
    )


def _withdraws(event: Event | None) -> TypeGuard[Retraction | CausalLinkRetracted]:
    return isinstance(event, (Retraction, CausalLinkRetracted))


class Resolution:
    """The corrections and retractions in force, from meta events added in recorded order.

    A retraction withdraws its target. If the target is itself a correction, the correction
    is undone; if it is a retraction, that retraction is undone (its target comes back,
    unless another retraction still stands). An event's *standing* is the count of
    retractions in force against it, so any chain of retractions resolves in one pass.

    Corrections of an event apply in recorded order, later ones winning field by field;
    :meth:`changes` gives the merged changes of those still in force.

    >>> import pendulum, uuid
    >>> at = pendulum.datetime(2025, 6, 1)
    >>> target = uuid.uuid4()
    >>> fix = Correction(occurred_at=at, corrects=target, changes={"launched": 479})
    >>> res = Resolution()
    >>> _ = res.add(fix)
    >>> res.changes(target)
    {'launched': 479}
    >>> _ = res.add(Retraction(occurred_at=at, retracts=fix.event_id))
    >>> res.changes(target) is None
    True
    """

    def __init__(self) -> None:
        self._metas: dict[uuid.UUID, Event] = {}
        # target -> ids of its corrections, recorded order; lists are replaced, never
        # changed in place, so copy() can share them.
        self._corrections: dict[uuid.UUID, list[uuid.UUID]] = {}
        # id -> how many retractions in force withdraw it (absent: none)
        self._against: dict[uuid.UUID, int] = {}

    @classmethod
    def from_log(
        cls, log: EventLog, *, known_at: dt.datetime | None = None, until: int | None = None
    ) -> Resolution:
        """The meta events a log had recorded by ``known_at`` (and up to ``until``), resolved.

        Args:
            log: the log.
            known_at: an aware datetime, or ``None`` for everything recorded.
            until: the last position to read, or ``None`` for the end.

        Raises:
            InvalidArgument: for a ``known_at`` that is not an aware datetime.
        """
        limit = cut_position(log, known_at)
        if until is not None:
            limit = min(limit, until)
        return meta_index(log).resolution(log, limit)

    def copy(self) -> Resolution:
        """An independent copy (cheap: the lists inside are shared copy-on-write)."""
        new = Resolution()
        new._metas = dict(self._metas)
        new._corrections = dict(self._corrections)
        new._against = dict(self._against)
        return new

    def add(self, event: Event) -> list[uuid.UUID]:
        """Add the next meta event (in recorded order).

        Returns:
            The ids whose standing flipped (withdrawn or back), nearest first: a retraction's
            target, and down the chain when the target was itself a retraction.

        Raises:
            InvalidEvent: if ``event`` is not a correction or a retraction.
        """
        target = target_of(event)
        self._metas[event.event_id] = event
        if isinstance(event, Correction):
            self._corrections[target] = [*self._corrections.get(target, ()), event.event_id]
            return []
        flipped: list[uuid.UUID] = []
        delta = 1
        while True:
            before = self._against.get(target, 0)
            after = before + delta
            if after:
                self._against[target] = after
            else:
                del self._against[target]
            if (before > 0) == (after > 0):
                return flipped
            flipped.append(target)
            meta = self._metas.get(target)
            if not _withdraws(meta):
                return flipped
            # A retraction just lost (or regained) its force: its own target loses (or
            # regains) one retraction against it.
            delta = -1 if after else 1
            target = target_of(meta)

    def withdrawn(self, event_id: uuid.UUID) -> bool:
        """Whether a retraction in force withdraws this event (or correction, or link)."""
        return event_id in self._against

    def meta(self, event_id: uuid.UUID) -> Event | None:
        """The meta event with this id, if it has been added."""
        return self._metas.get(event_id)

    def changes(self, event_id: uuid.UUID) -> dict[str, Any] | None:
        """The merged changes of the corrections of an event in force, or ``None``."""
        ids = self._corrections.get(event_id)
        if ids is None:
            return None
        merged: dict[str, Any] = {}
        for cid in ids:
            if cid not in self._against:
                merged.update(self._metas[cid].changes)  # type: ignore[attr-defined]  # a Correction
        return merged or None

    def corrected(self) -> Iterator[tuple[uuid.UUID, dict[str, Any]]]:
        """Each event with corrections in force, and their merged changes."""
        for event_id in self._corrections:
            merged = self.changes(event_id)
            if merged is not None:
                yield event_id, merged

    def withdrawn_ids(self) -> Iterator[uuid.UUID]:
        """Every id withdrawn by a retraction in force."""
        return iter(self._against)

    def meta_ids(self) -> Iterator[uuid.UUID]:
        """The id of every meta event added."""
        return iter(self._metas)

    def corrections_of(self, event_id: uuid.UUID) -> tuple[Correction, ...]:
        """Every correction of an event added so far, in force or not, in recorded order."""
        return tuple(self._metas[c] for c in self._corrections.get(event_id, ()))  # type: ignore[misc]  # Corrections by construction

    def resolve(self, codec: Codec, event: Event) -> Event:
        """The event as corrected by the corrections in force (itself if there are none).

        Raises:
            InvalidEvent: if the corrected values are refused (a log without the correction
                guard may hold such corrections).
        """
        merged = self.changes(event.event_id)
        return event if merged is None else apply_changes(codec, event, merged)

    def __len__(self) -> int:
        return len(self._metas)


def apply_changes(codec: Codec, event: Event, changes: Mapping[str, Any]) -> Event:
    """The event with some fields replaced by values in their stored (JSON) form.

    The values are structured through the codec as the event's type defines its fields, so
    the result is built, converted and validated exactly as a decoded event would be.

    Raises:
        InvalidEvent: naming the field and value the type refuses, or a field it lacks.

    >>> import pendulum
    >>> from timeline.codec import Codec
    >>> from timeline.events import DroneBarrage
    >>> barrage = DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1), launched=472)
    >>> apply_changes(Codec(), barrage, {"launched": 479}).launched
    479
    """
    data = codec.to_dict(event)
    kind = type(event).__name__
    for name, value in changes.items():
        if name in ("type", "version", "event_id") or (
            name not in data and name not in attrs.fields_dict(type(event))  # zone=None: left out
        ):
            raise InvalidEvent(
                f"{kind} has no field {name!r} that a correction may change "
                f"(asked to set it to {value!r})",
                field=name,
                value=value,
                event_id=event.event_id,
            )
    data.update(changes)
    try:
        return codec.from_dict(data)
    except DecodeError as e:
        name, value = _culprit(codec, event, changes)
        raise InvalidEvent(
            f"{kind}.{name} cannot be {value!r}: {e.reason}",
            field=name,
            value=value,
            event_id=event.event_id,
        ) from e


def _culprit(codec: Codec, event: Event, changes: Mapping[str, Any]) -> tuple[str, Any]:
    """The first changed field that cannot be read on its own (the first one, if all can)."""
    base = codec.to_dict(event)
    for name, value in changes.items():
        try:
            codec.from_dict({**base, name: value})
        except (DecodeError, InvalidEvent):
            return name, value
    return next(iter(changes.items()))


# -- the cuts ---------------------------------------------------------------------------------


def instant(value: dt.datetime | None, argument: str) -> DateTime | None:
    """An ``as_of``/``known_at`` argument as a UTC instant (``None`` stays ``None``).

    Raises:
        InvalidArgument: naming the argument, for anything but an aware datetime.
    """
    if value is None:
        return None
    try:
        return to_utc(value, field=argument)
    except InvalidEvent as e:
        raise InvalidArgument(str(e), argument=argument, value=value) from e


def cut_position(log: EventLog, known_at: dt.datetime | None) -> int:
    """The last position a log had recorded by ``known_at`` (its length for ``None``).

    Raises:
        InvalidArgument: for a ``known_at`` that is not an aware datetime.
    """
    cut = instant(known_at, "known_at")
    return len(log) if cut is None else log.position_at(cut)


# -- the per-log cache ------------------------------------------------------------------------


def record_at(log: EventLog, position: int) -> Recorded | None:
    """The record at a position (``None`` for 0 or past the end)."""
    record = next(log.read(after=position - 1), None) if position > 0 else None
    return record if record is not None and record.position == position else None


def holds(log: EventLog, position: int, head: str) -> bool:
    """Whether the log's record at ``position`` has the hash ``head`` (its prefix is intact)."""
    if position == 0:
        return head == GENESIS
    record = record_at(log, position)
    return record is not None and record.hash == head


class MetaIndex:
    """The meta events of one log read so far, in position order, with their resolution.

    A log only ever grows, so meta events read once stay right: each call reads only those
    recorded after the last position seen. With ``check`` (replay, snapshots), the index
    first makes sure the log still holds the record it last read up to (by its hash) and
    starts afresh if not (the log was rewritten); the guards, which run inside an append on
    a log they have seen grow, skip that read (a later check then trusts the record it finds
    at that position). :attr:`generation` counts the fresh starts, so that a caller keeping
    its own state derived from the index knows when to drop it.

    The log is never read under the index's lock: an append holds the log's lock while its
    guards ask the index, so a reader holding the index's lock while it waits for the log
    would deadlock with it. Reads happen outside; what they found is taken in only if the
    index has not moved meanwhile (else the step is tried again).

    One index per log: see :func:`meta_index`.
    """

    def __init__(self) -> None:
        self._records: list[Recorded] = []
        self._flipped: list[list[uuid.UUID]] = []  # per record: what its add() flipped
        self._resolution = Resolution()
        self._position = 0
        self._head: str | None = GENESIS  # hash at _position; None: not read yet
        self._lock = threading.Lock()
        #: How many times the index started afresh.
        self.generation = 0

    def _reset(self) -> None:
        self._records, self._flipped, self._resolution = [], [], Resolution()
        self._position, self._head = 0, GENESIS
        self.generation += 1

    @staticmethod
    def _intact(
        log: EventLog, position: int, head: str | None, *, check: bool
    ) -> tuple[bool, str | None]:
        """Whether the log still holds what was read up to ``position``, and that record's hash.

        Read outside the lock. Without ``check`` only the length is compared (no hash read).
        """
        if position > len(log):
            return False, None
        if not check or position == 0:
            return True, head
        found = record_at(log, position)
        if found is None:
            return False, None
        return head is None or found.hash == head, found.hash

    def _answer(self, log: EventLog, limit: int, answer: Callable[[], T], *, check: bool) -> T:
        """``answer()``, under the lock, once the index holds every meta event up to ``limit``."""
        while True:
            with self._lock:
                generation, position, head = self.generation, self._position, self._head
            intact, head = self._intact(log, position, head, check=check)
            if not intact:
                with self._lock:
                    if (self.generation, self._position) == (generation, position):
                        self._reset()
                continue
            new: list[Recorded] = []
            if limit > position:
                for rec in log.read(after=position, types=META_TYPES):
                    if rec.position > limit:
                        break
                    new.append(rec)
                top = record_at(log, limit) if check else None
                head = None if top is None else top.hash
            with self._lock:
                if (self.generation, self._position) != (generation, position):
                    continue  # moved meanwhile: look again
                for rec in new:
                    self._records.append(rec)
                    self._flipped.append(self._resolution.add(rec.event))
                self._position, self._head = max(limit, position), head
                return answer()

    def _end(self, limit: int) -> int:
        return bisect.bisect_right(self._records, limit, key=operator.attrgetter("position"))

    def upto(self, log: EventLog, limit: int, *, check: bool = True) -> list[Recorded]:
        """The meta events recorded up to position ``limit``, in position order."""
        return self._answer(log, limit, lambda: self._records[: self._end(limit)], check=check)

    def resolution(self, log: EventLog, limit: int, *, check: bool = True) -> Resolution:
        """The resolution of the meta events up to position ``limit``: a new one, the caller's."""

        def answer() -> Resolution:
            if limit >= self._position:
                return self._resolution.copy()
            res = Resolution()
            for rec in self._records[: self._end(limit)]:
                res.add(rec.event)
            return res

        return self._answer(log, limit, answer, check=check)

    def since(
        self, log: EventLog, after: int, limit: int, *, check: bool = True
    ) -> list[tuple[Recorded, list[uuid.UUID]]]:
        """The meta events after position ``after`` up to ``limit``, each with what it flipped.

        "Flipped" is what :meth:`Resolution.add` returned when it was added.
        """

        def answer() -> list[tuple[Recorded, list[uuid.UUID]]]:
            start, end = self._end(after), self._end(limit)
            return list(zip(self._records[start:end], self._flipped[start:end], strict=True))

        return self._answer(log, limit, answer, check=check)


def meta_index(log: EventLog) -> MetaIndex:
    """The one :class:`MetaIndex` of a log, kept in the log's :attr:`~EventLog.derived` data.

    Made on first use; it lives and goes with the log, and no state is kept elsewhere.
    """
    index = log.derived.setdefault("meta_index", MetaIndex())  # atomic: one index per log
    if not isinstance(index, MetaIndex):
        raise TypeError(f"the log's derived 'meta_index' is not a MetaIndex: {index!r}")
    return index
